"""Demo crime clinics: past clinics (closed, with attendance, minutes and actions, some
carried, some done or dropped) and the next one, open, with an agenda from the live data."""

from __future__ import annotations

from collections.abc import Callable
from datetime import time, timedelta

from sqlalchemy import insert, select
from sqlmodel import Session

from cipco.clock import FixedClock, local_datetime, today
from cipco.models.clinic import (
    AgendaItem,
    AttendanceCreate,
    ClinicAction,
    ClinicActionCreate,
    ClinicCreate,
    ClinicStatus,
    ItemKind,
    Presence,
)
from cipco.services import clinic as clinic_service
from cipco.services import demo, referrals
from cipco.services.demo import DemoContext
from cipco.services.paging import PageQuery

PAST_CLINICS = 8
ATTENDEES = (
    ("Crime in Prison Coordinator", "CiPCo (chair)", "HMPPS Security"),
    ("DS Owen Marsh", "Prison crime team lead", "Police"),
    ("DC Sarah Collins", "Prison crime team", "Police"),
    ("SO P. Carr", "Security manager", "HMPPS Security"),
    ("CM S. Gill", "Safer custody", "HMPPS Safety"),
    ("A. Patel", "Intelligence analyst", "HMPPS Security"),
    ("ALO R. Fraser", "Adjudication liaison", "HMPPS CSRU"),
)
NOTES = (
    "OIC confirmed suspect interview booked; chase if not done by next clinic.",
    "Statements outstanding from two staff witnesses; Security to follow up.",
    "CPS advice requested; file expected within a fortnight.",
    "Footage preserved and provided to OIC.",
    "Victim updated by OIC; no further action needed from the prison this week.",
    "Agreed to request BWV stills for the file.",
    "Adjudication remains adjourned pending police decision.",
    "Police to confirm whether forensic results are back.",
)
ACTIONS = (
    "Obtain victim statement",
    "Send CCTV stills to OIC",
    "Confirm CPS file submission",
    "Chase OIC for interview date",
    "Check adjudication adjourned",
    "Provide use-of-force paperwork",
    "Request medical disclaimer",
    "Arrange interview room for police visit",
)


@demo.register("clinics")
def generate_clinics(session: Session, ctx: DemoContext, tick: Callable[[str, int], None]) -> int:
    """Past clinics (closed) and the next one (open). Returns how many clinics."""
    rng = ctx.rng
    step = clinic_service.frequency_days(session)
    last_day = today(ctx.clock)
    days = [last_day - timedelta(days=step * k) for k in range(PAST_CLINICS, -1, -1)]
    rows = referrals.referral_page(session, PageQuery(limit=400), ctx.clock).rows  # newest first
    count = 0
    for index, day in enumerate(days):
        if clinic_service.clinic_on(session, day) is not None:
            continue
        at = local_datetime(day, time(10, 0))
        clock = FixedClock(min(at, ctx.clock.now()))
        is_next = index == len(days) - 1
        clinic = clinic_service.create_clinic(
            session=session,
            clock=clock,
            data=ClinicCreate(held_on=day, location="Security boardroom"),
            generate=is_next,
        )
        assert clinic.id is not None
        count += 1
        for name, role, org in ATTENDEES:
            presence = Presence.APOLOGIES if rng.random() < 0.15 else Presence.PRESENT
            clinic_service.add_attendee(
                session=session,
                clinic_id=clinic.id,
                data=AttendanceCreate(name=name, role=role, organisation=org, presence=presence),
                clock=clock,
            )
        if is_next:
            clinic_service.move_clinic(
                session=session, clinic_id=clinic.id, to_status=ClinicStatus.OPEN, clock=clock
            )
            # The one after is already drafted: its agenda drawn from the tracker today.
            following = day + timedelta(days=step)
            if clinic_service.clinic_on(session, following) is None:
                clinic_service.create_clinic(
                    session=session,
                    clock=clock,
                    data=ClinicCreate(held_on=following, location="Security boardroom"),
                    generate=True,
                )
                count += 1
            break
        clinic.agenda_at = clock.now() - timedelta(days=1)
        clinic_service.carry_open_actions(session=session, clinic_id=clinic.id, clock=clock)
        candidates = [r for r in rows if r.incident_at < clock.now()]
        picked = rng.sample(candidates, k=min(len(candidates), rng.randrange(6, 13)))
        position = 1000
        items = []
        for row in picked:
            position += 10
            dropped = rng.random() < 0.08
            items.append(
                {
                    "clinic_id": clinic.id,
                    "position": position,
                    "kind": ItemKind.REFERRAL.value,
                    "section": "Closed since" if row.closed else "Open referrals",
                    "title": " ".join((row.reference, row.nomis_number, row.prisoner_name))
                    + f" — {row.category}",
                    "detail": "",
                    "referral_id": row.id,
                    "action_id": None,
                    "source_id": None,
                    "note": "" if dropped or rng.random() < 0.25 else rng.choice(NOTES),
                    "dropped": dropped,
                    "drop_reason": "Not ready for discussion" if dropped else None,
                    "created_at": clock.now(),
                    "updated_at": clock.now(),
                    "version": 1,
                }
            )
        if items:
            session.execute(insert(AgendaItem), items)
        # Earlier actions: most are done at this clinic, a few dropped, the rest carried on.
        open_actions = session.scalars(
            select(ClinicAction).where(
                ClinicAction.status == "open", ClinicAction.clinic_id != clinic.id
            )
        ).all()
        for action in open_actions:
            roll = rng.random()
            assert action.id is not None
            if roll < 0.6:
                clinic_service.complete_action(session=session, action_id=action.id, clock=clock)
            elif roll < 0.7:
                clinic_service.drop_action(
                    session=session,
                    action_id=action.id,
                    reason="Superseded by police decision",
                    clock=clock,
                )
        for _ in range(rng.randrange(2, 5)):
            linked = rng.choice(picked) if picked else None
            owner, org = rng.choice(
                [
                    (rng.choice(ctx.officers), "Police"),
                    (rng.choice(ctx.staff), "HMPPS Security"),
                    ("CM S. Gill", "HMPPS Safety"),
                ]
            )
            clinic_service.add_action(
                session=session,
                clinic_id=clinic.id,
                data=ClinicActionCreate(
                    text=rng.choice(ACTIONS),
                    owner_name=owner,
                    owner_org=org,
                    due_on=day + timedelta(days=rng.choice((7, 10, 14, 21))),
                    referral_id=linked.id if linked else None,
                ),
                clock=clock,
            )
        for status in (ClinicStatus.OPEN, ClinicStatus.IN_PROGRESS, ClinicStatus.CLOSED):
            clinic_service.move_clinic(
                session=session, clinic_id=clinic.id, to_status=status, clock=clock
            )
        tick("clinics", 1)
    session.flush()
    return count
