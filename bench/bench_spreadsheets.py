"""Spreadsheet figures at 10x scale (never asserted in tests).

    .venv/bin/python bench/bench_spreadsheets.py [--rows 50000] [--log-rows 20000] [--runs 3]

Prints, in one run:
- import of a 50,000-row messy tracker: rows/s (goal >= 10,000);
- beside it, import of a 20,000-row exhibit log kept one row per exhibit (seizure with a
  separate time column; a third collected by the police, a third destroyed), the same log
  recorded one event at a time through the services (1,000 rows: the baseline the batched
  path replaced), and of a
  20,000-row MG4D log (date and time served in two columns, a "Signed?" column, a quarter
  unserved): rows/s each (goal >= 5,000), with the machine's load average (it is shared);
- export of 50,000 demo referrals vs a bare openpyxl write_only loop over the same cells:
  seconds and ratio (goal <= 1.3);
- peak RSS of each phase (each runs in its own process; goal <= 250 MB).
Medians of ``--runs`` runs.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

FROZEN = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
CATEGORIES = ["Assault on staff", "Mobile phone", "Drugs", "Weapon", "Spitting", "Criminal damage"]
STATUSES = ["Referred", "NFA", "Charged", "with cps", "investigating", "Draft"]
ONE_AT_A_TIME_ROWS = 1_000


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


def phase_import_log(log: str, rows: int, one_at_a_time: bool = False) -> dict[str, float]:
    """One log's import of a file made for it, in a fresh data file; ``one_at_a_time``
    (exhibits) records every event through the services instead of in batches."""
    import dataclasses

    from cipco.clock import FixedClock
    from cipco.services.bootstrap import prepare
    from cipco.services.exhibit_import import ExhibitImport
    from cipco.spreadsheets.importers import run_import
    from cipco.spreadsheets.logs import IMPORTS

    make = {"exhibits": make_exhibit_log, "mg4d": make_mg4d_log}[log]
    spec = IMPORTS[log]
    if one_at_a_time:
        spec = dataclasses.replace(
            spec, handler=lambda s, c, n: ExhibitImport(s, c, n, batched=False)
        )
    with tempfile.TemporaryDirectory() as tmp:
        source = Path(tmp) / f"{log}.xlsx"
        make(source, rows)
        engine = prepare(Path(tmp) / "bench.db")
        started, cpu = time.perf_counter(), time.process_time()
        summary = run_import(engine, spec, source, clock=FixedClock(FROZEN), actor="bench")
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        assert summary.imported == rows and not summary.rejected, summary.counts_line()
        engine.dispose()
    return {
        "seconds": elapsed,
        "rows_per_s": rows / elapsed,
        "rows_per_cpu_s": rows / cpu,
        "peak_mb": _peak_mb(),
    }


def phase_import(rows: int) -> dict[str, float]:
    from cipco.clock import FixedClock
    from cipco.services.bootstrap import prepare
    from cipco.spreadsheets.logs import import_log

    with tempfile.TemporaryDirectory() as tmp:
        tracker = Path(tmp) / "tracker.xlsx"
        make_tracker(tracker, rows)
        engine = prepare(Path(tmp) / "bench.db")
        started = time.perf_counter()
        summary = import_log(engine, "referrals", tracker, clock=FixedClock(FROZEN), actor="bench")
        elapsed = time.perf_counter() - started
        assert summary.imported == rows, summary.counts_line()
        engine.dispose()
    return {"seconds": elapsed, "rows_per_s": rows / elapsed, "peak_mb": _peak_mb()}


def phase_export(db: Path) -> dict[str, float]:
    from openpyxl import Workbook

    from cipco.clock import FixedClock, to_london
    from cipco.db import make_engine, read_scope
    from cipco.services.reports import ReferralFilter, referral_export_rows
    from cipco.spreadsheets.exporting import ExportRequest, target_of
    from cipco.spreadsheets.logs import export_log

    clock = FixedClock(FROZEN)
    engine = make_engine(db, create=False)
    # every column and every row, so both sides write the same cells
    everything = ExportRequest(ReferralFilter(), include_restricted=True, include_internal=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "export.xlsx"
        started = time.perf_counter()
        count = export_log(
            engine,
            "referrals",
            everything,
            clock=clock,
            actor="bench",
            target=target_of(out, "referrals", clock),
        ).rows
        ours = time.perf_counter() - started
        peak_after_export = _peak_mb()
        with read_scope(engine, clock=clock) as session:
            rows = list(referral_export_rows(session, ReferralFilter(), clock))
        cells = [
            [to_london(v).replace(tzinfo=None) if isinstance(v, datetime) else v for v in row]
            for row in rows
        ]
        started = time.perf_counter()
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Referrals")
        ws.append([f"H{i}" for i in range(len(cells[0]))])
        for row in cells:
            ws.append(row)
        wb.save(Path(tmp) / "bare.xlsx")
        bare = time.perf_counter() - started
    return {"rows": count, "ours": ours, "bare": bare, "peak_mb": peak_after_export}


def make_demo(db: Path, referrals: int) -> None:
    from cipco.clock import FixedClock
    from cipco.db import session_scope
    from cipco.services import demo
    from cipco.services.bootstrap import prepare

    engine = prepare(db)
    with session_scope(engine, actor="bench", clock=FixedClock(FROZEN)) as s:
        demo.generate(s, FixedClock(FROZEN), referrals=referrals, seed=3)


def _child(*args: str) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--log-rows", type=int, default=20_000)
    parser.add_argument(
        "--phase",
        choices=[
            "import",
            "import-exhibits",
            "import-exhibits-one-at-a-time",
            "import-mg4d",
            "export",
            "demo",
        ],
    )
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.phase == "import":
        print(json.dumps(phase_import(args.rows)))
        return
    if args.phase in ("import-exhibits", "import-mg4d"):
        log = args.phase.removeprefix("import-")
        print(json.dumps(phase_import_log(log, args.rows)))
        return
    if args.phase == "import-exhibits-one-at-a-time":
        print(json.dumps(phase_import_log("exhibits", args.rows, one_at_a_time=True)))
        return
    if args.phase == "export":
        print(json.dumps(phase_export(Path(args.db))))
        return
    if args.phase == "demo":
        make_demo(Path(args.db), args.rows)
        print(json.dumps({}))
        return

    imports = [_child("--phase", "import", "--rows", str(args.rows)) for _ in range(args.runs)]
    rate = statistics.median(r["rows_per_s"] for r in imports)
    seconds = statistics.median(r["seconds"] for r in imports)
    print(
        f"import {args.rows} tracker rows: median {seconds:.2f} s"
        f" = {rate:,.0f} rows/s (goal >= 10,000); peak RSS "
        f"{max(r['peak_mb'] for r in imports):.0f} MB"
    )
    for log, what in (("exhibits", "exhibit log rows"), ("mg4d", "MG4D log rows")):
        load = os.getloadavg()[0]
        runs = [
            _child("--phase", f"import-{log}", "--rows", str(args.log_rows))
            for _ in range(args.runs)
        ]
        log_rate = statistics.median(r["rows_per_s"] for r in runs)
        log_seconds = statistics.median(r["seconds"] for r in runs)
        cpu_rate = statistics.median(r["rows_per_cpu_s"] for r in runs)
        print(
            f"import {args.log_rows} {what}: median {log_seconds:.2f} s = {log_rate:,.0f} "
            f"rows/s ({cpu_rate:,.0f} rows per CPU second; goal >= 5,000; referral tracker "
            f"above: {rate:,.0f} rows/s); load average {load:.2f} before, "
            f"{os.getloadavg()[0]:.2f} after; peak RSS {max(r['peak_mb'] for r in runs):.0f} MB"
        )
    # the same exhibit log recorded one event at a time through the services (the path
    # rows of exhibits already in the file take), on fewer rows: it is that much slower
    small = min(args.log_rows, ONE_AT_A_TIME_ROWS)
    runs = [
        _child("--phase", "import-exhibits-one-at-a-time", "--rows", str(small))
        for _ in range(args.runs)
    ]
    print(
        f"import {small} exhibit log rows one event at a time (the services' path): median "
        f"{statistics.median(r['seconds'] for r in runs):.2f} s = "
        f"{statistics.median(r['rows_per_s'] for r in runs):,.0f} rows/s "
        f"({statistics.median(r['rows_per_cpu_s'] for r in runs):,.0f} rows per CPU second)"
    )
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "demo.db"
        _child("--phase", "demo", "--rows", str(args.rows), "--db", str(db))
        exports = [_child("--phase", "export", "--db", str(db)) for _ in range(args.runs)]
    ours = statistics.median(r["ours"] for r in exports)
    bare = statistics.median(r["bare"] for r in exports)
    print(
        f"export {int(exports[0]['rows'])} referrals: median {ours:.2f} s; bare openpyxl "
        f"write_only loop {bare:.2f} s; ratio {ours / bare:.2f} (goal <= 1.3); peak RSS "
        f"{max(r['peak_mb'] for r in exports):.0f} MB (goal <= 250 MB)"
    )


if __name__ == "__main__":
    main()
