"""What the clinic's agenda, meeting and lists share: errors, states, cadence, look-ups.

A clinic moves ``draft → open → in progress → closed``. A closed clinic is read-only; its
actions stay open until done or dropped with a reason.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session, SQLModel

from cipco.clock import Clock, today
from cipco.dates import format_date
from cipco.models.clinic import (
    CLINIC_STATUS_LABELS,
    ActionStatus,
    AgendaItem,
    Attendance,
    Clinic,
    ClinicAction,
    ClinicStatus,
)
from cipco.models.referral import Referral
from cipco.services import audit, referrals, settings
from cipco.services.errors import (
    NotFoundError,
    ReadOnlyError,
    RecordError,
    StaleEditError,
    from_validation,
)
from cipco.services.logspec import flavoured

audit.track(Clinic, AgendaItem, ClinicAction, Attendance)

SchemaT = TypeVar("SchemaT", bound=SQLModel)

TRANSITIONS: dict[ClinicStatus, tuple[ClinicStatus, ...]] = {
    ClinicStatus.DRAFT: (ClinicStatus.OPEN, ClinicStatus.IN_PROGRESS),
    ClinicStatus.OPEN: (ClinicStatus.DRAFT, ClinicStatus.IN_PROGRESS),
    ClinicStatus.IN_PROGRESS: (ClinicStatus.OPEN, ClinicStatus.CLOSED),
    ClinicStatus.CLOSED: (),
}
POSITION_STEP = 10
OPEN_ACTION = ActionStatus.OPEN.value
"""An action is open until done or dropped; the others are final until reopened."""


class ClinicError(RecordError):
    """A clinic change was refused; the message says why, in the coordinator's words."""


class ClinicReadOnly(ClinicError, ReadOnlyError):
    """The clinic is closed: its agenda, attendance and minutes can no longer change."""


ClinicNotFound: type[RecordError] = flavoured(NotFoundError, ClinicError)
"""The clinic, item, action or attendee does not exist (any more): the same error the lists'
``load`` raises."""
ClinicStale: type[RecordError] = flavoured(StaleEditError, ClinicError)


def referral_id_for(session: Session, reference: str) -> int | None:
    """The id of the referral with this reference (blank: None); unknown is refused."""
    try:
        return referrals.referral_id_for(session, reference)
    except referrals.ReferralError as exc:
        raise ClinicError(str(exc), fields=exc.fields) from None


def status_label(status: str) -> str:
    return CLINIC_STATUS_LABELS.get(status, status)


def uk_date(day: date | None) -> str:
    return format_date(day)


def validate(schema: type[SchemaT], data: dict[str, Any]) -> SchemaT:
    """Validate user input against a schema; a problem names the field."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        raise from_validation(exc, error=ClinicError) from None


def frequency_days(session: Session) -> int:
    return max(1, settings.get_int(session, "clinic_frequency_days"))


def load(session: Session, model: Any, record_id: int, what: str) -> Any:
    record = session.get(model, record_id)
    if record is None:
        raise ClinicNotFound(f"{what} {record_id} does not exist (it may have been deleted)")
    return record


def load_clinic(session: Session, clinic_id: int) -> Clinic:
    clinic: Clinic = load(session, Clinic, clinic_id, "clinic")
    return clinic


def load_item(session: Session, item_id: int) -> AgendaItem:
    item: AgendaItem = load(session, AgendaItem, item_id, "agenda item")
    return item


def load_action(session: Session, action_id: int) -> ClinicAction:
    action: ClinicAction = load(session, ClinicAction, action_id, "action")
    return action


def clinic_of_action(session: Session, action_id: int) -> int:
    """The clinic an action was raised in (where it is discussed and minuted)."""
    return load_action(session, action_id).clinic_id


def writable(clinic: Clinic) -> None:
    if clinic.status == ClinicStatus.CLOSED:
        raise ClinicReadOnly(
            f"the clinic of {uk_date(clinic.held_on)} is closed and read-only; "
            "open actions can still be marked done or dropped from the actions screen",
            field="status",
        )


def check_referral(session: Session, referral_id: int | None) -> None:
    if referral_id is not None and session.get(Referral, referral_id) is None:
        raise ClinicError(f"referral: {referral_id} does not exist", field="referral_id")


def clinic_label(clinic: Clinic) -> str:
    return f"the clinic of {uk_date(clinic.held_on)}"


def latest_clinic(session: Session) -> Clinic | None:
    return session.scalars(select(Clinic).order_by(Clinic.held_on.desc()).limit(1)).first()  # type: ignore[attr-defined]


def clinic_on(session: Session, day: date) -> Clinic | None:
    return session.scalars(select(Clinic).where(Clinic.held_on == day)).first()


def previous_clinic(session: Session, day: date) -> Clinic | None:
    return session.scalars(
        select(Clinic).where(Clinic.held_on < day).order_by(Clinic.held_on.desc()).limit(1)  # type: ignore[attr-defined]
    ).first()


def clinics_not_yet_held(session: Session, after: date) -> list[Clinic]:
    """The clinics dated after ``after`` still draft or open: their agendas can still change."""
    not_held = [ClinicStatus.DRAFT.value, ClinicStatus.OPEN.value]
    return list(
        session.scalars(
            select(Clinic).where(Clinic.held_on > after, Clinic.status.in_(not_held))  # type: ignore[attr-defined]
        )
    )


def next_clinic_date(session: Session, clock: Clock) -> date:
    """The next date on the cadence: last clinic + frequency, rolled forward to today or later."""
    now_day = today(clock)
    last = latest_clinic(session)
    if last is None:
        return now_day
    step = timedelta(days=frequency_days(session))
    day = last.held_on + step
    while day < now_day:
        day += step
    return day


def clinic_id_for(session: Session, day: date | None = None) -> int:
    """The clinic held on ``day``, or the latest one; refused with a clear message."""
    clinic = latest_clinic(session) if day is None else clinic_on(session, day)
    if clinic is None or clinic.id is None:
        if day is None:
            raise ClinicNotFound("there are no clinics yet")
        raise ClinicNotFound(f"date: there is no clinic on {uk_date(day)}", field="held_on")
    return clinic.id


def next_held_on(session: Session, clinic: Clinic) -> date:
    return clinic.held_on + timedelta(days=frequency_days(session))
