"""What frames every screen: the log bar under the header and a footer ordered by the keymap.

The log bar names every log with its number key (the current one highlighted; a click goes
there too), so the logs are reachable on any screen at any width. The footer shows the
active keys in keymap ``rank`` order and drops the least important first when the terminal is
narrow, so Help, Quit and Export stay visible at 80 columns.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.content import Content
from textual.events import Resize
from textual.widgets import Footer, Static
from textual.widgets._footer import FooterKey

from cipco.screens import keymap
from cipco.screens.registry import NAV


class LogBar(Static):
    """``1 Referrals  2 Clinics  3 Exhibits  4 MG4D  5 Persons  6 Actions  9 Settings``."""

    DEFAULT_CSS = """
    LogBar { height: 1; padding: 0 1; background: $panel; color: $text-muted; }
    """

    def render(self) -> Content:
        current = self.app.current_mode
        parts: list[Content] = []
        for entry in NAV:
            style = "bold reverse" if entry.mode == current else ""
            label = Content.from_markup(
                f"[@click=app.go('{entry.mode}')][b]{entry.key}[/b] {entry.title}[/]"
            )
            parts.append(label.stylize(style) if style else label)
        return Content("  ").join(parts)


class KeyFooter(Footer):
    """The footer, in keymap rank order, keeping what fits."""

    DEFAULT_CSS = """
    KeyFooter FooterKey { margin-right: 1; }
    """

    def __init__(self) -> None:
        super().__init__(show_command_palette=False)

    def compose(self) -> ComposeResult:
        if not self._bindings_ready:
            return
        chosen: dict[str, tuple[str, str, str, str]] = {}
        for _node, binding, enabled, tooltip in self.screen.active_bindings.values():
            if not binding.show or not enabled or binding.action in chosen:
                continue
            display = self.app.get_key_display(binding)
            chosen[binding.action] = (binding.key, display, binding.description, tooltip)
        width = self.size.width or self.app.size.width
        used = 0
        for action, (key, display, label, tooltip) in sorted(
            chosen.items(), key=lambda item: keymap.rank(item[0])
        ):
            need = len(display) + len(label) + 2
            if used + need > width:
                continue
            used += need
            yield FooterKey(key, display, label, action, tooltip=tooltip)

    def on_resize(self, _event: Resize) -> None:
        if self._bindings_ready:
            self.call_after_refresh(self.recompose)
