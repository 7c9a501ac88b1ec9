"""Importing an old MG4D issue log: one row is papers, plus their service if recorded."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.dates import parse_datetime
from cipco.models.mg4d import ChargePapers, PapersCreate, Response, ServiceCreate
from cipco.models.people import PrisonerIn
from cipco.services.errors import RecordError, from_validation
from cipco.services.mg4d.writes import latest_event, receive_papers, record_service
from cipco.services.prisoners import prisoner_by_nomis

RESPONSE_WORDS: tuple[tuple[tuple[str, ...], Response], ...] = (
    (("refus", "declin", "would not sign", "not sign"), Response.REFUSED),
    (("released", "discharged"), Response.NOT_SERVED_RELEASED),
    (("transfer",), Response.NOT_SERVED_TRANSFERRED),
    (("not served", "unserved", "unable"), Response.NOT_SERVED_OTHER),
    (("signed", "yes", "served", "y", "accepted"), Response.SIGNED),
)


def parse_response(text: str) -> Response | None:
    """'Refused to sign' -> REFUSED, 'Signed' -> SIGNED, blank -> None."""
    cleaned = " ".join(str(text or "").lower().replace("_", " ").split())
    if not cleaned:
        return None
    for value in Response:
        if cleaned == value.value.replace("_", " "):
            return value
    for words, response in RESPONSE_WORDS:
        if any(cleaned == w or (len(w) > 2 and w in cleaned) for w in words):
            return response
    return Response.NOT_SERVED_OTHER


@dataclass
class ImportRowResult:
    row: int
    action: str  # imported | updated | unchanged | rejected
    field: str = ""
    reason: str = ""
    warnings: list[str] = dataclass_field(default_factory=list)


class Mg4dImport:
    """Row handler for the shared importer: one row = papers, plus service if recorded.

    Matched on prisoner + received time + charges, so re-importing the same log changes
    nothing; a row that now shows service adds the service event ("updated").
    """

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.columns: set[str] = set()

    def set_columns(self, fields: set[str]) -> None:
        self.columns = fields

    def add(self, row: int, values: dict[str, Any]) -> ImportRowResult:
        text = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
        for key in ("received_at", "served_at", "copy_returned_at"):
            value = text.get(key)
            if isinstance(value, datetime):  # a naive cell is London wall-clock time
                text[key] = parse_datetime(value)
        warnings: list[str] = []
        received = text.get("received_at") or None
        served_at = text.get("served_at") or None
        if received is None and served_at is not None:
            received = served_at
            warnings.append("no received date: the served date was used")
        if received is None:
            return ImportRowResult(row, "rejected", "received_at", "received date is missing")
        response = parse_response(str(text.get("response") or ""))
        if served_at is not None and response is None:
            response = Response.SIGNED
            warnings.append("served with no response recorded: taken as signed")
        try:
            data = PapersCreate(
                prisoner=PrisonerIn(
                    nomis_number=str(text.get("nomis_number") or ""),
                    name=str(text.get("prisoner_name") or ""),
                ),
                referral_reference=text.get("referral_reference") or None,
                crime_ref=text.get("crime_ref") or None,
                urn=text.get("urn") or None,
                form_label=text.get("form_label") or "MG4D",
                charges=text.get("charges") or "",
                court=text.get("court") or "",
                first_hearing_on=text.get("first_hearing_on") or None,
                received_at=received,
                received_from=text.get("received_from") or "",
                notes=text.get("notes") or "",
            )
            service = (
                ServiceCreate(
                    served_at=served_at,
                    served_by=text.get("served_by") or "unknown (imported)",
                    witnessed_by=text.get("witnessed_by") or "",
                    response=response,
                    note=text.get("note")
                    or ("imported" if response == Response.NOT_SERVED_OTHER else ""),
                    copy_returned_at=text.get("copy_returned_at") or None,
                    copy_returned_how=text.get("copy_returned_how") or None,
                )
                if served_at is not None and response is not None
                else None
            )
        except ValidationError as exc:
            problem = from_validation(exc)
            field = {"name": "prisoner_name"}.get(problem.field or "", problem.field or "")
            return ImportRowResult(row, "rejected", field, next(iter(problem.fields.values())))
        try:
            with self.session.begin_nested():
                action = self._apply(data, service)
        except RecordError as exc:
            return ImportRowResult(row, "rejected", exc.field or "", str(exc))
        return ImportRowResult(row, action, warnings=warnings)

    def _apply(self, data: PapersCreate, service: ServiceCreate | None) -> str:
        prisoner = prisoner_by_nomis(self.session, data.prisoner.nomis_number)
        existing = None
        if prisoner is not None:
            existing = self.session.scalars(
                select(ChargePapers).where(
                    ChargePapers.prisoner_id == prisoner.id,
                    ChargePapers.received_at == data.received_at,
                    ChargePapers.charges == data.charges,
                )
            ).first()
        action = "unchanged"
        if existing is None:
            existing = receive_papers(self.session, data, self.clock)
            action = "imported"
        assert existing.id is not None
        if service is not None:
            latest = latest_event(self.session, existing.id)
            same = latest is not None and (
                latest.served_at == service.served_at and latest.response == service.response
            )
            if not same:
                if latest is not None:
                    service = service.model_copy(update={"corrects_event_id": latest.id})
                record_service(self.session, existing.id, service, self.clock)
                action = "imported" if action == "imported" else "updated"
        return action

    def finish(self) -> None:
        self.session.flush()
