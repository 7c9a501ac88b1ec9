"""The crime clinic's forms (an agenda item, a discussion note, an action, an attendee) and the
attendance list. Each form is a :class:`FormSpec` for the one record form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Static

from cipco.clock import Clock
from cipco.models.clinic import AgendaItemCreate, AttendanceCreate, ClinicActionCreate, Presence
from cipco.screens import keymap
from cipco.screens.base import Works
from cipco.screens.cells import cells
from cipco.screens.record_form import FormSpec, Loaded, RecordForm, Saved
from cipco.services import clinic as clinic_service
from cipco.services.clinic import AttendeeRow
from cipco.services.errors import RecordError
from cipco.widgets.fields import Field

ITEM_FIELDS = [
    Field("title", "Item", required=True, placeholder="e.g. Drone sightings on B wing"),
    Field("detail", "Detail", "area"),
]


def _adding(
    add: Callable[..., Any],
    schema: type,
    clinic_id: int,
    said: Callable[[dict[str, Any]], str],
    prepare: Callable[[Session, dict[str, Any]], dict[str, Any]] | None = None,
) -> Callable[[Session, Clock, dict[str, Any], int | None], Saved]:
    """A save that adds something to a clinic (an item, an action, an attendee)."""

    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        values = prepare(session, dict(values)) if prepare else values
        data = clinic_service.validate(schema, values)
        added = add(session=session, clinic_id=clinic_id, data=data, clock=clock)
        return Saved(added.id, said(values))

    return save


def item_form(clinic_id: int) -> RecordForm:
    save = _adding(
        clinic_service.add_item,
        AgendaItemCreate,
        clinic_id,
        lambda _values: "Item added at the end of the agenda",
    )
    return RecordForm(FormSpec(title="New agenda item", fields=ITEM_FIELDS, save=save))


def note_form(clinic_id: int, item_id: int, title: str) -> RecordForm:
    """The discussion note of an agenda item (what was decided)."""

    def load(session: Session, clock: Clock) -> Loaded:
        for row in clinic_service.agenda_rows(session, clinic_id, clock):
            if row.id == item_id:
                return Loaded({"note": row.note}, version=row.version)
        raise RecordError("this agenda item no longer exists")

    def save(session: Session, clock: Clock, values: dict[str, Any], version: int | None) -> Saved:
        clinic_service.set_note(
            session=session,
            item_id=item_id,
            note=values["note"],
            clock=clock,
            expected_version=version,
        )
        return Saved(item_id, "Note saved")

    return RecordForm(
        FormSpec(
            title=f"Note: {title}",
            fields=[Field("note", "What was decided", "area")],
            load=load,
            save=save,
        )
    )


ACTION_FIELDS = [
    Field("text", "Action", required=True),
    Field("owner_name", "Owner (a person)", required=True),
    Field("owner_org", "Organisation", placeholder="Police, Security…"),
    Field("due_on", "Due", "date"),
    Field("referral", "Referral", placeholder="REF-…"),
]


def action_form(clinic_id: int, reference: str = "") -> RecordForm:
    """A new action, linked to the referral of the item it came from."""

    def linked(session: Session, values: dict[str, Any]) -> dict[str, Any]:
        values["referral_id"] = clinic_service.referral_id_for(session, values.pop("referral"))
        return values

    save = _adding(
        clinic_service.add_action,
        ClinicActionCreate,
        clinic_id,
        lambda _values: "Action added",
        linked,
    )
    return RecordForm(
        FormSpec(
            title="New action", fields=ACTION_FIELDS, values={"referral": reference}, save=save
        )
    )


ATTENDEE_FIELDS = [
    Field("name", "Name", required=True),
    Field("role", "Role"),
    Field("organisation", "Organisation"),
    Field("apologies", "Sent apologies", "check"),
]


def attendee_form(clinic_id: int) -> RecordForm:
    def presence(_session: Session, values: dict[str, Any]) -> dict[str, Any]:
        values["presence"] = Presence.APOLOGIES if values.pop("apologies") else Presence.PRESENT
        return values

    save = _adding(
        clinic_service.add_attendee,
        AttendanceCreate,
        clinic_id,
        lambda values: f"{values['name']} added",
        presence,
    )
    return RecordForm(FormSpec(title="Add to the attendance", fields=ATTENDEE_FIELDS, save=save))


ACTION_CHANGES = {"complete": "done", "drop": "dropped", "reopen": "reopened"}


def change_action(
    works: Works, action_id: int, version: int | None, text: str, what: str, reason: str = ""
) -> None:
    """Mark an action done, drop it (``reason``), or reopen it, in a worker; then re-read."""
    change = getattr(clinic_service, f"{what}_action")
    clock = works.cipco.clock
    given = {"reason": reason} if what == "drop" else {}

    def run(session: Session) -> str:
        change(session=session, action_id=action_id, clock=clock, expected_version=version, **given)
        return f"Action {ACTION_CHANGES[what]}: {text}"

    works.write(run)


def drop_action(works: Works, action_id: int, version: int | None, text: str) -> None:
    """Ask why, then drop the action."""
    from cipco.screens.modals import TextPromptScreen

    works.app.push_screen(  # type: ignore[attr-defined]
        TextPromptScreen(f"Drop the action '{text}'? Give the reason"),
        lambda reason: (
            change_action(works, action_id, version, text, "drop", reason) if reason else None
        ),
    )


class AttendanceScreen(Works, ModalScreen[None]):
    """Who attended and who sent apologies: n adds, e switches present/apologies, del removes.
    Each change saves at once."""

    BINDINGS = [
        keymap.binding("back", label="Close"),
        *keymap.bindings("new", "edit", "remove"),
    ]
    DEFAULT_CSS = """
    AttendanceScreen .dialog { width: 100; }
    AttendanceScreen DataTable { height: auto; max-height: 14; }
    """

    def __init__(self, clinic_id: int) -> None:
        super().__init__()
        self.clinic_id = clinic_id
        self.rows: list[AttendeeRow] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Attendance", classes="form-title")
            yield DataTable(cursor_type="row", id="attendees")
            yield Static("", id="attendance-empty", markup=False)
            yield Static(Text("n add · e present/apologies · del remove · esc close", style="dim"))

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("Name", "Role", "Organisation", "Attendance"):
            table.add_column(label)
        table.focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        clinic_id = self.clinic_id
        self.read(lambda s: clinic_service.attendance_rows(s, clinic_id), self._fill)

    def _fill(self, rows: list[AttendeeRow]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for a in rows:
            presence = "Present" if a.presence == Presence.PRESENT else "Apologies"
            table.add_row(*cells([a.name, a.role, a.organisation, presence]))
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))
        self.query_one("#attendance-empty", Static).update(
            "" if rows else "Nobody recorded yet: press n to add who is here."
        )

    def _current(self) -> AttendeeRow | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            self.notify("Nobody highlighted", severity="warning")
            return None
        return self.rows[table.cursor_row]

    def action_new(self) -> None:
        self.app.push_screen(attendee_form(self.clinic_id))

    def action_edit(self) -> None:
        row = self._current()
        if row is None:
            return
        target = Presence.APOLOGIES if row.presence == Presence.PRESENT else Presence.PRESENT
        clock = self.cipco.clock

        def switch(session: Session) -> str:
            clinic_service.set_presence(
                session=session, attendee_id=row.id, presence=target, clock=clock
            )
            return ""

        self.write(switch)

    def action_remove(self) -> None:
        from cipco.screens.modals import ConfirmScreen

        row = self._current()
        if row is None:
            return
        clock = self.cipco.clock

        def remove(session: Session) -> str:
            clinic_service.remove_attendee(session=session, attendee_id=row.id, clock=clock)
            return f"{row.name} removed"

        def answer(yes: bool | None) -> None:
            if yes:
                self.write(remove)

        self.app.push_screen(
            ConfirmScreen(f"Remove {row.name} from the attendance?", danger=True), answer
        )

    def action_back(self) -> None:
        self.dismiss(None)
