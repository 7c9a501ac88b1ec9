"""Form fields from a declarative description: one :class:`Field` per input of a record form.

A field's *state* is what its widget holds, comparable across reloads (the text typed, the
option chosen, the boxes ticked); its *value* is what a service takes (a date, a list of
keys). :func:`parse` turns one into the other and says what is wrong in a sentence;
:func:`merge` keeps your changes when someone else saved the record meanwhile.

Dates are read by :mod:`cipco.dates`, the parser the imports use: ``03/04/2026``,
``3 Apr 2026``, ``3 Apr 2026 14:05`` all work in every form.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, Static, TextArea

from cipco.dates import format_date, format_datetime, parse_date, parse_datetime
from cipco.text import clean, literal

KINDS = ("text", "date", "datetime", "select", "check", "area", "checks")
DATE_HINTS = {
    "date": "dd/mm/yyyy or 3 Apr 2026",
    "datetime": "dd/mm/yyyy hh:mm or 3 Apr 2026 14:05",
}
REQUIRED = "Required"
LABEL_WIDTH = 26  # a longer label goes above its input (app.tcss: .field > Label)


@dataclass(frozen=True)
class Field:
    """One input of a form.

    ``kind``: text | date | datetime | select (one of ``options``) | check (a yes/no box) |
    area (several lines) | checks (any of ``options``, as a list of keys).
    ``section`` starts a new headed section at this field. ``shown_if`` shows the field only
    while another (select) field holds one of the given values. ``lines``: an area's height.
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    options: Sequence[tuple[str, str]] = ()
    placeholder: str = ""
    section: str = ""
    shown_if: tuple[str, Collection[str]] | None = None
    disabled: bool = False
    hint: str = ""
    lines: int = 4  # an area's height (a letter's text wants more)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"{self.name}: unknown field kind {self.kind!r}")


State = Any  # str | bool | tuple[str, ...] | None


def state_of(field: Field, value: Any) -> State:
    """A service value as the state its widget shows."""
    if field.kind == "check":
        return bool(value)
    if field.kind == "checks":
        return tuple(sorted(value or ()))
    if field.kind == "select":
        return None if value in (None, "") else str(value)
    if value is None:
        return ""
    if field.kind == "date" and isinstance(value, date | datetime):
        return format_date(value)
    if field.kind == "datetime" and isinstance(value, datetime):
        return format_datetime(value)
    return clean(value, newlines=field.kind == "area")  # nothing a terminal would act on


def parse(field: Field, state: State) -> Any:
    """The state as the service's value. Raises ``ValueError`` with a sentence."""
    if field.kind in ("check", "checks", "select"):
        if field.required and state in (None, ()):
            raise ValueError(f"{REQUIRED}: choose one" if field.kind == "select" else REQUIRED)
        return list(state) if field.kind == "checks" else state
    text = str(state or "").strip()
    if not text:
        if field.required:
            raise ValueError(REQUIRED)
        return None if field.kind in ("date", "datetime") else ""
    if field.kind == "date":
        return parse_date(text)
    if field.kind == "datetime":
        return parse_datetime(text)
    return text


def problem_of(field: Field, state: State) -> str | None:
    """What is wrong with a state on its own (blank required, a date that is no date)."""
    try:
        parse(field, state)
    except ValueError as exc:  # DateError too
        return str(exc)
    return None


def merge(
    base: Mapping[str, State], mine: Mapping[str, State], theirs: Mapping[str, State]
) -> tuple[dict[str, State], dict[str, State]]:
    """Three-way merge after someone else saved: theirs where you did not type, yours where
    they did not change it; a field both changed differently keeps yours and is a clash
    (returned with their value)."""
    merged: dict[str, State] = {}
    clashes: dict[str, State] = {}
    for name in list(mine) + [n for n in theirs if n not in mine]:
        b, m, t = base.get(name), mine.get(name), theirs.get(name)
        if m == b:
            merged[name] = t
        elif t in (b, m):
            merged[name] = m
        else:
            merged[name] = m
            clashes[name] = t
    return merged, clashes


