"""The people and papers as other pages show them: a prisoner as victim or witness (the
person page) and the clinic agenda's lines (statements outstanding, medical disclaimers not
returned, CPS actions due)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.dates import format_date
from cipco.models.casework import (
    STATEMENT_LABELS,
    CpsAction,
    MedicalDisclaimer,
    PartyContact,
    Statement,
    StatementState,
)
from cipco.models.people import Prisoner
from cipco.models.referral import Referral, ReferralParty
from cipco.models.vocab import PARTY_ROLE_LABELS
from cipco.services import settings
from cipco.services.casework.due import CLOSED
from cipco.services.casework.rules import day_flag, disclaimer_due
from cipco.services.flags import FlagSettings, Severity


@dataclass(frozen=True)
class CaseLine:
    """One referral on which a prisoner is a victim or witness (``id``: the referral)."""

    id: int
    party_id: int
    reference: str
    role: str
    last_contact_at: datetime | None
    statements: str
    disclaimers: str

    @property
    def role_text(self) -> str:
        return PARTY_ROLE_LABELS.get(self.role, self.role)


def prisoner_cases(session: Session, nomis_number: str) -> list[CaseLine]:
    """Every referral naming the prisoner as a victim or witness, newest first, with the
    last contact and where their statements and disclaimers stand."""
    people = session.execute(
        select(ReferralParty.id, ReferralParty.referral_id, ReferralParty.role, Referral.reference)
        .join(Referral, Referral.id == ReferralParty.referral_id)
        .where(ReferralParty.nomis_number == nomis_number)
        .order_by(Referral.incident_at.desc(), ReferralParty.id)
    ).all()
    if not people:
        return []
    ids = [p.id for p in people]
    last = dict(
        session.execute(  # type: ignore[arg-type]
            select(PartyContact.party_id, func.max(PartyContact.happened_at))
            .where(PartyContact.party_id.in_(ids))  # type: ignore[attr-defined]
            .group_by(PartyContact.party_id)
        ).all()
    )
    statements: dict[int, list[str]] = {}
    for party_id, state in session.execute(
        select(Statement.party_id, Statement.state).where(Statement.party_id.in_(ids))  # type: ignore[attr-defined]
    ):
        statements.setdefault(party_id, []).append(STATEMENT_LABELS.get(state, state).lower())
    disclaimers: dict[int, list[str]] = {}
    for party_id, issued, returned, sent in session.execute(
        select(
            MedicalDisclaimer.party_id,
            MedicalDisclaimer.issued_on,
            MedicalDisclaimer.returned_on,
            MedicalDisclaimer.sent_on,
        ).where(MedicalDisclaimer.party_id.in_(ids))  # type: ignore[union-attr]
    ):
        state = "sent" if sent else "returned" if returned else f"issued {format_date(issued)}"
        disclaimers.setdefault(party_id, []).append(state)
    return [
        CaseLine(
            p.referral_id,
            p.id,
            p.reference,
            p.role,
            last.get(p.id),
            "; ".join(statements.get(p.id, [])),
            "; ".join(disclaimers.get(p.id, [])),
        )
        for p in people
    ]


# ---------------------------------------------------------------- the clinic agenda


@dataclass(frozen=True)
class AgendaLine:
    source_id: int
    title: str
    detail: str
    referral_id: int


def _due_words(due: date | None, cfg: FlagSettings, now: datetime) -> str:
    if due is None:
        return ""
    severity = day_flag("", "", due, cfg).severity(now)
    if severity == Severity.OVERDUE:
        return f"OVERDUE since {format_date(due)}"
    return f"due {format_date(due)}"


def _settings(session: Session) -> tuple[FlagSettings, int]:
    values = settings.all_settings(session)
    return FlagSettings.from_values(values), int(values["disclaimer_return_days"])


def statement_lines(session: Session, clock: Clock) -> list[AgendaLine]:
    """Statements not yet sent to police on open referrals, the most urgent first."""
    cfg, _ = _settings(session)
    now = clock.now()
    lines = []
    for s, name, reference in session.execute(
        select(Statement, ReferralParty.name, Referral.reference)
        .join(ReferralParty, ReferralParty.id == Statement.party_id)
        .join(Referral, Referral.id == Statement.referral_id)
        .where(Statement.state != StatementState.SENT, Referral.status.not_in(CLOSED))  # type: ignore[attr-defined]
        .order_by(Statement.due_on.is_(None), Statement.due_on, Statement.id)  # type: ignore[union-attr]
    ):
        state = STATEMENT_LABELS.get(s.state, s.state)
        waiting = s.state in (StatementState.REQUESTED, StatementState.RETURNED)
        due = f", {_due_words(s.due_on, cfg, now)}" if waiting and s.due_on else ""
        lines.append(
            AgendaLine(s.id, f"{reference} statement from {name}", f"{state}{due}", s.referral_id)
        )
    return lines


def disclaimer_lines(session: Session, clock: Clock) -> list[AgendaLine]:
    """Medical disclaimers issued and not yet returned, on open referrals."""
    cfg, days = _settings(session)
    now = clock.now()
    lines = []
    for d, name, suspect, reference in session.execute(
        select(MedicalDisclaimer, ReferralParty.name, Prisoner.name, Referral.reference)
        .outerjoin(ReferralParty, ReferralParty.id == MedicalDisclaimer.party_id)
        .join(Referral, Referral.id == MedicalDisclaimer.referral_id)
        .join(Prisoner, Prisoner.id == Referral.prisoner_id)
        .where(MedicalDisclaimer.returned_on.is_(None), Referral.status.not_in(CLOSED))  # type: ignore[union-attr,attr-defined]
        .order_by(MedicalDisclaimer.issued_on, MedicalDisclaimer.id)
    ):
        who = name or f"{suspect or 'the suspect'} (suspect)"
        due = _due_words(disclaimer_due(d.issued_on, days), cfg, now)
        lines.append(
            AgendaLine(
                d.id,
                f"{reference} medical disclaimer: {who}",
                f"Issued {format_date(d.issued_on)}, back {due}",
                d.referral_id,
            )
        )
    return lines


def cps_lines(session: Session, clock: Clock) -> list[AgendaLine]:
    """CPS actions not done, on open referrals, by due date."""
    cfg, _ = _settings(session)
    now = clock.now()
    lines = []
    for a, reference in session.execute(
        select(CpsAction, Referral.reference)
        .join(Referral, Referral.id == CpsAction.referral_id)
        .where(CpsAction.done_on.is_(None), Referral.status.not_in(CLOSED))  # type: ignore[union-attr,attr-defined]
        .order_by(CpsAction.due_on.is_(None), CpsAction.due_on, CpsAction.id)  # type: ignore[union-attr]
    ):
        parts = [_due_words(a.due_on, cfg, now), f"owner {a.owner}" if a.owner else ""]
        detail = "; ".join(p for p in parts if p) or "no due date"
        lines.append(AgendaLine(a.id, f"{reference} CPS: {a.action}", detail, a.referral_id))
    return lines
