"""The data file as a whole: open it as asked, create it, migrate it, back it up, restore it.

- :func:`open_database` checks the path first (:mod:`cipco.dbfile`: nothing is created,
  chmodded or switched to WAL before the file is known to be a cipco database that may be
  written), then opens it read-only or read-write.
- A new file is built beside its final name (``.cipco-new-….db``, 0600), migrated, and
  linked into place only when complete: a crash never leaves half a database.
- :func:`backup` writes through the output contract (a private temporary file moved into
  place, never replacing a file); a failure leaves nothing behind.
- :func:`restore` checks the candidate fully (a cipco file, ``integrity_check``, a schema
  this cipco knows) before anything is replaced.
"""

from __future__ import annotations

import contextlib
import errno
import os
import sqlite3
import tempfile
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from cipco import private_temp
from cipco.config import ServerDb, as_location
from cipco.db import (
    WRITE_OPTION,
    WaitEvent,
    WaitListener,
    make_engine,
    on_write_wait,
    write_policy,
)
from cipco.dberrors import (
    SQLITE_BUSY,
    SQLITE_FULL,
    SQLITE_IOERR,
    SQLITE_LOCKED,
    DatabaseBusy,
    DatabaseError,
    DatabasePathError,
    DatabaseTooNew,
    os_reason,
    reason,
    sqlite_code,
)
from cipco.dbfile import (
    APPLICATION_ID,
    Access,
    Opening,
    check,
    check_read_schema,
    companion,
    head_revision,
    known_revisions,
    peek,
    read_uri,
    remove_empty_companions,
    write_uri,
)
from cipco.outputs import OutputError, OutputTarget, link_into_place, write_output

OWNER_ONLY_FILE = 0o600


@dataclass(frozen=True)
class Opened:
    """An engine on the data file, and what opening it did."""

    engine: Engine
    path: Path | ServerDb
    read_only: bool = False
    created: bool = False
    migrated: bool = False
    backup: Path | None = None  # the copy taken before an upgrade
    tidy: bool = False  # read-only open that may leave empty -wal/-shm: see tidy_after_read


# ---------------------------------------------------------------- migrations


def _alembic_config(engine: Engine) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", "cipco:migrations")
    config.attributes["engine"] = engine
    return config


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.execution_options(**{WRITE_OPTION: False}).connect() as conn:  # a snapshot
        return MigrationContext.configure(conn).get_current_revision()


def is_cipco_database(path: Path) -> bool:
    """True if ``path`` is a SQLite file that cipco created (read without changing it)."""
    try:
        if not path.is_file() or path.stat().st_size == 0:
            return False
        facts = peek(path)
    except (OSError, sqlite3.Error):
        return False
    return facts.application_id == APPLICATION_ID or facts.revision in known_revisions()


def _check_migratable(path: Path) -> None:
    """Refuse a foreign or newer file before any connection that could write touches it."""
    if not path.exists() or path.stat().st_size == 0:
        return  # a new, empty file
    try:
        facts = peek(path)
    except sqlite3.Error:
        raise DatabaseError(
            f"{path} is not a readable SQLite database; it was not changed"
        ) from None
    known = known_revisions()
    if facts.revision is not None and facts.revision not in known:
        raise DatabaseTooNew(
            f"{path} was written by a newer version of cipco (schema {facts.revision}); "
            f"this version knows up to {head_revision()}. Update cipco to open it. "
            "The file was not changed."
        )
    if facts.application_id != APPLICATION_ID and facts.revision is None and facts.tables:
        raise DatabasePathError(f"{path} is not a cipco database. The file was not changed.")


def migrate(engine: Engine, *, backup_dir: Path | None = None) -> Path | None:
    """Bring the database up to this cipco's schema.

    A file written by a newer cipco, or by another program, is refused untouched. Before
    upgrading a file that has data, a dated backup is taken; its path is returned.
    """
    from alembic import command

    path = Path(engine.url.database or "")
    _check_migratable(path)
    revision = current_revision(engine)
    head = head_revision()
    if revision == head:
        keep_index_in_step(engine)
        return None
    backup_path = None
    if revision is not None:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target_dir = backup_dir or path.parent
        backup_path = backup(engine, target_dir / f"{path.stem}-before-{head}-{stamp}.db")
    command.upgrade(_alembic_config(engine), "head")
    with engine.begin() as conn:
        conn.exec_driver_sql(f"PRAGMA application_id={APPLICATION_ID}")
    keep_index_in_step(engine)
    return backup_path


