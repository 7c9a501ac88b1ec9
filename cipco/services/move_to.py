"""``cipco move-to URL``: a prison's SQLite file copied into the regional server as its site.

One transaction on the server: every record of the file is copied (new ids: a server numbers
rows across sites; references to other records follow), then, before it commits, every
exhibit's chain and the custody ledger are recomputed on the server, each table's count is
compared with the file's and the two ledger digests are read. Anything that does not fit
rolls the whole copy back.

Each copied record is remembered (``moved_row``: its key in the file, its id on the server,
a digest of the values copied), so:

- running it again with the same file changes nothing;
- a later copy of the file adds what is new, and brings records changed in the file since
  up to date when nobody changed them on the server meanwhile;
- custody history (exhibit events) that differs between the file and the server is refused,
  naming the exhibit and event, as is a record changed on both sides.

PostgreSQL text cannot hold NUL characters: a record holding one is named (record and
field) and nothing is copied, never silently changed.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, Table, and_, func, insert, select, update
from sqlmodel import Session, SQLModel

from cipco.clock import Clock
from cipco.db import read_scope, session_scope, with_site
from cipco.models.moves import MovedRow
from cipco.services.errors import RecordError
from cipco.services.ledger import Anchor, anchor
from cipco.services.regional import at_site
from cipco.services.site import file_site

CUSTODY = "exhibit_event"
SKIP = {"moved_row"}
IDENTITY = "site"  # moved_row's note of which file the site was moved in from
NAMED_LIMIT = 10  # problems named in one refusal


class MoveRefused(RecordError):
    """Nothing was copied; the message names what stopped it."""


@dataclass(frozen=True)
class TableCount:
    table: str
    in_file: int
    on_server: int  # of this file's records, found on the server after the copy


@dataclass
class MoveResult:
    site: str
    added: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)
    unchanged: int = 0
    counts: list[TableCount] = field(default_factory=list)
    file_anchor: Anchor | None = None
    server_anchor: Anchor | None = None
    exhibits_verified: int = 0
    events_verified: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated)


# ---------------------------------------------------------------- tables and values


def move_tables() -> list[Table]:
    """Every site-owned table, records before what refers to them, the audit trail last."""
    from cipco.models import load_all

    load_all()  # every table in the metadata
    tables = [t for t in SQLModel.metadata.sorted_tables if "site" in t.c and t.name not in SKIP]
    return sorted(tables, key=lambda t: t.name == "audit_event")


def _has_id(table: Table) -> bool:
    return [c.name for c in table.primary_key] == ["id"]


def _key_columns(table: Table) -> list[str]:
    return [c.name for c in table.primary_key if c.name != "site"]


def _links(table: Table) -> dict[str, str]:
    """Columns that hold another site-owned record's id: column -> its table."""
    return {
        fk.parent.name: fk.column.table.name
        for fk in table.foreign_keys
        if "site" in fk.column.table.c
    }


def _plain(value: Any) -> Any:
    if isinstance(value, datetime):
        aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return aware.astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        return "sha256:" + hashlib.sha256(bytes(value)).hexdigest()
    if isinstance(value, Decimal):
        return str(value)
    return value


def row_digest(values: Mapping[str, Any]) -> str:
    """SHA-256 of a record's values (not its id or site), the same on both backends."""
    shown = {k: _plain(v) for k, v in values.items() if k not in ("id", "site")}
    text = json.dumps(shown, sort_keys=True, ensure_ascii=False, default=_plain)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _nul_fields(values: Mapping[str, Any]) -> list[str]:
    def has_nul(value: Any) -> bool:
        if isinstance(value, str):
            return "\x00" in value
        if isinstance(value, dict):
            return any(has_nul(k) or has_nul(v) for k, v in value.items())
        if isinstance(value, list | tuple):
            return any(has_nul(v) for v in value)
        return False

    return [name for name, value in values.items() if has_nul(value)]


# ---------------------------------------------------------------- naming records


class _Names:
    """How a record is named in a refusal: ``referral REF-2026-0001``, ``exhibit JS/1
    event 4``, ``follow_up 12 of referral REF-2026-0001``."""

    def __init__(self, source: Mapping[str, list[dict[str, Any]]]) -> None:
        self.refs = {
            table: {row["id"]: row.get("reference") for row in source.get(table, [])}
            for table in ("referral", "exhibit")
        }

    def __call__(self, table: str, row: Mapping[str, Any]) -> str:
        if table in ("referral", "exhibit"):
            return f"{table} {row.get('reference')}"
        if table == "prisoner":
            return f"prisoner {row.get('nomis_number')}"
        if table == CUSTODY:
            reference = self.refs["exhibit"].get(row.get("exhibit_id"))
            return f"exhibit {reference} event {row.get('seq')}"
        own = f"{table} {row.get('id', '')}".strip()
        for column, parent in (("referral_id", "referral"), ("exhibit_id", "exhibit")):
            reference = self.refs[parent].get(row.get(column))
            if reference:
                return f"{own} of {parent} {reference}"
        return own


