"""Reading old trackers and logs: any sheet of an .xlsx, .xls or .ods, generically.

Every log describes its columns with :class:`FieldSpec` entries (a field name plus the
header texts people use for it). :func:`read_table` then

- reads the sheet with python-calamine (formula cells give their cached value);
- finds the header row: the first of the first 20 rows where at least three cells match
  known headers (title rows, blank rows and merged title cells above it are ignored);
- matches headers ignoring case, spaces and punctuation, with ``overrides`` (``--map``)
  winning over guessing;
- yields :class:`SourceRow` objects carrying the original 1-based row number, the raw cells
  and a ``{field: raw value}`` dict; wholly blank rows and totals rows are flagged.

Value parsers (:func:`parse_uk_date`, :func:`parse_uk_datetime`, :func:`clean_text`) turn raw
cells into Python values and raise :class:`CellError` with a message fit for a reject sheet.

Usage (e.g. for ``cipco import exhibits``)::

    from cipco.spreadsheets.reader import FieldSpec, read_table, parse_uk_date, CellError

    FIELDS = [
        FieldSpec("seal_number", ("Seal No", "Seal Number", "Bag No")),
        FieldSpec("found_on", ("Date Found", "Date Seized"), kind="date"),
        FieldSpec("description", ("Description", "Item")),
    ]
    table = read_table(path, FIELDS, sheet=None, overrides={"Bag Ref": "seal_number"})
    print(table.mapping_text())           # what the dry run shows
    for row in table.rows:
        if row.blank or row.totals:
            continue                        # skipped, counted
        try:
            found = parse_uk_date(row.get("found_on"))
        except CellError as exc:
            reject(row.number, table.column_of("found_on"), str(exc))

The referral and persons importers in :mod:`cipco.spreadsheets.importers` show the whole
machinery (dry run, reject workbook, strict mode, summary counts) built on this.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from cipco.dates import DateError, parse_date, parse_time, parse_wall_clock
from cipco.spreadsheets import headers
from cipco.text import clean

HEADER_SCAN_ROWS = 20
MIN_HEADER_MATCHES = 3
TEXT_TABLES = (".csv", ".tsv", ".txt")  # refused, with how to make a workbook of them
READABLE_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
EXCEL_EPOCH = date(1899, 12, 30)
MAX_EXCEL_SERIAL = 2958465  # 31/12/9999
TOTALS_WORDS = frozenset({"total", "totals", "grandtotal", "subtotal"})


class ReadError(Exception):
    """The file cannot be read as a workbook (message names the file and the problem)."""


class CellError(ValueError):
    """A cell value cannot be used; the message says why in the user's words."""


@dataclass(frozen=True)
class FieldSpec:
    """One importable field: its name in cipco and the header texts trackers use for it.

    ``event`` is the event word a date field is about (``"serve"``: ``Date served``,
    ``Served on`` and ``Served`` find it, ``Time served`` its time); ``question`` the words of
    a yes/no question header it answers (``("sign",)``: ``Signed?``); ``time_synonyms`` the
    headers of a separate time column for a date-and-time field (``("Time",)``). Words are
    compared in the canonical forms of :mod:`cipco.spreadsheets.headers`.
    """

    name: str
    synonyms: Sequence[str] = ()
    required: bool = False
    kind: str = "text"  # text | date | datetime | time | number (documentation for templates)
    label: str = ""  # the header cipco writes in templates/exports; defaults to synonyms[0]
    event: str = ""
    question: Sequence[str] = ()
    time_synonyms: Sequence[str] = ()
    time_of: str = ""  # a time field: the date-and-time field it completes

    @property
    def header(self) -> str:
        return self.label or (self.synonyms[0] if self.synonyms else self.name)


