"""The crime clinic as a coordinator runs it: draft, step, note, act, close, live refresh."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select
from textual.widgets import Input, TextArea

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.clinic import AgendaItem, Attendance, Clinic, ClinicAction, ClinicActionCreate
from cipco.screens.actions import ActionsScreen
from cipco.screens.clinic_forms import AttendanceScreen
from cipco.screens.clinic_meeting import ClinicScreen
from cipco.screens.clinics import ClinicsScreen
from cipco.screens.modals import ChoiceScreen, ConfirmScreen
from cipco.screens.record_form import RecordForm
from cipco.services import clinic as clinic_service
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
    return CipcoApp(path, clock=clock, start="referrals", poll_seconds=0.1)


def seed_referrals(engine: Engine, clock: FixedClock) -> None:
    with session_scope(engine, actor="tester", clock=clock) as s:
        new_referral(s, clock, nomis="A1234BC", name="SMITH, [John]")
        new_referral(s, clock, nomis="B2345CD", name="JONES, Tom", category="MOBILE_PHONE")


async def form_ready(app: CipcoApp, pilot) -> RecordForm:  # type: ignore[no-untyped-def]
    form = app.screen
    assert isinstance(form, RecordForm), screen_text(app)
    await wait_for(pilot, lambda: form.ready)
    return form


async def choose(app: CipcoApp, pilot, value: str) -> None:  # type: ignore[no-untyped-def]
    chooser = app.screen
    assert isinstance(chooser, ChoiceScreen), screen_text(app)
    for _ in range([v for _, v in chooser.choices].index(value)):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)


async def test_empty_clinics_screen_says_what_to_do(db_path: Path, clock: FixedClock) -> None:
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, ClinicsScreen)
        text = screen_text(app)
        assert "No clinics yet. Press n to draft the next one" in text
        assert "Next clinic on the cadence: 18/11/2026" in text


async def test_draft_a_clinic_note_an_item_and_add_an_action(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    seed_referrals(engine, clock)
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("2", "n")
        await settle(pilot)
        assert isinstance(app.screen, ClinicScreen)
        await wait_for(pilot, lambda: "Crime clinic · 18/11/2026 · Draft" in screen_text(app))
        text = screen_text(app)
        assert "SMITH, [John]" in text  # user text is not markup
        assert "New referrals since" in text

        # A discussion note on the first item.
        await pilot.press("e")
        note = await form_ready(app, pilot)
        note.query_one("#note", TextArea).text = "OIC to chase [CCTV]"
        await pilot.press("ctrl+s")
        await settle(pilot)
        with session_scope(app.engine) as s:
            notes = [i.note for i in s.scalars(select(AgendaItem).order_by(AgendaItem.position))]
        assert notes[0] == "OIC to chase [CCTV]"
        await wait_for(pilot, lambda: "OIC to chase [CCTV]" in screen_text(app))

        # An action, linked to the referral of the current item.
        await pilot.press("a")
        form = await form_ready(app, pilot)
        assert form.query_one("#referral", Input).value.startswith("REF-2026-")
        await pilot.press("ctrl+s")  # empty: each problem beside its own field
        await settle(pilot)
        assert form.focused is form.query_one("#text")
        assert form.query_one("#error-owner_name").has_class("-shown")
        form.query_one("#text", Input).value = "Send stills to OIC"
        form.query_one("#owner_name", Input).value = "SO Carr"
        form.query_one("#owner_org", Input).value = "Security"
        form.query_one("#due_on", Input).value = "31/02/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert "not a real date" in screen_text(app)
        form.query_one("#due_on", Input).value = "25 Nov 2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, ClinicScreen)
        with session_scope(app.engine) as s:
            action = s.scalars(select(ClinicAction)).one()
        assert action.owner_org == "Security" and action.referral_id is not None
        assert str(action.due_on) == "2026-11-25"
        await wait_for(pilot, lambda: "Send stills" in screen_text(app))


async def test_attendance_then_close_the_clinic(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    seed_referrals(engine, clock)
    with session_scope(engine, actor="coordinator", clock=clock) as s:
        clinic_id = clinic_service.create_clinic(session=s, clock=clock).id
    assert clinic_id is not None
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.open_clinic(clinic_id)
        await wait_for(pilot, lambda: "Crime clinic · 18/11/2026 · Draft" in screen_text(app))

        # Attendance.
        await pilot.press("w")
        await settle(pilot)
        assert isinstance(app.screen, AttendanceScreen)
        await pilot.press("n")
        attendee = await form_ready(app, pilot)
        attendee.query_one("#name", Input).value = "DC Sarah Collins"
        attendee.query_one("#organisation", Input).value = "Police"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, AttendanceScreen)
        await wait_for(pilot, lambda: "DC Sarah Collins" in screen_text(app))
        await pilot.press("escape")
        await settle(pilot)
        with session_scope(app.engine) as s:
            assert [a.name for a in s.scalars(select(Attendance))] == ["DC Sarah Collins"]
        await wait_for(pilot, lambda: "Present: DC Sarah Collins (Police)" in screen_text(app))

        # Status moves: draft → in progress → closed (closing asks first).
        await pilot.press("t")
        await settle(pilot)
        await choose(app, pilot, "in_progress")
        await wait_for(pilot, lambda: "In progress" in screen_text(app))
        await pilot.press("t")
        await settle(pilot)
        await choose(app, pilot, "closed")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await wait_for(pilot, lambda: "Closed  [read-only]" in screen_text(app))
        with session_scope(app.engine) as s:
            assert s.scalars(select(Clinic)).one().status == "closed"

        # A closed clinic refuses changes with a clear message.
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(app.screen, ClinicScreen)
        assert any("closed and read-only" in str(n.message) for n in app._notifications)


async def test_live_refresh_between_two_apps_on_one_file(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    seed_referrals(engine, clock)
    with session_scope(engine, actor="coordinator", clock=clock) as s:
        clinic_id = clinic_service.create_clinic(session=s, clock=clock).id
    assert clinic_id is not None
    projector = app_for(db_path, clock)
    coordinator = app_for(db_path, clock)
    async with projector.run_test(size=SIZE) as view:
        await settle(view)
        projector.open_clinic(clinic_id)
        await settle(view)
        assert "Agreed: charge [file]" not in screen_text(projector)
        async with coordinator.run_test(size=SIZE) as pilot:
            await settle(pilot)
            coordinator.open_clinic(clinic_id)
            await settle(pilot)
            await pilot.press("e")
            note = await form_ready(coordinator, pilot)
            note.query_one("#note", TextArea).text = "Agreed: charge [file]"
            await pilot.press("ctrl+s")
            await settle(pilot)
        # No key press on the projector: it notices the other app's write by itself.
        await wait_for(view, lambda: "Agreed: charge [file]" in screen_text(projector))


async def test_a_stale_note_offers_reload_and_shows_the_clash(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    seed_referrals(engine, clock)
    with session_scope(engine, actor="coordinator", clock=clock) as s:
        clinic_id = clinic_service.create_clinic(session=s, clock=clock).id
    assert clinic_id is not None
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.open_clinic(clinic_id)
        await settle(pilot)
        await pilot.press("e")  # the coordinator starts typing a note...
        note = await form_ready(app, pilot)
        with session_scope(engine, actor="analyst", clock=clock) as s:
            item = s.scalars(select(AgendaItem).order_by(AgendaItem.position)).first()
            assert item is not None
            clinic_service.set_note(session=s, item_id=item.id, note="Analyst's note", clock=clock)  # type: ignore[arg-type]
        note.query_one("#note", TextArea).text = "Coordinator's note"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is note
        assert "changed by analyst at 10:00" in screen_text(app)
        with session_scope(engine) as s:
            assert s.get(AgendaItem, item.id).note == "Analyst's note"  # type: ignore[union-attr]
        await pilot.press("ctrl+r")
        await settle(pilot)
        assert "Also changed meanwhile, to: Analyst's note" in screen_text(app)
        assert note.query_one("#note", TextArea).text == "Coordinator's note"


async def test_actions_screen_filters_and_marks_done(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    with session_scope(engine, actor="coordinator", clock=clock) as s:
        clinic_id = clinic_service.create_clinic(session=s, clock=clock).id
        assert clinic_id is not None
        for text, owner, due in (
            ("Chase OIC", "DC Collins", "2026-11-10"),
            ("Send stills", "SO Carr", "2026-11-30"),
        ):
            clinic_service.add_action(
                session=s,
                clinic_id=clinic_id,
                data=ClinicActionCreate.model_validate(
                    {"text": text, "owner_name": owner, "due_on": due}
                ),
                clock=clock,
            )
    app = app_for(db_path, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        assert isinstance(app.screen, ActionsScreen)
        text = screen_text(app)
        assert "Chase OIC" in text and "Send stills" in text
        assert "open ! overdue" in text
        assert "Overdue (1)" in text
        await pilot.press("slash", *"carr", "enter")
        await wait_for(pilot, lambda: "Chase OIC" not in screen_text(app))
        assert "Send stills" in screen_text(app)
        await pilot.press("d")
        await settle(pilot)
        with session_scope(engine) as s:
            done = s.scalars(select(ClinicAction).where(ClinicAction.status == "done")).all()
        assert [a.text for a in done] == ["Send stills"]


async def test_actions_status_line_counts_the_rows_shown(
    demo_copy: Path, clock: FixedClock
) -> None:
    from cipco.widgets.record_table import RecordTable

    app = app_for(demo_copy, clock)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        assert table.total > 0
        assert f"{table.total:,} shown" in screen_text(app)
