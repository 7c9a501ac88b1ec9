"""The crime clinic action log: every action across clinics, filtered by owner/open/overdue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static, Tab, Tabs

from cipco.clock import format_date, format_datetime
from cipco.models.clinic import ActionStatus
from cipco.services import clinic as clinic_service
from cipco.services.clinic import ACTION_QUEUES, ActionRow, ClinicError
from cipco.services.paging import Page, PageQuery
from cipco.widgets.errors import ReportsWorkerErrors
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


class ActionsScreen(ReportsWorkerErrors, Screen[None]):
    """All clinic actions. ``c`` done, ``x`` drop with a reason, ``r`` reopen, ``o`` owner."""

    DEFAULT_CSS = """
    ActionsScreen #owner { display: none; margin: 0 1; }
    ActionsScreen #owner.-visible { display: block; }
    """

    BINDINGS = [
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("o", "owner", "Owner"),
        Binding("c", "complete", "Done"),
        Binding("x", "drop", "Drop"),
        Binding("r", "reopen", "Reopen"),
        Binding("right_square_bracket", "next_queue", "Next filter", key_display="]"),
        Binding("left_square_bracket", "previous_queue", "Prev filter", key_display="["),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._debounce: Timer | None = None

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Tabs(*(Tab(self._label(k, None), id=f"a-{k}") for k in QUEUE_ORDER), id="a-tabs")
        yield Input(placeholder="Filter: action text, owner, organisation, referral", id="filter")
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

    @property
    def records(self) -> RecordTable:
        return self.query_one("#actions", RecordTable)

    @staticmethod
    def _label(key: str, count: int | None) -> str:
        name = "All" if key == "all" else ACTION_QUEUES[key]
        return f"{name} ({count:,})" if count is not None else name

    def _load_page(self, query: PageQuery) -> Page[ActionRow]:
        with self.cipco.session() as session:
            page = clinic_service.action_page(session, query, self.cipco.clock)
            if query.offset == 0:
                counts = clinic_service.action_counts(
                    session, self.cipco.clock, query.extra.get("owner", "")
                )
                self.app.call_from_thread(self._show_counts, counts, query)
        return page

    def _show_counts(self, counts: dict[str, int], query: PageQuery) -> None:
        tabs = self.query_one(Tabs)
        for key in QUEUE_ORDER:
            tabs.query_one(f"#a-{key}", Tab).label = self._label(key, counts.get(key))
        owner = query.extra.get("owner") or ""
        text = f"{self.records.total:,} shown · {counts.get('open', 0):,} open, "
        text += f"{counts.get('overdue', 0):,} overdue"
        if owner:
            text += f" · owner contains '{owner}'"
        self.query_one("#actions-status", Static).update(Text(text))

    def refresh_data(self) -> None:
        try:
            self.records.table  # noqa: B018 - mounted?
        except NoMatches:
            return
        self.records.reload(keep_cursor=True)

    # ------------------------------------------------------------ filters

    @on(Tabs.TabActivated, "#a-tabs")
    def _queue_chosen(self, event: Tabs.TabActivated) -> None:
        key = (event.tab.id or "a-all").removeprefix("a-")
        queue = None if key == "all" else key
        if queue != self.records.query_state.queue:
            self.records.set_query(queue=queue)

    def _step(self, step: int) -> None:
        current = self.records.query_state.queue or "all"
        index = (QUEUE_ORDER.index(current) + step) % len(QUEUE_ORDER)
        self.query_one(Tabs).active = f"a-{QUEUE_ORDER[index]}"

    def action_next_queue(self) -> None:
        self._step(1)

    def action_previous_queue(self) -> None:
        self._step(-1)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-visible")
        box.focus()

    def action_owner(self) -> None:
        box = self.query_one("#owner", Input)
        box.add_class("-visible")
        box.focus()

    @on(Input.Changed)
    def _changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        value = event.value
        if event.input.id == "owner":
            self._debounce = self.set_timer(
                0.2, lambda: self.records.set_query(extra={"owner": value})
            )
        else:
            self._debounce = self.set_timer(0.2, lambda: self.records.set_query(text=value))

    @on(Input.Submitted)
    def _submitted(self) -> None:
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
