"""The exhibit continuity log: seizure, hand-overs, seals, corrections and disposal.

Rules (DOMAIN.md §3):
- only the current holder can hand an exhibit over; anyone else is refused;
- a seal number on receipt that differs from the recorded seal, or a broken seal, records a
  discrepancy on the event; it stays visible (corrections never clear it);
- a mistake is fixed by a correction event pointing at the original; nothing is edited;
- dissemination needs the receiving officer's name, collar number, force and time;
- destruction needs an authority and a witness who is not in the chain, and is refused
  while a linked referral is open or a hold is set;
- held exhibits have a review date (settings), CCTV/BWV not yet exported an overwrite date.

This module holds the rules' shared parts and the register's queries; the writes (every one
an event in the chain) are in :mod:`cipco.services.exhibit_writes` and one exhibit's
continuity record in :mod:`cipco.services.exhibit_record`. Both are reachable from here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from sqlalchemy import and_, func, select
from sqlalchemy.orm import aliased
from sqlmodel import Session

from cipco.clock import Clock, to_london, today
from cipco.models.exhibit import (
    FINAL_STATES,
    STATE_LABELS,
    EventKind,
    Exhibit,
    ExhibitEvent,
    ExhibitReferral,
    ExhibitState,
    normalise_reference,
)
from cipco.models.referral import Referral
from cipco.models.vocab import FOOTAGE_TYPES, TYPE_LABELS
from cipco.services import audit
from cipco.services.chain import event_row
from cipco.services.errors import RecordError
from cipco.services.flags import CLOSED_STATUSES
from cipco.services.logspec import row_from
from cipco.services.paging import Page, PageQuery, count_of

audit.track(Exhibit)

QUEUES: dict[str, str] = {
    "held": "Held by us",
    "police": "With police",
    "awaiting": "Awaiting collection",
    "retention": "Retention due",
    "discrepancies": "Discrepancies",
}
REASON_LABELS = {
    "storage": "Storage",
    "examination": "Examination",
    "police_collection": "Police collection",
    "court": "Court",
    "return": "Return",
    "other": "Other",
}
KIND_LABELS = {
    EventKind.SEIZURE: "Seized",
    EventKind.MOVEMENT: "Moved",
    EventKind.CORRECTION: "Correction",
    EventKind.DISSEMINATION: "Disseminated",
    EventKind.RETURN: "Returned",
    EventKind.DESTRUCTION: "Destroyed",
    EventKind.HOLD: "Hold",
    EventKind.LINK: "Referral linked",
    EventKind.UPGRADE: "Record upgraded",
}
BACKDATED_AFTER = timedelta(hours=1)
FUTURE_TOLERANCE = timedelta(minutes=5)


class ExhibitError(RecordError):
    """A change was refused; the message names the field and the problem."""


def validation_message(exc: ValidationError) -> str:
    """Pydantic's errors as one line: 'field: problem; field: problem'."""
    parts = []
    for error in exc.errors():
        loc = ".".join(str(p) for p in error.get("loc", ()) if p != "__root__")
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        parts.append(f"{loc}: {message}" if loc and not message.startswith(loc) else message)
    return "; ".join(parts)


def type_label(value: str) -> str:
    return TYPE_LABELS.get(value, value)


def state_label(value: str) -> str:
    return STATE_LABELS.get(value, value)


# ---------------------------------------------------------------- helpers


def event_rows(events: list[ExhibitEvent]) -> list[list[Any]]:
    """Events as rows in ``chain.ROW_FIELDS`` order, for :func:`chain.derive`."""
    return [event_row(event.model_dump()) for event in events]


def _events(session: Session, exhibit_id: int) -> list[ExhibitEvent]:
    return list(
        session.scalars(
            select(ExhibitEvent)
            .where(ExhibitEvent.exhibit_id == exhibit_id)
            .order_by(ExhibitEvent.seq)  # type: ignore[arg-type]
        )
    )


def get_exhibit(session: Session, exhibit_id: int) -> Exhibit:
    exhibit = session.get(Exhibit, exhibit_id)
    if exhibit is None:
        raise ExhibitError(f"exhibit {exhibit_id} does not exist", field="exhibit")
    return exhibit


def exhibit_by_reference(session: Session, reference: str) -> Exhibit | None:
    ref = normalise_reference(reference)
    return session.scalars(select(Exhibit).where(Exhibit.reference == ref)).first()


def next_reference(session: Session, initials: str) -> str:
    """The next free ``INITIALS/N``."""
    prefix = normalise_reference(initials).strip("/") + "/"
    refs = session.scalars(
        select(Exhibit.reference).where(Exhibit.reference.startswith(prefix))  # type: ignore[attr-defined]
    )
    numbers = [int(r.split("/")[1]) for r in refs if r.split("/")[1].isdigit()]
    return f"{prefix}{max(numbers, default=0) + 1}"