def keep_index_in_step(engine: Engine) -> list[str]:
    """Install the search index's triggers and rows where the declaration changed or a table
    rebuild dropped them (:func:`cipco.fts.ensure`); looked at in a snapshot first, so a file
    already in step costs one read and takes no write lock. Returns the lists rebuilt."""
    from cipco import fts
    from cipco.search_docs import DOCS

    with engine.execution_options(**{WRITE_OPTION: False}).connect() as conn:
        if not fts.needs_work(conn, DOCS):
            return []
    with engine.begin() as conn:
        return fts.ensure(conn, DOCS)


# ---------------------------------------------------------------- opening


def _place(temp: Path, final: Path) -> bool:
    """Move the finished ``temp`` to ``final`` unless ``final`` exists. False if it does."""
    linked = link_into_place(temp, final)
    if linked is not None:
        return linked
    if final.exists():  # no hard links here: the tiny window before rename is accepted
        return False
    os.rename(temp, final)
    return True


def _remove_with_companions(path: Path) -> None:
    for candidate in (path, *(companion(path, tail) for tail in ("-wal", "-shm", "-journal"))):
        with contextlib.suppress(OSError):
            candidate.unlink(missing_ok=True)


def create_database(path: Path) -> bool:
    """Build a new, migrated database and move it to ``path``. False if ``path`` appeared.

    The file is built as ``.cipco-new-….db`` (0600) beside ``path`` so a crash or a full
    disk never leaves half a database under the real name (the next cipco removes it).
    """
    try:
        fd, name = tempfile.mkstemp(prefix=".cipco-new-", suffix=".db", dir=path.parent)
    except OSError as exc:
        raise DatabasePathError(
            f"cannot create a database in {path.parent}: {os_reason(exc)}"
        ) from None
    os.close(fd)
    temp = private_temp.track(Path(name))  # if cipco is killed, removed at next start
    try:
        os.chmod(temp, OWNER_ONLY_FILE)
        engine = make_engine(temp, create=False)
        try:
            migrate(engine)
        finally:
            engine.dispose()  # the last connection folds the WAL into the file
        os.chmod(temp, OWNER_ONLY_FILE)
        return _place(temp, path)
    except Exception as exc:
        why = reason(exc)
        if why is None:
            raise
        raise DatabaseError(f"cannot create {path}: {why}; nothing was created") from None
    finally:
        _remove_with_companions(temp)


def open_database(
    path: Path | str | ServerDb,
    access: Access = Access.CREATE,
    *,
    make_folder: bool = True,
    on_wait: WaitListener | None = None,
) -> Opened:
    """Check ``path`` for ``access`` and open it: read-only, or created/migrated and ready.

    Raises :class:`DatabaseError` (one sentence) before anything is changed. ``on_wait``
    hears about waits for another writer from the first one (an upgrade) on.
    """
    location = as_location(path)
    if isinstance(location, ServerDb):
        return open_server(location, access, on_wait=on_wait)
    db_path = location
    opening = check(db_path, access, make_folder=make_folder)
    created = False
    if not opening.exists:
        created = create_database(db_path)
        opening = check(db_path, access) if not created else Opening(db_path, exists=True)
    if access is Access.READ:
        check_read_schema(opening)
        tidy = not opening.immutable and not companion(db_path, "-wal").exists()
        engine = make_engine(db_path, read_only=True, immutable=opening.immutable)
        return Opened(engine, db_path, read_only=True, tidy=tidy)
    engine = make_engine(db_path, create=False)
    if on_wait is not None:
        on_write_wait(engine, on_wait)
    try:
        if created or opening.revision == head_revision():
            # Already at head (read from the file's header check): no migration machinery
            # is imported; only the search index is looked at.
            keep_index_in_step(engine)
            return Opened(engine, db_path, created=created)
        before = current_revision(engine)
        backup_path = migrate(engine)
    except BaseException:
        engine.dispose()
        raise
    return Opened(
        engine, db_path, created=created, migrated=before != head_revision(), backup=backup_path
    )


