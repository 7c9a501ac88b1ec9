"""The data layer's reader: plain rows for start-up and for the rules computed over them.

Start-up reads (the settings, the file's site, whether the reference lists are filled, what
is due on Home, whether there is a custody history to verify) do not need SQLModel, pydantic
or the models: each is one statement here, run on whatever connection the caller holds,

- a SQLAlchemy ``Connection`` or ``Session`` (SQLite or PostgreSQL; a session's pending
  changes are flushed first, as an ORM query would), through ``text()``;
- a DB-API ``sqlite3.Connection`` (the app's first frame, before SQLAlchemy is loaded).

Values come back as the driver gives them (SQLite: instants and dates as text, booleans as
0/1; PostgreSQL: ``datetime``, ``date``, ``bool``); :func:`instant`, :func:`day` and
:func:`flag` read either. This module and :mod:`cipco.db` are the only places, with the
migrations, that hold SQL text; callers name a statement, never write one.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime
from typing import Any

Params = Mapping[str, Any]


def rows(bind: Any, sql: str, params: Params | None = None) -> list[tuple[Any, ...]]:
    """Every row of ``sql`` (named ``:parameters``) on ``bind``, as tuples."""
    if isinstance(bind, sqlite3.Connection):
        return bind.execute(sql, _stored(params, sqlite=True)).fetchall()
    from sqlalchemy import text

    dialect = bind.dialect if hasattr(bind, "dialect") else bind.get_bind().dialect
    values = _stored(params, sqlite=dialect.name == "sqlite")

    if getattr(bind, "autoflush", False):  # an ORM session: its changes count, as in a query
        bind.flush()
    return [tuple(row) for row in bind.execute(text(sql), values)]


def _stored(params: Params | None, *, sqlite: bool) -> dict[str, Any]:
    """Parameters as the columns store them: instants naive UTC (on SQLite the text the
    models write, so text comparison orders them), dates ISO text on SQLite."""
    values: dict[str, Any] = {}
    for name, value in (params or {}).items():
        if isinstance(value, datetime):
            naive = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
            value = naive.strftime("%Y-%m-%d %H:%M:%S.%f") if sqlite else naive
        elif isinstance(value, date) and sqlite:
            value = value.isoformat()
        values[name] = value
    return values


def first(bind: Any, sql: str, params: Params | None = None) -> tuple[Any, ...] | None:
    found = rows(bind, sql, params)
    return found[0] if found else None


# ---------------------------------------------------------------- values as stored


def instant(value: Any) -> datetime | None:
    """A stored instant as an aware UTC datetime (SQLite's text, or the server's value)."""
    if value is None or isinstance(value, datetime):
        return _aware(value)
    text = str(value).strip()
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    return _aware(datetime.fromisoformat(text.replace(" ", "T", 1)))


def _aware(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)  # stored as UTC
    return value.astimezone(UTC)


def day(value: Any) -> date | None:
    """A stored date (SQLite's ``YYYY-MM-DD`` text, or the server's ``date``)."""
    if value is None or (isinstance(value, date) and not isinstance(value, datetime)):
        return value
    if isinstance(value, datetime):
        return value.date()
    text = str(value).strip()
    return date.fromisoformat(text[:10]) if text else None


def flag(value: Any) -> bool:
    """A stored boolean (SQLite's 0/1, the server's ``bool``); NULL is False."""
    return bool(value) if value is not None else False


# ---------------------------------------------------------------- the file itself

SETTINGS = "SELECT key, value FROM setting"
SITE = "SELECT code, name FROM site LIMIT 1"
REFERENCE_LISTS = ("prison", "force", "crime_category", "order_type")
CUSTODY_TABLES = ("exhibit", "exhibit_event", "exhibit_referral")


def settings(bind: Any) -> dict[str, str]:
    """The stored settings, by key (one site's on a server: row-level security)."""
    return {str(key): str(value) for key, value in rows(bind, SETTINGS)}


def site(bind: Any) -> tuple[str, str] | None:
    """This file's establishment (code, name), or None while it has not been chosen."""
    found = first(bind, SITE)
    return (str(found[0]), str(found[1] or "")) if found is not None else None


def any_row(bind: Any, tables: Sequence[str]) -> dict[str, bool]:
    """For each of ``tables`` (names from this module), whether it holds a row."""
    return {name: first(bind, f"SELECT 1 FROM {name} LIMIT 1") is not None for name in tables}


def reference_lists_filled(bind: Any) -> bool:
    """True when every reference list has rows."""
    return all(any_row(bind, REFERENCE_LISTS).values())


def holds_custody_records(bind: Any) -> bool:
    """True if any exhibit, custody event or exhibit link is stored (something to verify)."""
    return any(any_row(bind, CUSTODY_TABLES).values())