def review_due_on(
    exhibit_type: str,
    state: str,
    last_movement_at: datetime,
    clip_start: datetime | None,
    export_medium: str | None,
    review_days: int,
    overwrite_days: int,
) -> date | None:
    """When a held exhibit is next reviewed; footage not yet exported by its overwrite date."""
    if state in FINAL_STATES:
        return None
    due = to_london(last_movement_at).date() + timedelta(days=review_days)
    if exhibit_type in FOOTAGE_TYPES and not export_medium and clip_start is not None:
        due = min(due, to_london(clip_start).date() + timedelta(days=overwrite_days))
    return due


def open_referrals(session: Session, exhibit_id: int) -> list[str]:
    closed = [s.value for s in CLOSED_STATUSES]
    return list(
        session.scalars(
            select(Referral.reference)
            .join(ExhibitReferral, ExhibitReferral.referral_id == Referral.id)
            .where(ExhibitReferral.exhibit_id == exhibit_id, Referral.status.not_in(closed))  # type: ignore[attr-defined]
            .order_by(Referral.reference)
        )
    )


# ---------------------------------------------------------------- reads


@dataclass(frozen=True)
class ExhibitLine:
    """What every exhibit line shows (a register row, an agenda or flag entry)."""

    id: int
    reference: str
    exhibit_type: str
    description: str
    referrals: str
    holder: str


@dataclass(frozen=True)
class ExhibitRow(ExhibitLine):
    location: str
    seal_number: str
    state: str
    days_since_movement: int
    review_due_on: date | None
    retention_due: bool
    discrepancies: int
    hold: bool
    awaiting_collection: bool


FIRST_REFERRAL = (  # the Referral(s) column sorts by its first reference
    select(func.min(Referral.reference))
    .join(ExhibitReferral, ExhibitReferral.referral_id == Referral.id)
    .where(ExhibitReferral.exhibit_id == Exhibit.id)
    .scalar_subquery()
)
SORT_COLUMNS: dict[str, Any] = {
    "reference": Exhibit.reference,
    "type": Exhibit.exhibit_type,
    "description": Exhibit.description,
    "referrals": FIRST_REFERRAL,
    "holder": Exhibit.holder,
    "location": Exhibit.storage_location,
    "seal": Exhibit.seal_number,
    "state": Exhibit.state,
    "last_movement": Exhibit.last_movement_at,
    "review": Exhibit.review_due_on,
}


def _queue_clause(queue: str, clock: Clock, model: Any = Exhibit) -> Any:
    """One quick filter's condition, over the table or a subquery alias of it."""
    if queue == "held":
        return model.state == ExhibitState.HELD.value
    if queue == "police":
        return model.state.in_(  # type: ignore[attr-defined]
            [ExhibitState.WITH_POLICE.value, ExhibitState.DISSEMINATED.value]
        )
    if queue == "awaiting":
        return and_(
            model.collection_requested_on.is_not(None),  # type: ignore[union-attr]
            model.state == ExhibitState.HELD.value,
        )
    if queue == "retention":
        return and_(
            model.review_due_on.is_not(None),  # type: ignore[union-attr]
            model.review_due_on <= today(clock),  # type: ignore[operator]
        )
    if queue == "discrepancies":
        return model.discrepancy_count > 0
    raise ExhibitError(f"filter: unknown filter '{queue}' (use {', '.join(QUEUES)})", field="queue")


def _filtered(session: Session, query: PageQuery, clock: Clock) -> Any:
    from cipco.services import search

    statement = select(Exhibit)
    clause = search.clause(session, "exhibits", Exhibit.id, query.text)
    if clause is not None:
        statement = statement.where(clause)
    if query.queue:
        statement = statement.where(_queue_clause(query.queue, clock))
    for key, value in query.extra.items():
        if key == "type" and value:
            statement = statement.where(Exhibit.exhibit_type == value)
        elif key == "state" and value:
            statement = statement.where(Exhibit.state == value)
        elif key == "referral_id" and value:
            statement = statement.where(
                Exhibit.id.in_(  # type: ignore[union-attr]
                    select(ExhibitReferral.exhibit_id).where(ExhibitReferral.referral_id == value)
                )
            )
    return statement


def _referral_refs(session: Session, exhibit_ids: list[int]) -> dict[int, list[str]]:
    refs: dict[int, list[str]] = {}
    for start in range(0, len(exhibit_ids), 500):
        chunk = exhibit_ids[start : start + 500]
        for exhibit_id, reference in session.execute(
            select(ExhibitReferral.exhibit_id, Referral.reference)
            .join(Referral, Referral.id == ExhibitReferral.referral_id)
            .where(ExhibitReferral.exhibit_id.in_(chunk))  # type: ignore[attr-defined]
            .order_by(Referral.reference)
        ):
            refs.setdefault(exhibit_id, []).append(reference)
    return refs


