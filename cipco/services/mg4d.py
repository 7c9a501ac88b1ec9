"""The MG4D issue log: charge papers received, the queue to serve, and service events.

Service events are append-only. A correction is a new event pointing at the one it
corrects; the latest event is the one in force and its outcome is stored on the papers
(``state``, ``served_at``, ``response``) so the queue and sorting run in SQL.

Serving papers moves the linked referral to "charged" through the referral service
(walking through any intermediate statuses the workflow requires), so its rules and audit
apply.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, func, select
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from cipco.clock import LONDON, Clock, to_london, today
from cipco.models.mg4d import (
    RESPONSE_LABELS,
    SERVED_RESPONSES,
    STATE_LABELS,
    ChargePapers,
    PapersCreate,
    PapersState,
    Response,
    ServiceCreate,
    ServiceEvent,
)
from cipco.models.people import Prisoner
from cipco.models.referral import Referral, Status
from cipco.services import audit, referrals, settings
from cipco.services.flags import Severity
from cipco.services.paging import Page, PageQuery, count_of, text_filter

audit.track(ChargePapers)

QUEUES: dict[str, str] = {
    "awaiting": "Awaiting service",
    "hearing_soon": "Hearing soon",
    "served": "Served",
    "not_served": "Not served",
}

# The shortest walk to "charged" from each earlier status (each step via move_status).
PATH_TO_CHARGED: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (Status.REFERRED, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.CHARGED),
    Status.REFERRED: (Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.CHARGED),
    Status.ACKNOWLEDGED: (Status.INVESTIGATING, Status.CHARGED),
    Status.INVESTIGATING: (Status.CHARGED,),
    Status.WITH_CPS: (Status.CHARGED,),
    Status.NFA: (Status.INVESTIGATING, Status.CHARGED),
}


class Mg4dError(ValueError):
    """A change was refused; the message names the field and the problem."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


def state_for(response: str | None) -> PapersState:
    if response is None or response == Response.NOT_SERVED_OTHER:
        return PapersState.AWAITING
    if response in SERVED_RESPONSES:
        return PapersState.SERVED
    return PapersState.NOT_SERVED


def response_label(response: str | None) -> str:
    return RESPONSE_LABELS.get(response, response or "") if response else ""


def _load(session: Session, papers_id: int) -> ChargePapers:
    papers = session.get(ChargePapers, papers_id)
    if papers is None:
        raise Mg4dError(f"papers {papers_id} do not exist (they may have been deleted)")
    return papers


def _referral_for(session: Session, reference: str | None, prisoner_id: int) -> Referral | None:
    if not reference:
        return None
    referral = referrals.referral_by_reference(session, reference)
    if referral is None:
        raise Mg4dError(
            f"referral: '{reference}' is not a referral in the tracker", field="referral_reference"
        )
    if referral.prisoner_id != prisoner_id:
        other = session.get(Prisoner, referral.prisoner_id)
        raise Mg4dError(
            f"referral: {reference} is about {other.nomis_number if other else 'someone else'},"
            " not this prisoner",
            field="referral_reference",
        )
    return referral


# ---------------------------------------------------------------- writes


def receive_papers(session: Session, data: PapersCreate, clock: Clock) -> ChargePapers:
    """Log charge papers received at the prison."""
    if data.received_at > clock.now():
        raise Mg4dError("received: cannot be in the future", field="received_at")
    prisoner = referrals.upsert_prisoner(session, data.prisoner, clock)
    assert prisoner.id is not None
    referral = _referral_for(session, data.referral_reference, prisoner.id)
    now = clock.now()
    papers = ChargePapers(
        prisoner_id=prisoner.id,
        referral_id=referral.id if referral else None,
        crime_ref=data.crime_ref or (referral.crime_ref if referral else None),
        urn=data.urn,
        form_label=data.form_label,
        charges=data.charges,
        court=data.court,
        first_hearing_on=data.first_hearing_on,
        received_at=data.received_at,
        received_from=data.received_from,
        notes=data.notes,
        state=PapersState.AWAITING,
        created_at=now,
        updated_at=now,
    )
    session.add(papers)
    session.flush()
    return papers


