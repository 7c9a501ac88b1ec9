"""The exhibits screen as a coordinator uses it: register, new exhibit, timeline, movements."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from textual.widgets import Input, Select

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.exhibit import Exhibit, ExhibitEvent
from cipco.screens.exhibit_detail import ExhibitDetailScreen
from cipco.screens.exhibits import ExhibitsScreen
from cipco.screens.modals import ChoiceScreen, ConfirmScreen
from cipco.screens.record_form import RecordForm
from tests.exhibit_helpers import make_exhibit, move
from tests.tui_helpers import SMALL, screen_text, settle, wait_for

SIZE = (140, 45)


def app_for(path: Path, clock: FixedClock) -> CipcoApp:
    return CipcoApp(path, clock=clock, start="referrals", poll_seconds=0.2)


def _events(app: CipcoApp) -> list[ExhibitEvent]:
    with session_scope(app.engine) as s:
        return list(s.scalars(select(ExhibitEvent).order_by(ExhibitEvent.id)))


async def _open_exhibits(app: CipcoApp, pilot) -> None:  # type: ignore[no-untyped-def]
    await settle(pilot)
    await pilot.press("3")
    await settle(pilot)
    assert isinstance(app.screen, ExhibitsScreen)


async def _form(app: CipcoApp, pilot) -> RecordForm:  # type: ignore[no-untyped-def]
    form = app.screen
    assert isinstance(form, RecordForm), screen_text(app)
    await wait_for(pilot, lambda: form.ready)
    return form


async def _move(app: CipcoApp, pilot, kind: str) -> RecordForm:  # type: ignore[no-untyped-def]
    await pilot.press("m")
    await settle(pilot)
    chooser = app.screen
    assert isinstance(chooser, ChoiceScreen)
    for _ in range([k for _, k in chooser.choices].index(kind)):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    return await _form(app, pilot)


async def test_empty_state_then_new_exhibit(db_path: Path, clock: FixedClock) -> None:
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_exhibits(app, pilot)
        assert "No exhibits match. Press n to log a seizure" in screen_text(app)
        await pilot.press("n")
        form = await _form(app, pilot)
        assert form.query_one("#row-clip_start").display  # CCTV first: the footage fields
        form.query_one("#exhibit_type", Select).value = "mobile_phone"
        await settle(pilot)
        assert not form.query_one("#row-clip_start").display
        assert form.query_one("#row-found_on").display
        form.query_one("#reference", Input).value = "bad ref"
        form.query_one("#description", Input).value = "Phone"
        form.query_one("#seized_by", Input).value = "Officer J. Smith"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "not an exhibit reference" in screen_text(app)
        assert form.focused is form.query_one("#reference")
        form.query_one("#reference", Input).value = "js/1"
        form.query_one("#description", Input).value = "Phone [black] Samsung"
        form.query_one("#seized_by", Input).value = "Officer J. Smith"
        form.query_one("#seal_number", Input).value = "S100"
        form.query_one("#found_on", Input).value = "a1234bc"
        form.query_one("#list_class", Input).value = "A"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExhibitsScreen)
        await wait_for(pilot, lambda: "Phone [black]" in screen_text(app))  # never markup
        text = screen_text(app)
        assert "JS/1" in text and "Held by us" in text
        with session_scope(app.engine) as s:
            exhibit = s.scalars(select(Exhibit)).one()
            assert exhibit.list_class == "A" and exhibit.found_on_prisoner_id is not None
        assert [e.kind for e in _events(app)] == ["seizure"]


def _moved_once(
    engine: object, clock: FixedClock, by: str | None, ago: timedelta, **extra: Any
) -> None:
    """An exhibit handed by ``by`` (None: its holder) to SO P. Carr ``ago``."""
    with session_scope(engine, actor="tester", clock=clock) as session:  # type: ignore[arg-type]
        exhibit = make_exhibit(session, clock)
        when = clock.now() - ago
        move(session, clock, exhibit, by or exhibit.holder, "SO P. Carr", when, **extra)


async def test_a_long_event_wraps_under_itself_on_a_small_terminal(
    engine: object, db_path: Path, clock: FixedClock
) -> None:
    where = "Evidence store B, locked cabinet 4, second shelf from the top"
    _moved_once(engine, clock, None, timedelta(hours=1), location=where)
    app = app_for(db_path, clock)
    async with app.run_test(size=SMALL) as pilot:
        await _open_exhibits(app, pilot)
        await pilot.press("enter")
        await wait_for(pilot, lambda: "MOVED" in screen_text(app))
        lines = screen_text(app).splitlines()
        moved = next(i for i, line in enumerate(lines) if "MOVED" in line)
        body = lines[moved].index("MOVED")
        # the wrapped rest of the event starts where its text does, not at the box's edge
        rest = lines[moved + 1]
        assert rest[:body].strip(" │") == "" and rest[body:].strip(" │")
        assert "second shelf" in " ".join(lines[moved : moved + 4])


async def test_timeline_movement_and_destruction(
    engine: object, db_path: Path, clock: FixedClock
) -> None:
    _moved_once(engine, clock, "Officer J. Smith", timedelta(days=2), seal_number="S999")
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await _open_exhibits(app, pilot)
        assert "! Held by us" in screen_text(app)  # discrepancy marker
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExhibitDetailScreen)
        text = screen_text(app)
        assert "SEIZED" in text and "MOVED" in text
        assert "DISCREPANCY: seal number on receipt S999" in text
        # a hand-over by someone who is not the holder is refused in the form
        form = await _move(app, pilot, "movement")
        form.query_one("#from_name", Input).value = "Someone Else"
        form.query_one("#to_name", Input).value = "CiPCo A. Whitfield"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "not the current holder" in screen_text(app)
        form.query_one("#from_name", Input).value = "SO P. Carr"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExhibitDetailScreen)
        assert "SO P. Carr -> CiPCo A. Whitfield" in screen_text(app)
        # a correction points at the original, which stays visible
        await pilot.press("k")
        correction = await _form(app, pilot)
        correction.query_one("#location", Input).value = "Evidence locker 2"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert correction.focused is correction.query_one("#note")
        assert "Required" in screen_text(app)
        correction.query_one("#note", Input).value = "Store was wrong"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ExhibitDetailScreen)
        text = screen_text(app)
        assert "CORRECTION  corrects event 3: Store was wrong" in text
        assert "corrected by event 4" in text
        # destruction asks first, then is refused without an independent witness
        form = await _move(app, pilot, "destruction")
        form.query_one("#authority", Input).value = "Governor D. Price"
        form.query_one("#witness", Input).value = "SO P. Carr"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settle(pilot)
        assert "witness" in screen_text(app) and "in this exhibit's chain" in screen_text(app)
        form.query_one("#witness", Input).value = "OSG W. Tran"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert isinstance(app.screen, ExhibitDetailScreen)
        assert "State: Destroyed" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, ExhibitsScreen)
    kinds = [e.kind for e in _events(app)]
    assert kinds == ["seizure", "movement", "movement", "correction", "destruction"]
