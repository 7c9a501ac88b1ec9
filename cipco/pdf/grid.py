"""Rows of wrapped cells drawn on the page: the tables and the facts of every PDF.

fpdf2's own table breaks every cell's lines twice and cannot keep a row with the line under
it, so tables are drawn here: each cell's text is wrapped once (word widths cached), a row
that does not fit moves to the next page under a repeated header row, a row taller than a
whole page continues across pages, and a row's "below" line (an event's hash) always stays
with its row.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PT = 0.3528  # mm per point
PAD_X = 1.0
PAD_Y = 0.8
LINE_FACTOR = 1.22


def line_height(size: float) -> float:
    return size * PT * LINE_FACTOR


@dataclass(frozen=True)
class Style:
    size: float
    bold: bool = False
    colour: tuple[int, int, int] = (0, 0, 0)


@dataclass
class _Cell:
    lines: list[str]
    style: Style

    @property
    def height(self) -> float:
        return len(self.lines) * line_height(self.style.size)


@dataclass
class _Row:
    cells: list[_Cell]
    below: _Cell | None = None

    @property
    def height(self) -> float:
        main = max((cell.height for cell in self.cells), default=0) + 2 * PAD_Y
        return main + (self.below.height + 2 * PAD_Y if self.below else 0)


class Wrapper:
    """Greedy word wrapping with the document's fonts; word widths are cached."""

    def __init__(self, pdf: Any, family: str) -> None:
        self.pdf = pdf
        self.family = family
        self._widths: dict[tuple[bool, float, str], float] = {}

    def use(self, style: Style) -> None:
        self.pdf.set_font(self.family, "B" if style.bold else "", style.size)

    def width(self, text: str, style: Style) -> float:
        key = (style.bold, style.size, text)
        found = self._widths.get(key)
        if found is None:
            self.use(style)
            found = self._widths[key] = self.pdf.get_string_width(text)
        return found

    def wrap(self, text: str, width: float, style: Style) -> list[str]:
        """``text`` as lines no wider than ``width`` (a word too long breaks anywhere)."""
        lines: list[str] = []
        space = self.width(" ", style)
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                size = self.width(word, style)
                if line and used + space + size <= width:
                    line, used = f"{line} {word}", used + space + size
                    continue
                if line:
                    lines.append(line)
                while size > width and len(word) > 1:
                    cut = self._fit(word, width, style)
                    lines.append(word[:cut])
                    word = word[cut:]
                    size = self.width(word, style)
                line, used = word, size
            lines.append(line)
        return lines

    def _fit(self, word: str, width: float, style: Style) -> int:
        total = 0.0
        for index, char in enumerate(word):
            total += self.width(char, style)
            if total > width:
                return max(index, 1)
        return len(word)


class Grid:
    """One table (or facts list) being drawn: column widths in mm, borders, header row."""

    def __init__(
        self,
        pdf: Any,
        wrapper: Wrapper,
        widths: Sequence[float],
        *,
        boxed: bool = True,
        header: Sequence[str] | None = None,
        header_style: Style | None = None,
        header_fill: tuple[int, int, int] = (221, 228, 238),
        rule: tuple[int, int, int] = (170, 170, 170),
    ) -> None:
        self.pdf = pdf
        self.wrapper = wrapper
        self.widths = list(widths)
        self.boxed = boxed
        self.header_fill = header_fill
        self.rule = rule
        self.header = (
            self.row([(text, header_style or Style(8.5, True)) for text in header])
            if header
            else None
        )

    def row(
        self, cells: Sequence[tuple[str, Style]], below: tuple[str, Style] | None = None
    ) -> _Row:
        wrapped = [
            _Cell(self.wrapper.wrap(text, width - 2 * PAD_X, style), style)
            for (text, style), width in zip(cells, self.widths, strict=True)
        ]
        under = None
        if below is not None and below[0]:
            text, style = below
            under = _Cell(self.wrapper.wrap(text, sum(self.widths) - 2 * PAD_X, style), style)
        return _Row(wrapped, under)

    # -------------------------------------------------------------- drawing

    def start(self) -> None:
        """Draw the header row (on a new page if it and one line would not fit)."""
        if self.header is not None:
            need = self.header.height + line_height(9) + 2 * PAD_Y
            if self.pdf.get_y() + need > self.pdf.page_break_trigger:
                self.pdf.add_page()
            self._draw(self.header, fill=True)

    def add(self, row: _Row) -> None:
        room = self.pdf.page_break_trigger - self.pdf.get_y()
        if row.height <= room:
            self._draw(row)
            return
        body = self.pdf.page_break_trigger - self.pdf.t_margin
        header = self.header.height if self.header is not None else 0
        if row.height <= body - header:  # fits a fresh page: move it there whole
            self._new_page()
            self._draw(row)
            return
        self._draw_split(row)

    def _new_page(self) -> None:
        self.pdf.add_page()
        if self.header is not None:
            self._draw(self.header, fill=True)

    def _draw_split(self, row: _Row) -> None:
        """A row taller than a page: as many lines as fit, then the rest on the next page."""
        remaining = [list(cell.lines) for cell in row.cells]
        while True:
            room = self.pdf.page_break_trigger - self.pdf.get_y() - 2 * PAD_Y
            tallest = max(line_height(cell.style.size) for cell in row.cells)
            fit = max(int(room // tallest), 1)
            if all(len(lines) <= fit for lines in remaining):
                self._draw(
                    _Row(
                        [
                            _Cell(lines, c.style)
                            for lines, c in zip(remaining, row.cells, strict=True)
                        ],
                        row.below,
                    )
                )
                return
            part = _Row(
                [_Cell(lines[:fit], c.style) for lines, c in zip(remaining, row.cells, strict=True)]
            )
            self._draw(part)
            remaining = [lines[fit:] for lines in remaining]
            self._new_page()

    def _draw(self, row: _Row, *, fill: bool = False) -> None:
        pdf = self.pdf
        x0, y0 = pdf.l_margin, pdf.get_y()
        main = max((cell.height for cell in row.cells), default=0) + 2 * PAD_Y
        pdf.set_draw_color(*self.rule)
        if fill:
            pdf.set_fill_color(*self.header_fill)
            pdf.rect(x0, y0, sum(self.widths), main, style="F")
        x = x0
        for cell, width in zip(row.cells, self.widths, strict=True):
            self._text(cell, x + PAD_X, y0 + PAD_Y)
            if self.boxed:
                pdf.rect(x, y0, width, main)
            x += width
        y = y0 + main
        if row.below is not None:
            height = row.below.height + 2 * PAD_Y
            self._text(row.below, x0 + PAD_X, y + PAD_Y)
            if self.boxed:
                pdf.rect(x0, y, sum(self.widths), height)
            y += height
        if not self.boxed:
            pdf.line(x0, y, x0 + sum(self.widths), y)
        pdf.set_xy(x0, y)

    def _text(self, cell: _Cell, x: float, y: float) -> None:
        self.wrapper.use(cell.style)
        self.pdf.set_text_color(*cell.style.colour)
        step = line_height(cell.style.size)
        baseline = step * 0.5 + cell.style.size * PT * 0.36
        for number, line in enumerate(cell.lines):
            if line:
                self.pdf.text(x, y + number * step + baseline, line)
