"""The TUI import screen: dry run first, commit on confirmation."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Engine, func, select
from textual.app import App
from textual.widgets import Button, Input, Static

from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.referral import Referral
from cipco.screens.import_screen import ImportScreen


def _file(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Ref", "Prison No", "Name", "Incident Date", "Crime Type"])
    ws.append(["T1", "A1234BC", "[bold]Smith[/]", "01/10/2026", "Mobile phone"])
    ws.append(["T2", "BAD", "Bad", "01/10/2026", "Drugs"])
    wb.save(path)
    return path


def _count(engine: Engine) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(Referral)) or 0)


async def test_dry_run_then_import(engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    path = _file(tmp_path / "t.xlsx")
    results: list[object] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ImportScreen(engine, clock, "tester"), results.append)

    app = Host()
    async with app.run_test(size=(140, 45)) as pilot:
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        screen.query_one("#path", Input).value = str(path)
        await pilot.click("#check")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = str(screen.query_one("#report-text", Static).render())
        assert "Dry run: nothing has changed yet." in shown
        assert "would be imported 1" in shown and "rejected 1" in shown
        assert "row 3 [Prison No]" in shown
        assert _count(engine) == 0
        assert not screen.query_one("#commit", Button).disabled
        await pilot.click("#commit")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = str(screen.query_one("#report-text", Static).render())
        assert "Imported." in shown and "imported 1" in shown
        assert _count(engine) == 1
        await pilot.press("escape")
        await pilot.pause()
    assert results and getattr(results[0], "imported", None) == 1


async def test_unreadable_file_shows_message(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ImportScreen(engine, clock, "tester", path=str(tmp_path / "no.xlsx")))

    app = Host()
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.click("#check")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = str(app.screen.query_one("#report-text", Static).render())
        assert "no such file" in shown
        assert app.screen.query_one("#commit", Button).disabled
