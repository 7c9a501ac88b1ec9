"""One page per prisoner: everything cipco knows about them, across every log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock, today
from cipco.dates import format_date
from cipco.models.clinic import ClinicAction
from cipco.models.exhibit import STATE_LABELS as EXHIBIT_STATE_LABELS
from cipco.models.exhibit import Exhibit
from cipco.models.mg4d import STATE_LABELS, ChargePapers
from cipco.models.people import Prisoner, normalise_nomis
from cipco.models.person import (
    ALERT_LABELS,
    ASSOCIATION_LABELS,
    AncillaryOrder,
    Association,
    CustodyEvent,
    PersonOfInterest,
    StartRule,
)
from cipco.models.reference import CrimeCategory, OrderType
from cipco.models.referral import PartyRole, Referral, ReferralParty
from cipco.models.vocab import START_RULE_LABELS, STATUS_LABELS, TRIGGER_LABELS
from cipco.services import settings
from cipco.services.casework.view import CaseLine, prisoner_cases
from cipco.services.logspec import label_of, row_from
from cipco.services.persons.rules import PersonFlag, person_flags


def _labels(session: Session) -> dict[str, str]:
    return {code: label for code, label in session.execute(select(OrderType.code, OrderType.label))}


@dataclass(frozen=True)
class OrderView:
    id: int
    order_type_code: str
    label: str
    court: str
    made_on: date
    start_rule: str
    start_on: date | None
    end_on: date | None
    until_further_order: bool
    conditions: str
    review_on: date | None
    version: int

    @property
    def start_text(self) -> str:
        if self.start_rule == StartRule.DATE and self.start_on:
            return format_date(self.start_on)
        return START_RULE_LABELS.get(self.start_rule, self.start_rule)

    @property
    def end_text(self) -> str:
        if self.until_further_order:
            return "Until further order"
        return format_date(self.end_on)


@dataclass(frozen=True)
class AssociationView:
    id: int
    kind: str
    nomis_number: str
    name: str
    note: str

    kind_label = label_of("kind", ASSOCIATION_LABELS)


@dataclass(frozen=True)
class EventView:
    id: int
    kind: str
    happened_at: datetime
    detail: str
    notify_due_on: date | None
    notified_at: datetime | None
    notified_how: str

    kind_label = label_of("kind", TRIGGER_LABELS)


@dataclass(frozen=True)
class PersonView:
    id: int
    band: int | None
    alert_codes: tuple[str, ...]
    alert_labels: tuple[str, ...]
    ocg_name: str
    last_review_on: date | None
    next_review_on: date | None
    release_date: date | None
    do_not_share: bool
    reason: str
    notes: str
    version: int
    flags: tuple[PersonFlag, ...]
    orders: tuple[OrderView, ...]
    events: tuple[EventView, ...]


@dataclass(frozen=True)
class ReferralLine:
    id: int
    reference: str
    role: str  # suspect / victim / witness
    category: str
    incident_at: datetime
    status: str
    status_label: str


@dataclass(frozen=True)
class PapersLine:
    id: int
    form_label: str
    charges: str
    court: str
    first_hearing_on: date | None
    received_at: datetime
    state: str
    state_label: str
    served_at: datetime | None


@dataclass(frozen=True)
class ExhibitLine:
    id: int
    reference: str
    description: str
    status: str


@dataclass(frozen=True)
class ActionLine:
    id: int
    referral_reference: str
    text: str
    owner: str
    due_on: date | None
    status: str


@dataclass(frozen=True)
class PersonPageData:
    prisoner_id: int
    nomis_number: str
    name: str
    pnc: str
    date_of_birth: date | None
    location: str
    person: PersonView | None
    referrals: list[ReferralLine] = field(default_factory=list)
    papers: list[PapersLine] = field(default_factory=list)
    exhibits: list[ExhibitLine] = field(default_factory=list)
    actions: list[ActionLine] = field(default_factory=list)
    associations: list[AssociationView] = field(default_factory=list)
    cases: list[CaseLine] = field(default_factory=list)  # as a victim or witness


def _order_views(session: Session, person_id: int) -> list[OrderView]:
    labels = _labels(session)
    return [
        row_from(OrderView, o, label=labels.get(o.order_type_code, o.order_type_code))
        for o in session.scalars(
            select(AncillaryOrder)
            .where(AncillaryOrder.person_id == person_id)
            .order_by(AncillaryOrder.made_on.desc(), AncillaryOrder.id)  # type: ignore[attr-defined]
        )
    ]


def person_view(
    session: Session, person: PersonOfInterest, location: str | None, clock: Clock
) -> PersonView:
    assert person.id is not None
    on = today(clock)
    orders = _order_views(session, person.id)
    events = [
        row_from(EventView, e, notified_how=e.notified_how or "")
        for e in session.scalars(
            select(CustodyEvent)
            .where(CustodyEvent.person_id == person.id)
            .order_by(CustodyEvent.happened_at.desc())  # type: ignore[attr-defined]
        )
    ]
    flags = person_flags(
        person,
        location=location,
        orders=[(o, o.label) for o in orders],
        pending_events=[
            (e.kind, e.notify_due_on) for e in events if e.notified_at is None and e.notify_due_on
        ],
        on=on,
        warn_days=settings.get_int(session, "order_expiry_warn_days"),
    )
    codes = tuple(person.alert_codes or ())
    return row_from(
        PersonView,
        person,
        band=person.soc_band,
        alert_codes=codes,
        alert_labels=tuple(f"{c} {ALERT_LABELS.get(c, '')}".strip() for c in codes),
        ocg_name=person.ocg_name or "",
        flags=tuple(flags),
        orders=tuple(orders),
        events=tuple(events),
    )


def _referral_lines(session: Session, prisoner: Prisoner) -> list[ReferralLine]:
    columns = (
        Referral.id,
        Referral.reference,
        CrimeCategory.label,
        Referral.incident_at,
        Referral.status,
    )
    lines: dict[int, ReferralLine] = {}
    suspect = (
        select(*columns)
        .join(CrimeCategory, CrimeCategory.code == Referral.category_code)
        .where(Referral.prisoner_id == prisoner.id)
    )
    for rid, ref, category, at, status in session.execute(suspect):
        lines[rid] = ReferralLine(
            rid, ref, "suspect", category, at, status, STATUS_LABELS.get(status, status)
        )
    party = (
        select(*columns, ReferralParty.role)
        .join(ReferralParty, ReferralParty.referral_id == Referral.id)
        .join(CrimeCategory, CrimeCategory.code == Referral.category_code)
        .where(ReferralParty.nomis_number == prisoner.nomis_number)
    )
    for rid, ref, category, at, status, role in session.execute(party):
        if rid in lines:
            continue
        role_text = role if role in (PartyRole.VICTIM, PartyRole.WITNESS) else "party"
        lines[rid] = ReferralLine(
            rid, ref, role_text, category, at, status, STATUS_LABELS.get(status, status)
        )
    return sorted(lines.values(), key=lambda line: line.incident_at, reverse=True)


def _papers_lines(session: Session, prisoner_id: int) -> list[PapersLine]:
    return [
        row_from(PapersLine, p, state_label=STATE_LABELS.get(p.state, p.state))
        for p in session.scalars(
            select(ChargePapers)
            .where(ChargePapers.prisoner_id == prisoner_id)
            .order_by(ChargePapers.received_at.desc())  # type: ignore[attr-defined]
        )
    ]


def _association_views(session: Session, prisoner_id: int) -> list[AssociationView]:
    views = []
    for link, nomis, name in session.execute(
        select(Association, Prisoner.nomis_number, Prisoner.name)
        .join(Prisoner, Prisoner.id == Association.other_prisoner_id)
        .where(Association.prisoner_id == prisoner_id)
    ):
        views.append(AssociationView(link.id, link.kind, nomis, name or "", link.note))
    for link, nomis, name in session.execute(
        select(Association, Prisoner.nomis_number, Prisoner.name)
        .join(Prisoner, Prisoner.id == Association.prisoner_id)
        .where(Association.other_prisoner_id == prisoner_id)
    ):
        views.append(AssociationView(link.id, link.kind, nomis, name or "", link.note))
    return views


def person_page(session: Session, nomis_number: str, clock: Clock) -> PersonPageData | None:
    """Everything cipco knows about one prisoner, or None if the number is unknown."""
    nomis = normalise_nomis(nomis_number)
    prisoner = session.scalars(select(Prisoner).where(Prisoner.nomis_number == nomis)).first()
    if prisoner is None:
        return None
    assert prisoner.id is not None
    person = session.scalars(
        select(PersonOfInterest).where(PersonOfInterest.prisoner_id == prisoner.id)
    ).first()
    referrals = _referral_lines(session, prisoner)
    return PersonPageData(
        prisoner_id=prisoner.id,
        nomis_number=prisoner.nomis_number,
        name=prisoner.name or "",
        pnc=prisoner.pnc or "",
        date_of_birth=prisoner.date_of_birth,
        location=prisoner.location or "",
        person=person_view(session, person, prisoner.location, clock) if person else None,
        referrals=referrals,
        papers=_papers_lines(session, prisoner.id),
        exhibits=_exhibit_lines(session, prisoner),
        actions=_action_lines(session, [r.id for r in referrals]),
        associations=_association_views(session, prisoner.id),
        cases=prisoner_cases(session, prisoner.nomis_number),
    )


def _exhibit_lines(session: Session, prisoner: Prisoner) -> list[ExhibitLine]:
    return [
        ExhibitLine(eid, ref, desc, EXHIBIT_STATE_LABELS.get(state, state))
        for eid, ref, desc, state in session.execute(
            select(Exhibit.id, Exhibit.reference, Exhibit.description, Exhibit.state)
            .where(Exhibit.found_on_prisoner_id == prisoner.id)
            .order_by(Exhibit.seized_at.desc())  # type: ignore[attr-defined]
        )
    ]


def _action_lines(session: Session, referral_ids: list[int]) -> list[ActionLine]:
    if not referral_ids:
        return []
    return [
        ActionLine(aid, ref, text, owner or "", due, status)
        for aid, ref, text, owner, due, status in session.execute(
            select(
                ClinicAction.id,
                Referral.reference,
                ClinicAction.text,
                ClinicAction.owner_name,
                ClinicAction.due_on,
                ClinicAction.status,
            )
            .join(Referral, Referral.id == ClinicAction.referral_id)
            .where(ClinicAction.referral_id.in_(referral_ids))  # type: ignore[union-attr]
            .order_by(ClinicAction.due_on.is_(None), ClinicAction.due_on)  # type: ignore[union-attr]
        )
    ]