# ---------------------------------------------------------------- the move


def read_file(source: Engine) -> tuple[str, dict[str, list[dict[str, Any]]], Anchor]:
    """The file's site, every record of it by table, and its ledger anchor (one snapshot)."""
    with read_scope(source) as session:
        site = file_site(session)
        if site is None:
            raise MoveRefused(
                "this file's prison has not been chosen (cipco site CODE): nothing to move"
            )
        rows: dict[str, list[dict[str, Any]]] = {}
        for table in move_tables():
            order = [table.c[name] for name in _key_columns(table)]
            found = session.execute(select(table).order_by(*order)).mappings()
            rows[table.name] = [dict(row) for row in found]
        file_anchor = anchor(session)
    return site.code, rows, file_anchor


@dataclass
class _Move:
    session: Session
    site: str
    clock: Clock
    names: _Names
    result: MoveResult
    ids: dict[str, dict[int, int]] = field(default_factory=dict)  # table -> file id -> server id
    moved: dict[tuple[str, str], MovedRow] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    def refuse_if_any(self, what: str) -> None:
        if self.problems:
            shown = "; ".join(self.problems[:NAMED_LIMIT])
            more = len(self.problems) - NAMED_LIMIT
            tail = f"; and {more} more" if more > 0 else ""
            raise MoveRefused(f"nothing was copied: {what}: {shown}{tail}")


def move_to(
    source: Engine,
    target: Engine,
    *,
    clock: Clock,
    actor: str,
    read: Callable[[Engine], tuple[str, dict[str, list[dict[str, Any]]], Anchor]] = read_file,
) -> MoveResult:
    """Copy the file ``source`` into the server ``target`` as its site (see the module)."""
    site, source_rows, file_anchor = read(source)
    names = _Names(source_rows)
    nul = [
        f"{names(table, row)} ({', '.join(found)})"
        for table, rows in source_rows.items()
        for row in rows
        if (found := _nul_fields(row))
    ]
    if nul:
        raise MoveRefused(
            "nothing was copied: PostgreSQL cannot store a NUL character, found in "
            + "; ".join(nul[:NAMED_LIMIT])
            + (f"; and {len(nul) - NAMED_LIMIT} more" if len(nul) > NAMED_LIMIT else "")
            + ". Correct them in the file (or its source) and move it again"
        )
    result = MoveResult(site=site, file_anchor=file_anchor)
    identity = file_identity(source)
    engine = with_site(target, site)
    with session_scope(engine, actor=actor, clock=clock) as session, at_site(session, site):
        _check_server(session, site)
        move = _Move(session, site, clock, names, result)
        for row in session.scalars(select(MovedRow)):
            move.moved[(row.table_name, row.source_key)] = row
            if row.target_id is not None and row.table_name != IDENTITY:
                move.ids.setdefault(row.table_name, {})[int(row.source_key)] = row.target_id
        _same_file(move, identity)
        for table in move_tables():
            _copy_table(move, table, source_rows.get(table.name, []))
        move.refuse_if_any("the file and the server differ")
        session.flush()
        _verify_on_server(move, source_rows)
    return result


def file_identity(source: Engine) -> str:
    """What makes copies of one prison file the same file: its site as chosen (code and the
    moment it was chosen, copied with the file). Two files of one prison differ."""
    with read_scope(source) as session:
        site = file_site(session)
        chosen = _plain(site.assigned_at) if site is not None else ""
        code = site.code if site is not None else ""
    return hashlib.sha256(f"{code}\n{chosen}".encode()).hexdigest()


def _same_file(move: _Move, identity: str) -> None:
    """Records are matched to what was moved before by their number in the file, so only a
    copy of the file moved before may be moved into the site again: another file's record
    numbers name other records. The first move remembers which file it was."""
    known = move.moved.get((IDENTITY, move.site))
    if known is None:
        marker = MovedRow(
            table_name=IDENTITY,
            source_key=move.site,
            target_id=None,
            row_hash=identity,
            moved_at=move.clock.now(),
        )
        move.session.add(marker)
        move.moved[(IDENTITY, move.site)] = marker
        return
    if known.row_hash != identity:
        raise MoveRefused(
            f"nothing was copied: site {move.site} on the server was moved in from another "
            "file, and this file is not a copy of it (its prison was chosen separately, or it "
            "is a backup made from a server): their record numbers name different records. "
            "A site takes one prison file and its later copies; a server's backup goes back "
            "only into a site that has lost its records"
        )