def shown_text(field: Field, state: State) -> str:
    """A state in words, for a clash note."""
    if field.kind == "check":
        return "ticked" if state else "not ticked"
    if field.kind == "checks":
        labels = dict((key, label) for label, key in field.options)
        return ", ".join(labels.get(k, k) for k in state or ()) or "none ticked"
    if field.kind == "select":
        labels = dict((key, label) for label, key in field.options)
        return labels.get(state, str(state)) if state else "none"
    return str(state) if state else "blank"


# ---------------------------------------------------------------- widgets


def shown_options(options: Iterable[tuple[str, str]]) -> list[tuple[Text, str]]:
    """(label, key) choices as a select or check list shows them: a label read from the
    file (a person's name) is shown as typed, never parsed as markup."""
    return [(literal(label), key) for label, key in options]


class CheckGroup(SelectionList[str]):
    """Boxes for a ``checks`` field, one stop for tab (arrows move, space ticks); its value is
    the ticked keys."""

    DEFAULT_CSS = """
    CheckGroup { height: auto; border: none; padding: 0; }
    """

    def __init__(self, field: Field, **kwargs: Any) -> None:
        super().__init__(*shown_options(field.options), **kwargs)
        self.field = field

    @property
    def value(self) -> tuple[str, ...]:
        return tuple(sorted(self.selected))

    @value.setter
    def value(self, keys: Iterable[str]) -> None:
        chosen = set(keys)
        self.deselect_all()
        for _, key in self.field.options:
            if key in chosen:
                self.select(key)


def make_widget(field: Field) -> Widget:
    """The input widget for a field, with ``id`` = the field's name."""
    kind, name = field.kind, field.name
    if kind == "select":
        return Select[str](
            shown_options(field.options),
            id=name,
            prompt=field.placeholder or "Choose",
            compact=True,
        )
    if kind == "check":
        return Checkbox("", id=name, compact=True, disabled=field.disabled)
    if kind == "area":
        area = TextArea(id=name, disabled=field.disabled, classes="area")
        if field.lines != Field.lines:
            area.styles.height = field.lines
        return area
    if kind == "checks":
        return CheckGroup(field, id=name)
    placeholder = field.placeholder or DATE_HINTS.get(kind, "")
    return Input(
        id=name,
        placeholder=placeholder,
        compact=True,
        disabled=field.disabled,
        select_on_focus=False,
    )


def read_state(field: Field, widget: Widget) -> State:
    if field.kind == "select":
        value = widget.value  # type: ignore[attr-defined]
        return None if value is Select.NULL or value is None else str(value)
    if field.kind == "check":
        return bool(widget.value)  # type: ignore[attr-defined]
    if field.kind == "checks":
        return widget.value  # type: ignore[attr-defined]
    if field.kind == "area":
        return widget.text  # type: ignore[attr-defined]
    return widget.value  # type: ignore[attr-defined]


def write_state(field: Field, widget: Widget, state: State) -> None:
    if field.kind == "select":
        options = {key for _, key in field.options}
        widget.value = state if state in options else Select.NULL  # type: ignore[attr-defined]
    elif field.kind == "area":
        widget.text = state or ""  # type: ignore[attr-defined]
    elif field.kind in ("check", "checks"):
        widget.value = state  # type: ignore[attr-defined]
    else:
        widget.value = state or ""  # type: ignore[attr-defined]


def field_row(field: Field) -> ComposeResult:
    """A section heading (if the field starts one), the label and input, the error line."""
    if field.section:
        yield Static(field.section, classes="section")
    label = field.label + (" *" if field.required else "")
    with Vertical(classes="field-block", id=f"row-{field.name}") as block:
        block.field_name = field.name  # type: ignore[attr-defined]
        if field.kind in ("area", "checks") or len(label) >= LABEL_WIDTH:
            yield Label(literal(label), classes="wide-label")
            if field.hint:
                yield Static(Text(field.hint), classes="hint")
            yield make_widget(field)
        else:
            with Horizontal(classes="field"):
                yield Label(literal(label))
                yield make_widget(field)
            if field.hint:
                yield Static(Text(field.hint), classes="hint")
        yield Static("", classes="field-error", id=f"error-{field.name}", markup=False)
