"""RowTable: a DataTable whose cursor is a whole row, with the keys a list reader expects."""

from __future__ import annotations

from rich.text import Text
from textual.binding import Binding
from textual.widgets import DataTable


class RowTable(DataTable[Text]):
    """A DataTable of whole rows: Home and End go to the first and last row loaded (the next
    page is then fetched, so End again goes further), as in a spreadsheet's list.

    The keys are the keymap's ``scroll_top`` and ``scroll_bottom`` (widgets sit below the
    screens, so they are spelt here; a test keeps the two equal)."""

    BINDINGS = [
        Binding("home", "scroll_top", "First row", show=False),
        Binding("end", "scroll_bottom", "Last row", show=False),
    ]
