"""Changing the persons-of-interest list: people, orders, associations, custody events."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock, to_london, today
from cipco.dates import format_date
from cipco.models.people import Prisoner, PrisonerIn
from cipco.models.person import (
    AncillaryOrder,
    Association,
    AssociationCreate,
    CustodyEvent,
    CustodyEventCreate,
    OrderCreate,
    PersonCreate,
    PersonOfInterest,
    PersonUpdate,
)
from cipco.models.reference import OrderType
from cipco.services import audit, settings
from cipco.services.checks import not_future, real_dates
from cipco.services.errors import NotFoundError
from cipco.services.logspec import add_record, assign, new_record
from cipco.services.persons.queries import SERVICE
from cipco.services.persons.rules import (
    RELEASED,
    PersonError,
    next_review_date,
    notify_due_date,
    review_interval_days,
)
from cipco.services.prisoners import upsert_prisoner

audit.track(PersonOfInterest, AncillaryOrder, Association, CustodyEvent)


def person_for_nomis(session: Session, nomis_number: str) -> PersonOfInterest | None:
    return session.scalars(
        select(PersonOfInterest)
        .join(Prisoner, Prisoner.id == PersonOfInterest.prisoner_id)
        .where(Prisoner.nomis_number == nomis_number)
    ).first()


def _get(session: Session, model: Any, record_id: int, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None:
        raise NotFoundError(f"{what} {record_id} no longer exists")
    return record


def _remove(session: Session, model: Any, record_id: int, what: str) -> None:
    session.delete(_get(session, model, record_id, what))
    session.flush()


def _snapshot(prisoner: Prisoner | None) -> tuple[Any, ...]:
    if prisoner is None:
        return ()
    return (prisoner.name, prisoner.pnc, prisoner.date_of_birth, prisoner.location)


def _set_location(prisoner: Prisoner, location: str | None) -> None:
    if location is None:
        return
    text = location.strip()
    if len(text) == 3 and text.isalpha():
        text = text.upper()  # a prison code
    elif text.lower() in (RELEASED, "this prison"):
        text = text.lower()
    if prisoner.location != text:
        prisoner.location = text


def _refresh_review(session: Session, person: PersonOfInterest, clock: Clock, given: bool) -> None:
    if given:
        return
    interval = review_interval_days(session, person.soc_band)
    start = to_london(person.created_at).date() if person.created_at else today(clock)
    person.next_review_on = next_review_date(person.last_review_on, start, interval)


def upsert_person(
    session: Session, data: PersonCreate, clock: Clock
) -> tuple[PersonOfInterest, bool, bool]:
    """Create or update the person with this NOMIS number.

    Returns ``(person, created, changed)``; re-applying the same data changes nothing.
    The prisoner's name/PNC/DOB are filled in, and the location set when given.
    """
    before = _snapshot(
        session.scalars(
            select(Prisoner).where(Prisoner.nomis_number == data.prisoner.nomis_number)
        ).first()
    )
    prisoner = upsert_prisoner(session, data.prisoner, clock)
    _set_location(prisoner, data.location)
    prisoner_changed = bool(before) and before != _snapshot(prisoner)
    person = session.scalars(
        select(PersonOfInterest).where(PersonOfInterest.prisoner_id == prisoner.id)
    ).first()
    # a new person takes every value; an existing one only those given (an import's columns)
    values = data.model_dump(
        exclude={"prisoner", "location", "next_review_on"}, exclude_unset=person is not None
    )
    now = clock.now()
    created = person is None
    changed = created
    if person is None:
        person = new_record(PersonOfInterest, clock, prisoner_id=prisoner.id, **values)
        session.add(person)
    else:
        changed = assign(person, values)
    review_before = person.next_review_on
    if data.next_review_on is not None:
        person.next_review_on = data.next_review_on
    else:
        _refresh_review(session, person, clock, given=False)
    changed = changed or review_before != person.next_review_on or prisoner_changed
    if changed and not created:
        person.updated_at = now
    SERVICE.save(session, person)
    return person, created, bool(changed)


def add_person(session: Session, data: PersonCreate, clock: Clock) -> PersonOfInterest:
    """Put a prisoner on the list; refused if already there."""
    if person_for_nomis(session, data.prisoner.nomis_number) is not None:
        raise PersonError(
            f"prison number: {data.prisoner.nomis_number} is already on the list",
            field="nomis_number",
        )
    person, _created, _changed = upsert_person(session, data, clock)
    return person


def update_person(
    session: Session,
    person_id: int,
    data: PersonUpdate,
    clock: Clock,
    expected_version: int | None = None,
) -> PersonOfInterest:
    person = SERVICE.load(session, person_id, expected_version)
    real_dates(changes := data.model_dump(exclude_unset=True), error=PersonError)
    location = changes.pop("location", None)
    if location is not None:
        prisoner = session.get(Prisoner, person.prisoner_id)
        assert prisoner is not None
        _set_location(prisoner, location)
    for key in ("alert_codes", "reason", "notes", "do_not_share"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    review_given = changes.get("next_review_on") is not None
    assign(person, changes)
    _refresh_review(session, person, clock, given=review_given)
    SERVICE.save(session, person, clock)
    return person


def record_review(
    session: Session, person_id: int, clock: Clock, reviewed_on: date | None = None
) -> PersonOfInterest:
    """A SOC review done: the next one falls due a band interval later."""
    person = SERVICE.load(session, person_id)
    reviewed_on = reviewed_on or today(clock)
    real_dates({"last_review_on": reviewed_on}, error=PersonError, labels=LABELS)
    not_future(reviewed_on, clock, "last_review_on", "review date", error=PersonError)
    person.last_review_on = reviewed_on
    _refresh_review(session, person, clock, given=False)
    person.updated_at = clock.now()
    SERVICE.save(session, person)
    return person


def remove_person(session: Session, person_id: int) -> None:
    """Take someone off the list (orders and trigger events go with them)."""
    person = SERVICE.load(session, person_id)
    for order in session.scalars(
        select(AncillaryOrder).where(AncillaryOrder.person_id == person_id)
    ):
        session.delete(order)
    for event in session.scalars(select(CustodyEvent).where(CustodyEvent.person_id == person_id)):
        session.delete(event)
    session.delete(person)
    session.flush()


LABELS = {"last_review_on": "review date", "made_on": "made on", "end_on": "end"}


def _check_order(data: OrderCreate, clock: Clock) -> None:
    real_dates(data.model_dump(), error=PersonError, labels=LABELS)
    not_future(data.made_on, clock, "made_on", "made on", error=PersonError)
    if data.end_on is not None and data.end_on < data.made_on:
        raise PersonError(
            f"end: {format_date(data.end_on)} is before the order was made "
            f"({format_date(data.made_on)})",
            field="end_on",
        )


def add_order(session: Session, person_id: int, data: OrderCreate, clock: Clock) -> AncillaryOrder:
    SERVICE.load(session, person_id)
    order_type = session.get(OrderType, data.order_type_code)
    if order_type is None:
        raise PersonError(
            f"order type: '{data.order_type_code}' is not in the order types list",
            field="order_type_code",
        )
    # Any order may be made to start on release: the start rule is the court's (DOMAIN §5).
    _check_order(data, clock)
    return add_record(session, AncillaryOrder, clock, person_id=person_id, **data.model_dump())


def update_order(
    session: Session,
    order_id: int,
    data: OrderCreate,
    clock: Clock,
    expected_version: int | None = None,
) -> AncillaryOrder:
    order: AncillaryOrder = _get(session, AncillaryOrder, order_id, "order")
    if expected_version is not None and order.version != expected_version:
        raise SERVICE.stale(session, order)
    _check_order(data, clock)
    if session.get(OrderType, data.order_type_code) is None:
        raise PersonError(
            f"order type: '{data.order_type_code}' is not in the order types list",
            field="order_type_code",
        )
    assign(order, data.model_dump())
    SERVICE.save(session, order, clock)
    return order


def remove_order(session: Session, order_id: int) -> None:
    _remove(session, AncillaryOrder, order_id, "order")


def add_association(
    session: Session, prisoner_id: int, data: AssociationCreate, clock: Clock
) -> Association:
    other = upsert_prisoner(session, data.other, clock)
    if other.id == prisoner_id:
        raise PersonError("associate: a prisoner cannot be linked to himself", field="other")
    duplicate = session.scalars(
        select(Association).where(
            Association.prisoner_id == prisoner_id,
            Association.other_prisoner_id == other.id,
            Association.kind == data.kind.value,
        )
    ).first()
    if duplicate is not None:
        return duplicate
    link = Association(
        prisoner_id=prisoner_id,
        other_prisoner_id=other.id,  # type: ignore[arg-type]
        kind=data.kind.value,
        note=data.note.strip(),
        created_at=clock.now(),
    )
    session.add(link)
    session.flush()
    return link


def remove_association(session: Session, association_id: int) -> None:
    _remove(session, Association, association_id, "link")


def record_custody_event(
    session: Session, person_id: int, data: CustodyEventCreate, clock: Clock
) -> CustodyEvent:
    """Record a custody trigger point; for Band 1 the SOC unit must be told (due next working
    day)."""
    person = SERVICE.load(session, person_id)
    now = clock.now()
    real_dates({"happened_at": data.happened_at}, error=PersonError)
    if data.happened_at > now + timedelta(days=366):
        raise PersonError("when: more than a year ahead", field="happened_at")
    happened_on = to_london(data.happened_at).date()
    event = CustodyEvent(
        person_id=person_id,
        kind=data.kind.value,
        happened_at=data.happened_at,
        recorded_at=now,
        actor=audit.actor_of(session),
        detail=" ".join(data.detail.split()),
        notify_due_on=notify_due_date(happened_on) if person.soc_band == 1 else None,
    )
    session.add(event)
    session.flush()
    return event


def mark_notified(session: Session, event_id: int, clock: Clock, how: str = "") -> CustodyEvent:
    event: CustodyEvent = _get(session, CustodyEvent, event_id, "event")
    if event.notified_at is not None:
        raise PersonError(
            f"notify: the SOC unit was already told on {format_date(event.notified_at)}",
            field="notified_at",
        )
    event.notified_at = clock.now()
    event.notified_how = " ".join(how.split()) or None
    session.flush()
    return event


def add_suggested(session: Session, prisoner_id: int, clock: Clock) -> PersonOfInterest:
    """Put a suggested repeat offender on the list, with the reason recorded."""
    prisoner: Prisoner = _get(session, Prisoner, prisoner_id, "prisoner")
    n = settings.get_int(session, "repeat_offender_count")
    months = settings.get_int(session, "repeat_offender_months")
    data = PersonCreate(
        prisoner=PrisonerIn(nomis_number=prisoner.nomis_number, name=prisoner.name),
        alert_codes=["XPOI"],
        reason=f"Repeat offender: suspect in {n}+ referrals within {months} months",
    )
    return add_person(session, data, clock)
