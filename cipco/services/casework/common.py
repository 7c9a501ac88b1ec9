"""What the casework services share: the error, look-ups that check a record belongs to the
referral asked about, the refresh every change ends with, and the services' settings."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock, add_working_days
from cipco.dates import format_date
from cipco.models.referral import Referral, ReferralParty
from cipco.models.vocab import PARTY_ROLE_LABELS
from cipco.services import settings
from cipco.services.checks import not_future, real_dates
from cipco.services.errors import RecordError
from cipco.services.referrals.queries import SERVICE as REFERRALS
from cipco.services.referrals.rules import refresh_due
from cipco.services.victims import summary

T = TypeVar("T")


class CaseworkError(RecordError):
    """A change to the people or papers of a referral was refused; the message says why."""


def referral(session: Session, referral_id: int) -> Referral:
    return REFERRALS.load(session, referral_id)


def party(session: Session, referral_id: int, party_id: int | None, field: str) -> ReferralParty:
    """The person ``party_id`` on this referral, or a refusal naming ``field``."""
    found = session.get(ReferralParty, party_id) if party_id is not None else None
    if found is None or found.referral_id != referral_id:
        raise CaseworkError(f"{_words(field)}: choose a person on this referral", field=field)
    return found


def _words(field: str) -> str:
    return field.removesuffix("_id").replace("_", " ").replace("party", "person")


def person_label(person: ReferralParty | None, suspect: str = "the suspect") -> str:
    """``Officer K. Ahmed (victim)``; None is the referral's suspect."""
    if person is None:
        return suspect
    return f"{person.name} ({PARTY_ROLE_LABELS.get(person.role, person.role).lower()})"


def refresh(session: Session, referral: Referral) -> None:
    """After any change to its people or papers: the referral's victim summary (latest
    contact, enhanced rights) and its next deadline."""
    session.flush()
    updated, enhanced = summary(session, referral)
    if referral.victim_updated_at != updated:
        referral.victim_updated_at = updated
    if referral.enhanced_victim != enhanced:
        referral.enhanced_victim = enhanced
    refresh_due(session, referral)
    session.flush()


def dates_checked(
    clock: Clock, values: dict[str, date | datetime | None], labels: dict[str, str]
) -> None:
    """No date before 1900 and none in the future (a record of what was done)."""
    real_dates(values, error=CaseworkError, labels=labels)
    for key, value in values.items():
        not_future(value, clock, key, labels.get(key, key), error=CaseworkError)


def in_order(later: date | None, earlier: date | None, field: str, label: str, what: str) -> None:
    """Refuse ``later`` dated before ``earlier`` (``what`` names it: "the request")."""
    if later is not None and earlier is not None and later < earlier:
        raise CaseworkError(
            f"{label}: {format_date(later)} is before {what} ({format_date(earlier)})",
            field=field,
        )


def working_days_after(day: date, key: str, session: Session) -> date:
    return add_working_days(day, settings.get_int(session, key))


def of_referral(session: Session, model: type[T], referral_id: int, *order: Any) -> list[T]:
    """The records of ``model`` on the referral, in ``order`` (none given: as stored)."""
    query = select(model).where(model.referral_id == referral_id)  # type: ignore[attr-defined]
    return list(session.scalars(query.order_by(*order) if order else query))


def people_of(session: Session, referral_id: int) -> list[ReferralParty]:
    return of_referral(session, ReferralParty, referral_id, ReferralParty.id)
