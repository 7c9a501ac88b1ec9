"""The MG4D issue log: the queue of papers to serve (oldest first) and the whole log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from cipco.clock import format_date, format_datetime
from cipco.screens.log_screen import LogScreen
from cipco.services.flags import Severity
from cipco.services.mg4d import QUEUES, PapersDetail, PapersRow
from cipco.services.paging import Page, PageQuery
from cipco.text import literal, make_safe
from cipco.widgets.errors import ReportsWorkerErrors
from cipco.widgets.record_table import RecordTable, TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp

COLUMNS = [
    TableColumn("received_at", "Received", 16),
    TableColumn("nomis_number", "Prison no", 9),
    TableColumn("prisoner_name", "Prisoner", 15),
    TableColumn("state", "State", 20),
    TableColumn("first_hearing_on", "1st hearing", 11),
    TableColumn("court", "Court", 14),
    TableColumn("charges", "Charges", 18, sortable=False),
    TableColumn("referral", "Referral", 13, sortable=False),
    TableColumn("served_at", "Served", 16),
]
QUEUE_ORDER = ["awaiting", "hearing_soon", "all", "served", "not_served"]
LEGEND = "! first hearing within the warning window and unserved"
ROW_STYLES = {
    Severity.OVERDUE: "bold red",
    Severity.DUE_SOON: "dark_orange",
    Severity.PENDING: "",
    Severity.DONE: "dim",
}


def papers_cells(row: PapersRow) -> list[Text]:
    style = ROW_STYLES[row.severity]
    if row.state == "awaiting":
        state = f"{'! ' if row.hearing_soon else ''}Awaiting ({row.days_waiting}d)"
    else:
        state = row.response_label or row.state_label
    values = [
        format_datetime(row.received_at),
        row.nomis_number,
        row.prisoner_name,
        state,
        format_date(row.first_hearing_on),
        row.court,
        row.charges,
        row.referral_reference,
        format_datetime(row.served_at),
    ]
    return [Text(v, style=style, overflow="ellipsis", no_wrap=True) for v in values]


class Mg4dScreen(LogScreen):
    """Charge papers: queue to serve, the full log, new papers and service."""

    BINDINGS = [
        Binding("n", "new", "New papers"),
        Binding("v", "serve", "Serve"),
        Binding("p", "person", "Prisoner"),
        Binding("f", "referral", "Referral"),
        Binding("x", "export", "Export"),
    ]
    QUEUE_ORDER = QUEUE_ORDER
    QUEUE_LABELS = {"all": "All", **QUEUES}
    FILTER_PLACEHOLDER = "Filter: prison number, name, crime ref, URN, court, charges"

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield self.queue_tabs()
        yield self.filter_box()
        yield RecordTable(
            COLUMNS,
            load_page=self._load_page,
            row_cells=papers_cells,
            row_key=lambda row: row.id,
            noun="charge papers",
            empty_message="No charge papers here. Press n when papers arrive from the police.",
            query=PageQuery(queue="awaiting"),
            id="mg4d",
        )
        yield Static("", classes="status-line", id="mg4d-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "MG4D issue log"
        self.records.focus()

    def _load_page(self, query: PageQuery) -> Page[PapersRow]:
        from cipco.services.mg4d import papers_page, queue_counts

        with self.cipco.session() as session:
            page = papers_page(session, query, self.cipco.clock)
            if query.offset == 0:
                counts = queue_counts(session, self.cipco.clock)
                self.app.call_from_thread(self._show_counts, counts)
        return page

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.show_queue_counts(counts)
        self.query_one("#mg4d-status", Static).update(
            Text(
                f"{counts.get('awaiting', 0):,} awaiting service, "
                f"{counts.get('hearing_soon', 0):,} with a hearing soon      {LEGEND}"
            )
        )

    def _current(self) -> PapersRow | None:
        row = self.records.current_row
        if row is None:
            self.notify("No papers selected", severity="warning")
        return row

    @on(RecordTable.Opened, "#mg4d")
    def _opened(self, event: RecordTable.Opened) -> None:
        self.app.push_screen(PapersDetailScreen(event.key), self._after)

    def _after(self, result: Any) -> None:
        if result:
            if isinstance(result, str):
                self.notify(result, markup=False)
            self.records.reload(keep_cursor=True)

    def action_new(self) -> None:
        from cipco.screens.person_forms import papers_form

        self.app.push_screen(papers_form(self.cipco), self._after)

    def action_serve(self) -> None:
        from cipco.screens.person_forms import papers_subject, service_form

        row = self._current()
        if row is None:
            return
        if row.state == "served":
            self.notify(
                "Already served: open the papers (enter) to record a correction",
                severity="warning",
            )
            return
        self.app.push_screen(
            service_form(self.cipco, row.id, subject=papers_subject(row)), self._after
        )

    def action_person(self) -> None:
        row = self._current()
        if row is not None:
            self.cipco.open_person(row.nomis_number)

    def action_referral(self) -> None:
        row = self._current()
        if row is None:
            return
        if row.referral_id is None:
            self.notify("These papers are not linked to a referral", severity="warning")
            return
        self.cipco.open_referral(row.referral_id)

    def action_export(self) -> None:
        self._export(self.records.query_state)

    @work(thread=True, exclusive=True, group="mg4d-export", exit_on_error=False)
    def _export(self, query: PageQuery) -> None:
        from cipco.spreadsheets.exporting import ExportRequest
        from cipco.spreadsheets.logs import export_log

        filters = {"Queue": query.queue or "all"} | ({"Search": query.text} if query.text else {})
        done = export_log(
            self.cipco.engine,
            "mg4d",
            ExportRequest(query, filters),
            clock=self.cipco.clock,
            actor=self.cipco.actor,
        )
        self.app.call_from_thread(
            self.notify,
            f"Exported {done.rows:,} charge papers to {done.path}",
            title="Export",
            markup=False,
        )


class PapersDetailScreen(ReportsWorkerErrors, Screen[Any]):
    """One set of papers with every service event (corrections included, never edited)."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("s,v", "serve", "Serve"),
        Binding("c", "correct", "Correct latest"),
        Binding("e", "edit", "Edit details"),
        Binding("delete", "delete", "Delete"),
        Binding("p", "person", "Prisoner"),
        Binding("f", "referral", "Referral"),
    ]

    DEFAULT_CSS = """
    PapersDetailScreen #papers-summary { height: auto; padding: 1 1; }
    PapersDetailScreen DataTable { height: auto; max-height: 20; }
    """

    def __init__(self, papers_id: int) -> None:
        super().__init__()
        self.papers_id = papers_id
        self.detail: PapersDetail | None = None
        self._changed = False

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll():
            yield Static(Text("Loading…"), id="papers-summary")
            yield Static("Service events (append-only)", classes="section-title", markup=False)
            table: DataTable[Text] = DataTable(cursor_type="row", id="events")
            yield table
            yield Static("", id="events-empty", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one("#events", DataTable)
        for label in (
            "#",
            "Served",
            "By",
            "Witness",
            "Response",
            "Note",
            "Copy returned",
            "Corrects",
            "Recorded",
        ):
            table.add_column(label, key=label)
        self.refresh_data()

    def refresh_data(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="papers-detail", exit_on_error=False)
    def _load(self) -> None:
        from cipco.services.mg4d import papers_detail

        with self.cipco.session() as session:
            detail = papers_detail(session, self.papers_id, self.cipco.clock)
        self.app.call_from_thread(self._show, detail)

    def _show(self, detail: PapersDetail) -> None:
        self.detail = detail
        row = detail.row
        text = Text()
        text.append(f"{row.form_label}  {row.nomis_number}  {row.prisoner_name}\n", style="bold")
        text.append(f"Charges: {row.charges}\n")
        text.append(
            f"Court: {row.court or '—'}   "
            f"first hearing {format_date(row.first_hearing_on) or '—'}\n"
        )
        text.append(
            f"Referral: {row.referral_reference or '—'}   crime ref {row.crime_ref or '—'}   "
            f"URN {row.urn or '—'}\n"
        )
        text.append(
            f"Received {format_datetime(row.received_at)} from {row.received_from or '—'}\n"
        )
        state = row.response_label or row.state_label
        text.append(f"State: {state}", style="bold red" if row.hearing_soon else "bold")
        if row.hearing_soon:
            text.append("   ! first hearing soon and not served", style="bold red")
        if detail.notes:
            text.append(f"\nNotes: {detail.notes}")
        self.query_one("#papers-summary", Static).update(make_safe(text))
        table = self.query_one("#events", DataTable)
        table.clear()
        for event in detail.events:
            style = "dim strike" if event.superseded else ""
            values = [
                str(event.id),
                format_datetime(event.served_at),
                event.served_by,
                event.witnessed_by,
                event.response_label,
                event.note,
                " ".join(
                    v
                    for v in (format_datetime(event.copy_returned_at), event.copy_returned_how)
                    if v
                ),
                f"#{event.corrects_event_id}" if event.corrects_event_id else "",
                f"{format_datetime(event.recorded_at)} {event.actor}",
            ]
            table.add_row(*(literal(v, style, no_wrap=True, overflow="ellipsis") for v in values))
        self.query_one("#events-empty", Static).update(
            "" if detail.events else "Not served yet. Press s to record service."
        )

    def action_back(self) -> None:
        self.dismiss(self._changed)

    def _after(self, result: Any) -> None:
        if result:
            self._changed = True
            if isinstance(result, str):
                self.notify(result, markup=False)
            self.refresh_data()

    def action_serve(self) -> None:
        from cipco.screens.person_forms import papers_subject, service_form

        if self.detail and self.detail.row.state == "served":
            self.notify("Already served: press c to correct the latest event", severity="warning")
            return
        subject = papers_subject(self.detail.row) if self.detail else ""
        self.app.push_screen(service_form(self.cipco, self.papers_id, subject=subject), self._after)

    def action_correct(self) -> None:
        from cipco.screens.person_forms import papers_subject, service_form

        if self.detail is None or not self.detail.events:
            self.notify("Nothing to correct yet", severity="warning")
            return
        latest = self.detail.events[-1]
        self.app.push_screen(
            service_form(
                self.cipco, self.papers_id, latest, subject=papers_subject(self.detail.row)
            ),
            self._after,
        )

    def action_edit(self) -> None:
        from cipco.screens.person_forms import papers_form

        if self.detail is not None:
            self.app.push_screen(papers_form(self.cipco, current=self.detail), self._after)

    def action_delete(self) -> None:
        from cipco.screens.modals import ConfirmScreen

        if self.detail is None:
            return
        if self.detail.events:
            self.notify("Papers with service events stay in the log", severity="warning")
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self._delete()

        self.app.push_screen(
            ConfirmScreen(
                "Delete these papers (logged in error)?", confirm_label="Delete", danger=True
            ),
            decided,
        )

    @work(thread=True, exclusive=True, group="papers-write", exit_on_error=False)
    def _delete(self) -> None:
        from cipco.services.mg4d import delete_papers

        with self.cipco.session() as session:
            delete_papers(session, self.papers_id)
        self.app.call_from_thread(self.notify, "Papers deleted", markup=False)
        self.app.call_from_thread(self.dismiss, True)

    def action_person(self) -> None:
        if self.detail is not None:
            self.cipco.open_person(self.detail.row.nomis_number)

    def action_referral(self) -> None:
        if self.detail is None or self.detail.row.referral_id is None:
            self.notify("These papers are not linked to a referral", severity="warning")
            return
        self.cipco.open_referral(self.detail.row.referral_id)
