"""The data layer's reader: plain rows for start-up and for the rules computed over them.

Start-up reads (the settings, the file's site, whether the reference lists are filled, what
is due on Home, whether there is a custody history to verify) do not need SQLModel, pydantic
or the models: each is one statement here, run on whatever connection the caller holds,

- a SQLAlchemy ``Connection`` or ``Session`` (SQLite or PostgreSQL; a session's pending
  changes are flushed first, as an ORM query would), through ``text()``;
- a DB-API ``sqlite3.Connection`` (a reader that has not loaded SQLAlchemy at all).

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


def settings(bind: Any, site: str | None = None) -> dict[str, str]:
    """The stored settings, by key: ``site``'s where one is given (a regional reader looking
    at one prison), otherwise what the reader sees (one site's on a server: row-level
    security; a data file holds one site)."""
    if site is None:
        return {str(key): str(value) for key, value in rows(bind, SETTINGS)}
    found = rows(bind, SETTINGS + " WHERE site = :site", {"site": site})
    return {str(key): str(value) for key, value in found}


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


# ---------------------------------------------------------------- what is due
# The candidates of each due source (cipco.services.due) and the facts the referral rule
# book reads beyond the referral row. ``ids``: only these referrals (None: every one).


CHUNK = 500


def _among(column: str, name: str, values: Sequence[Any] | None) -> tuple[str, dict[str, Any]]:
    """`` AND column IN (:name_0, …)`` and its parameters; nothing when ``values`` is None."""
    if values is None:
        return "", {}
    names = {f"{name}_{i}": value for i, value in enumerate(values)}
    return f" AND {column} IN ({', '.join(':' + key for key in names)})", names


def _where_among(
    sql: str, column: str, ids: Sequence[int] | None, params: Params | None = None
) -> tuple[str, dict[str, Any]]:
    extra, values = _among(column, "id", ids)
    return sql.replace("/*ids*/", extra), {**(params or {}), **values}


def _rows_among(
    bind: Any, sql: str, column: str, ids: Sequence[int] | None, params: Params | None = None
) -> list[tuple[Any, ...]]:
    if ids is None:
        text, values = _where_among(sql, column, None, params)
        return rows(bind, text, values)
    found: list[tuple[Any, ...]] = []
    for start in range(0, len(ids), CHUNK):  # SQLite's bound-parameter limit
        text, values = _where_among(sql, column, ids[start : start + CHUNK], params)
        found.extend(rows(bind, text, values))
    return found


REFERRALS_DUE = """
SELECT r.id, r.reference, r.status, r.discovered_at, r.incident_at, r.police_contacted_at,
       r.staff_victim, r.victim_wants_police, r.terrorism_conviction, r.adjudication_charge,
       r.adjudication_laid_at, r.summary_only, r.police_decision_at, r.victim_updated_at,
       r.enhanced_victim, r.footage_requested_on, r.referred_at, r.force_id, r.crime_ref,
       r.next_step_due, r.next_step, c.serious_incident, c.mandatory_referral,
       p.nomis_number, p.name, r.site
FROM referral r
JOIN crime_category c ON c.code = r.category_code
JOIN prisoner p ON p.id = r.prisoner_id
WHERE r.next_due_at IS NOT NULL AND r.next_due_at <= :until
"""
DECISIONS = """
SELECT referral_id, from_status, to_status, happened_at FROM status_change
WHERE 1 = 1 /*ids*/ ORDER BY happened_at, id
"""
VICTIMS = """
SELECT v.id, v.referral_id, v.name, v.enhanced_rights, c.last
FROM referral_party v
LEFT JOIN (SELECT party_id, max(happened_at) AS last FROM party_contact GROUP BY party_id) c
  ON c.party_id = v.id
WHERE v.role = :victim /*ids*/ ORDER BY v.id
"""
_OPEN_CASE = "r.status NOT IN ({closed})"
STATEMENTS_DUE = """
SELECT s.id, s.referral_id, s.state, s.due_on, v.name
FROM statement s
JOIN referral_party v ON v.id = s.party_id
JOIN referral r ON r.id = s.referral_id
WHERE s.state IN (:requested, :returned) AND s.due_on IS NOT NULL AND {open} /*ids*/
"""
DISCLAIMERS_DUE = """
SELECT d.id, d.referral_id, d.issued_on, v.name, p.name
FROM medical_disclaimer d
LEFT JOIN referral_party v ON v.id = d.party_id
JOIN referral r ON r.id = d.referral_id
JOIN prisoner p ON p.id = r.prisoner_id
WHERE d.returned_on IS NULL AND {open} /*ids*/
"""
CPS_ACTIONS_DUE = """
SELECT a.id, a.referral_id, a.action, a.due_on
FROM cps_action a
JOIN referral r ON r.id = a.referral_id
WHERE a.done_on IS NULL AND a.due_on IS NOT NULL AND {open} /*ids*/
"""
MEETINGS_DUE = """
SELECT m.id, m.referral_id, m.held, m.release_confirmed_on, m.release_requested_on,
       m.created_at, m.meets_at, v.kind
