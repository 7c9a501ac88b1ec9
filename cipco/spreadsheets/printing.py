"""The one print setup every sheet cipco writes gets, and the geometry behind it.

Police print what we send. Every sheet is set up so an office suite prints it legibly:

- A4, landscape when the columns are wider than a portrait page;
- fit to one page wide, as many pages tall as needed (``fitToWidth 1``, ``fitToHeight 0``,
  ``fitToPage`` on); a one-page form (the proforma) fits one page both ways;
- the header row(s) repeated on every page (print titles);
- page header ``OFFICIAL-SENSITIVE``; footer ``<what> · page N of M · <produced at>``;
- sensible margins; column widths measured from the content; header rows tall enough for
  their wrapped titles; charts sized so they sit on one page.

Header/footer text is the Excel mini-language: ``&P``/``&N`` are codes, so a literal ``&`` is
written ``&&``; each of header and footer stays under Excel's 255 characters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.properties import PageSetupProperties

from cipco.clock import to_london

MARKING = "OFFICIAL-SENSITIVE"
HEADER_FOOTER_LIMIT = 254  # Excel refuses a header or footer of 255 characters or more
MARKING_FONT = "Arial,Bold"
MARKING_COLOUR = "C00000"

# A4 in inches, margins in inches, Excel's default font: one width unit is about 7 pixels
# and a column of width w takes 7w + 5 pixels at 96 dpi.
A4_SHORT, A4_LONG = 8.27, 11.69
MARGIN_SIDE, MARGIN_TOP, MARGIN_HEADER = 0.4, 0.75, 0.3
PIXELS_PER_INCH = 96
PRINTABLE_PORTRAIT_PX = (A4_SHORT - 2 * MARGIN_SIDE) * PIXELS_PER_INCH
PRINTABLE_LANDSCAPE_PX = (A4_LONG - 2 * MARGIN_SIDE) * PIXELS_PER_INCH
PRINTABLE_LANDSCAPE_HEIGHT_PX = (A4_SHORT - 2 * MARGIN_TOP) * PIXELS_PER_INCH
PRINTABLE_PORTRAIT_HEIGHT_PX = (A4_LONG - 2 * MARGIN_TOP) * PIXELS_PER_INCH
PX_PER_CM = PIXELS_PER_INCH / 2.54
LINE_HEIGHT_PT = 15.0  # one line of 11 pt text
PT_TO_PX = PIXELS_PER_INCH / 72

MIN_WIDTH = 4
MAX_WIDTH = 60
DATE_WIDTH = 11
DATETIME_WIDTH = 17


def column_pixels(width: float) -> float:
    return 7 * width + 5


def is_wide(widths: Iterable[float], extra_px: float = 0) -> bool:
    """True when the columns (plus ``extra_px``, e.g. a chart) overflow a portrait page."""
    return sum(column_pixels(w) for w in widths) + extra_px > PRINTABLE_PORTRAIT_PX


def footer_escape(text: str) -> str:
    """Header/footer text: ``&`` doubled, control characters and line breaks removed."""
    from cipco.text import clean

    return clean(text).replace("&", "&&")


def footer_text(what: str, produced_at: datetime | None) -> str:
    """``<what> · page &P of &N · <produced at>``, under Excel's limit with its font codes."""
    when = f"produced {to_london(produced_at):%d/%m/%Y %H:%M}" if produced_at else ""
    tail = " · page &P of &N" + (f" · {when}" if when else "")
    room = HEADER_FOOTER_LIMIT - len(tail) - len("&C")
    subject = footer_escape(what)
    if len(subject) > room:
        subject = subject[: room - 1].rstrip("&") + "…"
    return subject + tail


