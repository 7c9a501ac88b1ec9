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

from cipco.dates import DateError, parse_date, parse_wall_clock
from cipco.text import clean

HEADER_SCAN_ROWS = 20
MIN_HEADER_MATCHES = 3
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
    """One importable field: its name in cipco and the header texts trackers use for it."""

    name: str
    synonyms: Sequence[str] = ()
    required: bool = False
    kind: str = "text"  # text | date | datetime | number (documentation for templates)
    label: str = ""  # the header cipco writes in templates/exports; defaults to synonyms[0]

    @property
    def header(self) -> str:
        return self.label or (self.synonyms[0] if self.synonyms else self.name)


def normalise_header(text: Any) -> str:
    """``' NOMIS No. '`` -> ``'nomisno'``: lower case, letters and digits only."""
    if text is None:
        return ""
    return re.sub(r"[^0-9a-z]+", "", str(text).lower())


def synonym_table(fields: Sequence[FieldSpec]) -> dict[str, str]:
    """Normalised header text -> field name (the field name itself counts too)."""
    table: dict[str, str] = {}
    for spec in fields:
        for text in (spec.name, spec.label, *spec.synonyms):
            key = normalise_header(text)
            if key:
                table.setdefault(key, spec.name)
    return table


@dataclass
class SourceRow:
    """One data row as read: original 1-based row number, cells, and mapped raw values."""

    number: int
    cells: list[Any]
    values: dict[str, Any]
    blank: bool = False
    totals: bool = False

    def get(self, name: str) -> Any:
        return self.values.get(name)


@dataclass
class Table:
    path: Path
    sheet: str
    header_row: int  # 1-based
    headers: list[str]
    mapping: dict[int, str]  # column index -> field name
    unmapped: list[str]
    rows: list[SourceRow] = field(default_factory=list)

    def column_of(self, name: str) -> str:
        """The original header text of a field's column ("" if the file has none)."""
        for index, mapped in self.mapping.items():
            if mapped == name:
                return self.headers[index]
        return ""

    def has(self, name: str) -> bool:
        return name in self.mapping.values()

    def mapping_text(self) -> list[str]:
        lines = [f"'{self.headers[i]}' -> {name}" for i, name in sorted(self.mapping.items())]
        lines += [f"'{h}' -> (not imported)" for h in self.unmapped]
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
        raise ReadError(f"{path}: not a spreadsheet (expected .xlsx, .xls or .ods)")
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
) -> tuple[int, dict[int, str]] | None:
    """(0-based header row index, {column: field}) or None when no row qualifies."""
    synonyms = synonym_table(fields)
    known = {spec.name for spec in fields}
    user = {normalise_header(k): v for k, v in (overrides or {}).items() if v in known}
    for index, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        mapping: dict[int, str] = {}
        taken: set[str] = set()
        # user mapping first, then synonyms, each field at most once (leftmost wins)
        for source in (user, synonyms):
            for col, value in enumerate(row):
                if col in mapping:
                    continue
                key = normalise_header(value)
                name = source.get(key) if key else None
                if name and name not in taken:
                    mapping[col] = name
                    taken.add(name)
        if len(mapping) >= MIN_HEADER_MATCHES:
            return index, mapping
    return None


def _is_totals(cells: Sequence[Any], key_value: Any) -> bool:
    if not (key_value is None or _cell_text(key_value) == ""):
        return False
    return any(
        isinstance(c, str) and normalise_header(c.split(":")[0]) in TOTALS_WORDS for c in cells
    )


def read_table(
    path: Path,
    fields: Sequence[FieldSpec],
    *,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    key_field: str | None = None,
) -> Table:
    """Read a sheet into a :class:`Table`. ``key_field`` decides totals rows (no key value).

    ``overrides`` maps header text to field name (``--map "Prison No=nomis_number"``); an
    unknown field name raises :class:`ReadError` naming the fields that exist.
    """
    known = {spec.name for spec in fields}
    for header, name in (overrides or {}).items():
        if name not in known:
            raise ReadError(
                f"--map '{header}={name}': '{name}' is not a field; fields: "
                + ", ".join(sorted(known))
            )
    sheet_name, rows = read_rows(path, sheet)
    found = find_header(rows, fields, overrides)
    if found is None:
        names = ", ".join(spec.header for spec in fields[:8])
        raise ReadError(
            f"{path}: no header row found in the first {HEADER_SCAN_ROWS} rows of sheet "
            f"'{sheet_name}' (need at least {MIN_HEADER_MATCHES} known headers such as {names}; "
            "use --map 'Header=field' to name columns)"
        )
    header_index, mapping = found
    header_cells = rows[header_index]
    # one line each, whatever the file holds ("Prison\nNo" is "Prison No"): headers are
    # shown in messages, mappings and reject workbooks
    headers = [
        clean(_cell_text(c)).strip() or f"Column {i + 1}" for i, c in enumerate(header_cells)
    ]
    unmapped = [
        headers[i] for i, c in enumerate(header_cells) if i not in mapping and _cell_text(c)
    ]
    table = Table(
        path=Path(path),
        sheet=sheet_name,
        header_row=header_index + 1,
        headers=headers,
        mapping=mapping,
        unmapped=unmapped,
    )
    key = key_field or (fields[0].name if fields else None)
    for offset, cells in enumerate(rows[header_index + 1 :], start=header_index + 2):
        values = {name: (cells[i] if i < len(cells) else None) for i, name in mapping.items()}
        blank = all(_cell_text(c) == "" for c in cells)
        totals = not blank and _is_totals(cells, values.get(key) if key else None)
        table.rows.append(SourceRow(offset, list(cells), values, blank=blank, totals=totals))
    return table


def iter_data_rows(table: Table) -> Iterator[SourceRow]:
    """The rows that are neither blank nor totals rows."""
    return (row for row in table.rows if not row.blank and not row.totals)


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
