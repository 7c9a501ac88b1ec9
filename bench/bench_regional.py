"""The regional view over 12 prisons x 50,000 referrals (issue 15).

Goals: the Region screen's first rows (its first read: the nominals with their history at
each prison, trigger points, releases) in under 1 s; ``cipco report regional`` (every
prison's figures and overdue counts side by side, the PDF and the workbook) in under 10 s.
The baseline, measured in the same run on the same data, is one prison's figures (what its
own monthly report counts), so the ratio says what reading twelve prisons costs.

The data is written by bulk insert (``db.insert_many``), not ``cipco demo``: per prison
5,000 prisoners, 50,000 referrals over the last year (a third closed, a tenth overdue), 150
SOC nominals (50 Band 1, each with two trigger points) and 30 prisoners transferred from the
prison before it, known at both. On SQLite it is one file holding every site (what the
regional role reads on a server). With ``--pg URL`` (a superuser URL, e.g. the one
``scripts/pg-test-server start`` prints) the same rows go into a new database set up as
``cipco server init`` does, and the figures are read as the regional role, through
row-level security.

Usage: python bench/bench_regional.py [--pg URL] [SITES [REFERRALS]]   (default 12 50000)
"""

from __future__ import annotations

import os
import random
import shutil
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from _common import BENCH_CLOCK_AT, median_seconds, row

CODES = ["LEI", "MDI", "HMI", "DNI", "LFI", "WDI", "HLI", "FSI", "ACI", "NLI", "RNI", "WEI"]
PRISONERS = 5_000
NOMINALS = 150
BAND1 = 50
TRANSFERS = 30


def _template(model: Any, **values: Any) -> dict[str, Any]:
    made = model(**values)
    return {c.name: getattr(made, c.name) for c in model.__table__.c if c.name != "id"}


def fill(engine: Any, codes: list[str], referrals: int) -> None:
    """Bulk-insert every site's rows (one transaction per site). The search index's triggers
    are dropped first and the index is built once at the end, as a bulk import does."""
    from cipco import fts
    from cipco.search_docs import DOCS

    with engine.begin() as conn:
        fts.drop(conn)
    _fill(engine, codes, referrals)
    with engine.begin() as conn:
        fts.ensure(conn, DOCS)


