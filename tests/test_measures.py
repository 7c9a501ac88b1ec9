"""Each report figure is defined once, says its basis, and adds up across tables."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from cipco.clock import FixedClock
from cipco.db import read_scope
from cipco.models.referral import Outcome, PartyIn, ReferralUpdate, Status
from cipco.services.bootstrap import prepare
from cipco.services.measures import MEASURES, PERFORMANCE, Figure, Period, figures, trend
from cipco.services.referrals import move_status, update_referral
from tests.factories import new_referral

OCT = Period.month(date(2026, 10, 15))


def at(day: int, hour: int = 10, month: int = 10) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def walk(session: Session, clock: FixedClock, referral_id: int, *moves: tuple) -> None:
    for move in moves:
        status, when, *rest = move
        outcome = rest[0] if rest else None
        move_status(
            session=session,
            referral_id=referral_id,
            to_status=status,
            clock=clock,
            happened_at=when,
            outcome=outcome,
            reason="decided" if status in (Status.NFA, Status.WITHDRAWN) else None,
            police={"crime_ref": "CR/1"} if status == Status.ACKNOWLEDGED else None,
        )


def test_periods_are_whole_london_months_and_monday_weeks() -> None:
    assert OCT.start == date(2026, 10, 1) and OCT.end == date(2026, 11, 1)
    start, end = OCT.bounds()
    assert start == datetime(2026, 9, 30, 23, tzinfo=UTC)  # midnight BST
    assert end == datetime(2026, 11, 1, 0, tzinfo=UTC)  # midnight GMT
    week = Period.week(date(2026, 11, 18))
    assert (week.start, week.end) == (date(2026, 11, 16), date(2026, 11, 23))
    assert [p.short for p in OCT.series(3)] == ["Aug 26", "Sep 26", "Oct 26"]
    clock = FixedClock(datetime(2026, 11, 18, 10, tzinfo=UTC))
    assert Period.last_complete_month(clock) == OCT
    assert Period.last_complete_week(clock).start == date(2026, 11, 9)


def test_every_measure_has_words_and_a_basis_naming_its_period() -> None:
    assert set(PERFORMANCE) <= set(MEASURES)
    for m in MEASURES.values():
        assert m.label and "{p}" in m.basis, m.key
        assert "_" not in m.label


def test_large_figures_are_written_with_thousands_separators() -> None:
    rate = next(m for m in MEASURES.values() if m.kind == "rate")
    days = next(m for m in MEASURES.values() if m.kind == "days")
    assert Figure(rate, OCT, 12_345, of=20_000).text == "12,345 of 20,000 (62%)"
    assert Figure(days, OCT, 3.25, of=4_321).text == "3.2 (median of 4,321)"


def test_charges_and_convictions_are_counted_by_their_own_dates(
    session: Session, clock: FixedClock
) -> None:
    """A case charged in September and convicted in October is a September charge and an
    October conviction: the October figures say 0 charges and 1 conviction, and the
    outcome table agrees with both."""
    old = new_referral(session, clock, incident_at=at(1, month=8), nomis="A1111AA")
    walk(
        session,
        clock,
        old.id,
        (Status.REFERRED, at(2, month=8)),
        (Status.ACKNOWLEDGED, at(3, month=8)),
        (Status.INVESTIGATING, at(4, month=8)),
        (Status.CHARGED, at(10, month=9), Outcome.CHARGED),
        (Status.CONCLUDED, at(20), Outcome.CONVICTED),
    )
    new = new_referral(session, clock, incident_at=at(2), nomis="A2222BB")
    walk(
        session,
        clock,
        new.id,
        (Status.REFERRED, at(3)),
        (Status.ACKNOWLEDGED, at(8)),
        (Status.INVESTIGATING, at(9)),
        (Status.CHARGED, at(13), Outcome.CHARGED),
    )
    nfa = new_referral(session, clock, incident_at=at(4), nomis="A3333CC")
    walk(session, clock, nfa.id, (Status.REFERRED, at(5)), (Status.NFA, at(25), Outcome.NO_SUSPECT))

    got = {
        f.key: f
        for f in figures(
            session, ["charges", "convictions", "outcomes", "referrals_made"], OCT, clock
        )
    }
    assert got["charges"].value == 1
    assert got["convictions"].value == 1
    outcomes = dict(got["outcomes"].parts)
    assert outcomes == {"Charged/summonsed": 1, "No suspect identified": 1, "Court: convicted": 1}
    assert outcomes["Charged/summonsed"] == got["charges"].value
    assert outcomes["Court: convicted"] == got["convictions"].value
    assert got["referrals_made"].value == 2
    assert got["charges"].basis == "charged in the month (by the date of the charge)"
    september = figures(session, ["charges"], Period.month(date(2026, 9, 1)), clock)[0]
    assert september.value == 1
    for f in got.values():
        f.check()


def test_median_days_are_over_the_cases_finished_in_the_period(
    session: Session, clock: FixedClock
) -> None:
    for number, (referred, acknowledged) in enumerate([(1, 3), (2, 8), (20, 21)]):
        r = new_referral(session, clock, incident_at=at(referred, 8), nomis=f"A{number}000AA")
        walk(
            session,
            clock,
            r.id,
            (Status.REFERRED, at(referred)),
            (Status.ACKNOWLEDGED, at(acknowledged)),
        )
    late = new_referral(session, clock, incident_at=at(28, 8), nomis="A9000AA")
    walk(session, clock, late.id, (Status.REFERRED, at(28)), (Status.ACKNOWLEDGED, at(3, month=11)))
    figure = figures(session, ["days_to_acknowledgement"], OCT, clock)[0]
    assert (figure.value, figure.of) == (2.0, 3)  # 2, 6 and 1 days; November's is not here
    assert figure.text == "2.0 (median of 3)"
    nothing = figures(session, ["days_to_charge"], OCT, clock)[0]
    assert nothing.value is None and nothing.text == "n/a (none)"


def test_r1_serious_incidents_contacted_within_24_hours(
    session: Session, clock: FixedClock
) -> None:
    def serious(nomis: str, discovered: datetime, contacted: datetime | None) -> None:
        new_referral(
            session,
            clock,
            category="HOMICIDE",
            nomis=nomis,
            incident_at=discovered,
            discovered_at=discovered,
            police_contacted_at=contacted,
        )

    serious("A1000AA", at(2), at(2, 20))  # 10 h: in time
    serious("A2000AA", at(5), at(7))  # 48 h: late
    serious("A3000AA", at(9), None)  # never: overdue
    serious("A4000AA", at(18, 9, month=11), None)  # today, 1 h ago: not yet due
    new_referral(session, clock, nomis="A5000AA", incident_at=at(3))  # not serious
    october = figures(session, ["r1_police_contact"], OCT, clock)[0]
    assert (october.value, october.of) == (1, 3)
    assert dict(october.parts) == {
        "in time": 1,
        "contacted later": 1,
        "not contacted (overdue)": 1,
        "not yet due": 0,
    }
    assert october.text == "1 of 3 (33%)"
    november = figures(session, ["r1_police_contact"], Period.month(date(2026, 11, 1)), clock)[0]
    assert dict(november.parts)["not yet due"] == 1
    october.check()
    november.check()


def test_r5_counts_charges_laid_within_48_hours_and_says_when_the_time_is_unknown(
    session: Session, clock: FixedClock
) -> None:
    in_time = new_referral(
        session, clock, nomis="A1000AA", incident_at=at(1), adjudication_laid_at=at(2)
    )
    late = new_referral(
        session, clock, nomis="A2000AA", incident_at=at(5), adjudication_laid_at=at(9)
    )
    unknown = new_referral(
        session, clock, nomis="A3000AA", incident_at=at(10), adjudication_charge="LEI-26-0001"
    )
    never = new_referral(session, clock, nomis="A4000AA", incident_at=at(12))
    figure = figures(session, ["r5_adjudication"], OCT, clock)[0]
    assert (figure.value, figure.of) == (1, 4)
    assert dict(figure.parts) == {
        "in time": 1,
        "laid later": 1,
        "laid, time not recorded": 1,
        "not laid (overdue)": 1,
        "not yet due": 0,
    }
    figure.check()
    assert {in_time.id, late.id, unknown.id, never.id}


def test_r5_a_charge_not_laid_is_not_yet_due_until_48_hours_have_passed(
    session: Session, clock: FixedClock
) -> None:
    new_referral(session, clock, nomis="A1000AA", incident_at=at(16, 10, month=11))  # 48 h
    new_referral(session, clock, nomis="A2000AA", incident_at=at(16, 11, month=11))  # 47 h
    new_referral(
        session, clock, nomis="A3000AA", incident_at=at(17, month=11), adjudication_charge="X-1"
    )
    figure = figures(session, ["r5_adjudication"], Period.month(date(2026, 11, 1)), clock)[0]
    assert dict(figure.parts) == {
        "in time": 0,
        "laid later": 0,
        "laid, time not recorded": 1,
        "not laid (overdue)": 0,
        "not yet due": 2,
    }
    clock.advance(timedelta(seconds=1))  # the first one's 48 h have passed
    figure = figures(session, ["r5_adjudication"], Period.month(date(2026, 11, 1)), clock)[0]
    assert (dict(figure.parts)["not laid (overdue)"], dict(figure.parts)["not yet due"]) == (1, 1)
    figure.check()


def test_r5_charge_laid_is_refused_before_the_discovery_or_in_the_future(
    session: Session, clock: FixedClock
) -> None:
    from cipco.services.referrals import ReferralError

    r = new_referral(session, clock, incident_at=at(10))
    with pytest.raises(ReferralError, match=r"charge laid: .* is before the discovery") as e:
        update_referral(
            session=session,
            referral_id=r.id,
            data=ReferralUpdate(adjudication_laid_at=at(9)),
            clock=clock,
        )
    assert e.value.fields.keys() == {"adjudication_laid_at"}
    with pytest.raises(ReferralError, match="in the future"):
        update_referral(
            session=session,
            referral_id=r.id,
            data=ReferralUpdate(adjudication_laid_at=at(20, month=11)),
            clock=clock,
        )
    update_referral(
        session=session,
        referral_id=r.id,
        data=ReferralUpdate(adjudication_laid_at=at(11)),
        clock=clock,
    )
    assert r.adjudication_laid_at == at(11)
    assert not any(f.rule == "R5" for f in _flags(session, r))


def _flags(session: Session, referral) -> list:
    from cipco.services.flags import FlagSettings, referral_flags

    return referral_flags(referral, None, FlagSettings(), has_victims=False)


def test_r7_victims_told_within_five_working_days_or_one_with_enhanced_rights(
    session: Session, clock: FixedClock
) -> None:
    def decided(nomis: str, decided_on: datetime, told: datetime | None, **extra) -> None:
        r = new_referral(
            session,
            clock,
            nomis=nomis,
            incident_at=decided_on - timedelta(days=5),
            parties=[PartyIn(role="victim", kind="prisoner", name="JONES, Amy")],
            **extra,
        )
        walk(
            session,
            clock,
            r.id,
            (Status.REFERRED, decided_on - timedelta(days=4)),
            (Status.NFA, decided_on, Outcome.NO_SUSPECT),
        )
        if told is not None:
            update_referral(
                session=session,
                referral_id=r.id,
                data=ReferralUpdate(victim_updated_at=told),
                clock=clock,
            )

    decided("A1000AA", at(5), at(9))  # Mon 5 Oct, told Fri 9: 4 working days
    decided("A2000AA", at(12), at(20))  # Mon 12, told Tue 20: 6 working days: late
    decided("A3000AA", at(14), at(16), enhanced_victim=True)  # enhanced: 2 days: late
    decided("A4000AA", at(19), None)  # never told
    no_victim = new_referral(session, clock, nomis="A5000AA", incident_at=at(1))
    walk(
        session,
        clock,
        no_victim.id,
        (Status.REFERRED, at(2)),
        (Status.NFA, at(6), Outcome.NO_SUSPECT),
    )
    figure = figures(session, ["r7_victims"], OCT, clock)[0]
    assert dict(figure.parts) == {
        "in time": 1,
        "told late": 2,
        "not told (overdue)": 1,
        "not yet due": 0,
    }
    assert figure.of == 4
    figure.check()


def test_a_trend_is_the_same_figure_as_each_period_alone(demo_db: Path, clock: FixedClock) -> None:
    engine: Engine = prepare(demo_db)
    periods = OCT.series(12)
    with read_scope(engine, clock=clock) as session:
        for key in MEASURES:
            series = trend(session, key, periods, clock)
            assert [f.period for f in series] == periods
            for figure in series:
                figure.check()
            for period in (periods[0], periods[5], periods[-1]):
                alone = figures(session, [key], period, clock)[0]
                found = series[periods.index(period)]
                assert (alone.value, alone.of, alone.parts) == (
                    found.value,
                    found.of,
                    found.parts,
                ), key
        made = figures(session, ["referrals_made", "by_category"], OCT, clock)
        assert made[0].value > 0
        assert made[0].value == made[1].value == sum(n for _, n in made[1].parts)
    engine.dispose()
