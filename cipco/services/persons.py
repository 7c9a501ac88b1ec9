"""Persons of interest: the list, its flags, ancillary orders, custody trigger events,
repeat-offender suggestions and the one-page view of a prisoner.

Flags (all dates in London):
- an ancillary order ending within ``order_expiry_warn_days``;
- an order that starts on release, dormant while the person is in custody;
- a SOC review overdue (Band 1 every ``soc_band1_review_days``, Band 2 every
  ``soc_band2_review_days``);
- release within 8 months for a banded person (SOC community team notification);
- a Band 1 custody trigger event whose "notify SOC unit" is still due.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from cipco.clock import Clock, add_months, add_working_days, to_london, today
from cipco.models.clinic import ClinicAction
from cipco.models.exhibit import STATE_LABELS as EXHIBIT_STATE_LABELS
from cipco.models.exhibit import Exhibit
from cipco.models.mg4d import STATE_LABELS, ChargePapers
from cipco.models.people import Prisoner, PrisonerIn
from cipco.models.person import (
    ALERT_LABELS,
    ASSOCIATION_LABELS,
    START_RULE_LABELS,
    TRIGGER_LABELS,
    AncillaryOrder,
    Association,
    AssociationCreate,
    CustodyEvent,
    CustodyEventCreate,
    OrderCreate,
    PersonCreate,
    PersonOfInterest,
    PersonUpdate,
    StartRule,
)
from cipco.models.reference import CrimeCategory, OrderType
from cipco.models.referral import STATUS_LABELS, PartyRole, Referral, ReferralParty
from cipco.services import audit, settings
from cipco.services.flags import Severity
from cipco.services.paging import Page, PageQuery, count_of, text_filter
from cipco.services.referrals import upsert_prisoner

audit.track(PersonOfInterest, AncillaryOrder, Association, CustodyEvent)

RELEASE_NOTICE_MONTHS = 8
RELEASED = "released"

QUEUES: dict[str, str] = {
    "band1": "Band 1",
    "band2": "Band 2",
    "review_overdue": "Review overdue",
    "release_soon": "Release < 8 months",
    "orders_expiring": "Orders expiring",
    "dormant": "Dormant orders",
    "notify_due": "Notify SOC unit",
    "do_not_share": "Do not share",
}


class PersonError(ValueError):
    """A change was refused; the message names the field and the problem."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StalePerson(PersonError):
    pass


# ---------------------------------------------------------------- rules


def is_released(location: str | None) -> bool:
    return (location or "").strip().lower() == RELEASED


def review_interval_days(session: Session, band: int | None) -> int | None:
    if band == 1:
        return settings.get_int(session, "soc_band1_review_days")
    if band == 2:
        return settings.get_int(session, "soc_band2_review_days")
    return None


def next_review_date(last_review_on: date | None, start: date, interval: int | None) -> date | None:
    """The next SOC review: the interval after the last review (or after ``start``)."""
    if interval is None:
        return None
    return (last_review_on or start) + timedelta(days=interval)


def notify_due_date(happened_on: date) -> date:
    """Local practice: tell the regional SOC unit by the next working day."""
    return add_working_days(happened_on, 1)


@dataclass(frozen=True)
class PersonFlag:
    rule: str
    label: str
    due_on: date | None
    severity: Severity


def order_flags(
    order: AncillaryOrder | OrderView, *, in_custody: bool, on: date, warn_days: int, label: str
) -> list[PersonFlag]:
    flags: list[PersonFlag] = []
    if order.start_rule == StartRule.ON_RELEASE and in_custody:
        flags.append(
            PersonFlag("dormant", f"{label}: dormant — starts on release", None, Severity.PENDING)
        )
        return flags
    if order.start_rule == StartRule.DATE and order.start_on and order.start_on > on:
        flags.append(
            PersonFlag(
                "not_started",
                f"{label}: starts {order.start_on:%d/%m/%Y}",
                order.start_on,
                Severity.PENDING,
            )
        )
    if order.end_on is not None and not order.until_further_order:
        if order.end_on < on:
            flags.append(
                PersonFlag("ended", f"{label}: ended {order.end_on:%d/%m/%Y}", None, Severity.DONE)
            )
        elif (order.end_on - on).days <= warn_days:
            flags.append(
                PersonFlag(
                    "order_expiring",
                    f"{label}: ends {order.end_on:%d/%m/%Y}",
                    order.end_on,
                    Severity.DUE_SOON,
                )
            )
    if order.review_on is not None and order.review_on < on:
        flags.append(
            PersonFlag(
                "order_review",
                f"{label}: review was due {order.review_on:%d/%m/%Y}",
                order.review_on,
                Severity.OVERDUE,
            )
        )
    return flags


