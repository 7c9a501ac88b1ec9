"""The clinic page the coordinator runs a crime clinic from: the agenda, the highlighted item,
the actions raised or carried, the attendance.

Every change saves at once through the clinic services (no "save minutes" step), and the
page re-reads itself when another window writes, so a projector running a second cipco
follows the coordinator's edits. Keys act on the highlighted agenda item, or on the
highlighted action when the actions list has the focus (``[``/``]`` move between them).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.css.query import NoMatches
from textual.widgets import DataTable, Static

from cipco.clock import format_date, format_datetime
from cipco.models.clinic import ClinicStatus, Presence
from cipco.screens import keymap
from cipco.screens.base import Works
from cipco.screens.cells import assembled, severity_style, when
from cipco.screens.clinics import STATUS_STYLES
from cipco.screens.log_screen import ListView
from cipco.screens.record_form import Saved
from cipco.screens.record_page import RecordPage
from cipco.services import clinic as clinic_service
from cipco.services.clinic import ActionRow, AgendaRow, AttendeeRow, ClinicView
from cipco.services.clinic.queries import AGENDA_SPEC
from cipco.services.flags import Severity
from cipco.services.paging import Page, PageQuery
from cipco.widgets.record_table import RecordTable


def agenda_style(row: AgendaRow) -> str:
    if row.dropped:
        return "dim strike"
    if row.settled:
        return "dim"
    return "" if row.severity == Severity.DONE else severity_style(row.severity)


AGENDA = ListView(
    AGENDA_SPEC,
    keep={"number": 1, "title": 1, "now": 2, "section": 3, "note": 4},
    widths={"title": 26, "now": 14, "section": 12, "note": 14},
    style=agenda_style,
)
ACTIONS = ListView(
    "actions",
    keep={"text": 1, "status": 1, "owner": 2, "due_on": 3, "id": 4},
    widths={"text": 14, "owner": 10, "status": 10},
    style=lambda row: "dim" if not row.open else ("bold red" if row.overdue else ""),
)


def item_text(row: AgendaRow | None) -> Text:
    if row is None:
        return Text("No item highlighted.", style="italic")
    return assembled(
        (f"{row.number}. {row.section}\n", "bold"),
        (row.title + "\n", ""),
        (when(row.detail, row.detail + "\n"), "italic"),
        (when(row.now_text, f"Now: {row.now_text}\n"), ""),
        (when(row.due_label, f"Next due: {row.due_label}\n"), ""),
        (when(row.dropped, f"Dropped: {row.drop_reason}\n"), "red"),
        ("\nNotes: ", "bold"),
        (row.note or "none yet (press e)", ""),
    )


def _who(a: AttendeeRow) -> str:
    return f"{a.name} ({a.organisation})" if a.organisation else a.name


def head_text(view: ClinicView) -> Text:
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
    return head


def attendance_text(view: ClinicView) -> Text:
    present = [a for a in view.attendance if a.presence == Presence.PRESENT]
    apologies = [a for a in view.attendance if a.presence == Presence.APOLOGIES]
    line = Text("Present: ", style="bold")
    line.append(", ".join(_who(a) for a in present) or "nobody recorded (press w)")
    if apologies:
        line.append("   Apologies: ", style="bold")
        line.append(", ".join(_who(a) for a in apologies))
    return line


def export_clinic(screen: Works, clinic_id: int) -> None:
    """The clinic's agenda and minutes: a workbook, and Markdown for e-mail."""
    from cipco.spreadsheets import clinic_export
    from cipco.spreadsheets.exporting import default_target

    app = screen.cipco

    def job() -> str:
        with app.reading() as session:
            name = f"clinic-{clinic_service.clinic_view(session, clinic_id).held_on:%Y-%m-%d}"
        xlsx, _counts = clinic_export.write_clinic_workbook(
            app.engine,
            clinic_id,
            default_target(name, app.clock),
            app.clock,
            generated_by=app.actor,
        )
        md = clinic_export.write_clinic_markdown(
            app.engine,
            clinic_id,
            default_target(name, app.clock, ".md"),
            app.clock,
            generated_by=app.actor,
        )
        return f"Agenda and minutes written to {xlsx} and {md}"

    screen.export(job)


