"""Starting the app: the start screen's rows are read before anything else is loaded.

A data file already at this cipco's schema and seeded (the everyday case) is checked and
read over the DB-API (:func:`plain_start`): Home's due list, through the same service Home
uses (:func:`cipco.services.home.due_list`), is read before Textual and the screens are
imported and painted in the first frame, and the file is opened for the app (SQLAlchemy,
its site, the write wait: :func:`cipco.services.bootstrap.open_file`) off the UI thread once
that frame is drawn. Anything else (a new file, an older schema, a server) is opened in full
first (:func:`run_app`: created, migrated, seeded). The rest of Home (queue counts, the next
clinic, charts) is read in a worker once the first frame is drawn; the same rows are not
drawn twice. Everything else (the other screens, the services they call) is imported when
first used.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from cipco.clock import Clock
    from cipco.services.home import DueList


def read_first_rows(engine: Engine, clock: Clock) -> DueList | None:
    """Home's due list in one read-only snapshot, or None if it could not be read (Home then
    reads it in a worker as it does on every refresh, and a failure is reported there)."""
    from cipco.db import read_connection
    from cipco.dberrors import DatabaseError
    from cipco.services.home import due_list

    try:
        with read_connection(engine) as conn:  # Core: no ORM, no SQLModel, no models
            return due_list(conn, clock)
    except (DatabaseError, OSError):  # read again by the screen's worker, which reports it
        return None


def plain_start(path: Path, clock: Clock) -> DueList | None:
    """Home's due list read over the DB-API from a data file that needs nothing done before
    the app opens it (it exists, may be written, is at this cipco's schema and seeded); None
    otherwise (the caller opens it in full, which says what is wrong, if anything)."""
    from cipco import dbread
    from cipco.dberrors import DatabaseError
    from cipco.dbfile import (
        READ_PRAGMAS,
        Access,
        check,
        head_revision,
        read_uri,
        sqlite_connection,
    )
    from cipco.services.home import due_list

    try:
        opening = check(path, Access.WRITE)
    except (DatabaseError, OSError):
        return None
    if not opening.exists or opening.revision != head_revision():
        return None
    try:
        connection = sqlite_connection(read_uri(path), READ_PRAGMAS)
    except sqlite3.Error:
        return None
    try:
        connection.execute("BEGIN")
        if not dbread.reference_lists_filled(connection):
            return None
        return due_list(connection, clock)
    except (sqlite3.Error, ValueError):  # the full open and Home's own read say what is wrong
        return None
    finally:
        connection.close()


def run_plain(path: Path) -> bool:
    """Run the app on a file :func:`plain_start` could read; False (nothing done) if not."""
    import gc

    from cipco.clock import SystemClock

    gc.disable()  # as in run_app
    clock = SystemClock()
    first = plain_start(path, clock)
    if first is None:
        return False
    from cipco.app import CipcoApp

    def open_for_the_app() -> Engine:
        from cipco.dbfile import Access
        from cipco.services.bootstrap import open_file

        return open_file(path, Access.WRITE, make_folder=False).engine

    CipcoApp(path, clock=clock, engine=open_for_the_app, first_rows=first).run()
    return True


def run_app(path: Path, engine: Engine) -> None:
    """Read the first rows, then build and run the app on ``engine`` (opened by the caller)."""
    import gc

    from cipco.clock import SystemClock

    # What the first read, Textual and the screens build lives as long as the app: the
    # cyclic collector stays off until the first frame is drawn (the app then freezes what
    # start-up made and switches it back on, see cipco.app._collector_back_on).
    gc.disable()

    clock = SystemClock()
    first = read_first_rows(engine, clock)
    from cipco.app import CipcoApp

    CipcoApp(path, clock=clock, engine=engine, first_rows=first).run()
