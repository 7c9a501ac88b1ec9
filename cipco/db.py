"""The database engine, its PRAGMAs, units of work and how writers wait for each other.

This is the only module (with :mod:`cipco.dbfile` and :mod:`cipco.datafile`) that holds SQL
strings (PRAGMAs), besides the reader :mod:`cipco.dbread` (the start-up and due-list reads, as
plain rows). Everything above it uses SQLAlchemy/SQLModel expressions or names a statement of
:mod:`cipco.dbread`.

- A unit of work that writes takes the write lock at its start (``BEGIN IMMEDIATE``). When
  another program holds it, the unit of work waits, tells its :class:`WritePolicy` listeners
  once ("waiting for another cipco that is writing to cipco.db…") and keeps trying for up to
  a minute (the ``write_wait_seconds`` setting), then raises :class:`DatabaseBusy`: nothing
  was saved and nothing is half-written.
- A unit of work that reads takes a WAL snapshot (``BEGIN``): it never blocks a writer.
- An engine opened read-only (an archived copy) runs every unit of work as a snapshot.
"""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

from sqlalchemy import Connection, Engine, Table, create_engine, event, func, insert, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.pool import QueuePool

from cipco.clock import Clock
from cipco.config import ServerDb, as_location
from cipco.dberrors import (
    DatabaseBusy,
    DatabaseError,
    DatabasePathError,
    DatabaseTooNew,
    explain,
    is_busy,
)
from cipco.dbfile import (
    APPLICATION_ID,
    BUSY_STEP_SECONDS,
    READ_PRAGMAS,
    read_uri,
    sqlite_connection,
    write_uri,
)
from cipco.outputs import make_private_dir

if TYPE_CHECKING:
    from sqlmodel import Session

__all__ = [
    "APPLICATION_ID",
    "DatabaseBusy",
    "DatabaseError",
    "DatabasePathError",
    "DatabaseTooNew",
    "explain",
]

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_DIR = 0o700
# Execution option naming the site new rows belong to; "" while a file's prison is unassigned.
SITE_OPTION = "cipco_site"
UNASSIGNED = ""
WRITE_OPTION = "cipco_write"
READ_ONLY_OPTION = "cipco_read_only"
WAIT_OPTION = "cipco_write_wait"

WAIT_SECONDS_DEFAULT = 60  # until the file's write_wait_seconds setting is read

_WRITE_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={int(BUSY_STEP_SECONDS * 1000)}",
)


def ensure_private_file(path: Path) -> None:
    """Create ``path`` (0600) and its folder (0700) if missing; an existing file is left as is."""
    make_private_dir(path.parent)
    try:
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, OWNER_ONLY_FILE)
    except FileExistsError:
        return
    os.close(fd)
    os.chmod(path, OWNER_ONLY_FILE)


# ---------------------------------------------------------------- waiting for the write lock


@dataclass(frozen=True)
class WaitEvent:
    """A unit of work that writes is waiting for (or gave up on) another writer."""

    kind: Literal["waiting", "resumed", "gave_up"]
    path: Path
    waited: float  # seconds so far
    limit: float  # seconds it waits at most


WaitListener = Callable[[WaitEvent], None]


@dataclass
class WritePolicy:
    """How long a write waits for another writer, and who is told while it waits."""

    seconds: float = WAIT_SECONDS_DEFAULT
    listeners: list[WaitListener] = field(default_factory=list)

    def tell(self, event: WaitEvent) -> None:
        for listener in list(self.listeners):
            listener(event)


def write_policy(engine: Engine | Connection) -> WritePolicy:
    policy = engine.get_execution_options().get(WAIT_OPTION)
    assert isinstance(policy, WritePolicy), "engine not made by cipco.db.make_engine"
    return policy


def on_write_wait(engine: Engine, listener: WaitListener) -> Callable[[], None]:
    """Call ``listener`` (from the waiting thread) when a write waits, resumes or gives up.

    The CLI prints one line; the app shows a notification. Returns a function that removes it.
    """
    policy = write_policy(engine)
    policy.listeners.append(listener)
    return lambda: policy.listeners.remove(listener) if listener in policy.listeners else None


def set_write_wait(engine: Engine, seconds: float) -> None:
    """How long writes through ``engine`` wait for another writer."""
    write_policy(engine).seconds = max(float(seconds), 0.0)


