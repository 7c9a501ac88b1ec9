"""A large referrals file for benchmarks, fast and deterministic: the demo file multiplied.

``cipco demo`` makes every referral through the services (its rules, its audit, its index
triggers): 50,000 take minutes, 500,000 would take over an hour. This builder takes the
bench's demo file of ``base`` referrals (``_common.demo_file``) and copies its referrals,
with their parties and status history, until the file holds ``size`` referrals:

- copy ``k`` of referral ``REF-2026-00001`` is ``REF-2026-00001-k`` with every other field
  (prisoner, category, dates, status, text) the same, so each queue, each word and each
  reference prefix has ``size / base`` times as many records as in the demo file;
- each copy is one ``INSERT … SELECT`` per table, run by SQLite inside one unit of work
  (no Python per row); the search index's triggers are dropped first and the index is built
  once at the end by the data layer (``fts.create`` + ``fts.ensure``), as a migration
  builds it for an existing file.

Exhibits, MG4D papers, clinics and persons are not multiplied (their lists stay at the demo
file's size). The file is built once into the bench cache and reused.

Usage: ``python bench/build_large.py [SIZE [SEED]]`` (default 500,000, seed 1) prints the
path; ``large_file(size)`` is what a bench calls.
"""

from __future__ import annotations

import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from _common import BENCH_CLOCK_AT, CACHE, demo_file

BASE = 50_000


def large_file(size: int, seed: int = 1, base: int = BASE) -> Path:
    """A file of ``size`` referrals: the demo file of ``base`` multiplied (built once)."""
    from cipco.dbfile import head_revision

    if size <= base:
        return demo_file(size, seed)
    path = CACHE / f"large-r{head_revision()}-{size}-{base}-{seed}.db"
    if path.exists():
        return path
    source = demo_file(base, seed)
    partial = path.with_suffix(f".partial-{os.getpid()}")
    partial.unlink(missing_ok=True)
    shutil.copyfile(source, partial)
    _multiply(partial, size)
    partial.rename(path)
    return path


def _multiply(path: Path, size: int) -> None:
    from sqlalchemy import func, insert, literal, select

    from cipco import fts
    from cipco.clock import FixedClock
    from cipco.db import session_scope
    from cipco.models.referral import Referral, ReferralParty, StatusChange
    from cipco.search_docs import DOCS
    from cipco.services.bootstrap import prepare

    engine = prepare(path)
    referral: Any = Referral.__table__  # type: ignore[attr-defined]
    children: list[Any] = [ReferralParty.__table__, StatusChange.__table__]  # type: ignore[attr-defined]
    with session_scope(engine, actor="bench", clock=FixedClock(BENCH_CLOCK_AT)) as session:
        connection = session.connection()
        base = int(connection.scalar(select(func.count()).select_from(referral)) or 0)
        span = int(connection.scalar(select(func.max(referral.c.id))) or 0)
        spans = {t.name: int(connection.scalar(select(func.max(t.c.id))) or 0) for t in children}
        copies = -(-size // base) - 1
        fts.drop(connection)  # the index's triggers would re-index row by row
        for k in range(1, copies + 1):
            wanted = min(base, size - base * k)  # the last copy may be partial
            names = [c.name for c in referral.columns]
            values = [
                referral.c.id + span * k
                if name == "id"
                else referral.c.reference + literal(f"-{k}")
                if name == "reference"
                else referral.c[name]
                for name in names
            ]
            rows = select(*values).order_by(referral.c.id).limit(wanted)
            connection.execute(insert(referral).from_select(names, rows))
            last = span * k + span  # copied ids stay below this
            for table in children:
                names = [c.name for c in table.columns]
                values = [
                    table.c.id + spans[table.name] * k
                    if name == "id"
                    else table.c.referral_id + span * k
                    if name == "referral_id"
                    else table.c[name]
                    for name in names
                ]
                kept = select(referral.c.id).where(referral.c.id > span * k, referral.c.id <= last)
                rows = select(*values).where((table.c.referral_id + span * k).in_(kept))
                rows = rows.where(table.c.referral_id <= span)
                connection.execute(insert(table).from_select(names, rows))
        fts.create(connection)
        fts.ensure(connection, DOCS)  # the whole index, built once
    engine.dispose()


def main() -> None:
    size = int(sys.argv[1]) if len(sys.argv) > 1 else 500_000
    seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    start = time.perf_counter()
    path = large_file(size, seed)
    print(f"{path} ({time.perf_counter() - start:.0f} s)")


if __name__ == "__main__":
    main()
