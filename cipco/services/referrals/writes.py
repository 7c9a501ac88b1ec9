"""Changing referrals: create, edit, move along the workflow, log a follow-up."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from cipco.clock import Clock, to_london
from cipco.models.people import PrisonerIn
from cipco.models.referral import (
    FollowUp,
    Outcome,
    PartyIn,
    Referral,
    ReferralCreate,
    ReferralParty,
    ReferralUpdate,
    Status,
    StatusChange,
)
from cipco.services import audit
from cipco.services.checks import checked_move, not_before, not_future, real_dates, required
from cipco.services.flags import CLOSED_STATUSES, POLICE_DECISION_STATUSES
from cipco.services.logspec import assign, new_record
from cipco.services.prisoners import upsert_prisoner
from cipco.services.record_edit import editing
from cipco.services.referrals.queries import SERVICE
from cipco.services.referrals.rules import (
    OUTCOMES_FOR,
    POLICE_ASKED_ON,
    POLICE_FIELDS,
    REASON_REQUIRED,
    TRANSITIONS,
    ReferralError,
    category,
    check_force,
    outcome_label,
    parties,
    refresh_due,
    status_label,
)
from cipco.services.victims import summary

LAID_LABEL = "charge laid"
DATE_LABELS = {"incident_at": "incident date", "discovered_at": "discovered date"}


def next_reference(session: Session, clock: Clock) -> str:
    """The next tracker reference for this year: REF-2026-0001, REF-2026-0002, ..."""
    prefix = f"REF-{to_london(clock.now()).year}-"
    last = session.scalar(
        select(func.max(Referral.reference)).where(Referral.reference.startswith(prefix))  # type: ignore[union-attr]
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
    return f"{prefix}{number:04d}"


def _party_key(role: str, kind: str, name: str) -> tuple[str, str, str]:
    return (str(role), str(kind), " ".join(name.split()).casefold())


def _replace_parties(
    session: Session, referral: Referral, new: list[PartyIn], clock: Clock
) -> None:
    """The victims and witnesses typed as a list: people already on the case stay as they
    are (their contact log, statements and letters with them), new ones are added, and one
    left out is taken off only if nothing is recorded against them."""
    from cipco.services.casework.people import recorded_against

    assert referral.id is not None
    kept = {_party_key(p.role, p.kind, p.name): p for p in parties(session, referral.id)}
    now = clock.now()
    for party in new:
        old = kept.pop(_party_key(party.role, party.kind, party.name), None)
        if old is None:
            session.add(
                ReferralParty(
                    referral_id=referral.id, **party.model_dump(), created_at=now, updated_at=now
                )
            )
        elif party.statement_taken and not old.statement_taken:
            old.statement_taken = True
    for old in kept.values():
        held = recorded_against(session, old.id)  # type: ignore[arg-type]
        if held:
            raise ReferralError(
                f"victims and witnesses: {old.name} has {', '.join(held)} recorded and stays "
                "on the case",
                field="parties",
            )
        session.delete(old)
    session.flush()
    referral.victim_updated_at, referral.enhanced_victim = summary(session, referral)


def create_referral(*, session: Session, data: ReferralCreate, clock: Clock) -> Referral:
    """Add a referral (status draft) with its prisoner and victims/witnesses."""
    found = category(session, data.category_code)
    check_force(session, data.force_id)
    real_dates(data.model_dump(exclude={"prisoner", "parties"}), error=ReferralError)
    for key, label in DATE_LABELS.items():
        not_future(getattr(data, key), clock, key, label, error=ReferralError)
    _check_laid(data.adjudication_laid_at, data.discovered_at or data.incident_at, clock)
    reference = data.reference or next_reference(session, clock)
    if session.scalars(select(Referral.id).where(Referral.reference == reference)).first():
        raise ReferralError(f"reference: {reference} is already used", field="reference")
    prisoner = upsert_prisoner(session, data.prisoner, clock)
    fields = data.model_dump(exclude={"prisoner", "parties", "reference"})
    referral = new_record(
        Referral,
        clock,
        **fields,
        reference=reference,
        prisoner_id=prisoner.id,
        status=Status.DRAFT,
    )
    session.add(referral)
    session.flush()
    when = data.discovered_at or data.incident_at
    _record_move(session, referral, None, Status.DRAFT, when, clock, "created", None)
    if data.parties:
        _replace_parties(session, referral, data.parties, clock)
    referral.category_code = found.code
    refresh_due(session, referral)
    session.flush()
    return referral


def _check_laid(laid: datetime | None, discovered: datetime, clock: Clock) -> None:
    """The adjudication charge is laid after the incident is discovered, and not in future."""
    if laid is None:
        return
    not_future(laid, clock, "adjudication_laid_at", LAID_LABEL, error=ReferralError)
    not_before(
        laid, discovered, "adjudication_laid_at", LAID_LABEL, "the discovery", error=ReferralError
    )


def update_referral(
    *,
    session: Session,
    referral_id: int,
    data: ReferralUpdate,
    clock: Clock,
    expected_version: int | None = None,
) -> Referral:
    """Change the fields set in ``data``. Refused if the referral changed since it was read."""
    with editing(SERVICE, session, referral_id, clock, expected_version) as referral:
        changes = data.model_dump(exclude_unset=True)
        real_dates(changes, error=ReferralError)
        if "category_code" in changes:
            if changes["category_code"] is None:
                raise ReferralError("category: a referral needs a category", field="category_code")
            category(session, changes["category_code"])
        if "force_id" in changes:
            check_force(session, changes["force_id"])
        for key, label in DATE_LABELS.items():
            if key in changes:
                if changes[key] is None:
                    raise ReferralError(f"{label}: required", field=key)
                not_future(changes[key], clock, key, label, error=ReferralError)
        incident = changes.get("incident_at", referral.incident_at)
        discovered = changes.get("discovered_at", referral.discovered_at)
        not_before(
            discovered,
            incident,
            "discovered_at",
            "discovered date",
            "the incident",
            error=ReferralError,
        )
        if "adjudication_laid_at" in changes or "discovered_at" in changes:
            laid = changes.get("adjudication_laid_at", referral.adjudication_laid_at)
            _check_laid(laid, discovered, clock)
        prisoner_in = changes.pop("prisoner", None)
        if prisoner_in is not None:
            prisoner = upsert_prisoner(session, PrisonerIn.model_validate(prisoner_in), clock)
            if prisoner.id != referral.prisoner_id:
                referral.prisoner_id = prisoner.id  # type: ignore[assignment]
        new_parties = changes.pop("parties", None)
        assign(referral, changes)
        if new_parties is not None:
            new_people = [PartyIn.model_validate(p) for p in new_parties]
            _replace_parties(session, referral, new_people, clock)
        refresh_due(session, referral)
    return referral


def _outcome(target: Status, outcome: Outcome | str | None) -> Outcome | None:
    value: Outcome | None = None
    if outcome:
        try:
            value = Outcome(outcome)
        except ValueError:
            raise ReferralError(
                f"outcome: '{outcome}' is not an outcome", field="outcome"
            ) from None
    choices = OUTCOMES_FOR.get(target)
    if target == Status.CHARGED:
        return value or Outcome.CHARGED
    if choices and value is None:
        raise ReferralError(
            f"outcome: {status_label(target)} needs an outcome: "
            + ", ".join(outcome_label(o) for o in choices),
            field="outcome",
        )
    if choices and value not in choices:
        raise ReferralError(
            f"outcome: {outcome_label(value)} does not fit {status_label(target)}",
            field="outcome",
        )
    return value


def _record_move(
    session: Session,
    referral: Referral,
    from_status: Status | None,
    to_status: Status,
    when: datetime,
    clock: Clock,
    reason: str | None,
    outcome: Outcome | None,
) -> None:
    """One line of the referral's timeline: what moved, when it happened and was recorded."""
    session.add(
        StatusChange(
            referral_id=referral.id,
            from_status=from_status,
            to_status=to_status,
            happened_at=when,
            recorded_at=clock.now(),
            actor=audit.actor_of(session),
            reason=reason,
            outcome=outcome,
        )
    )


