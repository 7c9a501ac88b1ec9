"""The one import pipeline, for every log.

Each log describes its import once, in its own module (``<log>_io.py``), as an
:class:`ImportLog`: the fields it can read (with the header words trackers use), the column
that is never empty on a data row, and the service's row handler
(:mod:`cipco.services.row_import`). :func:`run_import` then

- reads the sheet with :func:`cipco.spreadsheets.reader.read_table`: the header row is found
  and each column matched to a field by meaning (:mod:`cipco.spreadsheets.headers`: ``--map``,
  then a remembered mapping of the same header layout, exact, synonym, guessed); a file with
  no column for a required field is refused;
- converts each cell by its field's kind (the converter chosen once per column); a separate
  time column is combined with its date (a date alone stays "time not recorded");
- keeps every other column that has values: each row's cells of those columns go to the
  handler as ``original_columns`` ([header, text] pairs) and are stored with the record;
  a column that cannot be kept (a time with no date column) is named as lost, and
  ``strict`` refuses the file;
- hands the rows to the handler, in file order, or in the handler's ``order_key`` order;
- does it all in ONE unit of work: committed unless ``dry_run`` or (``strict`` and a row was
  rejected);
- counts imported / updated / unchanged / skipped (blank, totals and note rows) / rejected;
- when committed, remembers the columns that needed ``--map`` or a guess under the sheet's
  header layout (:mod:`cipco.services.import_mappings`), so the next copy needs no options;
- writes the rejected rows, with "Row", "Column" and "Reason", to a reject workbook that can
  be fixed and imported again, BEFORE the import commits: if it cannot be written, nothing is
  imported.

The summary is the same for every log (:meth:`ImportSummary.counts_line`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from cipco.clock import Clock
from cipco.db import session_scope
from cipco.outputs import OutputTarget
from cipco.services.row_import import fewer_full_collections, indexed_in_bulk
from cipco.spreadsheets.exporting import default_target, save_sheets, target_of
from cipco.spreadsheets.import_columns import (
    ORIGINAL,
    ORIGINAL_FIELD,
    LostColumn,
    combine,
    converter,
    remember_mapping,
    remembered_layouts,
    review_columns,
    set_derived,
    shown,
)
from cipco.spreadsheets.reader import (
    CellError,
    ColumnReport,
    FieldSpec,
    ReadError,
    SourceRow,
    Table,
    clean_text,
    read_table,
    with_time_fields,
)
from cipco.spreadsheets.writer import About, Column, SheetSpec
from cipco.text import clean

PROGRESS_EVERY = 500


class RowOutcome(Protocol):
    row: int
    action: str
    field: str
    reason: str
    warnings: list[str]


class RowHandler(Protocol):
    def set_columns(self, fields: set[str]) -> None: ...
    def add(self, row: int, values: dict[str, Any]) -> RowOutcome: ...
    def finish(self) -> None: ...


@dataclass(frozen=True)
class ImportLog:
    """How one log is imported (see the module docstring)."""

    name: str  # the command (cipco import NAME) and reject file names
    fields: Sequence[FieldSpec]
    key_field: str  # never empty on a data row (a row without it may be a totals row)
    handler: Callable[[Session, Clock, str], RowHandler]  # (session, clock, file name)
    counts_note: str = ""  # what the counts mean, where the words need it
    choices: Callable[[Session], dict[str, list[str]]] | None = None  # template drop-downs
    keeps_columns: bool = True  # the records have an "original columns" field
    # headers of columns cipco's own export writes but works out itself (next due, state):
    # read back from an export they are not imported, and not kept
    derived: tuple[str, ...] = ()

    @property
    def read_fields(self) -> list[FieldSpec]:
        """What a sheet's columns are matched against: the fields, each date-and-time
        field's separate time column, and the original columns of an export."""
        extra = [ORIGINAL_FIELD] if self.keeps_columns else []
        return with_time_fields([*self.fields, *extra])


@dataclass
class Reject:
    row: int
    column: str
    reason: str
    cells: list[Any]