@dataclass(frozen=True)
class Drawn:
    view: ClinicView
    head: Text
    attendance: Text


class ClinicScreen(RecordPage):
    """Run a clinic: step through the agenda, note, act on referrals in place, add actions."""

    WHERE = "Crime clinic"
    DEFAULT_CSS = """
    ClinicScreen #clinic-head { height: auto; padding: 0 1; background: $boost; }
    ClinicScreen #clinic-body { height: 1fr; }
    ClinicScreen #agenda { width: 1fr; }
    ClinicScreen #side { width: 42%; }
    ClinicScreen #item-detail { height: 1fr; border: round $primary-darken-2; padding: 0 1; }
    ClinicScreen #clinic-actions { height: 1fr; }
    ClinicScreen #attendance-line { height: auto; max-height: 2; padding: 0 1; }
    """
    BINDINGS = keymap.bindings(
        "edit",
        "move",
        "referral",
        "add",
        "done",
        "remove",
        "reopen",
        "new",
        "attendance",
        "clinic_status",
        "regenerate",
        "move_up",
        "move_down",
        "export",
    )

    def __init__(self, clinic_id: int | None, *, action_id: int | None = None) -> None:
        super().__init__()
        self.clinic_id = clinic_id
        self.action_id = action_id  # opened from an action: its clinic is found on loading
        self.view: ClinicView | None = None
        self._select_in: RecordTable | None = None  # where a form's saved record is shown

    def open_form_for(self, form: Any, table: RecordTable | None) -> None:
        """A form whose saved record the given table highlights when it closes."""
        self._select_in = table
        self.open_form(form)

    def after_form(self, result: Any) -> None:
        super().after_form(result)
        table, self._select_in = self._select_in, None
        if table is not None and isinstance(result, Saved) and isinstance(result.key, int):
            table.reload(select=result.key)

    def compose_body(self) -> ComposeResult:
        yield Static("Loading the clinic…", id="clinic-head")
        with Horizontal(id="clinic-body"):
            yield AGENDA.table(
                self._load_agenda, "The agenda is empty. Press n to add an item.", id="agenda"
            )
            with Vertical(id="side"):
                with VerticalScroll(id="item-detail"):
                    yield Static("", id="item-text")
                yield ACTIONS.table(
                    self._load_actions, "No actions yet. Press a to add one.", id="clinic-actions"
                )
        yield Static("", id="attendance-line")

    def on_mount(self) -> None:
        self.agenda.focus()

    @property
    def agenda(self) -> RecordTable:
        return self.query_one("#agenda", RecordTable)

    @property
    def actions_table(self) -> RecordTable:
        return self.query_one("#clinic-actions", RecordTable)

    # ------------------------------------------------------------ data

    def _load_agenda(self, query: PageQuery) -> Page[AgendaRow]:
        if self.clinic_id is None:
            return Page([], 0, 0)
        with self.cipco.reading() as session:
            return clinic_service.agenda_page(session, self.clinic_id, query, self.cipco.clock)

    def _load_actions(self, query: PageQuery) -> Page[ActionRow]:
        if self.clinic_id is None:
            return Page([], 0, 0)
        query = PageQuery(
            offset=query.offset, limit=query.limit, extra={"for_clinic": self.clinic_id}
        )
        with self.cipco.reading() as session:
            return clinic_service.action_page(session, query, self.cipco.clock)

    def load(self, session: Session) -> Drawn:
        clinic_id = self.clinic_id
        if clinic_id is None:
            assert self.action_id is not None
            clinic_id = clinic_service.clinic_of_action(session, self.action_id)
        view = clinic_service.clinic_view(session, clinic_id)
        return Drawn(view, head_text(view), attendance_text(view))

    def show(self, drawn: Drawn) -> None:
        first = self.clinic_id is None
        self.view = drawn.view
        self.clinic_id = drawn.view.id
        self.set_where(f"Crime clinic {format_date(drawn.view.held_on)}")
        self.put("#clinic-head", drawn.head)
        self.put("#attendance-line", drawn.attendance)
        if first:
            self.agenda.reload()
            self.actions_table.reload()

    def refresh_data(self) -> None:
        """Another window (or a form) wrote: re-read everything, keeping the highlights."""
        super().refresh_data()
        try:
            agenda, actions = self.agenda, self.actions_table
        except NoMatches:  # still composing: the first load follows
            return
        if agenda.first_pages_shown:
            agenda.reload(keep_cursor=True)
        if actions.first_pages_shown:
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
            self.put("#item-text", item_text(self.agenda.current_row))
        except NoMatches:  # the screen is closing
            return

    # ------------------------------------------------------------ helpers

    def _item(self) -> AgendaRow | None:
        row = self.agenda.current_row
        if row is None:
            self.notify("No agenda item highlighted", severity="warning")
        return row

    def _writable(self) -> bool:
        if self.view is not None and self.view.read_only:
            self.notify(
                f"The clinic of {format_date(self.view.held_on)} is closed and read-only",
                severity="warning",
                markup=False,
            )
            return False
        return self.clinic_id is not None

    def _on_actions(self) -> bool:
        return self.actions_table.table.has_focus

    def _change(self, job: Callable[[Session], Any], message: str) -> None:
        """One service call in its own transaction; say so, and re-read."""

        def run(session: Session) -> str:
            job(session)
            return message

        self.write(run)

    def _ask_reason(self, question: str, then: Callable[[str], None]) -> None:
        from cipco.screens.modals import TextPromptScreen

        self.app.push_screen(
            TextPromptScreen(question), lambda reason: then(reason) if reason else None
        )

    # ------------------------------------------------------------ moving about

    def _step_tab(self, _step: int) -> None:
        """``[``/``]``: between the agenda and the actions list."""
        (self.agenda if self._on_actions() else self.actions_table).focus()

    # ------------------------------------------------------------ the agenda

    def action_edit(self) -> None:
        from cipco.screens.clinic_forms import note_form

        row = self._item()
        if row is not None and self._writable() and self.clinic_id is not None:
            form = note_form(self.clinic_id, row.id, f"{row.number}. {row.title}")
            self.open_form_for(form, self.agenda)

    def action_new(self) -> None:
        from cipco.screens.clinic_forms import item_form

        if self._writable() and self.clinic_id is not None:
            self.open_form_for(item_form(self.clinic_id), self.agenda)

    def action_remove(self) -> None:
        if not self._writable():
            return
        if self._on_actions():
            self._action("drop")
            return
        row = self._item()
        if row is None:
            return
        if row.dropped:
            self.notify("Already dropped; press u to restore it", severity="warning")
            return
        clock = self.cipco.clock
        self._ask_reason(
            f"Drop item {row.number}: {row.title}? Give the reason",
            lambda reason: self._change(
                lambda s: clinic_service.drop_item(
                    session=s,
                    item_id=row.id,
                    reason=reason,
                    clock=clock,
                    expected_version=row.version,
                ),
                "Item dropped",
            ),
        )

    def action_reopen(self) -> None:
        if not self._writable():
            return
        if self._on_actions():
            self._action("reopen")
            return
        row = self._item()
        if row is None or not row.dropped:
            return
        clock = self.cipco.clock
        self._change(
            lambda s: clinic_service.restore_item(session=s, item_id=row.id, clock=clock),
            "Item restored",
        )

    def _move_item(self, delta: int) -> None:
        row = self._item()
        if row is None or not self._writable():
            return
        clock = self.cipco.clock
        self._change(
            lambda s: clinic_service.move_item(session=s, item_id=row.id, delta=delta, clock=clock),
            f"Item {row.number} moved {'up' if delta < 0 else 'down'}",
        )
        table = self.agenda.table
        table.move_cursor(row=max(0, min(table.row_count - 1, table.cursor_row + delta)))

    def action_move_up(self) -> None:
        self._move_item(-1)

    def action_move_down(self) -> None:
        self._move_item(1)

    def action_regenerate(self) -> None:
        from cipco.screens.modals import ConfirmScreen

        if not self._writable() or self.clinic_id is None:
            return
        clinic_id, clock = self.clinic_id, self.cipco.clock

        def answer(yes: bool | None) -> None:
            if yes:
                self._change(
                    lambda s: clinic_service.generate_agenda(
                        session=s, clinic_id=clinic_id, clock=clock
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
        if row is not None and row.referral_id is None:
            self.notify("This item is not about a referral", severity="warning")
            return None
        return row

    def action_move(self) -> None:
        from cipco.screens.referral_forms import move_form

        row = self._referral_item()
        if row is not None and row.referral_id is not None:
            self.open_form(move_form(row.referral_id))

    def action_referral(self) -> None:
        row = self._referral_item()
        if row is not None and row.referral_id is not None:
            self.cipco.open_referral(row.referral_id)

    # ------------------------------------------------------------ actions

    def _focused_action(self) -> tuple[int, int | None, str] | None:
        """The action under the cursor: in the actions list if focused, else the item's."""
        if self._on_actions():
            action = self.actions_table.current_row
            if action is not None:
                return action.id, action.version, action.text
        row = self.agenda.current_row
        if row is not None and row.action_id is not None:
            return row.action_id, None, row.title
        self.notify(
            "Highlight an action: ] to the actions list, or a carried action item",
            severity="warning",
        )
        return None

    def action_add(self) -> None:
        from cipco.screens.clinic_forms import action_form

        if not self._writable() or self.clinic_id is None:
            return
        row = self.agenda.current_row
        reference = row.referral_reference if row is not None else None
        self.open_form_for(action_form(self.clinic_id, reference or ""), self.actions_table)

    def _action(self, what: str) -> None:
        from cipco.screens.clinic_forms import change_action, drop_action

        found = self._focused_action()
        if found is None:
            return
        if what == "drop":
            drop_action(self, *found)
        else:
            change_action(self, *found, what)

    def action_done(self) -> None:
        self._action("complete")

    # ------------------------------------------------------------ the clinic

    def action_attendance(self) -> None:
        from cipco.screens.clinic_forms import AttendanceScreen

        if self.clinic_id is not None:
            self.app.push_screen(AttendanceScreen(self.clinic_id))

    def action_clinic_status(self) -> None:
        from cipco.screens.modals import ChoiceScreen

        if self.view is None or not self._writable():
            return
        view = self.view
        choices = [(clinic_service.status_label(m), m.value) for m in view.allowed_moves]
        if not choices:
            self.notify("This clinic cannot move on", severity="warning")
            return
        self.app.push_screen(
            ChoiceScreen(
                f"Clinic of {format_date(view.held_on)} is "
                f"{clinic_service.status_label(view.status)}. Move it to:",
                choices,
            ),
            lambda target: self._confirm_move(target, view) if target else None,
        )

    def _confirm_move(self, target: str, view: ClinicView) -> None:
        from cipco.screens.modals import ConfirmScreen

        if target != ClinicStatus.CLOSED:
            self._move_clinic(target, view)
            return
        self.app.push_screen(
            ConfirmScreen(
                "Close the clinic? Its agenda, notes and attendance become read-only. "
                "Open actions stay open.",
                confirm_label="Close it",
                danger=True,
            ),
            lambda yes: self._move_clinic(target, view) if yes else None,
        )

    def _move_clinic(self, target: str, view: ClinicView) -> None:
        clock = self.cipco.clock
        self._change(
            lambda s: clinic_service.move_clinic(
                session=s,
                clinic_id=view.id,
                to_status=target,
                clock=clock,
                expected_version=view.version,
            ),
            f"Clinic now {clinic_service.status_label(target)}",
        )

    def action_export(self) -> None:
        if self.clinic_id is not None:
            export_clinic(self, self.clinic_id)
