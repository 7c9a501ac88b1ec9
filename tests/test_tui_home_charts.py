"""Home's charts: the last twelve months from the measures, beside the due list on a large
terminal, behind ] on a small one (the due list keeps its rows), a plain sentence when
there is nothing to chart."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import make_engine, read_scope
from cipco.screens.home import HomeScreen
from cipco.screens.home_charts import TITLES, ChartsView
from cipco.services.home_charts import DEADLINES, DeadlineShare, HomeCharts, Series, twelve_months
from cipco.services.measures import Figure, figures, measure
from tests.tui_helpers import (
    LARGE,
    SMALL,
    demo_copy_fixture,  # noqa: F401 - a fixture
    demo_template_fixture,  # noqa: F401 - a fixture
    drawn,
    screen_text,
    settle,
    wait_for,
)


def _words(app: App[None]) -> str:
    """The screen as one line of words (a sentence wrapped at a line end reads whole)."""
    return re.sub(r"\s+", " ", screen_text(app))


def _measured(path: Path, clock: FixedClock) -> tuple[str, str, str]:
    """What the measures say for the twelve months, read beside the app."""
    engine = make_engine(path, create=False)
    _, window = twelve_months(clock)
    with read_scope(engine) as session:
        referrals, r5 = figures(session, ["referrals_made", "r5_adjudication"], window, clock)
    engine.dispose()
    assert referrals.value and r5.of  # the demo data has something to chart
    return f"{referrals.text} referrals", f"R5 {r5.text}", window.label


def _charted(app: CipcoApp) -> bool:
    view = app.screen.query_one(ChartsView)
    return view.charts is not None and bool(view.query("PlotextPlot"))


async def test_large_terminal_shows_charts_under_the_due_list(
    demo_copy: Path, clock: FixedClock
) -> None:
    referrals, r5, window = _measured(demo_copy, clock)
    app = CipcoApp(demo_copy, clock=clock)
    async with app.run_test(size=LARGE) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and _charted(app))
        await wait_for(pilot, lambda: all(title in screen_text(app) for title in TITLES.values()))
        words = _words(app)
        assert f"{window}: {referrals}" in words and r5 in words, words
        table = app.screen.query_one(DataTable)
        assert drawn(app, table) and table.row_count and table.has_focus
        assert "] Charts" not in screen_text(app)  # nothing to switch: both are shown


async def test_small_terminal_keeps_the_due_list_and_shows_charts_behind_a_key(
    demo_copy: Path, clock: FixedClock
) -> None:
    referrals, r5, _ = _measured(demo_copy, clock)
    app = CipcoApp(demo_copy, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, HomeScreen) and app.screen.items)
        await settle(pilot)
        assert app.screen.query_one(ChartsView).charts is None  # hidden: not read yet
        text = screen_text(app)
        assert "] Charts" in text and TITLES["categories"] not in text
        table = app.screen.query_one(DataTable)
        assert table.size.height >= 9  # as many due rows as before the charts came
        await pilot.press("right_square_bracket")
        await wait_for(pilot, lambda: _charted(app) and TITLES["categories"] in screen_text(app))
        assert referrals in _words(app) and r5 in _words(app)
        assert not drawn(app, table)
        await pilot.press("end")  # the charts scroll: the last one comes into view
        await wait_for(pilot, lambda: TITLES["deadlines"] in screen_text(app))
        assert r5 in _words(app)
        await pilot.press("escape")  # back to the due list
        await wait_for(pilot, lambda: drawn(app, table) and table.has_focus)
        assert TITLES["categories"] not in screen_text(app)


async def test_no_data_says_so_instead_of_empty_axes(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    engine.dispose()
    app = CipcoApp(db_path, clock=clock)
    async with app.run_test(size=LARGE) as pilot:
        await wait_for(pilot, lambda: "No charts yet" in screen_text(app))
        assert not app.screen.query("PlotextPlot")
        assert TITLES["categories"] not in screen_text(app)


def _charts_with(clock: FixedClock, *, referred: bool, decided: bool, due: bool) -> HomeCharts:
    """Twelve months where only some of the three charts have anything to draw."""
    months, window = twelve_months(clock)
    count = len(months)
    deadlines = tuple(
        DeadlineShare(
            measure(key).rule,
            Figure(measure(key), window, 3 if due else 0, of=4 if due else 0),
            tuple(
                Figure(measure(key), m, 3 if due and i == 5 else 0, of=4 if due and i == 5 else 0)
                for i, m in enumerate(months)
            ),
        )
        for key in DEADLINES
    )
    return HomeCharts(
        window=window,
        months=tuple(m.short for m in months),
        referrals=Figure(measure("referrals_made"), window, 7 if referred else 0),
        categories=Figure(measure("by_category"), window, 7 if referred else 0),
        by_category=(Series("Mobile phone", (7.0,) + (0.0,) * (count - 1)),) if referred else (),
        outcomes=Figure(
            measure("outcomes"), window, 2 if decided else 0, parts=(("Caution", 2),) * decided
        ),
        deadlines=deadlines,
    )


class _ChartsApp(App[None]):
    def compose(self) -> ComposeResult:
        yield ChartsView()


@pytest.mark.parametrize(
    ("referred", "decided", "due"),
    [(True, False, False), (False, True, False), (False, False, True), (True, True, True)],
)
@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_each_chart_draws_when_the_others_have_nothing(
    referred: bool, decided: bool, due: bool, size: tuple[int, int], clock: FixedClock
) -> None:
    charts = _charts_with(clock, referred=referred, decided=decided, due=due)
    app = _ChartsApp()
    async with app.run_test(size=size) as pilot:
        view = app.query_one(ChartsView)
        view.show(charts)
        await wait_for(pilot, lambda: bool(view.query("PlotextPlot")))
        await pilot.pause()
        text = _words(app)
        assert TITLES["categories"] in text, text
        if referred:
            assert "7 referrals" in text
        if due:
            assert "R1 3 of 4 (75%)" in text
