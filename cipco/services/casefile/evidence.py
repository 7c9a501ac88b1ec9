"""The evidence checklist of a referral: what is held, how we know, and what is outstanding.

An item is held when the coordinator ticked it on the referral, when an exhibit linked to the
referral is that evidence (a CCTV exhibit is the CCTV; any linked exhibit is "Exhibits"), or
when a statement was taken from a victim or witness. The proforma, the case file and the
detail screen all read it from here, so "CCTV: No" is never printed beside a linked CCTV
exhibit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from cipco.models.exhibit import Exhibit, ExhibitReferral, ExhibitType
from cipco.models.referral import EVIDENCE_ITEMS, PartyRole, Referral, ReferralParty
from cipco.models.vocab import TYPE_LABELS

# Evidence items an exhibit of a type is (besides "exhibits", which every exhibit is).
EXHIBIT_EVIDENCE: dict[str, str] = {
    ExhibitType.CCTV: "cctv",
    ExhibitType.BWV: "bwv",
}
STATEMENT_EVIDENCE: dict[str, str] = {
    PartyRole.VICTIM: "victim_statement",
    PartyRole.WITNESS: "witness_statements",
}
OUTSTANDING = "not held yet"


@dataclass(frozen=True)
class EvidenceItem:
    key: str
    label: str
    held: bool
    how: str  # "CCTV exhibit JB/1", "ticked on the referral", or "outstanding"


@dataclass(frozen=True)
class LinkedExhibit:
    id: int
    reference: str
    exhibit_type: str
    description: str


def linked_exhibits(session: Session, referral_id: int) -> list[LinkedExhibit]:
    """The exhibits linked to a referral, by reference."""
    rows = session.execute(
        select(Exhibit.id, Exhibit.reference, Exhibit.exhibit_type, Exhibit.description)
        .join(ExhibitReferral, ExhibitReferral.exhibit_id == Exhibit.id)
        .where(ExhibitReferral.referral_id == referral_id)
        .order_by(Exhibit.reference)
    )
    return [LinkedExhibit(*row) for row in rows]


def checklist(
    referral: Referral,
    exhibits: Sequence[LinkedExhibit],
    parties: Sequence[ReferralParty],
    *,
    hidden: frozenset[str] = frozenset(),
) -> list[EvidenceItem]:
    """Every checklist item in the agreed order, held or outstanding, with how we know.

    ``hidden`` prison numbers (people marked "do not share") are not named.
    """
    reasons: dict[str, list[str]] = {key: [] for key in EVIDENCE_ITEMS}
    for exhibit in exhibits:
        kind = TYPE_LABELS.get(exhibit.exhibit_type, "Exhibit")
        named = f"{kind} exhibit {exhibit.reference}"
        match = EXHIBIT_EVIDENCE.get(exhibit.exhibit_type)
        if match:
            reasons[match].append(named)
        reasons["exhibits"].append(named if not match else f"exhibit {exhibit.reference}")
    for party in parties:
        key = STATEMENT_EVIDENCE.get(party.role)
        if key and party.statement_taken:
            who = "a person not named here" if party.nomis_number in hidden else party.name
            reasons[key].append(f"statement taken from {who}")
    ticked = referral.evidence or {}
    items = []
    for key, label in EVIDENCE_ITEMS.items():
        found = list(reasons[key])
        if ticked.get(key):
            found.insert(0, "ticked on the referral")
        how = "; ".join(found) if found else OUTSTANDING
        items.append(EvidenceItem(key, label, bool(found), how))
    return items


def referral_checklist(
    session: Session, referral: Referral, *, hidden: frozenset[str] = frozenset()
) -> list[EvidenceItem]:
    """:func:`checklist` with the referral's linked exhibits and people read here."""
    assert referral.id is not None
    parties = list(
        session.scalars(select(ReferralParty).where(ReferralParty.referral_id == referral.id))
    )
    return checklist(referral, linked_exhibits(session, referral.id), parties, hidden=hidden)
