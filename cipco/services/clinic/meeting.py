"""The clinic meeting: clinics, agenda items and attendance changed (its actions:
:mod:`~cipco.services.clinic.actions`).

A closed clinic is read-only (its agenda, attendance and minutes); its actions stay open
until done or dropped with a reason, from any clinic.
"""

from __future__ import annotations

from contextlib import AbstractContextManager

from sqlalchemy import func, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.clinic import (
    AgendaItem,
    AgendaItemCreate,
    AgendaItemUpdate,
    Attendance,
    AttendanceCreate,
    Clinic,
    ClinicCreate,
    ClinicStatus,
    ClinicUpdate,
    ItemKind,
    Presence,
)
from cipco.services.checks import checked_move, real_dates, required
from cipco.services.clinic.agenda import generate_agenda, max_position
from cipco.services.clinic.common import (
    POSITION_STEP,
    TRANSITIONS,
    ClinicError,
    check_referral,
    clinic_on,
    load,
    load_clinic,
    load_item,
    next_clinic_date,
    status_label,
    uk_date,
    writable,
)
from cipco.services.clinic.queries import CLINIC_SERVICE, ITEMS_SERVICE
from cipco.services.logspec import add_record, assign, new_record
from cipco.services.record_edit import editing


def create_clinic(
    *,
    session: Session,
    clock: Clock,
    data: ClinicCreate | None = None,
    generate: bool = True,
) -> Clinic:
    """A new draft clinic (on the next date of the cadence unless given), agenda generated."""
    held_on = data.held_on if data else next_clinic_date(session, clock)
    real_dates({"held_on": held_on}, error=ClinicError, labels={"held_on": "date"})
    if clinic_on(session, held_on) is not None:
        raise ClinicError(f"date: there is already a clinic on {uk_date(held_on)}", field="held_on")
    clinic = new_record(
        Clinic,
        clock,
        held_on=held_on,
        title=(data.title if data else "") or "Crime clinic",
        location=data.location if data else "",
        status=ClinicStatus.DRAFT,
    )
    session.add(clinic)
    session.flush()
    if generate:
        assert clinic.id is not None
        generate_agenda(session=session, clinic_id=clinic.id, clock=clock)
    return clinic


def update_clinic(
    *,
    session: Session,
    clinic_id: int,
    data: ClinicUpdate,
    clock: Clock,
    expected_version: int | None = None,
) -> Clinic:
    with editing(
        CLINIC_SERVICE, session, clinic_id, clock, expected_version, check=writable
    ) as clinic:
        changes = data.model_dump(exclude_unset=True)
        real_dates(changes, error=ClinicError)
        if "held_on" in changes:
            if changes["held_on"] is None:
                raise ClinicError("date: a clinic needs a date", field="held_on")
            other = clinic_on(session, changes["held_on"])
            if other is not None and other.id != clinic.id:
                raise ClinicError(
                    f"date: there is already a clinic on {uk_date(changes['held_on'])}",
                    field="held_on",
                )
        blank = ("title", "location", "notes")  # cleared, not unset
        assign(clinic, {k: "" if v is None and k in blank else v for k, v in changes.items()})
    return clinic


def move_clinic(
    *,
    session: Session,
    clinic_id: int,
    to_status: ClinicStatus | str,
    clock: Clock,
    expected_version: int | None = None,
) -> Clinic:
    """Move a clinic along draft → open → in progress → closed, or refuse naming the allowed."""
    clinic = CLINIC_SERVICE.load(session, clinic_id, expected_version)
    target = checked_move(
        ClinicStatus,
        TRANSITIONS,
        clinic.status,
        to_status,
        label=status_label,
        error=ClinicError,
        what="a clinic status",
        final=lambda: writable(clinic),
    )
    now = clock.now()
    clinic.status = target
    if target == ClinicStatus.IN_PROGRESS and clinic.started_at is None:
        clinic.started_at = now
    if target == ClinicStatus.CLOSED:
        clinic.closed_at = now
    clinic.updated_at = now
    CLINIC_SERVICE.save(session, clinic)
    return clinic


# ---------------------------------------------------------------- agenda items


def add_item(
    *, session: Session, clinic_id: int, data: AgendaItemCreate, clock: Clock
) -> AgendaItem:
    """Add a free item (or a referral to discuss) at the end of the agenda."""
    clinic = load_clinic(session, clinic_id)
    writable(clinic)
    check_referral(session, data.referral_id)
    return add_record(
        session,
        AgendaItem,
        clock,
        **data.model_dump(),
        clinic_id=clinic_id,
        position=max_position(session, clinic_id) + POSITION_STEP,
        kind=ItemKind.REFERRAL if data.referral_id else ItemKind.FREE,
    )


def _item_clinic(session: Session, item: AgendaItem) -> Clinic:
    clinic = load_clinic(session, item.clinic_id)
    writable(clinic)
    return clinic


def _editing_item(
    session: Session, item_id: int, clock: Clock, expected_version: int | None
) -> AbstractContextManager[AgendaItem]:
    """An agenda item to change, refused while its clinic is closed."""
    return editing(
        ITEMS_SERVICE,
        session,
        item_id,
        clock,
        expected_version,
        check=lambda item: _item_clinic(session, item),
    )


