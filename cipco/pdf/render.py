"""A :class:`~cipco.content.Document` drawn as an A4 PDF with fpdf2 and the shipped font.

Every page carries the marking and "page N of M" in its header and its footer; the first
page has the title, the cover blocks and the page list (each section and the page it starts
on; the PDF's bookmarks follow the same sections). Tables repeat their header row on every
page they run onto; a heading is never left alone at the foot of a page.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from functools import cache
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos
from fpdf.outline import OutlineSection

from cipco.content import Block, Chart, Document, Facts, Paragraph, Section, Table, value_text
from cipco.pdf.glyphs import MISSING, Glyphs
from cipco.pdf.grid import Grid, Style, Wrapper

FONT_DIR = Path(__file__).with_name("fonts")
FAMILY = "DejaVu"
REGULAR = FONT_DIR / "DejaVuSans.ttf"
BOLD = FONT_DIR / "DejaVuSans-Bold.ttf"

MARGIN_SIDE = 15.0  # mm
MARGIN_TOP = 20.0
MARGIN_BOTTOM = 18.0
BODY_PT = 9.5
TABLE_PT = 8.5
SMALL_PT = 6.5
LINE = 4.6  # mm per line of body text
TABLE_LINE = 3.9
LIST_LINE = 5.2  # the page list
KEEP_WITH_HEADING = 24.0  # mm that must fit below a heading on the same page

RED = (176, 0, 0)
GREY = (90, 90, 90)
RULE = (170, 170, 170)
HEADER_FILL = (221, 228, 238)
SECTION_FILL = (238, 241, 246)
BAR_COLOURS = ((45, 90, 160), (200, 120, 30), (90, 150, 70), (150, 60, 130))

UNPRINTABLE_NOTE = (
    f"Some text uses a script this PDF cannot show; each such run is shown as {MISSING}."
)


@cache
def _cmap() -> frozenset[int]:
    """The characters the shipped regular font has glyphs for (read once)."""
    from fontTools.ttLib import TTFont

    with TTFont(REGULAR, lazy=True) as font:
        regular = set(font.getBestCmap())
    with TTFont(BOLD, lazy=True) as font:
        bold = set(font.getBestCmap())
    return frozenset(regular & bold)


class _Pdf(FPDF):
    """The page frame: header, footer and the page list."""

    def __init__(self, doc: Document, glyphs: Glyphs) -> None:
        super().__init__(orientation="P", unit="mm", format="A4")
        self.doc = doc
        self.glyphs = glyphs
        self.wrapper = Wrapper(self, FAMILY)
        self.set_margins(MARGIN_SIDE, MARGIN_TOP, MARGIN_SIDE)
        self.set_auto_page_break(True, margin=MARGIN_BOTTOM)
        self.add_font(FAMILY, "", str(REGULAR))
        self.add_font(FAMILY, "B", str(BOLD))
        self.set_font(FAMILY, size=BODY_PT)
        self.set_draw_color(*RULE)
        self.set_line_width(0.15)
        self.heading_text = glyphs.printable(doc.subject, newlines=False)
        self.marking = glyphs.printable(doc.marking, newlines=False)
        self.produced = glyphs.printable(
            f"Produced {value_text(doc.produced_at)} by {doc.produced_by}", newlines=False
        )
        self.set_title(self.heading_text)
        self.set_author(glyphs.printable(doc.produced_by, newlines=False))
        self.set_creator("cipco")
        self.set_creation_date(doc.produced_at)
        self.set_subject(self.marking)

    def page_words(self) -> str:
        return f"page {self.page_no()} of {self.str_alias_nb_pages}"

    def header(self) -> None:
        self.set_y(7)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*GREY)
        third = self.epw / 3
        self.cell(third, 4, self._fit(self.heading_text, third - 2), align=Align.L)
        self.set_font(FAMILY, "B", 10)
        self.set_text_color(*RED)
        self.cell(third, 4, self.marking, align=Align.C)
        self.set_font(FAMILY, "", 7.5)
        self.set_text_color(*GREY)
        self.cell(third, 4, self.page_words(), align=Align.R)
        self.line(self.l_margin, 12.5, self.w - self.r_margin, 12.5)
        self._body()
        self.set_y(MARGIN_TOP)

    def footer(self) -> None:
        self.set_y(-13)
        self.line(self.l_margin, self.get_y() - 1.5, self.w - self.r_margin, self.get_y() - 1.5)
        self.set_font(FAMILY, "", 7)
        self.set_text_color(*GREY)
        half = self.epw / 2
        self.cell(half - 5, 4, self._fit(self.produced, half - 7), align=Align.L)
        self.set_font(FAMILY, "B", 8.5)
        self.set_text_color(*RED)
        self.cell(half + 5, 4, f"{self.page_words()} · {self.marking}", align=Align.R)
        self._body()

    def _body(self) -> None:
        self.set_font(FAMILY, "", BODY_PT)
        self.set_text_color(0, 0, 0)
        self.set_fill_color(255, 255, 255)

    def _fit(self, text: str, width: float) -> str:
        """``text`` cut with an ellipsis to fit ``width`` in the current font."""
        if self.get_string_width(text) <= width:
            return text
        while text and self.get_string_width(text + "…") > width:
            text = text[:-1]
        return text + "…"


# ---------------------------------------------------------------- blocks


def _text(pdf: _Pdf, value: Any) -> str:
    return pdf.glyphs.printable(value_text(value))


def _heading(pdf: _Pdf, section: Section) -> None:
    fresh_page = pdf.get_y() <= MARGIN_TOP + 1
    if not fresh_page and (section.new_page or pdf.will_page_break(KEEP_WITH_HEADING)):
        pdf.add_page()
    title = pdf.glyphs.printable(section.title, newlines=False)
    pdf.start_section(title[:120], level=min(section.level, 1), strict=False)
    pdf.ln(2 if section.level else 3)
    if section.level:
        pdf.set_font(FAMILY, "B", 10.5)
        pdf.multi_cell(0, 5.5, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    else:
        pdf.set_font(FAMILY, "B", 12.5)
        pdf.set_fill_color(*SECTION_FILL)
        pdf.multi_cell(0, 7, title, fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1.5)
    pdf._body()


def _mm(pdf: _Pdf, relative: Sequence[float]) -> list[float]:
    total = sum(relative) or 1
    return [pdf.epw * part / total for part in relative]


def _facts(pdf: _Pdf, block: Facts) -> None:
    if not block.rows:
        return
    label, value = Style(BODY_PT, True), Style(BODY_PT)
    grid = Grid(pdf, pdf.wrapper, _mm(pdf, (34, 66)), boxed=False, rule=RULE)
    for name, shown in block.rows:
        grid.add(grid.row([(pdf.glyphs.printable(name), label), (_text(pdf, shown), value)]))
    pdf._body()
    pdf.ln(2)


def _table(pdf: _Pdf, block: Table) -> None:
    if block.title:
        if pdf.will_page_break(KEEP_WITH_HEADING):
            pdf.add_page()
        pdf.set_font(FAMILY, "B", BODY_PT + 0.5)
        pdf.multi_cell(
            0, LINE + 0.6, pdf.glyphs.printable(block.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf.ln(0.5)
    pdf.set_font(FAMILY, "", TABLE_PT)
    if not block.rows:
        pdf.set_text_color(*GREY)
        pdf.multi_cell(
            0, LINE, pdf.glyphs.printable(block.empty), new_x=XPos.LMARGIN, new_y=YPos.NEXT
        )
        pdf._body()
        pdf.ln(2)
        return
    below = block.below
    shown = [i for i in range(len(block.headers)) if i != below]
    relative = tuple(block.widths) if len(block.widths) == len(shown) else (1,) * len(shown)
    styles = [Style(SMALL_PT) if i in set(block.small) else Style(TABLE_PT) for i in shown]
    below_style = Style(SMALL_PT, colour=GREY)
    below_label = pdf.glyphs.printable(block.headers[below]) if below is not None else ""
    grid = Grid(
        pdf,
        pdf.wrapper,
        _mm(pdf, relative),
        header=[pdf.glyphs.printable(block.headers[i]) for i in shown],
        header_style=Style(TABLE_PT, True),
        header_fill=HEADER_FILL,
        rule=RULE,
    )
    grid.start()
    width = len(block.headers)
    for values in block.rows:
        cells = list(values)[:width] + [None] * (width - len(values))
        under = None
        if below is not None and cells[below] not in (None, ""):
            under = (f"{below_label}: {_text(pdf, cells[below])}", below_style)
        row = [(_text(pdf, cells[i]), style) for i, style in zip(shown, styles, strict=True)]
        grid.add(grid.row(row, under))
    pdf._body()
    pdf.ln(2.5)


def _paragraph(pdf: _Pdf, block: Paragraph) -> None:
    if block.style == "note":
        pdf.set_font(FAMILY, "", 8)
        pdf.set_text_color(*GREY)
    elif block.style == "warning":
        pdf.set_font(FAMILY, "B", BODY_PT)
        pdf.set_text_color(*RED)
    pdf.multi_cell(0, LINE, pdf.glyphs.printable(block.text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf._body()
    pdf.ln(1.5)


def _chart(pdf: _Pdf, block: Chart) -> None:
    """Grouped vertical bars with the values over them, a legend and category labels."""
    height, label_room = 52.0, 9.0
    total = height + label_room + 14
    if pdf.will_page_break(total):
        pdf.add_page()
    pdf.set_font(FAMILY, "B", BODY_PT)
    pdf.multi_cell(0, LINE, pdf.glyphs.printable(block.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    top = pdf.get_y() + 6
    left, width = pdf.l_margin + 8, pdf.epw - 8
    values = [float(v or 0) for _, series in block.series for v in series]
    peak = max([*values, 1.0])
    scale = height / _nice(peak)
    # legend
    pdf.set_font(FAMILY, "", 7)
    x = left
    for index, (name, _) in enumerate(block.series):
        pdf.set_fill_color(*BAR_COLOURS[index % len(BAR_COLOURS)])
        pdf.rect(x, top - 5, 3, 3, style="F")
        label = pdf.glyphs.printable(name, newlines=False)
        pdf.set_xy(x + 4, top - 5.5)
        pdf.cell(pdf.get_string_width(label) + 2, 4, label)
        x += pdf.get_string_width(label) + 10
    # axis and bars
    base = top + height
    pdf.line(left, base, left + width, base)
    pdf.set_xy(pdf.l_margin, top - 2)
    pdf.cell(7, 4, value_text(int(_nice(peak))), align=Align.R)
    pdf.set_xy(pdf.l_margin, base - 2)
    pdf.cell(7, 4, "0", align=Align.R)
    count = max(len(block.categories), 1)
    slot = width / count
    groups = max(len(block.series), 1)
    bar = min(slot * 0.8 / groups, 14)
    for c, category in enumerate(block.categories):
        start = left + c * slot + (slot - bar * groups) / 2
        for s, (_, series) in enumerate(block.series):
            value = float(series[c] or 0) if c < len(series) else 0.0
            h = value * scale
            pdf.set_fill_color(*BAR_COLOURS[s % len(BAR_COLOURS)])
            if h > 0:
                pdf.rect(start + s * bar, base - h, bar * 0.92, h, style="F")
            pdf.set_xy(start + s * bar - 2, base - h - 3.6)
            pdf.cell(bar + 4, 3.4, value_text(series[c]) if c < len(series) else "", align=Align.C)
        pdf.set_xy(left + c * slot, base + 0.8)
        label = pdf.glyphs.printable(category, newlines=False)
        pdf.multi_cell(slot, 3.2, pdf._fit(label, slot * 2 - 2), align=Align.C, max_line_height=3.2)
    pdf.set_xy(pdf.l_margin, base + label_room)
    pdf._body()
    pdf.ln(3)


def _nice(peak: float) -> float:
    """A round axis maximum at or above ``peak`` (1, 2, 5 × 10^n)."""
    power = 10 ** math.floor(math.log10(peak)) if peak > 0 else 1
    for step in (1, 2, 5, 10):
        if peak <= step * power:
            return float(step * power)
    return float(10 * power)


RENDERERS = {Facts: _facts, Table: _table, Paragraph: _paragraph, Chart: _chart}


def _block(pdf: _Pdf, block: Block) -> None:
    RENDERERS[type(block)](pdf, block)  # type: ignore[operator]


# ---------------------------------------------------------------- the page list


def _page_list(pdf: _Pdf, outline: list[OutlineSection]) -> None:
    pdf.set_x(pdf.l_margin)
    pdf.set_font(FAMILY, "B", 12.5)
    pdf.set_fill_color(*SECTION_FILL)
    pdf.cell(0, 7, "Pages", fill=True, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(1)
    for entry in outline:
        pdf.set_font(FAMILY, "B" if entry.level == 0 else "", BODY_PT)
        indent = 6.0 * entry.level
        number = str(entry.page_number)
        room = pdf.epw - indent - 14
        pdf.set_x(pdf.l_margin + indent)
        name = pdf._fit(entry.name, room)
        pdf.cell(room, LIST_LINE, name, link=pdf.add_link(page=entry.page_number))
        pdf.cell(14, LIST_LINE, number, align=Align.R, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf._body()


def _list_pages(pdf: _Pdf, entries: int) -> int:
    """How many pages the page list takes from where it starts (one line an entry)."""
    heading = 7 + 1
    here = pdf.page_break_trigger - pdf.get_y() - heading
    if entries * LIST_LINE <= here:
        return 1
    full = (pdf.page_break_trigger - MARGIN_TOP) // LIST_LINE
    rest = entries - max(int(here // LIST_LINE), 0)
    return 1 + math.ceil(rest / full)


# ---------------------------------------------------------------- the document


def render_pdf(doc: Document) -> bytes:
    """The document as PDF bytes."""
    glyphs = Glyphs(_cmap())
    pdf = _Pdf(doc, glyphs)
    pdf.add_page()
    pdf.set_font(FAMILY, "B", 17)
    pdf.multi_cell(0, 8, glyphs.printable(doc.title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.ln(2)
    pdf._body()
    if glyphs.missing_in(list(doc.texts())):
        _paragraph(pdf, Paragraph(UNPRINTABLE_NOTE, "warning"))
    for block in doc.cover:
        _block(pdf, block)
    for note in doc.notes:
        _paragraph(pdf, Paragraph(note, "note"))
    if doc.page_list and doc.sections:
        pdf.ln(2)
        pdf.insert_toc_placeholder(_page_list, pages=_list_pages(pdf, len(doc.sections)))
    for section in doc.sections:
        _heading(pdf, section)
        for block in section.blocks:
            _block(pdf, block)
    return bytes(pdf.output())


def write_pdf(doc: Document, target: Any) -> Path:
    """Render ``doc`` and write it to ``target`` (an :class:`~cipco.outputs.OutputTarget`):
    0600, moved into place complete, never replacing a file unless asked."""
    from cipco.outputs import write_output

    data = render_pdf(doc)
    return write_output(target, lambda temp: temp.write_bytes(data))