def fields(table: str) -> list[FieldSpec]:
    """A log's importable fields written as a table, one field a line::

        field       | kind and rules    | header words, most usual first
        reference   | required          | Exhibit; Exhibit ref; Ref
        happened_at | datetime required | Date; Date/time; When
                    | event=seize       | Date seized; Seized on
                    | time              | Time
        seal_intact | question=seal     | Seal intact; Intact

    A line with no field name goes on with the one above (more rules, more header words);
    one whose rule is ``time`` gives the headers of a separate time column for a
    date-and-time field. Rules: ``required``; a kind (``date``, ``datetime``, ``time``,
    ``number``; text when none); ``event=WORD``, the event a date is about;
    ``question=WORD``, the yes/no question the field answers. Header words are separated
    by ``;``.
    """
    rows: list[tuple[str, list[str], list[str], list[str]]] = []
    for line in table.strip().splitlines():
        name, rules, words = (part.strip() for part in line.split("|"))
        if name:
            rows.append((name, [], [], []))
        elif not rows:
            raise ValueError(f"field table: the first line names no field: {line!r}")
        _, own_rules, own_words, time_words = rows[-1]
        found = [word.strip() for word in words.split(";") if word.strip()]
        if rules == "time":
            time_words.extend(found)
        else:
            own_rules.extend(rules.split())
            own_words.extend(found)
    return [_field(*row) for row in rows]


_KINDS = frozenset({"date", "datetime", "time", "number"})


def _field(name: str, rules: list[str], words: list[str], time_words: list[str]) -> FieldSpec:
    options: dict[str, Any] = {}
    for rule in rules:
        key, equals, value = rule.partition("=")
        if rule == "required":
            options["required"] = True
        elif rule in _KINDS:
            options["kind"] = rule
        elif equals and key == "event":
            options["event"] = value
        elif equals and key == "question":
            options["question"] = (value,)
        else:
            raise ValueError(f"field {name}: unknown rule {rule!r}")
    if time_words:
        options["time_synonyms"] = tuple(time_words)
    return FieldSpec(name, tuple(words), **options)


def time_field_name(name: str) -> str:
    """A date-and-time field's separate time column: ``served_at`` -> ``served_time``."""
    return f"{name.removesuffix('_at')}_time"


def with_time_fields(fields: Sequence[FieldSpec]) -> list[FieldSpec]:
    """The fields plus, for each date-and-time field, the field of a separate time column."""
    out = list(fields)
    names = {spec.name for spec in fields}
    for spec in fields:
        if spec.kind != "datetime" or time_field_name(spec.name) in names:
            continue
        out.append(
            FieldSpec(
                time_field_name(spec.name),
                tuple(spec.time_synonyms),
                kind="time",
                label=f"{spec.header} (time)",
                event=spec.event,
                time_of=spec.name,
            )
        )
    return out


def normalise_header(text: Any) -> str:
    """``' NOMIS No. '`` -> ``'nomisno'``: lower case, letters and digits only."""
    return headers.normalise(text)


def matcher_for(fields: Sequence[FieldSpec]) -> headers.Matcher:
    return headers.Matcher(
        headers.Meaning(
            spec.name,
            spec.header,
            tuple(spec.synonyms),
            spec.kind,
            spec.event,
            tuple(spec.question),
        )
        for spec in fields
    )


@dataclass
class SourceRow:
    """One data row as read: original 1-based row number, cells, and mapped raw values.

    ``skip`` says why a row that is not data is skipped: ``blank``, ``totals`` or ``note``.
    """

    number: int
    cells: list[Any]
    values: dict[str, Any]
    skip: str = ""

    @property
    def blank(self) -> bool:
        return self.skip == "blank"

    @property
    def totals(self) -> bool:
        return self.skip in ("totals", "note")

    def get(self, name: str) -> Any:
        return self.values.get(name)


@dataclass(frozen=True)
class ColumnReport:
    """One column of the sheet as the import reads it (what the dry run lists)."""

    index: int
    header: str
    field: str = ""  # "" when the column maps to no field
    how: str = ""  # exact | synonym | guessed | --map | remembered | kept | empty
    why: str = ""


