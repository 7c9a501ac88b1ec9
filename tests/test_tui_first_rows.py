"""Instant start: Home's due list is read before the app is built and painted in its first
frame; the full read (queue counts, the next clinic) follows and never changes the rows."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError
from textual.pilot import Pilot
from textual.widgets import DataTable

from cipco import launch
from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.screens.home import HomeScreen
from cipco.screens.referrals import ReferralsScreen
from cipco.services import home as home_service
from tests.due_helpers import one_of_each
from tests.test_tui_home import SHOWN
from tests.test_tui_search import OPENS
from tests.tui_helpers import LARGE, SMALL, screen_text, static_text, wait_for


@pytest.fixture
def held_full_read(monkeypatch: pytest.MonkeyPatch) -> Iterator[threading.Event]:
    """Home's full read (in its worker) waits until the test sets the event: until then the
    only rows the screen can show are the ones read at launch."""
    release = threading.Event()
    full_read = home_service.home

    def held(session: Any, clock: Any) -> home_service.Home:
        release.wait(30)
        return full_read(session, clock)

    monkeypatch.setattr(home_service, "home", held)
    yield release
    release.set()


def _rows(app: CipcoApp) -> list[list[str]]:
    table: DataTable[Any] = app.screen.query_one(DataTable)
    return [[str(cell) for cell in table.get_row_at(i)] for i in range(table.row_count)]


async def _until(pilot: Pilot[Any], condition: Any) -> None:
    """Poll without waiting for workers (one of them is held on purpose)."""
    for _ in range(500):
        if condition():
            return
        await pilot.pause(0.01)
    assert condition(), screen_text(pilot.app)


def _first_app(db_path: Path, engine: Engine, clock: FixedClock) -> CipcoApp:
    """The app as ``cipco`` starts it: the due list read first, on the opened engine."""
    first = launch.read_first_rows(engine, clock)
    assert first is not None and first.items
    return CipcoApp(db_path, clock=clock, engine=engine, first_rows=first)


async def test_first_frame_shows_the_rows_the_full_screen_shows(
    engine: Engine, db_path: Path, clock: FixedClock, held_full_read: threading.Event
) -> None:
    with session_scope(engine, actor="t", clock=clock) as session:
        one_of_each(session, clock)
    app = _first_app(db_path, engine, clock)
    async with app.run_test(size=LARGE) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, HomeScreen))
        await _until(pilot, lambda: all(r in screen_text(app) for r, _ in SHOWN.values()))
        first = _rows(app)
        # drawn before the full read: no queue counts yet, the summary already right
        assert static_text(app, "#home-queues") == ""
        assert "overdue" in static_text(app, "#home-summary")
        held_full_read.set()
        await wait_for(pilot, lambda: "Referrals: All 1" in static_text(app, "#home-queues"))
        assert "Next crime clinic" in screen_text(app)
        assert _rows(app) == first
    # and the same rows as Home read the usual way, in its worker
    normal = CipcoApp(db_path, clock=clock)
    async with normal.run_test(size=LARGE) as pilot:
        await wait_for(pilot, lambda: "Referrals: All 1" in static_text(normal, "#home-queues"))
        assert _rows(normal) == first


@pytest.mark.parametrize("log", ["referrals", "persons"])
async def test_enter_pressed_at_once_opens_the_first_due_record(
    log: str, engine: Engine, db_path: Path, clock: FixedClock, held_full_read: threading.Event
) -> None:
    with session_scope(engine, actor="t", clock=clock) as session:
        one_of_each(session, clock)
    app = _first_app(db_path, engine, clock)
    async with app.run_test(size=SMALL) as pilot:
        await _until(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.items)
        screen = app.screen
        assert isinstance(screen, HomeScreen)
        row = next(i for i, item in enumerate(screen.items.values()) if item.record.log == log)
        await pilot.press(*["down"] * row, "enter")
        await _until(pilot, lambda: isinstance(app.screen, OPENS[log]))
        assert not held_full_read.is_set()  # the key worked before the full read came back
        held_full_read.set()  # let the held worker finish before the app closes


async def test_a_log_key_pressed_at_once_goes_there(
    engine: Engine, db_path: Path, clock: FixedClock, held_full_read: threading.Event
) -> None:
    with session_scope(engine, actor="t", clock=clock) as session:
        one_of_each(session, clock)
    app = _first_app(db_path, engine, clock)
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("1")
        await _until(pilot, lambda: isinstance(app.screen, ReferralsScreen))
        held_full_read.set()
        await pilot.press("0")
        await wait_for(pilot, lambda: "Referrals: All 1" in static_text(app, "#home-queues"))


def test_a_failed_first_read_leaves_it_to_the_screen(
    engine: Engine, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session: Any, clock: Any) -> Any:
        raise OperationalError("SELECT", {}, sqlite3.OperationalError("disk I/O error"))

    monkeypatch.setattr(home_service, "due_list", broken)
    assert launch.read_first_rows(engine, clock) is None


def test_a_bug_in_the_first_read_is_not_hidden(
    engine: Engine, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(session: Any, clock: Any) -> Any:
        raise KeyError("due_on")

    monkeypatch.setattr(home_service, "due_list", broken)
    with pytest.raises(KeyError):
        launch.read_first_rows(engine, clock)


FIRST_FRAME = textwrap.dedent(
    """
    import asyncio, sys
    from datetime import datetime
    from cipco import launch
    from cipco.clock import FixedClock
    from cipco.services.bootstrap import prepare

    HEAVY = ("sqlmodel", "pydantic", "sqlalchemy.orm")
    clock = FixedClock(datetime.fromisoformat(sys.argv[2]))
    engine = prepare(sys.argv[1])
    first = launch.read_first_rows(engine, clock)
    loaded = [m for m in sys.modules if m in HEAVY or (
        m.startswith("cipco.models.") and m not in ("cipco.models.vocab", "cipco.models.labelled"))]
    print("LOADED", " ".join(sorted(loaded)) or "-")

    from textual.widgets import DataTable
    from cipco.app import CipcoApp
    from cipco.screens.home import HomeScreen

    shown = []
    set_rows = HomeScreen._show_due

    def show_due(self, found):  # the first call paints the rows read at launch
        set_rows(self, found)
        if not shown:
            table = self.query_one(DataTable)
            for i in range(table.row_count):
                shown.append(" | ".join(str(c) for c in table.get_row_at(i)))

    HomeScreen._show_due = show_due

    async def main():
        app = CipcoApp(sys.argv[1], clock=clock, engine=engine, first_rows=first)
        async with app.run_test(size=(160, 50)) as pilot:
            for _ in range(400):
                await pilot.pause(0.02)
                if shown:
                    break
        for line in shown:
            print("ROW", line)

    asyncio.run(main())
    """
)


def test_first_frame_shows_each_logs_due_row_read_without_the_models(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    """``cipco`` reads Home's first rows through Core (cipco.dbread) before the app loads:
    no SQLModel, pydantic, ORM or model module is needed, and the rows the first frame
    paints are the ones Home's usual read (a session, in its worker) gives, in its order:
    one due item of each log, with its rule."""
    with session_scope(engine, actor="t", clock=clock) as session:
        one_of_each(session, clock)
    with session_scope(engine, clock=clock, write=False) as session:
        expected = home_service.due_list(session, clock).items
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-c", FIRST_FRAME, str(db_path), clock.now().isoformat()],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = done.stdout.splitlines()
    assert "LOADED -" in lines
    rows = [line.removeprefix("ROW ").split(" | ") for line in lines if line.startswith("ROW ")]
    assert [row[2] for row in rows] == [item.record.reference for item in expected]
    assert [row[3] for row in rows] == [item.what for item in expected]
    for log, (record, rule) in SHOWN.items():
        assert any(record in " ".join(row) and rule in row[4] for row in rows), log