FROM statement_meeting m
JOIN referral_party v ON v.id = m.party_id
JOIN referral r ON r.id = m.referral_id
WHERE m.held = :no AND m.release_confirmed_on IS NULL AND {open} /*ids*/
"""
EXHIBITS_DUE = """
SELECT id, reference, description, exhibit_type, export_medium, clip_start, review_due_on,
       site
FROM exhibit WHERE review_due_on IS NOT NULL AND review_due_on <= :last_day
"""
PAPERS_DUE = """
SELECT c.id, c.form_label, c.first_hearing_on, c.court, p.nomis_number, p.name, c.site
FROM charge_papers c JOIN prisoner p ON p.id = c.prisoner_id
WHERE c.state = :awaiting AND c.first_hearing_on IS NOT NULL
  AND c.first_hearing_on <= :last_day
"""
ACTIONS_DUE = """
SELECT id, text, owner_name, owner_org, due_on, site FROM clinic_action
WHERE status = :open AND due_on IS NOT NULL AND due_on <= :last_day
"""
_PEOPLE = """
SELECT i.id, p.nomis_number, p.name, i.site, {columns}
FROM person_of_interest i JOIN prisoner p ON p.id = i.prisoner_id
"""
_IN_CUSTODY = "(p.location IS NULL OR lower(p.location) != :released)"
SOC_REVIEWS_DUE = _PEOPLE.format(columns="i.soc_band, i.next_review_on") + (
    "WHERE i.soc_band IS NOT NULL AND i.next_review_on IS NOT NULL"
    " AND i.next_review_on <= :last_day"
)
ORDERS_DUE = _PEOPLE.format(
    columns="o.id, t.label, o.review_on, o.end_on, o.until_further_order"
) + (
    "JOIN ancillary_order o ON o.person_id = i.id "
    "JOIN order_type t ON t.code = o.order_type_code "
    f"WHERE NOT (o.start_rule = :on_release AND {_IN_CUSTODY}) AND ("
    "o.review_on <= :last_day OR (o.until_further_order = :no"
    " AND o.end_on >= :today AND o.end_on <= :last_day))"
)
RELEASES_DUE = _PEOPLE.format(columns="i.soc_band, i.release_date") + (
    f"WHERE i.soc_band IS NOT NULL AND {_IN_CUSTODY} AND i.release_date IS NOT NULL"
    " AND i.release_date <= :last_day AND i.release_date >= :today"
)
NOTIFICATIONS_DUE = _PEOPLE.format(columns="e.id, e.kind, e.notify_due_on") + (
    "JOIN custody_event e ON e.person_id = i.id "
    "WHERE e.notified_at IS NULL AND e.notify_due_on IS NOT NULL"
    " AND e.notify_due_on <= :last_day"
)


def referrals_due(bind: Any, until: datetime) -> list[tuple[Any, ...]]:
    """Referrals whose earliest open deadline (stored on every write) is at or before
    ``until``, with their category's two flags and the prisoner's number and name."""
    return rows(bind, REFERRALS_DUE, {"until": until})


def decisions(bind: Any, ids: Sequence[int] | None) -> list[tuple[Any, ...]]:
    """Every move of the referrals (referral, from, to, when), oldest first."""
    return _rows_among(bind, DECISIONS, "referral_id", ids)


def victims(bind: Any, ids: Sequence[int] | None, role: str) -> list[tuple[Any, ...]]:
    """The referrals' people in ``role`` (party, referral, name, enhanced rights, latest
    logged contact)."""
    return _rows_among(bind, VICTIMS, "v.referral_id", ids, {"victim": role})


def papers_due(
    bind: Any, ids: Sequence[int] | None, closed: Sequence[str], states: Mapping[str, Any]
) -> dict[str, list[tuple[Any, ...]]]:
    """The open cases' statements awaited, disclaimers out, CPS actions and statement
    meetings not yet confirmed (``states``: the statement states and ``no``)."""
    open_case, values = _among_closed(closed)
    found: dict[str, list[tuple[Any, ...]]] = {}
    for name, sql, column in (
        ("statements", STATEMENTS_DUE, "s.referral_id"),
        ("disclaimers", DISCLAIMERS_DUE, "d.referral_id"),
        ("cps", CPS_ACTIONS_DUE, "a.referral_id"),
        ("meetings", MEETINGS_DUE, "m.referral_id"),
    ):
        text = sql.replace("{open}", open_case)
        found[name] = _rows_among(bind, text, column, ids, {**values, **states})
    return found


def _among_closed(closed: Sequence[str]) -> tuple[str, dict[str, Any]]:
    names = {f"closed_{i}": value for i, value in enumerate(closed)}
    return _OPEN_CASE.format(closed=", ".join(":" + key for key in names)), names
