"""Import figures at 10x scale: every old log through the one import pipeline (never
asserted in tests).

    .venv/bin/python bench/bench_import.py [--rows 50000] [--log-rows 20000] [--runs 3]
                                           [--no-baseline]

Prints, in one run, medians of ``--runs`` runs, each import into a fresh data file in its own
process:
- a 50,000-row messy referral tracker: rows/s (goal >= 10,000);
- beside it, a 20,000-row exhibit log kept one row per exhibit (seizure with a separate time
  column; a third collected by the police, a third destroyed) and a 20,000-row MG4D log (date
  and time served in two columns, a "Signed?" column, a quarter unserved): rows/s each (goal
  >= 5,000), with the referral figure beside them;
- for each, rows per CPU second (the machine is shared: wall time depends on the load, shown
  as the load average before and after) and the peak RSS;
- the baseline, measured in the same run on the same files: the same import with the search
  index kept row by row by its triggers (what every import did before the bulk path,
  ``cipco.services.row_import.indexed_in_bulk``), and the ratio;
- the exhibit log recorded one event at a time through the services (1,000 rows: the path
  rows of exhibits already in the file take).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

FROZEN = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
CATEGORIES = ["Assault on staff", "Mobile phone", "Drugs", "Weapon", "Spitting", "Criminal damage"]
STATUSES = ["Referred", "NFA", "Charged", "with cps", "investigating", "Draft"]
ONE_AT_A_TIME_ROWS = 1_000
GOALS = {"referrals": 10_000, "exhibits": 5_000, "mg4d": 5_000}
WHAT = {
    "referrals": "referral tracker rows",
    "exhibits": "exhibit log rows",
    "mg4d": "MG4D log rows",
}


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def make_tracker(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Tracker")
    ws.append(["HMP Bench - referral tracker"])
    ws.append([])
    ws.append(
        [
            "Log No",
            "NOMIS No.",
            "Surname, Forename",
            "Date of Incident",
            "Offence",
            "Status",
            "Crime Ref",
            "OIC",
            "Comments",
        ]
    )
    start = datetime(2021, 1, 1)
    for i in range(rows):
        letters = chr(65 + i % 26) + chr(65 + (i // 26) % 26)
        nomis = f"A{i % 9000 + 1000:04d}{letters}"
        when = start + timedelta(hours=i)
        date_cell = when if i % 3 == 0 else f"{when:%d/%m/%Y}" if i % 3 == 1 else f"{when:%d %b %Y}"
        ws.append(
            [
                f"B{i}",
                nomis.lower() if i % 5 == 0 else nomis,
                f"Surname{i}, Forename",
                date_cell,
                CATEGORIES[i % 6],
                STATUSES[i % 6],
                f"CR/{i}",
                "DC Bench",
                "note" if i % 2 else None,
            ]
        )
    wb.save(path)


def make_exhibit_log(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Exhibits")
    ws.append(["HMP Bench - exhibit log"])
    ws.append(
        [
            "Exhibit No.",
            "Description",
            "Date seized",
            "Time seized",
            "Seized by",
            "Seal/Bag No.",
            "Storage location",
            "Date collected",
            "Collected by",
            "Collar no",
            "Force",
            "Date destroyed",
            "Authorised by",
            "Witnessed by",
            "Property no",
        ]
    )
    start = datetime(2021, 1, 1)
    for i in range(rows):
        when = start + timedelta(hours=i)
        police = i % 3 == 0
        destroyed = i % 3 == 1
        ws.append(
            [
                f"BE/{i + 1}",
                f"Item {i}",
                f"{when:%d/%m/%Y}",
                f"{when:%H:%M}",
                "SO Bench",
                f"S{i}",
                "Evidence safe",
                f"{when + timedelta(days=2):%d/%m/%Y %H:%M}" if police else None,
                "DC Bench" if police else None,
                "1234" if police else None,
                "West Yorkshire" if police else None,
                f"{when + timedelta(days=5):%d/%m/%Y}" if destroyed else None,
                "Gov Bench" if destroyed else None,
                "OSG Bench" if destroyed else None,
                f"P{i}" if i % 10 == 0 else None,
            ]
        )
    wb.save(path)


def make_mg4d_log(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("MG4D")
    ws.append(["HMP Bench - MG4D log"])
    ws.append(
        [
            "Prison No.",
            "Name",
            "Crime No.",
            "Charge(s)",
            "Date Rec'd",
            "Date served",
            "Time served",
            "Served by",
            "Signed? Y/N/Refused",
        ]
    )
    start = datetime(2021, 1, 1)
    for i in range(rows):
        letters = chr(65 + i % 26) + chr(65 + (i // 26) % 26)
        when = start + timedelta(hours=i)
        served = i % 4 != 0
        ws.append(
            [
                f"A{i % 9000 + 1000:04d}{letters}",
                f"Surname{i}, Forename",
                f"CR/{i}",
                f"Charge {i}",
                f"{when:%d/%m/%Y}",
                f"{when + timedelta(days=1):%d/%m/%Y}" if served else None,
                f"{(i % 24):02d}{(i % 60):02d}" if served else None,
                "SO Bench" if served else None,
                ("Y", "N", "Refused")[i % 3] if served else None,
            ]
        )
    wb.save(path)


@contextlib.contextmanager
def _row_by_row(_session: Any) -> Iterator[None]:
    """The baseline: no bulk indexing, the index triggers run for every row written."""
    yield


def phase_import(log: str, rows: int, *, baseline: bool, one_at_a_time: bool) -> dict[str, float]:
    """One log's import of a file made for it, in a fresh data file; ``baseline`` keeps the
    search index row by row; ``one_at_a_time`` (exhibits) records every event through the
    services instead of in batches."""
    import dataclasses

    from cipco.clock import FixedClock
    from cipco.services.bootstrap import prepare
    from cipco.services.exhibit_import import ExhibitImport
    from cipco.spreadsheets import importers
    from cipco.spreadsheets.logs import IMPORTS

    make = {"referrals": make_tracker, "exhibits": make_exhibit_log, "mg4d": make_mg4d_log}[log]
    spec = IMPORTS[log]
    if one_at_a_time:
        spec = dataclasses.replace(
            spec, handler=lambda s, c, n: ExhibitImport(s, c, n, batched=False)
        )
    if baseline:
        importers.indexed_in_bulk = _row_by_row  # type: ignore[assignment]
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{log}.xlsx"
        make(source, rows)
        engine = prepare(Path(tmp) / "bench.db")
        started, cpu = time.perf_counter(), time.process_time()
        summary = importers.run_import(
            engine, spec, source, clock=FixedClock(FROZEN), actor="bench"
        )
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert summary.imported == rows and not summary.rejected, summary.counts_line()
        engine.dispose()
    return {
        "seconds": elapsed,
        "rows_per_s": rows / elapsed,
        "rows_per_cpu_s": rows / cpu,
        "peak_mb": _peak_mb(),
    }


def _child(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _median(runs: list[dict[str, float]], key: str) -> float:
    return statistics.median(r[key] for r in runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000, help="referral tracker rows")
    parser.add_argument("--log-rows", type=int, default=20_000, help="exhibit and MG4D rows")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--phase", choices=sorted(GOALS))
    parser.add_argument("--baseline", action="store_true", help="(a phase) row by row")
    parser.add_argument("--one-at-a-time", action="store_true", help="(a phase) exhibits")
    args = parser.parse_args()
    if args.phase:
        figures = phase_import(
            args.phase, args.rows, baseline=args.baseline, one_at_a_time=args.one_at_a_time
        )
        print(json.dumps(figures))
        return

    referral_rate = 0.0
    for log in ("referrals", "exhibits", "mg4d"):
        rows = args.rows if log == "referrals" else args.log_rows
        load = os.getloadavg()[0]
        bulk: list[dict[str, float]] = []
        before: list[dict[str, float]] = []
        for _ in range(args.runs):  # interleaved: both see the same load
            bulk.append(_child("--phase", log, "--rows", str(rows)))
            if not args.no_baseline:
                before.append(_child("--phase", log, "--rows", str(rows), "--baseline"))
        rate = _median(bulk, "rows_per_s")
        beside = ""
        if log == "referrals":
            referral_rate = rate
        else:
            beside = f"; referral tracker above: {referral_rate:,.0f} rows/s"
        print(
            f"import {rows} {WHAT[log]}: median {_median(bulk, 'seconds'):.2f} s = {rate:,.0f} "
            f"rows/s ({_median(bulk, 'rows_per_cpu_s'):,.0f} rows per CPU second; goal >= "
            f"{GOALS[log]:,}{beside}); load average {load:.2f} before, "
            f"{os.getloadavg()[0]:.2f} after; peak RSS {max(r['peak_mb'] for r in bulk):.0f} MB"
        )
        if before:
            old = _median(before, "rows_per_s")
            cpu_ratio = _median(bulk, "rows_per_cpu_s") / _median(before, "rows_per_cpu_s")
            print(
                f"  baseline, search index kept row by row by its triggers: {old:,.0f} rows/s "
                f"({_median(before, 'rows_per_cpu_s'):,.0f} rows per CPU second); bulk path "
                f"{rate / old:.2f}x (per CPU second {cpu_ratio:.2f}x)"
            )
    small = min(args.log_rows, ONE_AT_A_TIME_ROWS)
    runs = [
        _child("--phase", "exhibits", "--rows", str(small), "--one-at-a-time")
        for _ in range(args.runs)
    ]
    print(
        f"import {small} exhibit log rows one event at a time (the services' path): median "
        f"{_median(runs, 'seconds'):.2f} s = {_median(runs, 'rows_per_s'):,.0f} rows/s "
        f"({_median(runs, 'rows_per_cpu_s'):,.0f} rows per CPU second)"
    )


if __name__ == "__main__":
    main()
