"""The database: engine, PRAGMAs, sessions, migrations and backups.

This is the only module that holds SQL strings (PRAGMAs). Everything above it uses
SQLAlchemy/SQLModel expressions.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime
from operator import itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, insert
from sqlalchemy.pool import QueuePool
from sqlmodel import Session

from cipco.clock import Clock

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_DIR = 0o700
APPLICATION_ID = 0x43495043  # "CIPC": marks a SQLite file as a cipco database
# Execution option naming the site new rows belong to; "" while a file's prison is unassigned.
SITE_OPTION = "cipco_site"
UNASSIGNED = ""

_PRAGMAS = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=NORMAL",
    "PRAGMA foreign_keys=ON",
    "PRAGMA busy_timeout=5000",
)


class DatabaseError(Exception):
    """A database file cannot be used; the message says why and what to do."""


class DatabaseTooNew(DatabaseError):
    pass


def ensure_private_file(path: Path) -> None:
    """Create ``path`` (and its folder) readable by the owner only, if it does not exist."""
    if not path.parent.exists():
        path.parent.mkdir(parents=True, mode=OWNER_ONLY_DIR, exist_ok=True)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, OWNER_ONLY_FILE)
        os.close(fd)
    os.chmod(path, OWNER_ONLY_FILE)


def _on_connect(dbapi_connection: sqlite3.Connection, _record: Any) -> None:
    # Let SQLAlchemy manage transactions (pysqlite's own BEGIN handling is off).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    for pragma in _PRAGMAS:
        cursor.execute(pragma)
    cursor.close()


WRITE_OPTION = "cipco_write"


def _on_begin(conn: Any) -> None:
    # A unit of work that writes takes the write lock up front (IMMEDIATE), so two processes
    # queue instead of failing when a read transaction tries to become a write (WAL upgrade).
    # A read-only unit of work takes a WAL snapshot and blocks no one.
    if conn.get_execution_options().get(WRITE_OPTION, True):
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    else:
        conn.exec_driver_sql("BEGIN")


def make_engine(path: Path | str, *, create: bool = True) -> Engine:
    """An engine on the SQLite file ``path`` with cipco's PRAGMAs on every connection."""
    db_path = Path(path)
    if create:
        ensure_private_file(db_path)
    elif not db_path.exists():
        raise DatabaseError(f"No database at {db_path}")
    engine = create_engine(
        f"sqlite:///{db_path}",
        connect_args={"check_same_thread": False, "timeout": 5},
        # Keep a few connections open: each one's page cache stays warm between sessions.
        # A connection is used by one thread at a time (checked out), never shared.
        poolclass=QueuePool,
        pool_size=4,
        max_overflow=4,
        pool_pre_ping=False,
    )
    event.listen(engine, "connect", _on_connect)
    event.listen(engine, "begin", _on_begin)
    return engine


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

    ``write=True`` (the default) takes the write lock at the start; ``write=False`` reads a
    consistent snapshot without blocking anyone and refuses to flush changes. ``actor`` and
    ``clock`` ride in ``session.info`` for the audit listener.
    """
    session = Session(engine.execution_options(**{WRITE_OPTION: write}), expire_on_commit=False)
    session.info["actor"] = actor
    session.info["clock"] = clock
    if not write:
        event.listen(session, "before_flush", _refuse_writes)
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def read_scope(engine: Engine, *, clock: Clock | None = None) -> AbstractContextManager[Session]:
    """A read-only unit of work (a WAL snapshot): for lists, exports, reports, verify."""
    return session_scope(engine, clock=clock, write=False)


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


# ---------------------------------------------------------------- migrations


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "cipco:migrations")
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(create_engine("sqlite://")))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _known_revisions(engine: Engine) -> set[str]:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory.from_config(_alembic_config(engine))
    return {rev.revision for rev in script.walk_revisions()}


def _has_tables(path: Path) -> bool:
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()
    return bool(row and row[0])


def _application_id(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("PRAGMA application_id").fetchone()[0])


def is_cipco_database(path: Path) -> bool:
    """True if ``path`` is a SQLite file that cipco created."""
    try:
        if not path.is_file():
            return False
        return _application_id(path) == APPLICATION_ID
    except sqlite3.DatabaseError:
        return False


def migrate(engine: Engine, *, backup_dir: Path | None = None) -> Path | None:
    """Bring the database up to this cipco's schema.

    A file written by a newer cipco is refused untouched. Before upgrading a file that has
    data, a dated backup is taken; its path is returned.
    """
    from alembic import command

    path = Path(engine.url.database or "")
    try:
        revision = current_revision(engine)
    except Exception as exc:  # not SQLite, or corrupt
        raise DatabaseError(f"{path} is not a readable SQLite database: {exc}") from exc
    head = head_revision()
    if revision == head:
        return None
    if revision is not None and revision not in _known_revisions(engine):
        raise DatabaseTooNew(
            f"{path} was written by a newer version of cipco (schema {revision}); "
            f"this version knows up to {head}. Update cipco to open it. The file was not changed."
        )
    if revision is None and _has_tables(path) and not is_cipco_database(path):
        raise DatabaseError(f"{path} is not a cipco database. The file was not changed.")
    backup_path = None
    if revision is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target_dir = backup_dir or path.parent
        backup_path = backup(engine, target_dir / f"{path.stem}-before-{head}-{stamp}.db")
    command.upgrade(_alembic_config(engine), "head")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    return backup_path


def backup(engine: Engine, destination: Path) -> Path:
    """Copy the live database to ``destination`` with SQLite's online backup API (0600)."""
    source_path = Path(engine.url.database or "")
    destination = Path(destination)
    if destination.exists():
        raise DatabaseError(f"{destination} already exists; choose another name")
    ensure_private_file(destination)
    src = sqlite3.connect(source_path)
    dst = sqlite3.connect(destination)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()
    os.chmod(destination, OWNER_ONLY_FILE)
    return destination


def restore(source: Path, target: Path) -> None:
    """Replace ``target`` with the content of ``source`` using the online backup API."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        with dst:
            src.backup(dst)
    finally:
        dst.close()
        src.close()
    os.chmod(target, OWNER_ONLY_FILE)


class DataVersionWatcher:
    """Tells whether another connection has written to the file since the last look.

    ``PRAGMA data_version`` changes when *another* connection commits; it costs microseconds.
    Keep one watcher per process and call :meth:`changed` from a timer.
    """

    def __init__(self, path: Path | str) -> None:
        self._conn = sqlite3.connect(str(path), check_same_thread=False)
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


def open_database(path: Path | str) -> Engine:
    """Create or open the file at ``path``, migrated and ready."""
    engine = make_engine(Path(path))
    migrate(engine)
    return engine
