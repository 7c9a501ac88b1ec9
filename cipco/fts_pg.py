"""The search index on PostgreSQL: the same declarations (:mod:`cipco.search_docs`), the same
hits, kept in step by PL/pgSQL triggers, answered from a ``pg_trgm`` GIN index.

:mod:`cipco.fts` hands over to this module on a PostgreSQL connection; nothing above the data
layer sees the difference.

- ``search_index(rowid, site, body)``: ``rowid`` and ``body`` as in the SQLite FTS5 table
  (``code * SPAN + id``, every indexed field after two spaces); ``site`` is the record's site,
  so row-level security can keep one prison's text from another's logins.
- A GIN index with ``gin_trgm_ops`` answers ``body ILIKE '%word%'`` for every word typed:
  the FTS5 trigram table's hits (any three characters of the text, letter case ignored;
  a short word as the start of a word, ``'%  a1%'``).
- Each SQLite trigger of a :class:`~cipco.fts.Doc` becomes a trigger function and a
  ``FOR EACH ROW`` trigger of the same name doing the same statements.
- The declarations' SQL is SQLite's; the few SQLite-only functions in it are rewritten
  (:func:`pg_sql`): ``group_concat`` → ``string_agg``, ``strftime('%d/%m/%Y', x)`` →
  ``to_char(x, 'DD/MM/YYYY')``, ``char(n)`` → ``chr(n)``, JSON columns read as text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sqlalchemy import Connection

if TYPE_CHECKING:
    from cipco.fts import Doc

INDEX = "search_index"
STATE = "search_index_state"
TRIGGER_PREFIX = "fts_"

CREATE_STATEMENTS = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE TABLE IF NOT EXISTS {INDEX} "
    "(rowid BIGINT PRIMARY KEY, site VARCHAR(8) NOT NULL DEFAULT '', body TEXT NOT NULL)",
    f"CREATE INDEX IF NOT EXISTS ix_{INDEX}_body ON {INDEX} USING gin (body gin_trgm_ops)",
    f"CREATE INDEX IF NOT EXISTS ix_{INDEX}_site ON {INDEX} (site)",
    f"CREATE TABLE IF NOT EXISTS {STATE} "
    "(log TEXT PRIMARY KEY, code INTEGER NOT NULL, signature TEXT NOT NULL)",
)
DROP_STATEMENTS = (f"DROP TABLE IF EXISTS {INDEX}", f"DROP TABLE IF EXISTS {STATE}")

_STRFTIME = {"%d": "DD", "%m": "MM", "%Y": "YYYY", "%H": "HH24", "%M": "MI", "%S": "SS"}
_REWRITES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\bgroup_concat\("), "string_agg("),
    (re.compile(r"\bchar\((\d+)\)"), r"chr(\1)"),
    (re.compile(r"\b(\w+\.alert_codes)\b"), r"CAST(\1 AS text)"),
)
_STRFTIME_CALL = re.compile(r"\bstrftime\('([^']*)', ([^()]*)\)")


def pg_sql(fragment: str) -> str:
    """``fragment`` (SQLite SQL from a declaration) with SQLite-only functions rewritten."""

    def to_char(match: re.Match[str]) -> str:
        form = match.group(1)
        for sqlite_code, pg_code in _STRFTIME.items():
            form = form.replace(sqlite_code, pg_code)
        return f"to_char({match.group(2)}, '{form}')"

    fragment = _STRFTIME_CALL.sub(to_char, fragment)
    for pattern, replacement in _REWRITES:
        fragment = pattern.sub(replacement, fragment)
    return fragment


def _alias(doc: Doc) -> str:
    return doc.key.split(".", 1)[0]


def select(doc: Doc, ids: str) -> str:
    """SQL of (rowid, site, body) for the records whose ids ``ids`` (a SELECT) gives."""
    from cipco.fts import words

    return pg_sql(
        f"SELECT {doc.low} + {doc.key}, {_alias(doc)}.site, {words(doc.parts)} "
        f"FROM {doc.source} WHERE {doc.key} IN ({ids})"
    )


def _replace(doc: Doc, ids: str) -> str:
    return (
        f"DELETE FROM {INDEX} WHERE rowid IN (SELECT {doc.low} + id FROM ({ids}) AS changed); "
        f"INSERT INTO {INDEX}(rowid, site, body) {select(doc, ids)};"
    )


def triggers(doc: Doc) -> list[tuple[str, str, str]]:
    """(name, table, SQL creating its function and trigger) for each of ``doc``'s triggers
    (the events :meth:`cipco.fts.Doc.events` declares for both backends)."""
    name = f"{TRIGGER_PREFIX}{doc.log}_"
    bodies = {
        "insert": f"INSERT INTO {INDEX}(rowid, site, body) {select(doc, 'SELECT NEW.id AS id')};",
        "delete": f"DELETE FROM {INDEX} WHERE rowid = {doc.low} + OLD.id;",
    }
    return [
        (
            f"{name}{suffix}",
            table,
            _function_and_trigger(
                f"{name}{suffix}",
                table,
                f"({when})" if when else "",
                bodies.get(suffix) or _replace(doc, ids),
                event,
            ),
        )
        for suffix, table, event, when, ids in doc.events()
    ]


def _function_and_trigger(name: str, table: str, when: str, body: str, event: str) -> str:
    condition = f" WHEN {when}" if when else ""
    return (
        f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $fn$ "
        f"BEGIN {body} RETURN NULL; END $fn$; "
        f"CREATE TRIGGER {name} AFTER {event} ON {table} FOR EACH ROW{condition} "
        f"EXECUTE FUNCTION {name}()"
    )


# ---------------------------------------------------------------- keeping it in step


def create(connection: Connection) -> None:
    for statement in CREATE_STATEMENTS:
        connection.exec_driver_sql(statement)


def exists(connection: Connection) -> bool:
    found = connection.exec_driver_sql(
        "SELECT to_regclass(%(a)s) IS NOT NULL AND to_regclass(%(b)s) IS NOT NULL",
        {"a": INDEX, "b": STATE},
    ).scalar()
    return bool(found)


def installed(connection: Connection) -> tuple[dict[str, tuple[int, str]], dict[str, str]]:
    """Each list's (code, signature) as installed, and every index trigger with its table."""
    state = {
        log: (int(code), signature)
        for log, code, signature in connection.exec_driver_sql(
            f"SELECT log, code, signature FROM {STATE}"
        )
    }
    found = {
        str(name): str(table)
        for name, table in connection.exec_driver_sql(
            "SELECT t.tgname, c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE NOT t.tgisinternal AND left(t.tgname, %(n)s) = %(p)s",
            {"n": len(TRIGGER_PREFIX), "p": TRIGGER_PREFIX},
        )
    }
    return state, found


