"""R7 per victim: which key police decisions each victim has not yet been told of.

Key decisions [policy, Victims' Code; our reading of "key police decisions"]: the moves to
NFA, charged, out-of-court disposal and file to CPS (with CPS), any move out of "with CPS"
(the CPS's decision) and the court outcome (concluded). Each starts a victim's clock: the
victim is due to be told within 5 working days (1 with enhanced rights) unless a contact with
them is logged on or after it. A contact covers every decision made before it.

This module reads only the models, so the referral rules can ask it on every write.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from cipco import dbread
from cipco.dates import before
from cipco.models.vocab import STATUS_LABELS, PartyRole, Status
from cipco.services.flags import VictimUpdate

if TYPE_CHECKING:
    from sqlmodel import Session

    from cipco.models.referral import Referral

KEY_DECISIONS: dict[Status, str] = {
    Status.NFA: "NFA",
    Status.CHARGED: "charged",
    Status.OUT_OF_COURT: "out-of-court disposal",
    Status.WITH_CPS: "file sent to CPS",
    Status.CONCLUDED: "court outcome",
}
CPS_DECISION = "CPS decision"


def decision_label(from_status: str | None, to_status: str) -> str | None:
    """The move in words if it is a key decision a victim must be told of, else None."""
    try:
        target = Status(to_status)
    except ValueError:
        return None
    if from_status == Status.WITH_CPS:
        what = KEY_DECISIONS.get(target) or STATUS_LABELS.get(target, to_status).lower()
        return f"{CPS_DECISION}: {what}"
    key = KEY_DECISIONS.get(target)
    return key[0].upper() + key[1:] if key else None


@dataclass(frozen=True)
class Decision:
    referral_id: int
    at: datetime
    label: str


@dataclass(frozen=True)
class Victim:
    party_id: int
    referral_id: int
    name: str
    enhanced: bool
    last_contact: datetime | None


def decisions_of(bind: Any, referral_ids: Iterable[int] | None) -> dict[int, list[Decision]]:
    """Every key decision of the referrals (all referrals when None), oldest first; read
    through :mod:`cipco.dbread` (a session, a Core or a DB-API connection)."""
    ids = list(referral_ids) if referral_ids is not None else None
    found: dict[int, list[Decision]] = defaultdict(list)
    for rid, from_status, to_status, at in dbread.decisions(bind, ids):
        label = decision_label(from_status, to_status)
        if label:
            found[rid].append(Decision(rid, dbread.instant(at), label))  # type: ignore[arg-type]
    return found


def victims_of(bind: Any, referral_ids: Iterable[int] | None) -> dict[int, list[Victim]]:
    """Every victim of the referrals (all when None) with their latest logged contact."""
    ids = list(referral_ids) if referral_ids is not None else None
    found: dict[int, list[Victim]] = defaultdict(list)
    for pid, rid, name, enhanced, contact in dbread.victims(bind, ids, PartyRole.VICTIM.value):
        found[rid].append(Victim(pid, rid, name, dbread.flag(enhanced), dbread.instant(contact)))
    return found


def untold(victim: Victim, decisions: Sequence[Decision]) -> Decision | None:
    """The first key decision made after the victim's last contact (their clock), or None."""
    for decision in decisions:
        if victim.last_contact is None or before(victim.last_contact, decision.at):
            return decision
    return None


def updates_for(
    referral: Referral, victims: Sequence[Victim], decisions: Sequence[Decision]
) -> list[VictimUpdate]:
    """R7 for each victim of one referral not yet told of a key decision.

    A referral marked "staff victim" with no victim recorded gets one line asking for the
    victim to be recorded, from its first key decision (nobody can have been told)."""
    updates: list[VictimUpdate] = []
    for victim in victims:
        pending = untold(victim, decisions)
        if pending is not None:
            updates.append(
                VictimUpdate(
                    victim.party_id, victim.name, victim.enhanced, pending.at, pending.label
                )
            )
    if not victims and referral.staff_victim and decisions:
        # no victim recorded: the referral's typed "victim last updated" stands for them
        told = Victim(
            0, referral.id or 0, "", bool(referral.enhanced_victim), referral.victim_updated_at
        )
        pending = untold(told, decisions)
        if pending is not None:
            updates.append(
                VictimUpdate(None, None, referral.enhanced_victim, pending.at, pending.label)
            )
    return updates