@dataclass
class Table:
    path: Path
    sheet: str
    header_row: int  # 1-based
    headers: list[str]
    mapping: dict[int, str]  # column index -> field name
    unmapped: list[str]
    rows: list[SourceRow] = field(default_factory=list)
    how: dict[int, headers.Match] = field(default_factory=dict)
    fingerprint: str = ""
    kept: list[int] = field(default_factory=list)  # unmapped columns with values
    empty: list[int] = field(default_factory=list)  # unmapped columns without any value
    derived: list[int] = field(default_factory=list)  # what cipco works out (export's "State")

    def column_of(self, name: str) -> str:
        """The original header text of a field's column ("" if the file has none)."""
        for index, mapped in self.mapping.items():
            if mapped == name:
                return self.headers[index]
        return ""

    def has(self, name: str) -> bool:
        return name in self.mapping.values()

    def columns(self) -> list[ColumnReport]:
        """Every column with a header or a value, in sheet order, and how it is read."""
        reports = []
        kept, empty, derived = set(self.kept), set(self.empty), set(self.derived)
        for index, header in enumerate(self.headers):
            if index in self.mapping:
                match = self.how.get(index)
                how = match.how if match else headers.SYNONYM
                why = match.why if match else ""
                reports.append(ColumnReport(index, header, self.mapping[index], how, why))
            elif index in kept:
                reports.append(ColumnReport(index, header, how="kept"))
            elif index in empty:
                reports.append(ColumnReport(index, header, how="empty"))
            elif index in derived:
                reports.append(ColumnReport(index, header, how="derived"))
        return reports

    def mapping_text(self) -> list[str]:
        lines = []
        for column in self.columns():
            if column.field:
                why = f": {column.why}" if column.why else ""
                lines.append(f"'{column.header}' -> {column.field} ({column.how}{why})")
            elif column.how == "kept":
                lines.append(f"'{column.header}' -> kept in original columns")
            elif column.how == "derived":
                lines.append(f"'{column.header}' -> (not imported: cipco works it out)")
            else:
                lines.append(f"'{column.header}' -> (not imported: empty)")
        return lines


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def read_rows(path: Path, sheet: str | None = None) -> tuple[str, list[list[Any]]]:
    """All rows of one sheet (the first unless ``sheet`` is named), from row 1 and column A.

    Before anything is loaded, :mod:`cipco.spreadsheets.sheet_scan` finds where the cells
    really are: a workbook that would need too much memory (a stray cell at XFD1048576, a
    lying shared-string count, a zip bomb) is refused with a sentence instead of aborting the
    process. Whatever the reader itself raises, a Rust panic included, becomes a ReadError.
    """
    from python_calamine import CalamineWorkbook

    from cipco.spreadsheets import sheet_scan

    path = Path(path)
    if not path.is_file():
        raise ReadError(f"{path}: no such file")
    if path.suffix.lower() not in READABLE_SUFFIXES:
        hint = (
            " (open it in Excel or LibreOffice and save it as .xlsx)"
            if path.suffix.lower() in TEXT_TABLES
            else ""
        )
        raise ReadError(f"{path}: not a spreadsheet (expected .xlsx, .xls or .ods){hint}")
    try:
        sheet_scan.check_workbook(path)
        with _reading(path, "cannot be read as a spreadsheet"):
            workbook = CalamineWorkbook.from_path(str(path))
    except sheet_scan.ScanError as exc:
        raise ReadError(f"{path}: {exc}") from None
    try:
        names = list(workbook.sheet_names)
        if sheet is None:
            if not names:
                raise ReadError(f"{path}: the workbook has no sheets")
            name = names[0]
        else:
            matches = [n for n in names if n == sheet] or [
                n for n in names if n.strip().lower() == sheet.strip().lower()
            ]
            if not matches:
                raise ReadError(f"{path}: no sheet called '{sheet}' (sheets: {', '.join(names)})")
            name = matches[0]
        try:
            sheet_scan.check_sheet(path, name)
        except sheet_scan.ScanError as exc:
            raise ReadError(f"{path}: {exc}") from None
        with _reading(path, f"sheet '{name}' cannot be read"):
            data = workbook.get_sheet_by_name(name).to_python(skip_empty_area=False)
    finally:
        with contextlib.suppress(Exception):
            workbook.close()
    return name, [list(row) for row in data]


