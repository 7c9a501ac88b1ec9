"""``cipco backup`` on a server: one site's records written to a new cipco SQLite file.

A region's server is backed up whole by its administrator (pg_dump). What a coordinator can
take away is their own prison: every record of the site, read in one snapshot, written to a
new file exactly as a prison's own file would hold them (the same ids, the same custody
hashes and ledger), so:

- ``cipco --db FILE`` opens it (read-only copies work too) and ``cipco verify`` accepts it;
- its ledger digest is the server's, printed by the backup beside the file's;
- ``cipco --db FILE move-to URL`` copies it back into a server's site that has lost it
  (a rebuilt server, a new region), refusing, by name, records the site already holds.

The file is built as a private temporary file beside its final name and moved into place only
once every table's count matches the server's and every chain verifies in it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, Table, func, insert, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.datafile import migrate
from cipco.db import insert_many, make_engine, read_scope, session_scope, with_site
from cipco.dbfile import companion
from cipco.models.site import Site
from cipco.outputs import OutputTarget, write_output
from cipco.services.errors import RecordError
from cipco.services.ledger import Anchor, anchor
from cipco.services.move_to import move_tables
from cipco.services.reference import seed_reference_data

Rows = dict[str, list[dict[str, Any]]]


class BackupRefused(RecordError):
    """No file was written; the message says why."""


@dataclass
class SiteBackup:
    site: str
    path: Path
    records: dict[str, int] = field(default_factory=dict)  # table -> rows written
    server_anchor: Anchor | None = None
    file_anchor: Anchor | None = None
    exhibits_verified: int = 0
    events_verified: int = 0

    @property
    def total(self) -> int:
        return sum(self.records.values())


def visible_sites(engine: Engine) -> list[str]:
    """The sites this login can read (one for a coordinator; several for a regional reader)."""
    with read_scope(engine) as session:
        return list(session.scalars(select(Site.code).order_by(Site.code)))


def choose_site(engine: Engine, wanted: str | None) -> str:
    """The site to back up: ``wanted``, or the only one this login reads."""
    sites = visible_sites(engine)
    if wanted:
        code = wanted.strip().upper()
        if code not in sites:
            readable = ", ".join(sites) or "none"
            raise BackupRefused(f"this login cannot read site {code} (it reads: {readable})")
        return code
    if not sites:
        raise BackupRefused("this login reads no site: nothing to back up")
    if len(sites) > 1:
        raise BackupRefused(
            f"this login reads {len(sites)} sites ({', '.join(sites)}): a backup holds one; "
            "choose it with --site CODE"
        )
    return sites[0]


def read_site(source: Engine, site: str, clock: Clock) -> tuple[dict[str, Any], Rows, Anchor]:
    """The site's row, every record of it by table, and its ledger anchor (one snapshot)."""
    with read_scope(with_site(source, site), clock=clock) as session:
        site_row = session.execute(select(Site.__table__).where(Site.code == site)).mappings()
        found = site_row.first()
        if found is None:
            raise BackupRefused(f"this login cannot read site {site}")
        rows: Rows = {}
        for table in move_tables():
            order = [c for c in table.primary_key if c.name != "site"]
            statement = select(table).where(table.c.site == site).order_by(*order)
            rows[table.name] = [dict(row) for row in session.execute(statement).mappings()]
        return dict(found), rows, anchor(session)


def backup_site(
    source: Engine,
    target: OutputTarget,
    *,
    site: str,
    clock: Clock,
    progress: Callable[[str, int], None] | None = None,
) -> SiteBackup:
    """Write ``site``'s records on the server ``source`` to the new file ``target``."""
    site_row, rows, server_anchor = read_site(source, site, clock)
    result = SiteBackup(site=site, path=target.path, server_anchor=server_anchor)

    def build(temp: Path) -> None:
        try:
            _build(temp, site_row, rows, result, clock, progress)
        finally:
            for tail in ("-wal", "-shm", "-journal"):
                with contextlib.suppress(OSError):
                    companion(temp, tail).unlink(missing_ok=True)

    result.path = write_output(target, build)
    return result


def _build(
    temp: Path,
    site_row: dict[str, Any],
    rows: Rows,
    result: SiteBackup,
    clock: Clock,
    progress: Callable[[str, int], None] | None,
) -> None:
    engine = make_engine(temp, create=False)
    try:
        migrate(engine)
        site = str(site_row["code"])
        engine = with_site(engine, site)
        with session_scope(engine, actor="cipco backup", clock=clock) as session:
            seed_reference_data(session)
            connection = session.connection()
            connection.execute(insert(Site.__table__), [site_row])
            for table in move_tables():
                found = rows.get(table.name, [])
                insert_many(connection, table, found)
                result.records[table.name] = len(found)
                if progress is not None:
                    progress(table.name, len(found))
        _check(engine, site, rows, result, clock)
    finally:
        engine.dispose()  # the last connection folds the WAL into the file


def _check(engine: Engine, site: str, rows: Rows, result: SiteBackup, clock: Clock) -> None:
    """Every table's count as on the server, every chain intact, the same ledger digest."""
    from cipco.services.chain_verify import verify

    with read_scope(engine, clock=clock) as session:
        short = [
            f"{table.name}: {len(rows.get(table.name, []))} on the server, {held} in the file"
            for table in move_tables()
            if (held := _count(session, table, site)) != len(rows.get(table.name, []))
        ]
        report = verify(session)
        result.file_anchor = anchor(session)
    problems = short + [f"exhibit {p.reference} event {p.seq}: {p.kind}" for p in report.problems]
    server, copy = result.server_anchor, result.file_anchor
    if (
        server is not None
        and copy is not None
        and (server.count, server.digest)
        != (
            copy.count,
            copy.digest,
        )
    ):
        problems.append(f"custody ledger {copy.count} · {copy.digest} differs from the server's")
    if problems:
        raise BackupRefused(
            "no backup was written: the copy did not verify: " + "; ".join(problems[:10])
        )
    result.exhibits_verified, result.events_verified = report.exhibits, report.events


def _count(session: Session, table: Table, site: str) -> int:
    statement = select(func.count()).select_from(table).where(table.c.site == site)
    return int(session.execute(statement).scalar_one())


def summary_lines(result: SiteBackup) -> list[str]:
    """What ``cipco backup`` prints for a server."""
    lines = [
        f"Backed up site {result.site} to {result.path}: {result.total:,} records "
        f"({result.exhibits_verified:,} exhibits, {result.events_verified:,} custody events, "
        "every chain intact in the file)"
    ]
    for name, value in (("server:", result.server_anchor), ("file:  ", result.file_anchor)):
        if value is not None:
            lines.append(f"Custody ledger, {name} {value.count:,} events · {value.digest}")
    lines.append(
        f"Open it with cipco --db {result.path.name}; cipco --db {result.path.name} move-to URL "
        "copies it into a server's site that has lost these records."
    )
    return lines
