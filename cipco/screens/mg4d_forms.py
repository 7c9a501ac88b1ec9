"""The MG4D log's forms: charge papers received (or their details corrected), and service of
the papers (or a correction of the latest service event, added as a new event)."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.mg4d import RESPONSE_LABELS, PapersCreate, ServiceCreate
from cipco.models.people import PrisonerIn
from cipco.screens.record_form import FormSpec, Loaded, RecordForm, Saved
from cipco.services import mg4d
from cipco.services.mg4d import PapersRow
from cipco.widgets.fields import Field

PAPERS_FIELDS = [
    Field("nomis_number", "Prison number", required=True),
    Field("referral_reference", "Referral (tracker ref)"),
    Field("form_label", "Form"),
    Field("crime_ref", "Crime ref (blank: the referral's)"),
    Field("urn", "URN"),
    Field("charges", "Charges (wording)", "area", required=True),
    Field("court", "Court"),
    Field("first_hearing_on", "First hearing", "date"),
    Field("received_at", "Received", "datetime", required=True),
    Field("received_from", "Received from"),
    Field("notes", "Notes"),
]


def papers_subject(row: PapersRow) -> str:
    """Which papers a form is about: prisoner, referral and charges, so the right ones are
    served."""
    parts = [f"{row.nomis_number} {row.prisoner_name}".strip(), row.referral_reference, row.charges]
    return " · ".join(p for p in parts if p)


def papers_form(
    papers_id: int | None = None, *, nomis_number: str = "", referral: str = "", clock: Clock
) -> RecordForm:
    """New papers, or (``papers_id``) correct the details of papers already logged."""

    def load(session: Session, clock: Clock) -> Loaded:
        assert papers_id is not None
        detail = mg4d.papers_detail(session, papers_id, clock)
        row = detail.row
        values = {f.name: getattr(row, f.name, None) for f in PAPERS_FIELDS}
        values["notes"] = detail.notes
        return Loaded(values, version=row.version, title=f"Edit papers: {papers_subject(row)}")

    def save(session: Session, clock: Clock, values: dict[str, Any], version: int | None) -> Saved:
        nomis = values.pop("nomis_number")
        data = PapersCreate(prisoner=PrisonerIn(nomis_number=nomis), **values)
        if papers_id is None:
            papers = mg4d.receive_papers(session, data, clock)
        else:
            papers = mg4d.update_papers(session, papers_id, data, clock, expected_version=version)
        return Saved(papers.id, "Charge papers saved")

    return RecordForm(
        FormSpec(
            title="Charge papers received" if papers_id is None else "Edit charge papers",
            fields=PAPERS_FIELDS,
            values={
                "nomis_number": nomis_number,
                "referral_reference": referral,
                "form_label": "MG4D",
                "received_at": clock.now(),
            },
            load=load if papers_id is not None else None,
            save=save,
        )
    )


SERVICE_FIELDS = [
    Field("served_at", "Served (or tried)", "datetime", required=True),
    Field("served_by", "Served by", required=True),
    Field("witnessed_by", "Witnessed by"),
    Field(
        "response",
        "Prisoner's response",
        "select",
        required=True,
        options=[(label, key) for key, label in RESPONSE_LABELS.items()],
    ),
    Field("note", "Note"),
    Field("copy_returned_at", "Copy returned to police", "datetime"),
    Field("copy_returned_how", "Returned how"),
]


def service_form(papers_id: int, *, correcting: bool = False) -> RecordForm:
    """Serve the papers, or (``correcting``) correct the latest service event."""

    def load(session: Session, clock: Clock) -> Loaded:
        detail = mg4d.papers_detail(session, papers_id, clock)
        subject = papers_subject(detail.row)
        if correcting and detail.events:
            latest = detail.events[-1]
            values = {f.name: getattr(latest, f.name, None) for f in SERVICE_FIELDS}
            return Loaded(values, title=f"Correct service event: {subject}")
        return Loaded({"served_at": clock.now()}, title=f"Serve papers: {subject}")

    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        latest = mg4d.latest_event(session, papers_id) if correcting else None
        data = ServiceCreate(**values, corrects_event_id=latest.id if latest else None)
        result = mg4d.record_service(session, papers_id, data, clock)
        moves = [m.value for m in result.referral_moves]
        message = f"Referral moved to {moves[-1]}" if moves else "Service recorded"
        return Saved(papers_id, message)

    note = (
        "Corrections are added as new events; the original stays in the log."
        if correcting
        else "Served papers move the linked referral to Charged."
    )
    title = "Correct service event" if correcting else "Serve papers"
    return RecordForm(FormSpec(title=title, fields=SERVICE_FIELDS, load=load, save=save, note=note))
