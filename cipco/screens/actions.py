"""The crime clinic action log: every action across clinics, by queue (open, overdue, done,
dropped); d marks one done, del drops it with a reason, u reopens it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cipco.models.clinic import ActionStatus
from cipco.screens.log_screen import Counts, ListView, LogScreen
from cipco.services.clinic import ActionRow
from cipco.services.paging import PageQuery
from cipco.spreadsheets.exporting import ExportRequest

if TYPE_CHECKING:
    pass


def _style(row: ActionRow) -> str:
    return "dim" if row.status != ActionStatus.OPEN else ("bold red" if row.overdue else "")


def _status(counts: Counts, _query: PageQuery, total: int) -> str:
    return f"{total:,} shown · {counts.get('open', 0):,} open, {counts.get('overdue', 0):,} overdue"


def _export(query: PageQuery) -> ExportRequest:
    filters = {"Queue": query.queue or "all"} | ({"Search": query.text} if query.text else {})
    return ExportRequest(query, filters)


VIEW = ListView(
    "actions",
    keep={"text": 1, "owner": 1, "status": 1, "due_on": 2, "clinic": 3, "referral": 4},
    widths={"text": 24, "owner": 14, "status": 14},
    style=_style,
    empty="No actions match. Actions are added in a clinic (2, open one, then a).",
    status=_status,
    export=_export,
)


class ActionsScreen(LogScreen):
    """All clinic actions; enter opens the clinic that raised the highlighted one."""

    VIEW = VIEW

    def open_row(self, row: Any) -> None:
        self.cipco.open_clinic(row.clinic_id)

    def action_referral(self) -> None:
        row = self.current("action")
        if row is None:
            return
        if row.referral_id is None:
            self.notify("This action is not linked to a referral", severity="warning")
            return
        self.cipco.open_referral(row.referral_id)

    def action_done(self) -> None:
        from cipco.screens.clinic_forms import change_action

        if row := self.current("action"):
            change_action(self, row.id, row.version, row.text, "complete")

    def action_remove(self) -> None:
        from cipco.screens.clinic_forms import drop_action

        if row := self.current("action"):
            drop_action(self, row.id, row.version, row.text)

    def action_reopen(self) -> None:
        from cipco.screens.clinic_forms import change_action
        from cipco.screens.modals import ConfirmScreen

        row = self.current("action")
        if row is None or row.status == ActionStatus.OPEN:
            return
        self.app.push_screen(
            ConfirmScreen(f"Reopen '{row.text}'?"),
            lambda yes: (
                change_action(self, row.id, row.version, row.text, "reopen") if yes else None
            ),
        )
