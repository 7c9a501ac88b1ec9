"""Normal-mode workbooks (templates, the proforma, reports) built through the writer's rules.

Data exports stream through :func:`cipco.spreadsheets.writer.write_workbook`. Workbooks
that need a layout (merged cells, drop-downs, charts) are built with a :class:`Book`
instead, so they follow the same rules without touching openpyxl directly:

- every cell is set with :meth:`Book.put` / :meth:`Book.append` (:mod:`cells` rules: no
  formulas, no characters a workbook cannot hold, long text continued in "Long text");
- :meth:`Book.save` checks every cell once more, fits the columns nobody sized to their
  content, makes rows tall enough for wrapped text, applies the print setup to every sheet
  and saves 0600 atomically (to a path or an :class:`~cipco.outputs.OutputTarget`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from cipco.outputs import OutputTarget
from cipco.spreadsheets import printing
from cipco.spreadsheets.cells import (
    LONG_TEXT_SHEET,
    LongText,
    cell_value,
    clean_cell_text,
    is_formula_like,
    put,
    too_long,
)
from cipco.spreadsheets.writer import (
    BOLD,
    HEADER_ALIGNMENT,
    HEADER_FILL,
    HEADER_FONT,
    MARKING_FONT,
    WRAP_ALIGNMENT,
    About,
    _safe_title,
    save_workbook,
    write_about_sheet,
)

LEFT_WRAP = Alignment(horizontal="left", vertical="top", wrap_text=True)

__all__ = [
    "BOLD",
    "HEADER_FILL",
    "HEADER_FONT",
    "LEFT_WRAP",
    "MARKING_FONT",
    "WRAP_ALIGNMENT",
    "Book",
    "Font",
    "get_column_letter",
]


@dataclass
class _SheetPlan:
    title_rows: int = 1
    one_page: bool = False
    landscape: bool | None = None
    extra_px: float = 0.0  # what sits beside the columns (a chart)


class Book:
    """A normal-mode workbook whose every cell goes through the writer's rules."""

    def __init__(self, about: About) -> None:
        self.about = about
        self.wb = Workbook()
        default = self.wb.active
        if default is not None:
            self.wb.remove(default)
        self.long_text = LongText()
        self._plans: dict[str, _SheetPlan] = {}
        self._taken: set[str] = {"about", LONG_TEXT_SHEET.lower()}

    # ------------------------------------------------------------ sheets and cells

    def sheet(
        self,
        title: str,
        *,
        widths: Sequence[float] = (),
        title_rows: int = 1,
        one_page: bool = False,
        landscape: bool | None = None,
        hidden: bool = False,
    ) -> Any:
        """A new sheet; ``widths`` fix the first columns (others are fitted to content).

        ``landscape`` None chooses from the width; ``one_page`` fits it on one page.
        """
        ws = self.wb.create_sheet(_safe_title(title, self._taken))
        for index, width in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(index)].width = width
        if hidden:
            ws.sheet_state = "hidden"
        self._plans[ws.title] = _SheetPlan(
            title_rows=title_rows, one_page=one_page, landscape=landscape
        )
        return ws

    def put(self, ws: Any, row: int, column: int, value: Any, **style: Any) -> Any:
        """Set one cell (``fmt=``, ``font=``, ``fill=``, ``alignment=`` as openpyxl)."""
        return put(ws, row, column, value, long_text=self.long_text, **style)

    def append(self, ws: Any, values: Sequence[Any], **style: Any) -> int:
        """Add a row after the last one; returns its number."""
        row = ws.max_row + 1 if ws.max_row > 1 or ws.cell(1, 1).value is not None else 1
        for column, value in enumerate(values, start=1):
            self.put(ws, row, column, value, **style)
        return row

    def header(self, ws: Any, headers: Sequence[str], row: int = 1) -> None:
        """A bold, shaded, wrapped header row."""
        for column, text in enumerate(headers, start=1):
            self.put(
                ws,
                row,
                column,
                text,
                font=HEADER_FONT,
                fill=HEADER_FILL,
                alignment=HEADER_ALIGNMENT,
            )

    def merge(self, ws: Any, row: int, first_column: int, last_column: int) -> None:
        ws.merge_cells(
            start_row=row, start_column=first_column, end_row=row, end_column=last_column
        )

    def list_validation(self, ws: Any, cells: str, source: str, *, title: str, prompt: str) -> None:
        """A drop-down on ``cells`` (``"B2:B1000"``) listing the cells of ``source``."""
        from openpyxl.worksheet.datavalidation import DataValidation

        validation = DataValidation(
            type="list", formula1=f"={source}", allow_blank=True, showErrorMessage=False
        )
        validation.promptTitle = clean_cell_text(title)[:32]
        validation.prompt = clean_cell_text(prompt)[:255]
        ws.add_data_validation(validation)
        validation.add(cells)

    def chart(
        self,
        ws: Any,
        *,
        title: str,
        axis_title: str,
        header_row: int,
        last_row: int,
        series_columns: int,
        anchor_row: int,
        label_column: int = 1,
    ) -> int:
        """A column chart of ``series_columns`` series (the columns right of the labels,
        named by ``header_row``) anchored beside the table at ``anchor_row``, sized so the
        sheet prints with the chart whole on one landscape page. Returns the last row the
        chart covers (put what follows below it)."""
        from openpyxl.chart import BarChart, Reference

        chart = BarChart()
        chart.type = "col"
        chart.title = clean_cell_text(title)
        chart.y_axis.title = clean_cell_text(axis_title)
        chart.legend.position = "b"
        data = Reference(
            ws,
            min_col=label_column + 1,
            max_col=label_column + series_columns,
            min_row=header_row,
            max_row=last_row,
        )
        labels = Reference(ws, min_col=label_column, min_row=header_row + 1, max_row=last_row)
        chart.add_data(data, titles_from_data=True)
        chart.set_categories(labels)
        widths = _fitted_widths(ws)
        anchor_column = label_column + series_columns + 2
        top_px = printing.row_height(1) * printing.PT_TO_PX * anchor_row
        chart.width, chart.height = printing.chart_size_cm(
            widths, anchor_column, top_px, last_row - header_row
        )
        ws.add_chart(chart, f"{get_column_letter(anchor_column)}{anchor_row}")
        plan = self._plans.setdefault(ws.title, _SheetPlan())
        plan.landscape = True
        plan.extra_px = max(plan.extra_px, chart.width * printing.PX_PER_CM)
        row_px = printing.LINE_HEIGHT_PT * printing.PT_TO_PX
        return anchor_row + math.ceil(chart.height * printing.PX_PER_CM / row_px)

    # ------------------------------------------------------------ saving

    def save(self, path: Path | OutputTarget, *, about_sheet: bool = True) -> Path:
        """Finish every sheet (About sheet unless ``about_sheet`` is false) and save."""
        if self.long_text.entries:
            self._write_long_text()
        if about_sheet:
            write_about_sheet(self.wb, self.about)
        for ws in self.wb.worksheets:
            plan = self._plans.get(ws.title, _SheetPlan())
            finish_sheet(ws, self.about, plan)
        return save_workbook(self.wb, path, about=self.about)

    def _write_long_text(self) -> None:
        self._taken.discard(LONG_TEXT_SHEET.lower())  # kept free for this sheet until now
        ws = self.sheet(LONG_TEXT_SHEET)
        headers = self.long_text.headers()
        self.header(ws, [h for h, _, _ in headers])
        for row_number, values in enumerate(self.long_text.rows(), start=2):
            for column, value in enumerate(values, start=1):
                put(ws, row_number, column, value, alignment=WRAP_ALIGNMENT)