def setup_page(
    ws: Any,
    *,
    what: str,
    produced_at: datetime | None,
    widths: Sequence[float],
    title_rows: int = 1,
    one_page: bool = False,
    landscape: bool | None = None,
    extra_px: float = 0,
) -> None:
    """Apply the print setup to ``ws`` (a normal or write-only worksheet) before it is saved.

    ``widths`` are the sheet's column widths (to choose the orientation); ``extra_px`` adds
    what sits beside the columns (a chart). ``title_rows`` rows repeat on every page.
    """
    if landscape is None:
        landscape = is_wide(widths, extra_px)
    setup = ws.page_setup
    setup.orientation = "landscape" if landscape else "portrait"
    setup.paperSize = 9  # A4 (openpyxl Worksheet.PAPERSIZE_A4; write-only sheets lack it)
    setup.fitToWidth = 1
    setup.fitToHeight = 1 if one_page else 0
    if ws.sheet_properties.pageSetUpPr is None:
        ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    else:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(
        left=MARGIN_SIDE,
        right=MARGIN_SIDE,
        top=MARGIN_TOP,
        bottom=MARGIN_TOP,
        header=MARGIN_HEADER,
        footer=MARGIN_HEADER,
    )
    if title_rows > 0:
        ws.print_title_rows = f"1:{title_rows}"
    header = ws.oddHeader.center
    header.text = MARKING
    header.font = MARKING_FONT
    header.color = MARKING_COLOUR
    header.size = 10
    footer = ws.oddFooter.center
    footer.text = footer_text(what, produced_at)  # default font: a size code before text
    # that starts with a digit ("&8" + "2026…") would be read as one number


def is_set_up(ws: Any) -> bool:
    return ws.oddHeader.center.text == MARKING


# ---------------------------------------------------------------- measuring content


def display_length(value: Any) -> int:
    """About how many characters ``value`` shows as in a cell (the longest line of text)."""
    if value is None:
        return 0
    if isinstance(value, str):
        if "\n" in value:
            return max(len(line) for line in value.split("\n"))
        return len(value)
    if isinstance(value, bool):
        return 3
    if isinstance(value, datetime):
        return DATETIME_WIDTH - 1
    if isinstance(value, date):
        return DATE_WIDTH - 1
    if isinstance(value, int | float):
        return min(len(f"{value:,}") if isinstance(value, int) else len(f"{value:.2f}"), 15)
    return min(len(str(value)), MAX_WIDTH)


def longest_word(text: str) -> int:
    return max((len(word) for word in text.split()), default=0)


def fit_width(header: str, lengths: Iterable[int], *, cap: float, kind: str = "text") -> float:
    """A column width from its header and a sample of its values' display lengths.

    The content decides, up to ``cap`` (longer text wraps); the header only needs room for
    its longest word (it wraps); dates never show as ``####``.
    """
    content = max(lengths, default=0)
    floor = {"date": DATE_WIDTH, "datetime": DATETIME_WIDTH}.get(kind, MIN_WIDTH)
    cap = max(cap, floor)
    width = max(min(content, cap), longest_word(header), floor)
    return float(min(width, MAX_WIDTH) + 2)


def wrapped_lines(text: str, width: float) -> int:
    """How many lines ``text`` takes wrapped at ``width`` characters (greedy, by words)."""
    per_line = max(int(width) - 1, 1)
    total = 0
    for paragraph in str(text).split("\n"):
        line = 0
        lines = 1
        for word in paragraph.split():
            size = len(word)
            if line == 0:
                line = size
            elif line + 1 + size <= per_line:
                line += 1 + size
            else:
                lines += 1
                line = size
            while line > per_line:  # a word longer than the line breaks anywhere
                lines += 1
                line -= per_line
        total += lines
    return max(total, 1)


def row_height(lines: int, font_size: float = 11) -> float:
    """Points for ``lines`` lines of text in ``font_size`` (None-equivalent 15 for one)."""
    return round(lines * LINE_HEIGHT_PT * font_size / 11, 1)


def header_height(headers: Sequence[str], widths: Sequence[float]) -> float:
    lines = max((wrapped_lines(h, w) for h, w in zip(headers, widths, strict=False)), default=1)
    return row_height(lines)


def chart_size_cm(
    widths: Sequence[float], anchor_column: int, anchor_top_px: float, rows: int
) -> tuple[float, float]:
    """(width, height) in cm for a chart beside ``widths`` so the sheet prints with the chart
    whole on the first landscape page: fit to one page wide sets the scale, and the chart's
    height stays within one page at that scale."""
    width_cm = 20.0
    sheet_px = sum(column_pixels(w) for w in widths[: anchor_column - 1]) + width_cm * PX_PER_CM
    scale = min(1.0, PRINTABLE_LANDSCAPE_PX / sheet_px)
    page_px = PRINTABLE_LANDSCAPE_HEIGHT_PX / scale - anchor_top_px - 2 * LINE_HEIGHT_PT * PT_TO_PX
    wanted_cm = max(7.5, 0.6 * rows + 3)
    height_cm = min(wanted_cm, page_px / PX_PER_CM)
    return width_cm, math.floor(height_cm * 10) / 10