def stale(connection: Connection, docs: Iterable[Doc]) -> list[Doc]:
    state, found = installed(connection)
    return [
        doc
        for doc in docs
        if state.get(doc.log) != (doc.code, doc.signature)
        or any(name not in found for name, _, _ in triggers(doc))
    ]


def _drop_triggers(connection: Connection, prefix: str, found: dict[str, str]) -> None:
    for name, table in sorted(found.items()):
        if name.startswith(prefix):
            connection.exec_driver_sql(
                f'DROP TRIGGER IF EXISTS "{name}" ON "{table}"; DROP FUNCTION IF EXISTS "{name}"()'
            )


def install(connection: Connection, doc: Doc) -> None:
    _, found = installed(connection)
    _drop_triggers(connection, f"{TRIGGER_PREFIX}{doc.log}_", found)
    for _, _, statement in triggers(doc):
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql(f"DELETE FROM {INDEX} WHERE rowid BETWEEN {doc.low} AND {doc.high}")
    connection.exec_driver_sql(
        f"INSERT INTO {INDEX}(rowid, site, body) {select(doc, f'SELECT id FROM {doc.table}')}"
    )
    connection.exec_driver_sql(
        f"INSERT INTO {STATE}(log, code, signature) VALUES (%(log)s, %(code)s, %(sig)s) "
        "ON CONFLICT (log) DO UPDATE SET code = EXCLUDED.code, signature = EXCLUDED.signature",
        {"log": doc.log, "code": doc.code, "sig": doc.signature},
    )


def retire(connection: Connection, known: Iterable[Doc]) -> None:
    from cipco.fts import SPAN

    state, found = installed(connection)
    keep = {doc.log for doc in known}
    for log in set(state) - keep:
        code = state[log][0]
        _drop_triggers(connection, f"{TRIGGER_PREFIX}{log}_", found)
        connection.exec_driver_sql(
            f"DELETE FROM {INDEX} WHERE rowid BETWEEN {code * SPAN} AND {code * SPAN + SPAN - 1}"
        )
        connection.exec_driver_sql(f"DELETE FROM {STATE} WHERE log = %(log)s", {"log": log})


def drop(connection: Connection) -> None:
    if exists(connection):
        _, found = installed(connection)
        _drop_triggers(connection, TRIGGER_PREFIX, found)
    for statement in DROP_STATEMENTS:
        connection.exec_driver_sql(statement)


# ---------------------------------------------------------------- asking it

_TERM = re.compile(r'"((?:[^"]|"")*)"')


def like_patterns(query: str) -> list[str]:
    """An ILIKE pattern per term of an FTS5 query made by :func:`cipco.fts.query_text`."""
    patterns = []
    for term in _TERM.findall(query):
        word = term.replace('""', '"')
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        patterns.append(f"%{escaped}%")
    return patterns
