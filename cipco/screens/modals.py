"""Typed modal questions shared by every log: yes/no, one line of text, one choice of several.

Each returns its answer through ``dismiss`` (None when cancelled with ``esc``). User text is
always shown as plain text, never read as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from cipco.screens import keymap
from cipco.text import literal


class ConfirmScreen(ModalScreen[bool]):
    """Ask before anything destructive. True only on an explicit yes (``y`` or the button)."""

    BINDINGS = [keymap.binding("back", label="No"), keymap.binding("confirm")]

    def __init__(self, question: str, *, confirm_label: str = "Yes", danger: bool = False) -> None:
        super().__init__()
        self.question = question
        self.confirm_label = confirm_label
        self.danger = danger

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(literal(self.question, newlines=True), classes="question")
            with Horizontal(classes="buttons"):
                yield Button(
                    f"{self.confirm_label} (y)",
                    variant="error" if self.danger else "primary",
                    id="confirm",
                )
                yield Button("Cancel (esc)", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#cancel" if self.danger else "#confirm", Button).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        self.dismiss(event.button.id == "confirm")

    def action_confirm(self) -> None:
        self.dismiss(True)

    def action_back(self) -> None:
        self.dismiss(False)


class TextPromptScreen(ModalScreen[str | None]):
    """Ask for one line of text (a reason, a note). Empty text is refused if required."""

    BINDINGS = [keymap.binding("back", label="Cancel")]

    def __init__(
        self, title: str, *, placeholder: str = "", required: bool = True, value: str = ""
    ) -> None:
        super().__init__()
        self.title_text = title
        self.placeholder = placeholder
        self.required = required
        self.value = value

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(literal(self.title_text))
            yield Input(value=self.value, placeholder=self.placeholder, id="prompt")
            yield Static("", classes="error", id="prompt-error")
            with Horizontal(classes="buttons"):
                yield Button("OK (enter)", variant="primary", id="ok")
                yield Button("Cancel (esc)", id="cancel")

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self._submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "ok":
            self._submit()
        else:
            self.dismiss(None)

    def _submit(self) -> None:
        text = self.query_one("#prompt", Input).value.strip()
        if self.required and not text:
            self.query_one("#prompt-error", Static).update("Required: type something first.")
            return
        self.dismiss(text)

    def action_back(self) -> None:
        self.dismiss(None)


class ChoiceScreen(ModalScreen[Any]):
    """Choose one of several (arrows and enter); returns the chosen value or None."""

    BINDINGS = [keymap.binding("back", label="Cancel")]
    DEFAULT_CSS = """
    ChoiceScreen OptionList { height: auto; max-height: 16; border: none; }
    """

    def __init__(
        self, title: str, choices: Sequence[tuple[str, Any]], *, current: Any = None
    ) -> None:
        super().__init__()
        self.title_text = title
        self.choices = list(choices)
        self.current = current

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Label(literal(self.title_text), classes="form-title")
            yield OptionList(
                *(
                    Option(literal(label), id=str(index))
                    for index, (label, _) in enumerate(self.choices)
                ),
                id="choices",
            )
            yield Static(Text("enter chooses · esc cancels", style="dim"))

    def on_mount(self) -> None:
        options = self.query_one(OptionList)
        values = [value for _, value in self.choices]
        options.highlighted = values.index(self.current) if self.current in values else 0
        options.focus()

    @on(OptionList.OptionSelected)
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        self.dismiss(self.choices[int(event.option.id or 0)][1])

    def action_back(self) -> None:
        self.dismiss(None)


class SortChooser(ChoiceScreen):
    """The sort chooser: ``s`` again takes the highlighted column (reversing the current)."""

    BINDINGS = [*ChoiceScreen.BINDINGS, keymap.binding("sort", label="Choose")]

    def action_sort(self) -> None:
        highlighted = self.query_one(OptionList).highlighted
        self.dismiss(self.choices[highlighted or 0][1])
