"""The referrals screen: the police referral tracker a coordinator uses all day."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Footer, Header, Static

from cipco.clock import format_date, to_london
from cipco.screens.log_screen import LogScreen
from cipco.services.flags import SEVERITY_MARKERS, Severity
from cipco.services.paging import Page, PageQuery
from cipco.services.referrals import (
    QUEUES,
    ReferralRow,
    queue_counts,
    referral_page,
    status_label,
)
from cipco.widgets.record_table import RecordTable, TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp

COLUMNS = [
    TableColumn("reference", "Reference", 14, grow=False),
    TableColumn("nomis_number", "Prison no", 9, grow=False),
    TableColumn("prisoner_name", "Prisoner", 14),
    TableColumn("category", "Category", 14),
    TableColumn("incident_at", "Incident", 10, grow=False),
    TableColumn("status", "Status", 13, grow=False),
    TableColumn("crime_ref", "Crime ref", 12),
    TableColumn("oic", "OIC", 11),
    TableColumn("next_due", "Next due", 22),
]
LEGEND = "! overdue   ~ due within 2 working days   [ ] change queue"
ROW_STYLES = {
    Severity.OVERDUE: "bold red",
    Severity.DUE_SOON: "dark_orange",
    Severity.PENDING: "",
    Severity.DONE: "dim",
}


def referral_cells(row: ReferralRow) -> list[Text]:
    style = ROW_STYLES[row.severity]
    if row.status in ("concluded", "nfa", "out_of_court", "returned", "withdrawn", "transferred"):
        style = style or "dim"
    marker = SEVERITY_MARKERS[row.severity]
    due = (
        f"{marker} {to_london(row.next_due_at):%d/%m/%Y} {row.next_due_label}".strip()
        if row.next_due_at
        else ""
    )
    values = [
        row.reference,
        row.nomis_number,
        row.prisoner_name,
        row.category,
        format_date(to_london(row.incident_at).date()),
        status_label(row.status),
        row.crime_ref,
        row.oic,
        due,
    ]
    return [Text(value, style=style, overflow="ellipsis", no_wrap=True) for value in values]


class ReferralsScreen(LogScreen):
    """Paged referrals with quick-filter queues, free-text filter and sorting."""

    BINDINGS = [
        Binding("n", "new", "New"),
        Binding("e", "edit", "Edit"),
        Binding("m", "move", "Move status"),
        Binding("f", "follow_up", "Follow-up"),
        Binding("p", "person", "Prisoner"),
        Binding("x", "export", "Export"),
        Binding("i", "import_file", "Import"),
    ]
    QUEUE_ORDER = ["all", *QUEUES.keys()]
    QUEUE_LABELS = {"all": "All", **QUEUES}
    FILTER_PLACEHOLDER = "Filter: reference, prison number, name, crime ref or OIC"

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
            row_cells=referral_cells,
            row_key=lambda row: row.id,
            noun="referrals",
            empty_message=(
                "No referrals here. Press n to add one, i to import an old tracker, "
                "or / to change the filter."
            ),
            id="referrals",
        )
        yield Static("", classes="status-line", id="status-line")
        yield Footer()

    def on_mount(self) -> None:
        self.records.focus()

    # ------------------------------------------------------------ data

    def _load_page(self, query: PageQuery) -> Page[ReferralRow]:
        with self.cipco.session() as session:
            if query.offset != 0 or query.extra:
                return referral_page(session, query, self.cipco.clock)
            # One scan gives every queue's count, this page's total among them.
            counts = queue_counts(session, self.cipco.clock, query.text)
            page = referral_page(
                session, query, self.cipco.clock, total=counts[query.queue or "all"]
            )
        self.app.call_from_thread(self._show_counts, counts)
        return page

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.show_queue_counts(counts)
        shown = counts.get(self.records.query_state.queue or "all", 0)
        self.query_one("#status-line", Static).update(
            Text(f"{shown:,} of {counts.get('total', 0):,} referrals      {LEGEND}")
        )

    # ------------------------------------------------------------ records

    @on(RecordTable.Opened, "#referrals")
    def _opened(self, event: RecordTable.Opened) -> None:
        self.cipco.open_referral(event.key)

    def _current(self) -> ReferralRow | None:
        row = self.records.current_row
        if row is None:
            self.notify("No referral selected", severity="warning")
        return row

    def action_new(self) -> None:
        from cipco.screens.referral_form import ReferralForm

        self.app.push_screen(ReferralForm(None), self._after_save)

    def action_edit(self) -> None:
        from cipco.screens.referral_form import ReferralForm

        row = self._current()
        if row is not None:
            self.app.push_screen(ReferralForm(row.id), self._after_save)

    def action_move(self) -> None:
        from cipco.screens.referral_form import MoveStatusScreen

        row = self._current()
        if row is not None:
            self.app.push_screen(MoveStatusScreen(row.id), self._after_save)

    def action_follow_up(self) -> None:
        from cipco.screens.referral_form import FollowUpScreen

        row = self._current()
        if row is not None:
            self.app.push_screen(FollowUpScreen(row.id), self._after_save)

    def action_person(self) -> None:
        row = self._current()
        if row is not None:
            self.cipco.open_person(row.nomis_number)

    def _after_save(self, result: int | bool | None) -> None:
        if result:
            self.records.reload(keep_cursor=True)

    def action_export(self) -> None:
        """Export what is on screen now: the current queue and filter."""
        self._export(self.records.query_state)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self, query: PageQuery) -> None:
        from cipco.services.reports import ReferralFilter
        from cipco.spreadsheets.exporting import ExportRequest
        from cipco.spreadsheets.logs import export_log

        self.app.call_from_thread(self.notify, "Exporting…", title="Export")
        flt = ReferralFilter(text=query.text, queue=query.queue)
        done = export_log(
            self.cipco.engine,
            "referrals",
            ExportRequest(flt, flt.describe()),
            clock=self.cipco.clock,
            actor=self.cipco.actor,
        )
        self.app.call_from_thread(
            self.notify,
            f"Exported {done.rows:,} referrals to {done.path}",
            title="Export",
            markup=False,
        )

    def action_import_file(self) -> None:
        from cipco.screens.import_screen import ImportScreen

        self.app.push_screen(
            ImportScreen(self.cipco.engine, self.cipco.clock, self.cipco.actor),
            lambda summary: self.refresh_data() if summary else None,
        )
