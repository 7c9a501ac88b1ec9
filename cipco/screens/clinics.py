"""The crime clinic: the list of clinics and the meeting screen the coordinator runs it from.

Every change saves at once through the clinic services (no "save minutes" step), and the
screen re-reads itself when another process writes (``refresh_data``), so a projector
running a second cipco follows the coordinator's edits.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Checkbox, DataTable, Footer, Header, Input, Static

from cipco.clock import format_date, format_datetime, parse_uk_date
from cipco.models.clinic import (
    ActionStatus,
    AgendaItemCreate,
    AttendanceCreate,
    ClinicActionCreate,
    ClinicStatus,
    ItemKind,
    Presence,
)
from cipco.services import clinic as clinic_service
from cipco.services.clinic import (
    ActionRow,
    AgendaRow,
    AttendeeRow,
    ClinicError,
    ClinicRow,
    ClinicView,
)
from cipco.services.flags import SEVERITY_MARKERS, Severity
from cipco.services.paging import Page, PageQuery
from cipco.services.referrals import status_label as referral_status_label
from cipco.text import literal, make_safe
from cipco.widgets.errors import ReportsWorkerErrors
from cipco.widgets.form import field_row, show_errors
from cipco.widgets.record_table import RecordTable, TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp

STATUS_STYLES = {
    ClinicStatus.DRAFT: "italic",
    ClinicStatus.OPEN: "",
    ClinicStatus.IN_PROGRESS: "bold green",
    ClinicStatus.CLOSED: "dim",
}
SEVERITY_STYLES = {
    Severity.OVERDUE: "bold red",
    Severity.DUE_SOON: "dark_orange",
    Severity.PENDING: "",
    Severity.DONE: "",
}


def _cell(value: str, style: str = "") -> Text:
    return Text(value, style=style, overflow="ellipsis", no_wrap=True)


# ---------------------------------------------------------------- clinics list

CLINIC_COLUMNS = [
    TableColumn("held_on", "Date", 11),
    TableColumn("title", "Clinic", 24, sortable=False),
    TableColumn("status", "Status", 12, sortable=False),
    TableColumn("items", "Items", 6, sortable=False),
    TableColumn("dropped", "Dropped", 8, sortable=False),
    TableColumn("open_actions", "Open actions", 13, sortable=False),
    TableColumn("attendees", "Present", 8, sortable=False),
]


def clinic_cells(row: ClinicRow) -> list[Text]:
    style = STATUS_STYLES.get(ClinicStatus(row.status), "")
    return [
        _cell(format_date(row.held_on), style),
        _cell(row.title, style),
        _cell(clinic_service.status_label(row.status), style),
        _cell(str(row.items), style),
        _cell(str(row.dropped) if row.dropped else "", style),
        _cell(str(row.open_actions) if row.open_actions else "", style),
        _cell(str(row.attendees), style),
    ]


class ClinicsScreen(ReportsWorkerErrors, Screen[None]):
    """Every clinic, newest first. ``n`` drafts the next one on the cadence."""

    BINDINGS = [
        Binding("n", "new", "Next clinic"),
        Binding("enter", "open", "Open", show=False),
        Binding("x", "export", "Export"),
    ]

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield RecordTable(
            CLINIC_COLUMNS,
            load_page=self._load_page,
            row_cells=clinic_cells,
            row_key=lambda row: row.id,
            noun="clinics",
            empty_message="No clinics yet. Press n to draft the next one: its agenda is "
            "built from the tracker.",
            id="clinics",
        )
        yield Static("", classes="status-line", id="clinics-status")
        yield Footer()

    def on_mount(self) -> None:
        self.records.focus()

    @property
    def records(self) -> RecordTable:
        return self.query_one("#clinics", RecordTable)

    def _load_page(self, query: PageQuery) -> Page[ClinicRow]:
        with self.cipco.session() as session:
            page = clinic_service.clinic_page(session, query, self.cipco.clock)
            next_day = clinic_service.next_clinic_date(session, self.cipco.clock)
        self.app.call_from_thread(
            self._status, f"Next clinic on the cadence: {format_date(next_day)} (press n)"
        )
        return page

    def _status(self, text: str) -> None:
        self.query_one("#clinics-status", Static).update(Text(text))

    def refresh_data(self) -> None:
        try:
            self.records.table  # noqa: B018 - mounted?
        except NoMatches:
            return
        self.records.reload(keep_cursor=True)

    @on(RecordTable.Opened, "#clinics")
    def _opened(self, event: RecordTable.Opened) -> None:
        self.app.push_screen(ClinicScreen(event.key))

    def action_open(self) -> None:
        row = self.records.current_row
        if row is not None:
            self.app.push_screen(ClinicScreen(row.id))

    def action_new(self) -> None:
        self._create()

    @work(thread=True, exclusive=True, group="clinic-write", exit_on_error=False)
    def _create(self) -> None:
        try:
            with self.cipco.session() as session:
                clinic = clinic_service.create_clinic(session=session, clock=self.cipco.clock)
                clinic_id, held_on = clinic.id, clinic.held_on
        except ClinicError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="error", markup=False)
            return
        assert clinic_id is not None
        self.app.call_from_thread(self._created, clinic_id, format_date(held_on))

    def _created(self, clinic_id: int, day: str) -> None:
        self.notify(f"Clinic of {day} drafted with its agenda", markup=False)
        self.records.reload()
        self.app.push_screen(ClinicScreen(clinic_id))

    def action_export(self) -> None:
        row = self.records.current_row
        if row is None:
            self.notify("No clinic selected", severity="warning")
            return
        export_clinic(self, row.id)


def export_clinic(screen: Screen[Any], clinic_id: int) -> None:
    _export_worker(screen, clinic_id)


@work(thread=True, exclusive=True, group="export", exit_on_error=False)
def _export_worker(screen: Screen[Any], clinic_id: int) -> None:
    from cipco.spreadsheets import clinic_export
    from cipco.spreadsheets.exporting import default_target

    app: CipcoApp = screen.app  # type: ignore[assignment]
    with app.reading() as session:
        name = f"clinic-{clinic_service.clinic_view(session, clinic_id).held_on:%Y-%m-%d}"
    xlsx, _counts = clinic_export.write_clinic_workbook(
        app.engine, clinic_id, default_target(name, app.clock), app.clock, generated_by=app.actor
    )
    md = clinic_export.write_clinic_markdown(
        app.engine,
        clinic_id,
        default_target(name, app.clock, ".md"),
        app.clock,
        generated_by=app.actor,
    )
    app.call_from_thread(
        app.notify, f"Agenda and minutes written to {xlsx} and {md}", title="Export", markup=False
    )


# ---------------------------------------------------------------- the meeting screen

AGENDA_COLUMNS = [
    TableColumn("number", "No.", 3, sortable=False),
    TableColumn("section", "Section", 14, sortable=False),
    TableColumn("title", "Item", 36, sortable=False),
    TableColumn("now", "Now", 16, sortable=False),
    TableColumn("note", "Notes", 18, sortable=False),
]
ACTION_COLUMNS = [
    TableColumn("id", "No.", 4, sortable=False),
    TableColumn("text", "Action", 16, sortable=False),
    TableColumn("owner", "Owner", 10, sortable=False),
    TableColumn("due", "Due", 5, sortable=False),
    TableColumn("status", "Status", 9, sortable=False),
]


def item_now(row: AgendaRow) -> str:
    """The live state of what the item is about (referral status, action status)."""
    if row.kind == ItemKind.ACTION and row.action_status:
        return f"action {row.action_status}"
    if row.referral_status:
        marker = SEVERITY_MARKERS.get(row.severity, "")
        return f"{marker} {referral_status_label(row.referral_status)}".strip()
    return ""


def agenda_cells(row: AgendaRow) -> list[Text]:
    style = "dim strike" if row.dropped else SEVERITY_STYLES.get(row.severity, "")
    if row.kind == ItemKind.ACTION and row.action_status and row.action_status != "open":
        style = "dim"
    title = f"✗ {row.title}" if row.dropped else row.title
    note = f"dropped: {row.drop_reason}" if row.dropped else row.note
    return [
        _cell(str(row.number), style),
        _cell(row.section, style),
        _cell(title, style),
        _cell(item_now(row), style),
        _cell(note, style),
    ]


def action_cells(row: ActionRow) -> list[Text]:
    style = "dim" if row.status != ActionStatus.OPEN else ("bold red" if row.overdue else "")
    status = "! overdue" if row.overdue else row.status
    return [
        _cell(str(row.id), style),
        _cell(row.text, style),
        _cell(row.owner_name, style),
        _cell(f"{row.due_on:%d/%m/%Y}" if row.due_on else "", style),
        _cell(status, style),
    ]


class ClinicScreen(ReportsWorkerErrors, Screen[None]):
    """Run a clinic: step through the agenda, edit referrals in place, note, add actions."""

    DEFAULT_CSS = """
    ClinicScreen #clinic-head { height: auto; padding: 0 1; background: $boost; }
    ClinicScreen #clinic-body { height: 1fr; }
    ClinicScreen #agenda { width: 1fr; }
    ClinicScreen #side { width: 46; }
    ClinicScreen #item-detail { height: 1fr; border: round $primary-darken-2; padding: 0 1; }
    ClinicScreen #clinic-actions { height: 1fr; }
    ClinicScreen #attendance-line { height: auto; padding: 0 1; }
    """

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("right_square_bracket", "step(1)", "Next item", key_display="]"),
        Binding("left_square_bracket", "step(-1)", "Prev item", key_display="["),
        Binding("d", "note", "Note"),
        Binding("e", "edit_referral", "Edit referral"),
        Binding("m", "move_referral", "Move status"),
        Binding("a", "add_action", "Action"),
        Binding("c", "complete_action", "Done"),
        Binding("X", "drop_action", "Drop action", key_display="X"),
        Binding("i", "add_item", "Add item"),
        Binding("delete", "drop_item", "Drop item", key_display="del"),
        Binding("u", "restore_item", "Restore", show=False),
        Binding("K,shift+up", "move_item(-1)", "Item up", show=False),
        Binding("J,shift+down", "move_item(1)", "Item down", show=False),
        Binding("w", "attendance", "Attendance"),
        Binding("t", "status", "Clinic status"),
        Binding("g", "regenerate", "Regenerate", show=False),
        Binding("x,ctrl+e", "export", "Export"),
    ]

    def __init__(self, clinic_id: int) -> None:
        super().__init__()
        self.clinic_id = clinic_id
        self.view: ClinicView | None = None

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading the clinic…", id="clinic-head")
        with Horizontal(id="clinic-body"):
            yield RecordTable(
                AGENDA_COLUMNS,
                load_page=self._load_agenda,
                row_cells=agenda_cells,
                row_key=lambda row: row.id,
                noun="agenda items",
                empty_message="The agenda is empty. Press i to add an item.",
                id="agenda",
            )
            with Vertical(id="side"):
                with VerticalScroll(id="item-detail"):
                    yield Static("", id="item-text")
                yield RecordTable(
                    ACTION_COLUMNS,
                    load_page=self._load_actions,
                    row_cells=action_cells,
                    row_key=lambda row: row.id,
                    noun="actions (raised here or carried)",
                    empty_message="No actions yet. Press a to add one.",
                    id="clinic-actions",
                )
        yield Static("", id="attendance-line")
        yield Footer()

    def on_mount(self) -> None:
        self.agenda.focus()
        self._load_view()

    @property
    def agenda(self) -> RecordTable:
        return self.query_one("#agenda", RecordTable)

    @property
    def actions_table(self) -> RecordTable:
        return self.query_one("#clinic-actions", RecordTable)

    # ------------------------------------------------------------ data

    def _load_agenda(self, query: PageQuery) -> Page[AgendaRow]:
        with self.cipco.session() as session:
            return clinic_service.agenda_page(session, self.clinic_id, query, self.cipco.clock)

    def _load_actions(self, query: PageQuery) -> Page[ActionRow]:
        query = PageQuery(
            offset=query.offset, limit=query.limit, extra={"for_clinic": self.clinic_id}
        )
        with self.cipco.session() as session:
            return clinic_service.action_page(session, query, self.cipco.clock)

    @work(thread=True, exclusive=True, group="clinic-view", exit_on_error=False)
    def _load_view(self) -> None:
        with self.cipco.session() as session:
            view = clinic_service.clinic_view(session, self.clinic_id)
        self.app.call_from_thread(self._show_view, view)

    def _show_view(self, view: ClinicView) -> None:
        self.view = view
        status = clinic_service.status_label(view.status)
        lock = "  [read-only]" if view.read_only else ""
        head = Text()
        head.append(f"{view.title} · {format_date(view.held_on)}", style="bold")
        head.append(f" · {status}{lock}", style=STATUS_STYLES.get(ClinicStatus(view.status), ""))
        if view.location:
            head.append(f" · {view.location}")
        head.append(
            f"\n{view.items} items ({view.dropped} dropped) · {view.discussed} with notes · "
            f"{view.actions_raised} actions raised here ({view.open_actions} open) · "
            f"next clinic {format_date(view.next_held_on)}"
        )
        if view.started_at:
            head.append(f" · started {format_datetime(view.started_at)}")
        if view.closed_at:
            head.append(f" · closed {format_datetime(view.closed_at)}")
        self.query_one("#clinic-head", Static).update(make_safe(head))
        present = [a for a in view.attendance if a.presence == Presence.PRESENT]
        apologies = [a for a in view.attendance if a.presence == Presence.APOLOGIES]
        line = Text("Present: ", style="bold")
        line.append(", ".join(_who(a) for a in present) or "nobody recorded (press w)")
        if apologies:
            line.append("   Apologies: ", style="bold")
            line.append(", ".join(_who(a) for a in apologies))
        self.query_one("#attendance-line", Static).update(make_safe(line))
        self.sub_title = f"Clinic {format_date(view.held_on)} · {status}"

    def refresh_data(self) -> None:
        """Another process (or a modal) wrote: re-read everything, keeping the cursor."""
        try:
            agenda, actions = self.agenda, self.actions_table
            agenda.table, actions.table  # noqa: B018 - both mounted?
        except NoMatches:  # still composing (or closing): the first load will follow
            return
        self._load_view()
        agenda.reload(keep_cursor=True)
        actions.reload(keep_cursor=True)

    def on_record_table_loaded(self, event: RecordTable.Loaded) -> None:
        if event.table.id == "agenda":
            self._show_current_item()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        parent = event.data_table.parent
        if parent is not None and parent.id == "agenda":
            self._show_current_item()

    def _show_current_item(self) -> None:
        try:
            self._show_item(self.agenda.current_row)
        except NoMatches:  # the screen is closing
            return

    def _show_item(self, row: AgendaRow | None) -> None:
        text = Text()
        if row is None:
            text.append("No item selected.", style="italic")
        else:
            text.append(f"{row.number}. {row.section}\n", style="bold")
            text.append(row.title + "\n")
            if row.detail:
                text.append(row.detail + "\n", style="italic")
            now = item_now(row)
            if now:
                text.append(f"Now: {now}\n")
            if row.due_label:
                text.append(f"Next due: {row.due_label}\n")
            if row.dropped:
                text.append(f"Dropped: {row.drop_reason}\n", style="red")
            text.append("\nNotes: ", style="bold")
            text.append(row.note or "none yet (press d)")
        self.query_one("#item-text", Static).update(make_safe(text))

    # ------------------------------------------------------------ helpers

    def _item(self) -> AgendaRow | None:
        row = self.agenda.current_row
        if row is None:
            self.notify("No agenda item selected", severity="warning")
        return row

    def _writable(self) -> bool:
        if self.view is not None and self.view.read_only:
            self.notify(
                f"The clinic of {format_date(self.view.held_on)} is closed and read-only",
                severity="warning",
                markup=False,
            )
            return False
        return True

    def _saved(self, message: str | None = None) -> None:
        if message:
            self.notify(message, markup=False)
        self.refresh_data()

    def _failed(self, message: str) -> None:
        self.notify(message, title="Not saved", severity="error", markup=False, timeout=8)
        self.refresh_data()

    @work(thread=True, group="clinic-write", exit_on_error=False)
    def _write(self, fn: Any, message: str | None = None) -> None:
        """Run one service call in its own transaction; report the outcome."""
        try:
            with self.cipco.session() as session:
                fn(session)
        except ClinicError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        self.app.call_from_thread(self._saved, message)

    # ------------------------------------------------------------ navigation

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_step(self, delta: int) -> None:
        table = self.agenda.table
        if table.row_count:
            table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))
        self.agenda.focus()

    # ------------------------------------------------------------ agenda items

    def action_note(self) -> None:
        row = self._item()
        if row is None or not self._writable():
            return
        from cipco.screens.modals import TextPromptScreen

        def save(note: str | None) -> None:
            if note is None:
                return
            self._write(
                lambda s: clinic_service.set_note(
                    session=s,
                    item_id=row.id,
                    note=note,
                    clock=self.cipco.clock,
                    expected_version=row.version,
                ),
                "Note saved",
            )

        self.app.push_screen(
            TextPromptScreen(
                f"Discussion note for item {row.number}: {row.title}",
                placeholder="What was decided",
                required=False,
                value=row.note,
            ),
            save,
        )

    def action_add_item(self) -> None:
        if not self._writable():
            return
        from cipco.screens.modals import TextPromptScreen

        def save(title: str | None) -> None:
            if not title:
                return
            self._write(
                lambda s: clinic_service.add_item(
                    session=s,
                    clinic_id=self.clinic_id,
                    data=clinic_service.validate(AgendaItemCreate, {"title": title}),
                    clock=self.cipco.clock,
                ),
                "Item added at the end of the agenda",
            )

        self.app.push_screen(
            TextPromptScreen("New agenda item", placeholder="e.g. Drone sightings on B wing"), save
        )

    def action_drop_item(self) -> None:
        row = self._item()
        if row is None or not self._writable():
            return
        if row.dropped:
            self.notify("Already dropped; press u to restore it", severity="warning")
            return
        from cipco.screens.modals import TextPromptScreen

        def save(reason: str | None) -> None:
            if not reason:
                return
            self._write(
                lambda s: clinic_service.drop_item(
                    session=s,
                    item_id=row.id,
                    reason=reason,
                    clock=self.cipco.clock,
                    expected_version=row.version,
                ),
                "Item dropped",
            )

        self.app.push_screen(
            TextPromptScreen(f"Drop item {row.number}: {row.title}? Give the reason"), save
        )

    def action_restore_item(self) -> None:
        row = self._item()
        if row is None or not self._writable() or not row.dropped:
            return
        self._write(
            lambda s: clinic_service.restore_item(
                session=s, item_id=row.id, clock=self.cipco.clock
            ),
            "Item restored",
        )

    def action_move_item(self, delta: int) -> None:
        row = self._item()
        if row is None or not self._writable():
            return
        self._write(
            lambda s: clinic_service.move_item(
                session=s, item_id=row.id, delta=delta, clock=self.cipco.clock
            )
        )
        table = self.agenda.table
        self.call_after_refresh(
            lambda: table.move_cursor(
                row=max(0, min(table.row_count - 1, table.cursor_row + delta))
            )
        )

    def action_regenerate(self) -> None:
        if not self._writable():
            return
        from cipco.screens.modals import ConfirmScreen

        def answer(yes: bool | None) -> None:
            if yes:
                self._write(
                    lambda s: clinic_service.generate_agenda(
                        session=s, clinic_id=self.clinic_id, clock=self.cipco.clock
                    ),
                    "Agenda regenerated from the tracker",
                )

        self.app.push_screen(
            ConfirmScreen(
                "Rebuild the generated agenda lines from the tracker? Free items, dropped "
                "items and items with notes are kept."
            ),
            answer,
        )

    # ------------------------------------------------------------ referrals, in place

    def _referral_item(self) -> AgendaRow | None:
        row = self._item()
        if row is None:
            return None
        if row.referral_id is None:
            self.notify("This item is not about a referral", severity="warning")
            return None
        return row

    def action_edit_referral(self) -> None:
        row = self._referral_item()
        if row is None:
            return
        from cipco.screens.referral_form import ReferralForm

        self.app.push_screen(ReferralForm(row.referral_id), lambda _r: self.refresh_data())

    def action_move_referral(self) -> None:
        row = self._referral_item()
        if row is None:
            return
        from cipco.screens.referral_form import MoveStatusScreen

        assert row.referral_id is not None
        self.app.push_screen(MoveStatusScreen(row.referral_id), lambda _r: self.refresh_data())

    # ------------------------------------------------------------ actions

    def _focused_action(self) -> tuple[int, int, str] | None:
        """The action under the cursor: in the actions table if focused, else the item's."""
        if self.actions_table.table.has_focus:
            action = self.actions_table.current_row
            if action is not None:
                return action.id, action.version, action.text
        row = self.agenda.current_row
        if row is not None and row.action_id is not None:
            return row.action_id, -1, row.title
        self.notify(
            "Choose an action: tab to the actions list, or select a carried action item",
            severity="warning",
        )
        return None

    def action_add_action(self) -> None:
        if not self._writable():
            return
        row = self.agenda.current_row
        reference = row.referral_reference if row is not None else None
        self.app.push_screen(
            ActionForm(self.clinic_id, reference or ""), lambda saved: self._after_action(saved)
        )

    def _after_action(self, saved: bool | None) -> None:
        if saved:
            self.refresh_data()

    def action_complete_action(self) -> None:
        found = self._focused_action()
        if found is None:
            return
        action_id, version, text = found
        self._write(
            lambda s: clinic_service.complete_action(
                session=s,
                action_id=action_id,
                clock=self.cipco.clock,
                expected_version=None if version < 0 else version,
            ),
            f"Action done: {text}",
        )

    def action_drop_action(self) -> None:
        found = self._focused_action()
        if found is None:
            return
        action_id, version, text = found
        from cipco.screens.modals import TextPromptScreen

        def save(reason: str | None) -> None:
            if not reason:
                return
            self._write(
                lambda s: clinic_service.drop_action(
                    session=s,
                    action_id=action_id,
                    reason=reason,
                    clock=self.cipco.clock,
                    expected_version=None if version < 0 else version,
                ),
                f"Action dropped: {text}",
            )

        self.app.push_screen(TextPromptScreen(f"Drop the action '{text}'? Give the reason"), save)

    # ------------------------------------------------------------ clinic

    def action_attendance(self) -> None:
        self.app.push_screen(AttendanceScreen(self.clinic_id), lambda _r: self.refresh_data())

    def action_status(self) -> None:
        if self.view is None or not self._writable():
            return
        view = self.view
        self.app.push_screen(
            ClinicStatusScreen(view.held_on, view.status, view.allowed_moves),
            lambda target: self._move_to(target, view.version),
        )

    def _move_to(self, target: str | None, version: int) -> None:
        if not target:
            return
        self._write(
            lambda s: clinic_service.move_clinic(
                session=s,
                clinic_id=self.clinic_id,
                to_status=target,
                clock=self.cipco.clock,
                expected_version=version,
            ),
            f"Clinic now {clinic_service.status_label(target)}",
        )

    def action_export(self) -> None:
        export_clinic(self, self.clinic_id)


