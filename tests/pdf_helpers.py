"""Reading a PDF back as a reader would: each page's text, and what its header and footer say."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pypdf

BAND_PT = 60  # the header and footer bands: the top and bottom 60 points of a page


@dataclass(frozen=True)
class PageText:
    number: int
    text: str  # the whole page, whitespace collapsed
    top: str  # the header band
    bottom: str  # the footer band


def squash(text: str) -> str:
    return " ".join(text.split())


def read_pages(source: Path | bytes) -> list[PageText]:
    import io

    reader = pypdf.PdfReader(io.BytesIO(source) if isinstance(source, bytes) else source)
    pages = []
    for number, page in enumerate(reader.pages, start=1):
        height = float(page.mediabox.height)
        top: list[str] = []
        bottom: list[str] = []

        def visit(
            text: str,
            cm: list[float],
            tm: list[float],
            *_: object,
            top: list[str] = top,
            bottom: list[str] = bottom,
            height: float = height,
        ) -> None:
            y = tm[5] * cm[3] + cm[5]
            if y > height - BAND_PT:
                top.append(text)
            elif y < BAND_PT:
                bottom.append(text)

        text = page.extract_text(visitor_text=visit)
        pages.append(
            PageText(number, squash(text), squash(" ".join(top)), squash(" ".join(bottom)))
        )
    return pages


def page_of(pages: list[PageText], needle: str) -> int:
    """The first page whose body (not header or footer) shows ``needle``."""
    for page in pages:
        body = page.text.replace(page.top, "").replace(page.bottom, "")
        if needle in body:
            return page.number
    raise AssertionError(f"{needle!r} is on no page")


MARKED = re.compile(r"page (\d+) of (\d+)")