def _fill(engine: Any, codes: list[str], referrals: int) -> None:
    from sqlalchemy import select

    from cipco.db import insert_many
    from cipco.models.people import Prisoner
    from cipco.models.person import CustodyEvent, PersonOfInterest
    from cipco.models.referral import Referral, Status
    from cipco.models.site import Site

    now = BENCH_CLOCK_AT
    today = now.date()
    rng = random.Random(15)
    for index, code in enumerate(codes):
        with engine.begin() as conn:
            if conn.execute(select(Site.code).where(Site.code == code)).first() is None:
                insert_many(
                    conn,
                    Site.__table__,
                    [{"code": code, "name": f"HMP {code}", "assigned_at": now}],
                )
            base = _template(Prisoner, nomis_number="A0000AA", name="", created_at=now, site=code)
            people = []
            for n in range(PRISONERS):
                # the first TRANSFERS prisoners of each prison are the last ones of the prison
                # before it: the same prison numbers, known at both
                number = (index - 1) % len(codes) if n < TRANSFERS else index
                serial = PRISONERS - 1 - n if n < TRANSFERS else n
                people.append(
                    {
                        **base,
                        "nomis_number": f"A{serial:04d}{chr(65 + number % 26)}Z",
                        "name": f"PRISONER {number}-{serial}",
                        "created_at": now - timedelta(days=rng.randint(1, 900)),
                    }
                )
            insert_many(conn, Prisoner.__table__, people)
            ids = [
                pid
                for (pid,) in conn.execute(
                    select(Prisoner.id).where(Prisoner.site == code).order_by(Prisoner.id)
                )
            ]
            template = _template(
                Referral,
                reference="R",
                prisoner_id=1,
                category_code="MOBILE_PHONE",
                incident_at=now,
                discovered_at=now,
                created_at=now,
                updated_at=now,
                site=code,
            )
            rows = []
            for n in range(referrals):
                at = now - timedelta(minutes=rng.randint(60, 365 * 24 * 60))
                shut = n % 3 == 0
                rows.append(
                    {
                        **template,
                        "reference": f"REF-{at.year}-{n:06d}",
                        "prisoner_id": ids[rng.randrange(len(ids))],
                        "incident_at": at - timedelta(hours=2),
                        "discovered_at": at - timedelta(hours=1),
                        "police_contacted_at": at if n % 4 else at + timedelta(days=2),
                        "referred_at": at,
                        "status": Status.CONCLUDED.value if shut else Status.INVESTIGATING.value,
                        "closed_at": at + timedelta(days=30) if shut else None,
                        "next_due_at": None
                        if shut
                        else now + timedelta(days=(-3 if n % 10 == 0 else 20)),
                        "created_at": at,
                        "updated_at": at,
                    }
                )
            for start in range(0, len(rows), 10_000):
                insert_many(conn, Referral.__table__, rows[start : start + 10_000])
            banded = ids[:TRANSFERS] + ids[TRANSFERS:NOMINALS]
            poi = _template(
                PersonOfInterest, prisoner_id=1, created_at=now, updated_at=now, site=code
            )
            insert_many(
                conn,
                PersonOfInterest.__table__,
                [
                    {
                        **poi,
                        "prisoner_id": pid,
                        "soc_band": 1 if k < BAND1 else 2,
                        "release_date": today + timedelta(days=rng.randint(1, 600)),
                        "next_review_on": today + timedelta(days=rng.randint(-10, 90)),
                    }
                    for k, pid in enumerate(banded)
                ],
            )
            persons = [
                pid
                for (pid,) in conn.execute(
                    select(PersonOfInterest.id).where(
                        PersonOfInterest.site == code, PersonOfInterest.soc_band == 1
                    )
                )
            ]
            event = _template(
                CustodyEvent,
                person_id=1,
                kind="escort",
                happened_at=now,
                recorded_at=now,
                actor="bench",
                site=code,
            )
            insert_many(
                conn,
                CustodyEvent.__table__,
                [
                    {
                        **event,
                        "person_id": pid,
                        "happened_at": now - timedelta(days=d),
                        "recorded_at": now - timedelta(days=d),
                        "notify_due_on": (now - timedelta(days=d - 1)).date(),
                        "notified_at": None if d < 3 else now - timedelta(days=d - 1),
                    }
                    for pid in persons
                    for d in (2, 9)
                ],
            )
        print(f"  filled {code}: {referrals:,} referrals", file=sys.stderr)


def measure(engine: Any, label: str) -> dict[str, float]:
    from cipco.clock import FixedClock
    from cipco.db import read_scope
    from cipco.documents.regional import write_regional
    from cipco.outputs import choose_output
    from cipco.services.measures import Period, figures
    from cipco.services.regional import (
        SITE_MEASURES,
        at_site,
        nominals,
        releases,
        site_columns,
        sites,
        trigger_points,
    )

    clock = FixedClock(BENCH_CLOCK_AT)
    period = Period.last_complete_month(clock)

    def first_rows() -> None:
        with read_scope(engine, clock=clock) as session:
            nominals(session), trigger_points(session, clock), releases(session, clock)

    def one_prison() -> None:
        with read_scope(engine, clock=clock) as session:
            code = sites(session)[0].code
            with at_site(session, code):
                figures(session, SITE_MEASURES, period, clock)

    def every_prison() -> None:
        with read_scope(engine, clock=clock) as session:
            site_columns(session, period, clock)

    folder = Path(tempfile.mkdtemp(prefix="bench-regional-out-"))

    def report() -> None:
        target = choose_output(
            None, what="regional", suffix=".pdf", at=clock.now(), default_dir=folder
        )
        write_regional(engine, period, target, clock=clock, actor="bench")

    with read_scope(engine, clock=clock) as session:
        people = nominals(session)
    joined = sum(1 for n in people if len(n.history) > 1)
    found = {
        "first": median_seconds(first_rows),
        "one": median_seconds(one_prison, runs=3),
        "all": median_seconds(every_prison, runs=3),
        "report": median_seconds(report, runs=3),
    }
    shutil.rmtree(folder, ignore_errors=True)
    print(f"\n{label}: {len(people):,} nominals ({joined:,} known at two prisons)")
    row(
        "Region screen first rows (nominals, trigger points, releases)",
        f"{found['first'] * 1000:8.0f} ms   goal < 1,000 ms",
    )
    row(
        "baseline: one prison's figures (its monthly report's measures)",
        f"{found['one'] * 1000:8.0f} ms",
    )
    row(
        "every prison's figures and overdue counts side by side",
        f"{found['all'] * 1000:8.0f} ms   {found['all'] / found['one']:.1f}x the baseline",
    )
    row(
        "cipco report regional (read, PDF and workbook written)",
        f"{found['report'] * 1000:8.0f} ms   goal < 10,000 ms",
    )
    return found


