"""What a printed document says, whatever it is printed as.

A case file, a report or a letter is built once as a :class:`Document` (plain data: sections
of facts, tables, paragraphs and charts), then rendered: :func:`cipco.pdf.render_pdf` /
:func:`cipco.pdf.write_pdf` as a PDF, :func:`cipco.spreadsheets.content.document_book` as a
workbook. Services build documents (they know the words); renderers know the layout.

Values in facts and tables may be text, numbers, dates, instants (shown in London time),
booleans (Yes/No) or None (blank). Text is user text: renderers clean it (``cipco.text``)
and never read it as markup.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

MARKING = "OFFICIAL-SENSITIVE"

Value = Any  # str | int | float | date | datetime | bool | None


@dataclass(frozen=True)
class Facts:
    """Label and value pairs, one a line (a form's fields)."""

    rows: Sequence[tuple[str, Value]]


@dataclass(frozen=True)
class Table:
    """A table with a header row. ``widths`` are relative column widths (default equal, and
    without the ``below`` column); ``small`` columns are printed small; ``title`` is printed
    above it. ``below`` names a column too wide to sit beside the others on paper (an
    event's hash): the PDF prints it on a line of its own under each row, the workbook as a
    column.

    On paper the header row repeats on every page the table runs onto.
    """

    headers: Sequence[str]
    rows: Sequence[Sequence[Value]]
    widths: Sequence[float] = ()
    small: Sequence[int] = ()
    title: str = ""
    empty: str = "none recorded"  # printed when there are no rows
    below: int | None = None  # a column the PDF prints small under each row ("Hash: …")


@dataclass(frozen=True)
class Paragraph:
    """Running text. ``style``: ``normal``, ``note`` (small, grey) or ``warning`` (bold)."""

    text: str
    style: str = "normal"


@dataclass(frozen=True)
class Chart:
    """A bar chart of one or more series over the same categories.

    A workbook gets a native chart over a table of the values; a PDF draws the bars.
    """

    title: str
    categories: Sequence[str]
    series: Sequence[tuple[str, Sequence[float | int | None]]]
    axis_title: str = ""


Block = Facts | Table | Paragraph | Chart


@dataclass(frozen=True)
class Section:
    """A titled part of a document; it is listed in the page list.

    ``sheet`` names the worksheet it goes on in the workbook (sections naming the same sheet
    are stacked on it; default: a sheet of its own named after the title). ``new_page``
    starts it on a new page of the PDF.
    """

    title: str
    blocks: Sequence[Block]
    sheet: str | None = None
    new_page: bool = False
    level: int = 0  # 0 a section, 1 a part of the section before it


@dataclass
class Document:
    """A whole document: its title, the cover's blocks, then its sections.

    ``subject`` names it in every page's header and the workbook's footers ("Police case
    file REF-2026-0001"); ``produced_at``/``produced_by`` go in the footer and on the cover.
    ``page_list`` prints the list of sections with their pages after the cover.
    """

    title: str
    subject: str
    produced_at: datetime
    produced_by: str
    cover: list[Block] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    page_list: bool = True
    marking: str = MARKING
    notes: list[str] = field(default_factory=list)  # handling notes (the About sheet too)

    def texts(self) -> Iterator[str]:
        """Every piece of text in the document (to check what a renderer can show)."""
        yield self.title
        yield self.subject
        yield from self.notes
        for block in self.cover:
            yield from block_texts(block)
        for section in self.sections:
            yield section.title
            for block in section.blocks:
                yield from block_texts(block)


def block_texts(block: Block) -> Iterator[str]:
    if isinstance(block, Facts):
        for label, value in block.rows:
            yield label
            if isinstance(value, str):
                yield value
    elif isinstance(block, Table):
        yield block.title
        yield from block.headers
        for row in block.rows:
            yield from (value for value in row if isinstance(value, str))
    elif isinstance(block, Paragraph):
        yield block.text
    elif isinstance(block, Chart):
        yield block.title
        yield from block.categories
        yield from (name for name, _ in block.series)


def value_text(value: Value) -> str:
    """A value as printed: dates dd/mm/yyyy, instants dd/mm/yyyy HH:MM in London time (the
    time left out when it was not recorded), Yes/No, whole numbers with separators."""
    from cipco.dates import format_datetime

    if value is None:
        return ""
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        if value.tzinfo is None:
            return f"{value:%d/%m/%Y %H:%M}"
        return format_datetime(value)
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)