def _who(a: AttendeeRow) -> str:
    return f"{a.name} ({a.organisation})" if a.organisation else a.name


# ---------------------------------------------------------------- modals


class ClinicStatusScreen(ReportsWorkerErrors, ModalScreen[str | None]):
    """Choose the clinic's next status; closing asks first (it becomes read-only)."""

    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, held_on: Any, status: str, moves: tuple[ClinicStatus, ...]) -> None:
        super().__init__()
        self.held_on = held_on
        self.status = status
        self.moves = moves
        self.confirming = False

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static(
                Text(
                    f"Clinic of {format_date(self.held_on)} is "
                    f"{clinic_service.status_label(self.status)}. Move it to:"
                ),
                id="status-question",
            )
            with Horizontal(classes="buttons"):
                for move in self.moves:
                    yield Button(
                        clinic_service.status_label(move),
                        id=f"to-{move.value}",
                        variant="error" if move == ClinicStatus.CLOSED else "primary",
                    )
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query(Button).first().focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        if button_id == "cancel":
            self.dismiss(None)
            return
        target = button_id.removeprefix("to-")
        if target == ClinicStatus.CLOSED and not self.confirming:
            self.confirming = True
            self.query_one("#status-question", Static).update(
                Text(
                    "Close the clinic? Its agenda, notes and attendance become read-only. "
                    "Open actions stay open. Press Closed again to confirm."
                )
            )
            return
        self.dismiss(target)

    def action_cancel(self) -> None:
        self.dismiss(None)