def waiting_message(path: Path) -> str:
    """What a writer says once while it waits: the file's name, or the server database and site."""
    return f"waiting for another cipco that is writing to {path.name}…"


def busy_message(path: Path, limit: float) -> str:
    return (
        f"nothing was saved: another cipco kept {path.name} busy writing for over "
        f"{limit:.0f} seconds; try again when it has finished"
    )


def _begin_write(conn: Connection) -> None:
    """``BEGIN IMMEDIATE``, waiting for another writer up to the policy's limit."""
    policy = write_policy(conn)
    path = Path(conn.engine.url.database or "")
    started = time.monotonic()
    told = False
    while True:
        try:
            conn.exec_driver_sql("BEGIN IMMEDIATE")
        except OperationalError as exc:
            if not is_busy(exc):
                raise
        else:
            if told:
                policy.tell(WaitEvent("resumed", path, time.monotonic() - started, policy.seconds))
            return
        waited = time.monotonic() - started
        if not told:
            told = True
            policy.tell(WaitEvent("waiting", path, waited, policy.seconds))
        if waited >= policy.seconds:
            policy.tell(WaitEvent("gave_up", path, waited, policy.seconds))
            raise DatabaseBusy(busy_message(path, policy.seconds))


def _on_begin(conn: Connection) -> None:
    options = conn.get_execution_options()
    writes = options.get(WRITE_OPTION, True) and not options.get(READ_ONLY_OPTION, False)
    if conn.dialect.name == "postgresql":
        from cipco import dbserver

        if writes:
            dbserver.begin_write(conn, site_of(conn), write_policy(conn))
        else:
            dbserver.begin_read(conn)
        return
    # A unit of work that writes takes the write lock up front (IMMEDIATE), so two processes
    # queue instead of failing when a read transaction tries to become a write (WAL upgrade).
    # A read-only unit of work takes a WAL snapshot and blocks no one.
    if writes:
        _begin_write(conn)
    else:
        conn.exec_driver_sql("BEGIN")


def _connector(uri: str, pragmas: Sequence[str]) -> Callable[[], sqlite3.Connection]:
    def connect() -> sqlite3.Connection:
        # SQLAlchemy manages transactions (pysqlite's own BEGIN handling is off)
        return sqlite_connection(uri, pragmas, threads=True)

    return connect


def make_engine(
    path: Path | str | ServerDb,
    *,
    create: bool = True,
    read_only: bool = False,
    immutable: bool = False,
) -> Engine:
    """An engine on the SQLite file ``path`` with cipco's PRAGMAs on every connection, or on
    the PostgreSQL database a ``postgresql://`` URL names (:mod:`cipco.dbserver`).

    ``read_only`` opens it with ``mode=ro`` (``immutable`` when nobody can write it): no
    PRAGMA that writes, every unit of work a snapshot. Otherwise the file is opened with
    ``mode=rw``, never created by SQLite; ``create`` makes an empty 0600 file first if it is
    missing (callers check the path first: :func:`open_database`). Errors never carry the
    values being saved (``hide_parameters``).
    """
    location = as_location(path)
    if isinstance(location, ServerDb):
        from cipco import dbserver

        engine = dbserver.make_server_engine(location.url)
        event.listen(engine, "begin", _on_begin)
        return engine.execution_options(**{WAIT_OPTION: WritePolicy(), READ_ONLY_OPTION: read_only})
    db_path = location
    if read_only:
        connect = _connector(read_uri(db_path, immutable=immutable), READ_PRAGMAS)
    else:
        if create:
            ensure_private_file(db_path)
        elif not db_path.exists():
            raise DatabasePathError(f"there is no database at {db_path}: the file does not exist")
        connect = _connector(write_uri(db_path), _WRITE_PRAGMAS)
    engine = create_engine(
        f"sqlite:///{db_path}",
        creator=connect,
        # Keep a few connections open: each one's page cache stays warm between sessions.
        # A connection is used by one thread at a time (checked out), never shared.
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        pool_pre_ping=False,
        hide_parameters=True,
    )
    event.listen(engine, "begin", _on_begin)
    return engine.execution_options(**{WAIT_OPTION: WritePolicy(), READ_ONLY_OPTION: read_only})


