"""Search figures: the index built for an existing file, a list's filter through the index
against the LIKE scan it replaced (baseline, same run), search everything, home data.

Usage: python bench/bench_search.py [REFERRALS [SEED]]   (default 50,000 and seed 1; the demo
file is cached, and a copy of it is opened, so the cache is never changed)
"""

from __future__ import annotations

import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from _common import BENCH_CLOCK_AT, demo_file, row

WORDS = ["smith", "a1", "REF-2026", "collins", "zzz-nothing", "jones", "13", "phone charger"]
RUNS = 5


def _median_ms(fn: object, runs: int = RUNS) -> tuple[float, float]:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, max(samples) * 1000


def main() -> None:
    from cipco.clock import FixedClock
    from cipco.db import read_scope
    from cipco.services.bootstrap import prepare
    from cipco.services.home import home
    from cipco.services.logspec import spec
    from cipco.services.paging import PageQuery, text_filter
    from cipco.services.search import search_everything

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    clock = FixedClock(BENCH_CLOCK_AT)
    print(f"Search at {size:,} referrals")
    cached = demo_file(size, int(sys.argv[2]) if len(sys.argv) > 2 else 1)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        shutil.copyfile(cached, path)
        start = time.perf_counter()
        engine = prepare(path)  # upgrades the copy if the cache predates the index
        row("open (upgrade and index build if needed)", f"{time.perf_counter() - start:.2f} s")
        service = spec("referrals").service
        indexed, scanned = [], []
        with read_scope(engine, clock=clock) as session:
            for word in WORDS:
                query = PageQuery(text=word, limit=200)
                fts_ms, _ = _median_ms(lambda q=query: service.page(session, q, clock))
                indexed.append(fts_ms)

                def like(word: str = word, query: PageQuery = query) -> None:
                    statement = service.select(service.context(session, clock), PageQuery())
                    clause = text_filter(list(service.spec.search), word)
                    statement = statement.where(clause)  # type: ignore[arg-type]
                    ordered = statement.order_by(
                        *service.order(service.context(session, clock), query)
                    )
                    session.execute(ordered.limit(200)).all()

                like_ms, _ = _median_ms(like)
                scanned.append(like_ms)
                row(
                    f"  filter '{word}': index / LIKE (median of {RUNS})",
                    f"{fts_ms:.0f} / {like_ms:.0f} ms",
                )
            row(
                "referrals filter, first page and total, median over words",
                f"{statistics.median(indexed):.0f} ms (max {max(indexed):.0f} ms)",
            )
            row(
                "baseline: LIKE scan, first page only, median over words",
                f"{statistics.median(scanned):.0f} ms (max {max(scanned):.0f} ms)",
            )
            row(
                "ratio index / LIKE",
                f"{statistics.median(indexed) / statistics.median(scanned):.2f}",
            )
            everything = [
                _median_ms(lambda w=word: search_everything(session, w))[0] for word in WORDS
            ]
            row(
                "search everything (7 lists, 8 per list), median over words",
                f"{statistics.median(everything):.0f} ms (max {max(everything):.0f} ms)",
            )
            home_ms, home_max = _median_ms(lambda: home(session, clock))
            row(
                "home screen data (due items, queue counts, clinic)",
                f"{home_ms:.0f} ms (max {home_max:.0f} ms)",
            )
        engine.dispose()


if __name__ == "__main__":
    main()
