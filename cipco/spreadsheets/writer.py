"""The one way cipco writes a workbook, so every export follows the same rules.

- openpyxl ``write_only`` (memory stays flat at 100k rows);
- a bold, frozen header row, an autofilter over the data, sensible column widths;
- real date/datetime cells in UK formats; instants converted to London wall time;
- never a live formula: text starting with ``= + - @``, tab or CR is forced to a string cell;
- an "About" sheet (what, when, by whom, filters, OFFICIAL-SENSITIVE);
- the file is created owner-only (0600) and written atomically (temp file, then rename).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from cipco.clock import LONDON, to_london

MARKING = "OFFICIAL-SENSITIVE"
DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


@dataclass(frozen=True)
class Column:
    """One exported column: its header, width in characters and how to get the value."""

    header: str
    width: int = 14
    kind: str = "text"  # text | date | datetime | number | bool


@dataclass
class SheetSpec:
    title: str
    columns: Sequence[Column]
    rows: Iterable[Sequence[Any]]
    freeze_header: bool = True


@dataclass
class About:
    what: str
    generated_at: datetime
    generated_by: str
    filters: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS)


def _cell(ws: Worksheet, value: Any, column: Column) -> WriteOnlyCell | Any:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        local = to_london(value).replace(tzinfo=None) if value.tzinfo else value
        cell = WriteOnlyCell(ws, value=local)
        cell.number_format = DATETIME_FORMAT
        return cell
    if isinstance(value, date):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = DATE_FORMAT
        return cell
    if isinstance(value, int | float):
        return value
    text = str(value)
    if ILLEGAL_CHARACTERS_RE.search(text):  # control characters openpyxl refuses
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if is_formula_like(text):
        cell = WriteOnlyCell(ws, value=text)
        cell.data_type = "s"  # a string, never a formula
        return cell
    return text


def _identity(value: Any) -> Any:
    return value


def _column_converters(ws: Worksheet, column: Column) -> dict[type, Callable[[Any], Any]]:
    """Fast per-type converters for one column, giving exactly what :func:`_cell` gives.

    Chosen once per column instead of an ``isinstance`` chain per cell. Date cells reuse one
    styled cell per column: a write-only sheet serialises each row inside ``ws.append``, so
    the cell is written before the next row changes it (and no style lookup per cell).
    Types not listed here (subclasses such as enums, Decimal...) go through :func:`_cell`.
    """
    datetime_cell = WriteOnlyCell(ws)
    datetime_cell.number_format = DATETIME_FORMAT
    date_cell = WriteOnlyCell(ws)
    date_cell.number_format = DATE_FORMAT

    def instant(value: datetime) -> WriteOnlyCell:
        # aware -> London wall time, exact across BST/GMT changes (zoneinfo per value)
        datetime_cell.value = (
            value.astimezone(LONDON).replace(tzinfo=None) if value.tzinfo else value
        )
        return datetime_cell

    def day(value: date) -> WriteOnlyCell:
        date_cell.value = value
        return date_cell

    def text(value: str) -> Any:
        if not value or ILLEGAL_CHARACTERS_RE.search(value) or value.startswith(FORMULA_TRIGGERS):
            return _cell(ws, value, column)
        return value

    def yes_no(value: bool) -> str:
        return "Yes" if value else "No"

    return {
        str: text,
        datetime: instant,
        date: day,
        int: _identity,
        float: _identity,
        bool: yes_no,
    }


def _write_sheet(wb: Workbook, spec: SheetSpec, progress: Callable[[int], None] | None) -> int:
    ws = wb.create_sheet(title=spec.title[:31])
    for index, column in enumerate(spec.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    if spec.freeze_header:
        ws.freeze_panes = "A2"
    header = []
    for column in spec.columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(vertical="top", wrap_text=True)
        header.append(cell)
    ws.append(header)
    count = 0
    columns = list(spec.columns)
    converters = [_column_converters(ws, column) for column in columns]

    def fallback(column: Column) -> Callable[[Any], Any]:
        return lambda value: _cell(ws, value, column)

    fallbacks = [fallback(column) for column in columns]
    for row in spec.rows:
        ws.append(
            [
                None if value is None else converters[i].get(type(value), fallbacks[i])(value)
                for i, value in enumerate(row)
            ]
        )
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(1000)
    if progress is not None:
        progress(count % 1000)
    last_column = get_column_letter(max(len(columns), 1))
    ws.auto_filter.ref = f"A1:{last_column}{count + 1}"
    return count


def _write_about(wb: Workbook, about: About, counts: dict[str, int]) -> None:
    ws = wb.create_sheet(title="About")
    ws.column_dimensions["A"].width = 22
    ws.column_dimensions["B"].width = 80
    bold = Font(bold=True)

    def line(label: str, value: Any) -> None:
        key = WriteOnlyCell(ws, value=label)
        key.font = bold
        ws.append([key, _cell(ws, value, Column(label))])

    marking = WriteOnlyCell(ws, value=MARKING)
    marking.font = Font(bold=True, color="C00000", size=14)
    ws.append([marking])
    line("What", about.what)
    line("Generated", about.generated_at)
    line("Generated by", about.generated_by)
    for sheet, count in counts.items():
        line(f"Rows in {sheet}", count)
    if about.filters:
        for name, value in about.filters.items():
            line(f"Filter: {name}", value)
    else:
        line("Filters", "none (all records)")
    for note in about.notes:
        line("Note", note)
    line("Handling", f"{MARKING}: personal data. Share only with those who need it.")


def write_workbook(
    path: Path,
    sheets: Sequence[SheetSpec],
    about: About,
    *,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write ``sheets`` then an About sheet to ``path`` (0600). Returns rows per sheet."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    wb = Workbook(write_only=True)
    try:
        counts = {spec.title: _write_sheet(wb, spec, progress) for spec in sheets}
        _write_about(wb, about, counts)
    except BaseException:
        _discard(wb)  # a row source failed: release the sheets' temporary files now
        raise
    fd, temp_name = tempfile.mkstemp(prefix=".cipco-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    os.chmod(temp_name, 0o600)
    try:
        wb.save(temp_name)
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return counts


def _discard(wb: Workbook) -> None:
    for ws in wb.worksheets:
        close = getattr(ws, "close", None)
        if callable(close):
            with contextlib.suppress(OSError, ValueError):
                close()


def timestamped_name(what: str, at: datetime) -> str:
    """``referrals-20261123-1405.xlsx`` (London time)."""
    return f"{what}-{to_london(at):%Y%m%d-%H%M}.xlsx"


def save_workbook(wb: Workbook, path: Path) -> Path:
    """Save a normal-mode workbook (templates, charts, proformas) 0600 and atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".cipco-", suffix=".xlsx", dir=path.parent)
    os.close(fd)
    os.chmod(temp_name, 0o600)
    try:
        wb.save(temp_name)
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path


def write_about_sheet(wb: Workbook, about: About, counts: dict[str, int] | None = None) -> None:
    """The standard About sheet, for workbooks not written by :func:`write_workbook`."""
    _write_about(wb, about, counts or {})
