"""One description per log, and the small service base every log's service is built on.

A :class:`LogSpec` says, as plain data, what a log is: its model and create/update schemas,
its row type, its queues (quick filters) and their SQL conditions, its table columns (key,
label, least width, whether it grows, how it sorts, how a cell reads as text), where its
export and import columns are defined, and the keymap actions its screens add. Screens build
their tables, tabs and footers from it; exports stream rows through it; the import pipeline
finds its fields through it. Nothing here imports Textual: a column is data, not a widget.

A :class:`LogService` is the base of every log's service. It does what every log does the
same way:

- ``load(session, id[, expected_version])``: the record, or :class:`NotFoundError` as a
  sentence (and the version check below when a version is given);
- ``check_version(session, record, expected)``: :class:`StaleEditError` naming who changed
  it and when, carrying the log, id and stored version a Reload needs;
- ``save(session, record, clock)``: stamp ``updated_at`` when something changed and flush,
  turning a lost race (SQLAlchemy's version check) into the same stale-edit error;
- ``page(session, query, clock)`` and ``count(...)``: one page and its total, filtered
  (words in the search columns, with ``%`` and ``_`` literal), queued and sorted in SQL;
- ``counts(session, clock, text)``: every queue's count for the tabs;
- ``stream(session, query, clock)``: every matching row in batches, for exports.

A log's service subclasses it as ``LogService[Model, Row]`` (the parameters are its ``model``
and ``row_type``), names the log (``name``, ``words``) and fills in three hooks:
``select`` (columns and joins), ``build_rows`` (result rows to its row dataclass) and, if it
has any, ``where_extra`` for filters a screen passes in ``PageQuery.extra``. The registry
(:func:`spec`, :func:`all_specs`) names the logs; each log declares its ``SPEC`` in its own
service module.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, ClassVar, Generic, TypeVar, get_args, get_origin

from sqlalchemy import ColumnElement, Select
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from cipco.clock import Clock, ReadMoment
from cipco.dates import format_date, format_datetime
from cipco.services import audit
from cipco.services.errors import NotFoundError, RecordError, StaleEditError
from cipco.services.paging import Page, PageQuery, count_of, text_filter

ModelT = TypeVar("ModelT", bound=SQLModel)
RowT = TypeVar("RowT")

STREAM_BATCH = 1000


def cell_text(value: Any) -> str:
    """A row value as a table cell or export shows it (dates day first, None blank)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else ""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, tuple | list):
        return ", ".join(cell_text(v) for v in value)
    return str(value)


def assign(record: Any, values: Mapping[str, Any]) -> bool:
    """Set each value that differs on ``record``; True if any did (unchanged fields are not
    touched, so the audit trail and the version move only for real changes)."""
    changed = False
    for key, value in values.items():
        if getattr(record, key) != value:
            setattr(record, key, value)
            changed = True
    return changed


def new_record(model: type[ModelT], clock: Clock, /, **values: Any) -> ModelT:
    """A new row stamped created and updated now (the caller adds it to the session)."""
    now = clock.now()
    return model(**values, created_at=now, updated_at=now)


def add_record(session: Session, model: type[ModelT], clock: Clock, /, **values: Any) -> ModelT:
    """A :func:`new_record` added to the session and flushed (so it has its id)."""
    record = new_record(model, clock, **values)
    session.add(record)
    session.flush()
    return record


def label_of(field: str, labels: Mapping[str, str]) -> property:
    """A row's property: the label of its ``field`` (the value itself when it has none)."""

    def label(row: Any) -> str:
        value = getattr(row, field)
        return labels.get(value, value)

    return property(label)


@cache
def _fields_from_source(row_type: type, given: frozenset[str]) -> tuple[str, ...]:
    return tuple(name for name in row_type.__dataclass_fields__ if name not in given)  # type: ignore[attr-defined]


@cache
def _shared_names(model: type[SQLModel], row_type: type) -> tuple[str, ...]:
    columns = model.__table__.columns  # type: ignore[attr-defined]
    return tuple(name for name in row_type.__dataclass_fields__ if name in columns)  # type: ignore[attr-defined]


def row_from(row_type: type[RowT], source: Any, /, **values: Any) -> RowT:
    """A row dataclass filled from ``source``'s attributes of the same names, ``values``
    given explicitly winning (computed fields, blanks for None).

    ``source`` is a record or a result row whose columns are labelled with the row type's
    field names (``Prisoner.name.label("prisoner_name")``), so a list's select names each
    field once and its ``build_rows`` computes only what is not read as it is.
    """
    names = _fields_from_source(row_type, frozenset(values))
    return row_type(**{name: getattr(source, name) for name in names}, **values)


