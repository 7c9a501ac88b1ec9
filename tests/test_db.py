"""The data file: owner-only, migrated by alembic, refused when newer, safe under two writers."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, select
from sqlmodel import SQLModel

from cipco import datafile, db, fts
from cipco.models.reference import CrimeCategory, Force
from cipco.services.bootstrap import prepare


def test_new_file_is_owner_only_and_migrated(tmp_path: Path) -> None:
    path = tmp_path / "new" / "cipco.db"
    engine = prepare(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert datafile.current_revision(engine) == datafile.head_revision()
    assert datafile.is_cipco_database(path)
    with db.session_scope(engine) as s:
        assert len(s.scalars(select(Force)).all()) == 44
        assert s.get(CrimeCategory, "HOMICIDE").serious_incident  # type: ignore[union-attr]


def test_migrating_twice_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "cipco.db"
    prepare(path).dispose()
    engine = prepare(path)
    assert datafile.migrate(engine) is None  # already at head: no backup, no change
    with db.session_scope(engine) as s:
        assert len(s.scalars(select(Force)).all()) == 44  # seeded once


def test_a_file_cut_short_before_its_lists_were_filled_gets_them_next_time(
    tmp_path: Path,
) -> None:
    path = tmp_path / "cipco.db"
    prepare(path).dispose()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("DELETE FROM force")
    conn.close()
    engine = prepare(path)
    with db.read_scope(engine) as s:
        assert len(s.scalars(select(Force)).all()) == 44
    engine.dispose()


def test_migrations_match_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"include_name": lambda name, *_: not fts.is_index_table(str(name))}
        )
        diff = compare_metadata(context, SQLModel.metadata)
    assert diff == []


def test_pragmas_on_every_connection(engine: Engine) -> None:
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == 1000  # one wait step


def test_file_from_a_newer_cipco_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "cipco.db"
    prepare(path).dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    before = path.read_bytes()
    with pytest.raises(db.DatabaseTooNew, match="newer version of cipco"):
        prepare(path)
    assert path.read_bytes() == before


def test_foreign_sqlite_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE t (x)")
    with pytest.raises(db.DatabaseError, match="not a cipco database"):
        prepare(path)


def test_upgrade_of_an_older_file_takes_a_backup_first(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "cipco.db"
    engine = db.make_engine(path)
    command.upgrade(datafile._alembic_config(engine), "0001")
    backup = datafile.migrate(engine)
    assert backup is not None and backup.exists()
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    assert datafile.current_revision(engine) == datafile.head_revision()


def test_backup_is_owner_only_and_refuses_to_overwrite(engine: Engine, tmp_path: Path) -> None:
    target = datafile.backup(engine, tmp_path / "b.db")
    assert stat.S_IMODE(os.stat(target).st_mode) == 0o600
    assert datafile.is_cipco_database(target)
    with pytest.raises(db.DatabaseError, match="already exists"):
        datafile.backup(engine, target)


WRITER = textwrap.dedent(
    """
    import sys
    from datetime import UTC, datetime, timedelta
    from cipco.clock import FixedClock
    from cipco.db import session_scope
    from cipco.models.people import PrisonerIn
    from cipco.models.referral import ReferralCreate
    from cipco.services.bootstrap import prepare
    from cipco.services.referrals import create_referral
    engine = prepare(sys.argv[1])
    clock = FixedClock(datetime(2026, 11, 18, 10, tzinfo=UTC))
    for i in range(int(sys.argv[2])):
        with session_scope(engine, actor=sys.argv[3], clock=clock) as s:
            create_referral(session=s, clock=clock, data=ReferralCreate(
                reference=f"{sys.argv[3]}-{i}",
                prisoner=PrisonerIn(nomis_number="A1234BC"),
                category_code="OTHER",
                incident_at=clock.now() - timedelta(hours=1),
            ))
        print(i, flush=True)
    """
)


def _referral_count(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        return int(conn.execute("SELECT count(*) FROM referral").fetchone()[0])


def test_two_processes_write_the_same_file(engine: Engine, db_path: Path) -> None:
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(db_path), "25", name])
        for name in ("one", "two")
    ]
    assert [p.wait(timeout=120) for p in procs] == [0, 0]
    assert _referral_count(db_path) == 50


def test_kill_9_leaves_whole_transactions_only(engine: Engine, db_path: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(db_path), "100000", "k"],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    for _ in range(20):  # let it commit a few, then kill it mid-flight
        proc.stdout.readline()
    proc.kill()
    proc.wait()
    count = _referral_count(db_path)
    assert count >= 20
    with sqlite3.connect(db_path) as conn:
        # every referral has its creation in the timeline: no half-written save
        orphans = conn.execute(
            "SELECT count(*) FROM referral r WHERE NOT EXISTS "
            "(SELECT 1 FROM status_change c WHERE c.referral_id = r.id)"
        ).fetchone()[0]
    assert orphans == 0
