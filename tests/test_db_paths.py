"""--db and $CIPCO_DB never change what cipco did not create, run under umask 000.

Folders, empty paths, read-only files and folders, foreign files and missing paths: each gets
one sentence, exit 2, and is left exactly as it was (mode and bytes). Commands that only read
work on an archived read-only copy and change nothing.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from cipco.clock import FixedClock
from cipco.services.bootstrap import prepare
from tests.db_cases import (
    copy_db,
    count,
    fingerprint,
    invoke,
    read_commands,
    tiny_workbook,
    write_commands,
)


@pytest.fixture(autouse=True)
def umask_000() -> Iterator[None]:
    """Every case here runs with the most permissive umask: cipco must not rely on it."""
    old = os.umask(0)
    yield
    os.umask(old)


@pytest.fixture(scope="module")
def demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from datetime import UTC, datetime

    from cipco.db import session_scope
    from cipco.services import demo
    from cipco.services.site import assign_site

    clock = FixedClock(datetime(2026, 11, 18, 10, tzinfo=UTC))
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    engine = prepare(path)
    with session_scope(engine, actor="cipco") as s:
        assign_site(s, "LEI", clock)
    engine.dispose()
    engine = prepare(path)
    with session_scope(engine, actor="cipco demo", clock=clock) as s:
        demo.generate(s, clock, referrals=40, seed=7)
    engine.dispose()
    return path


@pytest.fixture(autouse=True)
def _cli_clock(clock: FixedClock) -> Iterator[None]:
    from cipco.cli.common import state

    state.clock = clock
    yield
    state.clock = None


def _one_sentence(output: str) -> str:
    lines = [line for line in output.splitlines() if line.strip()]
    assert len(lines) == 1, output
    assert "Traceback" not in output and "sqlalchemy" not in output.lower()
    return lines[0]


# ---------------------------------------------------------------- things that are not a file


def test_a_folder_is_refused_and_keeps_its_mode(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    folder.mkdir()
    os.chmod(folder, 0o755)
    for args in (*write_commands(tmp_path / "x.xlsx").values(), ["verify"], ["export", "mg4d"]):
        code, output = invoke("--db", str(folder), *args)
        assert code == 2, (args, output)
        assert "is a folder" in _one_sentence(output)
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert list(folder.iterdir()) == []


@pytest.mark.parametrize("value", ["", "   "])
def test_an_empty_db_option_is_refused(tmp_path: Path, value: str) -> None:
    code, output = invoke("--db", value, "demo", "--referrals", "1")
    assert code == 2
    assert "--db is empty" in _one_sentence(output)
    assert not (tmp_path / "home" / "data" / "cipco").exists()  # no default file either


def test_an_empty_cipco_db_variable_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CIPCO_DB", "")
    code, output = invoke("demo", "--referrals", "1")
    assert code == 2
    assert "$CIPCO_DB is set but empty" in _one_sentence(output)
    assert not (tmp_path / "home" / "data" / "cipco").exists()


@pytest.mark.parametrize(
    ("content", "said"),
    [
        (b"", "is an empty file"),
        (b"name,reference\nSMITH,1\n", "not a SQLite file"),
        (b"SQLite format 3\x00" + b"\x00" * 10, "not a cipco database"),
    ],
)
def test_files_that_are_not_databases_are_refused_untouched(
    tmp_path: Path, content: bytes, said: str
) -> None:
    path = tmp_path / "notes.db"
    path.write_bytes(content)
    os.chmod(path, 0o644)
    before = fingerprint(tmp_path)
    for args in (["demo", "--referrals", "1"], ["verify"], ["settings"], []):
        code, output = invoke("--db", str(path), *args)
        assert code in (1, 2), output
        assert said in _one_sentence(output)
    assert fingerprint(tmp_path) == before


def test_a_foreign_sqlite_file_is_not_switched_to_wal(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE person (name TEXT)")
        conn.execute("INSERT INTO person VALUES ('SMITH, John')")
    conn.close()
    os.chmod(path, 0o640)
    before = fingerprint(tmp_path)
    commands = {**write_commands(tmp_path / "x.xlsx"), **read_commands(tmp_path)}
    for name, args in commands.items():
        code, output = invoke("--db", str(path), *args)
        assert code == 2, (name, output)
        assert "not a cipco database" in _one_sentence(output)
    assert fingerprint(tmp_path) == before  # no -wal/-shm, same bytes, same mode
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


# ---------------------------------------------------------------- an archived, read-only copy


def test_a_read_only_file_serves_every_read_command_and_changes_nothing(
    tmp_path: Path, demo_template: Path
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    path = copy_db(demo_template, archive / "cipco.db")
    os.chmod(path, 0o400)
    out = tmp_path / "out"
    out.mkdir()
    before = fingerprint(archive)
    for name, args in read_commands(out).items():
        code, output = invoke("--db", str(path), *args)
        assert code == 0, (name, output)
    assert fingerprint(archive) == before  # not even a -wal or -shm beside it
    assert (out / "r.xlsx").exists() and count(out / "b.db") == 40


def test_a_read_only_file_is_refused_by_every_command_that_saves(
    tmp_path: Path, demo_template: Path
) -> None:
    path = copy_db(demo_template, tmp_path / "cipco.db")
    os.chmod(path, 0o400)
    before = fingerprint(tmp_path)
    workbook = tiny_workbook(tmp_path / "one.xlsx")
    before = fingerprint(tmp_path)
    for name, args in write_commands(workbook).items():
        code, output = invoke("--db", str(path), *args)
        assert code == 2, (name, output)
        assert "is read-only" in _one_sentence(output), name
    assert fingerprint(tmp_path) == before
    assert stat.S_IMODE(path.stat().st_mode) == 0o400


def test_a_read_only_folder_serves_reads_and_refuses_saves(
    tmp_path: Path, demo_template: Path
) -> None:
    archive = tmp_path / "archive"
    archive.mkdir()
    path = copy_db(demo_template, archive / "cipco.db")
    os.chmod(archive, 0o555)
    try:
        before = fingerprint(archive)
        out = tmp_path / "out"
        out.mkdir()
        for name, args in read_commands(out).items():
            code, output = invoke("--db", str(path), *args)
            assert code == 0, (name, output)
        code, output = invoke("--db", str(path), "settings", "due_soon_working_days", "4")
        assert code == 2
        assert "its folder is read-only" in _one_sentence(output)
        assert fingerprint(archive) == before
    finally:
        os.chmod(archive, 0o755)


def test_reading_a_writable_file_leaves_no_companion_files(
    tmp_path: Path, demo_template: Path
) -> None:
    path = copy_db(demo_template, tmp_path / "cipco.db")
    before = fingerprint(tmp_path)
    code, output = invoke("--db", str(path), "verify")
    assert code == 0, output
    assert fingerprint(tmp_path) == before


# ---------------------------------------------------------------- paths that do not exist


def test_a_read_command_never_creates_a_missing_file(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    for name, args in read_commands(out).items():
        code, output = invoke("--db", str(tmp_path / "typo.db"), *args)
        assert code == 2, (name, output)
        assert "the file does not exist" in _one_sentence(output)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["home", "out"]
    assert list(out.iterdir()) == []


def test_settings_and_site_never_create_a_file(tmp_path: Path) -> None:
    for args in (["settings", "due_soon_working_days", "3"], ["site", "LEI"]):
        code, output = invoke("--db", str(tmp_path / "new.db"), *args)
        assert code == 2
        assert "the file does not exist" in _one_sentence(output)
    assert not (tmp_path / "new.db").exists()


def test_demo_and_import_create_a_file_only_in_a_folder_that_exists(tmp_path: Path) -> None:
    workbook = tiny_workbook(tmp_path / "one.xlsx")
    code, output = invoke("--db", str(tmp_path / "missing" / "a.db"), "demo", "--referrals", "1")
    assert code == 2
    assert "the folder" in _one_sentence(output) and "does not exist" in output
    assert not (tmp_path / "missing").exists()

    code, output = invoke("--db", str(tmp_path / "a.db"), "import", "referrals", str(workbook))
    assert code == 0, output
    assert f"created a new cipco database at {tmp_path / 'a.db'}" in output
    assert stat.S_IMODE((tmp_path / "a.db").stat().st_mode) == 0o600
    assert count(tmp_path / "a.db") == 1
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".cipco-")]


def test_cipco_own_data_folder_is_made_private_under_umask_000(tmp_path: Path) -> None:
    code, output = invoke("demo", "--referrals", "1")
    assert code == 0, output
    data = tmp_path / "home" / "data"
    for folder in (data, data / "cipco"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE((data / "cipco" / "cipco.db").stat().st_mode) == 0o600


def test_an_existing_file_keeps_the_mode_its_owner_chose(
    tmp_path: Path, demo_template: Path
) -> None:
    path = copy_db(demo_template, tmp_path / "shared.db")
    os.chmod(path, 0o640)  # shared with a group on purpose
    code, output = invoke("--db", str(path), "settings", "due_soon_working_days", "3")
    assert code == 0, output
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_exports_and_backups_folders_are_private_under_umask_000(
    tmp_path: Path, demo_template: Path
) -> None:
    from cipco.cli.common import output_target
    from cipco.outputs import write_output

    target = output_target(None, what="referrals", suffix=".xlsx", overwrite=False)
    written = write_output(target, lambda temp: temp.write_bytes(b"x"))  # the folder made now
    assert stat.S_IMODE(written.parent.stat().st_mode) == 0o700
    path = copy_db(demo_template, tmp_path / "cipco.db")
    code, output = invoke("--db", str(path), "backup")
    assert code == 0, output
    (backup,) = tmp_path.glob("cipco-backup-*.db")
    assert stat.S_IMODE(backup.stat().st_mode) == 0o600