def person_flags(
    person: PersonOfInterest,
    *,
    location: str | None,
    orders: list[tuple[AncillaryOrder | OrderView, str]],
    pending_events: list[tuple[str, date | None]],
    on: date,
    warn_days: int,
) -> list[PersonFlag]:
    """Every flag for one person, most urgent first."""
    flags: list[PersonFlag] = []
    in_custody = not is_released(location)
    if person.soc_band and person.next_review_on and person.next_review_on < on:
        flags.append(
            PersonFlag(
                "review_overdue",
                f"Band {person.soc_band} review overdue since {person.next_review_on:%d/%m/%Y}",
                person.next_review_on,
                Severity.OVERDUE,
            )
        )
    if (
        person.soc_band
        and person.release_date
        and in_custody
        and on <= person.release_date <= add_months(on, RELEASE_NOTICE_MONTHS)
    ):
        flags.append(
            PersonFlag(
                "release_soon",
                f"Release {person.release_date:%d/%m/%Y}: notify SOC community team",
                person.release_date,
                Severity.DUE_SOON,
            )
        )
    for kind, due in pending_events:
        flags.append(
            PersonFlag(
                "notify_due",
                f"Notify SOC unit: {TRIGGER_LABELS.get(kind, kind)}",
                due,
                Severity.OVERDUE if due and due < on else Severity.DUE_SOON,
            )
        )
    for order, label in orders:
        flags.extend(
            order_flags(order, in_custody=in_custody, on=on, warn_days=warn_days, label=label)
        )
    order_rank = {Severity.OVERDUE: 0, Severity.DUE_SOON: 1, Severity.PENDING: 2, Severity.DONE: 3}
    flags.sort(key=lambda f: (order_rank[f.severity], f.due_on or date.max))
    return flags


# ---------------------------------------------------------------- writes


def _flush(session: Session, what: str) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise StalePerson(f"{what} was changed by someone else — reload?") from None


def _check_version(session: Session, person: PersonOfInterest, expected: int | None) -> None:
    if expected is None or person.version == expected:
        return
    assert person.id is not None
    last = audit.last_change(session, "person_of_interest", person.id)
    who = last.actor if last else "someone else"
    when = f"{to_london(last.at):%H:%M}" if last else "a moment ago"
    raise StalePerson(f"this person was changed by {who} at {when} — reload?")


def _load(session: Session, person_id: int) -> PersonOfInterest:
    person = session.get(PersonOfInterest, person_id)
    if person is None:
        raise PersonError(f"person {person_id} is not on the list (it may have been removed)")
    return person