class ActionForm(ReportsWorkerErrors, ModalScreen[bool]):
    """Add an action: text, owner (person and organisation), due date, linked referral."""

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]
    FIELDS = ("text", "owner_name", "owner_org", "due_on", "referral")

    def __init__(self, clinic_id: int, reference: str = "") -> None:
        super().__init__()
        self.clinic_id = clinic_id
        self.reference = reference

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("New action", classes="form-title")
            yield from field_row("Action", Input(id="text"), "text")
            yield from field_row("Owner (person)", Input(id="owner_name"), "owner_name")
            yield from field_row(
                "Organisation", Input(placeholder="Police, Security…", id="owner_org"), "owner_org"
            )
            yield from field_row("Due (dd/mm/yyyy)", Input(id="due_on"), "due_on")
            yield from field_row(
                "Referral",
                Input(value=self.reference, placeholder="REF-…", id="referral"),
                "referral",
            )
            yield Static("", classes="error", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_mount(self) -> None:
        self.query_one("#text", Input).focus()

    def _value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value

    def action_save(self) -> None:
        due_text = self._value("due_on").strip()
        try:
            due = parse_uk_date(due_text) if due_text else None
        except ValueError as exc:
            self._errors({"due_on": str(exc)})
            return
        values = {
            "text": self._value("text"),
            "owner_name": self._value("owner_name"),
            "owner_org": self._value("owner_org"),
            "due_on": due,
        }
        self._save(values, self._value("referral"))

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self, values: dict[str, Any], reference: str) -> None:
        try:
            with self.cipco.session() as session:
                values["referral_id"] = clinic_service.referral_id_for(session, reference)
                data = clinic_service.validate(ClinicActionCreate, values)
                clinic_service.add_action(
                    session=session, clinic_id=self.clinic_id, data=data, clock=self.cipco.clock
                )
        except ClinicError as exc:
            self.app.call_from_thread(self._errors, exc.problems or {"form": str(exc)})
            return
        self.app.call_from_thread(self._done)

    def _errors(self, errors: dict[str, str]) -> None:
        show_errors(self, errors, self.FIELDS)
        summary = "; ".join(errors.values())
        self.query_one("#form-error", Static).update(Text(f"Not saved: {summary}"))

    def _done(self) -> None:
        self.notify("Action added", markup=False)
        self.dismiss(True)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class AttendanceScreen(ReportsWorkerErrors, ModalScreen[bool]):
    """Who attended and who sent apologies. Changes save at once."""

    BINDINGS = [
        Binding("escape", "close", "Close"),
        Binding("ctrl+s,f2", "add", "Add", priority=True),
        Binding("p", "toggle", "Present/apologies"),
        Binding("delete", "remove", "Remove"),
    ]
    DEFAULT_CSS = """
    AttendanceScreen .dialog { width: 100; }
    AttendanceScreen DataTable { height: 12; }
    """

    def __init__(self, clinic_id: int) -> None:
        super().__init__()
        self.clinic_id = clinic_id
        self.rows: list[AttendeeRow] = []

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Attendance", classes="form-title")
            yield DataTable(cursor_type="row", id="attendees")
            yield from field_row("Name", Input(id="name"), "name")
            yield from field_row("Role", Input(id="role"), "role")
            yield from field_row("Organisation", Input(id="organisation"), "organisation")
            yield Checkbox("Sent apologies", id="apologies")
            yield Static("", classes="error", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Add (ctrl+s)", variant="primary", id="add")
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        for label in ("Name", "Role", "Organisation", "Attendance"):
            table.add_column(label)
        self.query_one("#name", Input).focus()
        self._load()

    @work(thread=True, exclusive=True, group="attendance", exit_on_error=False)
    def _load(self) -> None:
        with self.cipco.session() as session:
            rows = clinic_service.attendance_rows(session, self.clinic_id)
        self.app.call_from_thread(self._fill, rows)

    def _fill(self, rows: list[AttendeeRow]) -> None:
        self.rows = rows
        table = self.query_one(DataTable)
        cursor = table.cursor_row
        table.clear()
        for a in rows:
            presence = "Present" if a.presence == Presence.PRESENT else "Apologies"
            table.add_row(*map(literal, (a.name, a.role, a.organisation, presence)))
        if rows:
            table.move_cursor(row=min(cursor, len(rows) - 1))

    def refresh_data(self) -> None:
        self._load()

    def action_add(self) -> None:
        values = {
            "name": self.query_one("#name", Input).value,
            "role": self.query_one("#role", Input).value,
            "organisation": self.query_one("#organisation", Input).value,
            "presence": Presence.APOLOGIES
            if self.query_one("#apologies", Checkbox).value
            else Presence.PRESENT,
        }
        self._add(values)

    @work(thread=True, exclusive=True, group="attendance-write", exit_on_error=False)
    def _add(self, values: dict[str, Any]) -> None:
        try:
            with self.cipco.session() as session:
                clinic_service.add_attendee(
                    session=session,
                    clinic_id=self.clinic_id,
                    data=clinic_service.validate(AttendanceCreate, values),
                    clock=self.cipco.clock,
                )
        except ClinicError as exc:
            self.app.call_from_thread(self._error, exc.field or "form", str(exc))
            return
        self.app.call_from_thread(self._added)

    def _added(self) -> None:
        for name in ("name", "role", "organisation"):
            self.query_one(f"#{name}", Input).value = ""
        self.query_one("#apologies", Checkbox).value = False
        self.query_one("#form-error", Static).update("")
        show_errors(self, {}, ("name", "role", "organisation"))
        self.query_one("#name", Input).focus()
        self._load()

    def _error(self, field: str, message: str) -> None:
        show_errors(self, {field: message}, ("name", "role", "organisation"))
        self.query_one("#form-error", Static).update(Text(f"Not saved: {message}"))

    def _current(self) -> AttendeeRow | None:
        table = self.query_one(DataTable)
        if not self.rows or table.cursor_row >= len(self.rows):
            self.notify("Nobody selected", severity="warning")
            return None
        return self.rows[table.cursor_row]

    def action_toggle(self) -> None:
        if isinstance(self.focused, Input):
            return
        row = self._current()
        if row is None:
            return
        target = Presence.APOLOGIES if row.presence == Presence.PRESENT else Presence.PRESENT
        self._change(
            lambda s: clinic_service.set_presence(
                session=s, attendee_id=row.id, presence=target, clock=self.cipco.clock
            )
        )

    def action_remove(self) -> None:
        if isinstance(self.focused, Input):
            return
        row = self._current()
        if row is None:
            return
        from cipco.screens.modals import ConfirmScreen

        def answer(yes: bool | None) -> None:
            if yes:
                self._change(
                    lambda s: clinic_service.remove_attendee(
                        session=s, attendee_id=row.id, clock=self.cipco.clock
                    )
                )

        self.app.push_screen(
            ConfirmScreen(f"Remove {row.name} from the attendance?", danger=True), answer
        )

    @work(thread=True, group="attendance-write", exit_on_error=False)
    def _change(self, fn: Any) -> None:
        try:
            with self.cipco.session() as session:
                fn(session)
        except ClinicError as exc:
            self.app.call_from_thread(self._error, "form", str(exc))
            return
        self.app.call_from_thread(self._load)

    @on(Button.Pressed, "#add")
    def _add_pressed(self) -> None:
        self.action_add()

    @on(Button.Pressed, "#close")
    def action_close(self) -> None:
        self.dismiss(True)
