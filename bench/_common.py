"""Shared bench helpers: demo files built once per run, medians, peak memory of a child."""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from cipco.clock import FixedClock

BENCH_CLOCK_AT = datetime(2026, 11, 18, 10, tzinfo=UTC)
CACHE = Path(tempfile.gettempdir()) / "cipco-bench"


def demo_file(referrals: int, seed: int = 1) -> Path:
    """A demo database of this size, as ``cipco demo --referrals N --seed S`` fills it (the same
    ``demo.generate``, on the bench's fixed day), built once and reused by every bench and
    run. Named by schema revision: the shared cache may hold files from an older cipco."""
    import os

    from cipco.db import session_scope
    from cipco.dbfile import head_revision
    from cipco.services import demo
    from cipco.services.bootstrap import prepare

    CACHE.mkdir(exist_ok=True)
    path = CACHE / f"demo-r{head_revision()}-{referrals}-{seed}.db"
    if path.exists():
        return path
    partial = path.with_suffix(f".partial-{os.getpid()}")  # two benches may build at once
    partial.unlink(missing_ok=True)
    engine = prepare(partial)
    clock = FixedClock(BENCH_CLOCK_AT)
    with session_scope(engine, actor="bench", clock=clock) as session:
        demo.generate(session, clock, referrals=referrals, seed=seed)
    engine.dispose()
    partial.rename(path)
    return path


def median_seconds(fn: Callable[[], object], runs: int = 5) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def child_peak_rss_mb(args: list[str]) -> tuple[float, str]:
    """Run ``python args...`` under /usr/bin/time -v; return its peak RSS (MB) and stdout."""
    cmd = ["/usr/bin/time", "-v", sys.executable, *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, check=True)
    except FileNotFoundError:
        done = subprocess.run([sys.executable, *args], capture_output=True, text=True, check=True)
        return float("nan"), done.stdout
    for line in done.stderr.splitlines():
        if "Maximum resident set size" in line:
            return int(line.split(":")[1]) / 1024, done.stdout
    return float("nan"), done.stdout


def row(label: str, value: str) -> None:
    print(f"  {label:<58} {value}")
