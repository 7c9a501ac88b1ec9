"""What every log does the same way: one test per behaviour, parametrised over the five logs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Select, TextArea

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.screens import keymap
from cipco.screens.modals import ConfirmScreen
from cipco.screens.record_form import RecordForm
from tests.tui_helpers import (
    SMALL,
    demo_copy_fixture,  # noqa: F401 - a fixture
    demo_template_fixture,  # noqa: F401 - a fixture
    drawn,
    screen_text,
    settle,
    wait_for,
    walk_form,
)
from tests.tui_logs import LOGS, LogCase

pytestmark = pytest.mark.parametrize("log", LOGS, ids=str)


def app_for(path: Path, clock: FixedClock, poll: float = 0.2) -> CipcoApp:
    return CipcoApp(path, clock=clock, start="referrals", poll_seconds=poll)


async def open_form(app: CipcoApp, pilot: Any, log: LogCase) -> RecordForm:
    await settle(pilot)
    await pilot.press(log.key)
    await settle(pilot)
    for key in log.to_form:
        await pilot.press(key)
        await settle(pilot)
    form = app.screen
    assert isinstance(form, RecordForm), screen_text(app)
    await wait_for(pilot, lambda: form.ready)
    return form


def fill(form: RecordForm, log: LogCase) -> None:
    for name, value in log.selects.items():
        form.query_one(f"#{name}", Select).value = value
    for name, text in log.texts.items():
        widget = form.query_one(f"#{name}")
        if isinstance(widget, TextArea):
            widget.text = text
        else:
            assert isinstance(widget, Input)
            widget.value = text


async def test_form_discards_typed_input_only_after_asking(
    log: LogCase, demo_copy: Path, clock: FixedClock
) -> None:
    app = app_for(demo_copy, clock)
    before = log.count(app.engine)
    async with app.run_test(size=SMALL) as pilot:
        form = await open_form(app, pilot, log)
        await pilot.press("escape")  # nothing typed: closes at once
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm)
        await pilot.press(log.to_form[-1])
        await settle(pilot)
        form = app.screen
        assert isinstance(form, RecordForm)
        await wait_for(pilot, lambda: form.ready)
        name = next(iter(log.texts))
        form.query_one(f"#{name}").focus()
        await pilot.press(*"typed")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen), "escape dropped typed input unasked"
        await pilot.press("escape")  # no: back to the form, the text still there
        await settle(pilot)
        assert app.screen is form
        assert "typed" in str(form.states()[name])
        await pilot.press("escape", "y")
        await settle(pilot)
        assert not isinstance(app.screen, (RecordForm, ConfirmScreen))
    assert log.count(app.engine) == before


async def test_focus_goes_to_the_first_problem_and_clears_when_fixed(
    log: LogCase, demo_copy: Path, clock: FixedClock
) -> None:
    app = app_for(demo_copy, clock)
    async with app.run_test(size=SMALL) as pilot:
        form = await open_form(app, pilot, log)
        for name in form.fields:  # a blank form, whatever it started with
            if form.fields[name].kind in ("text", "date", "datetime"):
                form.query_one(f"#{name}", Input).value = ""
        form.query_one("#save").focus()
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        focused = form.focused
        assert focused is not None and focused.id == log.first_required, screen_text(app)
        error = form.query_one(f"#error-{log.first_required}")
        assert error.display and drawn(app, error), screen_text(app)
        assert "Required" in screen_text(app)
        await pilot.press(*"x")
        await settle(pilot)
        assert not error.has_class("-shown")


async def test_every_field_is_drawn_when_focused_at_80x24(
    log: LogCase, demo_copy: Path, clock: FixedClock
) -> None:
    app = app_for(demo_copy, clock)
    async with app.run_test(size=SMALL) as pilot:
        form = await open_form(app, pilot, log)
        fill(form, log)
        await settle(pilot)
        await walk_form(pilot, form)


async def test_the_highlight_follows_the_record_just_saved(
    log: LogCase, demo_copy: Path, clock: FixedClock
) -> None:
    app = app_for(demo_copy, clock)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press(log.key)
        await settle(pilot)
        table = log.table(app) if log.name != "clinics" else None
        if table is not None:  # move the highlight away from where the new record lands
            table.table.move_cursor(row=min(5, table.table.row_count - 1))
        form = await open_form_from_here(app, pilot, log)
        fill(form, log)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm), screen_text(app)
        newest = log.newest(app.engine)
        await wait_for(pilot, lambda: log.table(app).current_key == newest)


async def open_form_from_here(app: CipcoApp, pilot: Any, log: LogCase) -> RecordForm:
    for key in log.to_form:
        await pilot.press(key)
        await settle(pilot)
    form = app.screen
    assert isinstance(form, RecordForm), screen_text(app)
    await wait_for(pilot, lambda: form.ready)
    return form


async def test_a_list_out_of_view_is_fresh_when_it_comes_back(
    log: LogCase, demo_copy: Path, clock: FixedClock
) -> None:
    app = app_for(demo_copy, clock, poll=3600)  # only coming back may refresh it
    list_key = log.list_key or log.key
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press(list_key)
        await settle(pilot)
        table = app.screen.query_one("#records")
        total = table.total  # type: ignore[attr-defined]
        await pilot.press("9")  # another screen
        await settle(pilot)
        expected = log.outside(app.engine, clock)
        await pilot.press(list_key)
        await wait_for(pilot, lambda: expected in screen_text(app))
        await wait_for(pilot, lambda: table.total == total + 1)  # type: ignore[attr-defined]


async def test_the_same_key_does_the_same_thing_on_every_screen(
    log: LogCase, demo_copy: Path, clock: FixedClock
) -> None:
    app = app_for(demo_copy, clock)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press(log.key)
        await settle(pilot)
        seen = [app.screen]
        await pilot.press("enter")  # the record's page (or the clinic)
        await settle(pilot)
        seen.append(app.screen)
        for screen in [*seen, app]:
            for key, bindings in screen._bindings.key_to_bindings.items():
                for binding in bindings:
                    if binding.system:
                        continue  # Textual's own (ctrl+c to quit)
                    assert binding.action in keymap.KEYS, (screen, key, binding.action)
                    assert key in keymap.KEYS[binding.action].keys.split(","), (key, binding)
        form = await open_form(app, pilot, log)
        for key, bindings in form._bindings.key_to_bindings.items():
            for binding in bindings:
                assert key in keymap.KEYS[binding.action].keys.split(",")


async def test_a_save_the_database_refuses_says_so_and_keeps_the_form(
    log: LogCase, demo_copy: Path, clock: FixedClock
) -> None:
    """A failure that is not the service's refusal (a read-only login on a server, a full
    disk): the form says "Not saved" and why, stays open, and keeps what was typed."""
    from dataclasses import replace

    from cipco.dberrors import DatabaseError

    def refused_by_the_database(*_args: Any) -> Any:
        raise DatabaseError("permission denied for this login; nothing was saved")

    app = app_for(demo_copy, clock)
    async with app.run_test(size=SMALL) as pilot:
        form = await open_form(app, pilot, log)
        fill(form, log)
        form.spec = replace(form.spec, save=refused_by_the_database)
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Not saved: permission denied" in screen_text(app))
        assert app.screen is form
        assert "Saving…" not in screen_text(app)
        name, text = next(iter(log.texts.items()))
        widget = form.query_one(f"#{name}")
        kept = widget.text if isinstance(widget, TextArea) else widget.value  # type: ignore[attr-defined]
        assert kept == text
