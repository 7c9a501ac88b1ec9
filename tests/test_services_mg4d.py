"""MG4D issue log: queue, service rules, corrections, referral moved to charged."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

from cipco.clock import FixedClock
from cipco.models.mg4d import PapersCreate, Response, ServiceCreate, ServiceEvent
from cipco.models.people import PrisonerIn
from cipco.models.referral import ReferralCreate, Status, StatusChange
from cipco.services import mg4d, referrals
from cipco.services.paging import PageQuery


def _referral(session: Session, clock: FixedClock, nomis: str = "A1234BC") -> int:
    ref = referrals.create_referral(
        session=session,
        data=ReferralCreate(
            prisoner=PrisonerIn(nomis_number=nomis, name="SMITH, John"),
            category_code="STAFF_ASSAULT",
            incident_at=clock.now() - timedelta(days=20),
            staff_victim=True,
        ),
        clock=clock,
    )
    assert ref.id is not None
    return ref.id


def _papers(
    session: Session,
    clock: FixedClock,
    *,
    nomis: str = "A1234BC",
    reference: str | None = None,
    days_ago: int = 3,
    hearing: date | None = None,
) -> int:
    papers = mg4d.receive_papers(
        session,
        PapersCreate(
            prisoner=PrisonerIn(nomis_number=nomis),
            referral_reference=reference,
            charges="Assault on an emergency worker",
            court="Leeds Magistrates",
            first_hearing_on=hearing,
            received_at=clock.now() - timedelta(days=days_ago),
            received_from="DC Collins",
        ),
        clock,
    )
    assert papers.id is not None
    return papers.id


def _serve(response: Response = Response.SIGNED, **kw: object) -> ServiceCreate:
    return ServiceCreate.model_validate(
        {
            "served_at": datetime(2026, 11, 18, 9, 30, tzinfo=UTC),
            "served_by": "Officer K. Ahmed",
            "witnessed_by": "SO P. Carr",
            "response": response,
        }
        | kw
    )


def test_queue_oldest_first_and_hearing_soon(session: Session, clock: FixedClock) -> None:
    newer = _papers(session, clock, days_ago=1, hearing=date(2026, 12, 30))
    older = _papers(session, clock, nomis="B2345CD", days_ago=5, hearing=date(2026, 11, 20))
    served = _papers(session, clock, nomis="C3456DE", days_ago=6)
    mg4d.record_service(session, served, _serve(), clock)

    queue = mg4d.awaiting_service(session, clock)
    assert [r.id for r in queue] == [older, newer]
    assert queue[0].hearing_soon and not queue[1].hearing_soon
    assert queue[0].days_waiting == 5
    counts = mg4d.queue_counts(session, clock)
    assert counts == {"all": 3, "awaiting": 2, "hearing_soon": 1, "served": 1, "not_served": 0}
    page = mg4d.papers_page(session, PageQuery(queue="hearing_soon"), clock)
    assert [r.id for r in page.rows] == [older] and page.total == 1


def test_serving_walks_referral_to_charged(session: Session, clock: FixedClock) -> None:
    referral_id = _referral(session, clock)
    reference = referrals.get_referral(session, referral_id).reference
    papers_id = _papers(session, clock, reference=reference)
    result = mg4d.record_service(session, papers_id, _serve(), clock)
    assert result.referral_moves == [
        Status.REFERRED,
        Status.ACKNOWLEDGED,
        Status.INVESTIGATING,
        Status.CHARGED,
    ]
    referral = referrals.get_referral(session, referral_id)
    assert referral.status == Status.CHARGED
    assert referral.outcome == "charged"
    moves = session.scalars(select(StatusChange).where(StatusChange.referral_id == referral_id))
    assert [m.to_status for m in moves][-1] == Status.CHARGED
    assert result.papers.state == "served"
    assert result.papers.served_at == datetime(2026, 11, 18, 9, 30, tzinfo=UTC)


def test_not_moved_when_already_charged_or_closed(session: Session, clock: FixedClock) -> None:
    referral_id = _referral(session, clock)
    for status in (Status.REFERRED, Status.WITHDRAWN):
        referrals.move_status(
            session=session,
            referral_id=referral_id,
            to_status=status,
            clock=clock,
            reason="victim withdrew",
        )
    reference = referrals.get_referral(session, referral_id).reference
    papers_id = _papers(session, clock, reference=reference)
    result = mg4d.record_service(session, papers_id, _serve(), clock)
    assert result.referral_moves == []
    assert referrals.get_referral(session, referral_id).status == Status.WITHDRAWN


def test_not_served_keeps_queue_and_referral(session: Session, clock: FixedClock) -> None:
    referral_id = _referral(session, clock)
    reference = referrals.get_referral(session, referral_id).reference
    papers_id = _papers(session, clock, reference=reference)
    with pytest.raises(ValueError, match="note"):
        _serve(Response.NOT_SERVED_OTHER)
    mg4d.record_service(
        session, papers_id, _serve(Response.NOT_SERVED_OTHER, note="at court"), clock
    )
    assert [r.id for r in mg4d.awaiting_service(session, clock)] == [papers_id]
    assert referrals.get_referral(session, referral_id).status == Status.DRAFT
    mg4d.record_service(session, papers_id, _serve(Response.NOT_SERVED_TRANSFERRED), clock)
    assert mg4d.awaiting_service(session, clock) == []


def test_service_rules_and_append_only_corrections(session: Session, clock: FixedClock) -> None:
    papers_id = _papers(session, clock)
    with pytest.raises(mg4d.Mg4dError, match=r"served: .* is in the future"):
        mg4d.record_service(
            session, papers_id, _serve(served_at=clock.now() + timedelta(hours=1)), clock
        )
    with pytest.raises(mg4d.Mg4dError, match="before the papers were received"):
        mg4d.record_service(
            session, papers_id, _serve(served_at=clock.now() - timedelta(days=10)), clock
        )
    first = mg4d.record_service(session, papers_id, _serve(), clock).event
    with pytest.raises(mg4d.Mg4dError, match="already served"):
        mg4d.record_service(session, papers_id, _serve(), clock)
    fixed = mg4d.record_service(
        session,
        papers_id,
        _serve(Response.REFUSED, corrects_event_id=first.id, note="refused to sign"),
        clock,
    )
    assert fixed.papers.response == "refused" and fixed.papers.state == "served"
    with pytest.raises(mg4d.Mg4dError, match="only the latest"):
        mg4d.record_service(session, papers_id, _serve(corrects_event_id=first.id), clock)
    returned = mg4d.record_copy_returned(
        session, papers_id, clock, clock.now() - timedelta(minutes=5), "email to OIC"
    )
    events = list(session.scalars(select(ServiceEvent).where(ServiceEvent.papers_id == papers_id)))
    assert len(events) == 3  # nothing was edited
    assert events[0].response == "signed"
    assert returned.event.copy_returned_how == "email to OIC"
    detail = mg4d.papers_detail(session, papers_id, clock)
    assert [e.superseded for e in detail.events] == [True, True, False]
    with pytest.raises(mg4d.Mg4dError, match="stay in the log"):
        mg4d.delete_papers(session, papers_id)


def test_papers_validation_names_fields(session: Session, clock: FixedClock) -> None:
    with pytest.raises(ValueError, match="charged with"):
        PapersCreate(
            prisoner=PrisonerIn(nomis_number="A1234BC"), charges=" ", received_at=clock.now()
        )
    with pytest.raises(mg4d.Mg4dError, match="referral: 'REF-9' is not a referral"):
        _papers(session, clock, reference="REF-9")
    referral_id = _referral(session, clock, nomis="B2345CD")
    reference = referrals.get_referral(session, referral_id).reference
    with pytest.raises(mg4d.Mg4dError, match="is about B2345CD"):
        _papers(session, clock, reference=reference)
