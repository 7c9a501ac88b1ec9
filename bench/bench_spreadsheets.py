"""Spreadsheet export figures at 10x scale (never asserted in tests).

    .venv/bin/python bench/bench_spreadsheets.py [--rows 50000] [--runs 3]

Prints, in one run: export of 50,000 demo referrals vs a bare openpyxl write_only loop over
the same cells: seconds and ratio (goal <= 1.3), and the peak RSS of each phase (each runs in
its own process; goal <= 250 MB). Medians of ``--runs`` runs. The import figures (referral
tracker, exhibit and MG4D logs) are printed by ``bench_import.py``.
"""

from __future__ import annotations

import argparse
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

FROZEN = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


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
    parser.add_argument("--phase", choices=["export", "demo"])
    parser.add_argument("--db")
    args = parser.parse_args()
    if args.phase == "export":
        print(json.dumps(phase_export(Path(args.db))))
        return
    if args.phase == "demo":
        make_demo(Path(args.db), args.rows)
        print(json.dumps({}))
        return

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
