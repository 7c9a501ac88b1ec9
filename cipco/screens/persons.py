"""Persons of interest: the list with its flags, and repeat-offender suggestions."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Footer, Header, Static

from cipco.clock import format_date, format_datetime
from cipco.screens.log_screen import LogScreen
from cipco.services.flags import Severity
from cipco.services.paging import Page, PageQuery
from cipco.services.persons import QUEUES, PersonRow, Suggestion
from cipco.widgets.record_table import RecordTable, TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp

COLUMNS = [
    TableColumn("nomis_number", "Prison no", 9),
    TableColumn("name", "Name", 18),
    TableColumn("location", "Location", 11),
    TableColumn("band", "Band", 5),
    TableColumn("alerts", "Alerts", 14, sortable=False),
    TableColumn("ocg_name", "OCG / gang", 14),
    TableColumn("next_review_on", "Next review", 11),
    TableColumn("release_date", "Release", 10),
    TableColumn("flags", "Flags", 40, sortable=False),
]
SUGGESTIONS = "suggestions"
QUEUE_ORDER = ["all", *QUEUES.keys(), SUGGESTIONS]
ROW_STYLES = {
    Severity.OVERDUE: "bold red",
    Severity.DUE_SOON: "dark_orange",
    Severity.PENDING: "",
    Severity.DONE: "dim",
}
MARKERS = {Severity.OVERDUE: "!", Severity.DUE_SOON: "~", Severity.PENDING: "·", Severity.DONE: ""}
LEGEND = "! overdue  ~ due soon  · information   DNS = do not share"


def person_cells(row: PersonRow) -> list[Text]:
    style = ROW_STYLES[row.severity]
    flags = "; ".join(f"{MARKERS[f.severity]} {f.label}" for f in row.flags)
    alerts = " ".join(row.alert_codes)
    if row.do_not_share:
        alerts = f"DNS {alerts}".strip()
    values = [
        row.nomis_number,
        row.name,
        row.location,
        str(row.band) if row.band else "",
        alerts,
        row.ocg_name,
        format_date(row.next_review_on),
        format_date(row.release_date),
        flags,
    ]
    return [Text(v, style=style, overflow="ellipsis", no_wrap=True) for v in values]


class PersonsScreen(LogScreen):
    """The persons-of-interest list; a tab of repeat-offender suggestions to add."""

    BINDINGS = [
        Binding("n", "new", "New"),
        Binding("e", "edit", "Edit"),
        Binding("a", "add_suggested", "Add suggested"),
        Binding("delete", "remove", "Remove"),
        Binding("g", "suggestions", "Suggestions"),
    ]
    QUEUE_ORDER = QUEUE_ORDER
    QUEUE_LABELS = {"all": "All", SUGGESTIONS: "Suggestions", **QUEUES}
    FILTER_PLACEHOLDER = "Filter: prison number, name, OCG, notes"

    def __init__(self) -> None:
        super().__init__()
        self._suggestions: list[Suggestion] = []

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
            row_cells=person_cells,
            row_key=lambda row: row.id,
            noun="persons of interest",
            empty_message="Nobody here. Press n to add a person, or g for repeat-offender "
            "suggestions.",
            id="persons",
        )
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True, id="suggestions")
        yield table
        yield Static("", id="suggestions-empty", markup=False)
        yield Static("", classes="status-line", id="persons-status")
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = "Persons of interest"
        table = self.query_one("#suggestions", DataTable)
        for label in ("Prison no", "Name", "Referrals as suspect", "Latest incident"):
            table.add_column(label, key=label)
        self._show_suggestions_mode(False)
        self.records.focus()

    @property
    def in_suggestions(self) -> bool:
        return bool(self.query_one("#suggestions", DataTable).display)

    # ------------------------------------------------------------ data

    def _load_page(self, query: PageQuery) -> Page[PersonRow]:
        from cipco.services.persons import person_list_page, queue_counts

        with self.cipco.session() as session:
            page = person_list_page(session, query, self.cipco.clock)
            if query.offset == 0:
                counts = queue_counts(session, self.cipco.clock)
                self.app.call_from_thread(self._show_counts, counts)
        return page

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.show_queue_counts(counts)
        if "all" in counts:
            self.query_one("#persons-status", Static).update(
                Text(f"{counts['all']:,} persons of interest      {LEGEND}")
            )

    @work(thread=True, exclusive=True, group="persons-suggestions", exit_on_error=False)
    def _load_suggestions(self) -> None:
        from cipco.services.persons import repeat_offender_suggestions

        with self.cipco.session() as session:
            found = repeat_offender_suggestions(session, self.cipco.clock)
        self.app.call_from_thread(self._fill_suggestions, found)

    def _fill_suggestions(self, found: list[Suggestion]) -> None:
        self._suggestions = found
        table = self.query_one("#suggestions", DataTable)
        table.clear()
        for s in found:
            table.add_row(
                Text(s.nomis_number),
                Text(s.name),
                Text(str(s.referral_count)),
                Text(format_datetime(s.last_incident_at)),
                key=str(s.prisoner_id),
            )
        self._show_counts({SUGGESTIONS: len(found)})
        self.query_one("#suggestions-empty", Static).update(
            "Repeat offenders: suspects in N or more referrals within M months (Settings) who "
            "are not on the list. Press a to add the highlighted one."
            if found
            else "No repeat offenders to suggest: nobody reaches the threshold in Settings."
        )

    def refresh_data(self) -> None:
        super().refresh_data()
        if self.in_suggestions:
            self._load_suggestions()

    # ------------------------------------------------------------ queues

    def _show_suggestions_mode(self, on_suggestions: bool) -> None:
        self.records.display = not on_suggestions
        self.query_one("#suggestions", DataTable).display = on_suggestions
        self.query_one("#suggestions-empty", Static).display = on_suggestions
        if on_suggestions:
            self._load_suggestions()
            self.query_one("#suggestions", DataTable).focus()
        else:
            self.records.focus()

    def choose_queue(self, key: str) -> None:
        self._show_suggestions_mode(key == SUGGESTIONS)
        if key != SUGGESTIONS:
            super().choose_queue(key)

    def current_queue(self) -> str:
        return SUGGESTIONS if self.in_suggestions else super().current_queue()

    def action_suggestions(self) -> None:
        self.select_queue(SUGGESTIONS)

    # ------------------------------------------------------------ records

    @on(RecordTable.Opened, "#persons")
    def _opened(self, _event: RecordTable.Opened) -> None:
        row = self.records.current_row
        if row is not None:
            self.cipco.open_person(row.nomis_number)

    @on(DataTable.RowSelected, "#suggestions")
    def _suggestion_opened(self, event: DataTable.RowSelected) -> None:
        event.stop()
        suggestion = self._current_suggestion()
        if suggestion is not None:
            self.cipco.open_person(suggestion.nomis_number)

    def _current_suggestion(self) -> Suggestion | None:
        table = self.query_one("#suggestions", DataTable)
        if not self._suggestions or table.cursor_row >= len(self._suggestions):
            return None
        return self._suggestions[table.cursor_row]

    def _after(self, result: Any) -> None:
        if result:
            self.records.reload(keep_cursor=True)

    def action_new(self) -> None:
        from cipco.screens.person_forms import person_form

        self.app.push_screen(person_form(self.cipco, None), self._after)

    def action_edit(self) -> None:
        row = self.records.current_row if not self.in_suggestions else None
        if row is None:
            self.notify("No person selected", severity="warning")
            return
        self._open_edit(row.nomis_number)

    @work(thread=True, exclusive=True, group="persons-edit", exit_on_error=False)
    def _open_edit(self, nomis_number: str) -> None:
        from cipco.screens.person_forms import person_form
        from cipco.services.persons import person_page

        with self.cipco.session() as session:
            data = person_page(session, nomis_number, self.cipco.clock)
        self.app.call_from_thread(
            self.app.push_screen, person_form(self.cipco, nomis_number, data), self._after
        )

    def action_add_suggested(self) -> None:
        if not self.in_suggestions:
            self.action_suggestions()
            return
        suggestion = self._current_suggestion()
        if suggestion is None:
            self.notify("No suggestion selected", severity="warning")
            return
        self._add_suggested(suggestion)

    @work(thread=True, exclusive=True, group="persons-write", exit_on_error=False)
    def _add_suggested(self, suggestion: Suggestion) -> None:
        from cipco.services.persons import add_suggested

        try:
            with self.cipco.session() as session:
                add_suggested(session, suggestion.prisoner_id, self.cipco.clock)
        except ValueError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", markup=False)
            return
        self.app.call_from_thread(
            self.notify, f"{suggestion.nomis_number} added to the list", markup=False
        )
        self.app.call_from_thread(self.refresh_data)

    def action_remove(self) -> None:
        row = self.records.current_row if not self.in_suggestions else None
        if row is None:
            self.notify("No person selected", severity="warning")
            return
        from cipco.screens.modals import ConfirmScreen

        def decided(yes: bool | None) -> None:
            if yes:
                self._remove(row.id, row.nomis_number)

        self.app.push_screen(
            ConfirmScreen(
                f"Take {row.nomis_number} {row.name} off the persons-of-interest list? "
                "Their orders and trigger events go too.",
                confirm_label="Remove",
                danger=True,
            ),
            decided,
        )

    @work(thread=True, exclusive=True, group="persons-write", exit_on_error=False)
    def _remove(self, person_id: int, nomis: str) -> None:
        from cipco.services.persons import remove_person

        with self.cipco.session() as session:
            remove_person(session, person_id)
        self.app.call_from_thread(self.notify, f"{nomis} removed from the list", markup=False)
        self.app.call_from_thread(self.refresh_data)
