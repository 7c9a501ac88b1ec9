"""The crime clinics list: every clinic, newest first; n drafts the next one on the cadence."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from cipco.clock import Clock, format_date
from cipco.models.clinic import ClinicStatus
from cipco.screens.log_screen import Counts, ListView, LogScreen
from cipco.services import clinic as clinic_service
from cipco.services.paging import PageQuery

STATUS_STYLES = {
    ClinicStatus.DRAFT: "italic",
    ClinicStatus.OPEN: "",
    ClinicStatus.IN_PROGRESS: "bold green",
    ClinicStatus.CLOSED: "dim",
}


def _facts(session: Session, clock: Clock) -> Counts:
    """The status line says when the next clinic falls."""
    return {"next": clinic_service.next_clinic_date(session, clock)}


def _status(counts: Counts, _query: PageQuery, total: int) -> str:
    line = f"{total:,} clinics"
    if "next" in counts:
        line += f"   Next clinic on the cadence: {format_date(counts['next'])} (press n)"
    return line


VIEW = ListView(
    "clinics",
    keep={"held_on": 1, "title": 1, "status": 1, "items": 2, "open_actions": 2, "attendees": 3},
    style=lambda row: STATUS_STYLES.get(ClinicStatus(row.status), ""),
    empty="No clinics yet. Press n to draft the next one: its agenda is built from the tracker.",
    status=_status,
    facts=_facts,
)


class ClinicsScreen(LogScreen):
    """Every clinic. n drafts the next one with its agenda; x writes the highlighted
    clinic's agenda and minutes."""

    VIEW = VIEW

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
