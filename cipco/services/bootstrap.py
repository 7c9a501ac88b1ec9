"""Opening a data file: create or migrate it, then seed the reference lists."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from cipco.db import open_database, session_scope
from cipco.services.reference import seed_reference_data


def prepare(path: Path) -> Engine:
    """An engine on ``path``: created 0600 if new, migrated, reference lists seeded."""
    engine = open_database(path)
    with session_scope(engine, actor="cipco") as session:
        seed_reference_data(session)
    return engine