def update_papers(
    session: Session,
    papers_id: int,
    data: PapersCreate,
    clock: Clock,
    expected_version: int | None = None,
) -> ChargePapers:
    """Correct the details of papers (not their service: that is an event)."""
    papers = _load(session, papers_id)
    if expected_version is not None and papers.version != expected_version:
        raise Mg4dError("these papers were changed by someone else — reload?")
    if data.received_at > clock.now():
        raise Mg4dError("received: cannot be in the future", field="received_at")
    prisoner = referrals.upsert_prisoner(session, data.prisoner, clock)
    assert prisoner.id is not None
    referral = _referral_for(session, data.referral_reference, prisoner.id)
    values: dict[str, Any] = {
        "prisoner_id": prisoner.id,
        "referral_id": referral.id if referral else None,
        "crime_ref": data.crime_ref or (referral.crime_ref if referral else None),
        "urn": data.urn,
        "form_label": data.form_label,
        "charges": data.charges,
        "court": data.court,
        "first_hearing_on": data.first_hearing_on,
        "received_at": data.received_at,
        "received_from": data.received_from,
        "notes": data.notes,
    }
    for key, value in values.items():
        if getattr(papers, key) != value:
            setattr(papers, key, value)
    if session.is_modified(papers):
        papers.updated_at = clock.now()
    try:
        session.flush()
    except StaleDataError:
        raise Mg4dError("these papers were changed by someone else — reload?") from None
    return papers