def is_server(bind: Engine | Connection) -> bool:
    """True on a PostgreSQL server, False on a SQLite file."""
    return bind.dialect.name == "postgresql"


def is_read_only(engine: Engine | Connection) -> bool:
    return bool(engine.get_execution_options().get(READ_ONLY_OPTION, False))


def with_site(engine: Engine, site: str) -> Engine:
    """``engine`` whose inserts stamp rows with ``site`` (see :mod:`cipco.models.site`)."""
    return engine.execution_options(**{SITE_OPTION: site})


def site_of(bind: Engine | Connection) -> str:
    return str(bind.get_execution_options().get(SITE_OPTION, UNASSIGNED))


class ReadOnlySessionError(RuntimeError):
    """Code running in a read-only unit of work tried to write (a programming error)."""


def _refuse_writes(session: Session, _context: Any, _instances: Any) -> None:
    if session.new or session.dirty or session.deleted:
        raise ReadOnlySessionError("a read-only unit of work tried to save changes")


@contextmanager
def session_scope(
    engine: Engine,
    *,
    actor: str | None = None,
    clock: Clock | None = None,
    write: bool = True,
) -> Iterator[Session]:
    """One unit of work: commits on success, rolls back on any error.

    ``write=True`` (the default) takes the write lock at the start, waiting for another
    writer as the engine's :class:`WritePolicy` says; ``write=False`` (and any unit of work on
    a file opened read-only) reads a consistent snapshot without blocking anyone and refuses
    to flush changes. ``actor`` and
    ``clock`` ride in ``session.info`` for the audit listener. A driver error leaves as a
    :class:`DatabaseError` whose message is a sentence without SQL or values.
    """
    from sqlmodel import Session  # the ORM is loaded by the first unit of work that needs it

    write = write and not is_read_only(engine)  # a read-only file: every unit of work reads
    session = Session(engine.execution_options(**{WRITE_OPTION: write}), expire_on_commit=False)
    session.info["actor"] = actor
    session.info["clock"] = clock
    if not write:
        event.listen(session, "before_flush", _refuse_writes)
    try:
        yield session
        session.commit()
    except DBAPIError as exc:
        # The driver's text can quote the values being saved: what leaves a unit of work is
        # a sentence built from the error's kind (the original stays as the cause).
        session.rollback()
        raise _as_sentence(engine, exc) from exc
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def read_scope(engine: Engine, *, clock: Clock | None = None) -> AbstractContextManager[Session]:
    """A read-only unit of work (a WAL snapshot): for lists, exports, reports, verify."""
    return session_scope(engine, clock=clock, write=False)


def _as_sentence(engine: Engine, exc: DBAPIError) -> DatabaseError:
    folder = None if is_server(engine) else Path(engine.url.database or ".").absolute().parent
    return DatabaseError(explain(exc, folder=folder) or "the database failed")


@contextmanager
def read_connection(engine: Engine) -> Iterator[Connection]:
    """A read-only snapshot on a plain Core connection (no ORM loaded): for the reads of
    :mod:`cipco.dbread` at start-up. Errors leave as :class:`DatabaseError` sentences."""
    try:
        with engine.execution_options(**{WRITE_OPTION: False}).connect() as conn, conn.begin():
            yield conn
    except DBAPIError as exc:
        raise _as_sentence(engine, exc) from exc


def _processed(values: Sequence[Any], process: Callable[[Any], Any]) -> Sequence[Any]:
    """``process`` applied to every non-None value, once per distinct value.

    Rows share values (one "now" instant, due dates, False), so this saves most calls.
    Datetimes count as the same when equal with the same tzinfo and fold (then every field
    matches); anything else only when it is the very same object.
    """
    by_id = {id(value): value for value in values}
    if len(by_id) == 1 and values[0] is None:
        return values
    by_value: dict[Any, Any] = {}
    done: dict[int, Any] = {}
    for key, value in by_id.items():
        if value is None:
            done[key] = None
            continue
        same = (value, value.tzinfo, value.fold) if type(value) is datetime else key
        if same not in by_value:
            by_value[same] = process(value)
        done[key] = by_value[same]
    return [done[id(value)] for value in values]


