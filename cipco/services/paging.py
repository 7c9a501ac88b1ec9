"""What every paged log screen asks a service for: a count and one page, in SQL."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, Row, Select, and_, func, or_, select
from sqlmodel import Session

from cipco.models.types import ContainsIgnoringCase

RowT = TypeVar("RowT")
ESCAPE = "\\"


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
        return replace(self, offset=offset, limit=limit)


@dataclass(frozen=True)
class Page(Generic[RowT]):
    rows: list[RowT]
    total: int
    offset: int


def like_pattern(text: str) -> str:
    """``%text%`` for LIKE with ``%``, ``_`` and the escape character taken literally."""
    escaped = text.replace(ESCAPE, ESCAPE * 2).replace("%", ESCAPE + "%").replace("_", ESCAPE + "_")
    return f"%{escaped}%"


def text_filter(columns: list[Any], text: str) -> ColumnElement[bool] | None:
    """Every word must appear in at least one of ``columns`` (case-insensitive).

    What the user typed is matched literally: ``100%`` finds "100%", ``A_1`` finds "A_1".
    """
    words = text.split()
    if not words or not columns:
        return None
    clauses = [
        or_(*(ContainsIgnoringCase(column, like_pattern(word), ESCAPE) for column in columns))
        for word in words
    ]
    return and_(*clauses)


def contains(column: Any, text: str) -> ColumnElement[bool]:
    """``column`` contains ``text`` literally, whatever the letter case."""
    return ContainsIgnoringCase(column, like_pattern(text), ESCAPE)


def equal_to(**columns: Any) -> dict[str, Callable[[Any], ColumnElement[bool]]]:
    """A list's filters (``LogService.filters``) that each keep the records whose column
    equals the value a screen passes: ``equal_to(prisoner_id=Referral.prisoner_id)``."""
    return {key: (lambda value, column=column: column == value) for key, column in columns.items()}


def first_matching(
    session: Session, statement: Select[Any], columns: Sequence[Any], text: str, limit: int
) -> Sequence[Row[Any]]:
    """The first ``limit`` rows of ``statement``, in its order, where one of ``columns``
    :func:`contains` ``text`` (a look-up as you type: the command palette)."""
    found = statement.where(or_(*(contains(column, text.strip()) for column in columns)))
    return session.execute(found.limit(limit)).all()


def count_of(session: Session, statement: Select[Any]) -> int:
    counted = select(func.count()).select_from(statement.order_by(None).subquery())
    return int(session.scalar(counted) or 0)