def last_move_at(session: Session, referral_id: int) -> datetime | None:
    """When the latest move of the workflow happened (creation counts)."""
    return session.scalar(
        select(func.max(StatusChange.happened_at)).where(StatusChange.referral_id == referral_id)
    )


def _police_values(police: Mapping[str, str | None]) -> dict[str, Any]:
    """The crime reference and OIC details given (cleaned and checked as in the edit form);
    blanks keep what is stored."""
    given = ReferralUpdate.model_validate({key: police.get(key) for key in POLICE_FIELDS})
    return {key: getattr(given, key) for key in POLICE_FIELDS if getattr(given, key)}


def move_status(
    *,
    session: Session,
    referral_id: int,
    to_status: Status | str,
    clock: Clock,
    reason: str | None = None,
    outcome: Outcome | str | None = None,
    happened_at: datetime | None = None,
    expected_version: int | None = None,
    police: Mapping[str, str | None] | None = None,
) -> Referral:
    """Move a referral along the workflow, or refuse naming the moves that are allowed.

    ``police`` (crime_ref, oic_name, oic_collar, oic_phone, oic_email) records what the
    police gave with the move; a person moving to Acknowledged gives the crime reference
    (:data:`POLICE_ASKED_ON`), which is what that status records. A move is never dated in
    the future, before the incident or before the previous move.
    """
    with editing(SERVICE, session, referral_id, clock, expected_version) as referral:
        current = Status(referral.status)
        target = checked_move(
            Status, TRANSITIONS, current, to_status, label=status_label, error=ReferralError
        )
        reason = (reason or "").strip() or None
        if target in REASON_REQUIRED and not reason:
            raise ReferralError(
                f"reason: a move to {status_label(target)} needs a reason", field="reason"
            )
        outcome_value = _outcome(target, outcome)
        given = _police_values(police) if police is not None else {}
        asked = police is not None and target in POLICE_ASKED_ON
        if asked and not (given.get("crime_ref") or referral.crime_ref):
            raise ReferralError(
                f"crime_ref: {status_label(target)} records the police's crime reference; type it",
                field="crime_ref",
            )
        now = clock.now()
        when = happened_at or now
        real_dates({"happened_at": when}, error=ReferralError)
        if when > now:
            raise ReferralError("when: a status move cannot be in the future", field="happened_at")
        not_before(
            when, referral.incident_at, "happened_at", "when", "the incident", error=ReferralError
        )
        assert referral.id is not None
        not_before(
            when,
            last_move_at(session, referral.id),
            "happened_at",
            "when",
            "the previous move",
            error=ReferralError,
        )
        assign(referral, given)
        referral.status = target
        referral.status_reason = reason
        if outcome_value is not None:
            referral.outcome = outcome_value
        if target == Status.REFERRED and referral.referred_at is None:
            referral.referred_at = when
            if referral.police_contacted_at is None:
                referral.police_contacted_at = when
        if target == Status.ACKNOWLEDGED and referral.acknowledged_at is None:
            referral.acknowledged_at = when
        if target == Status.CHARGED:
            referral.charged_at = when
        if target in POLICE_DECISION_STATUSES:
            referral.police_decision_at = when
        referral.closed_at = when if target in CLOSED_STATUSES else None
        _record_move(session, referral, current, target, when, clock, reason, outcome_value)
        refresh_due(session, referral)
    return referral


def add_follow_up(
    *,
    session: Session,
    referral_id: int,
    note: str,
    clock: Clock,
    method: str = "phone",
    happened_at: datetime | None = None,
) -> FollowUp:
    """Log a chase or contact ("chased OIC by phone")."""
    SERVICE.load(session, referral_id)
    note = required(note, "note", "note: say what was done", error=ReferralError)
    now = clock.now()
    when = happened_at or now
    real_dates({"happened_at": when}, error=ReferralError)
    not_future(when, clock, "happened_at", "when", error=ReferralError)
    follow_up = FollowUp(
        referral_id=referral_id,
        happened_at=when,
        recorded_at=now,
        actor=audit.actor_of(session),
        method=method,
        note=note,
    )
    session.add(follow_up)
    session.flush()
    return follow_up