def insert_many(connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]) -> None:
    """Bulk INSERT ``rows`` (all with the same keys) into ``table`` with one DBAPI executemany.

    Stores exactly what ``connection.execute(insert(table), rows)`` stores: the statement is
    compiled from ``insert(table)`` and every value goes through its column type's own bind
    processor (e.g. ``UTCDateTime``). What it skips is SQLAlchemy's per-row parameter
    building, which dominated big imports (its Python cost fell about 4x at 50,000 rows).
    No ORM events fire (as with a Core insert). If the statement would need column defaults
    for columns missing from the rows, it falls back to the ordinary Core insert.
    """
    if not rows:
        return
    if "site" in table.c and rows[0].get("site") is None:
        site = site_of(connection)  # rows built from models carry site=None: stamp them
        rows = [{**row, "site": site} for row in rows]
    names = list(rows[0])
    if connection.dialect.name == "postgresql":
        _insert_many_server(connection, table, rows)
        return
    compiled = insert(table).compile(dialect=connection.dialect, column_keys=names)
    order = list(compiled.positiontup or ())
    if sorted(order) != sorted(names):
        connection.execute(insert(table), list(rows))
        return
    dialect = connection.dialect
    processors = [
        (index, process)
        for index, name in enumerate(order)
        if (process := table.c[name].type.dialect_impl(dialect).bind_processor(dialect))
    ]
    params: list[tuple[Any, ...]] = list(map(itemgetter(*order), rows))
    if len(order) == 1:
        params = [(value,) for value in params]
    if processors:
        columns = list(zip(*params, strict=True))
        for index, process in processors:
            columns[index] = _processed(columns[index], process)
        params = list(zip(*columns, strict=True))
    connection.exec_driver_sql(compiled.string, params)


def _insert_many_server(
    connection: Connection, table: Table, rows: Sequence[Mapping[str, Any]]
) -> None:
    """PostgreSQL's bulk insert (psycopg's executemany). A bulk path may hand SQLite's stored
    forms (instants as text, booleans as 1/0, through a copy of the table with plain columns):
    text goes untyped (the server reads it as the column's type) and 1/0 become booleans for
    the real table's boolean columns. Then, if rows carried ids the table's id sequence has
    not given yet, it is moved past them (ids from :func:`reserve_ids` it gave already)."""
    from sqlalchemy import JSON, Boolean, column
    from sqlalchemy import table as table_clause
    from sqlmodel import SQLModel

    real = SQLModel.metadata.tables.get(table.name, table)
    if real is not table:
        flags = [c.name for c in real.c if isinstance(c.type, Boolean) and c.name in rows[0]]
        if flags:
            rows = [
                {**row, **{f: None if row[f] is None else bool(row[f]) for f in flags}}
                for row in rows
            ]
        # A column the given table still types as JSON keeps its type (a Python list must
        # arrive as JSON, not as an array); the rest go untyped (stored forms: text the
        # server reads as the column's type).
        target: Any = table_clause(
            table.name,
            *(
                column(name, table.c[name].type)
                if name in table.c and isinstance(table.c[name].type, JSON)
                else column(name)
                for name in rows[0]
            ),
        )
    else:
        target = table
    connection.execute(insert(target), list(rows))
    highest = max((int(row["id"]) for row in rows if row.get("id") is not None), default=None)
    if highest is not None and "id" in real.c:
        # ids from reserve_ids are behind the sequence already: it never moves back
        connection.exec_driver_sql(
            "SELECT setval(s, %(n)s) FROM (SELECT pg_get_serial_sequence(%(t)s, 'id')::regclass"
            " AS s) q WHERE coalesce(pg_sequence_last_value(s), 0) < %(n)s",
            {"t": real.name, "n": highest},
        )


RESERVED_KEY = "cipco_reserved_ids"  # session.info: {table: highest id reserved} (SQLite)


