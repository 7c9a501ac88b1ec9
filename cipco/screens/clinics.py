"""The crime clinics list: every clinic, newest first; n drafts the next one on the cadence."""

from __future__ import annotations

from typing import Any

from rich.text import Text
from sqlmodel import Session

from cipco.clock import Clock, format_date
from cipco.models.clinic import ClinicStatus
from cipco.screens import keymap
from cipco.screens.cells import cells
from cipco.screens.log_screen import Counts, ListSpec, LogScreen
from cipco.services import clinic as clinic_service
from cipco.services.clinic import ClinicRow
from cipco.services.paging import Page, PageQuery
from cipco.widgets.record_table import TableColumn

STATUS_STYLES = {
    ClinicStatus.DRAFT: "italic",
    ClinicStatus.OPEN: "",
    ClinicStatus.IN_PROGRESS: "bold green",
    ClinicStatus.CLOSED: "dim",
}
COLUMNS = [
    TableColumn("held_on", "Date", 10, grow=False, keep=1),
    TableColumn("title", "Clinic", 20, keep=1),
    TableColumn("status", "Status", 11, keep=1),
    TableColumn("items", "Items", 5, grow=False, keep=2),
    TableColumn("dropped", "Dropped", 7, grow=False, keep=4),
    TableColumn("open_actions", "Open actions", 12, grow=False, keep=2),
    TableColumn("attendees", "Present", 7, grow=False, keep=3),
]


def clinic_cells(row: ClinicRow) -> list[Text]:
    return cells(
        [
            format_date(row.held_on),
            row.title,
            clinic_service.status_label(row.status),
            str(row.items),
            str(row.dropped) if row.dropped else "",
            str(row.open_actions) if row.open_actions else "",
            str(row.attendees),
        ],
        STATUS_STYLES.get(ClinicStatus(row.status), ""),
    )


def _page(
    session: Session, query: PageQuery, clock: Clock, counts: Counts | None
) -> Page[ClinicRow]:
    return clinic_service.clinic_page(session, query, clock)


def _counts(session: Session, clock: Clock, _query: PageQuery) -> Counts:
    """No queues: the status line says when the next clinic falls."""
    return {"next": clinic_service.next_clinic_date(session, clock)}


def _status(counts: Counts, _query: PageQuery, total: int) -> str:
    line = f"{total:,} clinics"
    if "next" in counts:
        line += f"   Next clinic on the cadence: {format_date(counts['next'])} (press n)"
    return line


SPEC = ListSpec(
    noun="clinics",
    where="Crime clinics",
    columns=COLUMNS,
    cells=clinic_cells,
    page=_page,
    counts=_counts,
    filter_hint="Filter: title, location, notes",
    empty="No clinics yet. Press n to draft the next one: its agenda is built from the tracker.",
    status=_status,
)


class ClinicsScreen(LogScreen):
    """Every clinic. n drafts the next one with its agenda; x writes the highlighted
    clinic's agenda and minutes."""

    SPEC = SPEC
    BINDINGS = keymap.bindings("new", "open")

    def open_row(self, row: Any) -> None:
        self.cipco.open_clinic(row.id)

    def action_new(self) -> None:
        clock = self.cipco.clock

        def create(session: Session) -> tuple[int, str]:
            clinic = clinic_service.create_clinic(session=session, clock=clock)
            assert clinic.id is not None
            return clinic.id, format_date(clinic.held_on)

        self.write(create, self._created)

    def _created(self, created: tuple[int, str]) -> None:
        clinic_id, day = created
        self.notify(f"Clinic of {day} drafted with its agenda", markup=False)
        self.records.reload(select=clinic_id)
        self.cipco.open_clinic(clinic_id)

    def action_export(self) -> None:
        from cipco.screens.clinic_meeting import export_clinic

        if row := self.current("clinic"):
            export_clinic(self, row.id)
