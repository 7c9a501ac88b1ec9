"""Exhibit continuity log figures: `cipco verify` over ~200,000 events (hash chains, custody
ledger, every exhibit header against its chain), first paint at 100 vs 50,000 referrals'
worth of exhibits, demo generation.

    python bench/bench_exhibits.py
Prints figures; asserts nothing. Medians of several runs.
"""

from __future__ import annotations

import asyncio
import json
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import BENCH_CLOCK_AT, CACHE, median_seconds, row

SMALL, LARGE = 100, 50_000


def exhibit_demo_file(referrals: int, seed: int = 1) -> tuple[Path, float]:
    """A demo database with exhibits (own cache name, by schema revision: a shared cache may
    hold files from an older cipco)."""
    from cipco.clock import FixedClock
    from cipco.db import session_scope
    from cipco.dbfile import head_revision
    from cipco.services import demo
    from cipco.services.bootstrap import prepare

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"demo-exhibits-r{head_revision()}-{referrals}-{seed}.db"
    if path.exists():
        return path, float("nan")
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    engine = prepare(partial)
    clock = FixedClock(BENCH_CLOCK_AT)
    start = time.perf_counter()
    with session_scope(engine, actor="bench", clock=clock) as session:
        demo.generate(session, clock, referrals=referrals, seed=seed)
    elapsed = time.perf_counter() - start
    engine.dispose()
    partial.rename(path)
    return path, elapsed


def _verify_seconds(path: Path) -> tuple[float, int, bool]:
    from cipco.db import make_engine, read_scope
    from cipco.services.chain_verify import verify

    engine = make_engine(path, create=False)
    start = time.perf_counter()
    with read_scope(engine) as session:
        report = verify(session)
    elapsed = time.perf_counter() - start
    engine.dispose()
    return elapsed, report.events, report.ok


def _bare_seconds(path: Path) -> float:
    """The floor verify cannot go under: read every event's stored fields in chain order
    and SHA-256 each once (no canonical form, no ledger, no header), straight from sqlite3."""
    import hashlib
    import sqlite3

    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    start = time.perf_counter()
    for event in conn.execute("SELECT * FROM exhibit_event ORDER BY exhibit_id, seq, id"):
        hashlib.sha256(repr(event).encode()).hexdigest()
    elapsed = time.perf_counter() - start
    conn.close()
    return elapsed


async def _first_paint(path: Path) -> float:
    from cipco.app import CipcoApp
    from cipco.clock import FixedClock
    from cipco.screens.exhibits import ExhibitsScreen
    from cipco.widgets.record_table import RecordTable

    app = CipcoApp(path, clock=FixedClock(BENCH_CLOCK_AT))
    async with app.run_test(size=(140, 45)) as pilot:
        await pilot.pause(0.2)
        start = time.perf_counter()
        app.switch_mode("exhibits")
        while True:
            screen = app.screen
            if isinstance(screen, ExhibitsScreen):
                tables = screen.query(RecordTable)
                if tables and tables.first().rows:
                    break
            await pilot.pause(0.002)
        return time.perf_counter() - start


def main() -> None:
    print("Exhibit continuity log")
    small, _ = exhibit_demo_file(SMALL)
    large, built = exhibit_demo_file(LARGE)
    if built == built:  # not NaN: built in this run
        row("demo --referrals 50000, whole generate() (all logs)", f"{built:.1f} s")
    samples = []
    bare = []
    events = 0
    ok = False
    for _ in range(5):
        seconds, events, ok = _verify_seconds(large)
        samples.append(seconds)
        bare.append(_bare_seconds(large))
    verify_median = statistics.median(samples)
    row(
        f"cipco verify, {events:,} events (median of 5, goal <= 3 s)",
        f"{verify_median:.2f} s ({'intact' if ok else 'BROKEN'})",
    )
    row(
        "bare read + one SHA-256 an event, same rows (median of 5)",
        f"{statistics.median(bare):.2f} s",
    )
    row("ratio verify / bare", f"{verify_median / statistics.median(bare):.2f}")
    cipco = Path(sys.executable).with_name("cipco")
    whole = median_seconds(
        lambda: subprocess.run(
            [str(cipco), "--db", str(large), "verify", "-q"], capture_output=True
        ),
        runs=3,
    )
    row("`cipco verify` whole command incl. start-up (median of 3)", f"{whole:.2f} s")
    paints = {}
    for label, path in (("100", small), ("50,000", large)):
        runs = []
        for _ in range(5):
            done = subprocess.run(
                [sys.executable, __file__, "paint", str(path)],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(done.stdout))
        paints[label] = statistics.median(runs)
        row(
            f"exhibits screen first rows, {label} referrals (median of 5)", f"{paints[label]:.3f} s"
        )
    row("ratio 50,000 / 100", f"{paints['50,000'] / paints['100']:.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "paint":
        print(json.dumps(asyncio.run(_first_paint(Path(sys.argv[2])))))
    else:
        main()
