"""Search figures at 50,000 and 500,000 referrals (issue 13): a list's `/` filter keystroke,
search everything, the home screen's data and its charts.

A keystroke is what the referrals list reads when the filter text changes, the same service
calls as ``LogScreen._load_page``: the rows (its first page, a screenful) with their total
read from the search index, painted first; then, in a worker of its own, each queue's count
with the filter for the tabs and the status line (the log's size, the M of "N of M", is
counted once while nothing changes, not per keystroke). Typing "smith" is five keystrokes:
s, sm, smi, smit, smith. Each keystroke is timed RUNS times (median per key); printed are
the median and the max over the keys. The baseline (50,000 only: a LIKE scan at 500,000 takes
seconds a key) runs the same keystrokes with the index switched off: the LIKE filter it
replaced (reference, prison number, name, crime ref, OIC) and the counts in one snapshot.
Goals: rows painted in under 50 ms median at 50,000 and under 100 ms at 500,000.

Usage: python bench/bench_search.py [SIZES [SEED]]   (default "50000,500000", seed 1). 50,000
is what ``cipco demo --referrals 50000 --seed S`` writes, built once into the bench cache
(about 7 minutes on a loaded machine); 500,000 is that file multiplied by
``bench/build_large.py`` (about 3 minutes, also cached). A copy is opened, so the cache is
never changed. The machine's load average is printed beside the figures: on a shared machine
they are only comparable with the same load.
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

from _common import BENCH_CLOCK_AT, row
from build_large import large_file

WORDS = ["smith", "a1", "REF-2026", "collins", "zzz-nothing", "jones", "13", "phone charger"]
TYPED = ["smith", "A12", "REF-2026-01", "phone charger", "zzz"]  # typed a key at a time
RUNS = 5  # search everything and home: median of this many calls
KEY_RUNS = 3  # each keystroke: median of this many
BASELINE_UP_TO = 50_000  # the LIKE scan is timed at sizes up to this


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


def _per_key(fn: Callable[[str], object], keys: list[str]) -> list[float]:
    """Each key's median milliseconds over KEY_RUNS passes (the passes interleaved)."""
    samples: list[list[float]] = [[] for _ in keys]
    for _ in range(KEY_RUNS):
        for index, key in enumerate(keys):
            samples[index].append(_ms(lambda k=key: fn(k), runs=1)[0])
    return [statistics.median(s) for s in samples]


def _spread(label: str, keys: list[str], times: list[float]) -> None:
    worst = keys[times.index(max(times))]
    row(label, f"median {statistics.median(times):.0f} ms, max {max(times):.0f} ms ('{worst}')")


def main() -> None:
    sizes = [int(n) for n in (sys.argv[1] if len(sys.argv) > 1 else "50000,500000").split(",")]
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    for size in sizes:
        measure(size, seed)


def measure(size: int, seed: int) -> None:
    from cipco.clock import FixedClock
    from cipco.db import read_scope
    from cipco.models.people import Prisoner
    from cipco.models.referral import Referral
    from cipco.services import search
    from cipco.services.bootstrap import prepare
    from cipco.services.home import home
    from cipco.services.home_charts import home_charts
    from cipco.services.logspec import spec
    from cipco.services.paging import PageQuery, text_filter
    from cipco.services.search import search_everything
    from cipco.widgets.record_table import FIRST_PAGE_SIZE

    clock = FixedClock(BENCH_CLOCK_AT)
    print(f"Search at {size:,} referrals ({_load()})")
    start = time.perf_counter()
    cached = large_file(size, seed)
    row("data file (built now, or from the bench cache)", f"{time.perf_counter() - start:.1f} s")
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "bench.db"
        shutil.copyfile(cached, path)
        start = time.perf_counter()
        engine = prepare(path)  # upgrades the copy if the cache predates the index
        row("open (upgrade and index build if needed)", f"{time.perf_counter() - start:.2f} s")
        service = spec("referrals").service
        with read_scope(engine, clock=clock) as session:  # counted once while nothing changes
            log_size = service.count(session, PageQuery(), clock)

        def rows(text: str) -> None:
            """The keystroke's rows and their total, as the list paints them first."""
            query = PageQuery(text=text, limit=FIRST_PAGE_SIZE)
            with read_scope(engine, clock=clock) as session:
                total = service.indexed_count(session, query)
                if total is None:  # not from the index: the counts give the total
                    total = service.counts(session, clock, text)["all"]
                service.page(session, query, clock, total=total)

        def counts(text: str) -> None:
            """The queue counts read after the rows (the tabs and the status line)."""
            with read_scope(engine, clock=clock) as session:
                service.counts(session, clock, text) | {"everything": log_size}

        def before(text: str) -> None:
            """The same keystroke by LIKE scan: counts, the log's size and the page at once."""
            query = PageQuery(text=text, limit=FIRST_PAGE_SIZE)
            with read_scope(engine, clock=clock) as session:
                found = service.counts(session, clock, text)
                service.count(session, PageQuery(), clock)
                service.page(session, query, clock, total=found["all"])

        keys = _keystrokes()
        rows(keys[0])  # warm the page cache once, as a running app has it
        painted = _per_key(rows, keys)
        counted = _per_key(counts, keys)
        both = [a + b for a, b in zip(painted, counted, strict=True)]
        n = f"{len(keys)} keys of {len(TYPED)} words, median of {KEY_RUNS} each"
        _spread(f"filter keystroke → rows painted ({n})", keys, painted)
        _spread("  then the queue counts, in their own worker", keys, counted)
        _spread("  rows and counts together", keys, both)
        if size <= BASELINE_UP_TO:
            # The LIKE filter the index replaced: each word in one of these columns.
            like = [
                Referral.reference,
                Prisoner.nomis_number,
                Prisoner.name,
                Referral.crime_ref,
                Referral.oic_name,
            ]
            with (
                mock.patch.object(search, "indexed", lambda _log: False),
                mock.patch.object(service, "text_clause", lambda _ctx, t: text_filter(like, t)),
            ):
                scanned = _per_key(before, keys)
            _spread("baseline: the same keystrokes by LIKE scan", keys, scanned)
            row(
                "ratio rows painted / LIKE (medians)",
                f"{statistics.median(painted) / statistics.median(scanned):.2f}",
            )
        goal = 50 if size <= 50_000 else 100
        row(
            f"goal: rows painted, median under {goal} ms",
            "met" if statistics.median(painted) < goal else "NOT met",
        )
        with read_scope(engine, clock=clock) as session:
            everything = [_ms(lambda w=word: search_everything(session, w))[0] for word in WORDS]
            row(
                f"search everything (median of {RUNS} each), median over {len(WORDS)} words",
                f"{statistics.median(everything):.0f} ms (max {max(everything):.0f} ms)",
            )
            if size <= 50_000:  # other logs are not multiplied: home at 50,000 only
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
