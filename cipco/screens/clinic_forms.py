"""The crime clinic's forms (an agenda item, a discussion note, an action, an attendee) and the
attendance list. Each form is a :class:`FormSpec` for the one record form."""

from __future__ import annotations

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


def item_form(clinic_id: int) -> RecordForm:
    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        item = clinic_service.add_item(
            session=session,
            clinic_id=clinic_id,
            data=clinic_service.validate(AgendaItemCreate, values),
            clock=clock,
        )
        return Saved(item.id, "Item added at the end of the agenda")

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

    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        values = dict(values)
        values["referral_id"] = clinic_service.referral_id_for(session, values.pop("referral"))
        action = clinic_service.add_action(
            session=session,
            clinic_id=clinic_id,
            data=clinic_service.validate(ClinicActionCreate, values),
            clock=clock,
        )
        return Saved(action.id, "Action added")

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
    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        presence = Presence.APOLOGIES if values.pop("apologies") else Presence.PRESENT
        attendee = clinic_service.add_attendee(
            session=session,
            clinic_id=clinic_id,
            data=clinic_service.validate(AttendanceCreate, values | {"presence": presence}),
            clock=clock,
        )
        return Saved(attendee.id, f"{values['name']} added")

    return RecordForm(FormSpec(title="Add to the attendance", fields=ATTENDEE_FIELDS, save=save))


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
