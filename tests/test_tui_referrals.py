"""The referrals screens as a coordinator uses them: create, edit, filter, sort, move, detail,
a stale edit reloaded, the police details Acknowledged records."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input, Select

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.referral import Referral, ReferralUpdate, Status
from cipco.screens.modals import SortChooser
from cipco.screens.record_form import RecordForm
from cipco.screens.referral_detail import ReferralDetailScreen
from cipco.services.referrals import move_status, status_label, update_referral
from cipco.services.referrals.rules import TRANSITIONS
from cipco.widgets.record_table import RecordTable
from tests.factories import new_referral
from tests.tui_helpers import (
    demo_copy_fixture,  # noqa: F401 - a fixture
    demo_template_fixture,  # noqa: F401 - a fixture
    screen_text,
    settle,
    wait_for,
)

SIZE = (140, 45)


def app_for(path: Path, clock: FixedClock) -> CipcoApp:
    return CipcoApp(path, clock=clock, start="referrals", poll_seconds=0.2)


def referrals_in(app: CipcoApp) -> list[Referral]:
    with session_scope(app.engine) as s:
        return list(s.scalars(select(Referral).order_by(Referral.id)))


async def form_ready(app: CipcoApp, pilot) -> RecordForm:  # type: ignore[no-untyped-def]
    form = app.screen
    assert isinstance(form, RecordForm), screen_text(app)
    await wait_for(pilot, lambda: form.ready)
    return form


async def test_empty_state_says_what_to_do(db_path: Path, clock: FixedClock) -> None:
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        text = screen_text(app)
        assert "No referrals here. Press n to add one, i to import an old tracker" in text
        assert "0 of 0 referrals" in text


async def test_create_a_referral_with_a_date_typed_in_words(
    db_path: Path, clock: FixedClock
) -> None:
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        form = await form_ready(app, pilot)
        form.query_one("#nomis_number", Input).value = "a1234bc"
        form.query_one("#prisoner_name", Input).value = "SMITH, [John]"
        form.query_one("#incident_at", Input).value = "17 Nov 2026 09:30"
        form.query_one("#location", Input).value = "B wing servery"
        form.query_one("#category_code", Select).value = "STAFF_ASSAULT"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm), screen_text(app)
        rows = referrals_in(app)
        assert len(rows) == 1
        assert rows[0].location == "B wing servery"
        assert rows[0].incident_at.hour == 9  # 09:30 GMT in November
        await wait_for(pilot, lambda: "SMITH, [John]" in screen_text(app))
        text = screen_text(app)
        assert rows[0].reference in text and "A1234BC" in text  # markup-looking text kept
        assert "1 of 1 referrals" in text


async def test_the_form_names_each_field_and_saves_nothing(
    db_path: Path, clock: FixedClock
) -> None:
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("n")
        form = await form_ready(app, pilot)
        form.query_one("#nomis_number", Input).value = "12345"
        form.query_one("#incident_at", Input).value = "31/02/2026"
        form.query_one("#category_code", Select).value = "OTHER"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "'31/02/2026' is not a real date" in screen_text(app)
        assert form.focused is form.query_one("#incident_at")
        form.query_one("#incident_at", Input).value = "17/11/2026 09:30"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "'12345' is not a prison number" in screen_text(app)
        assert form.focused is form.query_one("#nomis_number")
        assert referrals_in(app) == []


async def test_edit_filter_and_move_a_referral(demo_copy: Path, clock: FixedClock) -> None:
    app = app_for(demo_copy, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        assert table.total == 300
        assert "300 of 300 referrals" in screen_text(app)
        target = next(r for r in table.rows if r.status == "draft")
        await pilot.press("slash", *target.nomis_number.lower())
        await wait_for(
            pilot, lambda: all(r.nomis_number == target.nomis_number for r in table.rows)
        )
        assert f"{table.total} of 300 referrals" in screen_text(app)
        await pilot.press("enter")  # back to the table
        table.table.move_cursor(row=table.table.get_row_index(str(target.id)))
        await pilot.press("e")
        form = await form_ready(app, pilot)
        form.query_one("#crime_ref", Input).value = "13/99999/26"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("m")
        move = await form_ready(app, pilot)
        move.query_one("#to_status", Select).value = "referred"
        await pilot.press("ctrl+s")
        await settle(pilot)
        stored = next(r for r in referrals_in(app) if r.id == target.id)
        assert stored.crime_ref == "13/99999/26"
        assert stored.status == "referred"
        await wait_for(pilot, lambda: "13/99999/26" in screen_text(app))
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReferralDetailScreen)
        assert target.reference in screen_text(app)


async def test_a_referrals_page_shows_its_move_and_edit_on_its_tabs(
    demo_copy: Path, clock: FixedClock
) -> None:
    app = app_for(demo_copy, clock)
    with session_scope(app.engine, actor="tester", clock=clock) as s:
        draft = s.scalars(select(Referral).where(Referral.status == "draft")).first()
        assert draft is not None and draft.id is not None
        target, reference = draft.id, draft.reference
        data = ReferralUpdate(crime_ref="13/99999/26")
        update_referral(session=s, referral_id=target, data=data, clock=clock)
        move_status(session=s, referral_id=target, to_status="referred", clock=clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_referral(target)
        await wait_for(pilot, lambda: reference in screen_text(app))
        await pilot.press("right_square_bracket")  # the Timeline tab
        await settle(pilot)
        assert f"{status_label('draft')} → {status_label('referred')}" in screen_text(app)
        await pilot.press(*["right_square_bracket"] * 3)  # People, Papers, History
        await settle(pilot)
        text = screen_text(app)
        assert "Crime reference" in text and "13/99999/26" in text


async def test_acknowledged_asks_for_the_crime_reference_and_oic(
    engine: object, db_path: Path, clock: FixedClock
) -> None:
    with session_scope(engine, actor="tester", clock=clock) as s:  # type: ignore[arg-type]
        referral = new_referral(s, clock)
        referral.status = Status.REFERRED
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("m")
        move = await form_ready(app, pilot)
        assert not move.query_one("#row-crime_ref").display  # only for Acknowledged
        move.query_one("#to_status", Select).value = "acknowledged"
        await settle(pilot)
        assert move.query_one("#row-crime_ref").display
        assert "From the police" in screen_text(app)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert move.focused is move.query_one("#crime_ref"), screen_text(app)
        move.query_one("#crime_ref", Input).value = "13/55555/26"
        move.query_one("#oic_name", Input).value = "DC Sarah Collins"
        move.query_one("#oic_email", Input).value = "collins@police.example"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm), screen_text(app)
    stored = referrals_in(app)[0]
    assert stored.status == "acknowledged"
    assert stored.crime_ref == "13/55555/26"
    assert stored.oic_name == "DC Sarah Collins" and stored.oic_email == "collins@police.example"


async def test_a_stale_edit_reloads_keeping_what_you_typed(
    engine: object, db_path: Path, clock: FixedClock
) -> None:
    with session_scope(engine, actor="tester", clock=clock) as s:  # type: ignore[arg-type]
        referral_id = new_referral(s, clock, location="Gym", crime_ref="OLD").id
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("e")
        form = await form_ready(app, pilot)
        with session_scope(app.engine, actor="bob", clock=clock) as s:  # another window saves
            other = s.get(Referral, referral_id)
            assert other is not None
            other.oic_name = "DC Bob"
            other.crime_ref = "BOBS"
        form.query_one("#location", Input).value = "B wing servery"  # only I changed this
        form.query_one("#crime_ref", Input).value = "MINE"  # we both changed this
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        text = screen_text(app)
        assert "was changed by bob at 10:00" in text and "ctrl+r to reload" in text, text
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert form.query_one("#oic_name", Input).value == "DC Bob"  # theirs came in
        assert form.query_one("#location", Input).value == "B wing servery"  # mine kept
        assert form.query_one("#crime_ref", Input).value == "MINE"  # a clash keeps mine...
        assert "Also changed meanwhile, to: BOBS" in screen_text(app)  # ...and names theirs
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert not isinstance(app.screen, RecordForm), screen_text(app)
    stored = referrals_in(app)[0]
    assert (stored.location, stored.crime_ref, stored.oic_name) == (
        "B wing servery",
        "MINE",
        "DC Bob",
    )


async def test_sort_by_any_column_from_the_keyboard(demo_copy: Path, clock: FixedClock) -> None:
    app = app_for(demo_copy, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        await pilot.press("s")
        await settle(pilot)
        chooser = app.screen
        assert isinstance(chooser, SortChooser)
        labels = [label for label, _ in chooser.choices]
        assert any(label.startswith("Next due") for label in labels)
        keys = [key for _, key in chooser.choices]
        for _ in range(keys.index("prisoner_name")):
            await pilot.press("down")
        await pilot.press("enter")
        await wait_for(pilot, lambda: "sorted by Prisoner ▲" in screen_text(app))
        names = [r.prisoner_name for r in table.rows]
        assert names == sorted(names)
        await pilot.press("s", "s")  # the same column again: reversed
        await wait_for(pilot, lambda: "sorted by Prisoner ▼" in screen_text(app))
        names = [r.prisoner_name for r in table.rows]
        assert names == sorted(names, reverse=True)


async def test_a_long_list_says_how_many_rows_are_loaded_and_loads_the_rest(
    demo_copy: Path, clock: FixedClock
) -> None:
    app = app_for(demo_copy, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        await wait_for(pilot, lambda: len(table.rows) > 60)
        assert len(table.rows) < 300  # the demo's 300 referrals are more than two pages
        assert f"300 referrals (first {len(table.rows)} loaded" in screen_text(app)
        await pilot.press("end")  # the last row loaded; the rest are fetched
        await wait_for(pilot, lambda: len(table.rows) == 300)
        await wait_for(pilot, lambda: "loaded" not in str(table.border_title))
        await pilot.press("end")
        await wait_for(pilot, lambda: table.table.cursor_row == 299)
        assert table.rows[-1].reference in screen_text(app)
        await pilot.press("home")
        await wait_for(pilot, lambda: table.table.cursor_row == 0)


async def test_illegal_moves_are_not_offered_and_queue_tabs_filter(
    demo_copy: Path, clock: FixedClock
) -> None:
    app = app_for(demo_copy, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press(*["right_square_bracket"] * 3)  # All, Overdue, To refer, Awaiting
        table = app.screen.query_one(RecordTable)
        await wait_for(pilot, lambda: table.query_state.queue == "awaiting_police")
        await settle(pilot)
        assert table.rows and all(r.status in ("referred", "acknowledged") for r in table.rows)
        status = table.current_row.status
        await pilot.press("m")
        move = await form_ready(app, pilot)
        offered = {key for _label, key in move.fields["to_status"].options}
        assert offered == {s.value for s in TRANSITIONS[Status(status)]}
        assert "concluded" not in offered


async def test_a_second_window_sees_a_change_without_a_key_press(
    demo_copy: Path, clock: FixedClock
) -> None:
    viewer = app_for(demo_copy, clock)
    async with viewer.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = viewer.screen.query_one(RecordTable)
        first = table.rows[0]
        with session_scope(viewer.engine, actor="other", clock=clock) as s:
            s.get(Referral, first.id).crime_ref = "LIVE-123"  # type: ignore[union-attr]
        await wait_for(pilot, lambda: "LIVE-123" in screen_text(viewer))


async def test_command_palette_jumps_to_a_referral(demo_copy: Path, clock: FixedClock) -> None:
    app = app_for(demo_copy, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        reference = app.screen.query_one(RecordTable).rows[3].reference
        await pilot.press("ctrl+p")
        await pilot.pause()
        await pilot.press(*reference)
        await wait_for(pilot, lambda: reference in screen_text(app))
        await pilot.pause(0.3)  # the palette's own search debounce
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ReferralDetailScreen)
        assert reference in screen_text(app)


async def test_export_key_writes_the_current_queue(demo_copy: Path, clock: FixedClock) -> None:
    import os
    import stat

    import openpyxl

    app = app_for(demo_copy, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("right_square_bracket", "right_square_bracket")  # To refer
        table = app.screen.query_one(RecordTable)
        await wait_for(pilot, lambda: table.query_state.queue == "to_refer")
        await settle(pilot)
        expected = table.total
        await pilot.press("x")
        await settle(pilot)
        files = list(Path("exports").glob("referrals-*.xlsx"))
        assert len(files) == 1
        assert stat.S_IMODE(os.stat(files[0]).st_mode) == 0o600
        sheet = openpyxl.load_workbook(files[0]).worksheets[0]
        assert sheet.max_row - 1 == expected
        assert any(f"Exported {expected:,} referrals" in str(n.message) for n in app._notifications)


async def test_number_keys_leave_a_prisoner_page_for_the_list(
    demo_copy: Path, clock: FixedClock
) -> None:
    from cipco.screens.home import HomeScreen
    from cipco.screens.person_page import PersonPage
    from cipco.screens.referrals import ReferralsScreen

    app = app_for(demo_copy, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("p")  # the highlighted referral's prisoner
        await settle(pilot)
        assert isinstance(app.screen, PersonPage)
        assert "OFFICIAL-SENSITIVE" in screen_text(app)
        await pilot.press("1")
        await settle(pilot)
        assert isinstance(app.screen, ReferralsScreen)
        await pilot.press("p", "0")  # 0: home, what is due
        await settle(pilot)
        assert isinstance(app.screen, HomeScreen)
