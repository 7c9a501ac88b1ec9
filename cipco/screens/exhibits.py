"""The exhibits register: every exhibit with its holder, state and review, paged in SQL."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.exhibit import FINAL_STATES
from cipco.screens import keymap
from cipco.screens.cells import cells
from cipco.screens.log_screen import ALL, Counts, ListSpec, LogScreen
from cipco.services import exhibits as svc
from cipco.services.exhibits import QUEUES, ExhibitRow, state_label, type_label
from cipco.services.paging import Page, PageQuery
from cipco.widgets.record_table import TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp

COLUMNS = [
    TableColumn("reference", "Exhibit", 9, keep=1),
    TableColumn("type", "Type", 12, keep=4),
    TableColumn("description", "Description", 20, keep=2),
    TableColumn("referrals", "Referral(s)", 14, keep=6),
    TableColumn("holder", "Holder", 16, keep=1),
    TableColumn("location", "Location", 14, keep=7),
    TableColumn("seal", "Seal", 9, keep=8),
    TableColumn("state", "State", 13, keep=1),
    TableColumn("last_movement", "Days", 5, grow=False, keep=5),
    TableColumn("review", "Review", 12, keep=3),
]
LEGEND = "! discrepancy or review due  (hold) kept  (collect) awaiting police"


def exhibit_cells(row: ExhibitRow) -> list[Text]:
    style = "dim" if row.state in FINAL_STATES else ""
    if row.discrepancies:
        style = "bold red"
    review = ""
    if row.review_due_on is not None:
        review = f"{'! ' if row.retention_due else ''}{row.review_due_on:%d/%m/%Y}"
    state = ("! " if row.discrepancies else "") + state_label(row.state)
    state += " (hold)" if row.hold else ""
    state += " (collect)" if row.awaiting_collection else ""
    return cells(
        [
            row.reference,
            type_label(row.exhibit_type),
            row.description,
            row.referrals,
            row.holder,
            row.location,
            row.seal_number,
            state,
            str(row.days_since_movement),
            review,
        ],
        style,
    )


def _page(
    session: Session, query: PageQuery, clock: Clock, _counts: Counts | None
) -> Page[ExhibitRow]:
    return svc.exhibit_page(session, query, clock)


def _status(counts: Counts, query: PageQuery, total: int) -> str:
    return f"{total:,} of {counts.get(ALL, total):,} exhibits   {LEGEND}"


def _export(session: Session, path: Path, query: PageQuery, app: CipcoApp) -> int:
    from cipco.spreadsheets.exhibits_io import export_register

    return export_register(
        session, path, clock=app.clock, actor=app.actor, queue=query.queue, text=query.text
    )


SPEC = ListSpec(
    noun="exhibits",
    where="Exhibits",
    columns=COLUMNS,
    cells=exhibit_cells,
    page=_page,
    counts=lambda session, clock, query: svc.queue_counts(session, clock, query.text),
    queues={ALL: "All", **QUEUES},
    filter_hint="Filter: reference, description, holder, seal",
    empty="No exhibits match. Press n to log a seizure, or / to change the filter.",
    status=_status,
    export=_export,
)


class ExhibitsScreen(LogScreen):
    """The exhibits register: n logs a seizure, m hands the highlighted exhibit on."""

    SPEC = SPEC
    BINDINGS = keymap.bindings("new", "edit", "open", "move")

    def open_row(self, row: Any) -> None:
        self.cipco.open_exhibit(row.id)

    def action_new(self) -> None:
        from cipco.screens.exhibit_forms import exhibit_form

        self.open_form(exhibit_form(self.cipco.clock))

    def action_move(self) -> None:
        from cipco.screens.exhibit_forms import choose_move

        if row := self.current("exhibit"):
            choose_move(self, row.id, row.reference, row.holder, self.open_form)

    def action_edit(self) -> None:
        from cipco.screens.exhibit_forms import flags_form

        if row := self.current("exhibit"):
            self.open_form(flags_form(row.id))
