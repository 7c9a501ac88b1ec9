"""The app on a regional PostgreSQL server, as a site's own login (row-level security on):
every screen of the log bar opens with its records, and a referral, a clinic action and a
person added through the forms land on the server in that site. The other TUI modules run
on SQLite; they read and write through the same services.
Skipped, saying so, without a server (CIPCO_TEST_PG)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from textual.widgets import Input, Select

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.config import ServerDb
from cipco.screens.record_form import RecordForm
from cipco.services.bootstrap import prepare
from cipco.services.move_to import move_to
from tests.conftest import FROZEN_AT
from tests.pg_region import RegionDb, make_region_db
from tests.tui_helpers import (
    demo_template_fixture,  # noqa: F401 - a fixture
    screen_text,
    settle,
    wait_for,
)

LEI, MDI = "t_tui_lei", "t_tui_mdi"
SIZE = (140, 45)
SCREENS = [
    ("1", "Referrals", "of 30"),  # 300 referrals (301 once the form test added one)
    ("2", "Clinics", "Next clinic on the cadence"),
    ("3", "Exhibits", "Holder"),
    ("4", "MG4D", "1st hearing"),
    ("5", "Persons", "persons"),
    ("6", "Actions", "Owner"),
    ("7", "Region", "SOC nominals"),
    ("9", "Settings", "These defaults are local practice"),
    ("0", "Home", "overdue"),
]


@pytest.fixture(scope="module")
def server(demo_template: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RegionDb]:
    """A region with LEI holding the 300-referral demo file (moved in) and MDI empty, made
    once for this module's tests (the screens only read; the forms add to it)."""
    for region in make_region_db({"LEI": (LEI,), "MDI": (MDI,)}, {}):
        path = tmp_path_factory.mktemp("server") / "demo.db"
        shutil.copyfile(demo_template, path)
        source = prepare(path)
        target = region.cipco(LEI)
        try:
            move_to(source, target, clock=FixedClock(FROZEN_AT), actor="tester")
        finally:
            source.dispose()
            target.dispose()
        yield region


SITE_SQL = "SELECT count(*) FROM {} WHERE site = 'LEI' AND {}"


def _count(region: RegionDb, login: str, sql: str) -> int:
    engine = region.login(login)
    with engine.begin() as connection:
        found = int(connection.execute(text(sql)).scalar_one())
    engine.dispose()
    return found


async def _form(app: CipcoApp, pilot) -> RecordForm:  # type: ignore[no-untyped-def]
    form = app.screen
    assert isinstance(form, RecordForm), screen_text(app)
    await wait_for(pilot, lambda: form.ready)
    return form


@pytest.mark.parametrize("screens", [SCREENS[:5], SCREENS[5:]], ids=["logs", "others"])
async def test_every_screen_opens_with_its_records_as_a_site_login(
    server: RegionDb, clock: FixedClock, screens: list[tuple[str, str, str]]
) -> None:
    app = CipcoApp(ServerDb(server.url(LEI)), clock=clock, poll_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        for key, where, words in screens:
            await pilot.press(key)
            await wait_for(pilot, lambda w=words: w in screen_text(app))  # type: ignore[misc]
            shown = screen_text(app)
            assert f"cipco · {where}" in shown.splitlines()[0], shown
            assert "could not be used" not in shown and "unexpected error" not in shown, shown


async def test_a_referral_and_a_person_save_on_the_server_in_the_logins_site(
    server: RegionDb, clock: FixedClock
) -> None:
    app = CipcoApp(ServerDb(server.url(LEI)), clock=clock, poll_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        await pilot.press("n")
        form = await _form(app, pilot)
        form.query_one("#nomis_number", Input).value = "A7654ZZ"
        form.query_one("#prisoner_name", Input).value = "SERVER, Sam"
        form.query_one("#incident_at", Input).value = "17/11/2026 09:30"
        form.query_one("#category_code", Select).value = "OTHER"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "SERVER, Sam" in screen_text(app))

        await pilot.press("5")
        await settle(pilot)
        await pilot.press("n")
        form = await _form(app, pilot)
        form.query_one("#nomis_number", Input).value = "A7654ZZ"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "All (16)" in screen_text(app))

    assert _count(server, LEI, SITE_SQL.format("prisoner", "nomis_number = 'A7654ZZ'")) == 1
    assert _count(server, LEI, SITE_SQL.format("person_of_interest", "true")) == 16
    assert _count(server, MDI, "SELECT count(*) FROM referral") == 0  # nothing at MDI


async def test_a_clinic_action_saves_on_the_server_in_the_logins_site(
    server: RegionDb, clock: FixedClock
) -> None:
    app = CipcoApp(ServerDb(server.url(LEI)), clock=clock, poll_seconds=3600)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("2")  # the open clinic (below next one's draft): an action there
        await wait_for(pilot, lambda: "Open" in screen_text(app))
        await pilot.press("down", "enter")
        await wait_for(pilot, lambda: "agenda items" in screen_text(app))
        await pilot.press("a")
        form = await _form(app, pilot)
        form.query_one("#text", Input).value = "Pull CCTV for the server test"
        form.query_one("#owner_name", Input).value = "DC Test"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Pull CCTV" in screen_text(app))

    assert _count(server, LEI, SITE_SQL.format("clinic_action", "text LIKE 'Pull CCTV%'")) == 1
    assert _count(server, MDI, "SELECT count(*) FROM clinic_action") == 0  # nothing at MDI
