"""The one export streamer: a log's rows, streamed from its service, into the one writer.

Each log describes its export once, in its own module (``<log>_io.py``), as an
:class:`ExportLog`: the columns (header, the row field they show, width, kind, whether the
column is internal or names a person), the order of the fields in the rows its service
yields, and the service function that yields them. :func:`export` then

- opens a read-only unit of work (:func:`cipco.db.read_scope`: never blocks a save);
- streams the service's rows (no list of the whole log in memory) into
  :func:`cipco.spreadsheets.writer.write_workbook`;
- leaves out internal columns (notes, next due) unless ``include_internal``;
- leaves out, or withholds the name and prison number of, people marked "do not share"
  unless ``include_restricted``;
- writes an About sheet that says what was filtered and what was left out;
- writes through :func:`cipco.outputs.write_output`: a private temporary file moved into
  place, never replacing a file unless asked (see ``docs/contracts.md``).

Picking and reordering columns is done once per export with ``operator.itemgetter``, so a
50,000-row export costs little more than the bare writer.
"""

from __future__ import annotations

from collections.abc import Callable, Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter, itemgetter
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from cipco.clock import Clock
from cipco.config import default_exports_dir
from cipco.db import read_scope
from cipco.outputs import OutputError, OutputTarget, choose_output, write_output
from cipco.services.paging import PageQuery
from cipco.spreadsheets.writer import About, Column, SheetSpec, write_workbook_to

WITHHELD = "withheld (do not share)"
RowSource = Callable[[Session, "ExportRequest", Clock], Iterable[Sequence[Any]]]


def paged(stream: Callable[[Session, PageQuery, Clock], Iterable[Sequence[Any]]]) -> RowSource:
    """A service's rows for a list query as an export's rows: those the request's query
    picks, or the whole list."""
    return lambda session, request, clock: stream(session, request.query or PageQuery(), clock)


@dataclass(frozen=True)
class ExportColumn:
    """One exported column: its header, the row field it shows, and how it is written."""

    header: str
    field: str
    width: int = 14
    kind: str = "text"  # text | date | datetime | number | bool
    internal: bool = False  # the coordinator's own working (notes, next due)
    person: bool = False  # names a person: withheld for people marked "do not share"
    convert: Callable[[Any], Any] | None = None  # code -> words, for instance

    def column(self) -> Column:
        return Column(self.header, self.width, self.kind)


KINDS = frozenset({"text", "date", "datetime", "number", "bool"})
FLAGS = frozenset({"internal", "person"})


def columns(
    table: str, convert: Mapping[str, Callable[[Any], Any]] | None = None
) -> tuple[ExportColumn, ...]:
    """A log's columns written as a table, one a line::

        Header         | row field     | width | kind     | flags
        Prison number  | nomis_number  | 13    |          | person
        Incident date  | incident_at   | 17    | datetime
        Notes          | notes         | 40    |          | internal

    ``kind`` defaults to text; flags are ``internal`` (left out of police exports unless
    asked) and ``person`` (withheld for people marked "do not share"). ``convert`` maps a row
    field to the function that turns its value into words.
    """
    convert = dict(convert or {})
    found = []
    for line in table.strip().splitlines():
        header, field, width, *rest = (part.strip() for part in line.split("|"))
        kind = (rest[0] if rest else "") or "text"
        flags = set(rest[1:]) - {""}
        if kind not in KINDS or not flags <= FLAGS:
            raise ValueError(f"column {header!r}: unknown kind or flag in {line!r}")
        found.append(
            ExportColumn(
                header,
                field,
                int(width),
                kind,
                internal="internal" in flags,
                person="person" in flags,
                convert=convert.pop(field, None),
            )
        )
    if convert:
        raise ValueError(f"convert names fields that are not columns: {', '.join(convert)}")
    return tuple(found)


@dataclass(frozen=True)
class ExportRequest:
    """What the user asked for: the log's filter, its words for the About sheet, options."""

    query: Any = None
    filters: Mapping[str, str] = field(default_factory=dict)
    include_restricted: bool = False
    include_internal: bool = False


