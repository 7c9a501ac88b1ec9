"""Text from users and files, made safe to show on a terminal.

A name, a note or a cell from an imported workbook may carry terminal escape sequences
(``ESC[2J`` clears the screen, ``ESC]52;`` writes the clipboard, ``ESC]8;`` hides a link),
other control characters, Unicode direction overrides that reorder what is shown, or text
that looks like Rich/Textual markup (``SMITH, [John]``). Everything user- or file-supplied
that reaches the terminal goes through this module first:

- :func:`clean`: a plain string with escape sequences and control characters removed;
- :func:`literal`: a Rich ``Text`` of the cleaned string, so markup is never parsed;
- :func:`escape_markup`: the cleaned string with markup escaped, for APIs that only take
  markup strings (command palette help, Textual ``Content.from_markup``);
- :func:`make_safe`: a Rich renderable (``Text``, ``Table``, ``Group``, ``Panel``…) with every
  piece of text in it cleaned in place, for detail screens that assemble many values.

This module imports Rich only: every layer may use it.
"""

from __future__ import annotations

import contextlib
import re
from typing import Any

from rich.text import Text

# ESC-introduced sequences: CSI (ESC [ ... final), OSC/DCS/SOS/PM/APC strings (ended by BEL
# or ST), and two-character escapes. C1 forms (U+009B CSI, U+009D OSC...) are matched too.
_ESCAPE_SEQUENCE = re.compile(
    r"""
    (?:\x1b\[|\x9b)[\x30-\x3f]*[\x20-\x2f]*[\x40-\x7e]?      # CSI ... final byte
  | (?:\x1b[\]PX^_]|[\x90\x98\x9d\x9e\x9f])                 # OSC DCS SOS PM APC
        [^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?                #   ... up to BEL or ST
  | \x1b[\x20-\x2f]*[\x30-\x7e]?                             # ESC (intermediates) final
    """,
    re.VERBOSE,
)
# Other control characters (C0 except tab/newline, DEL, C1), lone surrogates, and the
# bidirectional embedding/override/isolate controls that reorder what a reader sees.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile(r"[\t\n]+")
_REPLACEMENT = "\N{REPLACEMENT CHARACTER}"


def clean(value: Any, *, newlines: bool = False) -> str:
    """``value`` as text with escape sequences and control characters removed.

    Tabs and line breaks become single spaces unless ``newlines`` is true (multi-line
    notes), in which case ``\\n`` and tabs are kept and ``\\r\\n`` becomes ``\\n``.
    ``None`` gives ``""``.
    """
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    if text.isprintable():  # the common case: nothing to remove (tab/newline are not)
        return text
    if newlines:
        text = text.replace("\r\n", "\n")
    text = _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))
    if not newlines:
        text = _LINE_BREAKS.sub(" ", text)
    return text


def literal(value: Any, style: str = "", *, newlines: bool = False, **options: Any) -> Text:
    """A Rich ``Text`` of the cleaned value: shown exactly, markup never parsed."""
    return Text(clean(value, newlines=newlines), style=style, **options)


def escape_markup(value: Any) -> str:
    """The cleaned value with ``[`` escaped, for places that only accept markup strings."""
    return clean(value).replace("\\", "\\\\").replace("[", "\\[")


def safe_cell(cell: Any) -> Any:
    """A table cell made safe: a ``Text`` cleaned in place, anything else a literal Text."""
    if isinstance(cell, Text):
        return clean_text_in_place(cell)
    return make_safe(cell) if not isinstance(cell, str) else literal(cell)


def clean_text_in_place(text: Text) -> Text:
    """Replace each unsafe character of a Rich ``Text`` with U+FFFD, keeping its styles.

    One character for one keeps every span where it was; a removed escape sequence leaves a
    visible mark instead of acting on the terminal.
    """
    plain = text.plain
    if not plain.isprintable() and _CONTROL.search(plain):
        text.plain = _CONTROL.sub(_REPLACEMENT, plain)
    return text


def make_safe(renderable: Any) -> Any:
    """``renderable`` with every ``Text`` and string inside it cleaned (returns it).

    Walks Rich ``Text``, ``Table`` (cells, headers, title, caption), ``Group`` and anything
    with a ``renderable`` attribute (``Panel``, ``Padding``, ``Align``). A plain string
    becomes a literal ``Text`` (a string would be parsed as markup).
    """
    return _safe(renderable, depth=0)


def _safe(obj: Any, depth: int) -> Any:
    from rich.console import Group
    from rich.table import Table

    if depth > 20:
        return obj
    if isinstance(obj, Text):
        return clean_text_in_place(obj)
    if isinstance(obj, str):
        return literal(obj, newlines=True)  # a str would be parsed as markup
    if isinstance(obj, Table):
        obj.title = _safe(obj.title, depth + 1)
        obj.caption = _safe(obj.caption, depth + 1)
        for column in obj.columns:
            column.header = _safe(column.header, depth + 1)
            column.footer = _safe(column.footer, depth + 1)
            column._cells[:] = [_safe(cell, depth + 1) for cell in column._cells]
        return obj
    if isinstance(obj, Group):
        obj._renderables = tuple(_safe(item, depth + 1) for item in obj.renderables)
        obj._render = None
        return obj
    inner = getattr(obj, "renderable", None)
    if inner is not None and not callable(inner):
        with contextlib.suppress(AttributeError):
            obj.renderable = _safe(inner, depth + 1)
    return obj
