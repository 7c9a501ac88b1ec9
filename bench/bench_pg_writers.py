"""8 processes writing referrals and exhibit movements at once, to PostgreSQL and to SQLite.

Each process opens its own engine (as a second coordinator's PC would), seizes one exhibit,
then for the whole run alternates: a new referral, a movement of its exhibit; every write a
unit of work of its own. Afterwards: every write the processes were told succeeded is in the
database (0 lost), none failed (0 errors), and ``cipco verify``'s check passes (every chain
and the site's custody ledger, whose order must be commit order).

    .venv/bin/python bench/bench_pg_writers.py [--seconds 30] [--processes 8] [--url URL]

The server is ``--url``, else ``$CIPCO_TEST_PG``, else a throwaway one started with
``scripts/pg-test-server`` (stopped afterwards). Prints writes per second on each backend
and their ratio (the SQLite figure measured in the same run).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

SITE = "LEI"


def _worker(location: str, number: int, seconds: float, go: Any, out: Any) -> None:
    from cipco.clock import SystemClock
    from cipco.db import session_scope
    from cipco.models.exhibit import EventIn, ExhibitCreate
    from cipco.models.people import PrisonerIn
    from cipco.models.referral import ReferralCreate
    from cipco.services import exhibits
    from cipco.services.bootstrap import prepare
    from cipco.services.referrals import create_referral

    engine = prepare(location)
    clock = SystemClock()
    referrals = events = errors = 0
    kinds: dict[str, int] = {}
    with session_scope(engine, actor=f"writer {number}", clock=clock) as session:
        exhibit = exhibits.create_exhibit(
            session=session,
            data=ExhibitCreate.model_validate(
                {
                    "reference": f"BENCH/{number}",
                    "exhibit_type": "mobile_phone",
                    "description": "Black phone",
                    "seized_by": "Officer A",
                    "seized_at": clock.now() - timedelta(days=1),
                    "storage_location": "Safe",
                }
            ),
            clock=clock,
        )
        exhibit_id = exhibit.id
    holder = "Officer A"
    out.put("ready")
    go.wait()
    deadline = time.monotonic() + seconds
    turn = 0
    while time.monotonic() < deadline:
        turn += 1
        try:
            with session_scope(engine, actor=f"writer {number}", clock=clock) as session:
                if turn % 2:
                    create_referral(
                        session=session,
                        data=ReferralCreate(
                            prisoner=PrisonerIn(
                                nomis_number=f"A{number:02d}{turn % 100:02d}BC", name="SMITH, John"
                            ),
                            category_code="MOBILE_PHONE",
                            incident_at=clock.now() - timedelta(hours=1),
                        ),
                        clock=clock,
                    )
                else:
                    to_name = f"Officer {turn}"
                    exhibits.record_event(
                        session=session,
                        exhibit_id=exhibit_id,
                        data=EventIn.model_validate(
                            {
                                "from_name": holder,
                                "to_name": to_name,
                                "happened_at": clock.now() - timedelta(seconds=1),
                            }
                        ),
                        clock=clock,
                    )
            if turn % 2:
                referrals += 1
            else:
                events += 1
                holder = to_name
        except Exception as exc:  # counted and named: the bench's point is that none happen
            errors += 1
            name = f"{type(exc).__name__}: {str(exc)[:120]}"
            kinds[name] = kinds.get(name, 0) + 1
    engine.dispose()
    out.put((referrals, events, errors, kinds))


def _check(location: str) -> tuple[int, int, bool, str]:
    from sqlalchemy import func, select

    from cipco.db import read_scope
    from cipco.models import Referral
    from cipco.models.exhibit import ExhibitEvent
    from cipco.services.bootstrap import prepare
    from cipco.services.chain_verify import verify

    engine = prepare(location)
    with read_scope(engine) as session:
        referrals = int(session.scalar(select(func.count()).select_from(Referral)) or 0)
        events = int(
            session.scalar(
                select(func.count()).select_from(ExhibitEvent).where(ExhibitEvent.seq > 1)
            )
            or 0
        )
        report = verify(session)
    engine.dispose()
    return referrals, events, report.ok, report.summary().splitlines()[0]


def run(location: str, label: str, processes: int, seconds: float) -> float:
    context = mp.get_context("spawn")
    out = context.Queue()
    go = context.Event()  # every process opened and seized its exhibit before the start
    workers = [
        context.Process(target=_worker, args=(location, n, seconds, go, out))
        for n in range(1, processes + 1)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        assert out.get() == "ready"
    go.set()
    results = [out.get() for _ in workers]
    for worker in workers:
        worker.join()
    referrals = sum(r[0] for r in results)
    events = sum(r[1] for r in results)
    errors = sum(r[2] for r in results)
    stored_referrals, stored_events, ok, summary = _check(location)
    lost = (referrals - stored_referrals) + (events - stored_events)
    rate = (referrals + events) / seconds
    print(
        f"{label:<10} {processes} processes x {seconds:.0f} s: {referrals} referrals + "
        f"{events} movements = {rate:,.0f} writes/s; errors {errors}; lost {lost}; "
        f"chains {'verify' if ok else 'BROKEN'} ({summary})"
    )
    for result in results:
        for kind, count in result[3].items():
            print(f"    {count} x {kind}")
    return rate


def _sqlite_target(folder: Path) -> str:
    from cipco.clock import FixedClock
    from cipco.db import session_scope
    from cipco.services.bootstrap import prepare
    from cipco.services.site import assign_site

    path = folder / "bench.db"
    engine = prepare(path)
    with session_scope(engine, actor="bench") as session:
        assign_site(session, SITE, FixedClock(datetime.now(UTC)))
    engine.dispose()
    return str(path)


def _server_target(base_url: str) -> str:
    import psycopg
    from sqlalchemy.engine import make_url

    from cipco.clock import FixedClock
    from cipco.config import ServerDb
    from cipco.datafile import migrate_server
    from cipco.db import session_scope
    from cipco.services.bootstrap import prepare
    from cipco.services.site import assign_site

    base = make_url(base_url)
    name = f"cipco_bench_{os.getpid()}"
    with psycopg.connect(base_url, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = base.set(database=name).render_as_string(hide_password=False)
    migrate_server(url)
    engine = prepare(ServerDb(url))
    with session_scope(engine, actor="bench") as session:
        assign_site(session, SITE, FixedClock(datetime.now(UTC)))
    engine.dispose()
    return url


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--processes", type=int, default=8)
    parser.add_argument("--url", default=os.environ.get("CIPCO_TEST_PG"))
    args = parser.parse_args()
    started_server = None
    url = args.url
    if not url:
        lines = subprocess.run(
            [str(ROOT / "scripts" / "pg-test-server"), "start"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.split()
        started_server, url = lines[0], lines[1]
    try:
        with tempfile.TemporaryDirectory() as folder:
            server_rate = run(_server_target(url), "PostgreSQL", args.processes, args.seconds)
            file_rate = run(_sqlite_target(Path(folder)), "SQLite", args.processes, args.seconds)
        print(f"PostgreSQL / SQLite writes per second: {server_rate / file_rate:.2f}")
    finally:
        if started_server:
            subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "stop", started_server])


if __name__ == "__main__":
    main()
