"""The search index: one SQLite FTS5 table over every log's text, kept in step by triggers.

Part of the data layer (with :mod:`cipco.db`): every FTS5 and trigger statement is here;
services search through :mod:`cipco.services.search`, which knows nothing of SQLite, so a
PostgreSQL port replaces this module (pg_trgm) and nothing above it.

- ``search_index`` is an FTS5 table with the ``trigram`` tokenizer: any three characters
  of a record's text find it, so "1234" finds A1234BC and "punch" finds "punched", as a
  LIKE would, but from an index.
- Each record is one row whose ``rowid`` is ``code * SPAN + id`` (:class:`Doc.code` names
  the list), so a list's filter asks for a rowid range and a record is replaced by rowid.
- A record's text (``body``) is every indexed field, each word after two spaces: a word
  shorter than three characters is looked up as the start of a word (``"  a1"``), which
  the trigram index can answer too.
- Triggers on each record's table, and on the tables its text comes from (the prisoner's
  name, a referral's parties…), replace the record's row on insert, update and delete, so
  every writer (the services, bulk imports, another program) keeps the index right.
- What each list indexes is declared in :mod:`cipco.search_docs`. :func:`ensure` (run after
  every migration and at every start, costing a look at ``sqlite_master``) installs the
  triggers of any list whose declaration changed or whose triggers a table rebuild dropped,
  and rebuilds that list's rows, so a new declaration needs no migration of its own.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Connection, and_, column, literal_column, select, table, text
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql import ColumnElement, Select
from sqlalchemy.types import Boolean

from cipco import fts_pg

INDEX = "search_index"
STATE = "search_index_state"
SPAN = 1 << 40  # rowids of one list: code * SPAN + id
TRIGGER_PREFIX = "fts_"
SHORT = 3  # words shorter than this match the start of a word

CREATE_STATEMENTS = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {INDEX} USING fts5(body, tokenize='trigram')",
    f"CREATE TABLE IF NOT EXISTS {STATE} "
    "(log TEXT PRIMARY KEY, code INTEGER NOT NULL, signature TEXT NOT NULL)",
)
DROP_STATEMENTS = (f"DROP TABLE IF EXISTS {INDEX}", f"DROP TABLE IF EXISTS {STATE}")


def spaced(expression: str) -> str:
    """SQL for ``expression`` as indexed text: blanks for NULL, line breaks and tabs as
    spaces, every space doubled (so each word follows two spaces)."""
    inner = f"coalesce({expression}, '')"
    for control in ("char(13)", "char(10)", "char(9)"):
        inner = f"replace({inner}, {control}, ' ')"
    return f"replace({inner}, ' ', '  ')"


def words(parts: Sequence[str]) -> str:
    """SQL joining ``parts`` into one indexed text, each part after two spaces."""
    return " || ".join(f"'  ' || {spaced(part)}" for part in parts)


@dataclass(frozen=True)
class Watch:
    """Another table the list's text comes from.

    ``ids`` is a SELECT of the affected records' ids (one column named ``id``) in terms of
    ``{row}`` (NEW or OLD): ``SELECT {row}.referral_id AS id`` or ``SELECT id FROM referral
    WHERE prisoner_id = {row}.id``. ``columns`` limits updates that re-index (None: any).
    """

    table: str
    ids: str
    columns: tuple[str, ...] | None = None
    when: str = ""  # only rows for which this holds (in terms of {row}): inserts, deletes


@dataclass(frozen=True)
class Doc:
    """What one list indexes: ``parts`` over ``source`` (aliased), keyed by ``key``."""

    log: str  # the list's name (logspec.LOGS) or another searchable kind ("prisoners")
    code: int  # never changes once given: rowid = code * SPAN + id
    table: str  # the record's own table
    key: str  # SQL of the record's id in ``source``: "r.id"
    source: str  # FROM clause: "referral r JOIN prisoner p ON p.id = r.prisoner_id"
    parts: tuple[str, ...]  # SQL expressions of the indexed text
    columns: tuple[str, ...]  # the record's own columns whose update re-indexes it
    watches: tuple[Watch, ...] = ()

    @property
    def low(self) -> int:
        return self.code * SPAN

    @property
    def high(self) -> int:
        return self.code * SPAN + SPAN - 1

    def select(self, ids: str) -> str:
        """SQL of (rowid, body) for the records whose ids ``ids`` (a SELECT) gives."""
        return (
            f"SELECT {self.low} + {self.key}, {words(self.parts)} FROM {self.source} "
            f"WHERE {self.key} IN ({ids})"
        )

    def _replace(self, ids: str) -> str:
        return (
            f"DELETE FROM {INDEX} WHERE rowid IN (SELECT {self.low} + id FROM ({ids})); "
            f"INSERT INTO {INDEX}(rowid, body) {self.select(ids)};"
        )

    def events(self) -> list[tuple[str, str, str, str, str]]:
        """(name suffix, table, event, condition, ids) of each trigger keeping the list in
        step, for either backend: the record's own insert, update and delete, and each
        watch's. ``event`` is INSERT, UPDATE [OF columns] or DELETE; ``condition`` limits the
        rows ("" for all); ``ids`` is a SELECT of the records the change touches (``id``
        column), in terms of NEW or OLD."""
        own_new, own_old = "SELECT NEW.id AS id", "SELECT OLD.id AS id"
        found = [
            ("insert", self.table, "INSERT", "", own_new),
            ("update", self.table, f"UPDATE OF {', '.join(self.columns)}", "", own_new),
            ("delete", self.table, "DELETE", "", own_old),
        ]
        for number, watch in enumerate(self.watches, start=1):
            new, old = watch.ids.format(row="NEW"), watch.ids.format(row="OLD")
            of = f" OF {', '.join(watch.columns)}" if watch.columns else ""
            when_new, when_old = (watch.when.format(row=row) for row in ("NEW", "OLD"))
            found += [
                (f"w{number}_insert", watch.table, "INSERT", when_new, new),
                (f"w{number}_update", watch.table, f"UPDATE{of}", "", f"{old} UNION {new}"),
                (f"w{number}_delete", watch.table, "DELETE", when_old, old),
            ]
        return found

    def firings(self) -> list[tuple[str, str, str]]:
        """(name suffix, when it fires in SQLite's words, ids) of each of :meth:`events`."""
        return [
            (suffix, f"AFTER {event} ON {table}{f' WHEN {when}' if when else ''}", ids)
            for suffix, table, event, when, ids in self.events()
        ]

    def triggers(self) -> list[tuple[str, str]]:
        """(name, CREATE TRIGGER statement) for the record's table and every watch."""
        name = f"{TRIGGER_PREFIX}{self.log}_"
        bodies = {
            "insert": f"INSERT INTO {INDEX}(rowid, body) {self.select('SELECT NEW.id AS id')};",
            "delete": f"DELETE FROM {INDEX} WHERE rowid = {self.low} + OLD.id;",
        }
        return [
            (
                f"{name}{suffix}",
                f"CREATE TRIGGER {name}{suffix} {fires} BEGIN "
                f"{bodies.get(suffix) or self._replace(ids)} END",
            )
            for suffix, fires, ids in self.firings()
        ]

    @property
    def signature(self) -> str:
        statements = [sql for _, sql in self.triggers()] + [self.select("SELECT id FROM x")]
        return hashlib.sha256("\n".join(statements).encode()).hexdigest()[:16]


# ---------------------------------------------------------------- keeping it in step


def is_index_table(name: str) -> bool:
    """The index's own tables (FTS5 keeps shadow tables beside it): not in the models."""
    return name in (STATE, INDEX) or name.startswith(f"{INDEX}_")


def _on_server(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def create(connection: Connection) -> None:
    """Create the index and its state table (migration 0008); :func:`ensure` fills them."""
    if _on_server(connection):
        fts_pg.create(connection)
        return
    for statement in CREATE_STATEMENTS:
        connection.exec_driver_sql(statement)


def exists(connection: Connection) -> bool:
    if _on_server(connection):
        return fts_pg.exists(connection)
    found = connection.exec_driver_sql(
        "SELECT count(*) FROM sqlite_master WHERE name IN (?, ?)", (INDEX, STATE)
    ).scalar()
    return found == 2


def _installed(connection: Connection) -> tuple[dict[str, tuple[int, str]], set[str]]:
    if _on_server(connection):
        state, found = fts_pg.installed(connection)
        return state, set(found)
    state = {
        log: (int(code), signature)
        for log, code, signature in connection.exec_driver_sql(
            f"SELECT log, code, signature FROM {STATE}"
        )
    }
    triggers = {
        row[0]
        for row in connection.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'trigger' AND substr(name, 1, ?) = ?",
            (len(TRIGGER_PREFIX), TRIGGER_PREFIX),
        )
    }
    return state, triggers


def stale(connection: Connection, docs: Iterable[Doc]) -> list[Doc]:
    """The docs whose triggers are missing (a table rebuilt by a migration drops them) or
    whose declaration changed since they were installed."""
    if _on_server(connection):
        return fts_pg.stale(connection, docs)
    state, triggers = _installed(connection)
    return [
        doc
        for doc in docs
        if state.get(doc.log) != (doc.code, doc.signature)
        or any(name not in triggers for name, _ in doc.triggers())
    ]


def _drop_triggers(connection: Connection, log: str, triggers: set[str]) -> None:
    prefix = f"{TRIGGER_PREFIX}{log}_"
    for name in sorted(triggers):
        if name.startswith(prefix):
            connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')


def install(connection: Connection, doc: Doc) -> None:
    """(Re)create one list's triggers and rebuild its rows (inside the caller's transaction)."""
    if _on_server(connection):
        fts_pg.install(connection, doc)
        return
    _, triggers = _installed(connection)
    _drop_triggers(connection, doc.log, triggers)
    for _, statement in doc.triggers():
        connection.exec_driver_sql(statement)
    connection.exec_driver_sql(
        f"DELETE FROM {INDEX} WHERE rowid BETWEEN ? AND ?", (doc.low, doc.high)
    )
    connection.exec_driver_sql(
        f"INSERT INTO {INDEX}(rowid, body) {doc.select(f'SELECT id FROM {doc.table}')}"
    )
    connection.exec_driver_sql(
        f"INSERT OR REPLACE INTO {STATE}(log, code, signature) VALUES (?, ?, ?)",
        (doc.log, doc.code, doc.signature),
    )


def retire(connection: Connection, known: Iterable[Doc]) -> None:
    """Drop the triggers and rows of lists no longer declared."""
    if _on_server(connection):
        fts_pg.retire(connection, known)
        return
    state, triggers = _installed(connection)
    keep = {doc.log for doc in known}
    for log in set(state) - keep:
        code = state[log][0]
        _drop_triggers(connection, log, triggers)
        connection.exec_driver_sql(
            f"DELETE FROM {INDEX} WHERE rowid BETWEEN ? AND ?",
            (code * SPAN, code * SPAN + SPAN - 1),
        )
        connection.exec_driver_sql(f"DELETE FROM {STATE} WHERE log = ?", (log,))


def needs_work(connection: Connection, docs: Sequence[Doc]) -> bool:
    """True when :func:`ensure` has something to do (read in a snapshot: no write lock)."""
    if not exists(connection):
        return False
    state, _ = _installed(connection)
    return bool(stale(connection, docs)) or bool(set(state) - {doc.log for doc in docs})


def drop(connection: Connection) -> None:
    """Remove the index, its state and every trigger keeping it (migration 0008's downgrade)."""
    if _on_server(connection):
        fts_pg.drop(connection)
        return
    _, triggers = _installed(connection) if exists(connection) else ({}, set())
    for name in sorted(triggers):
        connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS "{name}"')
    for statement in DROP_STATEMENTS:
        connection.exec_driver_sql(statement)


def ensure(connection: Connection, docs: Sequence[Doc]) -> list[str]:
    """Bring the index in step with ``docs``; returns the lists rebuilt (usually none)."""
    if not exists(connection):
        return []
    rebuilt = []
    for doc in stale(connection, docs):
        install(connection, doc)
        rebuilt.append(doc.log)
    retire(connection, docs)
    return rebuilt


# ---------------------------------------------------------------- bulk writes

DIRTY = "fts_dirty"  # TEMP table: (code, id) of records a bulk write touched
BULK_PREFIX = "fts_bulk_"  # TEMP triggers filling it


@dataclass(frozen=True)
class Deferred:
    """Lists whose index triggers a bulk write has set aside (see :func:`deferred`)."""

    docs: tuple[Doc, ...]
    highest: dict[str, int]  # each doc's highest record id before the bulk write


def _mark(doc: Doc, ids: str) -> str:
    # a trigger may not name the schema: the TEMP table is found first
    return f"INSERT OR IGNORE INTO {DIRTY}(code, id) SELECT {doc.code}, id FROM ({ids});"


_ONE_RECORD = re.compile(r"SELECT ((?:NEW|OLD)\.\w+) AS id")


def _marking_triggers(doc: Doc, highest: int | None = None) -> list[tuple[str, str]]:
    """TEMP triggers noting which of ``doc``'s records a change touches: the index triggers'
    events, less the record's own insert (a new record has an id above the list's highest).

    Given ``highest``, a change that touches one record by its column (an exhibit's event,
    a referral's party) fires only when that record was there before: every record above
    ``highest`` is indexed whole at the end, so noting it costs a trigger a row for nothing
    (about a tenth of an exhibit log's import)."""
    name = f"{BULK_PREFIX}{doc.log}_"
    found = []
    for suffix, fires, ids in doc.firings():
        if suffix == "insert":
            continue
        one = _ONE_RECORD.fullmatch(ids)
        if highest is not None and one is not None:
            head, _, when = fires.partition(" WHEN ")
            old = f"{one[1]} <= {int(highest)}"
            fires = f"{head} WHEN ({when}) AND {old}" if when else f"{head} WHEN {old}"
        statement = f"CREATE TEMP TRIGGER {name}{suffix} {fires} BEGIN {_mark(doc, ids)} END"
        found.append((f"{name}{suffix}", statement))
    return found


def suspend(connection: Connection, docs: Iterable[Doc]) -> Deferred | None:
    """Set aside the index triggers of ``docs`` for a bulk write, inside the caller's write
    transaction: each trigger rebuilds one record's text per row written, most of a big
    import's time. Cheap TEMP triggers note the records touched instead, and :func:`resume`
    indexes them (with every record added) in one statement per list before the caller
    commits. A list whose triggers are not installed as declared is left as it is.

    None when there is nothing to set aside (no index, or not SQLite). Call :func:`resume`,
    or roll back, in the same transaction: a rollback restores the triggers and the index.
    """
    if connection.dialect.name != "sqlite" or not exists(connection):
        return None
    docs = tuple(docs)
    out_of_step = stale(connection, docs)
    wanted = [doc for doc in docs if doc not in out_of_step]
    if not wanted:
        return None
    highest = {
        doc.log: int(
            connection.exec_driver_sql(f"SELECT coalesce(max(id), 0) FROM {doc.table}").scalar()
            or 0
        )
        for doc in wanted
    }
    connection.exec_driver_sql(
        f"CREATE TEMP TABLE IF NOT EXISTS {DIRTY} "
        "(code INTEGER NOT NULL, id INTEGER NOT NULL, PRIMARY KEY (code, id)) WITHOUT ROWID"
    )
    connection.exec_driver_sql(f"DELETE FROM temp.{DIRTY}")
    for doc in wanted:
        for name, _ in doc.triggers():
            connection.exec_driver_sql(f'DROP TRIGGER "{name}"')
        for _, statement in _marking_triggers(doc, highest[doc.log]):
            connection.exec_driver_sql(statement)
    return Deferred(tuple(wanted), highest)


def _set_aside_cleared(connection: Connection, deferred: Deferred) -> None:
    for doc in deferred.docs:
        for name, _ in _marking_triggers(doc):
            connection.exec_driver_sql(f'DROP TRIGGER IF EXISTS temp."{name}"')
    connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{DIRTY}")


def resume(connection: Connection, deferred: Deferred) -> dict[str, int]:
    """Index what the bulk write touched and put the triggers back (same transaction).

    Per list: the index rows of records changed or deleted are removed, then the text of
    every record changed or added (id above the highest before) is inserted with one
    INSERT … SELECT. Returns how many records each list had indexed again."""
    counts: dict[str, int] = {}
    for doc in deferred.docs:
        highest = deferred.highest[doc.log]
        touched = f"SELECT id FROM temp.{DIRTY} WHERE code = {doc.code}"
        connection.exec_driver_sql(
            f"DELETE FROM {INDEX} WHERE rowid IN "
            f"(SELECT {doc.low} + id FROM ({touched}) WHERE id <= {highest})"
        )
        added = connection.exec_driver_sql(
            f"INSERT INTO {INDEX}(rowid, body) "
            f"{doc.select(f'{touched} UNION SELECT id FROM {doc.table} WHERE id > {highest}')}"
        )
        counts[doc.log] = max(int(added.rowcount or 0), 0)
    _set_aside_cleared(connection, deferred)
    for doc in deferred.docs:
        for _, statement in doc.triggers():
            connection.exec_driver_sql(statement)
    return counts


@contextmanager
def deferred(connection: Connection, docs: Iterable[Doc]) -> Iterator[Deferred | None]:
    """:func:`suspend` around a bulk write and :func:`resume` after it; on an error the TEMP
    triggers are dropped and the error goes on to the caller, whose rollback (of the unit of
    work, or of a savepoint taken before) puts back the index triggers and the index."""
    found = suspend(connection, docs)
    if found is None:
        yield None
        return
    try:
        yield found
    except BaseException:
        with suppress(Exception):  # the caller's rollback undoes this too
            _set_aside_cleared(connection, found)
        raise
    resume(connection, found)


# ---------------------------------------------------------------- asking it

_index = table(INDEX, column("rowid", BigInteger), column("body"), column("rank"))


class IndexMatch(ColumnElement[bool]):
    """The index's rows matching an FTS5 query from :func:`query_text`: ``MATCH`` on SQLite,
    every term as ``body ILIKE '%term%'`` (answered by the pg_trgm index) on PostgreSQL."""

    inherit_cache = False
    type = Boolean()
    _is_implicitly_boolean = True

    def __init__(self, query: str) -> None:
        self.query = query


@compiles(IndexMatch)
def _match_server(element: IndexMatch, compiler: Any, **kw: Any) -> str:
    patterns = fts_pg.like_patterns(element.query) or ["%"]
    clause = and_(*(_index.c.body.ilike(pattern, escape="\\") for pattern in patterns))
    return str(compiler.process(clause, **kw))


@compiles(IndexMatch, "sqlite")
def _match_sqlite(element: IndexMatch, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(literal_column(INDEX).op("MATCH")(element.query), **kw))


class IndexRank(ColumnElement[float]):
    """FTS5's ``rank`` (best first) on SQLite; the text's length on PostgreSQL."""

    inherit_cache = True


@compiles(IndexRank)
def _rank_server(_element: IndexRank, _compiler: Any, **_kw: Any) -> str:
    return f"length({INDEX}.body)"  # shorter texts first, as bm25 tends to


@compiles(IndexRank, "sqlite")
def _rank_sqlite(_element: IndexRank, _compiler: Any, **_kw: Any) -> str:
    return "rank"


def query_text(text: str) -> str | None:
    """The FTS5 query for what a person typed: every word must be found; each word is
    quoted (FTS5 syntax typed is taken literally), a short word is the start of a word.
    None when nothing searchable was typed."""
    terms = []
    for word in text.split():
        word = "".join(ch for ch in word if ch.isprintable())
        if not word:
            continue
        quoted = word.replace('"', '""')
        terms.append(f'"{quoted}"' if len(word) >= SHORT else f'"  {quoted}"')
    return " AND ".join(terms) or None


def matching(doc: Doc, query: str, *, limit: int | None = None) -> Select[tuple[int]]:
    """The ids of ``doc``'s records matching the FTS5 ``query`` (from :func:`query_text`)."""
    statement = select((_index.c.rowid - doc.low).label("id")).where(
        IndexMatch(query),
        _index.c.rowid.between(doc.low, doc.high),
    )
    if limit is not None:
        statement = statement.limit(limit)
    return statement


def ranked(doc: Doc, query: str, limit: int) -> Select[tuple[int, str]]:
    """The best ``limit`` matches of ``doc`` (id, text), best first."""
    return (
        select((_index.c.rowid - doc.low).label("id"), _index.c.body)
        .where(
            IndexMatch(query),
            _index.c.rowid.between(doc.low, doc.high),
        )
        .order_by(IndexRank(), _index.c.rowid.desc())
        .limit(limit)
    )


def count_matching(connection: Connection, doc: Doc, query: str, cap: int) -> int:
    """How many of ``doc``'s records match, counting no further than ``cap``."""
    inner = matching(doc, query, limit=cap).subquery()
    found = connection.execute(select(text("count(*)")).select_from(inner)).scalar()
    return int(found or 0)
