"""What every paged log screen asks a service for: a count and one page, in SQL."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Select, func, or_, select
from sqlmodel import Session

from cipco.models.types import ContainsIgnoringCase

RowT = TypeVar("RowT")


@dataclass(frozen=True)
class PageQuery:
    """Filter, order and window for one page of a log."""

    text: str = ""
    queue: str | None = None
    sort: str | None = None
    descending: bool = False
    offset: int = 0
    limit: int = 200
    extra: dict[str, Any] = field(default_factory=dict)

    def with_window(self, offset: int, limit: int) -> PageQuery:
        return PageQuery(
            self.text, self.queue, self.sort, self.descending, offset, limit, self.extra
        )


@dataclass(frozen=True)
class Page(Generic[RowT]):
    rows: list[RowT]
    total: int
    offset: int


def text_filter(columns: list[Any], text: str) -> ColumnElement[bool] | None:
    """Every word must appear in at least one of ``columns`` (case-insensitive)."""
    words = text.split()
    if not words:
        return None
    clauses = []
    for word in words:
        pattern = f"%{word.replace('%', '').replace('_', '')}%"
        clauses.append(or_(*(ContainsIgnoringCase(column, pattern) for column in columns)))
    from sqlalchemy import and_

    return and_(*clauses)


def count_of(session: Session, statement: Select[Any]) -> int:
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int(session.scalar(counted) or 0)
