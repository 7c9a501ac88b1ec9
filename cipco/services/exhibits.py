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
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import and_, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from cipco.clock import Clock, to_london, today
from cipco.models.exhibit import (
    FINAL_STATES,
    FOOTAGE_TYPES,
    STATE_LABELS,
    TYPE_LABELS,
    CorrectionIn,
    EventIn,
    EventKind,
    Exhibit,
    ExhibitCreate,
    ExhibitEvent,
    ExhibitReferral,
    ExhibitState,
    HolderKind,
    normalise_reference,
    parent_reference,
)
from cipco.models.people import Prisoner, PrisonerIn
from cipco.models.referral import Referral
from cipco.services import audit, settings
from cipco.services.chain import GENESIS, Derived, derive, event_hash, name_key
from cipco.services.errors import RecordError
from cipco.services.flags import CLOSED_STATUSES
from cipco.services.paging import Page, PageQuery, count_of, text_filter

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


def event_dict(event: ExhibitEvent) -> dict[str, Any]:
    return event.model_dump()


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


def _apply(session: Session, exhibit: Exhibit, derived: Derived, clock: Clock) -> None:
    exhibit.holder = derived.holder
    exhibit.holder_kind = derived.holder_kind
    exhibit.state = derived.state
    exhibit.seal_number = derived.seal_number
    exhibit.storage_location = derived.storage_location
    exhibit.last_movement_at = derived.last_movement_at
    exhibit.discrepancy_count = derived.discrepancy_count
    exhibit.event_count = derived.event_count
    exhibit.head_hash = derived.head_hash
    exhibit.review_due_on = review_due_on(
        exhibit.exhibit_type,
        derived.state,
        derived.last_movement_at,
        exhibit.clip_start,
        exhibit.export_medium,
        settings.get_int(session, "exhibit_review_days"),
        settings.get_int(session, "footage_overwrite_days"),
    )
    if derived.state != ExhibitState.HELD:
        exhibit.collection_requested_on = None
    exhibit.updated_at = clock.now()


def _append(
    session: Session, exhibit: Exhibit, fields: dict[str, Any], clock: Clock
) -> ExhibitEvent:
    """Add one event at the end of the chain, hashed, and refresh the derived header."""
    assert exhibit.id is not None
    events = _events(session, exhibit.id)
    prev = events[-1].hash if events else GENESIS
    row: dict[str, Any] = {name: None for name in ExhibitEvent.model_fields if name != "id"}
    row.update(fields)
    row["exhibit_id"] = exhibit.id
    row["seq"] = len(events) + 1
    row["recorded_at"] = clock.now()
    row["recorded_by"] = audit.actor_of(session)
    row["prev_hash"] = prev
    row["hash"] = event_hash(row, prev)
    event = ExhibitEvent(**row)
    try:
        session.add(event)
        session.flush()
        events.append(event)
        _apply(session, exhibit, derive(event_dict(e) for e in events), clock)
        session.flush()
    except (IntegrityError, StaleDataError):
        raise ExhibitError(
            f"{exhibit.reference} was changed by someone else at the same time; "
            "reload it and record the event again",
            field="exhibit",
        ) from None
    return event


def _check_time(happened_at: datetime, clock: Clock, after: datetime | None) -> None:
    if happened_at > clock.now() + FUTURE_TOLERANCE:
        raise ExhibitError(
            f"happened at: {to_london(happened_at):%d/%m/%Y %H:%M} is in the future",
            field="happened_at",
        )
    if after is not None and happened_at < after:
        raise ExhibitError(
            f"happened at: {to_london(happened_at):%d/%m/%Y %H:%M} is before the previous "
            f"movement ({to_london(after):%d/%m/%Y %H:%M}); record a correction instead",
            field="happened_at",
        )


def _referrals_by_ref(session: Session, refs: list[str]) -> list[Referral]:
    found = []
    for ref in refs:
        referral = session.scalars(
            select(Referral).where(func.upper(Referral.reference) == ref.strip().upper())
        ).first()
        if referral is None:
            raise ExhibitError(f"referral: '{ref}' is not a referral", field="referral_refs")
        found.append(referral)
    return found


