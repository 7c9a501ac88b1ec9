"""Helpers for Textual tests: wait for background work, read the screen as text, demo data.

No fixed sleeps: :func:`settle` waits for the workers and a repaint; :func:`wait_for` polls a
condition in short steps and fails with what the screen shows.
"""

from __future__ import annotations

import fcntl
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Static

from cipco.clock import FixedClock
from tests.conftest import FROZEN_AT, TEST_SITE

SMALL = (80, 24)
LARGE = (160, 48)


async def settle(pilot: Pilot[Any]) -> None:
    """Let workers finish and the screen repaint (no fixed sleeps)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def wait_for(pilot: Pilot[Any], condition: Callable[[], bool], tries: int = 200) -> None:
    """Poll until ``condition()`` holds (short pauses, never one long sleep)."""
    for _ in range(tries):
        if condition():
            return
        await pilot.pause(0.02)
        await pilot.app.workers.wait_for_complete()
    assert condition(), screen_text(pilot.app)


def screen_text(app: App[Any]) -> str:
    """Everything visible, as the user would read it."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def static_text(app: App[Any], selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    return str(widget.render())


def drawn(app: App[Any], widget: Widget) -> bool:
    """The widget is on screen, inside every scrolling parent's visible part."""
    region = widget.region
    if region.height == 0 or region.width == 0:
        return False
    if not app.screen.region.contains_region(region):
        return False
    node = widget.parent
    while isinstance(node, Widget):
        if node.is_scrollable and not node.region.contains_region(region):
            return False
        node = node.parent
    return True


# ---------------------------------------------------------------- demo data, once per run


def _build_demo(path: Path) -> None:
    from cipco.db import session_scope
    from cipco.services import demo
    from cipco.services.bootstrap import prepare
    from cipco.services.site import assign_site

    clock = FixedClock(FROZEN_AT)
    engine = prepare(path)
    with session_scope(engine, actor="cipco") as s:
        assign_site(s, TEST_SITE, clock)
    with session_scope(engine, actor="cipco demo", clock=clock) as s:
        demo.generate(s, clock, referrals=300, seed=7)
    engine.dispose()


@pytest.fixture(scope="session", name="demo_template")
def demo_template_fixture(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo data built once for the whole run (all xdist workers), behind a file lock."""
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # this run's folder, shared by its workers
    path = shared / "tui-demo-template.db"
    with (shared / "tui-demo-template.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not path.exists():
            building = shared / "tui-demo-template.building.db"
            building.unlink(missing_ok=True)
            _build_demo(building)
            building.rename(path)
    return path


@pytest.fixture(name="demo_copy")
def demo_copy_fixture(demo_template: Path, tmp_path: Path) -> Iterator[Path]:
    """A private copy of the demo data for one test."""
    path = tmp_path / "demo.db"
    shutil.copyfile(demo_template, path)
    os.chmod(path, 0o600)
    yield path


async def walk_form(pilot: Pilot[Any], form: Any) -> set[str]:
    """Every shown field of a record form is on tab's path and drawn, with its label, when
    it has the focus. Returns the names of the fields checked.

    Tab follows the screen's focus chain; a field already on screen is checked as it is,
    one off screen is given the focus (as tab would) and must be scrolled into view.
    """
    from cipco.screens.record_form import _field_of

    app = pilot.app
    shown = {
        f.name
        for f in form.spec.fields
        if form.query_one(f"#row-{f.name}").display and not f.disabled
    }
    on_path = {_field_of(widget) for widget in form.focus_chain}
    assert shown <= on_path, f"tab never reaches {shown - on_path}"
    await pilot.press("tab")  # tab moves along that path
    assert _field_of(form.focused) in on_path | {None}
    lines = screen_text(app).splitlines()
    for name in [f.name for f in form.spec.fields if f.name in shown]:  # top to bottom
        widget = form.query_one(f"#{name}")
        label = form.query_one(f"#row-{name}").query("Label").first()
        if not (drawn(app, widget) and drawn(app, label)):
            widget.focus()
            await pilot.pause()
            await app.animator.wait_until_complete()  # the scroll into view
            await pilot.pause()
            lines = screen_text(app).splitlines()
        assert drawn(app, widget), (name, "\n".join(lines))
        assert drawn(app, label), (name, "\n".join(lines))
        words = form.fields[name].label
        assert words in str(label.render())
        assert words in lines[label.region.y], (name, "drawn blank", "\n".join(lines))
    return shown
