"""The one record form: every form of every log is a :class:`RecordForm` over a :class:`FormSpec`.

What every form does the same way:

- fields from the spec's :class:`~cipco.widgets.fields.Field` list, in headed sections, in a
  scrolling body: the focused field is always scrolled into view, at 80x24 too;
- ``ctrl+s`` saves in a worker (one transaction); a refusal puts each problem beside its
  field, moves the focus to the first one, and a problem clears as soon as it is fixed;
- ``esc`` closes, asking first when anything typed would be dropped;
- when someone else saved the record since it was opened, the form says who and when and
  offers Reload (``ctrl+r``): their values come in, your changes stay where they do not
  clash, and each clash is shown beside its field (yours kept, theirs named).

Loading runs in a read-only snapshot and returns plain values (:class:`Loaded`); saving
returns :class:`Saved` (the record's id and a sentence), which the form is dismissed with,
so a list can put its highlight on the record just saved.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widget import Widget
from textual.widgets import (
    Button,
    Checkbox,
    Header,
    Input,
    Select,
    SelectionList,
    Static,
    TextArea,
)
from textual.worker import Worker, WorkerState

from cipco.clock import Clock
from cipco.screens import keymap
from cipco.screens.base import Works, mark
from cipco.screens.chrome import KeyFooter
from cipco.text import literal
from cipco.widgets.fields import (
    Field,
    State,
    field_row,
    merge,
    parse,
    problem_of,
    read_state,
    shown_options,
    shown_text,
    state_of,
    write_state,
)
from cipco.widgets.problems import beside_field, is_stale, message_of, problems_of


@dataclass(frozen=True)
class Loaded:
    """What a form shows of a stored record: plain values, read in a snapshot."""

    values: Mapping[str, Any]
    version: int | None = None
    options: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)
    title: str = ""


@dataclass(frozen=True)
class Saved:
    """What a save returns: the record's id (for the highlight) and what to tell the user."""

    key: int | str | None
    message: str = ""


@dataclass(frozen=True)
class FormSpec:
    """A form: its fields, how it loads (edits) and how it saves.

    ``save(session, clock, values, version)`` calls a service and returns :class:`Saved`;
    ``load(session, clock)`` returns :class:`Loaded` (an edit's values, choices read from the
    file); ``values`` start a new record;
    ``check(values)`` gives rules the form can tell before saving (``{field: sentence}``);
    ``confirm(values)`` is a question asked before a save that cannot be undone.
    """

    title: str
    fields: Sequence[Field]
    save: Callable[[Session, Clock, dict[str, Any], int | None], Saved]
    load: Callable[[Session, Clock], Loaded] | None = None
    values: Mapping[str, Any] = field(default_factory=dict)
    options: Mapping[str, Sequence[tuple[str, str]]] = field(default_factory=dict)
    note: str = ""
    check: Callable[[dict[str, Any]], dict[str, str]] | None = None
    confirm: Callable[[dict[str, Any]], str] | None = None
    save_label: str = "Save"


