"""Referral tracker figures: first paint at 100 vs 50,000 referrals, filter latency, --help.

    python bench/bench_referrals.py          (make bench runs every bench)
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

from _common import BENCH_CLOCK_AT, child_peak_rss_mb, demo_file, median_seconds, row

SMALL, LARGE = 100, 50_000


async def _first_paint(path: Path) -> float:
    from cipco.app import CipcoApp
    from cipco.clock import FixedClock
    from cipco.widgets.record_table import RecordTable

    start = time.perf_counter()
    app = CipcoApp(path, clock=FixedClock(BENCH_CLOCK_AT), start="referrals")
    async with app.run_test(size=(140, 45)) as pilot:
        while True:
            tables = app.screen.query(RecordTable)
            if tables and tables.first().rows:
                break
            await pilot.pause(0.005)
        elapsed = time.perf_counter() - start
    return elapsed


async def _filter_latency(path: Path, words: list[str]) -> list[float]:
    """Keystroke (query change) to repainted rows, without the 0.2 s typing debounce."""
    from cipco.app import CipcoApp
    from cipco.clock import FixedClock
    from cipco.widgets.record_table import RecordTable

    app = CipcoApp(path, clock=FixedClock(BENCH_CLOCK_AT), start="referrals")
    samples = []
    async with app.run_test(size=(140, 45)) as pilot:
        table = app.screen.query_one(RecordTable)
        while not table.rows:
            await pilot.pause(0.005)
        for word in words:
            shown_before = table.first_pages_shown
            start = time.perf_counter()
            table.set_query(text=word)
            while table.first_pages_shown == shown_before:
                await pilot.pause(0.002)
            samples.append(time.perf_counter() - start)
    return samples


def _child(mode: str, path: str) -> None:
    if mode == "paint":
        print(json.dumps(asyncio.run(_first_paint(Path(path)))))
    elif mode == "filter":
        words = ["smith", "a1", "REF-2026", "collins", "zzz-nothing", "jones", "13"]
        print(json.dumps(asyncio.run(_filter_latency(Path(path), words))))


def main() -> None:
    print("Referral tracker")
    small, large = demo_file(SMALL), demo_file(LARGE)
    paints = {}
    rss = {}
    for label, path in (("100", small), ("50,000", large)):
        samples = []
        for _ in range(5):
            peak, out = child_peak_rss_mb([__file__, "paint", str(path)])
            samples.append(json.loads(out))
            rss[label] = peak
        paints[label] = statistics.median(samples)
        row(f"first painted rows, {label} referrals (median of 5)", f"{paints[label]:.3f} s")
    row("ratio 50,000 / 100 (goal <= 1.3)", f"{paints['50,000'] / paints['100']:.2f}")
    for label, peak in rss.items():
        row(f"peak RSS of the app process, {label} referrals", f"{peak:.0f} MB")
    _, out = child_peak_rss_mb([__file__, "filter", str(large)])
    filters = json.loads(out)
    row(
        "filter change to repaint at 50,000 (median of 7 words)",
        f"{statistics.median(filters) * 1000:.0f} ms (max {max(filters) * 1000:.0f} ms)",
    )
    cipco = Path(sys.executable).with_name("cipco")
    helper = median_seconds(lambda: subprocess.run([str(cipco), "--help"], capture_output=True))
    typer_only = median_seconds(
        lambda: subprocess.run([sys.executable, "-c", "import typer"], capture_output=True)
    )
    row("cipco --help wall time (median of 5)", f"{helper:.3f} s")
    row("python -c 'import typer' (baseline)", f"{typer_only:.3f} s")
    row("ratio --help / import typer", f"{helper / typer_only:.2f}")


if __name__ == "__main__":
    if len(sys.argv) == 3:
        _child(sys.argv[1], sys.argv[2])
    else:
        main()