@dataclass(frozen=True)
class ExportLog:
    """How one log is exported (see the module docstring)."""

    name: str  # file names: referrals-20261118-100405.xlsx
    sheet: str
    what: str  # the About sheet's "What"
    columns: tuple[ExportColumn, ...]
    rows: RowSource  # tuples in ``fields`` order, or (no ``fields``) objects with attributes
    fields: tuple[str, ...] = ()  # order of the values in the service's row tuples
    count: Callable[[Session, ExportRequest, Clock], int] | None = None
    notes: tuple[str, ...] = ()
    restricted_field: str | None = None  # the field that says a row is restricted...
    restricted_values: Callable[[Session], Container[Any]] | None = None  # ...with these values
    omit_restricted: bool = False  # leave restricted rows out (else withhold person columns)
    about_notes: Callable[[Session], list[str]] | None = None

    def field_order(self) -> tuple[str, ...]:
        return self.fields or tuple(c.field for c in self.columns)

    def chosen(self, request: ExportRequest) -> list[ExportColumn]:
        return [c for c in self.columns if request.include_internal or not c.internal]


@dataclass
class ExportResult:
    path: Path
    rows: int
    withheld: int = 0


@dataclass
class _Tally:
    withheld: int = 0


def _picker(positions: list[int], width: int) -> Callable[[Sequence[Any]], Sequence[Any]] | None:
    if positions == list(range(width)):
        return None
    if len(positions) == 1:
        only = positions[0]
        return lambda row: (row[only],)
    return itemgetter(*positions)


def _restricted(
    rows: Iterable[Sequence[Any]],
    key: int,
    values: Container[Any],
    hide: list[int],
    omit: bool,
    tally: _Tally,
) -> Iterator[Sequence[Any]]:
    for row in rows:
        if row[key] not in values:
            yield row
            continue
        tally.withheld += 1
        if not omit:
            kept = list(row)
            for index in hide:
                kept[index] = WITHHELD
            yield kept


def _converted(
    rows: Iterable[Sequence[Any]], converts: Sequence[tuple[int, Callable[[Any], Any] | None]]
) -> Iterator[Sequence[Any]]:
    for row in rows:
        values = list(row)
        for index, convert in converts:
            if convert is not None and values[index] is not None:
                values[index] = convert(values[index])
        yield values


def stream(
    log: ExportLog, session: Session, request: ExportRequest, clock: Clock, about: About
) -> tuple[list[Column], Iterator[Sequence[Any]], _Tally]:
    """The chosen columns and their rows; what was left out is added to ``about``'s notes.

    The notes about withheld rows are added when the rows run out, which is before the
    writer writes the About sheet (it always comes after the data sheets).
    """
    order = log.field_order()
    index = {name: i for i, name in enumerate(order)}
    chosen = log.chosen(request)
    rows: Iterable[Sequence[Any]] = log.rows(session, request, clock)
    if not log.fields:  # the service yields objects: read the columns' attributes
        rows = attributes(order, rows)
    tally = _Tally()
    left_out = [c.header for c in log.columns if c not in chosen]
    if left_out:
        about.notes.append(
            f"Internal columns left out: {', '.join(left_out)} (--include-internal adds them)."
        )
    restricted = log.restricted_field is not None and log.restricted_values is not None
    if restricted and not request.include_restricted:
        assert log.restricted_field is not None and log.restricted_values is not None
        values = log.restricted_values(session)
        if values:
            hide = [index[c.field] for c in log.columns if c.person]
            rows = _restricted(
                rows, index[log.restricted_field], values, hide, log.omit_restricted, tally
            )
    elif restricted:
        about.notes.append("Includes people marked DO NOT SHARE: handle with particular care.")
    rows = pick(chosen, order, rows)

    def counted() -> Iterator[Sequence[Any]]:
        yield from rows
        if tally.withheld and log.omit_restricted:
            about.notes.append(
                f"{tally.withheld} entries marked 'do not share' are NOT included in this "
                "export (--include-restricted includes them)."
            )
        elif tally.withheld:
            about.notes.append(
                f"{tally.withheld} rows name a person marked 'do not share': their name and "
                "prison number are withheld, so those rows do not import back "
                "(--include-restricted includes them)."
            )

    return [c.column() for c in chosen], counted(), tally