@dataclass(frozen=True)
class Column:
    """One table column as plain data.

    ``width`` is the least it gets; spare width goes to columns that ``grow``. ``sort`` is the
    SQL expression the list sorts by (None: not sortable). ``text`` turns a row into the
    cell's text (default: the row's attribute ``attr`` or ``key``, via :func:`cell_text`).
    """

    key: str
    label: str
    width: int
    grow: bool = True
    sort: Any = None
    text: Callable[[Any], str] | None = None
    attr: str | None = None
    date_only: bool = False  # an instant shown as its London date

    @property
    def sortable(self) -> bool:
        return self.sort is not None

    def cell(self, row: Any) -> str:
        if self.text is not None:
            return self.text(row)
        value = getattr(row, self.attr or self.key)
        return format_date(value) if self.date_only else cell_text(value)


@dataclass(frozen=True)
class QueryContext(ReadMoment):
    """What a queue condition or filter may depend on: the session and the clock."""

    session: Session
    clock: Clock


@dataclass(frozen=True)
class Queue:
    """A quick filter: its key (``PageQuery.queue``), tab label and SQL condition."""

    key: str
    label: str
    where: Callable[[QueryContext], ColumnElement[bool]]


@dataclass(frozen=True)
class Words:
    """What to call a log's records: "referral", "referrals", tab title "Referrals"."""

    noun: str
    plural: str
    title: str


@dataclass(frozen=True)
class Sheets:
    """Where the log's spreadsheet columns are defined ("module:NAME"; "" when none)."""

    export_columns: str = ""
    import_fields: str = ""


@dataclass(frozen=True)
class Done:
    """Rows whose ``attr`` is in ``values`` are closed, final or done: shown dimmed."""

    attr: str = "status"
    values: frozenset[str] = frozenset()


@dataclass(frozen=True)
class LogSpec:
    """Everything shared code needs to know about one log.

    The log's name and words, model, row type and error type are the service's
    (``LogService.name`` …); the spec reads them from it, so they are said once.
    """

    service: LogService[Any, Any]
    columns: tuple[Column, ...]
    queues: tuple[Queue, ...] = ()
    search: tuple[Any, ...] = ()  # columns the typed filter looks in, if not in the index
    search_hint: str = "Filter"
    schemas: tuple[type | None, type | None] = (None, None)  # create, update
    keys: tuple[str, ...] = ()  # keymap actions (cipco/screens/keymap.py) the log's list adds
    sheets: Sheets = Sheets()
    done: Done = Done()
    related: tuple[str, ...] = ()  # other lists of the same log ("actions" of "clinics")

    def __post_init__(self) -> None:
        object.__setattr__(self.service, "spec", self)

    # ------------------------------------------------------------ read as plain attributes

    @property
    def name(self) -> str:
        """The registry key and app mode: "referrals"."""
        return self.service.name

    @property
    def words(self) -> Words:
        return self.service.words

    @property
    def title(self) -> str:
        return self.words.title

    @property
    def noun(self) -> str:
        return self.words.noun

    @property
    def plural(self) -> str:
        return self.words.plural

    @property
    def model(self) -> type[SQLModel]:
        return self.service.model

    @property
    def row_type(self) -> type:
        return self.service.row_type

    @property
    def error(self) -> type[RecordError]:
        return self.service.error

    @property
    def update_schema(self) -> type | None:
        return self.schemas[1]

    @property
    def export_columns(self) -> str:
        return self.sheets.export_columns

    @property
    def import_fields(self) -> str:
        return self.sheets.import_fields

    @property
    def queue_labels(self) -> dict[str, str]:
        return {queue.key: queue.label for queue in self.queues}

    def queue(self, key: str) -> Queue:
        for queue in self.queues:
            if queue.key == key:
                return queue
        names = ", ".join(q.key for q in self.queues) or "none"
        raise self.error(f"filter: unknown filter '{key}' (use {names})", field="queue")

    def column(self, key: str) -> Column:
        for column in self.columns:
            if column.key == key:
                return column
        raise KeyError(key)

    def is_done(self, row: Any) -> bool:
        """Closed, final or done: the list shows it dimmed."""
        return str(getattr(row, self.done.attr, "")) in self.done.values


@cache
def flavoured(kind: type[RecordError], error: type[RecordError]) -> type[RecordError]:
    """``kind`` (not found, stale edit) that is also the log's own error, so a caller that
    catches ``ReferralError`` or ``ClinicError`` still catches it."""
    if issubclass(error, kind) or error is RecordError:
        return kind
    name = error.__name__.removesuffix("Error") + kind.__name__.removesuffix("Error")
    return type(name, (kind, error), {"__module__": error.__module__})


