"""The audit trail, written by one session listener for every tracked table.

A log's service registers its models with :func:`track` when it is imported. Each insert,
each changed field of an update, and each delete of a tracked model becomes an
``AuditEvent`` (table, record id, field, old, new, actor, at); bulk inserts (imports, demo
data, generated agendas) bypass the listener and write one event saying what they did.
Nothing edits or deletes audit rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, date, datetime
from enum import Enum
from typing import Any

from sqlalchemy import event, insert, inspect, select
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, SQLModel

from cipco.config import current_actor
from cipco.db import insert_many
from cipco.models.audit import AuditEvent

UNTRACKED_FIELDS = frozenset({"version", "updated_at", "next_due_at", "next_warn_at"})
_tracked: set[type[SQLModel]] = set()


def track(*models: type[SQLModel]) -> None:
    """Register models whose changes go to the audit trail."""
    _tracked.update(models)


def actor_of(session: OrmSession) -> str:
    return session.info.get("actor") or current_actor()


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat(timespec="seconds")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _primary_key(obj: Any) -> int:
    identity = inspect(obj).identity
    return int(identity[0]) if identity else int(obj.id)


def _events_for(session: OrmSession, objects: Iterable[Any], action: str) -> list[dict[str, Any]]:
    clock = session.info.get("clock")
    now = clock.now() if clock is not None else datetime.now(UTC)
    actor = actor_of(session)
    rows: list[dict[str, Any]] = []
    for obj in objects:
        if type(obj) not in _tracked:
            continue
        table = type(obj).__tablename__
        base = {"table_name": table, "actor": actor, "at": now, "action": action}
        if action == "update":
            state = inspect(obj)
            for attr in state.mapper.column_attrs:
                if attr.key in UNTRACKED_FIELDS:
                    continue
                history = state.attrs[attr.key].history
                if not history.has_changes():
                    continue
                old = history.deleted[0] if history.deleted else None
                new = history.added[0] if history.added else None
                if _text(old) == _text(new):
                    continue
                rows.append(
                    base
                    | {
                        "record_id": _primary_key(obj),
                        "field": attr.key,
                        "old": _text(old),
                        "new": _text(new),
                    }
                )
        else:
            rows.append(base | {"record_id": _primary_key(obj), "field": None})
    return rows


@event.listens_for(OrmSession, "after_flush")
def _write_audit(session: OrmSession, _flush_context: Any) -> None:
    rows = (
        _events_for(session, session.new, "insert")
        + _events_for(session, [o for o in session.dirty if session.is_modified(o)], "update")
        + _events_for(session, session.deleted, "delete")
    )
    if rows:
        session.connection().execute(insert(AuditEvent), rows)


def bulk_inserted(session: OrmSession, table: str, ids: Iterable[int], at: datetime) -> None:
    """Audit rows for records a bulk insert wrote (the listener does not see Core inserts)."""
    actor = actor_of(session)
    rows = [
        {
            "table_name": table,
            "record_id": rid,
            "action": "insert",
            "field": None,
            "actor": actor,
            "at": at,
        }
        for rid in ids
    ]
    if rows:
        insert_many(session.connection(), AuditEvent.__table__, rows)  # type: ignore[attr-defined]


def history(session: Session, table: str, record_id: int) -> list[AuditEvent]:
    """Every audit event of one record, oldest first."""
    statement = (
        select(AuditEvent)
        .where(AuditEvent.table_name == table, AuditEvent.record_id == record_id)
        .order_by(AuditEvent.id)
    )
    return list(session.scalars(statement))


def last_change(session: Session, table: str, record_id: int) -> AuditEvent | None:
    statement = (
        select(AuditEvent)
        .where(AuditEvent.table_name == table, AuditEvent.record_id == record_id)
        .order_by(AuditEvent.id.desc())  # type: ignore[union-attr]
        .limit(1)
    )
    return session.scalars(statement).first()