def _apply(record: Any, values: dict[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(record, key) != value:
            setattr(record, key, value)
            changed = True
    return changed


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
    values = data.model_dump(exclude={"prisoner", "location", "next_review_on"})
    now = clock.now()
    created = person is None
    changed = created
    if person is None:
        person = PersonOfInterest(
            prisoner_id=prisoner.id,  # type: ignore[arg-type]
            created_at=now,
            updated_at=now,
            **values,
        )
        session.add(person)
    else:
        changed = _apply(person, values)
    review_before = person.next_review_on
    if data.next_review_on is not None:
        person.next_review_on = data.next_review_on
    else:
        _refresh_review(session, person, clock, given=False)
    changed = changed or review_before != person.next_review_on or prisoner_changed
    if changed and not created:
        person.updated_at = now
    _flush(session, f"{prisoner.nomis_number}")
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
    person = _load(session, person_id)
    _check_version(session, person, expected_version)
    changes = data.model_dump(exclude_unset=True)
    location = changes.pop("location", None)
    if location is not None:
        prisoner = session.get(Prisoner, person.prisoner_id)
        assert prisoner is not None
        _set_location(prisoner, location)
    for key in ("alert_codes", "reason", "notes", "do_not_share"):
        if key in changes and changes[key] is None:
            changes.pop(key)
    review_given = changes.get("next_review_on") is not None
    _apply(person, changes)
    _refresh_review(session, person, clock, given=review_given)
    if session.is_modified(person):
        person.updated_at = clock.now()
    _flush(session, "this person")
    return person


def record_review(
    session: Session, person_id: int, clock: Clock, reviewed_on: date | None = None
) -> PersonOfInterest:
    """A SOC review done: the next one falls due a band interval later."""
    person = _load(session, person_id)
    reviewed_on = reviewed_on or today(clock)
    if reviewed_on > today(clock):
        raise PersonError("review date: cannot be in the future", field="last_review_on")
    person.last_review_on = reviewed_on
    _refresh_review(session, person, clock, given=False)
    person.updated_at = clock.now()
    _flush(session, "this person")
    return person


def remove_person(session: Session, person_id: int) -> None:
    """Take someone off the list (orders and trigger events go with them)."""
    person = _load(session, person_id)
    for order in session.scalars(
        select(AncillaryOrder).where(AncillaryOrder.person_id == person_id)
    ):
        session.delete(order)
    for event in session.scalars(select(CustodyEvent).where(CustodyEvent.person_id == person_id)):
        session.delete(event)
    session.delete(person)
    session.flush()


def add_order(session: Session, person_id: int, data: OrderCreate, clock: Clock) -> AncillaryOrder:
    _load(session, person_id)
    order_type = session.get(OrderType, data.order_type_code)
    if order_type is None:
        raise PersonError(
            f"order type: '{data.order_type_code}' is not in the order types list",
            field="order_type_code",
        )
    if data.start_rule == StartRule.ON_RELEASE and not order_type.may_start_on_release:
        raise PersonError(
            f"start: a {order_type.label} does not start on release", field="start_rule"
        )
    if data.made_on > today(clock):
        raise PersonError("made on: cannot be in the future", field="made_on")
    now = clock.now()
    order = AncillaryOrder(person_id=person_id, created_at=now, updated_at=now, **data.model_dump())
    session.add(order)
    session.flush()
    return order


def update_order(
    session: Session,
    order_id: int,
    data: OrderCreate,
    clock: Clock,
    expected_version: int | None = None,
) -> AncillaryOrder:
    order = session.get(AncillaryOrder, order_id)
    if order is None:
        raise PersonError(f"order {order_id} no longer exists")
    if expected_version is not None and order.version != expected_version:
        raise StalePerson("this order was changed by someone else — reload?")
    if session.get(OrderType, data.order_type_code) is None:
        raise PersonError(
            f"order type: '{data.order_type_code}' is not in the order types list",
            field="order_type_code",
        )
    for key, value in data.model_dump().items():
        if getattr(order, key) != value:
            setattr(order, key, value)
    if session.is_modified(order):
        order.updated_at = clock.now()
    _flush(session, "this order")
    return order


def remove_order(session: Session, order_id: int) -> None:
    order = session.get(AncillaryOrder, order_id)
    if order is None:
        raise PersonError(f"order {order_id} no longer exists")
    session.delete(order)
    session.flush()


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
    link = session.get(Association, association_id)
    if link is None:
        raise PersonError(f"link {association_id} no longer exists")
    session.delete(link)
    session.flush()


def record_custody_event(
    session: Session, person_id: int, data: CustodyEventCreate, clock: Clock
) -> CustodyEvent:
    """Record a custody trigger point; for Band 1 the SOC unit must be told (due next working
    day)."""
    person = _load(session, person_id)
    now = clock.now()
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
    event = session.get(CustodyEvent, event_id)
    if event is None:
        raise PersonError(f"event {event_id} no longer exists")
    if event.notified_at is not None:
        raise PersonError(
            f"notify: the SOC unit was already told on {to_london(event.notified_at):%d/%m/%Y}"
        )
    event.notified_at = clock.now()
    event.notified_how = " ".join(how.split()) or None
    session.flush()
    return event


# ---------------------------------------------------------------- reads


def person_for_nomis(session: Session, nomis_number: str) -> PersonOfInterest | None:
    return session.scalars(
        select(PersonOfInterest)
        .join(Prisoner, Prisoner.id == PersonOfInterest.prisoner_id)
        .where(Prisoner.nomis_number == nomis_number)
    ).first()


@dataclass(frozen=True)
class PersonRow:
    id: int
    nomis_number: str
    name: str
    location: str
    band: int | None
    alert_codes: tuple[str, ...]
    ocg_name: str
    next_review_on: date | None
    release_date: date | None
    do_not_share: bool
    order_count: int
    flags: tuple[PersonFlag, ...]
    version: int

    @property
    def severity(self) -> Severity:
        for level in (Severity.OVERDUE, Severity.DUE_SOON):
            if any(f.severity == level for f in self.flags):
                return level
        return Severity.PENDING


SORT_COLUMNS: dict[str, Any] = {
    "nomis_number": Prisoner.nomis_number,
    "name": Prisoner.name,
    "location": Prisoner.location,
    "band": PersonOfInterest.soc_band,
    "ocg_name": PersonOfInterest.ocg_name,
    "next_review_on": PersonOfInterest.next_review_on,
    "release_date": PersonOfInterest.release_date,
}


def _queue_clause(session: Session, queue: str, on: date) -> Any:
    warn = settings.get_int(session, "order_expiry_warn_days")
    not_released = or_(Prisoner.location.is_(None), func.lower(Prisoner.location) != RELEASED)  # type: ignore[union-attr]
    if queue == "band1":
        return PersonOfInterest.soc_band == 1
    if queue == "band2":
        return PersonOfInterest.soc_band == 2
    if queue == "review_overdue":
        return and_(PersonOfInterest.soc_band.is_not(None), PersonOfInterest.next_review_on < on)  # type: ignore[union-attr,operator]
    if queue == "release_soon":
        return and_(
            PersonOfInterest.soc_band.is_not(None),  # type: ignore[union-attr]
            PersonOfInterest.release_date >= on,  # type: ignore[operator]
            PersonOfInterest.release_date <= add_months(on, RELEASE_NOTICE_MONTHS),  # type: ignore[operator]
            not_released,
        )
    if queue == "orders_expiring":
        return exists().where(
            AncillaryOrder.person_id == PersonOfInterest.id,
            AncillaryOrder.until_further_order.is_(False),  # type: ignore[attr-defined]
            AncillaryOrder.end_on >= on,  # type: ignore[operator]
            AncillaryOrder.end_on <= on + timedelta(days=warn),  # type: ignore[operator]
            or_(AncillaryOrder.start_rule != StartRule.ON_RELEASE.value, ~not_released),
        )
    if queue == "dormant":
        return and_(
            not_released,
            exists().where(
                AncillaryOrder.person_id == PersonOfInterest.id,
                AncillaryOrder.start_rule == StartRule.ON_RELEASE.value,
            ),
        )
    if queue == "notify_due":
        return exists().where(
            CustodyEvent.person_id == PersonOfInterest.id,
            CustodyEvent.notified_at.is_(None),  # type: ignore[union-attr]
            CustodyEvent.notify_due_on.is_not(None),  # type: ignore[union-attr]
        )
    if queue == "do_not_share":
        return PersonOfInterest.do_not_share.is_(True)  # type: ignore[attr-defined]
    raise PersonError(f"unknown quick filter '{queue}'")


def _filtered(session: Session, query: PageQuery, on: date) -> Any:
    statement = select(
        PersonOfInterest, Prisoner.nomis_number, Prisoner.name, Prisoner.location
    ).join(Prisoner, Prisoner.id == PersonOfInterest.prisoner_id)
    clause = text_filter(
        [
            Prisoner.nomis_number,
            Prisoner.name,
            PersonOfInterest.ocg_name,
            PersonOfInterest.notes,
            PersonOfInterest.reason,
        ],
        query.text,
    )
    if clause is not None:
        statement = statement.where(clause)
    if query.queue:
        statement = statement.where(_queue_clause(session, query.queue, on))
    if query.extra.get("exclude_restricted"):
        statement = statement.where(PersonOfInterest.do_not_share.is_(False))  # type: ignore[attr-defined]
    return statement


def _labels(session: Session) -> dict[str, str]:
    return {code: label for code, label in session.execute(select(OrderType.code, OrderType.label))}


def _rows_for(
    session: Session, found: list[tuple[PersonOfInterest, str, str, str | None]], on: date
) -> list[PersonRow]:
    ids = [p.id for p, *_ in found]
    warn = settings.get_int(session, "order_expiry_warn_days")
    orders: dict[int, list[tuple[AncillaryOrder, str]]] = {}
    for order in session.scalars(select(AncillaryOrder).where(AncillaryOrder.person_id.in_(ids))):  # type: ignore[attr-defined]
        orders.setdefault(order.person_id, []).append((order, order.order_type_code))
    events: dict[int, list[tuple[str, date | None]]] = {}
    for person_id, kind, due in session.execute(
        select(CustodyEvent.person_id, CustodyEvent.kind, CustodyEvent.notify_due_on).where(
            CustodyEvent.person_id.in_(ids),  # type: ignore[attr-defined]
            CustodyEvent.notified_at.is_(None),  # type: ignore[union-attr]
            CustodyEvent.notify_due_on.is_not(None),  # type: ignore[union-attr]
        )
    ):
        events.setdefault(person_id, []).append((kind, due))
    rows = []
    for person, nomis, name, location in found:
        assert person.id is not None
        flags = person_flags(
            person,
            location=location,
            orders=orders.get(person.id, []),
            pending_events=events.get(person.id, []),
            on=on,
            warn_days=warn,
        )
        rows.append(
            PersonRow(
                id=person.id,
                nomis_number=nomis,
                name=name or "",
                location=location or "",
                band=person.soc_band,
                alert_codes=tuple(person.alert_codes or ()),
                ocg_name=person.ocg_name or "",
                next_review_on=person.next_review_on,
                release_date=person.release_date,
                do_not_share=person.do_not_share,
                order_count=len(orders.get(person.id, [])),
                flags=tuple(f for f in flags if f.severity != Severity.DONE),
                version=person.version,
            )
        )
    return rows


def person_list_page(session: Session, query: PageQuery, clock: Clock) -> Page[PersonRow]:
    """One page of the persons-of-interest list, filtered, sorted and counted in SQL."""
    on = today(clock)
    statement = _filtered(session, query, on)
    total = count_of(session, statement)
    column = SORT_COLUMNS.get(query.sort or "", Prisoner.name)
    ordering = column.desc() if query.descending else column.asc()
    statement = (
        statement.order_by(column.is_(None), ordering, PersonOfInterest.id)
        .offset(query.offset)
        .limit(query.limit)
    )
    found = [tuple(r) for r in session.execute(statement)]
    return Page(rows=_rows_for(session, found, on), total=total, offset=query.offset)  # type: ignore[arg-type]


def queue_counts(session: Session, clock: Clock) -> dict[str, int]:
    on = today(clock)
    counts = {"all": count_of(session, _filtered(session, PageQuery(), on))}
    for key in QUEUES:
        counts[key] = count_of(session, _filtered(session, PageQuery(queue=key), on))
    return counts


def iter_persons(
    session: Session,
    clock: Clock,
    *,
    include_restricted: bool = False,
    text: str = "",
    queue: str | None = None,
) -> list[PersonRow]:
    """Every person matching the filters (for exports), in name order."""
    on = today(clock)
    query = PageQuery(text=text, queue=queue, extra={"exclude_restricted": not include_restricted})
    statement = _filtered(session, query, on).order_by(Prisoner.name, PersonOfInterest.id)
    found = [tuple(r) for r in session.execute(statement)]
    rows: list[PersonRow] = []
    for start in range(0, len(found), 500):
        rows.extend(_rows_for(session, found[start : start + 500], on))  # type: ignore[arg-type]
    return rows


# ---------------------------------------------------------------- repeat offenders


@dataclass(frozen=True)
class Suggestion:
    prisoner_id: int
    nomis_number: str
    name: str
    referral_count: int
    last_incident_at: datetime


def repeat_offender_suggestions(
    session: Session, clock: Clock, limit: int = 200
) -> list[Suggestion]:
    """Suspects in N or more referrals in the last M months who are not on the list yet."""
    n = settings.get_int(session, "repeat_offender_count")
    months = settings.get_int(session, "repeat_offender_months")
    since_day = add_months(today(clock), -months)
    from cipco.clock import london_midnight

    since = london_midnight(since_day)
    counted = func.count(Referral.id)
    statement = (
        select(
            Referral.prisoner_id,
            Prisoner.nomis_number,
            Prisoner.name,
            counted,
            func.max(Referral.incident_at),
        )
        .join(Prisoner, Prisoner.id == Referral.prisoner_id)
        .where(
            Referral.incident_at >= since,
            ~exists().where(PersonOfInterest.prisoner_id == Referral.prisoner_id),
        )
        .group_by(Referral.prisoner_id, Prisoner.nomis_number, Prisoner.name)
        .having(counted >= max(n, 1))
        .order_by(counted.desc(), Prisoner.nomis_number)
        .limit(limit)
    )
    from cipco.models.types import UTCDateTime

    converter = UTCDateTime()
    results = []
    for prisoner_id, nomis, name, count, last in session.execute(statement):
        if isinstance(last, str):  # func.max loses the column type on SQLite
            last = datetime.fromisoformat(last)
        if isinstance(last, datetime) and last.tzinfo is None:
            last = converter.process_result_value(last, None)  # type: ignore[arg-type]
        results.append(Suggestion(prisoner_id, nomis, name or "", int(count), last))
    return results


def add_suggested(session: Session, prisoner_id: int, clock: Clock) -> PersonOfInterest:
    """Put a suggested repeat offender on the list, with the reason recorded."""
    prisoner = session.get(Prisoner, prisoner_id)
    if prisoner is None:
        raise PersonError(f"prisoner {prisoner_id} no longer exists")
    n = settings.get_int(session, "repeat_offender_count")
    months = settings.get_int(session, "repeat_offender_months")
    data = PersonCreate(
        prisoner=PrisonerIn(nomis_number=prisoner.nomis_number, name=prisoner.name),
        alert_codes=["XPOI"],
        reason=f"Repeat offender: suspect in {n}+ referrals within {months} months",
    )
    return add_person(session, data, clock)


# ---------------------------------------------------------------- one page per prisoner


@dataclass(frozen=True)
class OrderView:
    id: int
    order_type_code: str
    label: str
    court: str
    made_on: date
    start_rule: str
    start_on: date | None
    end_on: date | None
    until_further_order: bool
    conditions: str
    review_on: date | None
    version: int

    @property
    def start_text(self) -> str:
        if self.start_rule == StartRule.DATE and self.start_on:
            return f"{self.start_on:%d/%m/%Y}"
        return START_RULE_LABELS.get(self.start_rule, self.start_rule)

    @property
    def end_text(self) -> str:
        if self.until_further_order:
            return "Until further order"
        return f"{self.end_on:%d/%m/%Y}" if self.end_on else ""


@dataclass(frozen=True)
class AssociationView:
    id: int
    kind: str
    nomis_number: str
    name: str
    note: str

    @property
    def kind_label(self) -> str:
        return ASSOCIATION_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class EventView:
    id: int
    kind: str
    happened_at: datetime
    detail: str
    notify_due_on: date | None
    notified_at: datetime | None
    notified_how: str

    @property
    def kind_label(self) -> str:
        return TRIGGER_LABELS.get(self.kind, self.kind)


@dataclass(frozen=True)
class PersonView:
    id: int
    band: int | None
    alert_codes: tuple[str, ...]
    alert_labels: tuple[str, ...]
    ocg_name: str
    last_review_on: date | None
    next_review_on: date | None
    release_date: date | None
    do_not_share: bool
    reason: str
    notes: str
    version: int
    flags: tuple[PersonFlag, ...]
    orders: tuple[OrderView, ...]
    events: tuple[EventView, ...]


@dataclass(frozen=True)
class ReferralLine:
    id: int
    reference: str
    role: str  # suspect / victim / witness
    category: str
    incident_at: datetime
    status: str
    status_label: str


@dataclass(frozen=True)
class PapersLine:
    id: int
    form_label: str
    charges: str
    court: str
    first_hearing_on: date | None
    received_at: datetime
    state: str
    state_label: str
    served_at: datetime | None


@dataclass(frozen=True)
class ExhibitLine:
    id: int
    reference: str
    description: str
    status: str


@dataclass(frozen=True)
class ActionLine:
    id: int
    referral_reference: str
    text: str
    owner: str
    due_on: date | None
    status: str


@dataclass(frozen=True)
class PersonPageData:
    prisoner_id: int
    nomis_number: str
    name: str
    pnc: str
    date_of_birth: date | None
    location: str
    person: PersonView | None
    referrals: list[ReferralLine] = field(default_factory=list)
    papers: list[PapersLine] = field(default_factory=list)
    exhibits: list[ExhibitLine] = field(default_factory=list)
    actions: list[ActionLine] = field(default_factory=list)
    associations: list[AssociationView] = field(default_factory=list)


def _order_views(session: Session, person_id: int) -> list[OrderView]:
    labels = _labels(session)
    return [
        OrderView(
            id=o.id,  # type: ignore[arg-type]
            order_type_code=o.order_type_code,
            label=labels.get(o.order_type_code, o.order_type_code),
            court=o.court,
            made_on=o.made_on,
            start_rule=o.start_rule,
            start_on=o.start_on,
            end_on=o.end_on,
            until_further_order=o.until_further_order,
            conditions=o.conditions,
            review_on=o.review_on,
            version=o.version,
        )
        for o in session.scalars(
            select(AncillaryOrder)
            .where(AncillaryOrder.person_id == person_id)
            .order_by(AncillaryOrder.made_on.desc(), AncillaryOrder.id)  # type: ignore[attr-defined]
        )
    ]


def person_view(
    session: Session, person: PersonOfInterest, location: str | None, clock: Clock
) -> PersonView:
    assert person.id is not None
    on = today(clock)
    orders = _order_views(session, person.id)
    events = [
        EventView(
            id=e.id,  # type: ignore[arg-type]
            kind=e.kind,
            happened_at=e.happened_at,
            detail=e.detail,
            notify_due_on=e.notify_due_on,
            notified_at=e.notified_at,
            notified_how=e.notified_how or "",
        )
        for e in session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.person_id == person.id)
            .order_by(CustodyEvent.happened_at.desc())  # type: ignore[attr-defined]
        )
    ]
    flags = person_flags(
        person,
        location=location,
        orders=[(o, o.label) for o in orders],
        pending_events=[
            (e.kind, e.notify_due_on) for e in events if e.notified_at is None and e.notify_due_on
        ],
        on=on,
        warn_days=settings.get_int(session, "order_expiry_warn_days"),
    )
    codes = tuple(person.alert_codes or ())
    return PersonView(
        id=person.id,
        band=person.soc_band,
        alert_codes=codes,
        alert_labels=tuple(f"{c} {ALERT_LABELS.get(c, '')}".strip() for c in codes),
        ocg_name=person.ocg_name or "",
        last_review_on=person.last_review_on,
        next_review_on=person.next_review_on,
        release_date=person.release_date,
        do_not_share=person.do_not_share,
        reason=person.reason,
        notes=person.notes,
        version=person.version,
        flags=tuple(flags),
        orders=tuple(orders),
        events=tuple(events),
    )


