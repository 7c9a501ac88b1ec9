"""Importing an old MG4D issue log: one row is papers, plus their service if recorded.

How a row is read:

- the received date (``Rec'd``) is required; a row with only a served date uses it, with a
  warning;
- a response or "Signed?" column is read in context: ``Y`` / ``Signed`` is signed,
  ``Refused`` refused to sign, and ``N`` on papers with a served date **served, not signed**
  (on papers with no served date, ``N`` means not served yet: they wait in the queue);
  released / transferred / not served are the not-served responses; words cipco does not
  know on served papers are "served, not signed" with the words in the service note;
- a "Served?" yes/no column must agree with the served date;
- a not-served response with no date stays in the papers' notes (with a warning): cipco
  records a service attempt only with its date.

Papers are matched on prisoner + received time + charges, so importing the same log again
changes nothing; a row that now shows service adds the service event ("updated").

New papers and their service are written in batches (bulk inserts, with their audit rows)
after the same checks the service makes (:func:`writes.check_papers`,
:func:`writes.check_service`); papers already in the file, and papers linked to a referral
(serving them moves the referral to charged), go through the service one by one.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import LONDON, Clock
from cipco.db import insert_many
from cipco.models.mg4d import (
    RESPONSE_LABELS,
    SERVED_RESPONSES,
    ChargePapers,
    PapersCreate,
    Response,
    ServiceCreate,
    ServiceEvent,
)
from cipco.models.people import Prisoner, PrisonerIn
from cipco.services import audit
from cipco.services.errors import RecordError, from_validation
from cipco.services.id_blocks import IdBlock
from cipco.services.mg4d.writes import (
    check_papers,
    check_service,
    latest_event,
    receive_papers,
    record_service,
    state_for,
)
from cipco.services.prisoners import upsert_prisoner
from cipco.services.row_import import answer, merge_original

RESPONSE_WORDS: tuple[tuple[tuple[str, ...], Response], ...] = (
    (("refus", "declin", "would not sign"), Response.REFUSED),
    (("released", "discharged"), Response.NOT_SERVED_RELEASED),
    (("transfer",), Response.NOT_SERVED_TRANSFERRED),
    (("not served", "unserved", "unable"), Response.NOT_SERVED_OTHER),
    (("not sign", "unsigned", "no signature"), Response.SERVED_NOT_SIGNED),
    (("signed", "served", "accepted"), Response.SIGNED),
)
NOT_SERVED = frozenset(
    {Response.NOT_SERVED_RELEASED, Response.NOT_SERVED_TRANSFERRED, Response.NOT_SERVED_OTHER}
)
UNKNOWN_SERVER = "unknown (imported)"


def parse_response(text: str, served: bool = True) -> Response | None:
    """A response or "Signed?" cell read in context; None when it records no service.

    ``served`` says whether the row has a served date: there ``N`` is "served, not signed";
    without one, ``N`` means the papers were not served yet (None). Unknown words on served
    papers are "served, not signed".
    """
    cleaned = " ".join(str(text or "").lower().replace("_", " ").split())
    if not cleaned:
        return None
    for value in Response:
        if cleaned == value.value.replace("_", " ") or cleaned == RESPONSE_LABELS[value].lower():
            return value
    said = answer(cleaned)
    if said == "yes":
        return Response.SIGNED
    if said == "refused":
        return Response.REFUSED
    if said == "no":
        return Response.SERVED_NOT_SIGNED if served else None
    for words, response in RESPONSE_WORDS:
        if any(w in cleaned for w in words):
            return response
    return Response.SERVED_NOT_SIGNED if served else Response.NOT_SERVED_OTHER


@dataclass
class ImportRowResult:
    row: int
    action: str  # imported | updated | unchanged | rejected
    field: str = ""
    reason: str = ""
    warnings: list[str] = dataclass_field(default_factory=list)


class _Rejected(Exception):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


def _text(values: dict[str, Any], name: str) -> str:
    value = values.get(name)
    return value.strip() if isinstance(value, str) else ("" if value is None else str(value))


def _instant(value: Any) -> datetime | None:
    """A cell's naive London wall-clock time (as the pipeline gives it) as UTC."""
    if not isinstance(value, datetime):
        return None
    return (value if value.tzinfo else value.replace(tzinfo=LONDON)).astimezone(UTC)


def _original(values: dict[str, Any]) -> list[list[str]] | None:
    kept = values.get("original_columns")
    return [list(pair) for pair in kept] if kept else None


Key = tuple[str, datetime, str]


