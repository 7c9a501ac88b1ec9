"""record_edit: the one way a versioned write loads, checks, changes and saves a record."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import Session

from cipco.clock import FixedClock
from cipco.models.casework import CpsAction, CpsActionIn
from cipco.services.casework import papers
from cipco.services.casework.common import CaseworkError
from cipco.services.casework.queries_papers import CPS
from cipco.services.errors import NotFoundError, StaleEditError
from cipco.services.record_edit import editing, remove_unless
from tests.factories import new_referral


def _action(session: Session, clock: FixedClock) -> CpsAction:
    referral = new_referral(session, clock)
    assert referral.id is not None
    data = CpsActionIn(action="Custody record", requested_on=date(2026, 11, 16), owner="")
    return papers.add_cps_action(session=session, referral_id=referral.id, data=data, clock=clock)


def test_a_change_is_saved_and_moves_updated_at(session: Session, clock: FixedClock) -> None:
    action = _action(session, clock)
    assert action.id is not None
    version = action.version
    later = FixedClock(clock.now() + timedelta(hours=1))
    with editing(CPS, session, action.id, later, version) as changed:
        changed.owner = "Security"
    assert changed is action
    assert action.version == version + 1
    assert action.updated_at == later.now()


def test_nothing_changed_leaves_updated_at(session: Session, clock: FixedClock) -> None:
    action = _action(session, clock)
    assert action.id is not None
    before = action.updated_at
    with editing(CPS, session, action.id, FixedClock(clock.now() + timedelta(hours=1))):
        pass
    assert action.updated_at == before


def test_a_stale_or_missing_record_is_refused_before_the_block(
    session: Session, clock: FixedClock
) -> None:
    action = _action(session, clock)
    assert action.id is not None
    ran = []
    with pytest.raises(StaleEditError) as stale, editing(CPS, session, action.id, clock, 99):
        ran.append(True)
    assert isinstance(stale.value, CaseworkError)
    with pytest.raises(NotFoundError), editing(CPS, session, 999_999, clock):
        ran.append(True)
    assert ran == []


def test_check_is_asked_before_the_version(session: Session, clock: FixedClock) -> None:
    action = _action(session, clock)
    assert action.id is not None

    def read_only(record: CpsAction) -> None:
        raise CaseworkError("read-only", field="status")

    with (
        pytest.raises(CaseworkError, match="read-only"),
        editing(CPS, session, action.id, clock, 99, check=read_only),
    ):
        pass


def test_remove_unless_kept(session: Session, clock: FixedClock) -> None:
    action = _action(session, clock)
    assert action.id is not None
    with pytest.raises(CaseworkError, match=r"^it stays") as kept:
        remove_unless(CPS, session, action.id, None, kept=lambda a: True, why="it stays")
    assert kept.value.field == "form"
    remove_unless(CPS, session, action.id, action.version, kept=lambda a: False, why="")
    assert session.get(CpsAction, action.id) is None