def _check_server(session: Session, site: str) -> None:
    from cipco.models.site import Site

    if session.get(Site, site) is None:
        raise MoveRefused(
            f"the server has no site {site} this login may write: the region adds it "
            f"(cipco server init --site {site}, then cipco server migrate) and gives this "
            "login its site role"
        )


def _copy_table(move: _Move, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """New records in batches; a record referring to one of its own table still waiting in
    the batch (a correction, a part of an exhibit) first sends the batch, for its id."""
    links = _links(table)
    own = [column for column, parent in links.items() if parent == table.name]
    has_id = _has_id(table)
    keys = _key_columns(table)
    taken = _unique_values(move, table)
    pending: list[tuple[dict[str, Any], str, str, int | None]] = []
    waiting: set[int] = set()

    def send() -> None:
        new_ids = _insert(move, table, [p[0] for p in pending], has_id)
        for (_, key, digest, source_id), new_id in zip(pending, new_ids, strict=True):
            _remember(move, table, key, source_id, new_id, digest)
        pending.clear()
        waiting.clear()

    for row in rows:
        if pending and any(row.get(column) in waiting for column in own):
            send()
        values = {**row, "site": move.site}
        source_id = values.pop("id") if has_id else None
        if not _relink(move, table, values, links):
            continue
        key = str(source_id) if has_id else json.dumps([_plain(row[k]) for k in keys])
        digest = row_digest(values)
        done = move.moved.get((table.name, key))
        if done is not None:
            _again(move, table, row, values, done, digest)
            continue
        clash = _clash(table, values, taken)
        if clash:
            what = "custody history differs" if table.name == CUSTODY else "already on the server"
            move.problems.append(f"{move.names(table.name, row)} ({what}: {clash})")
            continue
        pending.append((values, key, digest, source_id))
        if source_id is not None:
            waiting.add(source_id)
    if pending:
        send()


def _relink(move: _Move, table: Table, values: dict[str, Any], links: dict[str, str]) -> bool:
    """The file's ids of other records as the server's; False (named) if one is missing."""
    for column, parent in links.items():
        value = values.get(column)
        if value is None:
            continue
        found = move.ids.get(parent, {}).get(int(value))
        if found is None:
            move.problems.append(
                f"{move.names(table.name, values)} refers to {parent} {value}, not copied"
            )
            return False
        values[column] = found
    if table.name == "audit_event":  # the record an audit entry is about
        record = values.get("record_id")
        mapped = move.ids.get(str(values.get("table_name")), {})
        if isinstance(record, int) and record in mapped:
            values["record_id"] = mapped[record]
    return True


def _unique_values(move: _Move, table: Table) -> list[tuple[list[str], set[tuple[Any, ...]]]]:
    """For each unique key of ``table`` (its site aside), the values the server holds."""
    found = []
    sets = [[c.name for c in index.columns] for index in table.indexes if index.unique]
    if not _has_id(table):
        sets.append([c.name for c in table.primary_key])
    for columns in sets:
        names = [name for name in columns if name != "site"]
        if not names:
            continue
        statement = select(*(table.c[n] for n in names)).where(table.c.site == move.site)
        held = {tuple(_plain(v) for v in row) for row in move.session.execute(statement)}
        found.append((names, held))
    return found


def _clash(
    table: Table, values: Mapping[str, Any], taken: list[tuple[list[str], set[tuple[Any, ...]]]]
) -> str:
    for names, held in taken:
        wanted = tuple(_plain(values.get(n)) for n in names)
        if None not in wanted and wanted in held:
            return ", ".join(f"{n} {values.get(n)}" for n in names)
        held.add(wanted)  # two rows of one copy cannot clash either
    return ""


def _insert(
    move: _Move, table: Table, rows: list[dict[str, Any]], has_id: bool
) -> list[int | None]:
    connection = move.session.connection()
    if not has_id:
        connection.execute(insert(table), rows)
        return [None] * len(rows)
    statement = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [int(new_id) for (new_id,) in connection.execute(statement, rows)]


def _remember(
    move: _Move, table: Table, key: str, source_id: int | None, new_id: int | None, digest: str
) -> None:
    row = MovedRow(
        table_name=table.name,
        source_key=key,
        target_id=new_id,
        row_hash=digest,
        moved_at=move.clock.now(),
    )
    move.session.add(row)
    move.moved[(table.name, key)] = row
    if source_id is not None and new_id is not None:
        move.ids.setdefault(table.name, {})[source_id] = new_id
    move.result.added[table.name] = move.result.added.get(table.name, 0) + 1


def _where_key(table: Table, values: Mapping[str, Any], done: MovedRow) -> Any:
    if _has_id(table):
        return table.c.id == done.target_id
    return and_(*(table.c[c.name] == values[c.name] for c in table.primary_key))


def _again(
    move: _Move,
    table: Table,
    row: Mapping[str, Any],
    values: dict[str, Any],
    done: MovedRow,
    digest: str,
) -> None:
    """A record moved before: unchanged, brought up to date, or refused (named)."""
    if done.row_hash == digest:
        move.result.unchanged += 1
        return
    name = move.names(table.name, row)
    if table.name == CUSTODY:
        move.problems.append(f"{name} (custody history differs from what was moved before)")
        return
    where = _where_key(table, values, done)
    current = move.session.execute(select(table).where(where)).mappings().first()
    if current is None:
        move.problems.append(f"{name} (moved before, since removed from the server)")
        return
    if row_digest(dict(current)) != done.row_hash:
        move.problems.append(f"{name} (changed both in the file and on the server)")
        return
    changes = {k: v for k, v in values.items() if k not in ("id", "site")}
    move.session.connection().execute(update(table).where(where).values(**changes))
    done.row_hash = digest
    done.moved_at = move.clock.now()
    move.session.add(done)
    move.result.updated[table.name] = move.result.updated.get(table.name, 0) + 1


def _verify_on_server(move: _Move, source_rows: Mapping[str, list[dict[str, Any]]]) -> None:
    """Chains, counts and the ledger on the server, before the copy commits."""
    from cipco.services.chain_verify import verify

    session = move.session
    counts = []
    for table in move_tables():
        in_file = len(source_rows.get(table.name, []))
        counts.append(TableCount(table.name, in_file, _copied_count(move, table)))
    move.result.counts = counts
    short = [c for c in counts if c.on_server != c.in_file]
    move.problems.extend(
        f"{c.table}: {c.in_file} in the file, {c.on_server} of them on the server" for c in short
    )
    report = verify(session)
    move.result.exhibits_verified, move.result.events_verified = report.exhibits, report.events
    move.problems.extend(f"exhibit {p.reference} event {p.seq}: {p.kind}" for p in report.problems)
    move.result.server_anchor = anchor(session)
    move.refuse_if_any("the copy did not verify on the server")


def _copied_count(move: _Move, table: Table) -> int:
    """How many of the file's records of ``table`` the server holds now."""
    mine = [row for (name, _), row in move.moved.items() if name == table.name]
    if _has_id(table):
        wanted = [row.target_id for row in mine if row.target_id is not None]
        total = 0
        for start in range(0, len(wanted), 1000):
            chunk = wanted[start : start + 1000]
            total += int(
                move.session.execute(
                    select(func.count()).select_from(table).where(table.c.id.in_(chunk))
                ).scalar_one()
            )
        return total
    keys = _key_columns(table)
    statement = select(*(table.c[k] for k in keys)).where(table.c.site == move.site)
    held = {json.dumps([_plain(v) for v in row]) for row in move.session.execute(statement)}
    return sum(1 for row in mine if _held_key(row.source_key, keys, move, table) in held)


def _held_key(source_key: str, keys: Sequence[str], move: _Move, table: Table) -> str:
    """A key-table row's key as the server holds it (its links relinked)."""
    values = dict(zip(keys, json.loads(source_key), strict=True))
    for column, parent in _links(table).items():
        if column in values and values[column] is not None:
            values[column] = move.ids.get(parent, {}).get(int(values[column]))
    return json.dumps([_plain(values[k]) for k in keys])


def summary_lines(result: MoveResult) -> Iterable[str]:
    """What the command prints."""
    added = sum(result.added.values())
    updated = sum(result.updated.values())
    if not result.changed:
        yield f"Nothing to copy: the server already holds every record of this {result.site} file."
    else:
        parts = ", ".join(f"{n:,} {t}" for t, n in sorted(result.added.items()))
        yield f"Copied {added:,} new records to site {result.site}" + (
            f" ({parts})" if parts else ""
        )
        if updated:
            yield f"Brought {updated:,} records changed in the file up to date."
    in_file = sum(c.in_file for c in result.counts)
    yield (
        f"Verified on the server: {result.exhibits_verified:,} exhibits, "
        f"{result.events_verified:,} events, every chain intact; "
        f"{in_file:,} records of the file, every one on the server."
    )
    for name, value in (("file:  ", result.file_anchor), ("server:", result.server_anchor)):
        if value is not None:
            yield f"Custody ledger, {name} {value.count:,} events · {value.digest}"
