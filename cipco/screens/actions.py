"""The crime clinic action log: every action across clinics, filtered by owner/open/overdue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Input, Static

from cipco.clock import format_date, format_datetime
from cipco.models.clinic import ActionStatus
from cipco.screens.log_screen import FILTER_DEBOUNCE_SECONDS, LogScreen
from cipco.services import clinic as clinic_service
from cipco.services.clinic import ACTION_QUEUES, ActionRow, ClinicError
from cipco.services.paging import Page, PageQuery
from cipco.widgets.record_table import RecordTable, TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp

COLUMNS = [
    TableColumn("id", "No.", 5, sortable=False),
    TableColumn("text", "Action", 40),
    TableColumn("owner", "Owner", 20),
    TableColumn("org", "Organisation", 14, sortable=False),
    TableColumn("due_on", "Due", 11),
    TableColumn("status", "Status", 16),
    TableColumn("referral", "Referral", 15, sortable=False),
    TableColumn("clinic", "Raised at", 11),
    TableColumn("closed", "Done/dropped", 24, sortable=False),
]
QUEUE_ORDER = ["all", *ACTION_QUEUES]


def action_cells(row: ActionRow) -> list[Text]:
    if row.status != ActionStatus.OPEN:
        style = "dim"
    elif row.overdue:
        style = "bold red"
    else:
        style = ""
    status = row.status + (" ! overdue" if row.overdue else "")
    closed_at = row.done_at or row.dropped_at
    closed = format_datetime(closed_at) if closed_at else ""
    if row.status_reason:
        closed = f"{closed} {row.status_reason}".strip()
    values = [
        str(row.id),
        row.text,
        row.owner_name,
        row.owner_org,
        format_date(row.due_on),
        status,
        row.referral_reference or "",
        format_date(row.clinic_held_on),
        closed,
    ]
    return [Text(v, style=style, overflow="ellipsis", no_wrap=True) for v in values]


class ActionsScreen(LogScreen):
    """All clinic actions. ``c`` done, ``delete`` drop with a reason, ``r`` reopen, ``o`` owner."""

    DEFAULT_CSS = """
    ActionsScreen #owner { display: none; margin: 0 1; }
    ActionsScreen #owner.-visible { display: block; }
    """

    BINDINGS = [
        Binding("o", "owner", "Owner"),
        Binding("c", "complete", "Done"),
        Binding("delete", "drop", "Drop", key_display="del"),
        Binding("r", "reopen", "Reopen"),
    ]
    QUEUE_ORDER = QUEUE_ORDER
    QUEUE_LABELS = {"all": "All", **ACTION_QUEUES}
    FILTER_PLACEHOLDER = "Filter: action text, owner, organisation, referral"

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield self.queue_tabs()
        yield self.filter_box()
        yield Input(placeholder="Owner: name or organisation", id="owner")
        yield RecordTable(
            COLUMNS,
            load_page=self._load_page,
            row_cells=action_cells,
            row_key=lambda row: row.id,
            noun="actions",
            empty_message="No actions match. Actions are added in a clinic (2, then a).",
            id="actions",
        )
        yield Static("", classes="status-line", id="actions-status")
        yield Footer()

    def on_mount(self) -> None:
        self.records.focus()

    def _load_page(self, query: PageQuery) -> Page[ActionRow]:
        with self.cipco.session() as session:
            page = clinic_service.action_page(session, query, self.cipco.clock)
            if query.offset == 0:
                counts = clinic_service.action_counts(
                    session, self.cipco.clock, query.extra.get("owner", "")
                )
                self.app.call_from_thread(self._show_counts, counts, query, page.total)
        return page

    def _show_counts(self, counts: dict[str, int], query: PageQuery, shown: int) -> None:
        self.show_queue_counts(counts)
        owner = query.extra.get("owner") or ""
        text = f"{shown:,} shown · {counts.get('open', 0):,} open, "
        text += f"{counts.get('overdue', 0):,} overdue"
        if owner:
            text += f" · owner contains '{owner}'"
        self.query_one("#actions-status", Static).update(Text(text))

    # ------------------------------------------------------------ filters

    def action_owner(self) -> None:
        box = self.query_one("#owner", Input)
        box.add_class("-visible")
        box.focus()

    @on(Input.Changed, "#owner")
    def _owner_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        owner = event.value
        self._debounce = self.set_timer(
            FILTER_DEBOUNCE_SECONDS, lambda: self.records.set_query(extra={"owner": owner})
        )

    @on(Input.Submitted, "#owner")
    def _owner_submitted(self) -> None:
        self.records.focus()

    def action_clear_filter(self) -> None:
        for name in ("filter", "owner"):
            box = self.query_one(f"#{name}", Input)
            box.value = ""
            box.remove_class("-visible")
        self.records.set_query(text="", extra={})
        self.records.focus()

    # ------------------------------------------------------------ changes

    def _current(self) -> ActionRow | None:
        row = self.records.current_row
        if row is None:
            self.notify("No action selected", severity="warning")
        return row

    @work(thread=True, group="action-write", exit_on_error=False)
    def _write(self, fn: Any, message: str) -> None:
        try:
            with self.cipco.session() as session:
                fn(session)
        except ClinicError as exc:
            self.app.call_from_thread(
                self.notify, str(exc), title="Not saved", severity="error", markup=False
            )
            self.app.call_from_thread(self.refresh_data)
            return
        self.app.call_from_thread(self.notify, message, markup=False)
        self.app.call_from_thread(self.refresh_data)

    def action_complete(self) -> None:
        row = self._current()
        if row is None:
            return
        self._write(
            lambda s: clinic_service.complete_action(
                session=s, action_id=row.id, clock=self.cipco.clock, expected_version=row.version
            ),
            f"Done: {row.text}",
        )

    def action_drop(self) -> None:
        row = self._current()
        if row is None:
            return
        from cipco.screens.modals import TextPromptScreen

        def save(reason: str | None) -> None:
            if reason:
                self._write(
                    lambda s: clinic_service.drop_action(
                        session=s,
                        action_id=row.id,
                        reason=reason,
                        clock=self.cipco.clock,
                        expected_version=row.version,
                    ),
                    f"Dropped: {row.text}",
                )

        self.app.push_screen(TextPromptScreen(f"Drop '{row.text}'? Give the reason"), save)

    def action_reopen(self) -> None:
        row = self._current()
        if row is None or row.status == ActionStatus.OPEN:
            return
        from cipco.screens.modals import ConfirmScreen

        def answer(yes: bool | None) -> None:
            if yes:
                self._write(
                    lambda s: clinic_service.reopen_action(
                        session=s,
                        action_id=row.id,
                        clock=self.cipco.clock,
                        expected_version=row.version,
                    ),
                    f"Reopened: {row.text}",
                )

        self.app.push_screen(ConfirmScreen(f"Reopen '{row.text}'?"), answer)

    @on(RecordTable.Opened, "#actions")
    def _opened(self, event: RecordTable.Opened) -> None:
        row = next((r for r in self.records.rows if r.id == event.key), None)
        if row is not None:
            from cipco.screens.clinics import ClinicScreen

            self.app.push_screen(ClinicScreen(row.clinic_id))
