"""Demo people and papers: on a few open referrals, victims and witnesses (a prisoner witness
too), contacts logged, statements at every step (one waiting for its quality check, one
returned for correction), medical disclaimers out, CPS actions (one overdue) and a letter.

Drawn from a random sequence of its own (``seed + 14``), so adding it changed none of the
other demo records; everything goes through the casework services, so the rules (R7, the
due dates) hold as they would for typed records. The letter is kept without its PDF (the
PDF machinery sits above the services).
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta

from sqlalchemy import insert, select
from sqlmodel import Session

from cipco.clock import today
from cipco.models.casework import (
    ContactIn,
    Correspondence,
    CpsActionIn,
    DisclaimerIn,
    PartyContact,
    PersonIn,
    StatementIn,
)
from cipco.models.people import Prisoner
from cipco.models.referral import PartyRole, Referral, ReferralParty
from cipco.services import audit, demo
from cipco.services.casework import papers, people
from cipco.services.casework.common import CaseworkError, people_of, referral
from cipco.services.demo import DemoContext

OPEN = ("acknowledged", "investigating", "with_cps", "charged", "at_court")
CASES = 6
LETTER_TEMPLATES = ("police_decision", "crime_reference")
SAID = (
    "Told the police have the referral; crime reference to follow",
    "Told the suspect was interviewed; awaiting the police decision",
    "Voicemail left asking them to call back about their statement",
    "Told the file has gone to the CPS",
    "Told of the charge; witness care will give the court date",
)
CPS_ASKS = (
    "Further statement from the first officer on scene",
    "CCTV from the landing camera, 14:00 to 14:30",
    "Use-of-force forms for all staff involved",
    "Adjudication history of the suspect",
)


def _day(value: datetime) -> date:
    return value.date()


def _case(
    session: Session,
    ctx: DemoContext,
    rng: random.Random,
    index: int,
    referral_id: int,
) -> int:
    """One referral's people and papers; returns how many records were added."""
    clock = ctx.clock
    now, day = clock.now(), today(clock)
    case = referral(session, referral_id)
    start = case.discovered_at or case.incident_at
    first = max(_day(start), day - timedelta(days=30))
    added = 0
    crowd = people_of(session, referral_id)
    victims = [p for p in crowd if p.role == PartyRole.VICTIM]
    if not victims:
        victims = [
            people.add_person(
                session=session,
                referral_id=referral_id,
                data=PersonIn(name=rng.choice(ctx.staff), enhanced_rights=index == 0),
                clock=clock,
            )
        ]
        added += 1
    elif index == 0:
        victims[0].enhanced_rights = True
    witnesses = [p for p in crowd if p.role == PartyRole.WITNESS]
    if index < 2:
        prisoner = session.get(Prisoner, rng.choice(ctx.prisoner_ids))
        if prisoner is not None and prisoner.id != case.prisoner_id:
            witnesses.append(
                people.add_person(
                    session=session,
                    referral_id=referral_id,
                    data=PersonIn(
                        role=PartyRole.WITNESS,
                        kind="prisoner",
                        name=prisoner.name or prisoner.nomis_number,
                        nomis_number=prisoner.nomis_number,
                    ),
                    clock=clock,
                )
            )
            added += 1
    victim = victims[0]
    session.flush()
    assert victim.id is not None
    if index != 1:  # one victim never contacted: R7 shows on the page
        when = min(start + timedelta(days=rng.randrange(1, 4)), now - timedelta(hours=1))
        people.log_contact(
            session=session,
            referral_id=referral_id,
            data=ContactIn(
                party_id=victim.id,
                happened_at=max(when, start),
                method=rng.choice(("phone", "email", "in_person")),
                said=SAID[index % len(SAID)],
            ),
            clock=clock,
        )
        added += 1
    added += _statements(session, ctx, index, referral_id, [victim, *witnesses], first)
    if index in (0, 3, 4):
        papers.issue_disclaimer(
            session=session,
            referral_id=referral_id,
            data=DisclaimerIn(issued_on=first),
            clock=clock,
        )
        added += 1
    if index < 3:
        action = papers.add_cps_action(
            session=session,
            referral_id=referral_id,
            data=CpsActionIn(
                action=CPS_ASKS[index],
                requested_on=first,
                due_on=first + timedelta(days=7),
                owner=rng.choice(ctx.staff),
            ),
            clock=clock,
        )
        added += 1
        if index == 2 and action.id is not None:
            papers.complete_cps_action(session=session, action_id=action.id, clock=clock)
    if index == 0:
        added += _letter(session, ctx, referral_id, victim)
    return added


