"""Why a database file cannot be used, in one sentence a user can act on.

Driver errors (SQLite, SQLAlchemy) carry the SQL and sometimes the values being saved; none of
that reaches the terminal. :func:`explain` turns any database or disk error into a sentence
built from the error's kind only, never from its text.

This module imports nothing heavy at import time, so the CLI can use it around every command.
"""

from __future__ import annotations

import errno
import os
import sys
from pathlib import Path

EXIT_PROBLEMS = 1
EXIT_USAGE = 2

# SQLite primary result codes (sqlite3.h).
SQLITE_ERROR = 1
SQLITE_PERM = 3
SQLITE_BUSY = 5
SQLITE_LOCKED = 6
SQLITE_NOMEM = 7
SQLITE_READONLY = 8
SQLITE_IOERR = 10
SQLITE_CORRUPT = 11
SQLITE_FULL = 13
SQLITE_CANTOPEN = 14
SQLITE_CONSTRAINT = 19
SQLITE_NOTADB = 26


class DatabaseError(Exception):
    """A database file cannot be used; the message says why and what to do."""

    exit_code = EXIT_PROBLEMS


class DatabasePathError(DatabaseError):
    """The path given as the data file cannot be used as asked (a usage problem)."""

    exit_code = EXIT_USAGE


class DatabaseTooNew(DatabaseError):
    """The file was written by a newer cipco."""


class DatabaseBusy(DatabaseError):
    """Another program kept the write lock for longer than cipco waits; nothing was saved."""


_BY_CODE = {
    SQLITE_BUSY: "another cipco is writing to this file",
    SQLITE_LOCKED: "another cipco is writing to this file",
    SQLITE_READONLY: "the file is read-only",
    SQLITE_PERM: "permission denied",
    SQLITE_IOERR: "the disk reported a read or write error",
    SQLITE_CORRUPT: "the file is damaged (restore a backup with cipco restore)",
    SQLITE_FULL: "the disk is full",
    SQLITE_CANTOPEN: "the file or its folder cannot be opened",
    SQLITE_NOTADB: "the file is not a SQLite database",
    SQLITE_NOMEM: "the computer ran out of memory",
    SQLITE_CONSTRAINT: "the change conflicts with the rules of the database",
}

_BY_TEXT = (
    ("locked", SQLITE_BUSY),
    ("readonly", SQLITE_READONLY),
    ("read-only", SQLITE_READONLY),
    ("disk is full", SQLITE_FULL),
    ("disk i/o", SQLITE_IOERR),
    ("malformed", SQLITE_CORRUPT),
    ("not a database", SQLITE_NOTADB),
    ("unable to open", SQLITE_CANTOPEN),
    ("constraint failed", SQLITE_CONSTRAINT),
    ("out of memory", SQLITE_NOMEM),
)

_OS_REASONS = {
    errno.ENOSPC: "the disk is full",
    errno.EDQUOT: "the disk quota is used up",
    errno.EFBIG: "the file is too large for the disk",
    errno.EACCES: "permission denied",
    errno.EPERM: "permission denied",
    errno.EROFS: "the disk is read-only",
    errno.ENAMETOOLONG: "the name is too long",
    errno.EIO: "the disk reported a read or write error",
    errno.ENOENT: "it does not exist",
}


def os_reason(exc: OSError) -> str:
    """A few words for an operating-system error: "the disk is full"."""
    return _OS_REASONS.get(exc.errno or 0) or exc.strerror or type(exc).__name__


# PostgreSQL SQLSTATEs (or their two-character classes) and what they mean to a user.
_SERVER_BUSY = frozenset({"55P03", "40001", "40P01"})  # lock timeout, serialization, deadlock
_SERVER_BY_STATE = (
    ("55P03", "another cipco is writing to this site"),
    ("40001", "another cipco is writing to this site"),
    ("40P01", "another cipco is writing to this site"),
    ("25006", "the login may only read"),
    ("42501", "permission denied: this login may not do that"),
    ("53100", "the server's disk is full"),
    ("53200", "the server ran out of memory"),
    ("3D000", "the database does not exist on the server"),
    ("28", "the server refused the login"),
    ("08", "the server cannot be reached"),
    ("57", "the server is shutting down or restarting"),
    ("23", "the change conflicts with the rules of the database"),
)
# A refused connection carries no SQLSTATE: what the server said, as words of our own (its
# text names the login and the database as given, so it is never shown).
_CONNECT_REFUSALS = (
    ("role ", "does not exist", "the server has no such login"),
    ("database ", "does not exist", "the database does not exist on the server"),
    ("password authentication failed", "", "the server refused the login's password"),
    ("no password supplied", "", "the login needs a password (put it in ~/.pgpass, 0600)"),
    ("pg_hba.conf", "", "the server does not let this login in from here (pg_hba.conf)"),
    ("permission denied for database", "", "this login may not connect to that database"),
    ("invalid ", "value", "an option in the address is not valid"),
    ("invalid connection option", "", "an option in the address is not valid"),
)
NUL_TEXT = "text with a NUL character, which the server cannot store"