class Mg4dImport:
    """Row handler for the import pipeline: one row = papers, plus service if recorded."""

    BATCH = 2000

    def __init__(self, session: Session, clock: Clock, source: str = "import") -> None:
        self.session = session
        self.clock = clock
        self.source = source
        self.now = clock.now()
        self.columns: set[str] = set()
        self.prisoners: dict[str, tuple[int, str]] = {
            nomis: (pid, name or "")
            for pid, nomis, name in session.execute(
                select(Prisoner.id, Prisoner.nomis_number, Prisoner.name)
            )
        }
        self.known: dict[Key, int] = {}
        by_id = {pid: nomis for nomis, (pid, _name) in self.prisoners.items()}
        for papers_id, prisoner_id, received_at, charges in session.execute(
            select(
                ChargePapers.id,
                ChargePapers.prisoner_id,
                ChargePapers.received_at,
                ChargePapers.charges,
            )
        ):
            self.known[(by_id.get(prisoner_id, ""), received_at, charges)] = papers_id
        # the tables' own ids (on PostgreSQL no other site's login is given them)
        self.ids = {
            model: IdBlock(session, model, self.BATCH)
            for model in (Prisoner, ChargePapers, ServiceEvent)
        }
        self.pending_prisoners: list[dict[str, Any]] = []
        self.pending_papers: list[dict[str, Any]] = []
        self.pending_events: list[dict[str, Any]] = []
        self.pending_keys: set[Key] = set()
        self.actor = audit.actor_of(session)

    def set_columns(self, fields: set[str]) -> None:
        self.columns = fields

    # ------------------------------------------------------------------ reading a row

    def _read(
        self, values: dict[str, Any], warnings: list[str]
    ) -> tuple[PapersCreate, ServiceCreate | None]:
        received = _instant(values.get("received_at"))
        served_at = _instant(values.get("served_at"))
        copy_returned = _instant(values.get("copy_returned_at"))
        served_said = answer(_text(values, "served"))
        if served_said == "yes" and served_at is None:
            raise _Rejected("served", "says the papers were served but the served date is empty")
        if served_said == "no" and served_at is not None:
            raise _Rejected("served", "says the papers were not served but gives a served date")
        if received is None and served_at is not None:
            received = served_at
            warnings.append("no received date: the served date was used")
        if received is None:
            raise _Rejected("received_at", "received date is missing")
        said = _text(values, "response")
        response = parse_response(said, served=served_at is not None)
        notes = _text(values, "notes")
        service_note = _text(values, "note")
        if served_at is not None and response is None:
            response = Response.SERVED_NOT_SIGNED
            warnings.append("served with no response recorded: taken as served, not signed")
        elif (
            served_at is not None
            and response == Response.SERVED_NOT_SIGNED
            and answer(said) is None
            and "sign" not in said.lower()
        ):
            warnings.append(f"response '{said}' read as served, not signed")
            service_note = "; ".join(p for p in (service_note, f"Response: {said}") if p)
        if served_at is None and response is not None:
            if response in SERVED_RESPONSES:
                raise _Rejected(
                    "response",
                    f"says '{said}' but the served date is empty: when were they served?",
                )
            words = f"Imported response (no date): {said}"
            notes = f"{notes}\n{words}" if notes else words
            warnings.append(f"'{said}' has no date: kept in the notes, not recorded as service")
            response = None
        try:
            data = PapersCreate(
                prisoner=PrisonerIn(
                    nomis_number=_text(values, "nomis_number"),
                    name=_text(values, "prisoner_name"),
                ),
                referral_reference=_text(values, "referral_reference") or None,
                crime_ref=_text(values, "crime_ref") or None,
                urn=_text(values, "urn") or None,
                form_label=_text(values, "form_label") or "MG4D",
                charges=_text(values, "charges"),
                court=_text(values, "court"),
                first_hearing_on=values.get("first_hearing_on") or None,
                received_at=received,
                received_from=_text(values, "received_from"),
                notes=notes,
            )
            service = None
            if served_at is not None and response is not None:
                service = ServiceCreate(
                    served_at=served_at,
                    served_by=_text(values, "served_by") or UNKNOWN_SERVER,
                    witnessed_by=_text(values, "witnessed_by"),
                    response=response,
                    note=service_note
                    or ("imported" if response == Response.NOT_SERVED_OTHER else ""),
                    copy_returned_at=copy_returned,
                    copy_returned_how=_text(values, "copy_returned_how") or None,
                )
        except ValidationError as exc:
            problem = from_validation(exc)
            field = {"name": "prisoner_name"}.get(problem.field or "", problem.field or "")
            raise _Rejected(field, next(iter(problem.fields.values()))) from None
        return data, service

    def add(self, row: int, values: dict[str, Any]) -> ImportRowResult:
        warnings: list[str] = []
        try:
            data, service = self._read(values, warnings)
            check_papers(data, self.clock)
            if service is not None:
                check_service(service, data.received_at, self.clock)
        except _Rejected as exc:
            return ImportRowResult(row, "rejected", exc.field, exc.reason)
        except RecordError as exc:
            return ImportRowResult(row, "rejected", exc.field or "", str(exc))
        original = _original(values)
        key: Key = (data.prisoner.nomis_number, data.received_at, data.charges)
        fast = (
            key not in self.known
            and key not in self.pending_keys
            and data.referral_reference is None
            and self._same_name(data.prisoner)
        )
        if fast:
            self._queue(key, data, service, original)
            return ImportRowResult(row, "imported", warnings=warnings)
        self.flush()
        try:
            with self.session.begin_nested():
                action = self._apply(key, data, service, original)
        except RecordError as exc:
            return ImportRowResult(row, "rejected", exc.field or "", str(exc))
        return ImportRowResult(row, action, warnings=warnings)

    # ------------------------------------------------------------------ writing

    def _same_name(self, prisoner: PrisonerIn) -> bool:
        """True when the prisoner is new or already has this name (nothing to update)."""
        known = self.prisoners.get(prisoner.nomis_number)
        return known is None or not prisoner.name or known[1] == prisoner.name

    def _take_id(self, model: Any) -> int:
        return self.ids[model].take()

    def _queue(
        self,
        key: Key,
        data: PapersCreate,
        service: ServiceCreate | None,
        original: list[list[str]] | None,
    ) -> None:
        nomis = data.prisoner.nomis_number
        if nomis not in self.prisoners:
            prisoner_id = self._take_id(Prisoner)
            self.prisoners[nomis] = (prisoner_id, data.prisoner.name)
            self.pending_prisoners.append(
                {
                    "id": prisoner_id,
                    "nomis_number": nomis,
                    "name": data.prisoner.name,
                    "pnc": None,
                    "date_of_birth": None,
                    "location": None,
                    "created_at": self.now,
                }
            )
        papers_id = self._take_id(ChargePapers)
        state = state_for(service.response if service else None)
        served = service is not None and service.response in SERVED_RESPONSES
        self.pending_papers.append(
            {
                "id": papers_id,
                "prisoner_id": self.prisoners[nomis][0],
                "referral_id": None,
                "crime_ref": data.crime_ref,
                "urn": data.urn,
                "form_label": data.form_label,
                "charges": data.charges,
                "court": data.court,
                "first_hearing_on": data.first_hearing_on,
                "received_at": data.received_at,
                "received_from": data.received_from,
                "notes": data.notes,
                "state": state.value,
                "served_at": service.served_at if served and service else None,
                "response": service.response.value if service else None,
                "original_columns": original,
                "created_at": self.now,
                "updated_at": self.now,
                "version": 1,
            }
        )
        if service is not None:
            self.pending_events.append(
                {
                    "id": self._take_id(ServiceEvent),
                    "papers_id": papers_id,
                    "served_at": service.served_at,
                    "served_by": service.served_by,
                    "witnessed_by": service.witnessed_by,
                    "response": service.response.value,
                    "note": service.note,
                    "copy_returned_at": service.copy_returned_at,
                    "copy_returned_how": service.copy_returned_how,
                    "corrects_event_id": None,
                    "recorded_at": self.now,
                    "actor": self.actor,
                }
            )
        self.pending_keys.add(key)
        if len(self.pending_papers) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the batched new papers, prisoners and service events."""
        if not self.pending_papers:
            return
        connection = self.session.connection()
        if self.pending_prisoners:
            insert_many(connection, Prisoner.__table__, self.pending_prisoners)  # type: ignore[attr-defined]
            audit.bulk_inserted(
                self.session, "prisoner", [r["id"] for r in self.pending_prisoners], self.now
            )
        insert_many(connection, ChargePapers.__table__, self.pending_papers)  # type: ignore[attr-defined]
        audit.bulk_inserted(
            self.session, "charge_papers", [r["id"] for r in self.pending_papers], self.now
        )
        insert_many(connection, ServiceEvent.__table__, self.pending_events)  # type: ignore[attr-defined]
        for key in self.pending_keys:
            self.known[key] = -1  # in the file now: found by the query when needed
        self.pending_prisoners.clear()
        self.pending_papers.clear()
        self.pending_events.clear()
        self.pending_keys.clear()
        for ids in self.ids.values():  # a row the services record may come next
            ids.release()

    def _apply(
        self,
        key: Key,
        data: PapersCreate,
        service: ServiceCreate | None,
        original: list[list[str]] | None,
    ) -> str:
        prisoner = upsert_prisoner(self.session, data.prisoner, self.clock)
        self.prisoners[data.prisoner.nomis_number] = (prisoner.id or 0, prisoner.name or "")
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
            existing.original_columns = original
            action = "imported"
        elif original and merge_original(existing.original_columns, original) != (
            existing.original_columns or []
        ):
            existing.original_columns = merge_original(existing.original_columns, original)
            action = "updated"
        assert existing.id is not None
        self.known[key] = existing.id
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
        self.flush()
        self.session.flush()