def _header_details(exhibit: Exhibit, found_on: str | None, referral_refs: list[str]) -> str:
    """The exhibit as seized, hashed into the seizure event."""
    header = {
        "reference": exhibit.reference,
        "type": exhibit.exhibit_type,
        "description": exhibit.description,
        "system": exhibit.system,
        "camera_id": exhibit.camera_id,
        "officer": exhibit.officer,
        "clip_start": exhibit.clip_start.isoformat() if exhibit.clip_start else None,
        "clip_end": exhibit.clip_end.isoformat() if exhibit.clip_end else None,
        "export_medium": exhibit.export_medium,
        "file_sha256": exhibit.file_sha256,
        "quantity": exhibit.quantity,
        "weight": exhibit.weight,
        "where_found": exhibit.where_found,
        "found_on": found_on,
        "list_class": exhibit.list_class,
        "referrals": sorted(referral_refs),
    }
    return json.dumps(header, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------- writes


def create_exhibit(*, session: Session, data: ExhibitCreate, clock: Clock) -> Exhibit:
    """A new exhibit and its seizure, the first event of its chain."""
    if exhibit_by_reference(session, data.reference) is not None:
        raise ExhibitError(f"reference: {data.reference} already exists", field="reference")
    parent_id = None
    parent_ref = parent_reference(data.reference)
    if parent_ref is not None:
        parent = exhibit_by_reference(session, parent_ref)
        if parent is None:
            raise ExhibitError(
                f"reference: sub-exhibit {data.reference} needs exhibit {parent_ref} first",
                field="reference",
            )
        parent_id = parent.id
    _check_time(data.seized_at, clock, None)
    referrals = _referrals_by_ref(session, data.referral_refs)
    prisoner_id = None
    if data.found_on:
        from cipco.services.referrals import upsert_prisoner

        prisoner_id = upsert_prisoner(session, PrisonerIn(nomis_number=data.found_on), clock).id
    now = clock.now()
    exhibit = Exhibit(
        reference=data.reference,
        parent_id=parent_id,
        exhibit_type=data.exhibit_type.value,
        description=data.description,
        system=data.system,
        camera_id=data.camera_id,
        officer=data.officer,
        clip_start=data.clip_start,
        clip_end=data.clip_end,
        export_medium=data.export_medium,
        file_sha256=data.file_sha256,
        quantity=data.quantity,
        weight=data.weight,
        where_found=data.where_found,
        found_on_prisoner_id=prisoner_id,
        list_class=data.list_class,
        seized_by=data.seized_by,
        seized_at=data.seized_at,
        hold=data.hold,
        hold_reason=data.hold_reason,
        collection_requested_on=today(clock) if data.awaiting_collection else None,
        seal_number=data.seal_number,
        storage_location=data.storage_location,
        holder=data.seized_by,
        last_movement_at=data.seized_at,
        created_at=now,
        updated_at=now,
    )
    session.add(exhibit)
    session.flush()
    for referral in referrals:
        session.add(ExhibitReferral(exhibit_id=exhibit.id, referral_id=referral.id))
    source = f"from {parent_ref}" if parent_ref else (data.where_found or "seized")
    _append(
        session,
        exhibit,
        {
            "kind": EventKind.SEIZURE.value,
            "from_name": source,
            "from_kind": None,
            "to_name": data.seized_by,
            "to_kind": HolderKind.STAFF.value,
            "happened_at": data.seized_at,
            "reason": "storage",
            "location": data.storage_location,
            "seal_number": data.seal_number,
            "seal_intact": True if data.seal_number else None,
            "details": _header_details(exhibit, data.found_on, [r.reference for r in referrals]),
        },
        clock,
    )
    return exhibit


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


def record_event(*, session: Session, exhibit_id: int, data: EventIn, clock: Clock) -> ExhibitEvent:
    """A hand-over, dissemination, return or destruction, appended to the chain."""
    exhibit = get_exhibit(session, exhibit_id)
    ref = exhibit.reference
    if exhibit.state in FINAL_STATES:
        raise ExhibitError(
            f"{ref} is {state_label(exhibit.state).lower()}; it cannot move again",
            field="kind",
        )
    if name_key(data.from_name) != name_key(exhibit.holder):
        raise ExhibitError(
            f"from: {data.from_name} is not the current holder of {ref} "
            f"(held by {exhibit.holder}); only the holder can hand it over",
            field="from_name",
        )
    _check_time(data.happened_at, clock, exhibit.last_movement_at)
    derived = derive(event_dict(e) for e in _events(session, exhibit_id))
    if data.kind == EventKind.DESTRUCTION:
        if exhibit.hold:
            raise ExhibitError(
                f"{ref} is on hold ({exhibit.hold_reason or 'no reason given'}); "
                "lift the hold before destruction",
                field="kind",
            )
        still_open = open_referrals(session, exhibit_id)
        if still_open:
            raise ExhibitError(
                f"{ref} is linked to open referral {', '.join(still_open)}; "
                "destruction must wait until it is closed",
                field="kind",
            )
        if name_key(data.witness) in derived.chain_names:
            raise ExhibitError(
                f"witness: {data.witness} is in this exhibit's chain; "
                "the witness to destruction must be independent",
                field="witness",
            )
    problems = []
    recorded_seal = exhibit.seal_number
    if data.seal_number and recorded_seal and name_key(data.seal_number) != name_key(recorded_seal):
        problems.append(
            f"seal number on receipt {data.seal_number} does not match recorded seal "
            f"{recorded_seal}"
        )
    elif data.seal_number and not recorded_seal:
        problems.append(f"seal {data.seal_number} on receipt but no seal was recorded")
    if data.seal_intact is False:
        problems.append("seal not intact on receipt")
    return _append(
        session,
        exhibit,
        {
            "kind": data.kind.value,
            "from_name": data.from_name,
            "from_kind": exhibit.holder_kind,
            "to_name": data.to_name,
            "to_kind": data.to_kind.value if data.kind != EventKind.DESTRUCTION else None,
            "to_collar": data.to_collar,
            "to_force": data.to_force,
            "to_org": data.to_org,
            "happened_at": data.happened_at,
            "reason": data.reason.value if data.reason else None,
            "location": data.location,
            "seal_number": data.seal_number,
            "seal_intact": data.seal_intact,
            "new_seal_number": data.new_seal_number,
            "discrepancy": "; ".join(problems) or None,
            "authority": data.authority,
            "witness": data.witness,
            "note": data.note,
        },
        clock,
    )


def correct_event(
    *, session: Session, exhibit_id: int, data: CorrectionIn, clock: Clock
) -> ExhibitEvent:
    """A correction: a new event pointing at the original, which stays as it was."""
    exhibit = get_exhibit(session, exhibit_id)
    target = session.get(ExhibitEvent, data.corrects_event_id)
    if target is None or target.exhibit_id != exhibit_id:
        raise ExhibitError(
            f"corrects: event {data.corrects_event_id} is not an event of {exhibit.reference}",
            field="corrects_event_id",
        )
    if target.kind == EventKind.CORRECTION:
        raise ExhibitError(
            "corrects: correct the original event, not a correction", field="corrects_event_id"
        )
    fields = data.model_dump(exclude={"corrects_event_id", "note"}, exclude_none=True)
    if not fields:
        raise ExhibitError("correction: give at least one corrected value", field="note")
    if data.happened_at is not None:
        _check_time(data.happened_at, clock, None)
    for key in ("to_kind", "reason"):
        if key in fields:
            fields[key] = str(fields[key].value)
    if "happened_at" in fields:
        fields["corrected_happened_at"] = fields.pop("happened_at")
    return _append(
        session,
        exhibit,
        {
            "kind": EventKind.CORRECTION.value,
            "happened_at": clock.now(),
            "corrects_event_id": target.id,
            "note": data.note,
            **fields,
        },
        clock,
    )


def set_hold(
    *, session: Session, exhibit_id: int, hold: bool, reason: str | None, clock: Clock
) -> Exhibit:
    exhibit = get_exhibit(session, exhibit_id)
    reason = " ".join((reason or "").split()) or None
    if hold and not reason:
        raise ExhibitError("hold reason: say why the exhibit must be kept", field="hold_reason")
    exhibit.hold = hold
    exhibit.hold_reason = reason if hold else None
    exhibit.updated_at = clock.now()
    session.flush()
    return exhibit


def request_collection(
    *, session: Session, exhibit_id: int, requested: bool, clock: Clock
) -> Exhibit:
    """Mark a held exhibit as waiting for the police to collect it (or clear the mark)."""
    exhibit = get_exhibit(session, exhibit_id)
    if requested and exhibit.state != ExhibitState.HELD:
        raise ExhibitError(
            f"{exhibit.reference} is {state_label(exhibit.state).lower()}, not held by us",
            field="collection_requested_on",
        )
    exhibit.collection_requested_on = today(clock) if requested else None
    exhibit.updated_at = clock.now()
    session.flush()
    return exhibit


def link_referral(*, session: Session, exhibit_id: int, referral_ref: str) -> None:
    exhibit = get_exhibit(session, exhibit_id)
    (referral,) = _referrals_by_ref(session, [referral_ref])
    if session.get(ExhibitReferral, (exhibit.id, referral.id)) is None:
        session.add(ExhibitReferral(exhibit_id=exhibit.id, referral_id=referral.id))
        session.flush()


# ---------------------------------------------------------------- reads


@dataclass(frozen=True)
class ExhibitRow:
    id: int
    reference: str
    exhibit_type: str
    description: str
    referrals: str
    holder: str
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


def _filtered(query: PageQuery, clock: Clock) -> Any:
    statement = select(Exhibit)
    clause = text_filter(
        [
            Exhibit.reference,
            Exhibit.description,
            Exhibit.holder,
            Exhibit.seal_number,
            Exhibit.storage_location,
        ],
        query.text,
    )
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
    statement = _filtered(query, clock)
    total = count_of(session, statement)
    column = SORT_COLUMNS.get(query.sort or "", Exhibit.last_movement_at)
    descending = query.descending or query.sort is None
    ordering = column.desc() if descending else column.asc()
    statement = statement.order_by(ordering, Exhibit.id.desc())  # type: ignore[union-attr]
    statement = statement.offset(query.offset).limit(query.limit)
    exhibits = list(session.scalars(statement))
    return Page(rows=_rows(session, exhibits, clock), total=total, offset=query.offset)


def all_rows(session: Session, query: PageQuery, clock: Clock) -> list[ExhibitRow]:
    """Every row matching the filters (exports), in reference order."""
    statement = _filtered(query, clock).order_by(Exhibit.id)
    rows: list[ExhibitRow] = []
    batch: list[Exhibit] = []
    for exhibit in session.scalars(statement):
        batch.append(exhibit)
        if len(batch) >= 2000:
            rows.extend(_rows(session, batch, clock))
            batch = []
    rows.extend(_rows(session, batch, clock))
    return rows


def queue_counts(session: Session, clock: Clock, text: str = "") -> dict[str, int]:
    """How many exhibits each quick filter holds, in one scan (free-text filter applied)."""
    base = _filtered(PageQuery(text=text), clock).subquery()
    alias = aliased(Exhibit, base)
    counted = func.count().filter
    queues = list(QUEUES)
    clauses = [_queue_clause(queue, clock, alias) for queue in queues]
    row = session.execute(select(func.count(), *(counted(c) for c in clauses))).one()
    return {key: int(value or 0) for key, value in zip(["all", *queues], row, strict=True)}


@dataclass(frozen=True)
class ExhibitDue:
    """An exhibit for the clinic agenda or the flags."""

    id: int
    reference: str
    exhibit_type: str
    description: str
    referrals: str
    holder: str
    due_on: date | None
    label: str


def awaiting_collection(session: Session, clock: Clock) -> list[ExhibitDue]:
    """Exhibits held by us and waiting for police collection, oldest request first."""
    exhibits = list(
        session.scalars(
            select(Exhibit)
            .where(_queue_clause("awaiting", clock))
            .order_by(Exhibit.collection_requested_on, Exhibit.reference)  # type: ignore[arg-type]
        )
    )
    refs = _referral_refs(session, [e.id for e in exhibits if e.id is not None])
    return [
        ExhibitDue(
            id=e.id or 0,
            reference=e.reference,
            exhibit_type=e.exhibit_type,
            description=e.description,
            referrals=", ".join(refs.get(e.id or 0, [])),
            holder=e.holder,
            due_on=e.collection_requested_on,
            label=f"Awaiting police collection since {e.collection_requested_on:%d/%m/%Y}",
        )
        for e in exhibits
    ]


def retention_due(session: Session, clock: Clock) -> list[ExhibitDue]:
    """Exhibits whose review or footage-overwrite date has come, earliest first."""
    exhibits = list(
        session.scalars(
            select(Exhibit)
            .where(_queue_clause("retention", clock))
            .order_by(Exhibit.review_due_on, Exhibit.reference)  # type: ignore[arg-type]
        )
    )
    refs = _referral_refs(session, [e.id for e in exhibits if e.id is not None])
    return [
        ExhibitDue(
            id=e.id or 0,
            reference=e.reference,
            exhibit_type=e.exhibit_type,
            description=e.description,
            referrals=", ".join(refs.get(e.id or 0, [])),
            holder=e.holder,
            due_on=e.review_due_on,
            label=f"Retention review due {e.review_due_on:%d/%m/%Y}",
        )
        for e in exhibits
    ]


@dataclass(frozen=True)
class TimelineEntry:
    id: int
    seq: int
    kind: str
    label: str
    from_name: str
    to_name: str
    to_detail: str
    happened_at: datetime
    recorded_at: datetime
    recorded_by: str
    backdated: bool
    reason: str
    location: str
    seal_number: str
    seal_intact: bool | None
    new_seal_number: str
    discrepancy: str
    corrects_seq: int | None
    corrected_by: tuple[int, ...]
    authority: str
    witness: str
    note: str
    hash: str


@dataclass(frozen=True)
class ExhibitDetail:
    id: int
    reference: str
    parent_reference: str | None
    exhibit_type: str
    description: str
    fields: list[tuple[str, str]]
    referrals: list[str]
    open_referrals: list[str]
    holder: str
    holder_kind: str
    state: str
    seal_number: str
    storage_location: str
    hold: bool
    hold_reason: str
    awaiting_collection: bool
    review_due_on: date | None
    discrepancy_count: int
    timeline: list[TimelineEntry]
    version: int


def _when(value: datetime | None) -> str:
    return f"{to_london(value):%d/%m/%Y %H:%M}" if value else ""


def exhibit_detail(session: Session, exhibit_id: int, clock: Clock) -> ExhibitDetail:
    exhibit = get_exhibit(session, exhibit_id)
    events = _events(session, exhibit_id)
    seq_of = {e.id: e.seq for e in events}
    corrected_by: dict[int, list[int]] = {}
    for e in events:
        if e.corrects_event_id is not None:
            corrected_by.setdefault(e.corrects_event_id, []).append(e.seq)
    timeline = []
    for e in events:
        detail = ", ".join(
            part
            for part in (
                f"collar {e.to_collar}" if e.to_collar else "",
                e.to_force or "",
                e.to_org or "",
                e.to_kind if e.to_kind and e.to_kind != HolderKind.STAFF else "",
            )
            if part
        )
        timeline.append(
            TimelineEntry(
                id=e.id or 0,
                seq=e.seq,
                kind=e.kind,
                label=KIND_LABELS.get(EventKind(e.kind), e.kind),
                from_name=e.from_name or "",
                to_name=e.to_name or "",
                to_detail=detail,
                happened_at=e.happened_at,
                recorded_at=e.recorded_at,
                recorded_by=e.recorded_by,
                backdated=e.recorded_at - e.happened_at > BACKDATED_AFTER,
                reason=REASON_LABELS.get(e.reason or "", e.reason or ""),
                location=e.location or "",
                seal_number=e.seal_number or "",
                seal_intact=e.seal_intact,
                new_seal_number=e.new_seal_number or "",
                discrepancy=e.discrepancy or "",
                corrects_seq=seq_of.get(e.corrects_event_id) if e.corrects_event_id else None,
                corrected_by=tuple(corrected_by.get(e.id or 0, [])),
                authority=e.authority or "",
                witness=e.witness or "",
                note=e.note or "",
                hash=e.hash,
            )
        )
    prisoner = (
        session.get(Prisoner, exhibit.found_on_prisoner_id)
        if exhibit.found_on_prisoner_id
        else None
    )
    parent = session.get(Exhibit, exhibit.parent_id) if exhibit.parent_id else None
    fields = [
        (label, value)
        for label, value in (
            ("System", exhibit.system),
            ("Camera", exhibit.camera_id),
            ("Officer", exhibit.officer),
            ("Clip start", _when(exhibit.clip_start)),
            ("Clip end", _when(exhibit.clip_end)),
            ("Export medium", exhibit.export_medium),
            ("SHA-256", exhibit.file_sha256),
            ("Quantity", exhibit.quantity),
            ("Weight", exhibit.weight),
            ("Where found", exhibit.where_found),
            ("Found on", f"{prisoner.nomis_number} {prisoner.name}".strip() if prisoner else None),
            ("List", exhibit.list_class),
            ("Seized by", exhibit.seized_by),
            ("Seized at", _when(exhibit.seized_at)),
        )
        if value
    ]
    return ExhibitDetail(
        id=exhibit.id or 0,
        reference=exhibit.reference,
        parent_reference=parent.reference if parent else None,
        exhibit_type=exhibit.exhibit_type,
        description=exhibit.description,
        fields=fields,
        referrals=_referral_refs(session, [exhibit_id]).get(exhibit_id, []),
        open_referrals=open_referrals(session, exhibit_id),
        holder=exhibit.holder,
        holder_kind=exhibit.holder_kind,
        state=exhibit.state,
        seal_number=exhibit.seal_number or "",
        storage_location=exhibit.storage_location or "",
        hold=exhibit.hold,
        hold_reason=exhibit.hold_reason or "",
        awaiting_collection=bool(
            exhibit.collection_requested_on and exhibit.state == ExhibitState.HELD
        ),
        review_due_on=exhibit.review_due_on,
        discrepancy_count=exhibit.discrepancy_count,
        timeline=timeline,
        version=exhibit.version,
    )


queue_clause = _queue_clause  # public name: other logs (clinic agenda) reuse the same rules