@dataclass
class ImportSummary:
    path: Path
    sheet: str = ""
    header_row: int = 0
    mapping: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    columns: list[ColumnReport] = field(default_factory=list)
    hints: dict[int, str] = field(default_factory=dict)  # column -> "--map 'H=field'"
    lost: list[LostColumn] = field(default_factory=list)
    skipped_rows: dict[str, list[int]] = field(default_factory=dict)  # blank/totals/note
    fingerprint: str = ""
    remembered: bool = False  # the mapping was saved for this header layout
    refused: str = ""  # why nothing was imported at all (--strict and a lost column)
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False
    committed: bool = False
    rejects_path: Path | None = None
    counts_note: str = ""

    def counts_line(self) -> str:
        verb = "would be " if not self.committed else ""
        return (
            f"{verb}imported {self.imported}, {verb}updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {self.skipped}, rejected {self.rejected}"
        )

    def skipped_line(self) -> str:
        """``skipped: 2 blank, 1 totals (row 40), 1 note (row 3)`` ("" when none)."""
        parts = []
        for kind in ("blank", "totals", "note"):
            rows = self.skipped_rows.get(kind, [])
            if not rows:
                continue
            where = ""
            if kind != "blank":
                shown = ", ".join(str(r) for r in rows[:5]) + (", ..." if len(rows) > 5 else "")
                where = f" (row{'s' if len(rows) > 1 else ''} {shown})"
            parts.append(f"{len(rows)} {kind}{where}")
        return "skipped: " + ", ".join(parts) if parts else ""

    def column_lines(self) -> list[str]:
        """Each column, the field it goes to and how it was found (what the dry run shows)."""
        lost = {c.header: c for c in self.lost}
        lines = []
        for column in self.columns:
            header = shown(column.header)
            if column.field:
                why = f": {column.why}" if column.why else ""
                line = f"'{header}' -> {column.field} ({column.how}{why})"
            elif column.how == "kept":
                line = f"'{header}' -> kept with each record (original columns)"
            elif column.how == "derived":
                line = f"'{header}' -> not imported (cipco works it out)"
            else:
                line = f"'{header}' -> not imported (empty)"
            if column.header in lost:
                problem = lost[column.header]
                line = f"'{header}' -> NOT IMPORTED: {problem.reason}"
                if problem.remedy:
                    line += f"; {problem.remedy}"
            elif column.index in self.hints:
                line += f"; {self.hints[column.index]}"
            lines.append(line)
        return lines


RejectsTo = OutputTarget | Path | Callable[[], OutputTarget]


class _Rollback(Exception):
    pass


class _Run:
    """One import: the table, the converters, the summary and the handler."""

    def __init__(self, log: ImportLog, table: Table, summary: ImportSummary) -> None:
        self.log = log
        self.table = table
        self.summary = summary
        fields = log.read_fields
        self.specs = {spec.name: spec for spec in fields}
        self.converters = {spec.name: converter(spec) for spec in fields}
        present = set(table.mapping.values())
        # (time field, its date field) where both columns are there
        self.times = [
            (spec.name, spec.time_of)
            for spec in fields
            if spec.time_of and spec.name in present and spec.time_of in present
        ]
        self.kept = [(i, table.headers[i]) for i in table.kept] if log.keeps_columns else []

    def label(self, name: str) -> str:
        if not name:
            return ""
        if name in self.specs:
            return self.table.column_of(name) or self.specs[name].header
        return self.table.column_of(name) or name

    def reject(self, source: SourceRow, name: str, reason: str) -> None:
        self.summary.rejected += 1
        self.summary.rejects.append(Reject(source.number, self.label(name), reason, source.cells))

    def values(self, source: SourceRow) -> dict[str, Any] | None:
        """The row's converted values, or None after rejecting it for a cell it cannot read."""
        values: dict[str, Any] = {}
        converters = self.converters
        for name, raw in source.values.items():
            try:
                values[name] = converters[name](raw)
            except CellError as exc:
                self.reject(source, name, str(exc))
                return None
            except Exception as exc:  # never crash on a strange cell
                self.reject(source, name, f"cannot read '{raw}': {type(exc).__name__}")
                return None
        for time_name, date_name in self.times:
            problem = combine(values, time_name, date_name, self.label)
            if problem:
                self.reject(source, time_name, problem)
                return None
        if self.kept or ORIGINAL in values:
            kept = list(values.get(ORIGINAL) or [])
            cells = source.cells
            for index, header in self.kept:
                if index < len(cells):
                    text = clean_text(cells[index])
                    if text:
                        kept.append([header, text])
            values[ORIGINAL] = kept
        return values

    def feed(self, handler: RowHandler, source: SourceRow, values: dict[str, Any]) -> None:
        result = handler.add(source.number, values)
        for warning in result.warnings:
            self.summary.warnings.append((source.number, warning))
        if result.action == "rejected":
            self.reject(source, result.field, result.reason)
        else:
            setattr(self.summary, result.action, getattr(self.summary, result.action) + 1)

    def run(self, handler: RowHandler, progress: Callable[[int], None] | None) -> None:
        order_key = getattr(handler, "order_key", None)
        waiting: list[tuple[Any, SourceRow, dict[str, Any]]] = []
        skipped = self.summary.skipped_rows
        done = 0
        for source in self.table.rows:
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(PROGRESS_EVERY)
            if source.skip:
                self.summary.skipped += 1
                skipped.setdefault(source.skip, []).append(source.number)
                continue
            values = self.values(source)
            if values is None:
                continue
            if order_key is None:
                self.feed(handler, source, values)
            else:
                waiting.append((order_key(source.number, values), source, values))
        waiting.sort(key=lambda item: item[0])
        for _key, source, values in waiting:
            self.feed(handler, source, values)
        if progress is not None:
            progress(done % PROGRESS_EVERY)
        handler.finish()
        self.summary.rejects.sort(key=lambda r: r.row)