# ---------------------------------------------------------------- a database server


def server_schema_problem(revision: str | None, where: str) -> str | None:
    """Why a coordinator cannot work on a server whose schema is at ``revision`` (None: fine).

    On a server the schema is the owner's to change (``cipco server migrate``): a coordinator's
    start never migrates it, it says so instead.
    """
    head = head_revision()
    if revision == head:
        return None
    if revision is None:
        return (
            f"{where} holds no cipco tables yet: the region's database owner runs "
            "cipco server migrate first"
        )
    if revision not in known_revisions():
        return (
            f"{where} was set up by a newer version of cipco (schema {revision}); this version "
            f"knows up to {head}. Update cipco to use it."
        )
    return (
        f"{where} is at schema {revision} and this cipco needs {head}: the region's database "
        "owner runs cipco server migrate (coordinators' logins never change the schema)"
    )


def open_server(
    location: ServerDb, access: Access = Access.WRITE, *, on_wait: WaitListener | None = None
) -> Opened:
    """Connect to the PostgreSQL database ``location`` names, at this cipco's schema.

    Nothing is created or migrated (that is ``cipco server migrate``, run by the owner); a
    server that cannot be reached, refuses the login or is at another schema is refused in
    one sentence. ``Access.READ`` makes every unit of work a read-only snapshot.
    """
    from sqlalchemy.exc import DBAPIError

    from cipco import fts
    from cipco.search_docs import DOCS

    read_only = access is Access.READ
    engine = make_engine(location, read_only=read_only)
    if on_wait is not None:
        on_write_wait(engine, on_wait)
    try:
        revision = current_revision(engine)
        problem = server_schema_problem(revision, str(location))
        if problem is None:
            with engine.execution_options(**{WRITE_OPTION: False}).connect() as conn:
                if fts.needs_work(conn, DOCS):
                    problem = (
                        f"the search index on {location} is behind this cipco: the region's "
                        "database owner runs cipco server migrate"
                    )
    except DBAPIError as exc:
        engine.dispose()
        why = reason(exc) or "the server reported an error"
        raise DatabaseError(f"cannot use {location}: {why}") from None
    except BaseException:
        engine.dispose()
        raise
    if problem is not None:
        engine.dispose()
        raise DatabaseError(problem)
    return Opened(engine, location, read_only=read_only)


def migrate_server(location: ServerDb | str | Engine) -> tuple[str | None, str]:
    """Bring a PostgreSQL database to this cipco's schema and search index (the owner's
    command, ``cipco server migrate``; one transaction: all of it or nothing).

    Returns (revision before, revision after). A database set up by a newer cipco is refused
    untouched. No backup is taken: a server's backups are the server's own (pg_dump).
    """
    from alembic import command

    if isinstance(location, Engine):
        engine, owned = location, False
    else:
        engine, owned = make_engine(as_location(location)), True
    try:
        before = current_revision(engine)
        if before is not None and before not in known_revisions():
            raise DatabaseTooNew(server_schema_problem(before, str(engine.url.database)) or "")
        if before != head_revision():
            command.upgrade(_alembic_config(engine), "head")
        keep_index_in_step(engine)
        return before, head_revision()
    finally:
        if owned:
            engine.dispose()


def tidy_after_read(engine: Engine, path: Path) -> None:
    """Close a read-only engine and remove the empty ``-wal``/``-shm`` its reading made
    (:func:`cipco.dbfile.remove_empty_companions`)."""
    engine.dispose()
    remove_empty_companions(path)


# ---------------------------------------------------------------- backup and restore


def _copy(source: sqlite3.Connection, destination: Path) -> None:
    """Copy ``source`` into the new file ``destination`` with SQLite's online backup API.

    A full disk or a write error becomes an ``OSError``, so the output contract says so in
    one sentence and removes the unfinished file.
    """
    target = sqlite3.connect(destination)
    try:
        source.backup(target)
    except sqlite3.Error as exc:
        code = sqlite_code(exc)
        if code == SQLITE_FULL:
            raise OSError(errno.ENOSPC, "disk full") from None
        if code == SQLITE_IOERR:
            raise OSError(errno.EIO, "write error") from None
        raise
    finally:
        target.close()
        for tail in ("-journal", "-wal", "-shm"):
            with contextlib.suppress(OSError):
                companion(destination, tail).unlink(missing_ok=True)