def victim_updates(session: Any, referral: Referral) -> list[VictimUpdate]:
    """R7 for one referral, read from its moves and its victims' contact log."""
    if referral.id is None:
        return []
    decisions = decisions_of(session, [referral.id]).get(referral.id, [])
    if not decisions:
        return []
    return updates_for(referral, victims_of(session, [referral.id]).get(referral.id, []), decisions)


def summary(session: Any, referral: Referral) -> tuple[datetime | None, bool]:
    """What the referral keeps of its victims for referral-level reports: the latest of the
    typed "victim last updated" and any victim's logged contact, and whether the referral or
    any victim has enhanced rights (a typed value is never lost to a derived one)."""
    victims = victims_of(session, [referral.id]).get(referral.id or 0, [])
    contacts = [v.last_contact for v in victims if v.last_contact is not None]
    if referral.victim_updated_at is not None:
        contacts.append(referral.victim_updated_at)
    enhanced = bool(referral.enhanced_victim) or any(v.enhanced for v in victims)
    return (max(contacts) if contacts else None), enhanced


def review_notes(session: Session, referral_id: int) -> list[str]:
    """R8: each victim's request for a review after NFA, in words, for the referral page."""
    from sqlalchemy import select

    from cipco.dates import format_date
    from cipco.models.casework import REVIEW_LABELS, ReviewOutcome
    from cipco.models.referral import ReferralParty

    notes = []
    for name, asked, outcome, decided in session.execute(
        select(
            ReferralParty.name,
            ReferralParty.review_requested_on,
            ReferralParty.review_outcome,
            ReferralParty.review_outcome_on,
        )
        .where(
            ReferralParty.referral_id == referral_id,
            ReferralParty.review_requested_on.is_not(None),  # type: ignore[union-attr]
        )
        .order_by(ReferralParty.review_requested_on)
    ):
        state = REVIEW_LABELS.get(outcome or ReviewOutcome.AWAITED, outcome or "")
        when = f" ({format_date(decided)})" if decided and outcome != ReviewOutcome.AWAITED else ""
        notes.append(f"R8: {name} asked for a review on {format_date(asked)}: {state}{when}")
    return notes


def victims_and_contacts(
    session: Session, referral_ids: Sequence[int]
) -> tuple[dict[int, list[tuple[int, bool]]], dict[int, list[datetime]]]:
    """Each referral's victims (id, enhanced rights) and each victim's contacts, oldest
    first: what the R7 measure counts by."""
    from sqlalchemy import select

    from cipco.models.casework import PartyContact
    from cipco.models.referral import ReferralParty

    people: dict[int, list[tuple[int, bool]]] = defaultdict(list)
    contacts: dict[int, list[datetime]] = defaultdict(list)
    for start in range(0, len(referral_ids), 500):  # SQLite's bound-parameter limit
        chunk = referral_ids[start : start + 500]
        for pid, rid, enhanced in session.execute(
            select(ReferralParty.id, ReferralParty.referral_id, ReferralParty.enhanced_rights)
            .where(ReferralParty.referral_id.in_(chunk))  # type: ignore[attr-defined]
            .where(ReferralParty.role == PartyRole.VICTIM)
        ):
            people[rid].append((pid, bool(enhanced)))
        for pid, at in session.execute(
            select(PartyContact.party_id, PartyContact.happened_at)
            .where(PartyContact.referral_id.in_(chunk))  # type: ignore[attr-defined]
            .order_by(PartyContact.happened_at)
        ):
            contacts[pid].append(at)
    return people, contacts
