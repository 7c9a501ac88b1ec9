"""What frames every screen: the log bar under the header and a footer ordered by the keymap.

The log bar names Home and every log with its number key (the current one highlighted; a
click goes there too), so they are reachable on any screen at any width: at 80 columns the
gaps narrow and Region (a regional lead's view) is left to its key. The footer shows the
active keys in keymap ``rank`` order and drops the least important first when the terminal is
narrow, so Help, Quit and Export stay visible at 80 columns.
"""

from __future__ import annotations

from typing import Any

from textual.app import ComposeResult
from textual.content import Content
from textual.events import Resize
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from cipco.screens import keymap
from cipco.screens.registry import NAV, PLACES, NavEntry


def _needed(places: list[NavEntry], gap: int) -> int:
    return sum(len(f"{e.key} {e.title}") for e in places) + gap * (len(places) - 1)


_NARROW = [entry for entry in PLACES if entry.narrow]
LAYOUTS: tuple[tuple[list[NavEntry], int], ...] = (
    (PLACES, 2),
    (_NARROW, 2),  # Region (a regional lead's) is left to its key
    (_NARROW, 1),  # 0 Home … 9 Settings on 80 columns
    ([entry for entry in NAV if entry.narrow], 1),
)
"""The log bar's layouts, widest first: the places named and the gap between them. The
first that fits is drawn; every key works whether or not it is named."""


def bar_layout(width: int) -> tuple[list[NavEntry], int]:
    """The places to name and the gap between them on a log bar ``width`` columns wide."""
    for places, gap in LAYOUTS:
        if _needed(places, gap) <= width:
            return places, gap
    return LAYOUTS[-1]


class LogBar(Static):
    """``0 Home  1 Referrals  2 Clinics  3 Exhibits  4 MG4D  5 Persons  6 Actions  9 Settings``."""

    DEFAULT_CSS = """
    LogBar { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    def render(self) -> Content:
        current = self.app.current_mode
        parts: list[Content] = []
        places, gap = bar_layout(self.content_size.width)
        for entry in places:
            style = "bold reverse" if entry.mode == current else ""
            label = Content.from_markup(
                f"[@click=app.go('{entry.mode}')][b]{entry.key}[/b] {entry.title}[/]"
            )
            parts.append(label.stylize(style) if style else label)
        return Content(" " * gap).join(parts)


class KeyFooter(Footer):
    """The footer, in keymap rank order, keeping what fits."""

    DEFAULT_CSS = """
    KeyFooter FooterKey { margin-right: 1; }
    """

    def __init__(self) -> None:
        super().__init__(show_command_palette=False)
        self._shown: tuple[tuple[str, str, str, str], ...] | None = None

    def _keys(self) -> tuple[tuple[str, str, str, str], ...]:
        """(action, key, display, label) of what fits, in rank order."""
        chosen: dict[str, tuple[str, str, str, str]] = {}
        # a screen may name a key its own way (a letter's form: ctrl+s Send)
        labels: dict[str, str] = getattr(self.screen, "footer_labels", {})
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in chosen:
                continue
            display = self.app.get_key_display(binding)
            label = labels.get(binding.action, binding.description)
            chosen[binding.action] = (binding.action, binding.key, display, label)
        width = self.size.width or self.app.size.width
        used = 0
        shown = []
        for item in sorted(chosen.values(), key=lambda item: keymap.rank(item[0])):
            need = len(item[2]) + len(item[3]) + 2
            if used + need <= width:
                used += need
                shown.append(item)
        return tuple(shown)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        self._shown = self._keys()
        for action, key, display, label in self._shown:
            tip = keymap.KEYS[action].help if action in keymap.KEYS else label
            yield FooterKey(key, display, label, action, tooltip=tip)

    def bindings_changed(self, screen: Screen[Any]) -> None:
        """Re-draw only when what the footer shows changes (focus moves often)."""
        self._bindings_ready = True
        if self.is_attached and screen is self.screen and self._keys() != self._shown:
            self.call_after_refresh(self.recompose)

    def on_resize(self, _event: Resize) -> None:
        if self._bindings_ready and self._keys() != self._shown:
            self.call_after_refresh(self.recompose)
