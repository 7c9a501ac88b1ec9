"""Starting the app: the start screen's rows are read before anything else is loaded.

``cipco`` with no command has opened the file (checked, migrated only if it is not at head,
seeded, its site learned) when it calls :func:`run_app`. Before Textual and the screens are
imported, Home's due list is read here, on this thread, through the same service Home uses
(:func:`cipco.services.home.due_list`), and handed to the app, which paints it in its first
frame. The rest of Home (queue counts, the next clinic, charts) is read in a worker once that
frame is drawn; the same rows are not drawn twice. Everything else (the other screens, the
services they call) is imported when first used.
"""

from __future__ import annotations

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
    from cipco.services.home import due_list

    try:
        with read_connection(engine) as conn:  # Core: no ORM, no SQLModel, no models
            return due_list(conn, clock)
    except Exception:  # read again by the screen's worker, which reports a failure
        return None


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
