"""Victims and witnesses on a case: who they are, how to reach them, support offered, court
dates they cannot attend, the R8 review, and the contact log (R7 is due per victim until a
contact is logged after each key police decision)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.casework import (
    ContactIn,
    Correspondence,
    MedicalDisclaimer,
    PartyContact,
    PersonIn,
    ReviewOutcome,
    Statement,
    StatementMeeting,
)
from cipco.models.referral import PartyKind, PartyRole, Referral, ReferralParty, Status
from cipco.models.referral import StatusChange as Move
from cipco.services import audit
from cipco.services.casework.common import (
    CaseworkError,
    dates_checked,
    in_order,
    party,
    referral,
    refresh,
)
from cipco.services.casework.queries import PEOPLE
from cipco.services.checks import not_before
from cipco.services.logspec import assign
from cipco.services.record_edit import editing

audit.track(PartyContact)

LABELS = {
    "support_on": "support offered",
    "review_requested_on": "review asked for",
    "review_outcome_on": "review outcome",
    "happened_at": "when",
}


def _values(data: PersonIn) -> dict[str, Any]:
    values = data.model_dump()
    values["unavailable"] = [
        {"from": r.start.isoformat(), "to": r.end.isoformat(), "note": r.note}
        for r in sorted(data.unavailable, key=lambda r: (r.start, r.end))
    ]
    return values


def _check(session: Session, referral_id: int, data: PersonIn, clock: Clock) -> None:
    dates_checked(
        clock,
        {k: getattr(data, k) for k in ("support_on", "review_requested_on", "review_outcome_on")},
        LABELS,
    )
    victim = data.role == PartyRole.VICTIM
    if data.nomis_number and data.kind != PartyKind.PRISONER:
        raise CaseworkError(
            "prison number: only a prisoner has one (choose kind: prisoner)", field="nomis_number"
        )
    if data.enhanced_rights and not victim:
        raise CaseworkError(
            "enhanced rights: only a victim has Victims' Code rights", field="enhanced_rights"
        )
    if not victim and (data.review_requested_on or data.review_outcome):
        raise CaseworkError(
            "review: only a victim may ask for a review (R8)", field="review_requested_on"
        )
    if data.review_outcome and not data.review_requested_on:
        raise CaseworkError(
            "review asked for: give the date the victim asked for the review",
            field="review_requested_on",
        )
    if data.review_outcome_on and data.review_outcome in (None, ReviewOutcome.AWAITED):
        raise CaseworkError(
            "review outcome: choose the outcome the review date is for", field="review_outcome"
        )
    in_order(
        data.review_outcome_on,
        data.review_requested_on,
        "review_outcome_on",
        "review outcome",
        "the request",
    )
    if data.review_requested_on is not None:
        nfa = session.scalar(
            select(func.min(Move.happened_at)).where(
                Move.referral_id == referral_id, Move.to_status == Status.NFA
            )
        )
        if nfa is None:
            raise CaseworkError(
                "review asked for: a review (R8) follows a police decision of NFA, and this "
                "referral has none",
                field="review_requested_on",
            )


def _mark_staff_victim(case: Referral, data: PersonIn) -> None:
    """A member of staff as a victim marks the referral (it is never unmarked here)."""
    if data.role == PartyRole.VICTIM and data.kind == PartyKind.STAFF and not case.staff_victim:
        case.staff_victim = True


def add_person(
    *, session: Session, referral_id: int, data: PersonIn, clock: Clock
) -> ReferralParty:
    """Put a victim, witness or further suspect on the referral."""
    case = referral(session, referral_id)
    _check(session, referral_id, data, clock)
    now = clock.now()
    person = ReferralParty(referral_id=referral_id, **_values(data), created_at=now, updated_at=now)
    session.add(person)
    _mark_staff_victim(case, data)
    refresh(session, case)
    return person


def update_person(
    *,
    session: Session,
    party_id: int,
    data: PersonIn,
    clock: Clock,
    expected_version: int | None = None,
) -> ReferralParty:
    with editing(PEOPLE, session, party_id, clock, expected_version) as person:
        case = referral(session, person.referral_id)
        _check(session, person.referral_id, data, clock)
        assign(person, _values(data))
        _mark_staff_victim(case, data)
    refresh(session, case)
    return person


def recorded_against(session: Session, party_id: int) -> list[str]:
    """What is recorded against a person (so they cannot be removed)."""
    kinds: list[tuple[Any, str]] = [
        (PartyContact, "contacts"),
        (Statement, "statements"),
        (StatementMeeting, "statement meetings"),
        (MedicalDisclaimer, "medical disclaimers"),
        (Correspondence, "letters"),
    ]
    found = []
    for model, words in kinds:
        count = session.scalar(
            select(func.count()).select_from(model).where(model.party_id == party_id)
        )
        if count:
            found.append(f"{count} {words}")
    return found


def remove_person(
    *, session: Session, party_id: int, clock: Clock, expected_version: int | None = None
) -> None:
    """Take a person added in error off the referral; refused once anything is recorded
    against them (their contacts, statements and letters are part of the case)."""
    person = PEOPLE.load(session, party_id, expected_version)
    held = recorded_against(session, party_id)
    if held:
        raise CaseworkError(
            f"{person.name} has {', '.join(held)} recorded: they stay on the case",
            field="party_id",
        )
    case = referral(session, person.referral_id)
    session.delete(person)
    refresh(session, case)


def log_contact(
    *, session: Session, referral_id: int, data: ContactIn, clock: Clock
) -> PartyContact:
    """Log a contact with a victim or witness: when, how, what was said, by whom."""
    case = referral(session, referral_id)
    party(session, referral_id, data.party_id, "party_id")
    dates_checked(clock, {"happened_at": data.happened_at}, LABELS)
    not_before(
        data.happened_at,
        case.discovered_at,
        "happened_at",
        "when",
        "the incident was discovered",
        error=CaseworkError,
    )
    actor = audit.actor_of(session)
    contact = PartyContact(
        **{**data.model_dump(), "by": data.by or actor},
        referral_id=referral_id,
        recorded_at=clock.now(),
        actor=actor,
    )
    session.add(contact)
    refresh(session, case)
    return contact
