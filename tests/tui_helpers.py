"""Helpers for Textual tests: wait for background work, read the screen as text."""

from __future__ import annotations

from textual.app import App
from textual.pilot import Pilot
from textual.widgets import Static


async def settle(pilot: Pilot[None]) -> None:
    """Let workers finish and the screen repaint (no fixed sleeps)."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def screen_text(app: App[None]) -> str:
    """Everything visible, as the user would read it."""
    strips = app.screen._compositor.render_strips()
    return "\n".join(strip.text for strip in strips)


def static_text(app: App[None], selector: str) -> str:
    widget = app.screen.query_one(selector, Static)
    return str(widget.render())
