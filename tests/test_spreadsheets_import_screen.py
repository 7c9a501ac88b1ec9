"""The TUI import screen: a file picked in the picker, the dry run shown (columns and how each
was found, rejects), the import on ctrl+s; any log, chosen on the screen."""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from sqlalchemy import Engine, func, select
from textual.app import App
from textual.widgets import Button, Input, Select, Static
from textual_fspicker import FileOpen

from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.mg4d import ChargePapers
from cipco.models.referral import Referral
from cipco.screens.import_screen import ImportScreen


def _file(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Ref", "Prison No", "Name", "Incident Date", "Time", "Crime Type", "Wing"])
    ws.append(["T1", "A1234BC", "[bold]Smith[/]", "01/10/2026", "14:35", "Mobile phone", "A"])
    ws.append(["T2", "BAD", "Bad", "01/10/2026", None, "Drugs", "B"])
    wb.save(path)
    return path


def _count(engine: Engine, model: object = Referral) -> int:
    with session_scope(engine) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)  # type: ignore[arg-type]


def _report(app: App[None]) -> str:
    return str(app.screen.query_one("#report-text", Static).render())


async def _settle(app: App[None], pilot: object) -> None:
    await app.workers.wait_for_complete()
    await pilot.pause()  # type: ignore[attr-defined]


async def test_pick_a_file_read_the_dry_run_then_import(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    path = _file(tmp_path / "tracker.xlsx")
    results: list[object] = []

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ImportScreen(engine, clock, "tester"), results.append)

    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        assert isinstance(app.screen, ImportScreen)
        assert app.screen.query_one("#commit", Button).disabled
        await pilot.press("o")
        await pilot.pause()
        picker = app.screen
        assert isinstance(picker, FileOpen)
        name = picker.query_one(Input)
        name.focus()
        name.value = str(path)
        await pilot.press("enter")
        await _settle(app, pilot)
        screen = app.screen
        assert isinstance(screen, ImportScreen)
        shown = _report(app)
        assert "Dry run: nothing has changed yet." in shown
        assert "Prison No" in shown and "-> nomis_number" in shown and "synonym" in shown
        assert "-> incident_time" in shown
        assert "Wing" in shown and "-> location" in shown
        assert "would be imported 1" in shown and "rejected 1" in shown
        assert "row 3 [Prison No]" in shown
        assert "[bold]Smith[/]" not in shown or "Smith" in shown  # never read as markup
        assert _count(engine) == 0
        assert not screen.query_one("#commit", Button).disabled
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        shown = _report(app)
        assert "Imported." in shown and "imported 1" in shown
        assert _count(engine) == 1
        assert screen.query_one("#commit", Button).disabled  # once only
        await pilot.press("escape")
        await pilot.pause()
    assert results and getattr(results[0], "imported", None) == 1


async def test_every_log_imports_from_the_same_screen(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Prison No.", "Charges", "Date Rec'd", "Date served", "Time served", "Signed?"])
    ws.append(["A1234BC", "Assault", "02/11/2026", "03/11/2026", "1435", "N"])
    path = tmp_path / "mg4d.xlsx"
    wb.save(path)

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ImportScreen(engine, clock, "tester", path=str(path)))

    app = Host()
    async with app.run_test(size=(100, 40)) as pilot:
        await _settle(app, pilot)
        assert "no header row found" in _report(app)  # read as a referral tracker first
        choices = [value for _label, value in app.screen.query_one("#log", Select)._options]
        assert {"referrals", "persons", "exhibits", "mg4d", "actions"} <= set(choices)
        app.screen.query_one("#log", Select).value = "mg4d"
        await pilot.pause()
        await _settle(app, pilot)
        shown = _report(app)
        assert "-> served_time" in shown and "guessed: time + serve" in shown
        assert "would be imported 1" in shown
        await pilot.press("ctrl+s")
        await _settle(app, pilot)
        assert "Imported." in _report(app)
    with session_scope(engine) as session:
        papers = session.scalars(select(ChargePapers)).one()
        assert papers.response == "served_not_signed"


async def test_unreadable_file_shows_message(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ImportScreen(engine, clock, "tester", path=str(tmp_path / "no.xlsx")))

    app = Host()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(app, pilot)
        assert "no such file" in _report(app)
        assert app.screen.query_one("#commit", Button).disabled
        await pilot.click("#check")
        await _settle(app, pilot)
        assert "no such file" in _report(app)


async def test_the_command_palette_opens_it_on_the_log_shown(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    from cipco.app import CipcoApp
    from cipco.screens.exhibits import ExhibitsScreen
    from tests.tui_helpers import SMALL, screen_text, wait_for

    engine.dispose()
    app = CipcoApp(db_path, clock=clock, start="exhibits")
    async with app.run_test(size=SMALL) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, ExhibitsScreen))
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*"import")
        await wait_for(pilot, lambda: "Import a spreadsheet" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ImportScreen))
        assert app.screen.query_one("#log", Select).value == "exhibits"
        assert "Choose the spreadsheet" in screen_text(app)
