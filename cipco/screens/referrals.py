"""The referrals list: the police referral tracker a coordinator uses all day."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cipco.screens.log_screen import ALL, Counts, ListView, LogScreen, everything
from cipco.services.paging import PageQuery
from cipco.spreadsheets.exporting import ExportRequest

if TYPE_CHECKING:
    pass

LEGEND = "! overdue  ~ due within 2 working days"


def _status(counts: Counts, _query: PageQuery, total: int) -> str:
    return f"{total:,} of {everything(counts, total):,} referrals   {LEGEND}"


def _export(query: PageQuery) -> ExportRequest:
    """The tracker export of this queue and filter, its About sheet saying which."""
    from cipco.services.reports import ReferralFilter

    chosen = ReferralFilter(text=query.text, queue=query.queue)
    return ExportRequest(chosen, chosen.describe())


VIEW = ListView(
    "referrals",
    keep={"reference": 1, "status": 1, "next_due": 1, "prisoner_name": 2, "nomis_number": 3},
    widths={"next_due": 15, "prisoner_name": 13},
    tabs=(
        ALL,
        "overdue",
        "to_refer",
        "awaiting_police",
        "investigating",
        "with_cps",
        "charged",
        "closed",
    ),
    empty=(
        "No referrals here. Press n to add one, i to import an old tracker, "
        "or / to change the filter."
    ),
    status=_status,
    export=_export,
)


class ReferralsScreen(LogScreen):
    """Paged referrals with queues, filter, sort, and the keys that move a referral on."""

    VIEW = VIEW

    def open_row(self, row: Any) -> None:
        self.cipco.open_referral(row.id)

    def action_new(self) -> None:
        from cipco.screens.referral_forms import referral_form

        self.open_form(referral_form(None))

    def action_edit(self) -> None:
        from cipco.screens.referral_forms import referral_form

        if row := self.current("referral"):
            self.open_form(referral_form(row.id))

    def action_move(self) -> None:
        from cipco.screens.referral_forms import move_form

        if row := self.current("referral"):
            self.open_form(move_form(row.id))

    def action_follow_up(self) -> None:
        from cipco.screens.referral_forms import follow_up_form

        if row := self.current("referral"):
            self.open_form(follow_up_form(row.id))

    def action_person(self) -> None:
        if row := self.current("referral"):
            self.cipco.open_person(row.nomis_number)
