"""The MG4D issue log: the queue of charge papers to serve (oldest first) and the whole log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cipco.screens.log_screen import ALL, Counts, ListView, LogScreen
from cipco.services.paging import PageQuery
from cipco.spreadsheets.exporting import ExportRequest

if TYPE_CHECKING:
    pass

LEGEND = "! first hearing within the warning window and unserved"


def _status(counts: Counts, _query: PageQuery, _total: int) -> str:
    return (
        f"{counts.get('awaiting', 0):,} awaiting service, "
        f"{counts.get('hearing_soon', 0):,} with a hearing soon   {LEGEND}"
    )


def _export(query: PageQuery) -> ExportRequest:
    filters = {"Queue": query.queue or ALL} | ({"Search": query.text} if query.text else {})
    return ExportRequest(query, filters)


VIEW = ListView(
    "mg4d",
    keep={"nomis_number": 1, "state": 1, "first_hearing_on": 1, "prisoner_name": 2, "court": 5},
    tabs=("awaiting", "hearing_soon", ALL, "served", "not_served"),
    default_queue="awaiting",
    empty="No charge papers here. Press n when papers arrive from the police.",
    status=_status,
    export=_export,
)


class Mg4dScreen(LogScreen):
    """Charge papers: the queue to serve, the full log, new papers and service."""

    VIEW = VIEW

    def open_row(self, row: Any) -> None:
        self.cipco.open_papers(row.id)

    def action_new(self) -> None:
        from cipco.screens.mg4d_forms import papers_form

        self.open_form(papers_form(clock=self.cipco.clock))

    def action_edit(self) -> None:
        from cipco.screens.mg4d_forms import papers_form

        if row := self.current("papers"):
            self.open_form(papers_form(row.id, clock=self.cipco.clock))

    def action_serve(self) -> None:
        from cipco.screens.mg4d_forms import service_form

        row = self.current("papers")
        if row is None:
            return
        if row.state == "served":
            self.notify("Already served: open the papers (enter) to correct it", severity="warning")
            return
        self.open_form(service_form(row.id))

    def action_person(self) -> None:
        if row := self.current("papers"):
            self.cipco.open_person(row.nomis_number)

    def action_referral(self) -> None:
        row = self.current("papers")
        if row is None:
            return
        if row.referral_id is None:
            self.notify("These papers are not linked to a referral", severity="warning")
            return
        self.cipco.open_referral(row.referral_id)