@contextlib.contextmanager
def _reading(path: Path, what: str) -> Iterator[None]:
    """Any failure of the spreadsheet library as a ReadError (its panics are BaseExceptions)."""
    try:
        yield
    except ReadError:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except MemoryError:
        raise ReadError(f"{path}: {what} (not enough memory)") from None
    except BaseException as exc:  # calamine errors, and pyo3 PanicException
        reason = " ".join(str(exc).split())[:200] or type(exc).__name__
        raise ReadError(f"{path}: {what} ({reason})") from None


def find_header(
    rows: Sequence[Sequence[Any]],
    fields: Sequence[FieldSpec],
    overrides: Mapping[str, str] | None = None,
    remembered: Mapping[str, Mapping[str, str]] | None = None,
) -> tuple[int, dict[int, headers.Match]] | None:
    """(0-based header row index, {column: Match}) or None when no row qualifies.

    A row qualifies with at least three columns matched, or when its layout is one whose
    mapping was remembered (``remembered``: fingerprint -> {header: field}).
    """
    matcher = matcher_for(fields)
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        layout = (remembered or {}).get(headers.fingerprint(row)) if remembered else None
        if not any(_cell_text(c) for c in row):
            continue
        matches = headers.match_headers(matcher, row, overrides, layout)
        if len(matches) >= MIN_HEADER_MATCHES or (layout is not None and matches):
            return index, matches
    return None


_TOTALS = re.compile(
    r"^\s*(grand\s*)?(sub[\s-]*)?totals?\b|^\s*(count|sum|number of \w+)\s*(:|$|\d)",
    re.IGNORECASE,
)
_NOTE = re.compile(r"^\s*(notes?\b|n\.?\s?b\b|comments?\s*:|please\b|\*|key\s*:)", re.I)


def _row_skip(cells: Sequence[Any], key_index: int | None, mapped: Mapping[int, str]) -> str:
    """Why a row is not data ("" if it is): blank, a totals line, or a note line."""
    first_index = -1
    first: Any = None
    filled = 0
    for index, cell in enumerate(cells):
        if cell is None or cell == "" or (isinstance(cell, str) and not cell.strip()):
            continue
        filled += 1
        if first_index < 0:
            first_index, first = index, cell
    if not filled:
        return "blank"
    key_filled = (
        key_index is not None and key_index < len(cells) and _cell_text(cells[key_index]) != ""
    )
    first_is_text = isinstance(first, str)
    if first_is_text and _TOTALS.match(first) and (not key_filled or first_index == key_index):
        return "totals"
    if filled == 1 and first_is_text and _NOTE.match(first):
        return "note"
    if key_filled:
        return ""
    if any(isinstance(c, str) and normalise_header(c.split(":")[0]) in TOTALS_WORDS for c in cells):
        return "totals"
    if filled == 1 and first_is_text and first_index not in mapped:
        return "note"
    return ""


