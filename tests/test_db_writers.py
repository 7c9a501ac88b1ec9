"""Two people, one file: reads never block a save; a save waits for another, says so, and
either goes through or says in one sentence that nothing was saved. Nothing is lost."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cipco.clock import FixedClock
from cipco.db import (
    DatabaseBusy,
    WaitEvent,
    on_write_wait,
    read_scope,
    session_scope,
    write_policy,
)
from cipco.services import settings
from tests.db_cases import count, invoke, tiny_workbook


@pytest.fixture
def holder(db_path: Path, engine: Engine) -> Iterator[sqlite3.Connection]:
    """Another program holding the write lock on the file (as a long import does)."""
    conn = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("UPDATE setting SET value = value")  # a write in progress
    yield conn
    if conn.in_transaction:
        conn.execute("ROLLBACK")
    conn.close()


def _events(engine: Engine) -> tuple[list[str], threading.Event]:
    kinds: list[str] = []
    waiting = threading.Event()

    def listen(event: WaitEvent) -> None:
        kinds.append(event.kind)
        if event.kind == "waiting":
            waiting.set()

    on_write_wait(engine, listen)
    return kinds, waiting


def _stored(engine: Engine, key: str) -> int | str:
    with read_scope(engine) as session:
        return settings.get(session, key)


def test_a_save_waits_for_another_writer_then_goes_through(
    engine: Engine, holder: sqlite3.Connection, clock: FixedClock
) -> None:
    kinds, waiting = _events(engine)
    errors: list[BaseException] = []

    def save() -> None:
        try:
            with session_scope(engine, actor="two", clock=clock) as session:
                settings.set_value(session, "due_soon_working_days", 4)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    saver = threading.Thread(target=save)
    saver.start()
    assert waiting.wait(timeout=60)  # it said it is waiting...
    holder.execute("UPDATE setting SET value = value")
    holder.execute("COMMIT")  # ...the other writer finishes...
    saver.join(timeout=60)
    assert not saver.is_alive() and errors == []
    assert kinds == ["waiting", "resumed"]
    assert _stored(engine, "due_soon_working_days") == 4  # ...and the save went through


def test_a_save_that_waits_too_long_says_nothing_was_saved(
    engine: Engine, holder: sqlite3.Connection, clock: FixedClock
) -> None:
    kinds, _ = _events(engine)
    write_policy(engine).seconds = 0.5
    with (
        pytest.raises(DatabaseBusy, match=r"^nothing was saved: another cipco kept cipco\.db busy"),
        session_scope(engine, clock=clock) as session,
    ):
        settings.set_value(session, "due_soon_working_days", 4)
    assert kinds == ["waiting", "gave_up"]
    holder.execute("ROLLBACK")
    assert _stored(engine, "due_soon_working_days") == 2  # nothing half-saved
    with session_scope(engine, clock=clock) as session:  # and the file works on
        settings.set_value(session, "due_soon_working_days", 5)
    assert _stored(engine, "due_soon_working_days") == 5


def test_reads_never_wait_for_a_writer(engine: Engine, holder: sqlite3.Connection) -> None:
    kinds, _ = _events(engine)
    write_policy(engine).seconds = 0.5  # a read taking the write lock would fail here
    with read_scope(engine) as session:
        assert settings.get(session, "due_soon_working_days") == 2
    assert kinds == []


def test_a_long_read_never_blocks_a_save(engine: Engine, db_path: Path, clock: FixedClock) -> None:
    other = sqlite3.connect(db_path, isolation_level=None, timeout=0)  # no waiting at all
    with read_scope(engine) as session:
        settings.get(session, "due_soon_working_days")  # the snapshot is open
        other.execute("BEGIN IMMEDIATE")
        other.execute("UPDATE setting SET value = value")
        other.execute("COMMIT")
    other.close()


# A CLI import that stops at its first insert, holding the write lock mid-import, until told.
PAUSED_IMPORT = textwrap.dedent(
    """
    import sys
    from sqlalchemy import Engine, event

    paused = []

    def pause(conn, cursor, statement, *args):
        if not paused and statement.lstrip().upper().startswith("INSERT"):
            paused.append(True)
            print("holding", flush=True)
            sys.stdin.readline()

    event.listen(Engine, "before_cursor_execute", pause)
    sys.argv = ["cipco", *sys.argv[1:]]
    from cipco.cli import main
    main()
    """
)


def _big_workbook(path: Path, rows: int) -> Path:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Tracker")
    ws.append(["Ref", "Prison No", "Name", "Incident Date", "Crime Type", "Status"])
    for i in range(rows):
        nomis = f"A{i:04d}BC"
        ws.append([f"BIG-{i}", nomis, f"Smith, J{i}", "01/10/2026", "Drugs", "Referred"])
    wb.save(path)
    return path


def _read_line(stream: object, timeout: float) -> str:
    found: list[str] = []
    reader = threading.Thread(target=lambda: found.append(stream.readline()))  # type: ignore[attr-defined]
    reader.daemon = True
    reader.start()
    reader.join(timeout)
    assert found, "no line within the time allowed"
    return found[0]


def test_two_writers_during_a_long_import(engine: Engine, db_path: Path, tmp_path: Path) -> None:
    engine.dispose()
    big = _big_workbook(tmp_path / "big.xlsx", 500)
    one = tiny_workbook(tmp_path / "one.xlsx")
    env = {**os.environ, "TMPDIR": str(tmp_path)}
    args = ["--db", str(db_path), "import", "referrals", str(big)]
    importer = subprocess.Popen(
        [sys.executable, "-c", PAUSED_IMPORT, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    second = None
    try:
        assert _read_line(importer.stdout, 120).strip() == "holding"  # mid-import, lock held
        second = subprocess.Popen(
            [sys.executable, "-m", "cipco", "--db", str(db_path), "import", "referrals", str(one)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        waiting = "cipco: waiting for another cipco that is writing to cipco.db…"
        assert _read_line(second.stderr, 120).strip() == waiting
        assert importer.stdin is not None
        importer.stdin.write("\n")
        importer.stdin.flush()
        out, err = importer.communicate(timeout=300)
        assert importer.returncode == 0, err
        out2, err2 = second.communicate(timeout=300)
        assert second.returncode == 0, err2
        assert err2.strip() == ""  # the waiting line was the only one
    finally:
        for proc in (importer, second):
            if proc is not None and proc.poll() is None:
                proc.kill()
    assert count(db_path) == 501  # nothing lost on either side
    assert "Done: imported 500" in out and "Done: imported 1" in out2


def test_cli_gives_up_in_one_sentence_after_the_wait_setting(
    engine: Engine, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    from cipco.cli.common import state

    state.clock = clock
    try:
        code, output = invoke("--db", str(db_path), "settings", "write_wait_seconds", "5")
        assert code == 0, output
        before = count(db_path)
        one = tiny_workbook(tmp_path / "one.xlsx")
        conn = sqlite3.connect(db_path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        try:
            code, output = invoke("--db", str(db_path), "import", "referrals", str(one))
        finally:
            conn.execute("ROLLBACK")
            conn.close()
    finally:
        state.clock = None
    assert code == 1
    assert output.splitlines() == [
        "cipco: waiting for another cipco that is writing to cipco.db…",
        "cipco: nothing was saved: another cipco kept cipco.db busy writing for over "
        "5 seconds; try again when it has finished",
    ]
    assert count(db_path) == before


def test_the_wait_setting_has_a_sane_range(engine: Engine, db_path: Path) -> None:
    for bad in ("0", "4", "601"):
        code, output = invoke("--db", str(db_path), "settings", "write_wait_seconds", bad)
        assert code == 2
        assert "is not a sensible value; use 5 to 600" in output
    assert _stored(engine, "write_wait_seconds") == 60


async def test_the_app_says_it_is_waiting_and_then_why_nothing_was_saved(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    from textual.worker import WorkerState

    from cipco.app import CipcoApp
    from tests.tui_helpers import settle

    engine.dispose()
    app = CipcoApp(db_path, clock=clock, start="referrals", poll_seconds=60)

    def read() -> int | str:
        with app.reading() as session:  # a screen's page load, in its worker thread
            return settings.get(session, "due_soon_working_days")

    def save() -> None:
        with app.session() as session:  # a screen's save, in its worker thread
            settings.set_value(session, "due_soon_working_days", 4)

    def notices() -> list[str]:
        return [str(n.message) for n in app._notifications]

    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        other = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
        other.execute("BEGIN IMMEDIATE")  # another cipco starts a long import
        write_policy(app.engine).seconds = 5
        reader = app.run_worker(read, thread=True, exit_on_error=False)
        await app.workers.wait_for_complete([reader])
        assert reader.result == 2 and notices() == []  # reading never waits
        worker = app.run_worker(save, thread=True, exit_on_error=False)
        for _ in range(400):  # until the notice is up (a condition, not a fixed sleep)
            if notices():
                break
            await pilot.pause(0.05)
        assert notices() == ["Waiting for another cipco that is writing to cipco.db…"]
        for _ in range(400):  # until it gives up (5 s) and says so
            if len(notices()) > 1:
                break
            await pilot.pause(0.05)
        assert worker.state == WorkerState.ERROR
        said = notices()[-1]
        assert said.startswith("nothing was saved: another cipco kept cipco.db busy writing")
        assert "sqlalchemy" not in said.lower() and "UPDATE" not in said
        other.execute("ROLLBACK")
        other.close()
    assert _stored(engine, "due_soon_working_days") == 2
