"""Opening a data file: create or migrate it, seed the reference lists, learn its site."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from cipco.db import UNASSIGNED, open_database, session_scope, with_site
from cipco.services.reference import seed_reference_data
from cipco.services.site import file_site


def prepare(path: Path) -> Engine:
    """An engine on ``path``: created 0600 if new, migrated, reference lists seeded.

    New rows written through the engine belong to the file's site (unassigned until chosen).
    """
    engine = open_database(path)
    with session_scope(engine, actor="cipco") as session:
        seed_reference_data(session)
        site = file_site(session)
    return with_site(engine, site.code if site is not None else UNASSIGNED)
