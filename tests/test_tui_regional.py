"""Region (7): nominals first, one per prison number with each prison's history; the
trigger points, releases and prisons side by side on the next tabs."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.screens.regional import RegionalScreen
from tests.test_regional import region  # noqa: F401  (the two-prison fixture)
from tests.tui_helpers import LARGE, SMALL, screen_text, wait_for


@pytest.fixture
def region_app(region: Engine, db_path: Path, clock: FixedClock) -> CipcoApp:  # noqa: F811
    """The app over the two-prison file (LEI and MDI)."""
    region.dispose()
    return CipcoApp(db_path, clock=clock)


async def test_the_region_screen_shows_one_person_per_prison_number_then_each_prison(
    region_app: CipcoApp,
) -> None:
    app = region_app
    async with app.run_test(size=LARGE) as pilot:
        await pilot.press("7")
        await wait_for(pilot, lambda: isinstance(app.screen, RegionalScreen))
        await wait_for(pilot, lambda: "A1111AA" in screen_text(app))
        text = screen_text(app)
        assert "2 SOC nominals (1 Band 1)" in text
        assert "1 SOC unit notification(s) overdue" in text
        tom = [line for line in text.splitlines() if "A1111AA" in line]
        assert len(tom) == 1 and "MDI: Band 2" in tom[0] and "LEI: Band 1" in tom[0]
        await pilot.press("right_square_bracket")
        await wait_for(
            pilot, lambda: "overdue" in screen_text(app) and "Escort" in screen_text(app)
        )
        await pilot.press("right_square_bracket", "right_square_bracket")
        await wait_for(
            pilot, lambda: "Referred" in screen_text(app) and "Region" in screen_text(app)
        )
        referred = next(line for line in screen_text(app).splitlines() if "Referred" in line)
        # the last complete month (October): LEI 2, MDI 1, the region 3
        assert referred.split()[1:4] == ["2", "1", "3"]


async def test_the_region_screen_fits_a_small_terminal(
    region_app: CipcoApp,
) -> None:
    app = region_app
    async with app.run_test(size=SMALL) as pilot:
        await pilot.press("7")
        await wait_for(pilot, lambda: "A1111AA" in screen_text(app))
        text = screen_text(app)
        assert "OFFICIAL-SENSITIVE" in text and "Nominals" in text and "Trigger points" in text


async def test_home_names_the_prison_of_each_item_when_it_lists_several(
    region_app: CipcoApp,
) -> None:
    app = region_app
    async with app.run_test(size=LARGE) as pilot:
        await wait_for(pilot, lambda: "Notify SOC unit" in screen_text(app))
        lines = screen_text(app).splitlines()
        header = next(line for line in lines if "What is due" in line)
        assert header.split()[:3] == ["Due", "Record", "Prison"]
        # each prison numbers its own referrals: the same reference is two cases
        r5 = [line.split() for line in lines if "REF-2026-0001" in line and "R5" in line]
        assert sorted(words[words.index("REF-2026-0001") + 1] for words in r5) == ["LEI", "MDI"]