def _server_error(exc: BaseException) -> BaseException | None:
    """The psycopg error inside a SQLAlchemy error, or ``exc`` if it is one (no import)."""
    for candidate in (exc, getattr(exc, "orig", None)):
        if candidate is not None and type(candidate).__module__.startswith("psycopg"):
            return candidate
    return None


def server_state(exc: BaseException) -> str | None:
    """The SQLSTATE of a PostgreSQL error ("" for a driver error without one), else None."""
    error = _server_error(exc)
    if error is None:
        return None
    return str(getattr(error, "sqlstate", None) or "")


def _server_reason(exc: BaseException) -> str | None:
    state = server_state(exc)
    if state is None:
        return None
    for prefix, words in _SERVER_BY_STATE:
        if state.startswith(prefix):
            return words
    error = _server_error(exc)
    if "NUL" in str(error):  # psycopg refuses the value before sending it
        return NUL_TEXT
    if type(error).__name__ == "OperationalError":
        said = str(error)
        for first, second, words in _CONNECT_REFUSALS:
            if first in said and second in said:
                return words
        return "the server cannot be reached"
    return "the server reported an error"


def _sqlite_error(exc: BaseException) -> BaseException | None:
    """The driver's own error inside a SQLAlchemy error, or ``exc`` if it is one."""
    import sqlite3

    if isinstance(exc, sqlite3.Error):
        return exc
    orig = getattr(exc, "orig", None)
    if isinstance(orig, sqlite3.Error):
        return orig
    return None


def sqlite_code(exc: BaseException) -> int | None:
    """The primary SQLite result code of a driver error (``SQLITE_BUSY`` …), if known."""
    error = _sqlite_error(exc)
    if error is None:
        return None
    code = getattr(error, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF
    text = str(error).lower()
    for needle, found in _BY_TEXT:
        if needle in text:
            return found
    return SQLITE_ERROR


def is_busy(exc: BaseException) -> bool:
    return sqlite_code(exc) in (SQLITE_BUSY, SQLITE_LOCKED) or server_state(exc) in _SERVER_BUSY


def reason(exc: BaseException) -> str | None:
    """A few words for a driver or disk error ("the disk is full"), or None for others."""
    code = sqlite_code(exc)
    if code is not None:
        return _BY_CODE.get(code, "the database reported an error")
    server = _server_reason(exc)
    if server is not None:
        return server
    if isinstance(exc, OSError):
        return os_reason(exc)
    return None


def _disk_full(folder: Path | None) -> bool:
    if folder is None:
        return False
    try:
        info = os.statvfs(folder)
    except (OSError, AttributeError):
        return False
    return info.f_bavail == 0


def explain(exc: BaseException, *, folder: Path | None = None) -> str | None:
    """One sentence for a database or disk error, or None for anything else.

    Built from the error's kind only: a driver's message can quote the values being saved.
    ``folder`` (the data file's) turns SQLite's vaguer I/O errors into "the disk is full"
    when that is why (a reader cannot even make its shared-memory file on a full disk).
    """
    if isinstance(exc, DatabaseError):
        return str(exc)
    code = sqlite_code(exc)
    if code in (SQLITE_IOERR, SQLITE_CANTOPEN) and _disk_full(folder):
        code = SQLITE_FULL
    if code is not None:
        reason = _BY_CODE.get(code, "the database reported an error")
        if code == SQLITE_CONSTRAINT:
            return f"nothing was saved: {reason}"
        return f"the database could not be used: {reason}; nothing was saved"
    server = _server_reason(exc)
    if server is not None:
        if server_state(exc).startswith("23"):  # type: ignore[union-attr]
            return f"nothing was saved: {server}"
        return f"the database could not be used: {server}; nothing was saved"
    if "sqlalchemy" in sys.modules:
        from sqlalchemy.exc import SQLAlchemyError

        if isinstance(exc, SQLAlchemyError):
            return f"the database could not be used ({type(exc).__name__}); nothing was saved"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return f"{where}{os_reason(exc)}"
    return None


def exit_code(exc: BaseException) -> int:
    return int(getattr(exc, "exit_code", EXIT_PROBLEMS))
