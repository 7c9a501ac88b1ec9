"""Columns an import kept are on each record's page (referral, exhibit, charge papers,
person), under "Original columns", at 80x24 and large."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from textual.containers import VerticalScroll

from cipco.app import CipcoApp
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.exhibit import Exhibit
from cipco.models.mg4d import ChargePapers
from cipco.models.referral import Referral
from tests.import_helpers import cli, workbook
from tests.tui_helpers import LARGE, SMALL, screen_text, settle, wait_for


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


def _import_all(db: Path, tmp_path: Path) -> None:
    logs = {
        "referrals": (
            ["Ref", "Prison No", "Incident date", "Crime type", "Adjudication"],
            [["T1", "A1234BC", "01/11/2026", "Drugs", "ADJ-77"]],
        ),
        "exhibits": (
            ["Exhibit", "Description", "Date seized", "Seized by", "Property no"],
            [["JS/1", "Phone", "02/11/2026 10:00", "SO Smith", "P-12"]],
        ),
        "mg4d": (
            ["Prison No", "Charges", "Date received", "Cell"],
            [["A1234BC", "Assault", "03/11/2026", "B2-04"]],
        ),
        "persons": (
            ["Prison No", "Name", "Band", "ALO contact"],
            [["A1234BC", "Smith, J", "1", "SO Ahmed ext 4410"]],
        ),
    }
    for log, (header, rows) in logs.items():
        code, output = cli(db, "import", log, str(workbook(tmp_path / f"{log}.xlsx", header, rows)))
        assert code == 0, output


def _ids(engine: Engine) -> tuple[int, int, int]:
    with session_scope(engine) as session:
        referral = session.scalars(select(Referral.id)).one()
        exhibit = session.scalars(select(Exhibit.id)).one()
        papers = session.scalars(select(ChargePapers.id)).one()
    return referral, exhibit, papers


@pytest.mark.parametrize("size", [SMALL, LARGE])
async def test_each_page_shows_the_kept_columns(
    engine: Engine, db_path: Path, tmp_path: Path, clock: FixedClock, size: tuple[int, int]
) -> None:
    _import_all(db_path, tmp_path)
    referral_id, exhibit_id, papers_id = _ids(engine)
    app = CipcoApp(db_path, clock=clock, poll_seconds=0.2)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        pages = [
            (lambda: app.open_referral(referral_id), "Adjudication: ADJ-77"),
            (lambda: app.open_exhibit(exhibit_id), "Property no: P-12"),
            (lambda: app.open_papers(papers_id), "Cell: B2-04"),
            (lambda: app.open_person("A1234BC"), "ALO contact: SO Ahmed ext 4410"),
        ]
        for open_page, shown in pages:
            open_page()
            await settle(pilot)
            for scroll in app.screen.query(VerticalScroll).results(VerticalScroll):
                scroll.scroll_end(animate=False)  # what a user scrolls down to read
            await wait_for(pilot, lambda shown=shown: shown in screen_text(app))
            assert "Original columns" in screen_text(app)
            await pilot.press("escape")
            await settle(pilot)


async def test_the_action_log_shows_an_actions_kept_columns(
    engine: Engine, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    path = workbook(
        tmp_path / "actions.xlsx",
        ["Action", "Owner", "Clinic date", "RAG"],
        [["Send CCTV stills", "SO Carr", "04/11/2026", "Red"]],
    )
    code, output = cli(db_path, "import", "actions", str(path))
    assert code == 0, output
    app = CipcoApp(db_path, clock=clock, poll_seconds=0.2)
    # the least needed column of the action log: shown when the terminal is wide enough
    async with app.run_test(size=(200, 40)) as pilot:
        await settle(pilot)
        await pilot.press("6")
        await settle(pilot)
        await wait_for(pilot, lambda: "Send CCTV stills" in screen_text(app))
        text = screen_text(app)
        assert "Original columns" in text and "RAG: Red" in text, text
