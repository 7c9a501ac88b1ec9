"""Writing the exhibit continuity log: every change is an event appended to the chain.

A seizure opens the chain and carries the exhibit's header (hashed); hand-overs,
dissemination, return and destruction follow; a correction points at the event it corrects;
setting or lifting a hold and linking a referral are events too, so everything the continuity
record shows is inside the hashes. Each event also takes the next place in the site's custody
ledger (``cipco.services.ledger``). See ``cipco.services.exhibits`` for the rules.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from cipco.clock import Clock, to_london, today
from cipco.db import site_of
from cipco.models.exhibit import (
    FINAL_STATES,
    RECORD_KINDS,
    CorrectionIn,
    EventIn,
    EventKind,
    Exhibit,
    ExhibitCreate,
    ExhibitEvent,
    ExhibitReferral,
    ExhibitState,
    HolderKind,
    parent_reference,
)
from cipco.models.people import PrisonerIn
from cipco.models.referral import Referral
from cipco.services import audit, ledger, settings
from cipco.services.chain import (
    FORM,
    GENESIS,
    HEADER_COLUMNS,
    Derived,
    canonical_json,
    derive,
    event_hash,
    event_row,
    header_details,
    name_key,
)
from cipco.services.exhibits import (
    FUTURE_TOLERANCE,
    ExhibitError,
    event_rows,
    exhibit_by_reference,
    get_exhibit,
    open_referrals,
    review_due_on,
    state_label,
)
from cipco.services.exhibits import _events as events_of

SETTINGS_KEY = "exhibit_review_settings"


def review_settings(session: Session) -> tuple[int, int]:
    """(exhibit review days, footage overwrite days): read once per import, which keeps them
    in ``session.info[SETTINGS_KEY]`` for its unit of work."""
    cached = session.info.get(SETTINGS_KEY)
    if cached is not None:
        return cached  # type: ignore[no-any-return]
    return (
        settings.get_int(session, "exhibit_review_days"),
        settings.get_int(session, "footage_overwrite_days"),
    )


def exhibit_values(
    exhibit: Any, derived: Derived, review_days: int, overwrite_days: int
) -> dict[str, Any]:
    """What the exhibit row stores from its events (for SQL filters and sorting);
    ``exhibit`` is a model or anything with its attributes."""
    values: dict[str, Any] = {
        "holder": derived.holder,
        "holder_kind": derived.holder_kind,
        "state": derived.state,
        "seal_number": derived.seal_number,
        "storage_location": derived.storage_location,
        "last_movement_at": derived.last_movement_at,
        "discrepancy_count": derived.discrepancy_count,
        "event_count": derived.event_count,
        "head_hash": derived.head_hash,
    }
    if derived.seized_by is not None:
        values["seized_by"] = derived.seized_by
        values["seized_at"] = derived.seized_at
    if "hold" in derived.header:
        values["hold"] = derived.hold
        values["hold_reason"] = derived.hold_reason
    values["review_due_on"] = review_due_on(
        exhibit.exhibit_type,
        derived.state,
        derived.last_movement_at,
        exhibit.clip_start,
        exhibit.export_medium,
        review_days,
        overwrite_days,
    )
    if derived.state != ExhibitState.HELD:
        values["collection_requested_on"] = None
    return values


def _apply(session: Session, exhibit: Exhibit, derived: Derived, clock: Clock) -> None:
    """Store on the exhibit row what its events now say (for SQL filters and sorting)."""
    for key, value in exhibit_values(exhibit, derived, *review_settings(session)).items():
        setattr(exhibit, key, value)
    exhibit.updated_at = clock.now()


def _append(
    session: Session,
    exhibit: Exhibit,
    fields: dict[str, Any],
    clock: Clock,
    events: list[ExhibitEvent] | None = None,
) -> ExhibitEvent:
    """Add one event at the end of the chain and the ledger, hashed in form 2, and refresh
    the exhibit row from the events (``events``: the chain, if read already)."""
    assert exhibit.id is not None
    if events is None:
        events = events_of(session, exhibit.id)
    prev = events[-1].hash if events else GENESIS
    row: dict[str, Any] = dict.fromkeys(ExhibitEvent.model_fields)
    del row["id"], row["site"]  # the site is stamped from the engine on insert
    row.update(fields)
    row["exhibit_id"] = exhibit.id
    row["seq"] = len(events) + 1
    row["recorded_at"] = clock.now()
    row["recorded_by"] = audit.actor_of(session)
    row["prev_hash"] = prev
    row["form"] = FORM
    row["hash_site"] = site_of(session.get_bind())
    corrects = None
    if row.get("corrects_event_id") is not None:
        target = next(e for e in events if e.id == row["corrects_event_id"])
        corrects = (exhibit.reference, target.seq)
    row["hash"] = event_hash(event_row(row), exhibit.reference, corrects, prev)
    entry = ledger.next_entry(session, exhibit.reference, row["seq"], row["hash"])
    row["ledger_seq"] = entry.position
    row["ledger_hash"] = entry.digest
    row["ledger_prev"] = entry.prev
    event = ExhibitEvent(**row)
    try:
        session.add(event)
        session.flush()
        events.append(event)
        _apply(session, exhibit, derive(event_rows(events)), clock)
        session.flush()
    except (IntegrityError, StaleDataError):
        raise ExhibitError(
            f"{exhibit.reference} was changed by someone else at the same time; "
            "reload it and record the event again",
            field="exhibit",
        ) from None
    return event


def check_time(happened_at: datetime, clock: Clock, after: datetime | None) -> None:
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


def reference_taken(reference: str) -> ExhibitError:
    return ExhibitError(f"reference: {reference} already exists", field="reference")


def parent_missing(reference: str, parent_ref: str) -> ExhibitError:
    return ExhibitError(
        f"reference: sub-exhibit {reference} needs exhibit {parent_ref} first", field="reference"
    )


def unknown_referral(ref: str) -> ExhibitError:
    return ExhibitError(f"referral: '{ref}' is not a referral", field="referral_refs")


def _referrals_by_ref(session: Session, refs: list[str]) -> list[Referral]:
    found: list[Referral] = []
    for ref in refs:
        referral = session.scalars(
            select(Referral).where(func.upper(Referral.reference) == ref.strip().upper())
        ).first()
        if referral is None:
            raise unknown_referral(ref)
        if all(r.id != referral.id for r in found):  # "T1, t1" links T1 once
            found.append(referral)
    return found


SEIZED_AS_GIVEN = (
    "reference",
    *HEADER_COLUMNS,
    "list_class",
    "seized_by",
    "seized_at",
    "hold",
    "seal_number",
    "storage_location",
)
"""The fields of :class:`ExhibitCreate` an exhibit row keeps as they were given."""
_seized_as_given = attrgetter(*SEIZED_AS_GIVEN)


def exhibit_from(
    data: ExhibitCreate, *, parent_id: int | None, prisoner_id: int | None, clock: Clock
) -> dict[str, Any]:
    """The columns of the exhibit row a seizure creates, before its first event (the other
    columns keep their defaults)."""
    now = clock.now()
    return {
        **dict(zip(SEIZED_AS_GIVEN, _seized_as_given(data), strict=True)),
        "parent_id": parent_id,
        "exhibit_type": data.exhibit_type.value,
        "found_on_prisoner_id": prisoner_id,
        "hold_reason": data.hold_reason if data.hold else None,
        "collection_requested_on": today(clock) if data.awaiting_collection else None,
        "holder": data.seized_by,
        "last_movement_at": data.seized_at,
        "created_at": now,
        "updated_at": now,
    }


def seizure_fields(
    data: ExhibitCreate, parent_ref: str | None, header: dict[str, Any]
) -> dict[str, Any]:
    """The seizure event's fields: the first event of the chain, carrying the header."""
    source = f"from {parent_ref}" if parent_ref else (data.where_found or "seized")
    return {
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
        "details": canonical_json(header),
    }


