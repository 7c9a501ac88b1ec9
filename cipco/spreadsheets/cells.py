"""What may go in a cell: the rules every workbook cipco writes follows, cell by cell.

- never a live formula: text starting with ``= + - @``, tab or CR is stored as a string
  (data type ``s``, with Excel's quote prefix so an edit keeps it text), never ``f``;
- characters a workbook cannot hold are removed (control characters, lone surrogates,
  U+FFFE/U+FFFF);
- numbers Excel would round or cannot show (NaN, infinities, integers of 16+ digits) and
  dates before 1900 are written as text; booleans as Yes/No; instants in London time;
- text longer than a cell holds (32,767 UTF-16 units) is never cut silently: the cell ends
  with a note of how much more there is and where (:class:`LongText` keeps the whole text
  for the "Long text" sheet, split across cells).

:mod:`cipco.spreadsheets.writer` (streaming sheets) and :mod:`cipco.spreadsheets.book`
(normal-mode sheets) are the only users; nothing else builds cells.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

from openpyxl.cell import WriteOnlyCell
from openpyxl.utils import get_column_letter

from cipco.clock import to_london

DATE_FORMAT = "dd/mm/yyyy"
DATETIME_FORMAT = "dd/mm/yyyy hh:mm"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
CELL_LIMIT = 32_767  # characters a cell can hold
MAX_EXACT_INTEGER = 10**15  # Excel keeps 15 significant digits
LONG_TEXT_SHEET = "Long text"


# What a workbook's XML cannot hold: C0 controls but tab/newline/CR, lone surrogates,
# U+FFFE and U+FFFF. (openpyxl's own pattern misses the last two kinds.)
_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def is_formula_like(value: str) -> bool:
    return value.startswith(FORMULA_TRIGGERS)


def clean_cell_text(text: str) -> str:
    """``text`` without the characters a workbook cannot hold."""
    return _UNWRITABLE.sub("", text) if _UNWRITABLE.search(text) else text


class LongText:
    """Text too long for one cell: where each went, written to the "Long text" sheet."""

    def __init__(self) -> None:
        self.entries: list[tuple[str, int, str, str]] = []  # sheet, row, column, full text

    def cut(self, text: str, sheet: str, row: int, column: str) -> str:
        """The cell's share of ``text`` and a note saying where the whole text is."""
        self.entries.append((sheet, row, column, text))
        return _cut(
            text,
            f"the whole text is in sheet '{LONG_TEXT_SHEET}', entry {len(self.entries)}",
        )

    def rows(self) -> Iterator[list[Any]]:
        for number, (sheet, row, column, text) in enumerate(self.entries, start=1):
            yield [number, sheet, row, column, len(text), *_parts(text)]

    def headers(self) -> list[tuple[str, int, str]]:
        """(header, widest, kind) of the "Long text" sheet's columns."""
        most = max((len(_parts(e[3])) for e in self.entries), default=1)
        return [
            ("Entry", 6, "number"),
            ("Sheet", 20, "text"),
            ("Row", 6, "number"),
            ("Column", 20, "text"),
            ("Characters", 11, "number"),
            *((f"Part {i}", 60, "text") for i in range(1, most + 1)),
        ]


def _units(text: str) -> int:
    """Length as Excel counts it (UTF-16 code units: an emoji counts two)."""
    return len(text.encode("utf-16-le")) // 2 if not text.isascii() else len(text)


def _head(text: str, units: int) -> str:
    """The longest start of ``text`` within ``units`` UTF-16 code units."""
    if text.isascii():
        return text[:units]
    return text.encode("utf-16-le")[: units * 2].decode("utf-16-le", errors="ignore")


def _parts(text: str) -> list[str]:
    """``text`` split into pieces that each fit one cell."""
    parts = []
    while text:
        part = _head(text, CELL_LIMIT)
        parts.append(part)
        text = text[len(part) :]
    return parts


def too_long(text: str) -> bool:
    return len(text) > CELL_LIMIT // 2 and _units(text) > CELL_LIMIT


def _cut(text: str, where: str) -> str:
    """The start of ``text`` that fits a cell, then a note of how much more there is."""
    shown = _head(text, CELL_LIMIT - 200)
    return f"{shown} […{len(text) - len(shown):,} more characters: {where}]"


def _plain_value(value: Any) -> Any:
    """A Python value as what the cell holds: text, number, or a naive date/datetime."""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, str):  # an enum's text is its value, never "Status.OPEN"
        return value if type(value) is str else str.__str__(value)
    if isinstance(value, datetime):
        try:
            local = to_london(value).replace(tzinfo=None) if value.tzinfo else value
        except (OverflowError, ValueError):  # year 1 or 9999 shifted out of range
            return value.isoformat(sep=" ")
        return local if local.year >= 1900 else f"{local:%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return value if value.year >= 1900 else f"{value:%d/%m/%Y}"
    if isinstance(value, int):
        return int(value) if -MAX_EXACT_INTEGER < value < MAX_EXACT_INTEGER else str(value)
    if isinstance(value, float):
        return float(value) if math.isfinite(value) else str(value)
    if isinstance(value, time | timedelta):
        return value
    return str(value)


def cell_value(
    value: Any,
    *,
    long_text: LongText | None = None,
    where: tuple[str, int, str] = ("", 0, ""),
) -> tuple[Any, str | None, bool]:
    """``(value, number format, is quoted text)`` for any Python value, safe to store.

    Text is cleaned and, past :data:`CELL_LIMIT`, cut with a note (the whole text goes to
    ``long_text`` when given); formula-like text is flagged to be stored as a string.
    """
    if value is None:
        return None, None, False
    plain = _plain_value(value)
    if isinstance(plain, str):
        text = clean_cell_text(plain)
        if too_long(text):
            if long_text is not None:
                text = long_text.cut(text, *where)
            else:
                text = _cut(text, "not shown, the whole text is in cipco")
        if not text:
            return None, None, False
        return text, None, is_formula_like(text)
    if isinstance(plain, datetime):
        return plain, DATETIME_FORMAT, False
    if isinstance(plain, date):
        return plain, DATE_FORMAT, False
    return plain, None, False


def make_cell(ws: Any, value: Any, fmt: str | None, quoted: bool, **style: Any) -> Any:
    cell = WriteOnlyCell(ws, value=value)
    if quoted:
        cell.data_type = "s"  # a string, never a formula
        cell.quotePrefix = True  # and Excel keeps it text when someone edits the cell
    if fmt:
        cell.number_format = fmt
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell


def styled(ws: Any, value: Any, where: tuple[str, int, str], long_text: LongText, **style: Any):
    stored, fmt, quoted = cell_value(value, long_text=long_text, where=where)
    if stored is None and not style:
        return None
    return make_cell(ws, stored, fmt, quoted, **style)


def put(
    ws: Any,
    row: int,
    column: int,
    value: Any,
    *,
    fmt: str | None = None,
    long_text: LongText | None = None,
    **style: Any,
) -> Any:
    """Set one cell of a normal-mode sheet through the writer's rules. Returns the cell."""
    where = (ws.title, row, get_column_letter(column))
    stored, auto_fmt, quoted = cell_value(value, long_text=long_text, where=where)
    cell = ws.cell(row=row, column=column)
    cell.value = stored
    if quoted:
        cell.data_type = "s"
        cell.quotePrefix = True
    if fmt or auto_fmt:
        cell.number_format = fmt or auto_fmt
    for name, setting in style.items():
        setattr(cell, name, setting)
    return cell
