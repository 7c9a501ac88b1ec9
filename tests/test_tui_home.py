"""Home (0, the start screen): what is due from every log, with its rule; enter opens it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.widgets import DataTable

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.screens.home import HomeScreen
from cipco.screens.referrals import ReferralsScreen
from tests.due_helpers import one_of_each
from tests.test_tui_search import OPENS
from tests.tui_helpers import LARGE, SMALL, screen_text, settle, wait_for

# what each log's item says on screen: its record and its rule's name
SHOWN = {
    "referrals": ("REF-2026-0042", "R5"),
    "exhibits": ("JS/77", "etention"),
    "mg4d": ("B2345CD", "earing"),
    "persons": ("C3456DE", "SOC review"),
    "actions": ("juniper", "ction"),
}


def _row_of(app: CipcoApp, log: str) -> int:
    screen = app.screen
    assert isinstance(screen, HomeScreen)
    keys = [key for key, item in screen.items.items() if item.record.log == log]
    table = screen.query_one(DataTable)
    return table.get_row_index(keys[0])


async def test_home_opens_first_and_lists_every_logs_due_item_with_its_rule(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    with session_scope(engine, actor="t", clock=clock) as session:
        one_of_each(session, clock)
    engine.dispose()
    app = CipcoApp(db_path, clock=clock)
    async with app.run_test(size=LARGE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.items)
        # the rows are drawn on a later frame than the one that set them
        await wait_for(pilot, lambda: all(r in screen_text(app) for r, _ in SHOWN.values()))
        text = screen_text(app)
        assert "0 Home" in text and "due today" in text and "Next crime clinic" in text
        lines = text.splitlines()
        for log, (record, rule) in SHOWN.items():
            assert any(record in line and rule in line for line in lines), (log, text)
        header = next(line for line in lines if "What is due" in line)
        assert "Prison" not in header  # one prison's file: no column saying so on every line
        assert "Referrals: All 1" in text
        await pilot.press("1")
        await wait_for(pilot, lambda: isinstance(app.screen, ReferralsScreen))
        await pilot.press("0")
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen))


@pytest.mark.parametrize("log", list(SHOWN))
async def test_enter_on_a_due_item_opens_its_record(
    log: str, engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    with session_scope(engine, actor="t", clock=clock) as session:
        one_of_each(session, clock)
    engine.dispose()
    app = CipcoApp(db_path, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.items)
        app.screen.query_one(DataTable).move_cursor(row=_row_of(app, log))
        await settle(pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, OPENS[log]))


async def test_home_follows_a_save_in_another_window(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=0.1)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: "nothing due this week" in screen_text(app))
        other = CipcoApp(db_path, clock=clock)
        with session_scope(other.engine, actor="other", clock=clock) as session:
            one_of_each(session, clock)
        other.engine.dispose()
        await wait_for(pilot, lambda: "REF-2026-0042" in screen_text(app))


async def test_two_papers_due_under_one_rule_on_one_referral_are_both_listed(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    """Two CPS actions overdue on one referral are two lines (their keys once clashed, the
    table refused the second and Home stopped refreshing)."""
    from datetime import timedelta

    from cipco.models.casework import CpsActionIn
    from cipco.services.casework import papers

    with session_scope(engine, actor="t", clock=clock) as session:
        made = one_of_each(session, clock)
        asked = clock.now().date() - timedelta(days=10)
        for what in ("Landing CCTV", "Officer statement"):
            papers.add_cps_action(
                session=session,
                referral_id=made.ids()["referrals"],
                data=CpsActionIn(action=what, requested_on=asked, due_on=asked),
                clock=clock,
            )
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=LARGE) as pilot:
        await wait_for(pilot, lambda: "Referrals: All" in screen_text(app))
        text = screen_text(app)
        assert "CPS: Landing CCTV" in text and "CPS: Officer statement" in text
        assert "Something went wrong" not in text


def test_a_row_wider_than_the_screen_gives_way_rule_then_about_then_what() -> None:
    from cipco.screens.home import COLUMNS, fitted

    widths = [1, 16, 14, 74, 31, 43, 9]
    assert fitted(COLUMNS, widths, 400) == widths, "room for all: each as wide as its widest"
    # 52 cells too many: the rule gives 15 (to 16), the about 23 (to 20), what is due the rest
    assert fitted(COLUMNS, widths, sum(w + 2 for w in widths) - 52) == [1, 16, 14, 60, 16, 20, 9]
    # a narrow terminal: none below its floor, the rest scrolls
    assert fitted(COLUMNS, widths, 78)[3:6] == [28, 16, 20]


def _due_lines(app: CipcoApp) -> list[str]:
    return [line for line in screen_text(app).splitlines() if line.startswith((" !", " ~"))]


async def test_every_column_of_the_due_list_is_in_view_on_a_wide_terminal(
    demo_db: Path, clock: FixedClock
) -> None:
    app = CipcoApp(demo_db, clock=clock)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.items)
        await wait_for(pilot, lambda: any("…" in line for line in _due_lines(app)))
        header = next(line for line in screen_text(app).splitlines() if "What is due" in line)
        assert all(label in header for label in ("Due", "Record", "Rule", "About", "When"))
        assert all(line.rstrip(" ▁▂▃▄▅▆▇█").endswith("overdue") for line in _due_lines(app))
        await pilot.resize_terminal(200, 50)
        await wait_for(pilot, lambda: not any("…" in line for line in _due_lines(app)))