def reserve_ids(session: Session, model: Any, n: int) -> list[int]:
    """``n`` new ids for rows of ``model``'s table that a bulk insert will give explicitly
    (ascending; inside the caller's write unit of work).

    On PostgreSQL they come from the table's own sequence (``nextval``, n of them in one
    round trip): no other login, site or ordinary insert can be given them, whatever rows
    it can see (row-level security hides other sites' rows from ``max(id)``). On SQLite
    the unit of work holds the file's write lock: the ids follow the highest in the table
    and any reserved before in this unit of work. There, an ordinary insert takes the
    highest id + 1, so write the reserved rows before one, and reserve again after it.
    """
    if n <= 0:
        return []
    table = model.__table__ if hasattr(model, "__table__") else model
    connection = session.connection()
    if is_server(connection):
        found = connection.exec_driver_sql(
            "SELECT nextval(pg_get_serial_sequence(%(t)s, 'id')) FROM generate_series(1, %(n)s)",
            {"t": table.name, "n": n},
        )
        return sorted(int(value) for (value,) in found)
    reserved: dict[str, int] = session.info.setdefault(RESERVED_KEY, {})
    highest = session.scalar(select(func.max(table.c.id)))  # autoflush: pending rows count
    start = max(int(highest or 0), reserved.get(table.name, 0)) + 1
    reserved[table.name] = start + n - 1
    return list(range(start, start + n))


def unreserve_ids(session: Session, model: Any, unused: Sequence[int]) -> None:
    """Give back the tail of the last :func:`reserve_ids` of ``model`` that was not used, so
    SQLite numbers on without a gap (on PostgreSQL a sequence never goes back: a gap)."""
    table = model.__table__ if hasattr(model, "__table__") else model
    reserved = session.info.get(RESERVED_KEY, {})
    if unused and reserved.get(table.name) == unused[-1]:
        reserved[table.name] = unused[0] - 1


class DataVersionWatcher:
    """Tells whether another connection has written to the file since the last look.

    ``PRAGMA data_version`` changes when *another* connection commits; it costs microseconds.
    Keep one watcher per process and call :meth:`changed` from a timer.
    """

    def __init__(self, path: Path | str) -> None:
        # Read-only and never created: the watcher only asks whether the file changed.
        self._conn = sqlite3.connect(read_uri(Path(path)), uri=True, check_same_thread=False)
        self._last = self._read()

    def _read(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def changed(self) -> bool:
        current = self._read()
        if current != self._last:
            self._last = current
            return True
        return False

    def close(self) -> None:
        self._conn.close()


class ChangeWatcher(Protocol):
    """:class:`DataVersionWatcher` (a SQLite file) or :class:`cipco.dbserver.NotifyWatcher`."""

    def changed(self) -> bool: ...

    def close(self) -> None: ...


def change_watcher(engine: Engine) -> ChangeWatcher:
    """A watcher telling whether anyone committed a change since the last look: ``PRAGMA
    data_version`` on a SQLite file, LISTEN/NOTIFY for the engine's site on a server."""
    if is_server(engine):
        from cipco.dbserver import NotifyWatcher

        site = site_of(engine)
        return NotifyWatcher(engine, frozenset({site}) if site else None)
    return DataVersionWatcher(engine.url.database or "")


# ---------------------------------------------------------------- bytes stored in the file

CHUNK_BYTES = 1024 * 1024
"""How much of a stored file one row holds: large files stream in and out a piece at a
time, never whole in memory (the same rows port to PostgreSQL's ``bytea``)."""


def write_chunks(
    connection: Connection,
    table: Table,
    key: Mapping[str, Any],
    chunks: Iterable[bytes],
    *,
    seq: str = "seq",
    data: str = "data",
) -> int:
    """Insert each of ``chunks`` as one row of ``table`` (``key`` values, its number in
    ``seq`` from 0, its bytes in ``data``), one at a time. Returns how many."""
    statement = insert(table)
    count = 0
    for number, chunk in enumerate(chunks):
        connection.execute(statement, {**key, seq: number, data: chunk})
        count += 1
    return count


def read_chunks(
    connection: Connection,
    table: Table,
    key: Mapping[str, Any],
    *,
    seq: str = "seq",
    data: str = "data",
) -> Iterator[bytes]:
    """The ``data`` of ``table``'s rows matching ``key``, in ``seq`` order, a row at a time
    (one chunk in memory however large the whole)."""
    from sqlalchemy import select

    statement = select(table.c[data]).order_by(table.c[seq])
    for name, value in key.items():
        statement = statement.where(table.c[name] == value)
    result = connection.execution_options(stream_results=True, yield_per=1).execute(statement)
    try:
        for (chunk,) in result:
            yield bytes(chunk)
    finally:
        result.close()