def _referral_lines(session: Session, prisoner: Prisoner) -> list[ReferralLine]:
    columns = (
        Referral.id,
        Referral.reference,
        CrimeCategory.label,
        Referral.incident_at,
        Referral.status,
    )
    lines: dict[int, ReferralLine] = {}
    suspect = (
        select(*columns)
        .join(CrimeCategory, CrimeCategory.code == Referral.category_code)
        .where(Referral.prisoner_id == prisoner.id)
    )
    for rid, ref, category, at, status in session.execute(suspect):
        lines[rid] = ReferralLine(
            rid, ref, "suspect", category, at, status, STATUS_LABELS.get(status, status)
        )
    party = (
        select(*columns, ReferralParty.role)
        .join(ReferralParty, ReferralParty.referral_id == Referral.id)
        .join(CrimeCategory, CrimeCategory.code == Referral.category_code)
        .where(ReferralParty.nomis_number == prisoner.nomis_number)
    )
    for rid, ref, category, at, status, role in session.execute(party):
        if rid in lines:
            continue
        role_text = role if role in (PartyRole.VICTIM, PartyRole.WITNESS) else "party"
        lines[rid] = ReferralLine(
            rid, ref, role_text, category, at, status, STATUS_LABELS.get(status, status)
        )
    return sorted(lines.values(), key=lambda line: line.incident_at, reverse=True)