def _latest_event(session: Session, papers_id: int) -> ServiceEvent | None:
    return session.scalars(
        select(ServiceEvent)
        .where(ServiceEvent.papers_id == papers_id)
        .order_by(ServiceEvent.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()


def move_referral_to_charged(
    session: Session, referral_id: int, when: datetime, clock: Clock
) -> list[Status]:
    """Walk the referral to "charged" if it is earlier in the workflow. Returns the moves."""
    referral = referrals.get_referral(session, referral_id)
    path = PATH_TO_CHARGED.get(Status(referral.status), ())
    moved: list[Status] = []
    for step in path:
        referrals.move_status(
            session=session,
            referral_id=referral_id,
            to_status=step,
            clock=clock,
            reason="MG4D papers served" if step == Status.CHARGED else "Charge papers received",
            happened_at=min(when, clock.now()),
        )
        moved.append(step)
    return moved


@dataclass(frozen=True)
class ServiceResult:
    event: ServiceEvent
    papers: ChargePapers
    referral_moves: list[Status]


def record_service(
    session: Session, papers_id: int, data: ServiceCreate, clock: Clock
) -> ServiceResult:
    """Append a service event (or a correction). Serving moves the referral to charged."""
    papers = _load(session, papers_id)
    now = clock.now()
    if data.served_at > now:
        raise Mg4dError("served: cannot be in the future", field="served_at")
    if data.served_at < papers.received_at:
        raise Mg4dError(
            "served: before the papers were received "
            f"({to_london(papers.received_at):%d/%m/%Y %H:%M})",
            field="served_at",
        )
    if data.copy_returned_at and data.copy_returned_at > now:
        raise Mg4dError("copy returned: cannot be in the future", field="copy_returned_at")
    latest = _latest_event(session, papers_id)
    if data.corrects_event_id is not None:
        if latest is None or latest.id != data.corrects_event_id:
            raise Mg4dError(
                "correction: only the latest service event of these papers can be corrected",
                field="corrects_event_id",
            )
    elif latest is not None and latest.response in SERVED_RESPONSES:
        raise Mg4dError(
            "served: these papers were already served on "
            f"{to_london(latest.served_at):%d/%m/%Y %H:%M}; record a correction instead",
            field="served_at",
        )
    event = ServiceEvent(
        papers_id=papers_id,
        recorded_at=now,
        actor=audit.actor_of(session),
        **data.model_dump(),
    )
    event.response = Response(data.response).value
    session.add(event)
    session.flush()
    state = state_for(event.response)
    papers.state = state.value
    papers.response = event.response
    papers.served_at = event.served_at if state == PapersState.SERVED else None
    papers.updated_at = now
    moves: list[Status] = []
    if state == PapersState.SERVED and papers.referral_id is not None:
        moves = move_referral_to_charged(session, papers.referral_id, event.served_at, clock)
    session.flush()
    return ServiceResult(event=event, papers=papers, referral_moves=moves)


def record_copy_returned(
    session: Session, papers_id: int, clock: Clock, returned_at: datetime, how: str
) -> ServiceResult:
    """The signed copy went back to the police: a new event correcting the latest one."""
    latest = _latest_event(session, papers_id)
    if latest is None:
        raise Mg4dError(
            "copy returned: the papers have not been served yet", field="copy_returned_at"
        )
    data = ServiceCreate(
        served_at=latest.served_at,
        served_by=latest.served_by,
        witnessed_by=latest.witnessed_by,
        response=Response(latest.response),
        note=latest.note,
        copy_returned_at=returned_at,
        copy_returned_how=how,
        corrects_event_id=latest.id,
    )
    return record_service(session, papers_id, data, clock)


def delete_papers(session: Session, papers_id: int) -> None:
    """Remove papers logged in error; refused once a service event exists."""
    papers = _load(session, papers_id)
    if _latest_event(session, papers_id) is not None:
        raise Mg4dError("delete: papers with service events stay in the log")
    session.delete(papers)
    session.flush()


# ---------------------------------------------------------------- reads


@dataclass(frozen=True)
class PapersRow:
    id: int
    nomis_number: str
    prisoner_name: str
    referral_id: int | None
    referral_reference: str
    crime_ref: str
    urn: str
    form_label: str
    charges: str
    court: str
    first_hearing_on: date | None
    received_at: datetime
    received_from: str
    state: str
    response: str
    served_at: datetime | None
    hearing_soon: bool
    days_waiting: int
    version: int

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def response_label(self) -> str:
        return response_label(self.response)

    @property
    def severity(self) -> Severity:
        if self.state != PapersState.AWAITING:
            return Severity.DONE
        return Severity.OVERDUE if self.hearing_soon else Severity.PENDING


SORT_COLUMNS: dict[str, Any] = {
    "nomis_number": Prisoner.nomis_number,
    "prisoner_name": Prisoner.name,
    "crime_ref": ChargePapers.crime_ref,
    "court": ChargePapers.court,
    "first_hearing_on": ChargePapers.first_hearing_on,
    "received_at": ChargePapers.received_at,
    "state": ChargePapers.state,
    "served_at": ChargePapers.served_at,
}


def _warn_limit(session: Session, clock: Clock) -> date:
    return today(clock) + timedelta(days=settings.get_int(session, "mg4d_hearing_warn_days"))


def _filtered(session: Session, query: PageQuery, clock: Clock) -> Any:
    statement = (
        select(ChargePapers, Prisoner.nomis_number, Prisoner.name, Referral.reference)
        .join(Prisoner, Prisoner.id == ChargePapers.prisoner_id)
        .outerjoin(Referral, Referral.id == ChargePapers.referral_id)
    )
    clause = text_filter(
        [
            Prisoner.nomis_number,
            Prisoner.name,
            ChargePapers.crime_ref,
            ChargePapers.urn,
            ChargePapers.court,
            ChargePapers.charges,
            Referral.reference,
        ],
        query.text,
    )
    if clause is not None:
        statement = statement.where(clause)
    if query.queue:
        if query.queue == "awaiting":
            statement = statement.where(ChargePapers.state == PapersState.AWAITING.value)
        elif query.queue == "hearing_soon":
            statement = statement.where(
                ChargePapers.state == PapersState.AWAITING.value,
                ChargePapers.first_hearing_on.is_not(None),  # type: ignore[union-attr]
                ChargePapers.first_hearing_on <= _warn_limit(session, clock),  # type: ignore[operator]
            )
        elif query.queue in ("served", "not_served"):
            statement = statement.where(ChargePapers.state == query.queue)
        else:
            raise Mg4dError(f"unknown quick filter '{query.queue}'")
    extra = query.extra
    if extra.get("prisoner_id") is not None:
        statement = statement.where(ChargePapers.prisoner_id == extra["prisoner_id"])
    if extra.get("received_from_date") is not None:
        statement = statement.where(ChargePapers.received_at >= extra["received_from_date"])
    if extra.get("received_to_date") is not None:
        statement = statement.where(ChargePapers.received_at <= extra["received_to_date"])
    if extra.get("court"):
        statement = statement.where(ChargePapers.court.ilike(f"%{extra['court']}%"))  # type: ignore[attr-defined]
    return statement


def _row(
    papers: ChargePapers, nomis: str, name: str | None, reference: str | None, on: date, limit: date
) -> PapersRow:
    awaiting = papers.state == PapersState.AWAITING
    return PapersRow(
        id=papers.id,  # type: ignore[arg-type]
        nomis_number=nomis,
        prisoner_name=name or "",
        referral_id=papers.referral_id,
        referral_reference=reference or "",
        crime_ref=papers.crime_ref or "",
        urn=papers.urn or "",
        form_label=papers.form_label,
        charges=papers.charges,
        court=papers.court,
        first_hearing_on=papers.first_hearing_on,
        received_at=papers.received_at,
        received_from=papers.received_from,
        state=papers.state,
        response=papers.response or "",
        served_at=papers.served_at,
        hearing_soon=bool(
            awaiting and papers.first_hearing_on and papers.first_hearing_on <= limit
        ),
        days_waiting=(on - to_london(papers.received_at).date()).days if awaiting else 0,
        version=papers.version,
    )


def papers_page(session: Session, query: PageQuery, clock: Clock) -> Page[PapersRow]:
    """One page of the issue log. The queues sort oldest first, the whole log newest first."""
    statement = _filtered(session, query, clock)
    total = count_of(session, statement)
    column = SORT_COLUMNS.get(query.sort or "")
    if column is None:
        oldest_first = query.queue in ("awaiting", "hearing_soon")
        ordering = (
            ChargePapers.received_at.asc() if oldest_first else ChargePapers.received_at.desc()
        )  # type: ignore[attr-defined]
        ordering = ordering if not query.descending else ChargePapers.received_at.desc()  # type: ignore[attr-defined]
        statement = statement.order_by(ordering, ChargePapers.id)
    else:
        ordering = column.desc() if query.descending else column.asc()
        statement = statement.order_by(column.is_(None), ordering, ChargePapers.id)
    statement = statement.offset(query.offset).limit(query.limit)
    on = today(clock)
    limit = _warn_limit(session, clock)
    rows = [_row(p, n, name, ref, on, limit) for p, n, name, ref in session.execute(statement)]
    return Page(rows=rows, total=total, offset=query.offset)


def queue_counts(session: Session, clock: Clock) -> dict[str, int]:
    limit = _warn_limit(session, clock)
    count = func.count().filter
    row = session.execute(
        select(
            func.count(),
            count(ChargePapers.state == PapersState.AWAITING.value),
            count(
                and_(
                    ChargePapers.state == PapersState.AWAITING.value,
                    ChargePapers.first_hearing_on.is_not(None),  # type: ignore[union-attr]
                    ChargePapers.first_hearing_on <= limit,  # type: ignore[operator]
                )
            ),
            count(ChargePapers.state == PapersState.SERVED.value),
            count(ChargePapers.state == PapersState.NOT_SERVED.value),
        ).select_from(ChargePapers)
    ).one()
    return dict(zip(["all", *QUEUES], (int(v or 0) for v in row), strict=True))


def awaiting_service(session: Session, clock: Clock) -> list[PapersRow]:
    """Papers received and not yet served, oldest first (for the clinic agenda)."""
    page = papers_page(session, PageQuery(queue="awaiting", limit=10_000), clock)
    return page.rows


def iter_papers(session: Session, query: PageQuery, clock: Clock) -> Iterator[PapersRow]:
    """Every row matching the filters, in pages (for exports)."""
    offset = 0
    while True:
        page = papers_page(session, query.with_window(offset, 1000), clock)
        yield from page.rows
        offset += len(page.rows)
        if not page.rows or offset >= page.total:
            return


@dataclass(frozen=True)
class EventView:
    id: int
    served_at: datetime
    served_by: str
    witnessed_by: str
    response: str
    note: str
    copy_returned_at: datetime | None
    copy_returned_how: str
    corrects_event_id: int | None
    recorded_at: datetime
    actor: str
    superseded: bool

    @property
    def response_label(self) -> str:
        return response_label(self.response)


@dataclass(frozen=True)
class PapersDetail:
    row: PapersRow
    notes: str
    events: list[EventView]


def papers_detail(session: Session, papers_id: int, clock: Clock) -> PapersDetail:
    statement = _filtered(session, PageQuery(), clock).where(ChargePapers.id == papers_id)
    found = session.execute(statement).first()
    if found is None:
        raise Mg4dError(f"papers {papers_id} do not exist (they may have been deleted)")
    papers, nomis, name, ref = found
    row = _row(papers, nomis, name, ref, today(clock), _warn_limit(session, clock))
    return PapersDetail(
        row=row, notes=papers.notes, events=papers_detail_events(session, papers_id)
    )


def latest_event(session: Session, papers_id: int) -> EventView | None:
    detail_events = papers_detail_events(session, papers_id)
    return detail_events[-1] if detail_events else None


def papers_detail_events(session: Session, papers_id: int) -> list[EventView]:
    events = list(
        session.scalars(
            select(ServiceEvent)
            .where(ServiceEvent.papers_id == papers_id)
            .order_by(ServiceEvent.id)  # type: ignore[arg-type]
        )
    )
    latest_id = events[-1].id if events else None
    return [
        EventView(
            id=e.id,  # type: ignore[arg-type]
            served_at=e.served_at,
            served_by=e.served_by,
            witnessed_by=e.witnessed_by,
            response=e.response,
            note=e.note,
            copy_returned_at=e.copy_returned_at,
            copy_returned_how=e.copy_returned_how or "",
            corrects_event_id=e.corrects_event_id,
            recorded_at=e.recorded_at,
            actor=e.actor,
            superseded=e.id != latest_id,
        )
        for e in events
    ]


# ---------------------------------------------------------------- importing an issue log


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
        from pydantic import ValidationError

        from cipco.models.people import PrisonerIn

        text = {k: (v.strip() if isinstance(v, str) else v) for k, v in values.items()}
        for key in ("received_at", "served_at", "copy_returned_at"):
            value = text.get(key)
            if isinstance(value, datetime) and value.tzinfo is None:
                text[key] = value.replace(tzinfo=LONDON).astimezone(UTC)  # London wall time
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
            error = exc.errors()[0]
            loc = [str(p) for p in error["loc"]]
            field = loc[-1] if loc else ""
            field = {"name": "prisoner_name"}.get(field, field)
            message = str(error["msg"]).removeprefix("Value error, ")
            return ImportRowResult(row, "rejected", field, message)
        try:
            with self.session.begin_nested():
                action = self._apply(data, service)
        except Mg4dError as exc:
            return ImportRowResult(row, "rejected", exc.field or "", str(exc))
        except referrals.ReferralError as exc:
            return ImportRowResult(row, "rejected", exc.field or "", str(exc))
        return ImportRowResult(row, action, warnings=warnings)

    def _apply(self, data: PapersCreate, service: ServiceCreate | None) -> str:
        prisoner = referrals.prisoner_by_nomis(self.session, data.prisoner.nomis_number)
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
            latest = _latest_event(self.session, existing.id)
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