def backup_to(engine: Engine, target: OutputTarget) -> Path:
    """Copy the database to ``target`` (output contract: private temp file, never a replace)."""
    raw = engine.raw_connection()
    try:
        source = raw.driver_connection
        assert isinstance(source, sqlite3.Connection)
        return write_output(target, lambda temp: _copy(source, temp))
    finally:
        raw.close()


def backup(engine: Engine, destination: Path) -> Path:
    """Copy the live database to ``destination`` (0600); an existing file is never replaced."""
    destination = Path(destination)
    if destination.exists():
        raise DatabaseError(f"{destination} already exists; choose another name")
    try:
        return backup_to(engine, OutputTarget(destination, explicit=True))
    except OutputError as exc:
        raise DatabaseError(str(exc)) from None


def check_backup(source: Path) -> str | None:
    """Refuse a restore candidate that is not a whole cipco database this cipco can open.

    Checks, without changing it: a cipco file (application id), ``PRAGMA integrity_check``,
    and a schema revision this cipco knows. Returns that revision.
    """
    opening = check(source, Access.READ)
    if opening.revision is None:
        raise DatabasePathError(f"{source} is not a cipco database; nothing was changed")
    # A backup nobody has open (no -wal): read as immutable, so no -wal/-shm appear beside it.
    immutable = not companion(source, "-wal").exists()
    conn = sqlite3.connect(read_uri(source, immutable=immutable), uri=True)
    try:
        result = [row[0] for row in conn.execute("PRAGMA integrity_check(5)")]
        if conn.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise DatabasePathError(f"{source} is not a cipco database; nothing was changed")
    except sqlite3.Error:
        result = ["unreadable"]
    finally:
        conn.close()
    if result != ["ok"]:
        raise DatabaseError(
            f"{source} is damaged (SQLite's integrity check failed); nothing was changed"
        )
    return opening.revision


def restore(source: Path, target: Path, *, wait: Engine | None = None) -> None:
    """Replace the content of ``target`` with ``source``'s, after :func:`check_backup`.

    A missing ``target`` is created whole (built beside it, then moved into place). An
    existing one is overwritten in place with SQLite's backup API, so a cipco open on it in
    another window sees the restored data; while another program writes to it, the restore
    waits as ``wait``'s write policy says (then raises :class:`DatabaseBusy`).
    """
    check_backup(source)
    src = sqlite3.connect(
        read_uri(source, immutable=not companion(source, "-wal").exists()), uri=True
    )
    try:
        if not target.exists():
            written = write_output(
                OutputTarget(target, explicit=True), lambda temp: _copy(src, temp)
            )
            os.chmod(written, OWNER_ONLY_FILE)
            return
        _restore_in_place(src, target, wait)
    finally:
        src.close()


def _restore_in_place(src: sqlite3.Connection, target: Path, wait: Engine | None) -> None:
    limit = write_policy(wait).seconds if wait is not None else 60.0
    started = time.monotonic()
    told = False

    def progress(status: int, _remaining: int, _total: int) -> None:
        nonlocal told
        if status not in (SQLITE_BUSY, SQLITE_LOCKED):
            return
        waited = time.monotonic() - started
        policy = write_policy(wait) if wait is not None else None
        if waited >= limit:
            if policy is not None:
                policy.tell(WaitEvent("gave_up", target, waited, limit))
            raise DatabaseBusy(
                f"nothing was restored: another cipco kept {target.name} busy writing for over "
                f"{limit:.0f} seconds; try again when it has finished"
            )
        if not told and policy is not None:
            told = True
            policy.tell(WaitEvent("waiting", target, waited, limit))

    dst = sqlite3.connect(write_uri(target), uri=True, timeout=1.0)
    try:
        src.backup(dst, progress=progress, sleep=0.1)
    finally:
        dst.close()
