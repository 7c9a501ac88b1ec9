"""Search figures at 50,000 referrals (issue 13): a list's `/` filter keystroke through the
index against the LIKE scan it replaced (baseline, same run, same work), search everything,
the home screen's data and its charts.

A keystroke is what the referrals list reads when the filter text changes (one snapshot: each
queue's count with the filter, the whole log's count, the first page): the same service calls
as ``LogScreen._load_page``. Typing "smith" is five keystrokes: s, sm, smi, smit, smith. The
baseline runs the same keystrokes with the index switched off (each list's LIKE filter, as
before the index). Goals: keystroke median under 50 ms at 50,000 and under 100 ms at 500,000.

Usage: python bench/bench_search.py [REFERRALS [SEED]]   (default 50,000, seed 1). The demo
file is what ``cipco demo --referrals N --seed S`` writes (the same ``demo.generate``, on the
bench's fixed day), built once into the bench cache (50,000: about 2 CPU-minutes, 7 minutes
on a loaded machine; 500,000 is ten times that, so it is not built by default); a copy is
opened, so the cache is never changed. The machine's load average is printed beside the
figures: on a shared machine they are only comparable with the same load.
"""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from unittest import mock

from _common import BENCH_CLOCK_AT, demo_file, row

WORDS = ["smith", "a1", "REF-2026", "collins", "zzz-nothing", "jones", "13", "phone charger"]
TYPED = ["smith", "A12", "REF-2026-01", "phone charger", "zzz"]  # typed a key at a time
RUNS = 5


def _ms(fn: Callable[[], object], runs: int = RUNS) -> tuple[float, float]:
    """Median and max milliseconds of ``runs`` calls."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000, max(samples) * 1000


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores"


def _keystrokes() -> list[str]:
    return [word[:n] for word in TYPED for n in range(1, len(word) + 1)]


def main() -> None:
    from cipco.clock import FixedClock
    from cipco.db import read_scope
    from cipco.services import search
    from cipco.services.bootstrap import prepare
    from cipco.services.home import home
    from cipco.services.home_charts import home_charts
    from cipco.services.logspec import spec
    from cipco.services.paging import PageQuery
    from cipco.services.search import search_everything

    size = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    clock = FixedClock(BENCH_CLOCK_AT)
    print(f"Search at {size:,} referrals ({_load()})")
    start = time.perf_counter()
    cached = demo_file(size, seed)
    row("demo file (built now, or from the bench cache)", f"{time.perf_counter() - start:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        shutil.copyfile(cached, path)
        start = time.perf_counter()
        engine = prepare(path)  # upgrades the copy if the cache predates the index
        row("open (upgrade and index build if needed)", f"{time.perf_counter() - start:.2f} s")
        service = spec("referrals").service

        def keystroke(text: str) -> None:
            """What the referrals list reads when the filter becomes ``text``."""
            with read_scope(engine, clock=clock) as session:
                counts = service.counts(session, clock, text)
                service.count(session, PageQuery(), clock)
                service.page(session, PageQuery(text=text), clock, total=counts["all"])

        def first_page(text: str) -> None:
            """The first page and its total alone (no queue counts)."""
            with read_scope(engine, clock=clock) as session:
                service.page(session, PageQuery(text=text), clock)

        keys = _keystrokes()
        keystroke(keys[0])  # warm the page cache once, as a running app has it
        indexed = [_ms(lambda k=k: keystroke(k), runs=1)[0] for k in keys]
        pages = [_ms(lambda k=k: first_page(k), runs=1)[0] for k in keys]
        with mock.patch.object(search, "indexed", lambda _log: False):
            scanned = [_ms(lambda k=k: keystroke(k), runs=1)[0] for k in keys]
        worst = keys[indexed.index(max(indexed))]
        row(
            f"filter keystroke through the index ({len(keys)} keys of {len(TYPED)} words)",
            f"median {statistics.median(indexed):.0f} ms, max {max(indexed):.0f} ms ('{worst}')",
        )
        row(
            f"  of which first page + total (the rest: {len(service.spec.queues)} queue counts)",
            f"median {statistics.median(pages):.0f} ms, max {max(pages):.0f} ms",
        )
        row(
            "baseline: the same keystrokes by LIKE scan",
            f"median {statistics.median(scanned):.0f} ms, max {max(scanned):.0f} ms",
        )
        row(
            "ratio index / LIKE (medians)",
            f"{statistics.median(indexed) / statistics.median(scanned):.2f}",
        )
        goal = 50 if size <= 50_000 else 100
        row(
            f"goal: keystroke median under {goal} ms",
            "met" if statistics.median(indexed) < goal else "NOT met",
        )
        with read_scope(engine, clock=clock) as session:
            everything = [_ms(lambda w=word: search_everything(session, w))[0] for word in WORDS]
            row(
                f"search everything (median of {RUNS} each), median over {len(WORDS)} words",
                f"{statistics.median(everything):.0f} ms (max {max(everything):.0f} ms)",
            )
            home_ms, home_max = _ms(lambda: home(session, clock))
            row(
                f"home screen data: due items, queue counts, clinic (median of {RUNS})",
                f"{home_ms:.0f} ms (max {home_max:.0f} ms)",
            )
            charts_ms, charts_max = _ms(lambda: home_charts(session, clock))
            row(
                f"home charts: 12 months of measures (median of {RUNS})",
                f"{charts_ms:.0f} ms (max {charts_max:.0f} ms)",
            )
        engine.dispose()
    print(f"  ({_load()} at the end)")


if __name__ == "__main__":
    main()