def _rows(session: Session, exhibits: list[Exhibit], clock: Clock) -> list[ExhibitRow]:
    refs = _referral_refs(session, [e.id for e in exhibits if e.id is not None])
    now = clock.now()
    day = today(clock)
    return [
        ExhibitRow(
            id=e.id or 0,
            reference=e.reference,
            exhibit_type=e.exhibit_type,
            description=e.description,
            referrals=", ".join(refs.get(e.id or 0, [])),
            holder=e.holder,
            location=e.storage_location or "",
            seal_number=e.seal_number or "",
            state=e.state,
            days_since_movement=max((now - e.last_movement_at).days, 0),
            review_due_on=e.review_due_on,
            retention_due=bool(e.review_due_on and e.review_due_on <= day),
            discrepancies=e.discrepancy_count,
            hold=e.hold,
            awaiting_collection=bool(e.collection_requested_on and e.state == ExhibitState.HELD),
        )
        for e in exhibits
    ]


def exhibit_page(session: Session, query: PageQuery, clock: Clock) -> Page[ExhibitRow]:
    """One page of the exhibits register, filtered, sorted and counted in SQL."""
    statement = _filtered(session, query, clock)
    total = count_of(session, statement)
    column = SORT_COLUMNS.get(query.sort or "", Exhibit.last_movement_at)
    descending = query.descending or query.sort is None
    ordering = column.desc() if descending else column.asc()
    statement = statement.order_by(ordering, Exhibit.id.desc())  # type: ignore[union-attr]
    statement = statement.offset(query.offset).limit(query.limit)
    exhibits = list(session.scalars(statement))
    return Page(rows=_rows(session, exhibits, clock), total=total, offset=query.offset)


def queue_counts(session: Session, clock: Clock, text: str = "") -> dict[str, int]:
    """How many exhibits each quick filter holds, in one scan (free-text filter applied)."""
    base = _filtered(session, PageQuery(text=text), clock).subquery()
    alias = aliased(Exhibit, base)
    counted = func.count().filter
    queues = list(QUEUES)
    clauses = [_queue_clause(queue, clock, alias) for queue in queues]
    row = session.execute(select(func.count(), *(counted(c) for c in clauses))).one()
    return {key: int(value or 0) for key, value in zip(["all", *queues], row, strict=True)}


@dataclass(frozen=True)
class ExhibitDue(ExhibitLine):
    """An exhibit for the clinic agenda or the flags."""

    due_on: date | None
    label: str


def awaiting_collection(session: Session, clock: Clock) -> list[ExhibitDue]:
    """Exhibits held by us and waiting for police collection, oldest request first."""
    return _due(
        session, clock, "awaiting", "collection_requested_on", "Awaiting police collection since"
    )


def retention_due(session: Session, clock: Clock) -> list[ExhibitDue]:
    """Exhibits whose review or footage-overwrite date has come, earliest first."""
    return _due(session, clock, "retention", "review_due_on", "Retention review due")


def _due(session: Session, clock: Clock, queue: str, due: str, label: str) -> list[ExhibitDue]:
    """The exhibits in ``queue`` by their ``due`` date (then reference), each labelled
    ``label`` and that date."""
    exhibits = list(
        session.scalars(
            select(Exhibit)
            .where(_queue_clause(queue, clock))
            .order_by(getattr(Exhibit, due), Exhibit.reference)
        )
    )
    refs = _referral_refs(session, [e.id for e in exhibits if e.id is not None])
    return [
        row_from(
            ExhibitDue,
            e,
            id=e.id or 0,
            referrals=", ".join(refs.get(e.id or 0, [])),
            due_on=getattr(e, due),
            label=f"{label} {getattr(e, due):%d/%m/%Y}",
        )
        for e in exhibits
    ]


queue_clause = _queue_clause  # public name: other logs (clinic agenda) reuse the same rules

# The writes live in cipco.services.exhibit_writes and one exhibit's continuity record in
# cipco.services.exhibit_record; both are reachable from here (loaded when first asked for).
_ELSEWHERE = {
    "create_exhibit": "exhibit_writes",
    "record_event": "exhibit_writes",
    "correct_event": "exhibit_writes",
    "set_hold": "exhibit_writes",
    "request_collection": "exhibit_writes",
    "link_referral": "exhibit_writes",
    "TimelineEntry": "exhibit_record",
    "ExhibitDetail": "exhibit_record",
    "exhibit_detail": "exhibit_record",
}


def __getattr__(name: str) -> Any:
    module = _ELSEWHERE.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    return getattr(import_module(f"cipco.services.{module}"), name)


if TYPE_CHECKING:
    from cipco.services.exhibit_record import (  # noqa: F401
        ExhibitDetail,
        TimelineEntry,
        exhibit_detail,
    )
    from cipco.services.exhibit_writes import (  # noqa: F401
        correct_event,
        create_exhibit,
        link_referral,
        record_event,
        request_collection,
        set_hold,
    )