def create_exhibit(*, session: Session, data: ExhibitCreate, clock: Clock) -> Exhibit:
    """A new exhibit and its seizure, the first event of its chain, carrying the header."""
    if exhibit_by_reference(session, data.reference) is not None:
        raise reference_taken(data.reference)
    parent_id = None
    parent_ref = parent_reference(data.reference)
    if parent_ref is not None:
        parent = exhibit_by_reference(session, parent_ref)
        if parent is None:
            raise parent_missing(data.reference, parent_ref)
        parent_id = parent.id
    check_time(data.seized_at, clock, None)
    referrals = _referrals_by_ref(session, data.referral_refs)
    prisoner = None
    if data.found_on:
        from cipco.services.referrals import upsert_prisoner

        prisoner = upsert_prisoner(session, PrisonerIn(nomis_number=data.found_on), clock)
    exhibit = Exhibit(
        **exhibit_from(
            data,
            parent_id=parent_id,
            prisoner_id=prisoner.id if prisoner is not None else None,
            clock=clock,
        )
    )
    session.add(exhibit)
    session.flush()
    for referral in referrals:
        session.add(ExhibitReferral(exhibit_id=exhibit.id, referral_id=referral.id))
    header = header_details(
        exhibit,
        parent=parent_ref,
        found_on=prisoner.nomis_number if prisoner is not None else None,
        found_on_name=(prisoner.name or None) if prisoner is not None else None,
        referrals=[r.reference for r in referrals],
    )
    _append(session, exhibit, seizure_fields(data, parent_ref, header), clock, [])
    return exhibit