def _papers_lines(session: Session, prisoner_id: int) -> list[PapersLine]:
    return [
        PapersLine(
            id=p.id,  # type: ignore[arg-type]
            form_label=p.form_label,
            charges=p.charges,
            court=p.court,
            first_hearing_on=p.first_hearing_on,
            received_at=p.received_at,
            state=p.state,
            state_label=STATE_LABELS.get(p.state, p.state),
            served_at=p.served_at,
        )
        for p in session.scalars(
            select(ChargePapers)
            .where(ChargePapers.prisoner_id == prisoner_id)
            .order_by(ChargePapers.received_at.desc())  # type: ignore[attr-defined]
        )
    ]


def _association_views(session: Session, prisoner_id: int) -> list[AssociationView]:
    views = []
    for link, nomis, name in session.execute(
        select(Association, Prisoner.nomis_number, Prisoner.name)
        .join(Prisoner, Prisoner.id == Association.other_prisoner_id)
        .where(Association.prisoner_id == prisoner_id)
    ):
        views.append(AssociationView(link.id, link.kind, nomis, name or "", link.note))
    for link, nomis, name in session.execute(
        select(Association, Prisoner.nomis_number, Prisoner.name)
        .join(Prisoner, Prisoner.id == Association.prisoner_id)
        .where(Association.other_prisoner_id == prisoner_id)
    ):
        views.append(AssociationView(link.id, link.kind, nomis, name or "", link.note))
    return views


