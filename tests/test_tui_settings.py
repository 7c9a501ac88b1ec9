"""The Settings screen's form saves a changed number while the force for exports is blank."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import read_scope
from cipco.screens.record_form import RecordForm
from cipco.services import settings as settings_service
from cipco.services.bootstrap import prepare
from tests.tui_helpers import (
    SMALL,
    demo_copy_fixture,  # noqa: F401 - a fixture
    demo_template_fixture,  # noqa: F401 - a fixture
    screen_text,
    settle,
    wait_for,
)


async def test_settings_save_with_no_force_for_exports(demo_copy: Path, clock: FixedClock) -> None:
    app = CipcoApp(demo_copy, clock=clock, start="settings", poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("e")
        form = app.screen
        assert isinstance(form, RecordForm), screen_text(app)
        await wait_for(pilot, lambda: form.ready)
        assert form.query_one("#export_force", Input).value == ""
        form.query_one("#footage_overwrite_days", Input).value = "30"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.screen is not form)
        assert "Required" not in screen_text(app)
    engine = prepare(demo_copy)
    try:
        with read_scope(engine) as session:
            values = settings_service.all_settings(session)
    finally:
        engine.dispose()
    assert values["footage_overwrite_days"] == 30
    assert values["export_force"] == ""
