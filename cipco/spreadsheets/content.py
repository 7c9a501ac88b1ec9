"""A :class:`~cipco.content.Document` as a workbook: the same content as its PDF.

For police who re-key: the title and cover go on the first sheet, then each section on the
sheet it names (sections naming the same sheet are stacked, each under its title). Facts
are label and value rows, tables keep their header row (repeated on every printed page when
a sheet holds one table), dates and times are real date cells, charts are native bar charts
over a table of their values. Every cell goes through the writer's rules (:class:`Book`)
and every sheet gets the one print setup.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cipco.content import Block, Chart, Document, Facts, Paragraph, Section, Table
from cipco.outputs import OutputTarget
from cipco.spreadsheets import printing
from cipco.spreadsheets.book import BOLD, LEFT_WRAP, WRAP_ALIGNMENT, Book, Font
from cipco.spreadsheets.writer import About

COVER_SHEET = "Summary"
LABEL_CAP = 34  # the widest a facts label column is made (longer labels wrap)
VALUE_CAP = 60
TABLE_CAP = 40
TITLE_FONT = Font(bold=True, size=14)
SECTION_FONT = Font(bold=True, size=12)
NOTE_FONT = Font(italic=True, color="595959")
WARNING_FONT = Font(bold=True, color="C00000")


@dataclass
class _Sheet:
    name: str
    sections: list[Section] = field(default_factory=list)
    cover: Document | None = None


def _plan(doc: Document) -> list[_Sheet]:
    sheets: dict[str, _Sheet] = {COVER_SHEET.lower(): _Sheet(COVER_SHEET, cover=doc)}
    for section in doc.sections:
        name = (section.sheet or section.title)[:31]
        sheets.setdefault(name.lower(), _Sheet(name)).sections.append(section)
    return list(sheets.values())


def _blocks(sheet: _Sheet) -> list[Block]:
    found: list[Block] = list(sheet.cover.cover) if sheet.cover else []
    for section in sheet.sections:
        found += list(section.blocks)
    return found


def _widths(blocks: Sequence[Block]) -> list[float]:
    """Column widths from the content (labels, values, table cells), never from titles."""
    lengths: dict[int, list[int]] = {}
    caps: dict[int, float] = {}

    def add(column: int, value: Any, cap: float) -> None:
        lengths.setdefault(column, []).append(printing.display_length(value))
        caps[column] = max(caps.get(column, 0), cap)

    for block in blocks:
        if isinstance(block, Facts):
            for label, value in block.rows:
                add(0, label, LABEL_CAP)
                add(1, value, VALUE_CAP)
        elif isinstance(block, Table):
            for index, header in enumerate(block.headers):
                add(index, printing.longest_word(header) * "x", TABLE_CAP)
            for row in block.rows:
                for index, value in enumerate(row):
                    wide = index in block.small or index == block.below
                    add(index, value, 34 if wide else TABLE_CAP)  # a hash: two lines
        elif isinstance(block, Chart):
            add(0, max(block.categories, key=len, default=""), LABEL_CAP)
            for index, (name, values) in enumerate(block.series, start=1):
                add(index, printing.longest_word(name) * "x", 14)
                for value in values:
                    add(index, value, 14)
    if not lengths:
        return [60.0]
    last = max(lengths)
    return [
        printing.fit_width("", lengths.get(column, [8]), cap=caps.get(column, TABLE_CAP))
        for column in range(last + 1)
    ]


class _Writer:
    def __init__(self, book: Book, ws: Any, widths: list[float]) -> None:
        self.book = book
        self.ws = ws
        self.widths = widths
        self.row = 1

    def put(self, column: int, value: Any, **style: Any) -> None:
        self.book.put(self.ws, self.row, column, value, **style)

    def title(self, text: str, font: Font) -> None:
        self.put(1, text, font=font)
        if len(self.widths) > 1:  # a title runs across the columns instead of wrapping
            self.book.merge(self.ws, self.row, 1, len(self.widths))
        self.row += 1

    def facts(self, block: Facts) -> None:
        for label, value in block.rows:
            self.put(1, label, font=BOLD, alignment=WRAP_ALIGNMENT)
            self.put(2, value, alignment=LEFT_WRAP)  # dates and numbers beside text
            self.row += 1
        self.row += 1

    def table(self, block: Table) -> None:
        if block.title:
            self.title(block.title, BOLD)
        if not block.rows:
            self.put(1, block.empty, font=NOTE_FONT)
            self.row += 2
            return
        self.book.header(self.ws, list(block.headers), row=self.row)
        self.row += 1
        for values in block.rows:
            for column, value in enumerate(values, start=1):
                self.put(column, value, alignment=LEFT_WRAP)
            self.row += 1
        self.row += 1

    def paragraph(self, block: Paragraph) -> None:
        font = {"note": NOTE_FONT, "warning": WARNING_FONT}.get(block.style)
        span = max(len(self.widths), 2)
        self.put(1, block.text, alignment=WRAP_ALIGNMENT, **({"font": font} if font else {}))
        if span > 1:
            self.book.merge(self.ws, self.row, 1, span)
        self.row += 1

    def chart(self, block: Chart) -> None:
        self.title(block.title, BOLD)
        first = self.row
        self.book.header(self.ws, ["", *(name for name, _ in block.series)], row=first)
        for index, category in enumerate(block.categories):
            self.row = first + 1 + index
            self.put(1, category)
            for column, (_, values) in enumerate(block.series, start=2):
                self.put(column, values[index] if index < len(values) else None)
        self.row = first + len(block.categories) + 1
        if block.categories:
            covered = self.book.chart(
                self.ws,
                title=block.title,
                axis_title=block.axis_title,
                header_row=first,
                last_row=first + len(block.categories),
                series_columns=len(block.series),
                anchor_row=first,
            )
            self.row = max(self.row, covered + 1)
        self.row += 1

    def block(self, block: Block) -> None:
        if isinstance(block, Facts):
            self.facts(block)
        elif isinstance(block, Table):
            self.table(block)
        elif isinstance(block, Paragraph):
            self.paragraph(block)
        elif isinstance(block, Chart):
            self.chart(block)


def _lone_table(sheet: _Sheet) -> tuple[list[Paragraph], Table] | None:
    """A sheet holding one table (after at most two short paragraphs) and nothing else: its
    paragraphs and header row repeat on every printed page."""
    if sheet.cover is None and len(sheet.sections) == 1:
        blocks = list(sheet.sections[0].blocks)
        *lead, last = blocks or [None]
        if (
            isinstance(last, Table)
            and last.rows
            and len(lead) <= 2
            and all(isinstance(b, Paragraph) for b in lead)
        ):
            return [b for b in lead if isinstance(b, Paragraph)], last
    return None


def document_book(doc: Document) -> Book:
    """The workbook of ``doc`` (see the module docstring); save it with ``Book.save``."""
    book = Book(
        About(
            what=doc.subject,
            generated_at=doc.produced_at,
            generated_by=doc.produced_by,
            notes=list(doc.notes),
        )
    )
    for sheet in _plan(doc):
        widths = _widths(_blocks(sheet))
        lone = _lone_table(sheet)
        lead = len(lone[0]) + bool(lone[1].title) if lone else 0
        ws = book.sheet(sheet.name, widths=widths, title_rows=lead + 1 if lone else 0)
        out = _Writer(book, ws, widths)
        if lone is not None:
            for paragraph in lone[0]:
                out.paragraph(paragraph)
            out.table(lone[1])
            ws.freeze_panes = f"A{lead + 2}"
            continue
        if sheet.cover is not None:
            out.title(doc.title, TITLE_FONT)
            out.row += 1
            for block in doc.cover:
                out.block(block)
        for section in sheet.sections:
            if sheet.cover is not None or len(sheet.sections) > 1 or section.title != sheet.name:
                out.title(section.title, SECTION_FONT if section.level == 0 else BOLD)
            for block in section.blocks:
                out.block(block)
    return book


def write_document_book(doc: Document, target: Path | OutputTarget) -> Path:
    """``doc`` as a workbook written to ``target`` (0600, complete or nothing)."""
    return document_book(doc).save(target)


__all__ = ["COVER_SHEET", "document_book", "write_document_book"]
