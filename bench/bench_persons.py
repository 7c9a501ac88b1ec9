"""Persons of interest and the person page: first paint at 100 vs 50,000 referrals.

Prints the persons screen's first painted rows and the person page's first paint (for the
prisoner with the most referrals) at both sizes, their ratio (size independence), and the
service calls behind them (list page, person page, repeat-offender suggestions, MG4D queue).
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BENCH_CLOCK_AT, demo_file, median_seconds, row

SMALL, LARGE = 100, 50_000
RUNS = 5
SEED = 2  # its own cached files: built with the persons and MG4D demo data


def _busiest_prisoner(path: Path) -> str:
    from sqlalchemy import func, select

    from cipco.db import make_engine, session_scope
    from cipco.models.people import Prisoner
    from cipco.models.referral import Referral

    engine = make_engine(path, create=False)
    with session_scope(engine) as session:
        nomis = session.scalar(
            select(Prisoner.nomis_number)
            .join(Referral, Referral.prisoner_id == Prisoner.id)
            .group_by(Prisoner.id)
            .order_by(func.count().desc())
            .limit(1)
        )
    engine.dispose()
    assert nomis is not None
    return nomis


async def _paints(path: Path, nomis: str) -> tuple[float, float]:
    from cipco.app import CipcoApp
    from cipco.clock import FixedClock
    from cipco.screens.person_page import PersonPage
    from cipco.screens.persons import PersonsScreen
    from cipco.widgets.record_table import RecordTable

    app = CipcoApp(path, clock=FixedClock(BENCH_CLOCK_AT))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause()
        start = time.perf_counter()
        await pilot.press("5")
        while True:
            screen = app.screen
            if isinstance(screen, PersonsScreen) and screen.query_one(RecordTable).rows:
                break
            await pilot.pause(0.002)
        persons_paint = time.perf_counter() - start
        await app.workers.wait_for_complete()  # the page is measured on an idle app
        await pilot.pause()
        start = time.perf_counter()
        page = PersonPage(nomis)
        app.push_screen(page)
        while page.data is None:
            await pilot.pause(0.002)
        await pilot.pause()
        page_paint = time.perf_counter() - start
    return persons_paint, page_paint


def _services(path: Path, nomis: str) -> dict[str, float]:
    from cipco.clock import FixedClock
    from cipco.db import make_engine, session_scope
    from cipco.services import mg4d, persons
    from cipco.services.paging import PageQuery

    clock = FixedClock(BENCH_CLOCK_AT)
    engine = make_engine(path, create=False)
    with session_scope(engine) as s:
        figures = {
            "persons list page + counts": median_seconds(
                lambda: (
                    persons.person_list_page(s, PageQuery(), clock),
                    persons.queue_counts(s, clock),
                )
            ),
            "person page data": median_seconds(lambda: persons.person_page(s, nomis, clock)),
            "repeat-offender suggestions": median_seconds(
                lambda: persons.repeat_offender_suggestions(s, clock)
            ),
            "MG4D queue page + counts": median_seconds(
                lambda: (
                    mg4d.papers_page(s, PageQuery(queue="awaiting"), clock),
                    mg4d.queue_counts(s, clock),
                )
            ),
        }
    engine.dispose()
    return figures


def main() -> None:
    print("Persons of interest, person page and MG4D log")
    results: dict[str, tuple[float, float]] = {}
    services: dict[str, dict[str, float]] = {}
    for label, size in (("100", SMALL), ("50,000", LARGE)):
        path = demo_file(size, seed=SEED)
        nomis = _busiest_prisoner(path)
        samples = [asyncio.run(_paints(path, nomis)) for _ in range(RUNS)]
        results[label] = (
            statistics.median(s[0] for s in samples),
            statistics.median(s[1] for s in samples),
        )
        services[label] = _services(path, nomis)
        row(
            f"persons screen first rows, {label} referrals (median of {RUNS})",
            f"{results[label][0]:.3f} s",
        )
        row(f"person page first paint ({nomis}), {label} referrals", f"{results[label][1]:.3f} s")
    row(
        "ratio persons screen 50,000 / 100 (goal <= 1.3)",
        f"{results['50,000'][0] / results['100'][0]:.2f}",
    )
    row(
        "ratio person page 50,000 / 100 (goal <= 1.3)",
        f"{results['50,000'][1] / results['100'][1]:.2f}",
    )
    for name in services["100"]:
        small, large = services["100"][name], services["50,000"][name]
        row(f"{name}: 100 / 50,000", f"{small * 1000:.1f} ms / {large * 1000:.1f} ms")


if __name__ == "__main__":
    main()
