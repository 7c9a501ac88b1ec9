"""`cipco demo` leaves open work in every queue of every log (the TUI, the larger tests and the
benchmarks all run on it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.services.bootstrap import prepare
from cipco.services.logspec import LOGS, spec

# A clinic is "in progress" only while its meeting runs: no demo day is in a meeting.
EMPTY_BY_DESIGN = {("clinics", "in_progress")}


@pytest.mark.parametrize("log", sorted(LOGS))
def test_demo_has_work_in_every_queue(log: str, demo_db: Path, clock: FixedClock) -> None:
    engine = prepare(demo_db)
    try:
        with session_scope(engine, actor="tester", clock=clock, write=False) as session:
            counts = spec(log).service.counts(session, clock)
    finally:
        engine.dispose()
    empty = [
        queue.label
        for queue in spec(log).queues
        if counts[queue.key] == 0 and (log, queue.key) not in EMPTY_BY_DESIGN
    ]
    assert not empty, f"{log}: no demo records in {empty}"