def person_page(session: Session, nomis_number: str, clock: Clock) -> PersonPageData | None:
    """Everything cipco knows about one prisoner, or None if the number is unknown."""
    from cipco.models.people import normalise_nomis

    nomis = normalise_nomis(nomis_number)
    prisoner = session.scalars(select(Prisoner).where(Prisoner.nomis_number == nomis)).first()
    if prisoner is None:
        return None
    assert prisoner.id is not None
    person = session.scalars(
        select(PersonOfInterest).where(PersonOfInterest.prisoner_id == prisoner.id)
    ).first()
    referrals = _referral_lines(session, prisoner)
    return PersonPageData(
        prisoner_id=prisoner.id,
        nomis_number=prisoner.nomis_number,
        name=prisoner.name or "",
        pnc=prisoner.pnc or "",
        date_of_birth=prisoner.date_of_birth,
        location=prisoner.location or "",
        person=person_view(session, person, prisoner.location, clock) if person else None,
        referrals=referrals,
        papers=_papers_lines(session, prisoner.id),
        exhibits=_exhibit_lines(session, prisoner),
        actions=_action_lines(session, [r.id for r in referrals]),
        associations=_association_views(session, prisoner.id),
    )


def _exhibit_lines(session: Session, prisoner: Prisoner) -> list[ExhibitLine]:
    return [
        ExhibitLine(eid, ref, desc, EXHIBIT_STATE_LABELS.get(state, state))
        for eid, ref, desc, state in session.execute(
            select(Exhibit.id, Exhibit.reference, Exhibit.description, Exhibit.state)
            .where(Exhibit.found_on_prisoner_id == prisoner.id)
            .order_by(Exhibit.seized_at.desc())  # type: ignore[attr-defined]
        )
    ]