def event_fields(
    exhibit: Any,
    derived: Derived,
    data: EventIn,
    clock: Clock,
    open_refs: Callable[[], list[str]],
) -> dict[str, Any]:
    """The fields of a hand-over, dissemination, return or destruction of ``exhibit`` (a
    model or anything with its attributes) whose events say ``derived``, after every check
    (raises :class:`ExhibitError`); ``open_refs`` gives its open referrals."""
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
    check_time(data.happened_at, clock, exhibit.last_movement_at)
    if data.kind == EventKind.DESTRUCTION:
        if exhibit.hold:
            raise ExhibitError(
                f"{ref} is on hold ({exhibit.hold_reason or 'no reason given'}); "
                "lift the hold before destruction",
                field="kind",
            )
        still_open = open_refs()
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
    return {
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
    }


def record_event(*, session: Session, exhibit_id: int, data: EventIn, clock: Clock) -> ExhibitEvent:
    """A hand-over, dissemination, return or destruction, appended to the chain."""
    exhibit = get_exhibit(session, exhibit_id)
    events = events_of(session, exhibit_id)
    fields = event_fields(
        exhibit,
        derive(event_rows(events)),
        data,
        clock,
        lambda: open_referrals(session, exhibit_id),
    )
    return _append(session, exhibit, fields, clock, events)


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
    if target.kind in RECORD_KINDS:
        raise ExhibitError(
            "corrects: a hold, a referral link or an upgrade is not corrected; set the hold "
            "again or link the right referral",
            field="corrects_event_id",
        )
    fields = data.model_dump(exclude={"corrects_event_id", "note"}, exclude_none=True)
    if not fields:
        raise ExhibitError("correction: give at least one corrected value", field="note")
    if data.happened_at is not None:
        check_time(data.happened_at, clock, None)
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
    """Set or lift the hold that stops destruction: an event in the chain (the reason is its
    note), so the continuity record shows when and by whom."""
    exhibit = get_exhibit(session, exhibit_id)
    reason = " ".join((reason or "").split()) or None
    if hold and not reason:
        raise ExhibitError("hold reason: say why the exhibit must be kept", field="hold_reason")
    if exhibit.hold == hold and (not hold or exhibit.hold_reason == reason):
        return exhibit  # nothing changes: no event
    _append(
        session,
        exhibit,
        {
            "kind": EventKind.HOLD.value,
            "happened_at": clock.now(),
            "note": reason if hold else None,
            "details": canonical_json({"hold": hold}),
        },
        clock,
    )
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


def link_referral(*, session: Session, exhibit_id: int, referral_ref: str, clock: Clock) -> None:
    """Link the exhibit to a referral: the link row, and an event in the chain that records
    it (the continuity record lists the referrals its chain records)."""
    exhibit = get_exhibit(session, exhibit_id)
    (referral,) = _referrals_by_ref(session, [referral_ref])
    if session.get(ExhibitReferral, (exhibit.id, referral.id)) is not None:
        return
    session.add(ExhibitReferral(exhibit_id=exhibit.id, referral_id=referral.id))
    session.flush()
    _append(
        session,
        exhibit,
        {
            "kind": EventKind.LINK.value,
            "happened_at": clock.now(),
            "details": canonical_json({"referral": referral.reference}),
        },
        clock,
    )