class RecordForm(Works, ModalScreen[Saved | None]):
    """A record form built from a :class:`FormSpec`."""

    # Opaque: the screen underneath is not redrawn (dimmed) on every keystroke of the form.
    DEFAULT_CSS = """
    RecordForm { background: $background; }
    """

    BINDINGS = [
        keymap.binding("save"),
        keymap.binding("back", label="Cancel"),
        keymap.binding("reload"),
    ]

    def __init__(self, spec: FormSpec) -> None:
        super().__init__()
        self.spec = spec
        self.fields = {f.name: f for f in spec.fields}
        self.version: int | None = None
        self.base: dict[str, State] = {}  # the states as loaded: dirty = anything differs
        self.noted: dict[str, State] = {}  # the state each shown problem was about
        self.ready = False
        self.stale = False

    # ------------------------------------------------------------ layout

    def compose(self) -> ComposeResult:
        yield Header()
        with Vertical(classes="form-dialog"):
            yield Static(literal(self.spec.title), classes="form-title", id="form-title")
            if self.spec.note:
                yield Static(literal(self.spec.note), classes="hint")
            yield Static("", classes="error", id="form-message")
            with VerticalScroll(classes="form", id="form-body"):
                for spec_field in self.spec.fields:
                    yield from field_row(spec_field)
            with Horizontal(classes="buttons"):
                yield Button(
                    f"{self.spec.save_label} (ctrl+s)", variant="primary", id="save", compact=True
                )
                yield Button("Reload (ctrl+r)", id="reload", classes="hidden", compact=True)
                yield Button("Cancel (esc)", id="cancel", compact=True)
        yield KeyFooter()

    def on_mount(self) -> None:
        mark(self, self.spec.title)
        if self.spec.load is not None:
            self.say("Loading…")
            self._load(self._fill)
        else:
            self._fill(Loaded(self.spec.values, options=self.spec.options))

    def _load(self, then: Callable[[Loaded], None]) -> None:
        load, clock = self.spec.load, self.cipco.clock
        assert load is not None
        self.read(lambda session: load(session, clock), then, group="form-load")

    def say(self, message: str | Text) -> None:
        """The line above the fields: loading, saving, what stopped a save."""
        line = self.query_one("#form-message", Static)
        line.update(message)
        line.display = bool(str(message))

    def widget(self, name: str) -> Widget:
        return self.query_one(f"#{name}")

    def _fill(self, loaded: Loaded) -> None:
        for name, options in {**self.spec.options, **loaded.options}.items():
            self.query_one(f"#{name}", Select).set_options(shown_options(options))
            self.fields[name] = _with_options(self.fields[name], options)
        states = {
            f.name: state_of(f, loaded.values.get(f.name, _default(f))) for f in self.spec.fields
        }
        self._set_states(states)
        self.base = states
        self.version = loaded.version
        if loaded.title:
            self.query_one("#form-title", Static).update(literal(loaded.title))
        self.say("")
        self._apply_visibility()
        self.ready = True
        self.focus_first()

    def _set_states(self, states: Mapping[str, State]) -> None:
        for name, state in states.items():
            write_state(self.fields[name], self.widget(name), state)

    def focus_first(self) -> None:
        for spec_field in self.spec.fields:
            if not spec_field.disabled and self._shown(spec_field):
                self.widget(spec_field.name).focus()
                return

    # ------------------------------------------------------------ state

    def states(self) -> dict[str, State]:
        return {name: read_state(f, self.widget(name)) for name, f in self.fields.items()}

    @property
    def dirty(self) -> bool:
        return self.ready and self.states() != self.base

    @property
    def footer_labels(self) -> dict[str, str]:
        """The footer names ctrl+s as the button does (Save, Send, Record, Attach…)."""
        return {"save": self.spec.save_label}

    def has_unsaved(self) -> bool:
        return self.dirty

    def _shown(self, spec_field: Field, states: Mapping[str, State] | None = None) -> bool:
        if spec_field.shown_if is None:
            return True
        other, values = spec_field.shown_if
        state = (states or self.states()).get(other)
        return state in values

    def _apply_visibility(self) -> None:
        states = self.states()
        for spec_field in self.spec.fields:
            if spec_field.shown_if is not None:
                shown = self._shown(spec_field, states)
                self.query_one(f"#row-{spec_field.name}").display = shown
                previous = self._previous_section(spec_field)
                if previous is not None:
                    previous.display = shown

    def _previous_section(self, spec_field: Field) -> Widget | None:
        """A section heading that belongs to a conditional field (shown with it)."""
        if not spec_field.section:
            return None
        row = self.query_one(f"#row-{spec_field.name}")
        parent = row.parent
        if parent is None:
            return None
        siblings = list(parent.children)
        index = siblings.index(row)
        return siblings[index - 1] if index else None

    def values(self) -> tuple[dict[str, Any], dict[str, str]]:
        """The values of the shown fields, and what is wrong with any of them."""
        states = self.states()
        values: dict[str, Any] = {}
        problems: dict[str, str] = {}
        for name, spec_field in self.fields.items():
            if not self._shown(spec_field, states):
                continue
            try:
                values[name] = parse(spec_field, states[name])
            except ValueError as exc:  # a blank required field, a date that is no date
                problems[name] = str(exc)
        return values, problems

    # ------------------------------------------------------------ changes

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    @on(TextArea.Changed)
    @on(SelectionList.SelectedChanged)
    def _changed(self, event: Any) -> None:
        name = _field_of(event.control)
        if name is None or name not in self.fields or not self.ready:
            return
        if any(f.shown_if and f.shown_if[0] == name for f in self.spec.fields):
            self._apply_visibility()
        if name in self.noted:
            state = read_state(self.fields[name], self.widget(name))
            if state == self.noted[name]:
                return  # set by the form itself (a reload), not typed
            problem = problem_of(self.fields[name], state)
            self._note(name, problem, state)

    def _note(self, name: str, message: str | None, state: State, *, clash: bool = False) -> None:
        """Show (or clear, with None) the line under a field."""
        line = self.query_one(f"#error-{name}", Static)
        line.update(literal(beside_field(message, name)) if message else "")
        line.set_class(bool(message), "-shown")
        line.set_class(clash, "-clash")
        if message:
            self.noted[name] = state
        else:
            self.noted.pop(name, None)

    def show_problems(self, problems: Mapping[str, str]) -> None:
        """Each problem beside its field, the focus on the first; the rest above the form."""
        states = self.states()
        for name in list(self.noted):
            self._note(name, None, None)
        placed: list[str] = []
        for spec_field in self.spec.fields:
            message = problems.get(spec_field.name)
            if message and self._shown(spec_field, states):
                self._note(spec_field.name, message, states[spec_field.name])
                placed.append(spec_field.name)
        others = [m for k, m in problems.items() if k not in placed]
        summary = "Not saved: " + (
            "; ".join(others) if others else f"{len(placed)} field(s) to put right, shown below"
        )
        self.say(literal(summary))
        if placed:
            target = self.widget(placed[0])
            target.focus()
            self.call_after_refresh(target.scroll_visible)

    # ------------------------------------------------------------ save

    def action_save(self) -> None:
        if not self.ready:
            return
        values, problems = self.values()
        if not problems and self.spec.check is not None:
            problems = self.spec.check(values)
        if problems:
            self.show_problems(problems)
            return
        question = self.spec.confirm(values) if self.spec.confirm else ""
        if not question:
            self._save(values)
            return
        from cipco.screens.modals import ConfirmScreen

        def answered(yes: bool | None) -> None:
            if yes:
                self._save(values)

        self.app.push_screen(ConfirmScreen(question, danger=True), answered)

    def _save(self, values: dict[str, Any]) -> None:
        save, version, clock = self.spec.save, self.version, self.cipco.clock
        self.say("Saving…")
        self.write(
            lambda session: save(session, clock, values, version),
            self.dismiss,
            refused=self._refused,
            group="form-save",
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """A save that failed for a reason other than the service's refusal (a read-only
        login, a full disk): the notification says why, and so does the form, which stays
        open with what was typed. A load that failed says why instead of "Loading…"."""
        super().on_worker_state_changed(event)
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        reason = message_of(error) if isinstance(error, ValueError) else str(error or "")
        if event.worker.group == "form-save":
            self.say(literal(f"Not saved: {reason or 'the save failed'}"))
        elif event.worker.group == "form-load":  # e.g. the record went meanwhile
            self.say(literal(f"Not loaded: {reason or 'the record could not be read'}"))

    def _refused(self, refusal: ValueError) -> None:
        if is_stale(refusal) and self.spec.load is not None:
            self.stale = True
            self.query_one("#reload", Button).remove_class("hidden")
            self.say(literal(f"Not saved: {message_of(refusal)}. Press ctrl+r to reload."))
            self.query_one("#reload", Button).focus()
            self.refresh_bindings()
            return
        self.show_problems(problems_of(refusal))

    # ------------------------------------------------------------ reload after a stale edit

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "reload":
            return self.spec.load is not None and self.stale
        return True

    def action_reload(self) -> None:
        if self.spec.load is None:
            return
        self.say("Reloading…")
        self._load(self._merge_in)

    def _merge_in(self, loaded: Loaded) -> None:
        theirs = {
            f.name: state_of(f, loaded.values.get(f.name, _default(f))) for f in self.spec.fields
        }
        merged, clashes = merge(self.base, self.states(), theirs)
        self._set_states(merged)
        self.base = theirs
        self.version = loaded.version
        self.stale = False
        self.query_one("#reload", Button).add_class("hidden")
        self.refresh_bindings()
        for name in list(self.noted):
            self._note(name, None, None)
        for name, their_state in clashes.items():
            spec_field = self.fields[name]
            self._note(
                name,
                f"Also changed meanwhile, to: {shown_text(spec_field, their_state)}. "
                "Yours is kept; saving keeps yours.",
                merged[name],
                clash=True,
            )
        message = "Reloaded: their changes are in and yours are kept."
        if clashes:
            message += f" {len(clashes)} field(s) changed on both sides: see the notes."
        self.say(literal(message))
        self._apply_visibility()
        first = next((f.name for f in self.spec.fields if f.name in clashes), None)
        if first is not None:
            self.widget(first).focus()

    # ------------------------------------------------------------ leave

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#reload")
    def _reload_pressed(self) -> None:
        self.action_reload()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_back()

    def action_back(self) -> None:
        """Close; ask first if it would drop anything typed."""
        if not self.dirty:
            self.dismiss(None)
            return
        from cipco.screens.modals import ConfirmScreen

        def answered(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Drop what you typed?", confirm_label="Drop it", danger=True), answered
        )


def _field_of(widget: Widget | None) -> str | None:
    """The field a widget belongs to (a box of a checks group belongs to the group)."""
    node: Any = widget
    while node is not None:
        name = getattr(node, "field_name", None)
        if name:
            return str(name)
        node = node.parent
    return None


def _default(spec_field: Field) -> Any:
    return False if spec_field.kind == "check" else None


def _with_options(spec_field: Field, options: Sequence[tuple[str, str]]) -> Field:
    from dataclasses import replace

    return replace(spec_field, options=tuple(options))
