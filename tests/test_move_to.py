"""``cipco move-to``: a prison's file copied into the regional server as its site, verified
there; again with the same file nothing changes; a later copy adds only what is new; custody
history that differs and text PostgreSQL cannot hold are refused, named.
Skipped, saying so, without a server (CIPCO_TEST_PG)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text

from cipco.clock import FixedClock
from cipco.db import read_scope, session_scope, with_site
from cipco.models.exhibit import FINAL_STATES, Exhibit
from cipco.models.referral import Referral
from cipco.services import demo
from cipco.services.bootstrap import prepare
from cipco.services.move_to import MoveRefused, move_to
from cipco.services.site import assign_site
from tests.conftest import FROZEN_AT
from tests.exhibit_helpers import make_exhibit, move
from tests.factories import new_referral
from tests.pg_region import RegionDb, make_region_db

LEI, MDI = "t_mv_lei", "t_mv_mdi"


@pytest.fixture
def region() -> Iterator[RegionDb]:
    yield from make_region_db({"LEI": (LEI,), "MDI": (MDI,)}, {})


@pytest.fixture(scope="module")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    clock = FixedClock(FROZEN_AT)
    path = tmp_path_factory.mktemp("move") / "demo.db"
    engine = prepare(path)
    with session_scope(engine, actor="cipco", clock=clock) as session:
        assign_site(session, "LEI", clock)
    engine.dispose()
    engine = prepare(path)
    with session_scope(engine, actor="cipco demo", clock=clock) as session:
        demo.generate(session, clock, referrals=30, seed=3)
        make_exhibit(session, clock, reference="MV/1")  # held here: it can still move
    engine.dispose()
    return path


@pytest.fixture
def demo_file(_demo_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "lei.db"
    shutil.copyfile(_demo_template, path)
    engine = prepare(path)
    yield engine
    engine.dispose()


def _move(source: Engine, region: RegionDb, login: str = LEI) -> object:
    target = region.cipco(login)
    try:
        return move_to(source, target, clock=FixedClock(FROZEN_AT), actor="tester")
    finally:
        target.dispose()


def _movable() -> object:
    """Exhibits that can still be handed over, first by reference."""
    final = [state.value for state in FINAL_STATES]
    return select(Exhibit).where(Exhibit.state.not_in(final)).order_by(Exhibit.reference)


def _count(region: RegionDb, login: str, table: str) -> int:
    engine = region.login(login)
    with engine.begin() as connection:
        found = int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
    engine.dispose()
    return found


def test_moving_the_demo_file_gives_identical_counts_and_ledger_digests(
    demo_file: Engine, region: RegionDb
) -> None:
    result = _move(demo_file, region)
    assert result.file_anchor is not None and result.server_anchor is not None
    assert result.file_anchor.count > 0
    assert (result.server_anchor.count, result.server_anchor.digest) == (
        result.file_anchor.count,
        result.file_anchor.digest,
    )
    assert result.events_verified == result.file_anchor.count
    with read_scope(demo_file) as session:
        referrals = len(session.scalars(select(Referral.id)).all())
    assert _count(region, LEI, "referral") == referrals == result.added["referral"]
    assert all(c.on_server == c.in_file for c in result.counts)
    assert _count(region, MDI, "referral") == 0  # the other site's login sees none of it


def test_moving_the_same_file_again_changes_nothing(demo_file: Engine, region: RegionDb) -> None:
    first = _move(demo_file, region)
    before = {t: _count(region, LEI, t) for t in ("referral", "exhibit_event", "moved_row")}
    again = _move(demo_file, region)
    assert not again.changed and again.unchanged == sum(first.added.values())
    assert {t: _count(region, LEI, t) for t in before} == before
    assert again.server_anchor.digest == first.server_anchor.digest


def test_a_later_copy_adds_only_what_is_new(demo_file: Engine, region: RegionDb) -> None:
    _move(demo_file, region)
    clock = FixedClock(FROZEN_AT + timedelta(hours=2))
    with session_scope(demo_file, actor="tester", clock=clock) as session:
        new_referral(session, clock, nomis="Z9999ZZ", name="LATER, Copy")
        exhibit = session.scalars(_movable()).first()
        move(session, clock, exhibit, exhibit.holder, "Evidence store", clock.now())
        reference = exhibit.reference
    later = _move(demo_file, region)
    assert later.added["referral"] == 1 and later.added["exhibit_event"] == 1
    assert later.server_anchor.digest == later.file_anchor.digest
    engine = region.login(LEI)
    with engine.begin() as connection:
        holder = connection.execute(
            text("SELECT holder FROM exhibit WHERE reference = :r"), {"r": reference}
        ).scalar_one()
    engine.dispose()
    assert holder == "Evidence store"  # the exhibit row brought up to date


def test_custody_history_that_differs_is_refused_naming_it(
    demo_file: Engine, region: RegionDb
) -> None:
    _move(demo_file, region)
    clock = FixedClock(FROZEN_AT + timedelta(hours=3))
    server = with_site(region.cipco(LEI), "LEI")
    with session_scope(server, actor="on the server", clock=clock) as session:
        exhibit = session.scalars(_movable()).first()
        reference, seq = exhibit.reference, exhibit.event_count + 1
        move(session, clock, exhibit, exhibit.holder, "Server clerk", clock.now())
    server.dispose()
    with session_scope(demo_file, actor="tester", clock=clock) as session:
        mine = session.scalars(select(Exhibit).where(Exhibit.reference == reference)).one()
        move(session, clock, mine, mine.holder, "File clerk", clock.now())
        new_referral(session, clock, nomis="Y8888YY", name="NOT, Copied")
    before = _count(region, LEI, "referral")
    with pytest.raises(MoveRefused) as refused:
        _move(demo_file, region)
    assert f"exhibit {reference} event {seq} (custody history differs" in str(refused.value)
    assert _count(region, LEI, "referral") == before  # nothing of the later copy went in


def test_text_postgresql_cannot_hold_is_named_by_record(
    demo_file: Engine, region: RegionDb
) -> None:
    clock = FixedClock(FROZEN_AT)
    with session_scope(demo_file, actor="tester", clock=clock) as session:
        referral = session.scalars(select(Referral).order_by(Referral.reference)).first()
        referral.notes = "before\x00after"
        session.add(referral)
        reference = referral.reference
    with pytest.raises(MoveRefused) as refused:
        _move(demo_file, region)
    assert f"referral {reference} (notes)" in str(refused.value)
    assert "NUL" in str(refused.value)
    assert _count(region, LEI, "referral") == 0


def test_a_login_of_another_site_cannot_take_the_file(demo_file: Engine, region: RegionDb) -> None:
    with pytest.raises(MoveRefused) as refused:
        _move(demo_file, region, MDI)
    assert "no site LEI this login may write" in str(refused.value)
    assert _count(region, LEI, "referral") == 0
