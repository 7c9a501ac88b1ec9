"""Search everything (ctrl+f): a word from a record's description finds it, enter opens it."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from textual.widgets import OptionList

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.screens.clinic_meeting import ClinicScreen
from cipco.screens.exhibit_detail import ExhibitDetailScreen
from cipco.screens.papers_detail import PapersDetailScreen
from cipco.screens.person_page import PersonPage
from cipco.screens.referral_detail import ReferralDetailScreen
from cipco.screens.search import SearchScreen
from tests.due_helpers import WORDS, one_of_each
from tests.tui_helpers import SMALL, screen_text, settle, wait_for

OPENS = {
    "referrals": ReferralDetailScreen,
    "exhibits": ExhibitDetailScreen,
    "mg4d": PapersDetailScreen,
    "persons": PersonPage,
    "actions": ClinicScreen,
}


@pytest.mark.parametrize("log", list(OPENS))
async def test_search_finds_each_log_by_a_word_of_its_description_and_opens_it(
    log: str, engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    with session_scope(engine, actor="t", clock=clock) as session:
        one_of_each(session, clock)
    engine.dispose()
    app = CipcoApp(db_path, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen))
        await pilot.press(*WORDS[log])
        await wait_for(pilot, lambda: "1 shown, grouped by log" in screen_text(app))
        text = screen_text(app)
        assert text.count(WORDS[log]) >= 2, text  # typed, and where it was found
        await pilot.press("enter")  # to the results
        await wait_for(pilot, lambda: isinstance(app.focused, OptionList))
        await pilot.press("enter")  # open the first
        await wait_for(pilot, lambda: isinstance(app.screen, OPENS[log]))


async def test_nothing_found_says_so_and_escape_closes(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    engine.dispose()
    app = CipcoApp(db_path, clock=clock)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+f", *'zz"[red]q')
        await wait_for(pilot, lambda: 'Nothing found for zz"[red]q' in screen_text(app))
        await pilot.press("escape")
        await wait_for(pilot, lambda: not isinstance(app.screen, SearchScreen))
