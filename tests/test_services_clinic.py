"""Crime clinic services: cadence, agenda from live data, state moves, actions, attendance."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from cipco.clock import FixedClock, london_midnight
from cipco.db import session_scope
from cipco.models.audit import AuditEvent
from cipco.models.clinic import (
    ActionStatus,
    AgendaItem,
    AgendaItemCreate,
    AttendanceCreate,
    Clinic,
    ClinicActionCreate,
    ClinicActionUpdate,
    ClinicCreate,
    ClinicStatus,
    ItemKind,
    Presence,
)
from cipco.models.referral import ReferralCreate, Status
from cipco.services import clinic as svc
from cipco.services import exhibits as exhibit_service
from cipco.services import referrals
from cipco.services import settings as settings_service
from cipco.services.paging import PageQuery
from tests.conftest import FROZEN_AT


def make_referral(
    session: Session,
    at: datetime,
    moves: tuple[Status, ...] = (),
    nomis: str = "A1234BC",
    **fields: Any,
) -> int:
    clock = FixedClock(at)
    data = ReferralCreate.model_validate(
        {
            "prisoner": {"nomis_number": nomis, "name": "SMITH, John"},
            "category_code": "MOBILE_PHONE",
            "incident_at": at - timedelta(hours=1),
            "footage_requested_on": (at - timedelta(hours=1)).date(),
            "adjudication_charge": "123456",
            "adjudication_state": "REFER_POLICE",
            "force_id": "west-yorkshire",
            **fields,
        }
    )
    referral = referrals.create_referral(session=session, data=data, clock=clock)
    for status in moves:
        referrals.move_status(
            session=session,
            referral_id=referral.id,  # type: ignore[arg-type]
            to_status=status,
            clock=clock,
            reason="not pursued" if status == Status.WITHDRAWN else None,
        )
    assert referral.id is not None
    return referral.id


def agenda(session: Session, clinic_id: int, clock: FixedClock) -> list[svc.AgendaRow]:
    return svc.agenda_rows(session, clinic_id, clock)


def sections_of(rows: list[svc.AgendaRow]) -> dict[int | None, str]:
    return {r.referral_id: r.section for r in rows if r.kind == ItemKind.REFERRAL}


INVESTIGATING = (Status.REFERRED, Status.ACKNOWLEDGED, Status.INVESTIGATING)


def test_next_clinic_follows_the_cadence(session: Session, clock: FixedClock) -> None:
    assert svc.next_clinic_date(session, clock) == date(2026, 11, 18)
    first = svc.create_clinic(session=session, clock=clock)
    assert first.held_on == date(2026, 11, 18)
    assert svc.next_clinic_date(session, clock) == date(2026, 12, 2)  # fortnightly default
    settings_service.set_value(session, "clinic_frequency_days", 7)
    assert svc.next_clinic_date(session, clock) == date(2026, 11, 25)
    with pytest.raises(svc.ClinicError, match="already a clinic on 18/11/2026"):
        svc.create_clinic(session=session, clock=clock, data=ClinicCreate(held_on=first.held_on))


def test_agenda_from_live_data(session: Session, clock: FixedClock) -> None:
    old = FROZEN_AT - timedelta(days=60)
    investigating = make_referral(session, old, INVESTIGATING, nomis="A1111AA")
    awaiting = make_referral(session, old, (Status.REFERRED,), nomis="A2222BB")
    closed = make_referral(session, old, (Status.REFERRED, Status.WITHDRAWN), nomis="A3333CC")
    due = make_referral(
        session,
        old,
        INVESTIGATING,
        nomis="A4444DD",
        next_step="Chase OIC for interview date",
        next_step_due=date(2026, 11, 25),
    )
    previous = svc.create_clinic(
        session=session,
        clock=FixedClock(FROZEN_AT - timedelta(days=14)),
        data=ClinicCreate(held_on=date(2026, 11, 4)),
    )
    assert previous.agenda_at == FROZEN_AT - timedelta(days=14)
    new = make_referral(session, FROZEN_AT - timedelta(days=3), nomis="A5555EE")

    clinic = svc.create_clinic(session=session, clock=clock)
    rows = agenda(session, clinic.id, clock)  # type: ignore[arg-type]
    where = sections_of(rows)
    assert where[new].startswith("New referrals since 04/11/2026")
    assert where[due] == svc.SECTION_DUE
    assert where[awaiting] in ("Awaiting police", svc.SECTION_DUE)
    assert closed not in where
    expected_investigating = "Investigating"
    inv_due = referrals.get_referral(session, investigating).next_due_at
    if inv_due is not None and inv_due < london_midnight(date(2026, 12, 2)):
        expected_investigating = svc.SECTION_DUE
    assert where[investigating] == expected_investigating
    due_row = next(r for r in rows if r.referral_id == due)
    assert "Chase OIC" in due_row.due_label  # live from the tracker
    assert [r.number for r in rows] == list(range(1, len(rows) + 1))
    # The generation is in the audit trail although items were bulk-inserted.
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.table_name == "clinic", AuditEvent.field == "agenda")
    ).all()
    assert len(events) == 2


def test_reorder_add_and_drop(session: Session, clock: FixedClock) -> None:
    old = FROZEN_AT - timedelta(days=60)
    for n in range(3):
        make_referral(session, old, (Status.REFERRED,), nomis=f"A{1000 + n}AA")
    clinic = svc.create_clinic(session=session, clock=clock)
    cid = clinic.id
    assert cid is not None
    free = svc.add_item(
        session=session,
        clinic_id=cid,
        data=AgendaItemCreate(title="Drone sightings [B wing]"),
        clock=clock,
    )
    rows = agenda(session, cid, clock)
    assert rows[-1].id == free.id and rows[-1].kind == ItemKind.FREE
    svc.move_item(session=session, item_id=free.id, delta=-1, clock=clock)  # type: ignore[arg-type]
    rows = agenda(session, cid, clock)
    assert rows[-2].id == free.id
    svc.move_item(session=session, item_id=free.id, delta=-100, clock=clock)  # type: ignore[arg-type]
    assert agenda(session, cid, clock)[0].id == free.id
    first_referral = next(r for r in agenda(session, cid, clock) if r.kind == ItemKind.REFERRAL)
    with pytest.raises(svc.ClinicError, match="reason: say why"):
        svc.drop_item(session=session, item_id=first_referral.id, reason="  ", clock=clock)
    svc.drop_item(
        session=session, item_id=first_referral.id, reason="Discussed last week", clock=clock
    )
    dropped = next(r for r in agenda(session, cid, clock) if r.id == first_referral.id)
    assert dropped.dropped and dropped.drop_reason == "Discussed last week"
    page = svc.agenda_page(session, cid, PageQuery(extra={"show_dropped": False}), clock)
    assert first_referral.id not in [r.id for r in page.rows]
    # Regenerating keeps free and dropped items and does not duplicate referrals.
    before = len(agenda(session, cid, clock))
    svc.generate_agenda(session=session, clinic_id=cid, clock=clock)
    after = agenda(session, cid, clock)
    assert len(after) == before
    assert len({r.referral_id for r in after if r.referral_id}) == 3
    with pytest.raises(svc.ClinicError, match=r"title: .*required"):
        svc.validate(AgendaItemCreate, {"title": "  "})


def test_state_moves_and_closed_clinic_is_read_only(session: Session, clock: FixedClock) -> None:
    clinic = svc.create_clinic(session=session, clock=clock)
    cid = clinic.id
    assert cid is not None
    with pytest.raises(svc.ClinicError, match="cannot move from Draft to Closed; allowed: Open"):
        svc.move_clinic(session=session, clinic_id=cid, to_status="closed", clock=clock)
    svc.move_clinic(session=session, clinic_id=cid, to_status=ClinicStatus.OPEN, clock=clock)
    svc.move_clinic(session=session, clinic_id=cid, to_status="in_progress", clock=clock)
    assert clinic.started_at == FROZEN_AT
    with pytest.raises(svc.ClinicError, match="in progress"):
        svc.generate_agenda(session=session, clinic_id=cid, clock=clock)
    action = svc.add_action(
        session=session,
        clinic_id=cid,
        data=ClinicActionCreate(text="Chase CCTV", owner_name="DC Collins", owner_org="Police"),
        clock=clock,
    )
    item = svc.add_item(
        session=session, clinic_id=cid, data=AgendaItemCreate(title="AOB"), clock=clock
    )
    svc.move_clinic(session=session, clinic_id=cid, to_status="closed", clock=clock)
    assert clinic.closed_at == FROZEN_AT
    for attempt in (
        lambda: svc.add_item(
            session=session, clinic_id=cid, data=AgendaItemCreate(title="Late"), clock=clock
        ),
        lambda: svc.set_note(session=session, item_id=item.id, note="x", clock=clock),
        lambda: svc.drop_item(session=session, item_id=item.id, reason="x", clock=clock),
        lambda: svc.add_attendee(
            session=session, clinic_id=cid, data=AttendanceCreate(name="X"), clock=clock
        ),
        lambda: svc.add_action(
            session=session,
            clinic_id=cid,
            data=ClinicActionCreate(text="t", owner_name="o"),
            clock=clock,
        ),
        lambda: svc.move_clinic(session=session, clinic_id=cid, to_status="open", clock=clock),
    ):
        with pytest.raises(svc.ClinicReadOnly, match="closed and read-only"):
            attempt()
    # Its actions are still live.
    svc.complete_action(session=session, action_id=action.id, clock=clock, note="CCTV sent")
    assert action.status == ActionStatus.DONE and action.done_at == FROZEN_AT


def test_carry_forward_across_three_clinics(session: Session, clock: FixedClock) -> None:
    day1 = FixedClock(FROZEN_AT - timedelta(days=28))
    c1 = svc.create_clinic(session=session, clock=day1)
    assert c1.id is not None
    kept = svc.add_action(
        session=session,
        clinic_id=c1.id,
        data=ClinicActionCreate(
            text="Obtain victim statement", owner_name="DC Pearce", owner_org="Police"
        ),
        clock=day1,
    )
    done_later = svc.add_action(
        session=session,
        clinic_id=c1.id,
        data=ClinicActionCreate(text="Send BWV", owner_name="SO Carr", owner_org="Security"),
        clock=day1,
    )
    dropped_now = svc.add_action(
        session=session,
        clinic_id=c1.id,
        data=ClinicActionCreate(text="Check adjudication", owner_name="ALO"),
        clock=day1,
    )
    svc.drop_action(
        session=session, action_id=dropped_now.id, reason="Adjudication closed", clock=day1
    )
    for status in ("open", "in_progress", "closed"):
        svc.move_clinic(session=session, clinic_id=c1.id, to_status=status, clock=day1)

    day2 = FixedClock(FROZEN_AT - timedelta(days=14))
    c2 = svc.create_clinic(session=session, clock=day2)
    assert c2.held_on == date(2026, 11, 4)
    carried2 = [r for r in agenda(session, c2.id, day2) if r.kind == ItemKind.ACTION]  # type: ignore[arg-type]
    assert {r.action_id for r in carried2} == {kept.id, done_later.id}
    assert all("carried from 21/10/2026" in r.detail for r in carried2)
    assert all(r.section == svc.SECTION_CARRIED for r in carried2)
    svc.complete_action(session=session, action_id=done_later.id, clock=day2)
    # The carried line shows the live state of the action.
    live = {r.action_id: r.action_status for r in agenda(session, c2.id, day2)}  # type: ignore[arg-type]
    assert live[done_later.id] == ActionStatus.DONE
    new2 = svc.add_action(
        session=session,
        clinic_id=c2.id,  # type: ignore[arg-type]
        data=ClinicActionCreate(
            text="Request MG3 update", owner_name="DS Bhatt", owner_org="Police"
        ),
        clock=day2,
    )

    c3 = svc.create_clinic(session=session, clock=clock)
    carried3 = {
        r.action_id: r.detail
        for r in agenda(session, c3.id, clock)  # type: ignore[arg-type]
        if r.kind == ItemKind.ACTION
    }
    assert set(carried3) == {kept.id, new2.id}
    assert "carried from 21/10/2026" in carried3[kept.id]
    assert "carried from 04/11/2026" in carried3[new2.id]
    minutes = svc.clinic_actions(session, c3.id, clock)  # type: ignore[arg-type]
    assert {a.id for a in minutes} == {kept.id, new2.id}


def test_stale_edits_are_refused(engine: Engine, clock: FixedClock) -> None:
    with session_scope(engine, actor="coordinator", clock=clock) as s:
        clinic = svc.create_clinic(session=s, clock=clock)
        item = svc.add_item(
            session=s,
            clinic_id=clinic.id,
            data=AgendaItemCreate(title="AOB"),
            clock=clock,  # type: ignore[arg-type]
        )
        item_id, seen = item.id, item.version
        action = svc.add_action(
            session=s,
            clinic_id=clinic.id,  # type: ignore[arg-type]
            data=ClinicActionCreate(text="Chase", owner_name="DC Kent"),
            clock=clock,
        )
        action_id, action_seen = action.id, action.version
    with session_scope(engine, actor="analyst", clock=clock) as s:
        svc.set_note(session=s, item_id=item_id, note="Agreed", clock=clock)  # type: ignore[arg-type]
        svc.update_action(
            session=s,
            action_id=action_id,  # type: ignore[arg-type]
            data=ClinicActionUpdate(owner_org="Police"),
            clock=clock,
        )
    with session_scope(engine, actor="coordinator", clock=clock) as s:
        with pytest.raises(
            svc.ClinicStale, match=r"^agenda item 'AOB' was changed by analyst at 10:00 since"
        ):
            svc.set_note(
                session=s,
                item_id=item_id,
                note="Mine",
                clock=clock,
                expected_version=seen,  # type: ignore[arg-type]
            )
        with pytest.raises(svc.ClinicStale, match=r"^action 'Chase' was changed by analyst"):
            svc.complete_action(
                session=s,
                action_id=action_id,  # type: ignore[arg-type]
                clock=clock,
                expected_version=action_seen,
            )
    with session_scope(engine, clock=clock) as s:
        assert s.get(AgendaItem, item_id).note == "Agreed"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("change", "what"),
    [
        (
            lambda s, c: svc.move_clinic(session=s, clinic_id=999, to_status="open", clock=c),
            "clinic",
        ),
        (lambda s, c: svc.set_note(session=s, item_id=999, note="x", clock=c), "agenda item"),
        (lambda s, c: svc.complete_action(session=s, action_id=999, clock=c), "action"),
        (
            lambda s, c: svc.set_presence(session=s, attendee_id=999, presence="present", clock=c),
            "attendee",
        ),
    ],
)
def test_a_missing_clinic_record_is_one_not_found_error(
    session: Session, clock: FixedClock, change: Any, what: str
) -> None:
    with pytest.raises(svc.ClinicNotFound, match=f"^{what} 999 does not exist") as caught:
        change(session, clock)
    assert isinstance(caught.value, svc.ClinicError)
    assert caught.value.field is None


def test_attendance_and_validation(session: Session, clock: FixedClock) -> None:
    clinic = svc.create_clinic(session=session, clock=clock)
    cid = clinic.id
    assert cid is not None
    svc.add_attendee(
        session=session,
        clinic_id=cid,
        data=svc.validate(
            AttendanceCreate,
            {"name": "DC Sarah Collins", "role": "Crime team", "organisation": "Police"},
        ),
        clock=clock,
    )
    away = svc.add_attendee(
        session=session,
        clinic_id=cid,
        data=AttendanceCreate(name="Safer custody lead", presence=Presence.APOLOGIES),
        clock=clock,
    )
    with pytest.raises(svc.ClinicError, match="already on the attendance list"):
        svc.add_attendee(
            session=session,
            clinic_id=cid,
            data=AttendanceCreate(name="dc sarah collins"),
            clock=clock,
        )
    with pytest.raises(svc.ClinicError, match=r"owner_name: .*owner"):
        svc.validate(ClinicActionCreate, {"text": "Do it", "owner_name": " "})
    with pytest.raises(svc.ClinicError, match="due_on"):
        svc.validate(ClinicActionCreate, {"text": "Do it", "owner_name": "A", "due_on": "soon"})
    with pytest.raises(svc.ClinicError, match="no referral with reference 'REF-9'"):
        svc.referral_id_for(session, "REF-9")
    svc.set_presence(session=session, attendee_id=away.id, presence="present", clock=clock)  # type: ignore[arg-type]
    view = svc.clinic_view(session, cid)
    assert [a.presence for a in view.attendance] == ["present", "present"]
    svc.remove_attendee(session=session, attendee_id=away.id, clock=clock)  # type: ignore[arg-type]
    assert len(svc.clinic_view(session, cid).attendance) == 1


def test_action_listing_filters(session: Session, clock: FixedClock) -> None:
    clinic = svc.create_clinic(session=session, clock=clock)
    cid = clinic.id
    assert cid is not None
    rows = [
        ("Chase OIC", "DC Collins", "Police", date(2026, 11, 10)),
        ("Send stills", "SO Carr", "Security", date(2026, 11, 30)),
        ("Victim update", "DC Collins", "Police", None),
    ]
    ids = [
        svc.add_action(
            session=session,
            clinic_id=cid,
            data=ClinicActionCreate(text=t, owner_name=o, owner_org=g, due_on=d),
            clock=clock,
        ).id
        for t, o, g, d in rows
    ]
    svc.complete_action(session=session, action_id=ids[1], clock=clock)  # type: ignore[arg-type]
    page = svc.action_page(session, PageQuery(queue="overdue"), clock)
    assert [r.text for r in page.rows] == ["Chase OIC"] and page.rows[0].overdue
    page = svc.action_page(session, PageQuery(queue="open", extra={"owner": "collins"}), clock)
    assert page.total == 2
    assert [r.text for r in page.rows] == ["Chase OIC", "Victim update"]
    assert svc.action_page(session, PageQuery(queue="done"), clock).total == 1
    assert svc.action_counts(session, clock) == {
        "all": 3,
        "open": 2,
        "overdue": 1,
        "done": 1,
        "dropped": 0,
    }
    listed = svc.clinic_page(session, PageQuery(), clock)
    assert listed.total == 1 and listed.rows[0].open_actions == 2
    assert session.get(Clinic, cid) is not None


def test_agenda_lists_exhibits_due_a_retention_review(session: Session, clock: FixedClock) -> None:
    from tests.exhibit_helpers import make_exhibit

    now = clock.now()
    due = make_exhibit(session, clock, reference="JS/1", seized_at=now - timedelta(days=100))
    both = make_exhibit(
        session, clock, reference="JS/2", description="Wraps", seized_at=now - timedelta(days=95)
    )
    make_exhibit(session, clock, reference="JS/3", description="Fresh", seized_at=now)
    assert both.id is not None
    exhibit_service.request_collection(
        session=session, exhibit_id=both.id, requested=True, clock=clock
    )
    # The agenda uses the exhibit log's own rule: the same exhibits as its retention queue.
    assert [d.reference for d in exhibit_service.retention_due(session, clock)] == ["JS/1", "JS/2"]
    clinic = svc.create_clinic(session=session, clock=clock)
    rows = agenda(session, clinic.id, clock)  # type: ignore[arg-type]
    exhibit_rows = [r for r in rows if r.kind == ItemKind.EXHIBIT]
    # An exhibit in both queues is listed once, under the first (awaiting collection).
    assert [(r.section, r.title.split()[0]) for r in exhibit_rows] == [
        (svc.SECTION_EXHIBITS_AWAITING, "JS/2"),
        (svc.SECTION_EXHIBITS_RETENTION, "JS/1"),
    ]
    retention = exhibit_rows[1]
    assert retention.section == "Exhibits: retention review due"
    assert f"Retention review due {due.review_due_on:%d/%m/%Y}" in retention.detail
    assert "Held by us" in retention.detail
    # Regenerating keeps one line per exhibit.
    svc.generate_agenda(session=session, clinic_id=clinic.id, clock=clock)  # type: ignore[arg-type]
    again = [r for r in agenda(session, clinic.id, clock) if r.kind == ItemKind.EXHIBIT]  # type: ignore[arg-type]
    assert len(again) == 2


def test_demo_clinics_and_other_logs_on_the_agenda(demo_db: Path, clock: FixedClock) -> None:
    from cipco.services.bootstrap import prepare

    engine = prepare(demo_db)
    with session_scope(engine, actor="tester", clock=clock) as s:
        listed = svc.clinic_page(s, PageQuery(), clock).rows
        assert len(listed) >= 5
        # Newest first: the one after next already drafted, the next one open, the rest closed.
        assert listed[0].status == ClinicStatus.DRAFT and listed[0].held_on > date(2026, 11, 18)
        assert listed[1].status == ClinicStatus.OPEN and listed[1].held_on == date(2026, 11, 18)
        assert all(r.status == ClinicStatus.CLOSED for r in listed[2:])
        counts = svc.action_counts(s, clock)
        assert counts["done"] > 0 and counts["open"] > 0
        rows = agenda(s, listed[1].id, clock)
        kinds = {r.kind for r in rows}
        assert {ItemKind.REFERRAL, ItemKind.ACTION} <= kinds
        assert all("carried from" in r.detail for r in rows if r.kind == ItemKind.ACTION)
        # A fresh draft also picks up the other logs' queues when they have rows.
        svc.register_agenda_source(
            "test",
            ItemKind.FREE,
            "From another log",
            lambda _s, _c: [svc.SourceItem(source_id=7, title="Thing to collect")],
        )
        try:
            draft = svc.create_clinic(
                session=s, clock=clock, data=ClinicCreate(held_on=date(2026, 12, 9))
            )
            fresh = agenda(s, draft.id, clock)  # type: ignore[arg-type]
        finally:
            svc.unregister_agenda_source("test")
        assert any(r.section == "From another log" for r in fresh)
        sections = {r.section for r in fresh}
        if exhibit_service.awaiting_collection(s, clock):
            assert "Exhibits awaiting police collection" in sections
        if exhibit_service.retention_due(s, clock):
            assert "Exhibits: retention review due" in sections
        # Realistic demo data: a handful of open referrals, not most of them.
        closed = referrals.referral_page(s, PageQuery(queue="closed"), clock).total
        assert 0 < 300 - closed < 30
    engine.dispose()
