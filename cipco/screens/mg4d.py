"""The MG4D issue log: the queue of charge papers to serve (oldest first) and the whole log."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from sqlmodel import Session

from cipco.clock import Clock, format_date, format_datetime
from cipco.screens import keymap
from cipco.screens.cells import cells, severity_style
from cipco.screens.log_screen import ALL, Counts, ListSpec, LogScreen
from cipco.services.mg4d import QUEUES, PapersRow, papers_page, queue_counts
from cipco.services.paging import Page, PageQuery
from cipco.widgets.record_table import TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp

COLUMNS = [
    TableColumn("received_at", "Received", 16, grow=False, keep=3),
    TableColumn("nomis_number", "Prison no", 9, grow=False, keep=1),
    TableColumn("prisoner_name", "Prisoner", 14, keep=2),
    TableColumn("state", "State", 17, keep=1),
    TableColumn("first_hearing_on", "1st hearing", 11, grow=False, keep=1),
    TableColumn("court", "Court", 14, keep=5),
    TableColumn("charges", "Charges", 18, keep=4),
    TableColumn("referral", "Referral", 14, keep=6),
    TableColumn("served_at", "Served", 16, keep=7),
]
LEGEND = "! first hearing within the warning window and unserved"


def papers_cells(row: PapersRow) -> list[Text]:
    if row.state == "awaiting":
        state = f"{'! ' if row.hearing_soon else ''}Awaiting ({row.days_waiting}d)"
    else:
        state = row.response_label or row.state_label
    return cells(
        [
            format_datetime(row.received_at),
            row.nomis_number,
            row.prisoner_name,
            state,
            format_date(row.first_hearing_on),
            row.court,
            row.charges,
            row.referral_reference,
            format_datetime(row.served_at),
        ],
        severity_style(row.severity),
    )


def _page(
    session: Session, query: PageQuery, clock: Clock, _counts: Counts | None
) -> Page[PapersRow]:
    return papers_page(session, query, clock)


def _status(counts: Counts, query: PageQuery, total: int) -> str:
    return (
        f"{counts.get('awaiting', 0):,} awaiting service, "
        f"{counts.get('hearing_soon', 0):,} with a hearing soon   {LEGEND}"
    )


def _export(session: Session, path: Path, query: PageQuery, app: CipcoApp) -> int:
    from cipco.spreadsheets.mg4d_io import export_mg4d

    filters = {"Queue": query.queue or ALL} | ({"Search": query.text} if query.text else {})
    return export_mg4d(
        session,
        path,
        clock=app.clock,
        actor=app.actor,
        query=query.with_window(0, 1_000_000),
        filters=filters,
    )


SPEC = ListSpec(
    noun="charge papers",
    where="MG4D issue log",
    columns=COLUMNS,
    cells=papers_cells,
    page=_page,
    counts=lambda session, clock, _query: queue_counts(session, clock),
    queues={
        "awaiting": QUEUES["awaiting"],
        "hearing_soon": QUEUES["hearing_soon"],
        ALL: "All",
        "served": QUEUES["served"],
        "not_served": QUEUES["not_served"],
    },
    default_queue="awaiting",
    filter_hint="Filter: prison number, name, crime ref, URN, court, charges",
    empty="No charge papers here. Press n when papers arrive from the police.",
    status=_status,
    export=_export,
)


class Mg4dScreen(LogScreen):
    """Charge papers: the queue to serve, the full log, new papers and service."""

    SPEC = SPEC
    BINDINGS = keymap.bindings("new", "edit", "open", "serve", "person", "referral")

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
