"""What must hold on both backends: the same custody digests for the same data, and another
process's change seen (SQLite's data_version, PostgreSQL's LISTEN/NOTIFY) within a second."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from sqlalchemy import Engine
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.config import ServerDb
from cipco.db import change_watcher, session_scope
from cipco.services.bootstrap import prepare
from tests.chain_helpers import build_chains
from tests.factories import new_referral

runner = CliRunner()


def _ledger(location: Path | ServerDb) -> str:
    result = runner.invoke(app, ["--db", str(location), "ledger"])
    assert result.exit_code == 0, result.output
    return result.output.split("--against ")[1].split()[0]


def test_the_same_custody_records_give_the_same_ledger_digest_on_both(
    tmp_path: Path, clock: FixedClock, _template_db: Path, pg_database: str
) -> None:
    import shutil

    state.clock = clock
    try:
        sqlite_file = tmp_path / "file.db"
        shutil.copyfile(_template_db, sqlite_file)
        server = ServerDb(pg_database)
        for location in (sqlite_file, server):
            engine = prepare(location)
            build_chains(engine, clock)
            engine.dispose()
        on_file, on_server = _ledger(sqlite_file), _ledger(server)
        assert on_file == on_server
        assert on_file.startswith("12:")
        result = runner.invoke(app, ["--db", str(server), "verify", "-q"])
        assert result.exit_code == 0, result.output
        assert "Chain intact: 3 exhibits, 12 events" in result.output
    finally:
        state.clock = None
        state.db_option = None


def _wait_for_change(watcher: object, seconds: float) -> float | None:
    """Seconds until ``watcher.changed()`` said yes (checked as a timer would), or None."""
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        if watcher.changed():  # type: ignore[attr-defined]
            return time.monotonic() - started
        time.sleep(0.02)
    return None


def test_a_change_by_another_engine_is_seen_within_a_second(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    other = prepare(db_path)  # another program on the same data (its own connections)
    watcher = change_watcher(engine)
    try:
        assert not watcher.changed()
        with session_scope(other, actor="someone else", clock=clock) as session:
            new_referral(session, clock)
        waited = _wait_for_change(watcher, 1.0)
        assert waited is not None, "the change was not seen within a second"
        assert not watcher.changed()  # told once
    finally:
        watcher.close()
        other.dispose()


def test_a_read_tells_no_one(engine: Engine, clock: FixedClock) -> None:
    from sqlalchemy import func, select

    from cipco.db import read_scope
    from cipco.models import Referral

    watcher = change_watcher(engine)
    try:
        with read_scope(engine) as session:
            session.execute(select(func.count()).select_from(Referral)).scalar()
        assert _wait_for_change(watcher, 0.3) is None
    finally:
        watcher.close()


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_notification_names_only_the_site(engine: Engine, clock: FixedClock) -> None:
    import psycopg

    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as listener:
        listener.execute("LISTEN cipco_changes")
        with session_scope(engine, actor="tester", clock=clock) as session:
            new_referral(session, clock)
        notes = list(listener.notifies(timeout=2, stop_after=1))
    assert [(n.channel, n.payload) for n in notes] == [("cipco_changes", "LEI")]