def read_import_table(
    log: ImportLog,
    path: Path,
    *,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    remembered: Mapping[str, Mapping[str, str]] | None = None,
) -> Table:
    """Read ``path`` for ``log`` and check it has every required column (or raise ReadError)."""
    path = Path(path)
    table = read_table(
        path,
        log.read_fields,
        sheet=sheet,
        overrides=overrides,
        key_field=log.key_field,
        remembered=remembered,
    )
    set_derived(log, table)
    present = set(table.mapping.values())
    missing = [s.header for s in log.fields if s.required and s.name not in present]
    if missing:
        found = ", ".join(shown(h) for h in table.headers[:30] if clean(h).strip())
        raise ReadError(
            f"{clean(path)}: no column for {', '.join(missing)} (headers found: "
            f"{found or 'none'}; use --map 'Header=field')"
        )
    return table


def run_import(
    engine: Engine,
    log: ImportLog,
    path: Path,
    *,
    clock: Clock,
    actor: str,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    dry_run: bool = False,
    strict: bool = False,
    rejects: RejectsTo | None = None,
    progress: Callable[[int], None] | None = None,
    table: Table | None = None,
) -> ImportSummary:
    """Import one sheet (see the module docstring); ``table`` if it was read already.

    ``rejects`` is where the reject workbook goes (checked before any work when a path or
    target); by default a new dated file in the exports folder, and none for a dry run.
    Raises :class:`ReadError` if the file is unusable and
    :class:`cipco.outputs.OutputError` if the reject workbook cannot be written.
    """
    path = Path(path)
    if isinstance(rejects, Path):
        rejects = target_of(rejects, f"rejects-{log.name}", clock)
    if table is None:
        table = read_import_table(
            log,
            path,
            sheet=sheet,
            overrides=overrides,
            remembered=remembered_layouts(engine, log),
        )
    present = set(table.mapping.values())
    lost, hints = review_columns(log, table)
    summary = ImportSummary(
        path=path,
        sheet=table.sheet,
        header_row=table.header_row,
        mapping=table.mapping_text(),
        unmapped=list(table.unmapped),
        columns=table.columns(),
        hints=hints,
        lost=lost,
        fingerprint=table.fingerprint,
        dry_run=dry_run,
        counts_note=log.counts_note,
    )
    if strict and lost:
        names = ", ".join(f"'{shown(c.header)}'" for c in lost)
        summary.refused = (
            f"--strict: nothing imported because column{'s' if len(lost) > 1 else ''} {names} "
            "would be lost"
        )
        return summary
    run = _Run(log, table, summary)
    try:
        with session_scope(engine, actor=actor, clock=clock) as session:
            handler = log.handler(session, clock, path.name)
            handler.set_columns(present)
            with fewer_full_collections(), indexed_in_bulk(session):
                run.run(handler, progress)
            keep = not dry_run and not (strict and summary.rejected)
            if summary.rejects and (rejects is not None or not dry_run):
                target = _resolve(rejects, log, clock)
                summary.rejects_path = write_rejects(
                    target, table, summary, clock=clock, actor=actor
                )
            if not keep:
                raise _Rollback
            summary.remembered = remember_mapping(session, log, table, path, actor, clock)
            summary.committed = True
    except _Rollback:
        summary.committed = False
    return summary


def _resolve(rejects: RejectsTo | None, log: ImportLog, clock: Clock) -> OutputTarget:
    if rejects is None:
        return default_target(f"rejects-{log.name}", clock)
    if callable(rejects):
        return rejects()
    assert isinstance(rejects, OutputTarget)
    return rejects


def write_rejects(
    target: OutputTarget, table: Table, summary: ImportSummary, *, clock: Clock, actor: str
) -> Path:
    """The reject workbook: original headers + Row, Column, Reason; re-importable."""
    width = max([len(table.headers)] + [len(r.cells) for r in summary.rejects])
    headers = table.headers + [f"Column {i + 1}" for i in range(len(table.headers), width)]
    columns = [Column(h, max(10, min(40, len(h) + 4))) for h in headers]
    columns += [Column("Row", 6, "number"), Column("Column", 18), Column("Reason", 60)]

    def rows() -> Iterable[list[Any]]:
        for reject in summary.rejects:
            cells = list(reject.cells) + [None] * (width - len(reject.cells))
            yield [*cells, reject.row, reject.column, reject.reason]

    path, _counts = save_sheets(
        target,
        [SheetSpec("Rejected rows", columns, rows())],
        About(
            what=f"Rows rejected when importing {summary.path.name} (sheet '{summary.sheet}')",
            generated_at=clock.now(),
            generated_by=actor,
            notes=[
                "Fix the rows on the first sheet and import this file again.",
                "Row is the row number in the original file.",
            ],
        ),
    )
    return path