def about_for(
    log: ExportLog, session: Session, request: ExportRequest, clock: Clock, actor: str
) -> About:
    """The About sheet of an export: what, when, by whom, filters, the log's notes."""
    filters = dict(request.filters)
    if log.restricted_field is not None:
        filters["restricted entries"] = "included" if request.include_restricted else "withheld"
    notes = list(log.notes)
    if log.about_notes is not None:
        notes += log.about_notes(session)
    return About(log.what, clock.now(), actor, filters=filters, notes=notes)


def export(
    engine: Engine,
    log: ExportLog,
    target: OutputTarget,
    request: ExportRequest,
    *,
    clock: Clock,
    actor: str,
    progress: Callable[[int], None] | None = None,
    on_total: Callable[[int], None] | None = None,
) -> ExportResult:
    """Write ``log`` as ``request`` asks to ``target``. Raises :class:`OutputError` and the
    service's filter errors (nothing is left behind either way)."""
    with read_scope(engine, clock=clock) as session:
        if on_total is not None and log.count is not None:
            on_total(log.count(session, request, clock))
        about = about_for(log, session, request, clock, actor)
        columns, rows, tally = stream(log, session, request, clock, about)
        path, counts = save_sheets(target, [SheetSpec(log.sheet, columns, rows)], about, progress)
    return ExportResult(path, counts[log.sheet], tally.withheld)


# ---------------------------------------------------------------- writing through the contract


def save_sheets(
    target: OutputTarget,
    sheets: Sequence[SheetSpec],
    about: About,
    progress: Callable[[int], None] | None = None,
) -> tuple[Path, dict[str, int]]:
    """Write data sheets and an About sheet to ``target``; (where it went, rows per sheet)."""
    written = write_workbook_to(target, sheets, about, progress=progress)
    return written.path, written.counts


def save_text(target: OutputTarget, text: str) -> Path:
    """Write a text document (Markdown minutes) to ``target``."""
    return write_output(target, lambda temp: temp.write_text(text, encoding="utf-8"))


def default_target(what: str, clock: Clock, suffix: str = ".xlsx") -> OutputTarget:
    """A new file in the exports folder named for ``what`` and the time to the second."""
    from cipco.prefs import PrefsError

    try:
        folder = default_exports_dir()
    except PrefsError as exc:
        raise OutputError(str(exc)) from None
    return choose_output(None, what=what, suffix=suffix, at=clock.now(), default_dir=folder)


def target_of(path: Path | OutputTarget, what: str, clock: Clock) -> OutputTarget:
    """An :class:`OutputTarget` for a path given in code (refused if it exists)."""
    if isinstance(path, OutputTarget):
        return path
    return choose_output(
        Path(path), what=what, suffix=Path(path).suffix, at=clock.now(), default_dir=Path(".")
    )


def pick(
    columns: Sequence[ExportColumn], fields: Sequence[str], rows: Iterable[Sequence[Any]]
) -> Iterator[Sequence[Any]]:
    """``rows`` (values in ``fields`` order) as the values of ``columns``, converted."""
    index = {name: i for i, name in enumerate(fields)}
    picker = _picker([index[c.field] for c in columns], len(fields))
    picked: Iterable[Sequence[Any]] = rows if picker is None else map(picker, rows)
    converts = [(i, c.convert) for i, c in enumerate(columns) if c.convert is not None]
    return _converted(picked, converts) if converts else iter(picked)


def attributes(fields: Sequence[str], items: Iterable[Any]) -> Iterator[tuple[Any, ...]]:
    """``items`` (rows a service returns as objects) as tuples of ``fields``."""
    if len(fields) == 1:
        only = fields[0]
        return ((getattr(item, only),) for item in items)
    return map(attrgetter(*fields), items)


def table(
    title: str,
    columns: Sequence[ExportColumn],
    rows: Iterable[Sequence[Any]],
    fields: Sequence[str] | None = None,
) -> SheetSpec:
    """A sheet of ``columns`` from tuples in ``fields`` order (default: the columns' own)."""
    order = fields if fields is not None else [c.field for c in columns]
    return SheetSpec(title, [c.column() for c in columns], pick(columns, order, rows))


def sheet(title: str, columns: Sequence[ExportColumn], items: Iterable[Any]) -> SheetSpec:
    """A sheet of ``columns`` filled from objects (a document's table: continuity, minutes)."""
    return table(title, columns, attributes([c.field for c in columns], items))
