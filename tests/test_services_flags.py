"""Due flags R1-R9 with a frozen clock and the England and Wales working-day calendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session

from cipco.clock import FixedClock, add_working_days
from cipco.models.referral import ReferralUpdate
from cipco.services import referrals as svc
from cipco.services import settings
from cipco.services.flags import Severity
from tests.factories import new_referral


def rules(session: Session, referral_id: int, clock: FixedClock) -> dict[str, Severity]:
    detail = svc.referral_detail(session, referral_id, clock)
    return {flag.rule: flag.severity for flag in detail.flags}


def test_working_days_skip_weekends_and_bank_holidays() -> None:
    assert add_working_days(date(2026, 12, 24), 1) == date(
        2026, 12, 29
    )  # Christmas, Boxing Day (Mon)
    assert add_working_days(date(2026, 11, 20), 1) == date(2026, 11, 23)  # Friday -> Monday


def test_r1_serious_incident_needs_police_within_24_hours(
    session: Session, clock: FixedClock
) -> None:
    referral = new_referral(session, clock, category="HOMICIDE", hours_ago=20)
    assert rules(session, referral.id, clock)["R1"] == Severity.DUE_SOON  # type: ignore[arg-type]
    clock.advance(timedelta(hours=5))
    assert rules(session, referral.id, clock)["R1"] == Severity.OVERDUE  # type: ignore[arg-type]
    svc.move_status(session=session, referral_id=referral.id, to_status="referred", clock=clock)  # type: ignore[arg-type]
    assert "R1" not in rules(session, referral.id, clock)  # type: ignore[arg-type]


def test_r2_mandatory_category_expects_a_referral(session: Session, clock: FixedClock) -> None:
    referral = new_referral(session, clock, category="MOBILE_PHONE", adjudication_charge="X1")
    flags = rules(session, referral.id, clock)  # type: ignore[arg-type]
    assert "R2" in flags
    non_mandatory = new_referral(session, clock, category="OTHER", adjudication_charge="X2")
    assert "R2" not in rules(session, non_mandatory.id, clock)  # type: ignore[arg-type]
    svc.move_status(
        session=session,
        referral_id=referral.id,  # type: ignore[arg-type]
        to_status="withdrawn",
        reason="Item found to be a toy; not a phone",
        clock=clock,
    )
    assert "R2" not in rules(session, referral.id, clock)  # type: ignore[arg-type]


def test_r3_and_r4_staff_victim_rules(session: Session, clock: FixedClock) -> None:
    asked = new_referral(
        session,
        clock,
        category="STAFF_ASSAULT_MINOR",
        staff_victim=True,
        victim_wants_police=True,
    )
    assert "R3" in rules(session, asked.id, clock)  # type: ignore[arg-type]
    terror = new_referral(
        session,
        clock,
        category="STAFF_ASSAULT_MINOR",
        staff_victim=True,
        terrorism_conviction=True,
        nomis="B1234BC",
    )
    assert "R4" in rules(session, terror.id, clock)  # type: ignore[arg-type]
    quiet = new_referral(session, clock, category="STAFF_ASSAULT_MINOR", staff_victim=True)
    assert not {"R2", "R3", "R4"} & set(rules(session, quiet.id, clock))  # type: ignore[arg-type]


def test_r5_adjudication_within_48_hours(session: Session, clock: FixedClock) -> None:
    referral = new_referral(session, clock, category="OTHER", hours_ago=47)
    assert rules(session, referral.id, clock)["R5"] == Severity.DUE_SOON  # type: ignore[arg-type]
    clock.advance(timedelta(hours=2))
    assert rules(session, referral.id, clock)["R5"] == Severity.OVERDUE  # type: ignore[arg-type]
    svc.update_referral(
        session=session,
        referral_id=referral.id,  # type: ignore[arg-type]
        data=ReferralUpdate(adjudication_charge="LEI-123", adjudication_state="REFER_POLICE"),
        clock=clock,
    )
    assert "R5" not in rules(session, referral.id, clock)  # type: ignore[arg-type]


def test_r6_summary_only_warns_at_five_months(session: Session, clock: FixedClock) -> None:
    incident = datetime(2026, 6, 1, 9, tzinfo=UTC)
    referral = new_referral(
        session,
        clock,
        category="CRIMINAL_DAMAGE",
        incident_at=incident,
        summary_only=True,
        adjudication_charge="X",
        footage_requested_on=date(2026, 6, 2),
    )
    clock.set(datetime(2026, 10, 30, 9, tzinfo=UTC))
    assert rules(session, referral.id, clock)["R6"] == Severity.PENDING  # type: ignore[arg-type]
    clock.set(datetime(2026, 11, 2, 9, tzinfo=UTC))
    assert rules(session, referral.id, clock)["R6"] == Severity.DUE_SOON  # type: ignore[arg-type]
    clock.set(datetime(2026, 12, 2, 9, tzinfo=UTC))
    assert rules(session, referral.id, clock)["R6"] == Severity.OVERDUE  # type: ignore[arg-type]
    # An emergency-worker assault is not summary-only: no limit flag.
    staff = new_referral(session, clock, category="STAFF_ASSAULT", nomis="C1234BC")
    assert "R6" not in rules(session, staff.id, clock)  # type: ignore[arg-type]


def test_r7_victim_told_within_5_working_days_of_decision(
    session: Session, clock: FixedClock
) -> None:
    referral = new_referral(session, clock, staff_victim=True, adjudication_charge="X")
    rid = referral.id
    for status in ("referred", "acknowledged", "investigating"):
        svc.move_status(session=session, referral_id=rid, to_status=status, clock=clock)  # type: ignore[arg-type]
    assert "R7" not in rules(session, rid, clock)  # type: ignore[arg-type]
    svc.move_status(session=session, referral_id=rid, to_status="charged", clock=clock)  # type: ignore[arg-type]
    detail = svc.referral_detail(session, rid, clock)  # type: ignore[arg-type]
    r7 = next(f for f in detail.flags if f.rule == "R7")
    assert r7.due_at.date() == date(2026, 11, 25)  # Wed 18 + 5 working days, London end of day
    clock.set(datetime(2026, 11, 26, 9, tzinfo=UTC))
    assert rules(session, rid, clock)["R7"] == Severity.OVERDUE  # type: ignore[arg-type]
    svc.update_referral(
        session=session,
        referral_id=rid,  # type: ignore[arg-type]
        data=ReferralUpdate(victim_updated_at=clock.now()),
        clock=clock,
    )
    assert "R7" not in rules(session, rid, clock)  # type: ignore[arg-type]


def test_r8_victims_right_to_review_window_after_nfa(session: Session, clock: FixedClock) -> None:
    referral = new_referral(session, clock, adjudication_charge="X")
    rid = referral.id
    svc.move_status(session=session, referral_id=rid, to_status="referred", clock=clock)  # type: ignore[arg-type]
    svc.move_status(
        session=session,
        referral_id=rid,  # type: ignore[arg-type]
        to_status="nfa",
        outcome="nfa_evidential_victim_not",
        reason="Victim withdrew support",
        clock=clock,
    )
    info = svc.referral_detail(session, rid, clock).information  # type: ignore[arg-type]
    assert info == ["Victims' Right to Review window open until 18/02/2027 (R8)"]
    clock.set(datetime(2027, 3, 1, tzinfo=UTC))
    assert svc.referral_detail(session, rid, clock).information == []  # type: ignore[arg-type]


def test_r9_footage_overwrite_window_is_a_setting(session: Session, clock: FixedClock) -> None:
    referral = new_referral(session, clock, hours_ago=24 * 25, adjudication_charge="X")
    assert rules(session, referral.id, clock)["R9"] == Severity.DUE_SOON  # type: ignore[arg-type]
    settings.set_value(session, "footage_overwrite_days", 60)
    svc.recompute_all_due(session)
    assert rules(session, referral.id, clock)["R9"] == Severity.PENDING  # type: ignore[arg-type]
    svc.update_referral(
        session=session,
        referral_id=referral.id,  # type: ignore[arg-type]
        data=ReferralUpdate(footage_requested_on=date(2026, 11, 1)),
        clock=clock,
    )
    assert "R9" not in rules(session, referral.id, clock)  # type: ignore[arg-type]


def test_next_due_is_stored_for_sql_queues(session: Session, clock: FixedClock) -> None:
    referral = new_referral(session, clock, category="OTHER", hours_ago=1)
    assert referral.next_due_label == "Lay adjudication charge (48 h)"
    assert referral.next_due_at == referral.discovered_at + timedelta(hours=48)
    svc.update_referral(
        session=session,
        referral_id=referral.id,  # type: ignore[arg-type]
        data=ReferralUpdate(adjudication_charge="A1", footage_requested_on=date(2026, 11, 18)),
        clock=clock,
    )
    assert referral.next_due_at is None


def test_settings_refuse_bad_values(session: Session) -> None:
    import pytest

    with pytest.raises(settings.SettingError, match="not a whole number"):
        settings.set_value(session, "footage_overwrite_days", "four weeks")
    with pytest.raises(settings.SettingError, match="unknown setting"):
        settings.set_value(session, "nope", 1)


def test_referred_without_force_or_acknowledgement_is_flagged(
    session: Session, clock: FixedClock
) -> None:
    referral = new_referral(
        session, clock, category="OTHER", adjudication_charge="X", footage_requested_on=date.today()
    )
    svc.move_status(session=session, referral_id=referral.id, to_status="referred", clock=clock)  # type: ignore[arg-type]
    flags = rules(session, referral.id, clock)  # type: ignore[arg-type]
    assert flags["FORCE"] == Severity.DUE_SOON
    assert flags["ACK"] == Severity.PENDING
    clock.advance(timedelta(days=8))
    assert rules(session, referral.id, clock)["ACK"] == Severity.OVERDUE  # type: ignore[arg-type]
    svc.update_referral(
        session=session,
        referral_id=referral.id,  # type: ignore[arg-type]
        data=ReferralUpdate(force_id="west-yorkshire", crime_ref="13/1/26"),
        clock=clock,
    )
    assert not {"FORCE", "ACK"} & set(rules(session, referral.id, clock))  # type: ignore[arg-type]
