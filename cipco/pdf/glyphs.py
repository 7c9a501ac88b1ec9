"""Text as the PDF can show it: cleaned, composed, and never a missing glyph.

The shipped font (DejaVu Sans) covers Latin with any diacritics, Greek and Cyrillic (and
Armenian, Georgian and most symbols). Text in other scripts must never break a document:

- characters the font has no glyph for (CJK, emoji…) are replaced, a run at a time, by
  :data:`MISSING` (``[?]``), and the document says so once on its first page;
- scripts written right to left or that need shaping (Hebrew, Arabic, Syriac, the Indic
  scripts…) are replaced the same way even where the font has the letters: drawn unshaped,
  left to right, they would look legible and read wrong.

Text is cleaned first (:func:`cipco.text.clean`: escapes, control and direction-override
characters removed) and put in Unicode composed form, so ``O`` + combining acute prints as
one ``Ó``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Container

from cipco.text import clean

MISSING = "[?]"

# Scripts drawn wrongly without shaping or right-to-left layout (start, end inclusive).
_SHAPED_RANGES = (
    (0x0590, 0x08FF),  # Hebrew, Arabic, Syriac, Thaana, NKo, Samaritan, Mandaic, Arabic ext.
    (0x0900, 0x0DFF),  # Devanagari … Sinhala
    (0x0F00, 0x0FFF),  # Tibetan
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x18AF),  # Khmer, Mongolian
    (0xA8E0, 0xA8FF),  # Devanagari extended
    (0xFB1D, 0xFDFF),  # Hebrew and Arabic presentation forms
    (0xFE70, 0xFEFF),  # Arabic presentation forms B, BOM
)


def _shaped(code: int) -> bool:
    return any(start <= code <= end for start, end in _SHAPED_RANGES)


class Glyphs:
    """Which characters a font can show; :meth:`printable` makes text safe to draw."""

    def __init__(self, cmap: Container[int]) -> None:
        self._cmap = cmap
        self._known: dict[str, bool] = {"\n": True, " ": True}
        self.replaced = 0  # runs replaced so far

    def can_show(self, char: str) -> bool:
        known = self._known.get(char)
        if known is None:
            code = ord(char)
            known = code in self._cmap and not _shaped(code)
            self._known[char] = known
        return known

    def printable(self, value: str, *, newlines: bool = True) -> str:
        """``value`` cleaned, composed, and each run of characters that cannot be shown
        replaced by ``[?]``."""
        text = clean(value, newlines=newlines)
        if not text.isascii():
            text = unicodedata.normalize("NFC", text)
        else:
            return text.replace("\t", " ")
        out: list[str] = []
        in_gap = False
        for char in text:
            if char == "\t":
                char = " "
            if in_gap and unicodedata.category(char) == "Mn":
                continue  # a mark on a character already replaced
            if self.can_show(char):
                out.append(char)
                in_gap = False
            elif not in_gap:
                out.append(MISSING)
                self.replaced += 1
                in_gap = True
        return "".join(out)

    def missing_in(self, texts: list[str]) -> bool:
        """True when any of ``texts`` has a character that cannot be shown."""
        for value in texts:
            text = unicodedata.normalize("NFC", clean(value, newlines=True))
            if not text.isascii() and not all(self.can_show(c) for c in text if c != "\t"):
                return True
        return False