def _statements(
    session: Session,
    ctx: DemoContext,
    index: int,
    referral_id: int,
    crowd: list[ReferralParty],
    first: date,
) -> int:
    """A statement from each: one waiting for its check (index 0), one returned (1), one
    sent (2), the rest asked for."""
    clock = ctx.clock
    added = 0
    for number, person in enumerate(crowd[:2]):
        assert person.id is not None
        statement = papers.request_statement(
            session=session,
            referral_id=referral_id,
            data=StatementIn(party_id=person.id, requested_on=first),
            clock=clock,
        )
        added += 1
        if number or statement.id is None or index > 2:
            continue
        papers.step_statement(
            session=session, statement_id=statement.id, step="receive", clock=clock
        )
        if index == 1:
            papers.step_statement(
                session=session,
                statement_id=statement.id,
                step="check",
                clock=clock,
                problems=["unsigned", "no_times"],
                note="Page 2 not signed; no times given",
            )
        elif index == 2:
            papers.step_statement(
                session=session, statement_id=statement.id, step="check", clock=clock
            )
            papers.step_statement(
                session=session, statement_id=statement.id, step="send", clock=clock
            )
    return added


def _letter(session: Session, ctx: DemoContext, referral_id: int, victim: ReferralParty) -> int:
    """The victim's letter: the police decision when there is one, else the crime reference;
    none when the police have given neither yet (a larger demo picks other referrals)."""
    from cipco.services.casework.letters import draft_letter

    for template in LETTER_TEMPLATES:
        try:
            draft = draft_letter(session, referral_id, victim.id, template, ctx.clock)
        except CaseworkError:
            continue
        break
    else:
        return 0
    now = ctx.clock.now()
    session.add(
        Correspondence(
            referral_id=referral_id,
            party_id=victim.id,
            recipient=draft.recipient,
            channel="letter",
            template=template,
            subject=draft.subject,
            body=draft.body,
            sent_at=now - timedelta(hours=2),
            actor=audit.actor_of(session),
            recorded_at=now,
        )
    )
    session.flush()
    return 1


def _tracker_contacts(session: Session, skip: set[int]) -> int:
    """The contacts behind each demo referral's typed "victim last updated" (one per staff
    victim, at that time), so R7 reads the same from the contact log as from the tracker."""
    rows = [
        {
            "referral_id": referral_id,
            "party_id": party_id,
            "happened_at": at,
            "method": "phone",
            "said": "Updated on the progress of the referral",
            "by": "coordinator",
            "recorded_at": at,
            "actor": "coordinator",
        }
        for party_id, referral_id, at in session.execute(
            select(ReferralParty.id, ReferralParty.referral_id, Referral.victim_updated_at)
            .join(Referral, Referral.id == ReferralParty.referral_id)
            .where(
                ReferralParty.role == PartyRole.VICTIM,
                Referral.victim_updated_at.is_not(None),  # type: ignore[union-attr]
            )
            .order_by(ReferralParty.id)
        )
        if referral_id not in skip
    ]
    if rows:
        session.execute(insert(PartyContact), rows)
    return len(rows)


@demo.register("casework")
def generate_casework(session: Session, ctx: DemoContext, tick: Callable[[str, int], None]) -> int:
    """People and papers on a few open referrals (the oldest gets the overdue CPS action)."""
    rng = random.Random(ctx.seed + 14)
    candidates = sorted(r for r, status in ctx.referral_status.items() if status in OPEN)
    chosen = rng.sample(candidates, k=min(CASES, len(candidates))) if candidates else []
    chosen.sort(key=lambda r: (ctx.referral_incident[r], r))
    added = _tracker_contacts(session, set(chosen))
    added += sum(_case(session, ctx, rng, i, rid) for i, rid in enumerate(chosen))
    tick("casework", added)
    return added
