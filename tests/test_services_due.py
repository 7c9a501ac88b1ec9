"""The due registry: every log's deadlines in one list, by deadline, each with its rule."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Engine
from sqlmodel import Session

from cipco.clock import FixedClock
from cipco.db import read_scope, session_scope
from cipco.services import due
from cipco.services.due import DueWindow, due_items, rules, summarise
from cipco.services.flags import Severity
from tests.due_helpers import RULES, one_of_each


def test_every_log_contributes_its_item_with_its_rule(session: Session, clock: FixedClock) -> None:
    made = one_of_each(session, clock)
    items = due_items(session, clock)
    found = {(i.record.log, i.record.id, i.rule) for i in items}
    for log, record_id in made.ids().items():
        assert (log, record_id, RULES[log]) in found, log
    assert [i.due_at for i in items] == sorted(i.due_at for i in items)
    person = next(i for i in items if i.record.log == "persons")
    assert person.record.reference == "C3456DE" and person.rule_name == "SOC review"
    r5 = next(i for i in items if i.rule == "R5")
    assert r5.what == "Lay adjudication charge (48 h)" and r5.record.reference == "REF-2026-0042"
    assert r5.about == "A1234BC SMITH, John"


def test_every_item_names_a_declared_rule_and_is_unique(
    session: Session, clock: FixedClock
) -> None:
    one_of_each(session, clock)
    items = due_items(session, clock)
    assert {i.rule for i in items} <= set(rules())
    assert len({i.key for i in items}) == len(items)
    assert set(due.SOURCES) == {"referrals", "exhibits", "mg4d", "persons", "actions"}


def test_horizon_overdue_and_done(engine: Engine, clock: FixedClock) -> None:
    with session_scope(engine, actor="t", clock=clock) as session:
        made = one_of_each(session, clock)
    with read_scope(engine) as session:
        today_only = due_items(session, clock, until=DueWindow.of(clock).today_ends)
    # today: only the referral's R1/R5 kind of deadline (hours away) and nothing dated later
    assert all(i.due_at <= DueWindow.of(clock).today_ends for i in today_only)
    assert not any(i.record.log == "persons" for i in today_only)

    later = FixedClock(clock.now() + timedelta(days=10))
    with read_scope(engine) as session:
        items = due_items(session, later)
        window = DueWindow.of(later)
        counts = summarise(items, window)
    assert counts.overdue == len(items) and all(i.severity == Severity.OVERDUE for i in items)

    # an action done leaves the list
    from cipco.services import clinic

    with session_scope(engine, actor="t", clock=clock) as session:
        clinic.complete_action(session=session, action_id=made.action_id, clock=clock)
    with read_scope(engine) as session:
        assert not [i for i in due_items(session, later) if i.record.log == "actions"]


def test_sources_can_be_chosen(session: Session, clock: FixedClock) -> None:
    one_of_each(session, clock)
    items = due_items(session, clock, sources={"mg4d"})
    assert {i.record.log for i in items} == {"mg4d"}
    assert items[0].what.startswith("Serve MG4D before first hearing")