def update_item(
    *,
    session: Session,
    item_id: int,
    data: AgendaItemUpdate,
    clock: Clock,
    expected_version: int | None = None,
) -> AgendaItem:
    """Change an item's title, detail or discussion note (saved at once)."""
    with _editing_item(session, item_id, clock, expected_version) as item:
        changes = data.model_dump(exclude_unset=True)
        cleaned = {k: "" if v is None else v for k, v in changes.items()}
        assign(
            item,
            {k: v.strip() if isinstance(v, str) and k != "note" else v for k, v in cleaned.items()},
        )
    return item


def set_note(
    *,
    session: Session,
    item_id: int,
    note: str,
    clock: Clock,
    expected_version: int | None = None,
) -> AgendaItem:
    return update_item(
        session=session,
        item_id=item_id,
        data=AgendaItemUpdate(note=(note or "").strip()),
        clock=clock,
        expected_version=expected_version,
    )


def move_item(*, session: Session, item_id: int, delta: int, clock: Clock) -> AgendaItem:
    """Move an item up (negative) or down (positive) the agenda by ``delta`` places."""
    item = load_item(session, item_id)
    _item_clinic(session, item)
    ordered = list(
        session.scalars(
            select(AgendaItem.id)
            .where(AgendaItem.clinic_id == item.clinic_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )
    index = ordered.index(item_id)
    target = max(0, min(len(ordered) - 1, index + delta))
    if target == index:
        return item
    neighbours = ordered[min(index, target) : max(index, target) + 1]
    rows = {
        r.id: r
        for r in session.scalars(select(AgendaItem).where(AgendaItem.id.in_(neighbours)))  # type: ignore[union-attr]
    }
    positions = sorted(r.position for r in rows.values())
    if len(set(positions)) != len(positions):  # repair duplicate positions first
        _renumber(session, item.clinic_id)
        positions = sorted(rows[i].position for i in neighbours)
    ids = list(neighbours)
    ids.remove(item_id)
    ids.insert(0 if target < index else len(ids), item_id)
    now = clock.now()
    for item_key, position in zip(ids, positions, strict=True):
        if rows[item_key].position != position:
            rows[item_key].position = position
            rows[item_key].updated_at = now
    ITEMS_SERVICE.save(session, item)
    return item


def _renumber(session: Session, clinic_id: int) -> None:
    items = session.scalars(
        select(AgendaItem)
        .where(AgendaItem.clinic_id == clinic_id)
        .order_by(AgendaItem.position, AgendaItem.id)
    )
    for index, item in enumerate(items, start=1):
        item.position = index * POSITION_STEP
    session.flush()


def _set_dropped(
    session: Session, item_id: int, expected_version: int | None, clock: Clock, reason: str | None
) -> AgendaItem:
    with _editing_item(session, item_id, clock, expected_version) as item:
        item.dropped = reason is not None
        item.drop_reason = reason
    return item


def drop_item(
    *,
    session: Session,
    item_id: int,
    reason: str,
    clock: Clock,
    expected_version: int | None = None,
) -> AgendaItem:
    """Take an item off the agenda, with a reason (it stays in the minutes as dropped)."""
    why = required(reason, "reason", "reason: say why the item is dropped", error=ClinicError)
    return _set_dropped(session, item_id, expected_version, clock, why)


def restore_item(*, session: Session, item_id: int, clock: Clock) -> AgendaItem:
    """Put a dropped item back on the agenda."""
    return _set_dropped(session, item_id, None, clock, None)


# ---------------------------------------------------------------- attendance


def add_attendee(
    *, session: Session, clinic_id: int, data: AttendanceCreate, clock: Clock
) -> Attendance:
    clinic = load_clinic(session, clinic_id)
    writable(clinic)
    duplicate = session.scalar(
        select(Attendance.id).where(
            Attendance.clinic_id == clinic_id,
            func.lower(Attendance.name) == data.name.lower(),
        )
    )
    if duplicate is not None:
        raise ClinicError(f"name: {data.name} is already on the attendance list", field="name")
    attendee = Attendance(clinic_id=clinic_id, **data.model_dump())
    session.add(attendee)
    clinic.updated_at = clock.now()
    session.flush()
    return attendee


def set_presence(
    *, session: Session, attendee_id: int, presence: Presence | str, clock: Clock
) -> Attendance:
    attendee: Attendance = load(session, Attendance, attendee_id, "attendee")
    clinic = load_clinic(session, attendee.clinic_id)
    writable(clinic)
    try:
        attendee.presence = Presence(presence)
    except ValueError:
        raise ClinicError(
            f"presence: '{presence}' is not present or apologies", field="presence"
        ) from None
    clinic.updated_at = clock.now()
    session.flush()
    return attendee


def remove_attendee(*, session: Session, attendee_id: int, clock: Clock) -> None:
    attendee: Attendance = load(session, Attendance, attendee_id, "attendee")
    clinic = load_clinic(session, attendee.clinic_id)
    writable(clinic)
    session.delete(attendee)
    clinic.updated_at = clock.now()
    session.flush()
