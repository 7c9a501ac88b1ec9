"""Remembered import mappings: saved when an import is committed, used by the next one.

Only what needed the user's word is remembered: columns named with ``--map``, columns whose
field was guessed, and columns mapped by an earlier remembered mapping. Columns found by
their exact header or a listed synonym are found again without help.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.imports import ImportMapping
from cipco.services import audit

audit.track(ImportMapping)


@dataclass(frozen=True)
class Remembered:
    """One remembered layout, as ``cipco import remembered`` lists it."""

    id: int
    log: str
    fingerprint: str
    headers: list[str]
    mapping: dict[str, str]
    file_name: str
    saved_at: datetime
    saved_by: str


def layouts(session: Session, log: str) -> dict[str, dict[str, str]]:
    """{fingerprint: {header: field}} of every remembered layout of ``log``."""
    rows = session.scalars(select(ImportMapping).where(ImportMapping.log == log))
    return {row.fingerprint: dict(row.mapping) for row in rows}


def remember(
    session: Session,
    *,
    log: str,
    fingerprint: str,
    headers: Sequence[str],
    mapping: Mapping[str, str],
    file_name: str,
    actor: str,
    clock: Clock,
) -> bool:
    """Keep ``mapping`` for this layout (replacing an older one). True if anything changed."""
    wanted = dict(mapping)
    existing = session.scalars(
        select(ImportMapping).where(
            ImportMapping.log == log, ImportMapping.fingerprint == fingerprint
        )
    ).first()
    if existing is not None:
        if existing.mapping == wanted:
            return False
        existing.mapping = wanted
        existing.headers = list(headers)
        existing.file_name = file_name
        existing.saved_at = clock.now()
        existing.saved_by = actor
        session.flush()
        return True
    if not wanted:
        return False
    session.add(
        ImportMapping(
            log=log,
            fingerprint=fingerprint,
            headers=list(headers),
            mapping=wanted,
            file_name=file_name,
            saved_at=clock.now(),
            saved_by=actor,
        )
    )
    session.flush()
    return True


def listing(session: Session, log: str | None = None) -> list[Remembered]:
    """Every remembered layout (of one log if given), newest first."""
    statement = select(ImportMapping).order_by(ImportMapping.saved_at.desc())  # type: ignore[attr-defined]
    if log:
        statement = statement.where(ImportMapping.log == log)
    return [
        Remembered(
            id=row.id or 0,
            log=row.log,
            fingerprint=row.fingerprint,
            headers=list(row.headers),
            mapping=dict(row.mapping),
            file_name=row.file_name,
            saved_at=row.saved_at,
            saved_by=row.saved_by,
        )
        for row in session.scalars(statement)
    ]


def forget(session: Session, mapping_id: int) -> bool:
    """Forget one remembered layout; False if there was none with that number."""
    row = session.get(ImportMapping, mapping_id)
    if row is None:
        return False
    session.delete(row)
    session.flush()
    return True
