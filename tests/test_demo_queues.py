"""`cipco demo` leaves open work in every queue of every log (the TUI, the larger tests and the
benchmarks all run on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.services.bootstrap import prepare
from cipco.services.logspec import LOGS, spec

# A clinic is "in progress" only while its meeting runs: no demo day is in a meeting.
EMPTY_BY_DESIGN = {("clinics", "in_progress")}


@pytest.mark.parametrize("log", sorted(LOGS))
def test_demo_has_work_in_every_queue(log: str, demo_db: Path, clock: FixedClock) -> None:
    engine = prepare(demo_db)
    try:
        with session_scope(engine, actor="tester", clock=clock, write=False) as session:
            counts = spec(log).service.counts(session, clock)
    finally:
        engine.dispose()
    empty = [
        queue.label
        for queue in spec(log).queues
        if counts[queue.key] == 0 and (log, queue.key) not in EMPTY_BY_DESIGN
    ]
    assert not empty, f"{log}: no demo records in {empty}"


def test_the_demo_letter_falls_back_to_the_crime_reference_before_a_decision(
    demo_db: Path, clock: FixedClock
) -> None:
    """A larger demo can pick a case the police have not decided yet: its victim gets the
    crime-reference letter instead of the demo stopping (it once did at 1,000 referrals)."""
    import random

    from sqlalchemy import select

    from cipco.models.casework import Correspondence
    from cipco.models.referral import PartyRole, Referral, ReferralParty, Status
    from cipco.services.demo import DemoContext
    from cipco.services.demo_casework import _letter

    engine = prepare(demo_db)
    try:
        with session_scope(engine, actor="tester", clock=clock) as session:
            referral_id, victim = session.execute(
                select(Referral.id, ReferralParty)
                .join(ReferralParty, ReferralParty.referral_id == Referral.id)
                .where(
                    Referral.status.in_((Status.ACKNOWLEDGED, Status.INVESTIGATING)),  # type: ignore[attr-defined]
                    ~select(Correspondence.id)
                    .where(Correspondence.referral_id == Referral.id)
                    .exists(),
                    Referral.crime_ref.is_not(None),  # type: ignore[union-attr]
                    ReferralParty.role == PartyRole.VICTIM,
                )
                .order_by(Referral.id)
            ).first()
            ctx = DemoContext(rng=random.Random(1), clock=clock)
            assert _letter(session, ctx, referral_id, victim) == 1
            letter = session.scalars(
                select(Correspondence).where(Correspondence.referral_id == referral_id)
            ).one()
    finally:
        engine.dispose()
    assert letter.template == "crime_reference"
    assert "crime reference number" in letter.body


def test_no_demo_referral_names_one_person_twice(demo_db: Path, clock: FixedClock) -> None:
    """A staff victim is never also listed as a witness to their own assault (the demo once
    drew the witness from the same staff list and named Nurse F. Osei as both)."""
    from sqlalchemy import func, select

    from cipco.models.referral import ReferralParty

    engine = prepare(demo_db)
    try:
        with session_scope(engine, actor="tester", clock=clock, write=False) as session:
            twice = session.execute(
                select(ReferralParty.referral_id, ReferralParty.name)
                .group_by(ReferralParty.referral_id, ReferralParty.name)
                .having(func.count() > 1)
            ).all()
            people = session.scalar(select(func.count()).select_from(ReferralParty))
    finally:
        engine.dispose()
    assert people and people > 100  # the check reads a demo with people on it
    assert twice == []
