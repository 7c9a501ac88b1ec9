"""The one way cipco writes a workbook, so every export follows the same rules.

Every cell of every export, report, template, proforma, continuity record and reject
workbook is made here (:func:`cell_value` / the streaming converters; :class:`Book` for
normal-mode sheets), headers and About sheets included:

- never a live formula: text starting with ``= + - @``, tab or CR is a string cell (data
  type ``s``, shown with Excel's quote prefix), never ``f``;
- characters a workbook cannot hold (control characters, lone surrogates, U+FFFE/FFFF) are
  removed; numbers Excel would round or cannot show (NaN, infinities, integers beyond 15
  digits) and dates before 1900 are written as text;
- text longer than a cell holds (32,767 characters) is never cut silently: the cell says
  where it continues and the whole text is in a "Long text" sheet, split across cells;
- real date/datetime cells in UK formats; instants converted to London wall time;
- a bold, frozen, wrapped header row; an autofilter; column widths measured from a sample of
  the content; long text wrapped;
- the print setup of :mod:`cipco.spreadsheets.printing` on every sheet;
- an "About" sheet (what, when, by whom, filters, OFFICIAL-SENSITIVE);
- openpyxl ``write_only`` for data sheets (memory stays flat at 100k rows);
- the file is 0600 and written atomically: :func:`write_workbook` to a path,
  :func:`write_workbook_to` to an :class:`cipco.outputs.OutputTarget` (the output contract).
"""

from __future__ import annotations

import contextlib
import math
import os
import re
import tempfile
import weakref
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from itertools import chain, islice
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.dimensions import RowDimension

from cipco.clock import LONDON, to_london
from cipco.outputs import OutputTarget, make_private_dir, write_output
from cipco.spreadsheets import printing
from cipco.spreadsheets.cells import (
    CELL_LIMIT,
    DATE_FORMAT,
    DATETIME_FORMAT,
    LONG_TEXT_SHEET,
    MAX_EXACT_INTEGER,
    LongText,
    cell_value,
    clean_cell_text,
    is_formula_like,
    make_cell,
    put,
    styled,
)
from cipco.spreadsheets.printing import MARKING

__all__ = [
    "DATETIME_FORMAT",
    "DATE_FORMAT",
    "HEADER_FILL",
    "HEADER_FONT",
    "MARKING",
    "About",
    "Column",
    "SheetSpec",
    "Written",
    "cell_value",
    "clean_cell_text",
    "is_formula_like",
    "put",
    "save_workbook",
    "timestamped_name",
    "write_about_sheet",
    "write_workbook",
    "write_workbook_to",
]

SAMPLE_ROWS = 200  # rows measured for column widths before a write-only sheet starts
MAX_ROW_LINES = 27  # Excel's tallest row is 409 points
SHORT_TEXT = 4000  # longer text takes the careful path (exact line count, cell limit)
HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")
HEADER_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
WRAP_ALIGNMENT = Alignment(vertical="top", wrap_text=True)
DATA_WRAP = Alignment(wrap_text=True)  # bottom, like the unstyled cells beside it
BOLD = Font(bold=True)
MARKING_FONT = Font(bold=True, color="C00000", size=14)
SHEET_TITLE_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


@dataclass(frozen=True)
class Column:
    """One exported column: its header, the widest it may be (characters) and its kind.

    The width actually used is measured from the content, up to ``width``; longer text wraps.
    """

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


@dataclass(frozen=True)
class Written:
    """Where a workbook went (a default name may have gained ``-2``) and rows per sheet."""

    path: Path
    counts: dict[str, int]


# ---------------------------------------------------------------- streaming sheets


class _SheetState:
    def __init__(self, title: str, long_text: LongText) -> None:
        self.title = title
        self.long_text = long_text
        self.row = 1
        self.lines = 1  # the most lines a wrapped cell of the current row takes


