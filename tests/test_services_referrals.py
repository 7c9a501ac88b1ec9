"""The referral tracker's rules: create, edit, the status workflow, follow-ups, queues, audit."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.audit import AuditEvent
from cipco.models.referral import ReferralUpdate, Status, StatusChange
from cipco.services import referrals as svc
from cipco.services.paging import PageQuery
from cipco.services.referrals.rules import OUTCOMES_FOR, TRANSITIONS
from tests.factories import new_referral

ALL = list(Status)


def test_create_assigns_reference_prisoner_and_draft(session: Session, clock: FixedClock) -> None:
    referral = new_referral(session, clock)
    assert referral.reference == "REF-2026-0001"
    assert referral.status == "draft"
    second = new_referral(session, clock, nomis="a1234bc", name="SMITH, John Paul")
    assert second.reference == "REF-2026-0002"
    assert second.prisoner_id == referral.prisoner_id  # same NOMIS number, same prisoner
    prisoner = svc.prisoner_by_nomis(session, "A1234BC")
    assert prisoner is not None and prisoner.name == "SMITH, John Paul"


def test_create_refuses_unknown_category_and_future_incident(
    session: Session, clock: FixedClock
) -> None:
    with pytest.raises(svc.ReferralError, match="not a crime category") as info:
        new_referral(session, clock, category="NOPE")
    assert info.value.field == "category_code"
    with pytest.raises(svc.ReferralError, match="in the future"):
        new_referral(session, clock, hours_ago=-3)


@pytest.mark.parametrize("source", ALL)
@pytest.mark.parametrize("target", ALL)
def test_every_status_move_is_allowed_or_refused_by_the_table(
    session: Session, clock: FixedClock, source: Status, target: Status
) -> None:
    referral = new_referral(session, clock)
    referral.status = source  # put it straight in the state under test
    session.flush()
    allowed = target in TRANSITIONS[source]
    outcome = (OUTCOMES_FOR.get(target) or (None,))[0]
    if allowed:
        moved = svc.move_status(
            session=session,
            referral_id=referral.id,  # type: ignore[arg-type]
            to_status=target,
            clock=clock,
            reason="because",
            outcome=outcome,
        )
        assert moved.status == target
    else:
        with pytest.raises(svc.ReferralError, match="cannot move") as info:
            svc.move_status(
                session=session,
                referral_id=referral.id,  # type: ignore[arg-type]
                to_status=target,
                clock=clock,
                reason="because",
                outcome=outcome,
            )
        for name in TRANSITIONS[source]:
            assert svc.status_label(name) in str(info.value)


def test_nfa_and_withdrawn_need_a_reason(session: Session, clock: FixedClock) -> None:
    referral = new_referral(session, clock)
    with pytest.raises(svc.ReferralError, match="needs a reason"):
        svc.move_status(
            session=session, referral_id=referral.id, to_status="withdrawn", clock=clock
        )  # type: ignore[arg-type]
    svc.move_status(session=session, referral_id=referral.id, to_status="referred", clock=clock)  # type: ignore[arg-type]
    with pytest.raises(svc.ReferralError, match="needs a reason"):
        svc.move_status(
            session=session,
            referral_id=referral.id,  # type: ignore[arg-type]
            to_status="nfa",
            outcome="no_suspect",
            clock=clock,
        )


def test_outcome_must_fit_the_status(session: Session, clock: FixedClock) -> None:
    referral = new_referral(session, clock)
    rid = referral.id
    for status in ("referred", "acknowledged", "investigating"):
        svc.move_status(session=session, referral_id=rid, to_status=status, clock=clock)  # type: ignore[arg-type]
    with pytest.raises(svc.ReferralError, match="needs an outcome"):
        svc.move_status(session=session, referral_id=rid, to_status="out_of_court", clock=clock)  # type: ignore[arg-type]
    with pytest.raises(svc.ReferralError, match="does not fit"):
        svc.move_status(
            session=session,
            referral_id=rid,  # type: ignore[arg-type]
            to_status="out_of_court",
            outcome="convicted",
            clock=clock,
        )
    moved = svc.move_status(
        session=session,
        referral_id=rid,
        to_status="out_of_court",
        outcome="caution",
        clock=clock,  # type: ignore[arg-type]
    )
    assert moved.outcome == "caution"
    assert moved.police_decision_at == clock.now()
    assert moved.closed_at == clock.now()


def test_moves_are_time_stamped_in_the_timeline(session: Session, clock: FixedClock) -> None:
    referral = new_referral(session, clock)
    clock.advance(timedelta(hours=3))
    svc.move_status(session=session, referral_id=referral.id, to_status="referred", clock=clock)  # type: ignore[arg-type]
    svc.add_follow_up(
        session=session,
        referral_id=referral.id,
        note="Chased OIC by phone",
        clock=clock,  # type: ignore[arg-type]
    )
    detail = svc.referral_detail(session, referral.id, clock)  # type: ignore[arg-type]
    texts = [entry.text for entry in detail.timeline]
    assert texts == ["Created as Draft", "Draft → Referred", "[phone] Chased OIC by phone"]
    assert referral.referred_at == clock.now()
    assert referral.police_contacted_at == clock.now()
    changes = session.scalars(select(StatusChange)).all()
    assert [c.actor for c in changes] == ["tester", "tester"]


def test_follow_up_needs_a_note(session: Session, clock: FixedClock) -> None:
    referral = new_referral(session, clock)
    with pytest.raises(svc.ReferralError, match="say what was done"):
        svc.add_follow_up(session=session, referral_id=referral.id, note="  ", clock=clock)  # type: ignore[arg-type]


def test_update_writes_field_level_audit_history(session: Session, clock: FixedClock) -> None:
    referral = new_referral(session, clock)
    svc.update_referral(
        session=session,
        referral_id=referral.id,  # type: ignore[arg-type]
        data=ReferralUpdate(crime_ref="13/123456/26", oic_name="DC Collins"),
        clock=clock,
    )
    session.flush()
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.table_name == "referral", AuditEvent.action == "update")
    ).all()
    changed = {(e.field, e.old, e.new, e.actor) for e in events}
    assert ("crime_ref", None, "13/123456/26", "tester") in changed
    assert ("oic_name", None, "DC Collins", "tester") in changed


def test_stale_edit_is_refused_with_who_and_when(engine: Engine, clock: FixedClock) -> None:
    with session_scope(engine, actor="alice", clock=clock) as s:
        referral = new_referral(s, clock)
        rid, seen_version = referral.id, referral.version
    clock.advance(timedelta(minutes=5))
    with session_scope(engine, actor="bob", clock=clock) as s:
        svc.update_referral(
            session=s,
            referral_id=rid,
            data=ReferralUpdate(crime_ref="BOB"),
            clock=clock,  # type: ignore[arg-type]
        )
    with (
        pytest.raises(svc.StaleEdit, match="changed by bob at 10:05"),
        session_scope(engine, actor="alice", clock=clock) as s,
    ):
        svc.update_referral(
            session=s,
            referral_id=rid,  # type: ignore[arg-type]
            data=ReferralUpdate(crime_ref="ALICE"),
            clock=clock,
            expected_version=seen_version,
        )
    with session_scope(engine, clock=clock) as s:
        assert svc.get_referral(s, rid).crime_ref == "BOB"  # type: ignore[arg-type]


def test_failed_save_leaves_nothing_half_written(engine: Engine, clock: FixedClock) -> None:
    with session_scope(engine, clock=clock) as s:
        rid = new_referral(s, clock).id
    with pytest.raises(svc.ReferralError), session_scope(engine, clock=clock) as s:
        svc.update_referral(
            session=s,
            referral_id=rid,  # type: ignore[arg-type]
            data=ReferralUpdate(crime_ref="X", force_id="atlantis"),
            clock=clock,
        )
    with session_scope(engine, clock=clock) as s:
        assert svc.get_referral(s, rid).crime_ref is None  # type: ignore[arg-type]


def test_queues_filter_and_sort_in_sql(session: Session, clock: FixedClock) -> None:
    a = new_referral(session, clock, nomis="A1111AA", name="ALPHA, Ann", hours_ago=100)
    b = new_referral(session, clock, nomis="B2222BB", name="BRAVO, Bob", hours_ago=1)
    svc.move_status(session=session, referral_id=b.id, to_status="referred", clock=clock)  # type: ignore[arg-type]
    counts = svc.queue_counts(session, clock)
    assert counts["all"] == 2
    assert counts["to_refer"] == 1
    assert counts["awaiting_police"] == 1
    assert counts["overdue"] == 1  # A: adjudication 48 h passed
    page = svc.referral_page(session, PageQuery(queue="overdue"), clock)
    assert [r.reference for r in page.rows] == [a.reference]
    assert page.rows[0].severity == "overdue"
    page = svc.referral_page(session, PageQuery(text="bravo"), clock)
    assert [r.nomis_number for r in page.rows] == ["B2222BB"]
    page = svc.referral_page(session, PageQuery(sort="prisoner_name"), clock)
    assert [r.prisoner_name for r in page.rows] == ["ALPHA, Ann", "BRAVO, Bob"]
    page = svc.referral_page(session, PageQuery(sort="prisoner_name", descending=True), clock)
    assert [r.prisoner_name for r in page.rows] == ["BRAVO, Bob", "ALPHA, Ann"]
    assert svc.referral_page(session, PageQuery(offset=1, limit=1), clock).total == 2


def test_text_filter_treats_wildcards_as_text(session: Session, clock: FixedClock) -> None:
    new_referral(session, clock, name="O'BRIEN, [Sean]")
    new_referral(session, clock, name="SMITH_JONES, Ann", nomis="B2345CD")
    new_referral(session, clock, name="SMITHXJONES, Bob", nomis="C3456DE")
    # % and _ typed in a filter are the characters themselves, never wildcards
    assert svc.referral_page(session, PageQuery(text="%"), clock).total == 0
    found = svc.referral_page(session, PageQuery(text="smith_"), clock).rows
    assert [row.prisoner_name for row in found] == ["SMITH_JONES, Ann"]
    assert svc.referral_page(session, PageQuery(text="\\"), clock).total == 0
    assert svc.referral_page(session, PageQuery(text="[sean]"), clock).total == 1
    assert svc.referral_page(session, PageQuery(text="nobody"), clock).total == 0


def test_history_reads_in_words_and_london_time(session: Session, clock: FixedClock) -> None:
    from datetime import UTC, datetime

    clock.set(datetime(2026, 7, 1, 12, 0, tzinfo=UTC))  # British Summer Time
    referral = new_referral(session, clock, adjudication_charge="X1")
    svc.move_status(session=session, referral_id=referral.id, to_status="referred", clock=clock)  # type: ignore[arg-type]
    session.flush()
    history = svc.referral_detail(session, referral.id, clock).history  # type: ignore[arg-type]
    by_field = {h.field: h for h in history}
    assert (by_field["Status"].old, by_field["Status"].new) == ("Draft", "Referred")
    assert by_field["Police contacted"].new == "01/07/2026 13:00"
    assert by_field["Police contacted"].old == "—"
    assert history[0].field == "Created"