def read_table(
    path: Path,
    fields: Sequence[FieldSpec],
    *,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    key_field: str | None = None,
    remembered: Mapping[str, Mapping[str, str]] | None = None,
) -> Table:
    """Read a sheet into a :class:`Table`. ``key_field`` decides totals rows (no key value).

    ``overrides`` maps header text to field name (``--map "Prison No=nomis_number"``); an
    unknown field name raises :class:`ReadError` naming the fields that exist. ``remembered``
    maps header layouts (:func:`headers.fingerprint`) to mappings confirmed before.
    """
    known = {spec.name for spec in fields}
    for header, name in (overrides or {}).items():
        if name not in known:
            raise ReadError(
                f"--map '{header}={name}': '{name}' is not a field; fields: "
                + ", ".join(sorted(known))
            )
    sheet_name, rows = read_rows(path, sheet)
    found = find_header(rows, fields, overrides, remembered)
    if found is None:
        names = ", ".join(spec.header for spec in fields[:8])
        raise ReadError(
            f"{path}: no header row found in the first {HEADER_SCAN_ROWS} rows of sheet "
            f"'{sheet_name}' (need at least {MIN_HEADER_MATCHES} known headers such as {names}; "
            "use --map 'Header=field' to name columns)"
        )
    header_index, matches = found
    mapping = {col: match.field for col, match in matches.items()}
    header_cells = rows[header_index]
    width = max([len(header_cells)] + [len(r) for r in rows[header_index + 1 :]])
    header_cells = list(header_cells) + [None] * (width - len(header_cells))
    # one line each, whatever the file holds ("Prison\nNo" is "Prison No"): headers are
    # shown in messages, mappings and reject workbooks
    names_shown = [
        " ".join(clean(_cell_text(c)).split()) or f"Column {i + 1}"
        for i, c in enumerate(header_cells)
    ]
    table = Table(
        path=Path(path),
        sheet=sheet_name,
        header_row=header_index + 1,
        headers=names_shown,
        mapping=mapping,
        unmapped=[],
        how=matches,
        fingerprint=headers.fingerprint(rows[header_index]),
    )
    key = key_field or (fields[0].name if fields else None)
    key_index = next((i for i, name in mapping.items() if name == key), None)
    unmapped = [i for i in range(width) if i not in mapping]
    used: set[int] = set()
    for offset, cells in enumerate(rows[header_index + 1 :], start=header_index + 2):
        values = {name: (cells[i] if i < len(cells) else None) for i, name in mapping.items()}
        skip = _row_skip(cells, key_index, mapping)
        if not skip:
            for i in unmapped:
                if i not in used and i < len(cells) and _cell_text(cells[i]) != "":
                    used.add(i)
        table.rows.append(SourceRow(offset, list(cells), values, skip=skip))
    table.kept = sorted(used)
    table.empty = [i for i in unmapped if i not in used and _cell_text(header_cells[i])]
    table.unmapped = [names_shown[i] for i in table.kept + table.empty]
    return table


# ---------------------------------------------------------------- value parsers


def clean_text(value: Any) -> str:
    """Cell -> stripped text; whole floats lose their ``.0``; dates become dd/mm/yyyy.

    Control characters and terminal escape sequences are removed (line breaks and tabs
    stay): text from a file must never act on a terminal or a workbook later.
    """
    if value is None:
        return ""
    if isinstance(value, str):
        return clean(value, newlines=True).strip()
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        return f"{value:%d/%m/%Y %H:%M}" if value.time() != time.min else f"{value:%d/%m/%Y}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, time):
        return f"{value:%H:%M}"
    if isinstance(value, timedelta):
        return str(value)
    return _cell_text(value)


def parse_uk_datetime(value: Any) -> datetime | None:
    """A cell -> naive London wall-clock datetime, or None if blank (one parser:
    :mod:`cipco.dates`; midnight when the cell holds a date alone, i.e. time not recorded)."""
    try:
        return parse_wall_clock(value)
    except DateError as exc:
        raise CellError(str(exc)) from None


def parse_uk_date(value: Any) -> date | None:
    """A cell -> calendar date, or None if blank (see :func:`cipco.dates.parse_date`)."""
    try:
        return parse_date(value)
    except DateError as exc:
        raise CellError(str(exc)) from None


def parse_uk_time(value: Any) -> time | None:
    """A time cell or text (``14:35``, ``1435``, ``14.35``, ``2.15pm``), or None if blank."""
    try:
        return parse_time(value)
    except DateError as exc:
        raise CellError(str(exc)) from None
