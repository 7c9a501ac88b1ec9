"""Backups never replace a file; restore checks the candidate whole before replacing anything;
demo never mixes fake records into a real tracker."""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cipco.clock import FixedClock
from cipco.services.bootstrap import prepare
from tests.db_cases import count, fingerprint, invoke


@pytest.fixture(autouse=True)
def _cli_clock(clock: FixedClock) -> Iterator[None]:
    from cipco.cli.common import state

    state.clock = clock
    yield
    state.clock = None


@pytest.fixture
def live(tmp_path: Path) -> Path:
    path = tmp_path / "live.db"
    code, output = invoke("--db", str(path), "demo", "--referrals", "12")
    assert code == 0, output
    return path


# ---------------------------------------------------------------- demo


def test_demo_refuses_a_file_that_holds_records(live: Path) -> None:
    before = fingerprint(live.parent)
    code, output = invoke("--db", str(live), "demo", "--referrals", "5")
    assert code == 2
    assert output.strip() == (
        f"cipco: {live} already holds records: demo data would mix with them; use another "
        "file (--db demo.db) or add --force; nothing was changed"
    )
    assert fingerprint(live.parent) == before
    code, output = invoke("--db", str(live), "demo", "--referrals", "5", "--seed", "4", "--force")
    assert code == 0, output
    assert count(live) == 17


def test_demo_fills_a_file_that_only_has_its_prison_chosen(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    prepare(path).dispose()
    assert invoke("--db", str(path), "site", "LEI")[0] == 0
    code, output = invoke("--db", str(path), "demo", "--referrals", "3")
    assert code == 0, output
    assert count(path) == 3


# ---------------------------------------------------------------- backup


def test_backup_names_carry_seconds_and_never_replace_a_file(live: Path) -> None:
    first = invoke("--db", str(live), "backup")
    second = invoke("--db", str(live), "backup")
    assert first[0] == 0 and second[0] == 0
    names = sorted(p.name for p in live.parent.glob("live-backup-*.db"))
    assert names == ["live-backup-20261118-100000-2.db", "live-backup-20261118-100000.db"]
    for name in names:
        assert count(live.parent / name) == 12
        assert stat.S_IMODE((live.parent / name).stat().st_mode) == 0o600


@pytest.mark.parametrize(
    ("out", "said"),
    [
        ("existing.db", "already exists"),
        ("live.db", "is a cipco database or one of its files"),
        ("live.db-wal", "is a cipco database or one of its files"),
        ("folder", "is a folder"),
        ("missing/b.db", "does not exist"),
    ],
)
def test_backup_out_is_checked_before_any_work(live: Path, out: str, said: str) -> None:
    (live.parent / "existing.db").write_text("keep me")
    (live.parent / "folder").mkdir()
    before = fingerprint(live.parent)
    code, output = invoke("--db", str(live), "backup", "--out", str(live.parent / out))
    assert code == 2
    assert said in output and len(output.strip().splitlines()) == 1
    assert fingerprint(live.parent) == before


# ---------------------------------------------------------------- restore


def _backup(live: Path, name: str) -> Path:
    target = live.parent / name
    code, output = invoke("--db", str(live), "backup", "--out", str(target))
    assert code == 0, output
    return target


def test_restore_replaces_only_after_every_check_and_keeps_the_current_file(live: Path) -> None:
    backup = _backup(live, "b.db")
    assert invoke("--db", str(live), "demo", "--referrals", "4", "--seed", "9", "--force")[0] == 0
    assert count(live) == 16
    code, output = invoke("--db", str(live), "restore", str(backup), "--yes")
    assert code == 0, output
    assert count(live) == 12
    (kept,) = live.parent.glob("live-before-restore-*.db")
    assert count(kept) == 16
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def _damaged(live: Path) -> Path:
    backup = _backup(live, "damaged.db")
    with sqlite3.connect(backup) as conn:  # the pages a file check reads stay whole
        kept = {
            row[0]
            for row in conn.execute(
                "SELECT pageno FROM dbstat WHERE name IN ('sqlite_schema', 'alembic_version')"
            )
        }
    conn.close()
    data = bytearray(backup.read_bytes())
    page = 4096
    pages = [n for n in range(4, len(data) // page) if n not in kept]
    for number in pages[::5]:  # scribble over some pages of the tables
        offset = (number - 1) * page
        data[offset + 100 : offset + 400] = b"\xff" * 300
    backup.write_bytes(bytes(data))
    return backup


def _newer(live: Path) -> Path:
    backup = _backup(live, "newer.db")
    with sqlite3.connect(backup) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999'")
    conn.close()
    return backup


def _foreign(live: Path) -> Path:
    path = live.parent / "foreign.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE referral (reference TEXT)")
    conn.close()
    return path


def _text(live: Path) -> Path:
    path = live.parent / "notes.db"
    path.write_text("not a database")
    return path


@pytest.mark.parametrize(
    ("make", "said", "code"),
    [
        (_damaged, "is damaged (SQLite's integrity check failed); nothing was changed", 1),
        (_newer, "was written by a newer version of cipco", 1),
        (_foreign, "is not a cipco database", 2),
        (_text, "is not a cipco database", 2),
    ],
)
def test_restore_refuses_a_bad_candidate_untouched(
    live: Path, make: object, said: str, code: int
) -> None:
    candidate = make(live)  # type: ignore[operator]
    before = fingerprint(live.parent)
    result, output = invoke("--db", str(live), "restore", str(candidate), "--yes")
    assert result == code, output
    assert said in output and len(output.strip().splitlines()) == 1
    assert fingerprint(live.parent) == before  # no copy kept, nothing replaced


def test_restore_refuses_the_database_itself(live: Path) -> None:
    code, output = invoke("--db", str(live), "restore", str(live), "--yes")
    assert code == 2
    assert "is the database itself" in output


def test_restore_into_a_read_only_file_is_refused(live: Path) -> None:
    backup = _backup(live, "b.db")
    os.chmod(live, 0o400)
    before = fingerprint(live.parent)
    code, output = invoke("--db", str(live), "restore", str(backup), "--yes")
    assert code == 2
    assert "is read-only" in output
    assert fingerprint(live.parent) == before


def test_restore_into_a_new_path_creates_the_file_whole(live: Path, tmp_path: Path) -> None:
    backup = _backup(live, "b.db")
    target = tmp_path / "fresh.db"
    code, output = invoke("--db", str(target), "restore", str(backup), "--yes")
    assert code == 0, output
    assert count(target) == 12
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_restore_waits_for_another_writer_then_gives_up_untouched(live: Path) -> None:
    backup = _backup(live, "b.db")
    assert invoke("--db", str(live), "demo", "--referrals", "4", "--seed", "9", "--force")[0] == 0
    assert invoke("--db", str(live), "settings", "write_wait_seconds", "5")[0] == 0
    assert count(live) == 16 and count(backup) == 12
    other = sqlite3.connect(live, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another cipco in the middle of a save
    try:
        code, output = invoke("--db", str(live), "restore", str(backup), "--yes")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert code == 1
    lines = [line for line in output.splitlines() if line.startswith("cipco:")]
    assert lines == [
        "cipco: waiting for another cipco that is writing to live.db…",
        "cipco: nothing was restored: another cipco kept live.db busy writing for over 5 "
        "seconds; try again when it has finished",
    ]
    assert count(live) == 16  # the current data stays
