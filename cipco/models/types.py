"""Column types shared by every model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, ColumnElement, DateTime, Integer, TypeDecorator
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.compiler import compiles
from sqlmodel import Field, SQLModel

from cipco.models import _deferred  # noqa: F401  (first: before any model class)


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


class Versioned(SQLModel):
    """Base of a table whose rows carry ``version``: a save over a newer change is refused."""

    version: int = Field(default=1, sa_type=Integer, nullable=False)

    __mapper_args__ = versioned()


class Stamped(Versioned):
    """A versioned table whose rows also carry when they were created and last changed."""

    created_at: datetime = Field(sa_type=UTCDateTime)
    updated_at: datetime = Field(sa_type=UTCDateTime)


class ContainsIgnoringCase(ColumnElement[bool]):
    """``column`` matches a LIKE ``pattern`` whatever the letter case.

    SQLAlchemy's ``ilike`` wraps both sides in ``lower()`` on SQLite, which stops SQLite from
    using its own case-insensitive LIKE and doubles the cost of a filter over 50,000 rows.
    SQLite's LIKE already ignores ASCII case, so there it compiles to plain LIKE; every other
    database gets ILIKE.
    """

    inherit_cache = False
    type = Boolean()
    _is_implicitly_boolean = True  # a comparison: no "= 1" appended on SQLite

    def __init__(self, column: Any, pattern: str, escape: str | None = None) -> None:
        self.column = column
        self.pattern = pattern
        self.escape = escape


@compiles(ContainsIgnoringCase)
def _contains_default(element: ContainsIgnoringCase, compiler: Any, **kw: Any) -> str:
    clause = element.column.ilike(element.pattern, escape=element.escape)
    return str(compiler.process(clause, **kw))


@compiles(ContainsIgnoringCase, "sqlite")
def _contains_sqlite(element: ContainsIgnoringCase, compiler: Any, **kw: Any) -> str:
    clause = element.column.like(element.pattern, escape=element.escape)
    return str(compiler.process(clause, **kw))
