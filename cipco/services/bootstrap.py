"""Opening a data file: check it, create or migrate it, seed the reference lists, learn its site.

How a command opens the file says what it may do to it (:class:`cipco.dbfile.Access`):
``READ`` opens an existing cipco file read-only (an archived copy works and is never changed),
``WRITE`` opens an existing one to save changes, ``CREATE`` may also make a new one.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from cipco import dbread
from cipco.config import ServerDb, as_location
from cipco.datafile import Opened, open_database
from cipco.db import (
    UNASSIGNED,
    WaitListener,
    read_connection,
    session_scope,
    set_write_wait,
    with_site,
)
from cipco.dbfile import Access
from cipco.services import settings as settings_service

if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

WRITE_WAIT_KEY = "write_wait_seconds"


def open_file(
    path: Path | ServerDb,
    access: Access = Access.CREATE,
    *,
    make_folder: bool = True,
    on_wait: WaitListener | None = None,
) -> Opened:
    """Open ``path`` for ``access``: checked first, then created/migrated/seeded if it may be.

    New rows written through the engine belong to the file's site (unassigned until chosen);
    writes wait for another writer as the file's ``write_wait_seconds`` setting says.
    """
    opened = open_database(path, access, make_folder=make_folder, on_wait=on_wait)
    engine = opened.engine
    try:  # read through Core (cipco.dbread): opening a file at head loads no models
        with read_connection(engine) as conn:
            seeded = dbread.reference_lists_filled(conn)
        if not seeded and not opened.read_only:  # new, upgraded, or cut short while new
            from cipco.services.reference import seed_reference_data

            with session_scope(engine, actor="cipco") as session:
                seed_reference_data(session)
        with read_connection(engine) as conn:
            site = dbread.site(conn)
            wait = settings_service.get_int(conn, WRITE_WAIT_KEY)
    except BaseException:
        engine.dispose()
        raise
    spec = settings_service.SPECS[WRITE_WAIT_KEY]
    set_write_wait(engine, min(max(wait, spec.least), spec.most))  # a stored value kept sane
    engine = with_site(engine, site[0] if site is not None else UNASSIGNED)
    return Opened(
        engine,
        opened.path,
        read_only=opened.read_only,
        created=opened.created,
        migrated=opened.migrated,
        backup=opened.backup,
        tidy=opened.tidy,
    )


def prepare(path: Path | str | ServerDb, access: Access = Access.CREATE) -> Engine:
    """An engine on ``path``: created 0600 if new, migrated, reference lists seeded (a
    ``postgresql://`` server is never migrated here: :func:`cipco.datafile.migrate_server`)."""
    return open_file(as_location(path), access).engine


# Tables with a site column that are not records of a log.
_NOT_RECORDS = frozenset({"setting", "audit_event"})


def holds_records(session: Session) -> bool:
    """True if the file holds any record of any log (reference lists, settings and the audit
    trail aside): a file someone works in, not a new or demo-ready one."""
    from sqlalchemy import select
    from sqlmodel import SQLModel

    from cipco.models import load_all

    load_all()  # every table in SQLModel.metadata
    for table in SQLModel.metadata.sorted_tables:
        if "site" not in table.c or table.name in _NOT_RECORDS:
            continue
        if session.execute(select(table.c.site).limit(1)).first() is not None:
            return True
    return False