def _column_converters(
    ws: Any, column: Column, wrap_at: float, state: _SheetState
) -> tuple[dict[type, Callable[[Any], Any]], Callable[[Any], Any]]:
    """Fast per-type converters for one column, giving exactly what :func:`cell_value` gives.

    Chosen once per column instead of an ``isinstance`` chain per cell. Date cells and
    wrapped text cells reuse one styled cell per column: a write-only sheet serialises each
    row inside ``ws.append``, so the cell is written before the next row changes it.
    Types not listed here (subclasses such as enums, Decimal...) take the general path.
    """
    datetime_cell = WriteOnlyCell(ws)
    datetime_cell.number_format = DATETIME_FORMAT
    date_cell = WriteOnlyCell(ws)
    date_cell.number_format = DATE_FORMAT
    wrap_cell = WriteOnlyCell(ws)
    wrap_cell.alignment = DATA_WRAP
    limit = int(wrap_at)

    def general(value: Any) -> Any:
        where = (state.title, state.row, column.header)
        stored, fmt, quoted = cell_value(value, long_text=state.long_text, where=where)
        if stored is None:
            return None
        wrap = isinstance(stored, str) and (len(stored) > limit or "\n" in stored)
        if not (fmt or quoted or wrap):
            return stored
        if wrap:
            state.lines = max(state.lines, printing.wrapped_lines(stored, wrap_at))
        if wrap and not (fmt or quoted):
            wrap_cell.value = stored
            return wrap_cell
        style = {"alignment": DATA_WRAP} if wrap else {}
        return make_cell(ws, stored, fmt, quoted, **style)

    def instant(value: datetime) -> Any:
        if value.year < 1900:
            return general(value)
        # aware -> London wall time, exact across BST/GMT changes (zoneinfo per value)
        datetime_cell.value = (
            value.astimezone(LONDON).replace(tzinfo=None) if value.tzinfo else value
        )
        return datetime_cell

    def day(value: date) -> Any:
        if value.year < 1900:
            return general(value)
        date_cell.value = value
        return date_cell

    per_line = max(limit - 1, 1)

    def text(value: str) -> Any:
        if not value or not value.isprintable() or value[0] in "=+-@":
            return general(value)
        size = len(value)
        if size <= limit:
            return value
        if size > SHORT_TEXT:
            return general(value)
        # longer than the column: wrapped, and the row made tall enough (word wrapping
        # needs a little more than the characters alone)
        lines = (size * 6 // 5) // per_line + 1
        if lines > state.lines:
            state.lines = lines
        wrap_cell.value = value
        return wrap_cell

    def integer(value: int) -> Any:
        return value if -MAX_EXACT_INTEGER < value < MAX_EXACT_INTEGER else general(value)

    def number(value: float) -> Any:
        return value if math.isfinite(value) else general(value)

    def yes_no(value: bool) -> str:
        return "Yes" if value else "No"

    def nothing(value: None) -> None:
        return None

    converters: dict[type, Callable[[Any], Any]] = {
        str: text,
        datetime: instant,
        date: day,
        int: integer,
        float: number,
        bool: yes_no,
        type(None): nothing,
    }
    return converters, general


def _safe_title(title: str, taken: set[str]) -> str:
    base = SHEET_TITLE_FORBIDDEN.sub("_", clean_cell_text(title)).strip("'") or "Sheet"
    base = base[:31]
    name, number = base, 2
    while name.lower() in taken:
        suffix = f" ({number})"
        name, number = base[: 31 - len(suffix)] + suffix, number + 1
    taken.add(name.lower())
    return name


def _write_sheet(
    wb: Workbook,
    spec: SheetSpec,
    about: About,
    long_text: LongText,
    taken: set[str],
    progress: Callable[[int], None] | None,
) -> int:
    title = _safe_title(spec.title, taken)
    ws = wb.create_sheet(title=title)
    columns = list(spec.columns)
    rows = iter(spec.rows)
    sample = list(islice(rows, SAMPLE_ROWS))
    widths = [
        printing.fit_width(
            column.header,
            (printing.display_length(row[i]) for row in sample if i < len(row)),
            cap=column.width,
            kind=column.kind,
        )
        for i, column in enumerate(columns)
    ]
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    headers = [clean_cell_text(str(c.header)) for c in columns]
    ws.row_dimensions[1].height = printing.header_height(headers, widths)
    if spec.freeze_header:
        ws.freeze_panes = "A2"
    printing.setup_page(ws, what=about.what, produced_at=about.generated_at, widths=widths)
    state = _SheetState(title, long_text)
    header = [
        styled(
            ws,
            text,
            (title, 1, text),
            long_text,
            font=HEADER_FONT,
            fill=HEADER_FILL,
            alignment=HEADER_ALIGNMENT,
        )
        for text in headers
    ]
    ws.append(header)
    count = 0
    made = [
        _column_converters(ws, column, width, state)
        for column, width in zip(columns, widths, strict=True)
    ]
    converters = [m[0] for m in made]
    generals = [m[1] for m in made]
    extra = _column_converters(ws, Column(""), printing.MAX_WIDTH, state)[1]
    heights = ws.row_dimensions
    tall = [RowDimension(ws, ht=printing.row_height(n)) for n in range(MAX_ROW_LINES + 1)]
    width = len(columns)
    for row in chain(sample, rows):
        state.row += 1
        cells = [
            convert.get(type(value), fallback)(value)
            for convert, fallback, value in zip(converters, generals, row, strict=False)
        ]
        if len(row) > width:  # cells beyond the header: written all the same
            cells += [extra(value) for value in row[width:]]
        if state.lines > 1:  # wrapped text: a row tall enough to show it (office suites
            # do not re-measure rows when they open a file)
            heights[state.row] = tall[min(state.lines, MAX_ROW_LINES)]
            ws.append(cells)
            del heights[state.row]
            state.lines = 1
        else:
            ws.append(cells)
        count += 1
        if progress is not None and count % 1000 == 0:
            progress(1000)
    if progress is not None:
        progress(count % 1000)
    last_column = get_column_letter(max(len(columns), 1))
    ws.auto_filter.ref = f"A1:{last_column}{count + 1}"
    return count


def _write_about(
    wb: Any, about: About, counts: dict[str, int], long_text: LongText, streaming: bool
) -> None:
    """The About sheet: on a write-only workbook, or a normal one (``streaming`` false)."""
    ws = wb.create_sheet(title="About")
    widths = [24.0, 70.0]
    ws.column_dimensions["A"].width = widths[0]
    ws.column_dimensions["B"].width = widths[1]
    printing.setup_page(ws, what=about.what, produced_at=about.generated_at, widths=widths)
    lines: list[tuple[Any, Any]] = [(MARKING, None)]
    lines += [
        ("What", about.what),
        ("Generated", about.generated_at),
        ("Generated by", about.generated_by),
    ]
    lines += [(f"Rows in {sheet}", count) for sheet, count in counts.items()]
    if about.filters:
        lines += [(f"Filter: {name}", value) for name, value in about.filters.items()]
    else:
        lines.append(("Filters", "none (all records)"))
    lines += [("Note", note) for note in about.notes]
    if long_text.entries:
        lines.append(
            (
                "Long text",
                f"{len(long_text.entries)} cell(s) held more than {CELL_LIMIT:,} characters, "
                f"the most a cell can hold; each shows where it continues, and sheet "
                f"'{LONG_TEXT_SHEET}' has the whole text.",
            )
        )
    lines.append(("Handling", f"{MARKING}: personal data. Share only with those who need it."))
    for number, (label, value) in enumerate(lines, start=1):
        font = MARKING_FONT if number == 1 else BOLD
        where = ("About", number, str(label))
        if streaming:
            key = styled(ws, label, where, long_text, font=font)
            val = styled(ws, value, where, long_text, alignment=WRAP_ALIGNMENT)
            lines = printing.wrapped_lines(str(val.value), widths[1]) if val is not None else 1
            if lines > 1 or number == 1:  # tall enough for a long note (and the marking)
                ws.row_dimensions[number].height = max(
                    printing.row_height(min(lines, MAX_ROW_LINES)), 20.0 if number == 1 else 0
                )
            ws.append([key, val])
        else:
            put(ws, number, 1, label, font=font, long_text=long_text)
            put(ws, number, 2, value, alignment=WRAP_ALIGNMENT, long_text=long_text)


def _write_long_text(wb: Workbook, about: About, long_text: LongText, taken: set[str]) -> None:
    taken.discard(LONG_TEXT_SHEET.lower())  # kept free for this sheet until now
    columns = [Column(h, w, k) for h, w, k in long_text.headers()]
    spec = SheetSpec(LONG_TEXT_SHEET, columns, long_text.rows())
    # the whole text, split across cells that each hold what a cell can
    _write_sheet(wb, spec, about, LongText(), taken, None)


def _build(
    sheets: Sequence[SheetSpec], about: About, progress: Callable[[int], None] | None
) -> tuple[Workbook, dict[str, int]]:
    wb = Workbook(write_only=True)
    long_text = LongText()
    taken: set[str] = {"about", LONG_TEXT_SHEET.lower()}
    try:
        counts = {
            spec.title: _write_sheet(wb, spec, about, long_text, taken, progress) for spec in sheets
        }
        if long_text.entries:
            _write_long_text(wb, about, long_text, taken)
        _write_about(wb, about, counts, long_text, streaming=True)
    except BaseException:
        _discard(wb)  # a row source failed: release the sheets' temporary files now
        raise
    return wb, counts


def write_workbook(
    path: Path,
    sheets: Sequence[SheetSpec],
    about: About,
    *,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write ``sheets`` then an About sheet to ``path`` (0600). Returns rows per sheet."""
    wb, counts = _build(sheets, about, progress)
    _save_atomically(wb, Path(path))
    return counts


def write_workbook_to(
    target: OutputTarget,
    sheets: Sequence[SheetSpec],
    about: About,
    *,
    progress: Callable[[int], None] | None = None,
) -> Written:
    """Like :func:`write_workbook`, to a checked output (temp file beside it, then moved)."""
    wb, counts = _build(sheets, about, progress)
    try:
        path = write_output(target, wb.save)
    finally:
        _discard(wb)
    return Written(path, counts)


def _discard(wb: Workbook) -> None:
    """Close a write-only workbook's sheets and delete their temporary files (plain XML)."""
    for ws in wb.worksheets:
        if not getattr(ws, "closed", True):
            with contextlib.suppress(Exception):
                ws.close()
        writer = getattr(ws, "_writer", None)
        if writer is not None and isinstance(getattr(writer, "out", None), str):
            with contextlib.suppress(Exception):
                writer.cleanup()


def _save_atomically(wb: Workbook, path: Path) -> None:
    """Save ``wb`` 0600 through a temporary file beside ``path``; nothing left on failure."""
    try:
        make_private_dir(path.parent)
        fd, temp_name = tempfile.mkstemp(prefix=".cipco-", suffix=".xlsx", dir=path.parent)
    except BaseException:
        _discard(wb)
        raise
    os.close(fd)
    os.chmod(temp_name, 0o600)
    try:
        wb.save(temp_name)
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except BaseException:
        _discard(wb)
        Path(temp_name).unlink(missing_ok=True)
        raise


def timestamped_name(what: str, at: datetime) -> str:
    """``referrals-20261123-1405.xlsx`` (London time)."""
    return f"{what}-{to_london(at):%Y%m%d-%H%M}.xlsx"


# ---------------------------------------------------------------- normal-mode workbooks


_ABOUTS: weakref.WeakKeyDictionary[Workbook, About] = weakref.WeakKeyDictionary()


def write_about_sheet(wb: Workbook, about: About, counts: dict[str, int] | None = None) -> None:
    """The standard About sheet, for normal-mode workbooks (see :class:`Book`).

    ``about`` is remembered for the workbook: :func:`save_workbook` prints its "what" and
    time in every page footer when it is not given again.
    """
    _write_about(wb, about, counts or {}, LongText(), streaming=False)
    _ABOUTS[wb] = about


def save_workbook(
    wb: Workbook, path: Path | OutputTarget, *, about: About | None = None, one_page: bool = False
) -> Path:
    """Save a normal-mode workbook 0600 and atomically; returns where it went.

    Before saving, every cell of every sheet is checked again (any formula becomes text,
    text is cleaned) and every sheet not yet set up gets the print setup, using ``about``
    for the footer. ``path`` may be an :class:`~cipco.outputs.OutputTarget`.
    """
    from cipco.spreadsheets.book import finish

    finish(wb, about=about or _ABOUTS.get(wb), one_page=one_page)
    if isinstance(path, OutputTarget):
        return write_output(path, wb.save)
    target = Path(path)
    _save_atomically(wb, target)
    return target
