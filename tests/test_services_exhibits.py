"""The continuity rules: holder, seals, corrections, disposal, retention and the register."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import FixedClock
from cipco.models.exhibit import CorrectionIn, EventIn, ExhibitCreate, ExhibitEvent
from cipco.models.referral import Status
from cipco.services import chain, exhibits
from cipco.services.exhibits import ExhibitError
from cipco.services.paging import PageQuery
from tests.exhibit_helpers import make_exhibit, make_referral, move


def test_seizure_is_the_first_event_and_sets_the_header(
    session: Session, clock: FixedClock
) -> None:
    exhibit = make_exhibit(session, clock)
    assert exhibit.holder == "Officer J. Smith"
    assert exhibit.state == "held"
    assert exhibit.seal_number == "S100"
    assert exhibit.event_count == 1
    events = session.scalars(select(ExhibitEvent)).all()
    assert [e.kind for e in events] == ["seizure"]
    assert events[0].prev_hash == chain.GENESIS
    assert exhibit.head_hash == events[0].hash


def test_only_the_current_holder_can_hand_over(session: Session, clock: FixedClock) -> None:
    exhibit = make_exhibit(session, clock)
    at = clock.now() - timedelta(days=4)
    with pytest.raises(ExhibitError, match="not the current holder"):
        move(session, clock, exhibit, "Officer Somebody Else", "SO P. Carr", at)
    move(session, clock, exhibit, "officer j.  smith", "SO P. Carr", at, seal_number="S100")
    assert exhibit.holder == "SO P. Carr"
    with pytest.raises(ExhibitError, match=r"held by SO P\. Carr"):
        move(session, clock, exhibit, "Officer J. Smith", "Someone", at)


def test_seal_mismatch_and_broken_seal_record_discrepancies(
    session: Session, clock: FixedClock
) -> None:
    exhibit = make_exhibit(session, clock)
    at = clock.now() - timedelta(days=4)
    event = move(session, clock, exhibit, "Officer J. Smith", "SO P. Carr", at, seal_number="S999")
    assert "does not match recorded seal S100" in (event.discrepancy or "")
    event = move(session, clock, exhibit, "SO P. Carr", "Officer K. Ahmed", at, seal_intact=False)
    assert "not intact" in (event.discrepancy or "")
    assert exhibit.discrepancy_count == 2
    page = exhibits.exhibit_page(session, PageQuery(queue="discrepancies"), clock)
    assert [r.reference for r in page.rows] == ["JS/1"]


def test_corrections_keep_the_original(session: Session, clock: FixedClock) -> None:
    exhibit = make_exhibit(session, clock)
    at = clock.now() - timedelta(days=4)
    wrong = move(session, clock, exhibit, "Officer J. Smith", "SO P. Carr", at, seal_number="S999")
    fix = exhibits.correct_event(
        session=session,
        exhibit_id=exhibit.id or 0,
        data=CorrectionIn(
            corrects_event_id=wrong.id or 0, note="Typed wrong receiver", to_name="SO G. Rees"
        ),
        clock=clock,
    )
    assert fix.corrects_event_id == wrong.id
    events = session.scalars(select(ExhibitEvent).order_by(ExhibitEvent.seq)).all()
    assert [e.kind for e in events] == ["seizure", "movement", "correction"]
    assert events[1].to_name == "SO P. Carr"  # the original is untouched
    assert exhibit.holder == "SO G. Rees"
    assert exhibit.discrepancy_count == 1  # the discrepancy stays visible
    detail = exhibits.exhibit_detail(session, exhibit.id or 0, clock)
    assert detail.timeline[1].corrected_by == (3,)
    assert detail.timeline[2].corrects_seq == 2
    with pytest.raises(ExhibitError, match="at least one corrected value"):
        exhibits.correct_event(
            session=session,
            exhibit_id=exhibit.id or 0,
            data=CorrectionIn(corrects_event_id=wrong.id or 0, note="nothing"),
            clock=clock,
        )


def test_dissemination_needs_collar_and_force() -> None:
    with pytest.raises(ValidationError, match="to_collar"):
        EventIn.model_validate(
            {
                "kind": "dissemination",
                "from_name": "A",
                "to_name": "DC Sarah Collins",
                "to_force": "west-yorkshire",
                "happened_at": "2026-11-17T10:00:00+00:00",
            }
        )


def test_dissemination_to_police(session: Session, clock: FixedClock) -> None:
    exhibit = make_exhibit(session, clock, awaiting_collection=True)
    assert [d.reference for d in exhibits.awaiting_collection(session, clock)] == ["JS/1"]
    move(
        session,
        clock,
        exhibit,
        "Officer J. Smith",
        "DC Sarah Collins",
        clock.now() - timedelta(hours=3),
        kind="dissemination",
        to_collar="4321",
        to_force="west-yorkshire",
        seal_number="S100",
        seal_intact=True,
    )
    assert exhibit.state == "disseminated"
    assert exhibits.awaiting_collection(session, clock) == []
    with pytest.raises(ExhibitError, match="cannot move again"):
        move(session, clock, exhibit, "DC Sarah Collins", "X", clock.now())


def _destroy(session: Session, clock: FixedClock, exhibit: object, witness: str) -> object:
    return move(
        session,
        clock,
        exhibit,  # type: ignore[arg-type]
        "Officer J. Smith",
        "",
        clock.now() - timedelta(hours=1),
        kind="destruction",
        authority="Governor D. Price",
        witness=witness,
    )


def test_destruction_rules(session: Session, clock: FixedClock) -> None:
    referral = make_referral(session, clock)
    exhibit = make_exhibit(session, clock, referral_refs="REF-2026-0001")
    with pytest.raises(ExhibitError, match="open referral REF-2026-0001"):
        _destroy(session, clock, exhibit, "OSG J. Kerr")
    referral.status = Status.NFA.value
    session.flush()
    exhibits.set_hold(
        session=session, exhibit_id=exhibit.id or 0, hold=True, reason="Appeal", clock=clock
    )
    with pytest.raises(ExhibitError, match="on hold"):
        _destroy(session, clock, exhibit, "OSG J. Kerr")
    exhibits.set_hold(
        session=session, exhibit_id=exhibit.id or 0, hold=False, reason=None, clock=clock
    )
    with pytest.raises(ExhibitError, match=r"witness.*in this exhibit's chain"):
        _destroy(session, clock, exhibit, "Officer J. Smith")
    _destroy(session, clock, exhibit, "OSG J. Kerr")
    assert exhibit.state == "destroyed"
    assert exhibit.review_due_on is None
    with pytest.raises(ValidationError, match="authority"):
        EventIn.model_validate(
            {
                "kind": "destruction",
                "from_name": "A",
                "witness": "B",
                "happened_at": "2026-11-17T10:00:00+00:00",
            }
        )


def test_time_rules(session: Session, clock: FixedClock) -> None:
    exhibit = make_exhibit(session, clock)
    with pytest.raises(ExhibitError, match="in the future"):
        move(session, clock, exhibit, "Officer J. Smith", "B", clock.now() + timedelta(days=1))
    with pytest.raises(ExhibitError, match="before the previous movement"):
        move(session, clock, exhibit, "Officer J. Smith", "B", clock.now() - timedelta(days=9))
    event = move(session, clock, exhibit, "Officer J. Smith", "B", clock.now() - timedelta(days=2))
    detail = exhibits.exhibit_detail(session, exhibit.id or 0, clock)
    assert detail.timeline[-1].backdated
    assert event.recorded_at == clock.now()


def test_validation_messages_name_the_field(session: Session, clock: FixedClock) -> None:
    with pytest.raises(ValidationError) as info:
        ExhibitCreate.model_validate(
            {
                "reference": "not a ref",
                "exhibit_type": "cctv",
                "description": "",
                "seized_by": "A",
                "seized_at": "2026-11-17T10:00:00+00:00",
                "list_class": "D",
            }
        )
    message = exhibits.validation_message(info.value)
    assert "reference" in message and "description" in message and "list_class" in message
    make_exhibit(session, clock)
    with pytest.raises(ExhibitError, match="already exists"):
        make_exhibit(session, clock)
    with pytest.raises(ExhibitError, match="needs exhibit JS/7 first"):
        make_exhibit(session, clock, reference="JS/7/1")
    sub = make_exhibit(session, clock, reference="js/1/1", description="SIM card")
    assert sub.reference == "JS/1/1" and sub.parent_id is not None
    assert exhibits.next_reference(session, "js") == "JS/2"


def test_retention_review_and_footage_overwrite(session: Session, clock: FixedClock) -> None:
    old = make_exhibit(session, clock, seized_at=clock.now() - timedelta(days=100))
    clip = clock.now() - timedelta(days=30)
    footage = make_exhibit(
        session,
        clock,
        reference="JS/2",
        exhibit_type="cctv",
        description="Landing camera 4",
        found_on=None,
        list_class=None,
        system="Milestone",
        camera_id="CAM-4",
        clip_start=clip,
        clip_end=clip + timedelta(minutes=10),
        seized_at=clock.now() - timedelta(days=2),
    )
    assert footage.review_due_on == (clip + timedelta(days=28)).date()
    due = [d.reference for d in exhibits.retention_due(session, clock)]
    assert due == [old.reference, footage.reference]
    counts = exhibits.queue_counts(session, clock)
    assert counts["all"] == 2 and counts["retention"] == 2 and counts["held"] == 2


def test_register_page_filters_and_referrals(session: Session, clock: FixedClock) -> None:
    make_referral(session, clock)
    exhibit = make_exhibit(session, clock, referral_refs=["REF-2026-0001"])
    make_exhibit(
        session, clock, reference="JS/2", description="Wraps of paper", exhibit_type="drugs"
    )
    move(
        session,
        clock,
        exhibit,
        "Officer J. Smith",
        "PC Tom Ashby",
        clock.now() - timedelta(days=1),
        to_kind="police",
        to_collar="1234",
        to_force="west-yorkshire",
        reason="police_collection",
    )
    page = exhibits.exhibit_page(session, PageQuery(queue="police"), clock)
    assert [(r.reference, r.referrals, r.days_since_movement) for r in page.rows] == [
        ("JS/1", "REF-2026-0001", 1)
    ]
    page = exhibits.exhibit_page(session, PageQuery(text="wraps"), clock)
    assert page.total == 1 and page.rows[0].reference == "JS/2"
    page = exhibits.exhibit_page(session, PageQuery(sort="reference"), clock)
    assert [r.reference for r in page.rows] == ["JS/1", "JS/2"]
    with pytest.raises(ExhibitError, match="unknown filter"):
        exhibits.exhibit_page(session, PageQuery(queue="nope"), clock)


def test_location_follows_the_exhibit_out_of_the_store(session: Session, clock: FixedClock) -> None:
    exhibit = make_exhibit(session, clock)
    assert exhibit.storage_location == "Security evidence safe"
    at = clock.now() - timedelta(days=4)
    move(
        session,
        clock,
        exhibit,
        "Officer J. Smith",
        "DC Sarah Collins",
        at,
        to_kind="police",
        to_collar="4521",
        to_force="west-yorkshire",
        reason="police_collection",
        seal_number="S100",
    )
    assert exhibit.state == "with_police"
    assert exhibit.storage_location is None  # no longer in the prison's safe