def _sqlite(codes: list[str], referrals: int) -> None:
    from cipco.services.bootstrap import prepare

    folder = Path(tempfile.mkdtemp(prefix="bench-regional-"))
    path = folder / "region.db"
    engine = prepare(path)
    started = time.perf_counter()
    fill(engine, codes, referrals)
    print(
        f"  built {len(codes)} x {referrals:,} in {time.perf_counter() - started:.0f} s",
        file=sys.stderr,
    )
    engine.dispose()
    engine = prepare(path)
    try:
        measure(engine, f"SQLite, one file, {len(codes)} prisons x {referrals:,} referrals")
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _server(url: str, codes: list[str], referrals: int) -> None:
    import uuid

    from cipco import pg_security
    from cipco.config import ServerDb
    from cipco.datafile import open_database
    from cipco.dbfile import Access
    from cipco.pg_security import Region
    from cipco.services.regional_setup import init_server

    name = f"cipco_bench_{uuid.uuid4().hex[:8]}"
    region = Region(
        database=name,
        sites={c: (f"bench_{c.lower()}",) for c in codes},
        regional={"bench_region": tuple(codes)},
    )
    init_server(url, region)
    inside = pg_security.with_database(url, name)
    owner = pg_security.admin_engine(inside, role=region.owner)
    started = time.perf_counter()
    try:
        fill(owner, codes, referrals)
        with owner.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
        print(
            f"  built {len(codes)} x {referrals:,} in {time.perf_counter() - started:.0f} s",
            file=sys.stderr,
        )
        owner.dispose()
        from sqlalchemy.engine import make_url

        login = make_url(pg_security.driver_url(inside)).set(username="bench_region")
        reader = open_database(
            ServerDb(login.set(drivername="postgresql").render_as_string(hide_password=False)),
            Access.READ,
        ).engine
        measure(reader, f"PostgreSQL as the regional role, {len(codes)} prisons x {referrals:,}")
        reader.dispose()
    finally:
        owner.dispose()
        root = pg_security.admin_engine(url, autocommit=True)
        with root.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        root.dispose()


def main(argv: list[str]) -> None:
    pg = None
    if "--pg" in argv:
        at = argv.index("--pg")
        pg = argv[at + 1]
        argv = argv[:at] + argv[at + 2 :]
    count = int(argv[0]) if argv else 12
    referrals = int(argv[1]) if len(argv) > 1 else 50_000
    codes = CODES[:count]
    one, five, fifteen = os.getloadavg()
    print(
        f"Regional view, {count} prisons x {referrals:,} referrals "
        f"(load average {one:.1f} / {five:.1f} / {fifteen:.1f} on {os.cpu_count()} cores)"
    )
    _sqlite(codes, referrals)
    if pg:
        _server(pg, codes, referrals)


if __name__ == "__main__":
    main(sys.argv[1:])
