"""One keymap: one meaning per key, lower-case keys, planned keys kept free, the README and
the help panel built from it, the number keys never hiding a form."""

from __future__ import annotations

import re
from pathlib import Path

from textual.binding import Binding
from textual.widgets import Select

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.screens import keymap
from cipco.screens.help import HelpScreen
from cipco.screens.record_form import RecordForm
from cipco.screens.registry import NAV
from tests.tui_helpers import SMALL, screen_text, settle, wait_for

README = Path(__file__).resolve().parent.parent / "README.md"


def all_keys() -> list[tuple[str, str]]:
    return [(name, k.action) for k in keymap.KEYS.values() for name in k.keys.split(",")]


def test_no_key_has_two_meanings() -> None:
    seen: dict[str, str] = {}
    for name, action in all_keys():
        assert seen.setdefault(name, action) == action, f"{name}: {seen[name]} and {action}"


def test_keys_are_lower_case_and_planned_keys_stay_free() -> None:
    for name, _action in all_keys():
        assert name == name.lower(), f"{name} is a capital-only key"
        assert name not in keymap.RESERVED, f"{name} is kept for {keymap.RESERVED[name]}"
    assert {e.key for e in NAV} | {"0"} == {
        k.keys for k in keymap.KEYS.values() if k.action.startswith("go(")
    }


def test_the_list_tables_keys_are_the_keymaps() -> None:
    from cipco.widgets.row_table import RowTable

    for bound in RowTable.BINDINGS:
        assert isinstance(bound, Binding)
        key = keymap.KEYS[bound.action]
        assert (bound.key, bound.description) == (key.keys, key.label)


def test_the_readme_table_is_the_keymap() -> None:
    text = README.read_text(encoding="utf-8")
    match = re.search(r"<!-- keys:start -->\n(.*?)\n<!-- keys:end -->", text, re.S)
    assert match is not None, "README lost its keys table markers"
    assert match[1] == keymap.markdown_table(), "run python -m cipco.screens.keymap"


async def test_the_help_panel_lists_this_screens_keys_in_the_keymaps_words(
    db_path: Path, clock: FixedClock
) -> None:
    app = CipcoApp(db_path, clock=clock, start="referrals", poll_seconds=3600)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        text = screen_text(app)
        for action in ("sort", "filter", "new", "export", "toggle_help", "quit"):
            assert keymap.KEYS[action].help[:40] in text, (action, text)
        assert keymap.KEYS["save"].help not in text  # a form's key, not this screen's
        await pilot.press("question_mark")
        await settle(pilot)
        assert not isinstance(app.screen, HelpScreen)


async def test_number_keys_never_hide_a_form(db_path: Path, clock: FixedClock) -> None:
    app = CipcoApp(db_path, clock=clock, start="referrals", poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, RecordForm)
        await wait_for(pilot, lambda: form.ready)
        form.query_one("#category_code", Select).focus()  # not a text box: keys are not typed
        await pilot.press("3", "0")
        await settle(pilot)
        assert app.screen is form
        assert app.current_mode == "referrals"
        assert "OFFICIAL-SENSITIVE" in screen_text(app).splitlines()[0]


async def test_quit_asks_before_dropping_a_changed_form(db_path: Path, clock: FixedClock) -> None:
    from textual.widgets import Input

    from cipco.screens.modals import ConfirmScreen

    app = CipcoApp(db_path, clock=clock, start="referrals", poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("n")
        form = app.screen
        assert isinstance(form, RecordForm)
        await wait_for(pilot, lambda: form.ready)
        form.query_one("#location", Input).value = "B wing"
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("escape")  # stay
        await settle(pilot)
        assert app.screen is form and app.is_running
        await pilot.press("ctrl+q", "y")
        await settle(pilot)
        assert not app.is_running