class LogService(Generic[ModelT, RowT]):
    """The shared half of every log's service (see the module docstring)."""

    spec: LogSpec
    name: ClassVar[str]
    """The log's registry key and app mode ("referrals"); also the search index's name."""
    words: ClassVar[Words]
    model: ClassVar[type[SQLModel]]
    """Read from the class's parameters (``LogService[Referral, ReferralRow]``)."""
    row_type: ClassVar[type]
    """Read from the class's parameters, like ``model``."""
    error: ClassVar[type[RecordError]] = RecordError
    filters: ClassVar[Mapping[str, Callable[[Any], Any]]] = {}
    """Filters a screen passes in ``PageQuery.extra``: key -> value -> SQL condition."""
    named_by: ClassVar[str] = ""
    """The field a sentence quotes after the noun to name a record ("agenda item 'Drugs'");
    blank: its reference, or "this <noun>"."""
    counts_by_index: ClassVar[bool] = False
    """Every record of the list is one row of the search index and the list's joins never
    leave a record out: a count filtered by typed text alone is read from the index."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Take ``model`` and ``row_type`` from the parameters a subclass gives its base, so
        ``class ReferralService(LogService[Referral, ReferralRow])`` says them once (a
        parameter given as a string, a row type declared further down, is set by hand)."""
        super().__init_subclass__(**kwargs)
        for base in cls.__dict__.get("__orig_bases__", ()):  # its own bases, not inherited
            origin = get_origin(base)
            if isinstance(origin, type) and issubclass(origin, LogService):
                model, row_type = get_args(base)
                if isinstance(model, type) and issubclass(model, SQLModel):
                    cls.model = model
                if isinstance(row_type, type) and row_type is not Any:
                    cls.row_type = row_type

    def own_columns(self) -> list[Any]:
        """The model's columns that the row type has a field of the same name for, in the
        row's order: a list's select reads them as they are and :func:`row_from` fills the
        row by name, so the row's fields are said once."""
        return [getattr(self.model, name) for name in _shared_names(self.model, self.row_type)]

    # ------------------------------------------------------------ hooks

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        """The list's columns and joins, before filters."""
        raise NotImplementedError

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[RowT]:
        """Result rows of :meth:`select` as the log's row type."""
        raise NotImplementedError

    def where_extra(self, ctx: QueryContext, key: str, value: Any) -> ColumnElement[bool] | None:
        """A filter a screen passes in ``PageQuery.extra`` (unknown keys are ignored)."""
        make = self.filters.get(key)
        return make(value) if make is not None else None

    def default_order(self, ctx: QueryContext, query: PageQuery) -> tuple[Any, ...]:
        """The order when no column is chosen (default: by id)."""
        return ()

    def label(self, record: Any) -> str:
        """What to call a record in a sentence ("REF-2026-0001", "the clinic of 03/04/2026")."""
        if self.named_by:
            return f"{self.words.noun} '{getattr(record, self.named_by)}'"
        reference = getattr(record, "reference", None)
        return str(reference) if reference else f"this {self.words.noun}"

    # ------------------------------------------------------------ records

    def load(self, session: Session, record_id: int, expected_version: int | None = None) -> ModelT:
        """The record; with ``expected_version``, refused as :meth:`check_version` does."""
        record = session.get(self.model, record_id)
        if record is None:
            raise flavoured(NotFoundError, self.error)(
                f"{self.words.noun} {record_id} does not exist (it may have been deleted)"
            )
        self.check_version(session, record, expected_version)
        return record  # type: ignore[return-value]

    def check_version(self, session: Session, record: Any, expected: int | None) -> None:
        """Refuse an edit of a version older than the one stored, naming who and when."""
        if expected is None or record.version == expected:
            return
        raise self.stale(session, record)

    def stale(self, session: Session, record: Any) -> StaleEditError:
        last = audit.last_change(session, str(record.__tablename__), record.id)
        stale: Any = flavoured(StaleEditError, self.error)
        return stale(
            self.label(record),
            who=last.actor if last else None,
            when=last.at if last else None,
            log=self.name,
            record_id=record.id,
            version=record.version,
        )

    def save(self, session: Session, record: Any, clock: Clock | None = None) -> None:
        """Flush the record's changes; ``updated_at`` moves only when something changed.

        A change someone else saved since this record was read (SQLAlchemy's version check
        on UPDATE) is refused as a :class:`StaleEditError`; nothing is written.
        """
        if clock is not None and hasattr(record, "updated_at") and session.is_modified(record):
            record.updated_at = clock.now()
        what, record_id = self.label(record), getattr(record, "id", None)
        try:
            session.flush()
        except StaleDataError:
            stale: Any = flavoured(StaleEditError, self.error)
            raise stale(what, log=self.name, record_id=record_id) from None

    # ------------------------------------------------------------ lists

    def context(self, session: Session, clock: Clock) -> QueryContext:
        return QueryContext(session, clock)

    def text_clause(self, ctx: QueryContext, text: str) -> ColumnElement[bool] | None:
        """The typed filter: through the search index when the list is indexed (every word
        in the record's indexed text), else each word in one of the ``search`` columns."""
        from cipco.services import search

        if search.indexed(self.name):
            return search.clause(ctx.session, self.name, self.model.id, text)  # type: ignore[attr-defined]
        return text_filter(list(self.spec.search), text)

    def filtered(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        statement = self.select(ctx, query)
        clause = self.text_clause(ctx, query.text)
        if clause is not None:
            statement = statement.where(clause)
        if query.queue:
            statement = statement.where(self.spec.queue(query.queue).where(ctx))
        for key, value in query.extra.items():
            if value is None:
                continue
            condition = self.where_extra(ctx, key, value)
            if condition is not None:
                statement = statement.where(condition)
        return statement

    def order(self, ctx: QueryContext, query: PageQuery) -> tuple[Any, ...]:
        chosen = None
        if query.sort:
            try:
                chosen = self.spec.column(query.sort).sort
            except KeyError:
                chosen = None
        if chosen is None:
            ordering = self.default_order(ctx, query)
        else:  # undated and blank values last, whichever way
            ordering = (chosen.is_(None), chosen.desc() if query.descending else chosen.asc())
        return (*ordering, self.model.id)  # type: ignore[attr-defined]

    def page(
        self, session: Session, query: PageQuery, clock: Clock, *, total: int | None = None
    ) -> Page[RowT]:
        """One page, filtered, sorted and counted in SQL (pass ``total`` if known)."""
        ctx = self.context(session, clock)
        statement = self.filtered(ctx, query)
        if total is None:
            total = count_of(session, statement)
        statement = statement.order_by(*self.order(ctx, query))
        results = session.execute(statement.offset(query.offset).limit(query.limit)).all()
        return Page(rows=self.build_rows(ctx, results), total=total, offset=query.offset)

    def count(self, session: Session, query: PageQuery, clock: Clock) -> int:
        return count_of(session, self.filtered(self.context(session, clock), query))

    def indexed_count(self, session: Session, query: PageQuery) -> int | None:
        """The count of a query filtered by typed text alone, from the search index (a
        keystroke's total without scanning the list); None when it must be counted."""
        if not self.counts_by_index or query.queue:
            return None
        if any(value is not None for value in query.extra.values()):
            return None
        from cipco.services import search

        return search.count(session, self.name, query.text)

    def counts(self, session: Session, clock: Clock, text: str = "") -> dict[str, int]:
        """Each queue's count (``all`` too) with the typed filter applied."""
        result = {"all": self.count(session, PageQuery(text=text), clock)}
        for queue in self.spec.queues:
            result[queue.key] = self.count(session, PageQuery(text=text, queue=queue.key), clock)
        return result

    def stream(
        self, session: Session, query: PageQuery, clock: Clock, *, batch: int = STREAM_BATCH
    ) -> Iterator[RowT]:
        """Every matching row (the query's window is ignored), in the list's order.

        One query read through a cursor ``batch`` rows at a time: an export of 50,000 rows
        holds one batch in memory and never re-sorts the log for each batch.
        """
        ctx = self.context(session, clock)
        statement = self.filtered(ctx, query).order_by(*self.order(ctx, query))
        result = session.execute(statement.execution_options(yield_per=batch))
        for part in result.partitions():
            yield from self.build_rows(ctx, part)


# ---------------------------------------------------------------- the registry

LOGS: dict[str, str] = {
    "referrals": "cipco.services.referrals",
    "clinics": "cipco.services.clinic",
    "actions": "cipco.services.clinic",
    "exhibits": "cipco.services.exhibit_spec",
    "mg4d": "cipco.services.mg4d",
    "persons": "cipco.services.persons",
}
"""Every list, by name, and the module that declares its ``SPEC`` (``ACTIONS_SPEC`` for the
clinic action log, which is the clinics log's second list)."""


def spec(name: str) -> LogSpec:
    """The description of the log called ``name`` (a key of :data:`LOGS`)."""
    try:
        module = importlib.import_module(LOGS[name])
    except KeyError:
        raise KeyError(f"no log called '{name}'") from None
    found: LogSpec = getattr(module, "ACTIONS_SPEC" if name == "actions" else "SPEC")
    return found


def all_specs() -> list[LogSpec]:
    return [spec(name) for name in LOGS]
