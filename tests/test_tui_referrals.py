"""The referrals screen as a coordinator uses it: create, edit, filter, move, detail."""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input, Select

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.referral import Referral, Status
from cipco.screens.referral_detail import ReferralDetailScreen
from cipco.screens.referral_form import MoveStatusScreen, ReferralForm
from cipco.services.referrals import TRANSITIONS, status_label
from cipco.widgets.record_table import RecordTable
from tests.tui_helpers import screen_text, settle

SIZE = (140, 45)


def app_for(path: Path, clock: FixedClock) -> CipcoApp:
    return CipcoApp(path, clock=clock, poll_seconds=0.2)


def referrals_in(app: CipcoApp) -> list[Referral]:
    with session_scope(app.engine) as s:
        return list(s.scalars(select(Referral).order_by(Referral.id)))


async def test_empty_state_says_what_to_do(db_path: Path, clock: FixedClock) -> None:
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "No referrals here. Press n to add one, i to import an old tracker" in text
        assert "0 of 0 referrals" in text


async def test_create_a_referral_through_the_form(db_path: Path, clock: FixedClock) -> None:
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, ReferralForm)
        form.query_one("#nomis_number", Input).value = "a1234bc"
        form.query_one("#prisoner_name", Input).value = "SMITH, [John]"
        form.query_one("#incident_at", Input).value = "17/11/2026 09:30"
        form.query_one("#location", Input).value = "B wing servery"
        form.query_one("#category_code", Select).value = "STAFF_ASSAULT"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, ReferralForm)
        rows = referrals_in(app)
        assert len(rows) == 1
        assert rows[0].location == "B wing servery"
        assert rows[0].incident_at.hour == 9  # 09:30 GMT in November
        text = screen_text(app)
        assert "REF-2026-0001" in text
        assert "A1234BC" in text
        assert "SMITH, [John]" in text  # user text is not read as markup
        assert "1 of 1 referrals" in text


async def test_form_names_the_field_and_saves_nothing(db_path: Path, clock: FixedClock) -> None:
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        form = app.screen
        form.query_one("#nomis_number", Input).value = "12345"
        form.query_one("#incident_at", Input).value = "31/02/2026"
        form.query_one("#category_code", Select).value = "OTHER"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ReferralForm)
        text = screen_text(app)
        assert "'31/02/2026' is not a date and time" in text
        form.query_one("#incident_at", Input).value = "17/11/2026 09:30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "'12345' is not a prison number" in screen_text(app)
        assert referrals_in(app) == []


async def test_edit_filter_and_move_a_referral(
    demo_db: Path, clock: FixedClock, tmp_path: Path
) -> None:
    path = tmp_path / "copy.db"
    shutil.copyfile(demo_db, path)
    app = app_for(path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        assert table.total == 300
        assert "300 of 300 referrals" in screen_text(app)
        target = next(r for r in table.rows if r.status in ("draft", "referred"))
        move_to = "referred" if target.status == "draft" else "acknowledged"
        # Filter by prison number
        await pilot.press("slash")
        for ch in target.nomis_number.lower():
            await pilot.press(ch)
        await pilot.pause(0.3)
        await settle(pilot)
        assert all(r.nomis_number == target.nomis_number for r in table.rows)
        assert f"{table.total} of 300 referrals" in screen_text(app)
        await pilot.press("enter")  # back to the table
        table.table.move_cursor(row=table.table.get_row_index(str(target.id)))
        # Edit: set a crime reference
        await pilot.press("e")
        await settle(pilot)
        assert isinstance(app.screen, ReferralForm)
        app.screen.query_one("#crime_ref", Input).value = "13/99999/26"
        await pilot.press("ctrl+s")
        await settle(pilot)
        # Move: draft -> referred
        await pilot.press("m")
        await settle(pilot)
        assert isinstance(app.screen, MoveStatusScreen)
        app.screen.query_one("#to_status", Select).value = move_to
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = next(r for r in referrals_in(app) if r.id == target.id)
        assert stored.crime_ref == "13/99999/26"
        assert stored.status == move_to
        assert "13/99999/26" in screen_text(app)
        # Detail: timeline and history show both changes
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReferralDetailScreen)
        text = screen_text(app)
        assert target.reference in text
        await pilot.press("t")
        await settle(pilot)
        assert f"{status_label(target.status)} → {status_label(move_to)}" in screen_text(app)
        await pilot.press("h")
        await settle(pilot)
        text = screen_text(app)
        assert "Crime reference" in text and "13/99999/26" in text


async def test_illegal_move_is_not_offered_and_queue_tabs_filter(
    demo_db: Path, clock: FixedClock
) -> None:
    app = app_for(demo_db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")  # Awaiting police
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        assert table.rows and all(r.status in ("referred", "acknowledged") for r in table.rows)
        status = table.current_row.status
        await pilot.press("m")
        await settle(pilot)
        select = app.screen.query_one("#to_status", Select)
        options = {str(value) for _label, value in select._options if value != Select.NULL}
        assert options == {s.value for s in TRANSITIONS[Status(status)]}
        assert "concluded" not in options


async def test_second_window_sees_a_change_without_a_key_press(
    demo_db: Path, clock: FixedClock
) -> None:
    viewer = app_for(demo_db, clock)
    async with viewer.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = viewer.screen.query_one(RecordTable)
        first = table.rows[0]
        with session_scope(viewer.engine, actor="other", clock=clock) as s:
            s.get(Referral, first.id).crime_ref = "LIVE-123"  # type: ignore[union-attr]
        for _ in range(50):
            await pilot.pause(0.1)
            if table.rows and table.rows[0].crime_ref == "LIVE-123":
                break
        await settle(pilot)
        assert "LIVE-123" in screen_text(viewer)


async def test_command_palette_jumps_to_a_referral(demo_db: Path, clock: FixedClock) -> None:
    app = app_for(demo_db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reference = app.screen.query_one(RecordTable).rows[3].reference
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in reference:
            await pilot.press(ch)
        for _ in range(30):
            await pilot.pause(0.1)
            if reference in screen_text(app):
                break
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReferralDetailScreen)
        assert reference in screen_text(app)


async def test_export_key_writes_the_current_queue(demo_db: Path, clock: FixedClock) -> None:
    import os
    import stat

    import openpyxl

    app = app_for(demo_db, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket")  # To refer queue
        await settle(pilot)
        expected = app.screen.query_one(RecordTable).total
        await pilot.press("x")
        await settle(pilot)
        files = list(Path("exports").glob("referrals-*.xlsx"))
        assert len(files) == 1
        assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
        sheet = openpyxl.load_workbook(files[0]).worksheets[0]
        assert sheet.max_row - 1 == expected
        assert any(f"Exported {expected:,} referrals" in str(n.message) for n in app._notifications)


async def test_command_palette_finds_a_prisoner_by_name(demo_db: Path, clock: FixedClock) -> None:
    from cipco.screens.person_page import PersonPage

    app = app_for(demo_db, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        row = app.screen.query_one(RecordTable).rows[0]
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in row.prisoner_name.lower():
            await pilot.press(ch)
        expected = f"Prisoner {row.nomis_number}"
        for _ in range(30):
            await pilot.pause(0.1)
            if expected in screen_text(app):
                break
        assert expected in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        app.open_person(row.nomis_number)
        await settle(pilot)
        assert isinstance(app.screen, PersonPage)
        assert row.nomis_number in screen_text(app)
