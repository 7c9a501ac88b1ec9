"""What the path given as the data file is, found out without changing anything.

Every check here reads only: the file's status, its first 100 bytes, and (for a SQLite file)
a peek through a read-only or immutable connection that creates no ``-wal``/``-shm``. Nothing
is created, chmodded or switched to WAL until the file is known to be a cipco database that
may be written.

- ``Access.READ``: the file must exist and be a cipco database at this cipco's schema; it is
  opened read-only (``mode=ro``), or ``immutable`` when nobody can write it (a read-only file
  or folder without a ``-wal``): an archived copy.
- ``Access.WRITE``: the file must exist, be a cipco database and be writable with its folder.
- ``Access.CREATE``: as WRITE, or a new file in a folder that exists.
"""

from __future__ import annotations

import contextlib
import enum
import functools
import os
import re
import sqlite3
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from cipco.dberrors import DatabaseError, DatabasePathError, DatabaseTooNew, os_reason

APPLICATION_ID = 0x43495043  # "CIPC": marks a SQLite file as a cipco database
SQLITE_HEADER = b"SQLite format 3\x00"
_APPLICATION_ID_OFFSET = 68
_HEADER_SIZE = 100
_ANY_WRITE_BIT = 0o222
READ_COMMANDS = "export, report, verify, ledger"


class Access(enum.Enum):
    READ = "read"
    WRITE = "write"
    CREATE = "create"


@dataclass(frozen=True)
class Peek:
    """What a SQLite file holds, read without changing it."""

    application_id: int
    revision: str | None
    tables: int


@dataclass(frozen=True)
class Opening:
    """How to open the data file: the checks passed."""

    path: Path
    exists: bool
    read_only: bool = False  # open with mode=ro (never written)
    immutable: bool = False  # open with immutable=1 (nobody can write it; no locks)
    revision: str | None = None


def _writable(path: Path, info: os.stat_result) -> bool:
    """Writable by us and not marked read-only (a root user is not let past a 0400 file)."""
    return bool(info.st_mode & _ANY_WRITE_BIT) and os.access(path, os.W_OK)


def companion(path: Path, tail: str) -> Path:
    return path.with_name(path.name + tail)


# How long one attempt to take the write lock waits inside SQLite before cipco says it is
# waiting (and between its checks of the overall limit).
BUSY_STEP_SECONDS = 1.0
# A read-only connection changes nothing, not even the journal mode.
READ_PRAGMAS = (
    "PRAGMA query_only=ON",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={int(BUSY_STEP_SECONDS * 1000)}",
)


def sqlite_connection(
    uri: str, pragmas: Sequence[str], *, threads: bool = False
) -> sqlite3.Connection:
    """A DB-API connection to ``uri`` with cipco's ``pragmas``, in autocommit mode (the
    caller begins its transactions); ``threads`` lets a pool hand it between threads."""
    connection = sqlite3.connect(
        uri, uri=True, check_same_thread=not threads, timeout=BUSY_STEP_SECONDS
    )
    connection.isolation_level = None
    for pragma in pragmas:
        connection.execute(pragma)
    return connection


@contextlib.contextmanager
def plain_read(path: Path) -> Iterator[sqlite3.Connection]:
    """A data file read in one snapshot over the DB-API, for a command that needs only a few
    plain rows (``cipco settings``, ``cipco verify`` on a file with nothing to verify):
    SQLAlchemy is never loaded. The same checks as a read-only engine (:func:`check`, the
    schema at this cipco's head; a missing file is not created) and the same tidying after.
    """
    opening = check(path, Access.READ)
    check_read_schema(opening)
    tidy = not opening.immutable and not companion(path, "-wal").exists()
    connection = sqlite_connection(read_uri(path, immutable=opening.immutable), READ_PRAGMAS)
    try:
        connection.execute("BEGIN")
        yield connection
    finally:
        connection.close()
        if tidy:
            remove_empty_companions(path)