def _fitted_widths(ws: Any) -> list[float]:
    """The sheet's column widths: set ones as they are, the others fitted to the content."""
    lengths: dict[int, list[int]] = {}
    headers: dict[int, str] = {}
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is None or not hasattr(cell, "column"):
                continue
            if cell.row == 1:
                headers[cell.column] = str(cell.value)
            else:
                lengths.setdefault(cell.column, []).append(printing.display_length(cell.value))
    last = max([ws.max_column, *headers, *lengths], default=1)
    widths = []
    for column in range(1, last + 1):
        letter = get_column_letter(column)
        if letter in ws.column_dimensions and ws.column_dimensions[letter].width:
            widths.append(float(ws.column_dimensions[letter].width))  # sized by the caller
        else:
            header = headers.get(column, "")
            fitted = printing.fit_width(header, lengths.get(column, [len(header)]), cap=48)
            ws.column_dimensions[letter].width = fitted
            widths.append(fitted)
    return widths


def _merged_widths(ws: Any, widths: list[float]) -> dict[tuple[int, int], float]:
    """(row, column) of each merged range's top-left cell -> the range's total width."""
    spans = {}
    for merged in ws.merged_cells.ranges:
        total = sum(
            widths[c - 1] if c - 1 < len(widths) else 13.0
            for c in range(merged.min_col, merged.max_col + 1)
        )
        spans[(merged.min_row, merged.min_col)] = total
    return spans


