"""One referral as the detail screen shows it: flags, timeline and audited history in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock, to_london
from cipco.models.people import Prisoner
from cipco.models.reference import CrimeCategory, Force
from cipco.models.referral import FollowUp, Referral, ReferralParty, Status, StatusChange
from cipco.services import audit
from cipco.services.flags import DueFlag, Severity, information, referral_flags
from cipco.services.referrals.queries import SERVICE
from cipco.services.referrals.rules import (
    TRANSITIONS,
    category,
    flag_settings,
    outcome_label,
    paper_flags,
    parties,
    status_label,
)
from cipco.services.victims import review_notes, victim_updates


@dataclass(frozen=True)
class FlagView:
    rule: str
    label: str
    due_at: datetime
    severity: Severity


@dataclass(frozen=True)
class TimelineEntry:
    happened_at: datetime
    recorded_at: datetime
    actor: str
    kind: str  # status | follow-up
    text: str


@dataclass(frozen=True)
class HistoryEntry:
    """One audited change, in words: field label and values as a coordinator reads them."""

    at: datetime
    actor: str
    field: str
    old: str
    new: str
    action: str


FIELD_LABELS: dict[str, str] = {
    "category_code": "Category",
    "prisoner_id": "Prisoner",
    "incident_at": "Incident",
    "discovered_at": "Discovered",
    "aggravating_factors": "Aggravating factors",
    "force_id": "Force",
    "crime_ref": "Crime reference",
    "oic_name": "OIC name",
    "oic_collar": "OIC collar number",
    "oic_phone": "OIC phone",
    "oic_email": "OIC e-mail",
    "adjudication_charge": "Adjudication charge",
    "adjudication_state": "Adjudication state",
    "adjudication_laid_at": "Adjudication charge laid",
    "footage_requested_on": "Footage requested",
    "police_contacted_at": "Police contacted",
    "referred_at": "Referred",
    "acknowledged_at": "Acknowledged",
    "police_decision_at": "Police decision",
    "charged_at": "Charged",
    "closed_at": "Closed",
    "victim_updated_at": "Victim last updated",
    "status_reason": "Reason",
    "next_step_due": "Next step due",
    "outcome_number": "Home Office outcome number",
}
ADJUDICATION_LABELS: dict[str, str] = {
    "REFER_POLICE": "Referred to police",
    "PROSECUTION": "Prosecution",
    "NOT_PROCEED": "Not proceeded with",
    "SCHEDULED": "Hearing scheduled (resumed)",
    "REFER_INAD": "Referred to independent adjudicator",
    "REFER_GOV": "Referred to governor",
}


def adjudication_label(state: str | None) -> str:
    return ADJUDICATION_LABELS.get(state, state or "") if state else ""


def field_label(field: str | None) -> str:
    if not field:
        return ""
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def value_text(field: str | None, value: str | None) -> str:
    """An audited value as the coordinator would type or read it."""
    if value is None or value == "":
        return "—"
    if field == "status":
        return status_label(value)
    if field == "outcome":
        return outcome_label(value)
    if field == "adjudication_state":
        return adjudication_label(value)
    if value in ("True", "False"):
        return "yes" if value == "True" else "no"
    if field and field.endswith("_at"):
        try:
            return f"{to_london(datetime.fromisoformat(value)):%d/%m/%Y %H:%M}"
        except ValueError:
            return value
    if field and field.endswith(("_on", "_due")):
        try:
            return f"{date.fromisoformat(value):%d/%m/%Y}"
        except ValueError:
            return value
    return value


@dataclass(frozen=True)
class ReferralDetail:
    referral: Referral
    prisoner: Prisoner
    category: CrimeCategory
    force_name: str
    parties: list[ReferralParty]
    flags: list[FlagView]
    information: list[str]
    timeline: list[TimelineEntry]
    history: list[HistoryEntry]
    allowed_moves: tuple[Status, ...]


def referral_detail(session: Session, referral_id: int, clock: Clock) -> ReferralDetail:
    """Everything the detail screen shows about one referral."""
    referral = SERVICE.load(session, referral_id)
    now = clock.now()
    found = category(session, referral.category_code)
    prisoner = session.get(Prisoner, referral.prisoner_id)
    assert prisoner is not None
    force = session.get(Force, referral.force_id) if referral.force_id else None
    cfg = flag_settings(session)
    flags: list[DueFlag] = referral_flags(
        referral,
        found,
        cfg,
        victims=victim_updates(session, referral),
        papers=paper_flags(session, referral, cfg),
    )
    timeline = [
        TimelineEntry(
            c.happened_at,
            c.recorded_at,
            c.actor,
            "status",
            (
                f"{status_label(c.from_status)} → {status_label(c.to_status)}"
                if c.from_status
                else f"Created as {status_label(c.to_status)}"
            )
            + (f" ({outcome_label(c.outcome)})" if c.outcome else "")
            + (f": {c.reason}" if c.reason and c.reason != "created" else ""),
        )
        for c in session.scalars(
            select(StatusChange).where(StatusChange.referral_id == referral_id)
        )
    ] + [
        TimelineEntry(f.happened_at, f.recorded_at, f.actor, "follow-up", f"[{f.method}] {f.note}")
        for f in session.scalars(select(FollowUp).where(FollowUp.referral_id == referral_id))
    ]
    timeline.sort(key=lambda e: (e.happened_at, e.recorded_at))
    history = [
        HistoryEntry(
            e.at,
            e.actor,
            field_label(e.field) or {"insert": "Created", "delete": "Deleted"}.get(e.action, ""),
            value_text(e.field, e.old) if e.field else "",
            value_text(e.field, e.new) if e.field else "",
            e.action,
        )
        for e in audit.history(session, "referral", referral_id)
    ]
    return ReferralDetail(
        referral=referral,
        prisoner=prisoner,
        category=found,
        force_name=force.name if force else "",
        parties=parties(session, referral_id),
        flags=[FlagView(f.rule, f.label, f.due_at, f.severity(now)) for f in flags],
        information=information(referral, now, review_notes(session, referral_id)),
        timeline=timeline,
        history=history,
        allowed_moves=TRANSITIONS[Status(referral.status)],
    )
