"""Small building blocks for record forms: a labelled field row with its own error line."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Label, Static


def field_row(label: str, widget: Widget, name: str) -> ComposeResult:
    """A label, the input widget and an error line with id ``error-<name>``."""
    with Vertical(classes="field-block"):
        with Horizontal(classes="field"):
            yield Label(label)
            yield widget
        yield Static("", classes="field-error", id=f"error-{name}")


def beside_field(message: str) -> str:
    """Shown under its field, "oic_email: 'x' is not an e-mail address" needs no prefix."""
    prefix, sep, rest = message.partition(": ")
    if sep and " " not in prefix.strip() and rest:
        message = rest
    return message[:1].upper() + message[1:]


def show_errors(root: Widget, errors: dict[str, str], known: Iterable[str]) -> list[str]:
    """Put each message under its field; return messages for fields the form lacks."""
    unplaced = []
    names = set(known)
    for static in root.query(".field-error"):
        if isinstance(static, Static):
            static.update("")
            static.remove_class("-shown")
    for name, message in errors.items():
        if name in names:
            target = root.query_one(f"#error-{name}", Static)
            target.update(Text(beside_field(message)))
            target.add_class("-shown")
        else:
            unplaced.append(message)
    return unplaced
