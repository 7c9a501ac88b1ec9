"""Case documents: attach a 50 MB file to a referral and read it back (never asserted in tests).

    .venv/bin/python bench/bench_documents.py [--mb 50] [--runs 3] [--referrals 300]

On a copy of the demo file, times ``attach`` (hash, then stream into the data file in
one transaction; SQLite in WAL mode writes the bytes twice) and ``save_document`` (stream
out to a 0600 file, the SHA-256 checked), each the median of ``--runs`` runs, beside a
plain file copy of the same file measured in the same run (goals: attach under 2 s, read
back under 0.5 s). Then checks the referrals list stays size-independent: its first page
with the documents present against the same page before they were added.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import tempfile
import time
from pathlib import Path

from _common import BENCH_CLOCK_AT, demo_file, row


def timed(fn: object) -> float:
    start = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mb", type=int, default=50)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--referrals", type=int, default=300)
    args = parser.parse_args()

    from cipco import private_temp
    from cipco.clock import FixedClock
    from cipco.db import read_scope, session_scope
    from cipco.outputs import OutputTarget
    from cipco.services import settings
    from cipco.services.bootstrap import prepare
    from cipco.services.casework.documents import Upload, save_document
    from cipco.services.casework.documents import attach as attach_upload
    from cipco.services.paging import PageQuery
    from cipco.services.referrals import referral_page

    private_temp.start()
    clock = FixedClock(BENCH_CLOCK_AT)
    work = Path(tempfile.mkdtemp(prefix="cipco-bench-documents-"))
    db = work / "documents.db"
    shutil.copyfile(demo_file(args.referrals), db)
    engine = prepare(db)
    source = work / "evidence.pdf"
    with source.open("wb") as out:
        for _ in range(args.mb):
            out.write(os.urandom(1024 * 1024))

    def first_page() -> float:
        with read_scope(engine, clock=clock) as session:
            return timed(lambda: referral_page(session, PageQuery(limit=60), clock))

    page_before = statistics.median(first_page() for _ in range(5))
    with session_scope(engine, actor="bench", clock=clock) as session:
        settings.set_value(session, "document_max_mb", args.mb + 10)
        referral_id = referral_page(session, PageQuery(limit=1), clock).rows[0].id

    copies, attaches, reads = [], [], []
    ids: list[int] = []

    def attach() -> None:
        with session_scope(engine, actor="bench", clock=clock) as session:
            attached = attach_upload(
                session=session, referral_id=referral_id, upload=Upload.file(source), clock=clock
            )
            assert attached.id is not None
            ids.append(attached.id)

    for n in range(args.runs):
        copies.append(timed(lambda n=n: shutil.copyfile(source, work / f"copy{n}.pdf")))
        attaches.append(timed(attach))

        def read_back(n: int = n) -> None:
            with read_scope(engine, clock=clock) as session:
                save_document(session, ids[-1], OutputTarget(work / f"back{n}.pdf", explicit=True))

        reads.append(timed(read_back))
        assert (work / f"back{n}.pdf").read_bytes() == source.read_bytes()
    page_after = statistics.median(first_page() for _ in range(5))

    copy_s, attach_s, read_s = (statistics.median(x) for x in (copies, attaches, reads))
    print(f"case documents: {args.mb} MB file, medians of {args.runs}")
    row("baseline: plain file copy", f"{copy_s:.3f} s")
    row("attach (hash + store, one transaction)", f"{attach_s:.3f} s  (goal < 2 s)")
    row("read back to a file (hash checked)", f"{read_s:.3f} s  (goal < 0.5 s)")
    row("ratio attach / copy", f"{attach_s / copy_s:.1f}x")
    row("ratio read back / copy", f"{read_s / copy_s:.1f}x")
    row(
        "referrals first page before / after documents",
        f"{page_before * 1000:.1f} ms / {page_after * 1000:.1f} ms",
    )
    row("load average (1, 5, 15 min)", " ".join(f"{x:.2f}" for x in os.getloadavg()))
    engine.dispose()
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
