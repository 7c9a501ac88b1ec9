"""The help panel (``?``): every key of the screen underneath, in the keymap's words.

It lists the keys the screen (and the focused widget) answer to now, grouped as the keymap
groups them, with the keymap's sentence for each: the same text as the README table.
"""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from cipco.screens import keymap


def help_table(screen: Screen[object]) -> Table:
    active = {b.binding.action for b in screen.active_bindings.values()}
    table = Table(show_header=False, box=None, expand=True, padding=(0, 1))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for scope in keymap.SCOPES:
        keys = [k for k in keymap.KEYS.values() if k.scope == scope and k.action in active]
        if not keys:
            continue
        table.add_row(Text(scope.capitalize(), style="bold underline"), "")
        for key in keys:
            table.add_row(Text(key.shown_keys), Text(f"{key.label}: {key.help}"))
    return table


class HelpScreen(ModalScreen[None]):
    """Keys of ``screen``; ``?`` or escape closes it."""

    BINDINGS = [keymap.binding("back", label="Close"), keymap.binding("toggle_help", label="Close")]
    DEFAULT_CSS = """
    HelpScreen { align: center middle; }
    HelpScreen > VerticalScroll { width: 100; max-width: 100%; height: 90%;
        border: thick $primary; background: $surface; padding: 0 1; }
    """

    def __init__(self, screen: Screen[object]) -> None:
        super().__init__()
        self.under = screen

    def compose(self) -> ComposeResult:
        with VerticalScroll() as scroll:
            scroll.border_title = "Keys of this screen (? or esc closes)"
            yield Static(help_table(self.under), id="help-keys")

    def action_back(self) -> None:
        self.dismiss(None)

    def action_toggle_help(self) -> None:
        self.dismiss(None)