def fit_rows(ws: Any, widths: list[float]) -> None:
    """Rows tall enough for their wrapped text and large fonts (nothing clipped).

    Text wider than its column (or merged range) wraps.
    """
    spans = _merged_widths(ws, widths)
    for row in ws.iter_rows():
        needed = 0.0
        for cell in row:
            if cell.value is None or not hasattr(cell, "column"):
                continue
            size = float(cell.font.sz or 11) if cell.font is not None else 11.0
            lines = 1
            if isinstance(cell.value, str) and not cell.alignment.wrap_text:
                width = spans.get((cell.row, cell.column))
                if width is None:
                    width = widths[cell.column - 1] if cell.column - 1 < len(widths) else 13.0
                if printing.display_length(cell.value) * size / 11 > width - 1:
                    cell.alignment = WRAP_ALIGNMENT
            if cell.alignment is not None and cell.alignment.wrap_text:
                width = spans.get((cell.row, cell.column))
                if width is None:
                    width = widths[cell.column - 1] if cell.column - 1 < len(widths) else 13.0
                lines = printing.wrapped_lines(str(cell.value), width * 11 / size)
            needed = max(needed, printing.row_height(lines, size) + (2 if size > 11 else 0))
        if needed > printing.LINE_HEIGHT_PT and row:
            ws.row_dimensions[row[0].row].height = needed


def finish_sheet(ws: Any, about: About, plan: Any = None) -> None:
    """Print setup, fitted columns and rows for one normal-mode sheet (once)."""
    if printing.is_set_up(ws):
        return
    plan = plan or _SheetPlan()
    widths = _fitted_widths(ws)
    fit_rows(ws, widths)
    printing.setup_page(
        ws,
        what=about.what,
        produced_at=about.generated_at,
        widths=widths,
        title_rows=plan.title_rows,
        one_page=plan.one_page,
        landscape=plan.landscape,
        extra_px=plan.extra_px,
    )


def finish(wb: Workbook, *, about: About | None, one_page: bool = False) -> None:
    """The last check before any normal-mode workbook is saved.

    Every cell again through the rules (a formula put there by any means becomes text; text
    is cleaned and never over-long) and every sheet not set up yet gets the print setup.
    """
    if about is None:  # a workbook built without an About: its first sheet names it
        first = wb.worksheets[0].title if wb.worksheets else "cipco workbook"
        about = About(first, None, "")  # type: ignore[arg-type]
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                _recheck(ws, cell)
        if not printing.is_set_up(ws):
            finish_sheet(ws, about, _SheetPlan(one_page=one_page))


def _recheck(ws: Any, cell: Any) -> None:
    value = cell.value
    if value is None or not hasattr(cell, "column"):
        return
    if cell.data_type == "f" or (isinstance(value, str) and is_formula_like(value)):
        text = clean_cell_text(str(value))
        if too_long(text):
            text = cell_value(text)[0]
        cell.value = text
        cell.data_type = "s"
        cell.quotePrefix = True
    elif isinstance(value, str) and too_long(value):
        cell.value = cell_value(value)[0]