def remove_empty_companions(path: Path) -> None:
    """Remove the empty ``-wal``/``-shm`` a read-only reading made.

    SQLite's read-only connections create them but cannot remove them. When the ``-wal`` is
    still empty (nobody wrote meanwhile), a plain connection closing as the last one removes
    both, the way SQLite always does; it has nothing to fold into the file, so the file is
    not changed. If another cipco has the file open, they stay (it is using them).
    """
    wal = companion(path, "-wal")
    try:
        if not wal.exists() or wal.stat().st_size != 0:
            return
        conn = sqlite3.connect(write_uri(path), uri=True, timeout=0)
    except (OSError, sqlite3.Error):
        return
    try:
        conn.execute("PRAGMA schema_version").fetchone()
    except sqlite3.Error:
        pass
    finally:
        conn.close()


def read_uri(path: Path, *, immutable: bool = False) -> str:
    """A SQLite URI that opens ``path`` read-only and never creates it."""
    quoted = quote(str(path.absolute()), safe="/")
    return f"file:{quoted}?{'immutable=1' if immutable else 'mode=ro'}"


def write_uri(path: Path) -> str:
    """A SQLite URI that opens an existing ``path`` read-write and never creates it."""
    return f"file:{quote(str(path.absolute()), safe='/')}?mode=rw"


def peek(path: Path) -> Peek:
    """Application id, alembic revision and table count, read without writing anything.

    With no ``-wal`` beside the file nothing uncommitted exists, so an immutable open reads
    it without creating ``-wal``/``-shm``; otherwise a read-only open sees the WAL too.
    Raises ``sqlite3.DatabaseError`` for a file SQLite cannot read.
    """
    has_wal = companion(path, "-wal").exists()
    conn = sqlite3.connect(read_uri(path, immutable=not has_wal), uri=True)
    try:
        application_id = int(conn.execute("PRAGMA application_id").fetchone()[0])
        names = {
            row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
        }
        revision = None
        if "alembic_version" in names:
            row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = str(row[0]) if row else None
        return Peek(application_id, revision, len(names))
    finally:
        conn.close()


def _refuse(message: str) -> DatabasePathError:
    return DatabasePathError(message)


def _check_new(path: Path, access: Access, make_folder: bool) -> Opening:
    if access is Access.READ:
        raise _refuse(f"there is no database at {path}: the file does not exist")
    if access is Access.WRITE:
        raise _refuse(
            f"there is no database at {path}: the file does not exist "
            "(the app, cipco demo and cipco import create one)"
        )
    if path.is_symlink():
        raise _refuse(f"{path} is a link to a file that does not exist; nothing was created")
    folder = path.parent
    if not folder.exists():
        if not make_folder:
            raise _refuse(
                f"the folder {folder} does not exist; create it first or choose another path"
            )
        from cipco.outputs import make_private_dir

        try:
            make_private_dir(folder)
        except OSError as exc:
            raise _refuse(f"cannot create the folder {folder}: {os_reason(exc)}") from None
    if not folder.is_dir():
        raise _refuse(f"{folder} is not a folder")
    folder_info = folder.stat()
    if not _writable(folder, folder_info):
        raise _refuse(f"cannot create a database in {folder}: the folder is read-only")
    return Opening(path, exists=False)


