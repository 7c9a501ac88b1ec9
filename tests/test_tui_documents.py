"""The case file (`c` on a referral's page) and the reports (command palette) from the app:
written in a worker, a notification names the files."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sqlalchemy import Engine
from textual.command import CommandPalette
from textual.widgets import Input, OptionList

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.screens.referral_detail import ReferralDetailScreen
from cipco.services.demo_casefile import casefile_referral
from tests.pdf_helpers import read_pages
from tests.tui_helpers import LARGE, SMALL, screen_text, settle, wait_for

REF = "REF-2026-9001"


def messages(app: CipcoApp) -> list[str]:
    return [str(n.message) for n in app._notifications]


def private(path: Path) -> bool:
    return stat.S_IMODE(os.stat(path).st_mode) == 0o600


async def test_c_on_a_referral_writes_its_case_file_and_says_where(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    with session_scope(engine, actor="tester", clock=clock) as session:
        referral_id = casefile_referral(session, clock, reference=REF, exhibits=2, events=3).id
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=LARGE, notifications=True) as pilot:
        await settle(pilot)
        app.open_referral(referral_id)
        await wait_for(pilot, lambda: isinstance(app.screen, ReferralDetailScreen))
        await wait_for(pilot, lambda: REF in screen_text(app))
        await settle(pilot)
        assert "c Case file" in screen_text(app)  # the footer offers it
        await pilot.press("c")
        await wait_for(pilot, lambda: any("written to" in m for m in messages(app)))
        said = next(m for m in messages(app) if "written to" in m)
    pdfs = list(Path("exports").glob(f"casefile-{REF}-*.pdf"))
    assert len(pdfs) == 1
    workbook = pdfs[0].with_suffix(".xlsx")
    assert said == f"Case file of {REF} written to {pdfs[0].resolve()} and {workbook.name}"
    assert private(pdfs[0]) and private(workbook)
    pages = read_pages(pdfs[0])
    assert all("OFFICIAL-SENSITIVE" in page.top for page in pages)
    assert "Exhibit JB/2" in " ".join(page.text for page in pages)


async def test_the_command_palette_writes_the_performance_return(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    with session_scope(engine, actor="tester", clock=clock) as session:
        casefile_referral(session, clock, reference=REF, exhibits=1, events=2)
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p")
        await wait_for(pilot, lambda: isinstance(app.screen, CommandPalette))
        await wait_for(pilot, lambda: isinstance(app.focused, Input))  # typing goes there
        await pilot.press(*"performance")

        def first_hit() -> str:
            results = app.screen.query_one(OptionList)
            return str(results.get_option_at_index(0).prompt) if results.option_count else ""

        await wait_for(pilot, lambda: "Report: performance return" in first_hit())
        await pilot.press("enter")
        await wait_for(pilot, lambda: any("written to" in m for m in messages(app)))
        said = next(m for m in messages(app) if "written to" in m)
    pdf = Path("exports").glob("performance-2026-10-*.pdf")
    found = list(pdf)
    assert len(found) == 1 and private(found[0]) and private(found[0].with_suffix(".xlsx"))
    assert said.startswith("Crime in prison performance return, October 2026 written to")
    text = " ".join(page.text for page in read_pages(found[0]))
    assert "R1" in text and "R5" in text and "R7" in text


async def test_page_counts_linked_exhibits_as_evidence_and_form_records_charge_laid(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    from cipco.db import read_scope
    from cipco.models.referral import Referral
    from cipco.screens.record_form import RecordForm

    with session_scope(engine, actor="tester", clock=clock) as session:
        referral_id = casefile_referral(session, clock, reference=REF, exhibits=1, events=2).id
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=LARGE) as pilot:
        await settle(pilot)
        app.open_referral(referral_id)
        await wait_for(pilot, lambda: "✓ CCTV" in screen_text(app))  # CCTV exhibit JB/1
        assert "✗ Body-worn video" in screen_text(app)
        assert "laid 10/10/2026 07:00" in screen_text(app)
        await pilot.press("e")
        await wait_for(pilot, lambda: isinstance(app.screen, RecordForm) and app.screen.ready)
        form = app.screen
        form.query_one("#adjudication_state").scroll_visible(animate=False)
        await settle(pilot)
        assert "Referred to police" in screen_text(app)  # the state in words, not a code
        assert "REFER_POLICE" not in screen_text(app)
        form.query_one("#adjudication_laid_at", Input).value = "09/10/2026 15:30"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: isinstance(app.screen, ReferralDetailScreen))
        await wait_for(pilot, lambda: "laid 09/10/2026 15:30" in screen_text(app))
    with read_scope(engine) as session:
        laid = session.get(Referral, referral_id).adjudication_laid_at
    assert laid is not None and f"{laid:%d/%m/%Y %H:%M}" == "09/10/2026 14:30"  # UTC (BST)
