"""The referral workflow's facts: moves allowed, reasons and outcomes required, labels.

Screens and exports ask these, never re-list them.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlmodel import Session

from cipco.models.people import Prisoner
from cipco.models.reference import CrimeCategory, Force
from cipco.models.referral import (
    OUTCOME_LABELS,
    Outcome,
    PartyRole,
    Referral,
    ReferralParty,
    Status,
)
from cipco.models.vocab import STATUS_LABELS
from cipco.services import audit, settings
from cipco.services.casework.due import BulkInputs, bulk_inputs  # noqa: F401  (re-exported)
from cipco.services.errors import RecordError
from cipco.services.flags import (
    CLOSED_STATUSES,
    DueFlag,
    FlagSettings,
    VictimUpdate,
    apply_next_due,
    referral_flags,
)
from cipco.services.victims import victim_updates

audit.track(Referral, ReferralParty, Prisoner)

TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (Status.REFERRED, Status.WITHDRAWN),
    Status.REFERRED: (
        Status.ACKNOWLEDGED,
        Status.NFA,
        Status.RETURNED,
        Status.WITHDRAWN,
        Status.TRANSFERRED,
    ),
    Status.ACKNOWLEDGED: (
        Status.INVESTIGATING,
        Status.NFA,
        Status.OUT_OF_COURT,
        Status.RETURNED,
        Status.WITHDRAWN,
        Status.TRANSFERRED,
    ),
    Status.INVESTIGATING: (
        Status.WITH_CPS,
        Status.CHARGED,
        Status.NFA,
        Status.OUT_OF_COURT,
        Status.RETURNED,
        Status.WITHDRAWN,
        Status.TRANSFERRED,
    ),
    Status.WITH_CPS: (Status.CHARGED, Status.NFA, Status.OUT_OF_COURT, Status.RETURNED),
    Status.CHARGED: (Status.AT_COURT, Status.CONCLUDED),
    Status.AT_COURT: (Status.CONCLUDED,),
    Status.CONCLUDED: (),
    Status.NFA: (Status.INVESTIGATING,),  # reopened after a Victims' Right to Review
    Status.OUT_OF_COURT: (),
    Status.RETURNED: (),
    Status.WITHDRAWN: (),
    Status.TRANSFERRED: (),
}
REASON_REQUIRED = frozenset({Status.NFA, Status.WITHDRAWN})
OUTCOMES_FOR: dict[Status, tuple[Outcome, ...]] = {
    Status.NFA: (
        Outcome.NFA_EVIDENTIAL_VICTIM_SUPPORTS,
        Outcome.NFA_EVIDENTIAL_VICTIM_NOT,
        Outcome.NFA_PUBLIC_INTEREST_POLICE,
        Outcome.NFA_PUBLIC_INTEREST_CPS,
        Outcome.TIME_LIMIT_EXPIRED,
        Outcome.NO_SUSPECT,
        Outcome.OTHER_BODY_PRIMACY,
    ),
    Status.OUT_OF_COURT: (Outcome.CAUTION, Outcome.COMMUNITY_RESOLUTION),
    Status.CHARGED: (Outcome.CHARGED,),
    Status.CONCLUDED: (Outcome.CONVICTED, Outcome.ACQUITTED, Outcome.DISCONTINUED),
}
POLICE_FIELDS = ("crime_ref", "oic_name", "oic_collar", "oic_phone", "oic_email")
"""What the police give when they acknowledge a referral, recorded with the move."""
POLICE_ASKED_ON = frozenset({Status.ACKNOWLEDGED})
"""Moves a person makes that must record the police's crime reference."""

CLOSED = frozenset(status.value for status in CLOSED_STATUSES)


class ReferralError(RecordError):
    """A referral change was refused; the message says why, in the coordinator's words."""


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def outcome_label(outcome: str | None) -> str:
    return OUTCOME_LABELS.get(outcome, outcome or "") if outcome else ""


def allowed_moves(status: str) -> tuple[Status, ...]:
    return TRANSITIONS[Status(status)]


def is_closed(status: str) -> bool:
    """Concluded, NFA, out-of-court, returned, withdrawn or transferred."""
    return str(status) in CLOSED


def needs_reason(status: str) -> bool:
    return Status(status) in REASON_REQUIRED


def outcomes_for(status: str) -> tuple[Outcome, ...]:
    """The outcomes a move to ``status`` may record (empty: none asked)."""
    return OUTCOMES_FOR.get(Status(status), ())


def flag_settings(session: Session) -> FlagSettings:
    return FlagSettings.from_values(settings.all_settings(session))


def category(session: Session, code: str) -> CrimeCategory:
    found = session.get(CrimeCategory, code)
    if found is None:
        raise ReferralError(f"category: '{code}' is not a crime category", field="category_code")
    return found


def check_force(session: Session, force_id: str | None) -> None:
    if force_id and session.get(Force, force_id) is None:
        raise ReferralError(f"force: '{force_id}' is not a police force", field="force_id")


def parties(session: Session, referral_id: int) -> list[ReferralParty]:
    return list(
        session.scalars(
            select(ReferralParty)
            .where(ReferralParty.referral_id == referral_id)
            .order_by(ReferralParty.id)
        )
    )


def has_victims(session: Session, referral: Referral) -> bool:
    if referral.staff_victim:
        return True
    if referral.id is None:
        return False
    return bool(
        session.scalar(
            select(func.count())
            .select_from(ReferralParty)
            .where(
                ReferralParty.referral_id == referral.id,
                ReferralParty.role == PartyRole.VICTIM,
            )
        )
    )


def refresh_due(
    session: Session,
    referral: Referral,
    flag_cfg: FlagSettings | None = None,
    victims: list[VictimUpdate] | None = None,
    papers: list[DueFlag] | None = None,
) -> None:
    """Recompute and store the referral's earliest deadline (R7 per victim from the contact
    log, and its papers' deadlines; pass ``victims`` and ``papers`` when read in bulk)."""
    cfg = flag_cfg or flag_settings(session)
    found = session.get(CrimeCategory, referral.category_code)
    if victims is None:
        victims = victim_updates(session, referral)
    if papers is None:
        papers = paper_flags(session, referral, cfg)
    flags = referral_flags(referral, found, cfg, victims=victims, papers=papers)
    apply_next_due(referral, flags)


def paper_flags(session: Session, referral: Referral, cfg: FlagSettings) -> list[DueFlag]:
    """What is due in the referral's statements, disclaimers, CPS actions and meetings."""
    from cipco.services.casework.due import paper_items

    if referral.id is None:
        return []
    return [item.flag for item in paper_items(session, [referral.id], cfg)]


def recompute_due(session: Session, referral_ids: list[int] | None = None) -> int:
    """Every referral's next deadline again (``referral_ids``: only these), the contact log
    and the moves read in one pass each. Returns the count."""
    cfg = flag_settings(session)
    statement = select(Referral)
    if referral_ids is not None:
        statement = statement.where(Referral.id.in_(referral_ids))  # type: ignore[union-attr]
    referrals = list(session.scalars(statement))
    inputs = bulk_inputs(session, referrals, cfg, every=referral_ids is None)
    for referral in referrals:
        assert referral.id is not None
        refresh_due(session, referral, cfg, *inputs.of(referral.id))
    session.flush()
    return len(referrals)


def recompute_all_due(session: Session) -> int:
    """After a settings change: every referral's next deadline again. Returns the count."""
    return recompute_due(session)
