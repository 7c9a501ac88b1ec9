"""Column types shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, TypeDecorator
from sqlalchemy.engine import Dialect


class UTCDateTime(TypeDecorator[datetime]):
    """Stores instants as naive UTC and always returns UTC-aware datetimes.

    SQLite has no time zones; this keeps every instant comparable and sortable as text.
    """

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("cipco stores only timezone-aware datetimes")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


def versioned() -> Any:
    """``__mapper_args__`` for a table with a ``version`` column guarding stale edits.

    SQLAlchemy then adds ``WHERE version = :seen`` to every UPDATE and bumps it, so a save
    over someone else's newer change fails instead of overwriting it.
    """
    from sqlalchemy.orm import declared_attr

    @declared_attr.directive
    def __mapper_args__(cls: Any) -> dict[str, Any]:
        return {"version_id_col": cls.__table__.c.version}

    return __mapper_args__