def _action_lines(session: Session, referral_ids: list[int]) -> list[ActionLine]:
    if not referral_ids:
        return []
    return [
        ActionLine(aid, ref, text, owner or "", due, status)
        for aid, ref, text, owner, due, status in session.execute(
            select(
                ClinicAction.id,
                Referral.reference,
                ClinicAction.text,
                ClinicAction.owner_name,
                ClinicAction.due_on,
                ClinicAction.status,
            )
            .join(Referral, Referral.id == ClinicAction.referral_id)
            .where(ClinicAction.referral_id.in_(referral_ids))  # type: ignore[union-attr]
            .order_by(ClinicAction.due_on.is_(None), ClinicAction.due_on)  # type: ignore[union-attr]
        )
    ]


@dataclass(frozen=True)
class PrisonerHit:
    nomis_number: str
    name: str
    on_list: bool


def find_prisoners(session: Session, text: str, limit: int = 20) -> list[PrisonerHit]:
    """Prisoners whose number or name contains ``text`` (command palette)."""
    pattern = f"%{text.strip()}%"
    statement = (
        select(Prisoner.nomis_number, Prisoner.name, PersonOfInterest.id)
        .outerjoin(PersonOfInterest, PersonOfInterest.prisoner_id == Prisoner.id)
        .where(or_(Prisoner.nomis_number.ilike(pattern), Prisoner.name.ilike(pattern)))  # type: ignore[attr-defined]
        .order_by(Prisoner.nomis_number)
        .limit(limit)
    )
    return [
        PrisonerHit(n, name or "", pid is not None) for n, name, pid in session.execute(statement)
    ]