def check(path: Path, access: Access, *, make_folder: bool = False) -> Opening:
    """Check ``path`` for ``access`` without changing anything. Raises :class:`DatabaseError`.

    ``make_folder`` lets CREATE make a missing folder (only for cipco's own data folder).
    """
    if str(path) in ("", "."):
        raise _refuse("the database path is empty: give a file name")
    try:
        info = path.stat()
    except FileNotFoundError:
        return _check_new(path, access, make_folder)
    except NotADirectoryError:
        raise _refuse(f"there is no database at {path}: {path.parent} is not a folder") from None
    except OSError as exc:
        raise _refuse(f"cannot open {path}: {os_reason(exc)}") from None
    if stat.S_ISDIR(info.st_mode):
        raise _refuse(f"{path} is a folder, not a database file; nothing was changed")
    if not stat.S_ISREG(info.st_mode):
        raise _refuse(f"{path} is not a regular file; nothing was changed")
    try:
        with path.open("rb") as handle:
            header = handle.read(_HEADER_SIZE)
    except OSError as exc:
        raise _refuse(f"cannot read {path}: {os_reason(exc)}") from None
    if not header:
        raise _refuse(f"{path} is an empty file, not a cipco database; it was not changed")
    if not header.startswith(SQLITE_HEADER):
        raise _refuse(f"{path} is not a cipco database (not a SQLite file); it was not changed")
    header_id = int.from_bytes(header[_APPLICATION_ID_OFFSET : _APPLICATION_ID_OFFSET + 4], "big")
    has_wal = companion(path, "-wal").exists()
    if header_id != APPLICATION_ID and not has_wal:
        # Another program's SQLite file: refused on its header alone, never opened.
        raise _refuse(f"{path} is not a cipco database; it was not changed")
    try:
        facts = peek(path)
    except sqlite3.Error:
        raise DatabaseError(
            f"{path} cannot be read as a SQLite database (damaged, or an unfinished -wal "
            "file in a read-only folder); it was not changed"
        ) from None
    _check_is_cipco(path, facts)
    file_ok = _writable(path, info)
    folder_ok = _writable(path.parent, path.parent.stat())
    if access is not Access.READ:
        if not file_ok:
            raise _refuse(
                f"{path} is read-only: commands that only read ({READ_COMMANDS}) can use it, "
                "this one saves changes; nothing was changed"
            )
        if not folder_ok:
            raise _refuse(
                f"cannot save to {path}: its folder is read-only (commands that only read "
                f"can use it); nothing was changed"
            )
        return Opening(path, exists=True, revision=facts.revision)
    immutable = not (file_ok and folder_ok) and not has_wal
    return Opening(path, True, read_only=True, immutable=immutable, revision=facts.revision)


VERSIONS = Path(__file__).resolve().parent / "migrations" / "versions"
_REVISION_LINE = re.compile(r"^(down_revision|revision)\b[^=\n]*=\s*(?:\"([^\"]+)\"|None)", re.M)


@functools.cache
def _revision_graph() -> dict[str, str | None]:
    """Each migration's revision and the one it follows, read from the version files' own
    ``revision = "…"`` / ``down_revision = "…"`` lines (no alembic import: opening a file
    already at head loads none of the migration machinery; a test checks alembic agrees)."""
    graph: dict[str, str | None] = {}
    for script in sorted(VERSIONS.glob("*.py")):
        found = dict(
            (key, value or None) for key, value in _REVISION_LINE.findall(script.read_text())
        )
        if found.get("revision"):
            graph[str(found["revision"])] = found.get("down_revision")
    return graph


def head_revision() -> str:
    """The newest schema revision this cipco knows (the one no migration follows)."""
    graph = _revision_graph()
    followed = {down for down in graph.values() if down is not None}
    heads = sorted(set(graph) - followed)
    assert len(heads) == 1, f"migrations must form one line, found heads {heads}"
    return heads[0]


def known_revisions() -> frozenset[str]:
    return frozenset(_revision_graph())


def _check_is_cipco(path: Path, facts: Peek) -> None:
    known = known_revisions()
    if facts.application_id != APPLICATION_ID and facts.revision not in known:
        raise _refuse(f"{path} is not a cipco database; it was not changed")
    if facts.revision is not None and facts.revision not in known:
        raise DatabaseTooNew(
            f"{path} was written by a newer version of cipco (schema {facts.revision}); "
            f"this version knows up to {head_revision()}. Update cipco to open it. "
            "The file was not changed."
        )


def check_read_schema(opening: Opening) -> None:
    """A file opened read-only must already be at this cipco's schema (nothing is migrated)."""
    if opening.revision != head_revision():
        raise DatabaseError(
            f"{opening.path} was written by an older cipco (schema {opening.revision}): open it "
            "once with a command that saves (e.g. cipco) to upgrade it, a backup is taken "
            "first; for a read-only copy, copy it to a writable folder first"
        )
