"""The police case file on regional-scale data (never asserted in tests).

    .venv/bin/python bench/bench_casefile.py [--referrals 50000] [--runs 7]

On a copy of the 50,000-referral demo file, adds one referral with 4 linked exhibits of 6
continuity events each (plus people, moves, follow-ups and MG4D papers), then times
``write_case_file`` (read, build, PDF, workbook, both files written 0600): the median of
``--runs`` runs, goal under 1 s. Prints each phase's median and, as a baseline measured in
the same run, the one-sheet referral proforma of the same referral; and the machine's load
average, since two cores are shared.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from _common import BENCH_CLOCK_AT, demo_file, row

REFERENCE = "REF-2026-9001"


def median_of(fn: object, runs: int) -> float:
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()  # type: ignore[operator]
        samples.append(time.perf_counter() - start)
    return statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--referrals", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    from cipco import private_temp
    from cipco.clock import FixedClock
    from cipco.db import read_scope, session_scope
    from cipco.documents.casefile import write_case_file
    from cipco.outputs import choose_output
    from cipco.pdf import render_pdf
    from cipco.record_file import RecordFile
    from cipco.services.bootstrap import prepare
    from cipco.services.casefile import case_file
    from cipco.services.demo_casefile import casefile_referral
    from cipco.spreadsheets.content import document_book
    from cipco.spreadsheets.proforma import write_proforma

    private_temp.start()
    clock = FixedClock(BENCH_CLOCK_AT)
    source = demo_file(args.referrals, seed=12)
    work = Path(tempfile.mkdtemp(prefix="cipco-bench-casefile-"))
    db = work / "casefile.db"
    shutil.copyfile(source, db)
    engine = prepare(db)
    with session_scope(engine, actor="bench", clock=clock) as session:
        casefile_referral(session, clock, reference=REFERENCE, exhibits=4, events=6)
    out = work / "out"
    out.mkdir()

    def target(suffix: str) -> object:
        return choose_output(None, what="bench", suffix=suffix, at=clock.now(), default_dir=out)

    def whole() -> None:
        asked = RecordFile("casefile", REFERENCE, clock, "bench")
        write_case_file(engine, asked, target(".pdf"))  # type: ignore[arg-type]

    def proforma() -> None:
        asked = RecordFile("proforma", REFERENCE, clock, "bench")
        write_proforma(engine, asked, target(".xlsx"))  # type: ignore[arg-type]

    whole()  # warm: imports, the font's cmap, SQLite's page cache
    with read_scope(engine, clock=clock) as session:
        doc = case_file(session, REFERENCE, clock, actor="bench")

        def read() -> None:
            case_file(session, REFERENCE, clock, actor="bench")

        read_s = median_of(read, args.runs)
    pdf_s = median_of(lambda: render_pdf(doc), args.runs)
    book_s = median_of(
        lambda: document_book(doc).save(out / f"b{time.perf_counter_ns()}.xlsx"), args.runs
    )
    total = median_of(whole, args.runs)
    base = median_of(proforma, args.runs)
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", render_pdf(doc)))
    load = os.getloadavg()
    print(f"case file: {args.referrals:,} referrals, 4 exhibits x 6 events, medians of {args.runs}")
    row("read and build the document", f"{read_s:.3f} s")
    row("draw the PDF", f"{pdf_s:.3f} s")
    row("build and save the workbook", f"{book_s:.3f} s")
    row("whole case file (both files written)", f"{total:.3f} s  (goal < 1 s)")
    row("baseline: one-sheet proforma of the same referral", f"{base:.3f} s")
    row("ratio case file / proforma", f"{total / base:.1f}x")
    row("PDF pages", str(pages))
    row("load average (1, 5, 15 min)", " ".join(f"{x:.2f}" for x in load))
    engine.dispose()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
