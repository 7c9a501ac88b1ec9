"""`verify` catches edits made straight into the SQLite file, as an attacker with the file would."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.services import chain
from tests.exhibit_helpers import make_exhibit, move


@pytest.fixture
def chains(engine: Engine, clock: FixedClock) -> Engine:
    """Two exhibits with four events each."""
    with session_scope(engine, actor="tester", clock=clock) as session:
        for ref in ("JS/1", "JS/2"):
            exhibit = make_exhibit(session, clock, reference=ref)
            start = clock.now() - timedelta(days=4)
            move(session, clock, exhibit, "Officer J. Smith", "SO P. Carr", start)
            move(session, clock, exhibit, "SO P. Carr", "CiPCo A. Whitfield", start + timedelta(1))
            move(
                session,
                clock,
                exhibit,
                "CiPCo A. Whitfield",
                "DC Sarah Collins",
                start + timedelta(2),
                to_kind="police",
                to_collar="4321",
                to_force="west-yorkshire",
                seal_number="S100",
                seal_intact=True,
            )
    return engine


def _verify(engine: Engine) -> chain.VerifyReport:
    with session_scope(engine) as session:
        return chain.verify(session)


def _tamper(db_path: Path, *statements: str) -> None:
    conn = sqlite3.connect(db_path)
    conn.execute("DROP TRIGGER IF EXISTS exhibit_event_no_update")
    conn.execute("DROP TRIGGER IF EXISTS exhibit_event_no_delete")
    for statement in statements:
        conn.execute(statement)
    conn.commit()
    conn.close()


def _event_id(db_path: Path, ref: str, seq: int) -> int:
    conn = sqlite3.connect(db_path)
    row = conn.execute(
        "SELECT e.id FROM exhibit_event e JOIN exhibit x ON x.id = e.exhibit_id "
        "WHERE x.reference = ? AND e.seq = ?",
        (ref, seq),
    ).fetchone()
    conn.close()
    return int(row[0])


def test_intact_chains_verify(chains: Engine) -> None:
    report = _verify(chains)
    assert report.ok, report.problems
    assert (report.exhibits, report.events) == (2, 8)
    assert "Chain intact" in report.summary()


def test_triggers_refuse_casual_edits(chains: Engine, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("UPDATE exhibit_event SET to_name = 'X'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"):
        conn.execute("DELETE FROM exhibit_event")
    conn.close()


def test_raw_update_is_caught(chains: Engine, db_path: Path) -> None:
    target = _event_id(db_path, "JS/1", 2)
    _tamper(db_path, f"UPDATE exhibit_event SET to_name = 'Officer Bent' WHERE id = {target}")
    report = _verify(chains)
    assert not report.ok
    altered = [p for p in report.problems if p.kind == "altered" and p.event_id == target]
    assert altered and altered[0].reference == "JS/1" and altered[0].seq == 2
    assert report.broken_exhibits == ["JS/1"]


def test_raw_update_of_a_time_is_caught(chains: Engine, db_path: Path) -> None:
    target = _event_id(db_path, "JS/2", 3)
    _tamper(
        db_path,
        f"UPDATE exhibit_event SET happened_at = '2026-11-16 09:00:00.000000' WHERE id = {target}",
    )
    report = _verify(chains)
    assert [(p.reference, p.seq, p.kind) for p in report.problems] == [("JS/2", 3, "altered")]


def test_raw_delete_is_caught(chains: Engine, db_path: Path) -> None:
    middle = _event_id(db_path, "JS/1", 2)
    last = _event_id(db_path, "JS/2", 4)
    _tamper(
        db_path,
        f"DELETE FROM exhibit_event WHERE id = {middle}",
        f"DELETE FROM exhibit_event WHERE id = {last}",
    )
    report = _verify(chains)
    removed = {(p.reference, p.seq) for p in report.problems if p.kind == "removed"}
    assert ("JS/1", 2) in removed
    assert ("JS/2", 4) in removed
    assert report.broken_exhibits == ["JS/1", "JS/2"]


def test_raw_insert_is_caught(chains: Engine, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    exhibit_id, head = conn.execute(
        "SELECT id, head_hash FROM exhibit WHERE reference = 'JS/1'"
    ).fetchone()
    conn.execute(
        "INSERT INTO exhibit_event (exhibit_id, seq, kind, from_name, to_name, to_kind, "
        "happened_at, recorded_at, recorded_by, prev_hash, hash) VALUES "
        "(?, 5, 'movement', 'DC Sarah Collins', 'Mr Nobody', 'staff', "
        "'2026-11-18 09:00:00.000000', '2026-11-18 09:00:00.000000', 'x', ?, ?)",
        (exhibit_id, head, "f" * 64),
    )
    conn.commit()
    conn.close()
    report = _verify(chains)
    kinds = {(p.reference, p.seq, p.kind) for p in report.problems}
    assert ("JS/1", 5, "inserted") in kinds
    assert report.broken_exhibits == ["JS/1"]


def test_raw_edit_of_the_exhibit_header_is_caught(chains: Engine, db_path: Path) -> None:
    _tamper(db_path, "UPDATE exhibit SET holder = 'Officer Bent' WHERE reference = 'JS/2'")
    report = _verify(chains)
    assert [(p.reference, p.kind) for p in report.problems] == [("JS/2", "altered")]
    assert "holder" in report.problems[0].detail


def test_stored_instant_matches_sqlite_storage(chains: Engine, db_path: Path) -> None:
    conn = sqlite3.connect(db_path)
    stored = conn.execute("SELECT happened_at FROM exhibit_event LIMIT 1").fetchone()[0]
    conn.close()
    assert len(stored) == len("2026-11-14 10:00:00.000000")


def test_demo_data_verifies(demo_db: Path) -> None:
    from cipco.db import make_engine

    engine = make_engine(demo_db, create=False)
    report = _verify(engine)
    engine.dispose()
    assert report.ok, report.problems[:5]
    assert report.exhibits > 200
    assert 3 <= report.events / report.exhibits <= 5
