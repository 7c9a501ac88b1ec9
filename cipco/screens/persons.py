"""Persons of interest: the list with its flags, and a tab of repeat offenders to add."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from cipco.clock import Clock, format_date, format_datetime
from cipco.screens import keymap
from cipco.screens.cells import SEVERITY_WORDS, cells, severity_style
from cipco.screens.log_screen import ALL, Counts, ListSpec, LogScreen
from cipco.services.paging import Page, PageQuery
from cipco.services.persons import (
    QUEUES,
    PersonRow,
    Suggestion,
    add_suggested,
    person_list_page,
    queue_counts,
    remove_person,
    repeat_offender_suggestions,
)
from cipco.widgets.record_table import TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp

COLUMNS = [
    TableColumn("nomis_number", "Prison no", 9, grow=False, keep=1),
    TableColumn("name", "Name", 16, keep=1),
    TableColumn("location", "Location", 11, keep=5),
    TableColumn("band", "Band", 4, grow=False, keep=3),
    TableColumn("alerts", "Alerts", 12, keep=4),
    TableColumn("ocg_name", "OCG / gang", 12, keep=6),
    TableColumn("next_review_on", "Next review", 11, grow=False, keep=2),
    TableColumn("release_date", "Release", 10, grow=False, keep=7),
    TableColumn("flags", "Flags", 24, keep=1),
]
SUGGESTIONS = "suggestions"
LEGEND = "! overdue  ~ due soon  · information  DNS = do not share"


def person_cells(row: PersonRow) -> list[Text]:
    flags = "; ".join(f"{SEVERITY_WORDS[f.severity]} {f.label}" for f in row.flags)
    alerts = " ".join(row.alert_codes)
    if row.do_not_share:
        alerts = f"DNS {alerts}".strip()
    return cells(
        [
            row.nomis_number,
            row.name,
            row.location,
            str(row.band) if row.band else "",
            alerts,
            row.ocg_name,
            format_date(row.next_review_on),
            format_date(row.release_date),
            flags,
        ],
        severity_style(row.severity),
    )


def _page(
    session: Session, query: PageQuery, clock: Clock, _counts: Counts | None
) -> Page[PersonRow]:
    return person_list_page(session, query, clock)


def _export(session: Session, path: Path, query: PageQuery, app: CipcoApp) -> int:
    from cipco.spreadsheets.exporters import export_persons

    count, _withheld = export_persons(session, path, clock=app.clock, actor=app.actor)
    return count


SPEC = ListSpec(
    noun="persons of interest",
    where="Persons of interest",
    columns=COLUMNS,
    cells=person_cells,
    page=_page,
    counts=lambda session, clock, _query: queue_counts(session, clock),
    queues={ALL: "All", **QUEUES, SUGGESTIONS: "Suggestions"},
    filter_hint="Filter: prison number, name, OCG, notes",
    empty="Nobody here. Press n to add a person; the Suggestions tab lists repeat offenders.",
    status=lambda counts, _query, total: f"{total:,} of {counts.get(ALL, 0):,} persons   {LEGEND}",
    export=_export,
)


def _removed(session: Session, row: PersonRow) -> str:
    remove_person(session, row.id)
    return f"{row.nomis_number} removed from the list"


class PersonsScreen(LogScreen):
    """The persons-of-interest list; a Suggestions tab of repeat offenders (a adds one)."""

    SPEC = SPEC
    BINDINGS = keymap.bindings("new", "edit", "open", "remove", "add", "import_file")
    DEFAULT_CSS = """
    PersonsScreen #suggestions { height: 1fr; display: none; }
    PersonsScreen #suggestions-note { height: auto; padding: 0 1; display: none; }
    PersonsScreen.-suggesting #suggestions, PersonsScreen.-suggesting #suggestions-note {
        display: block;
    }
    PersonsScreen.-suggesting #records { display: none; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.suggestions: list[Suggestion] = []

    def compose_body(self) -> ComposeResult:
        yield from super().compose_body()
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True, id="suggestions")
        yield table
        yield Static("", id="suggestions-note", markup=False)

    def on_mount(self) -> None:
        table = self.query_one("#suggestions", DataTable)
        for label in ("Prison no", "Name", "Referrals as suspect", "Latest incident"):
            table.add_column(label, key=label)

    @property
    def in_suggestions(self) -> bool:
        return self.has_class("-suggesting")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "add":
            return self.in_suggestions
        if action in ("edit", "remove", "sort", "filter", "export"):
            return not self.in_suggestions
        return super().check_action(action, parameters)

    # ------------------------------------------------------------ suggestions

    def choose_queue(self, key: str) -> None:
        self.set_class(key == SUGGESTIONS, "-suggesting")
        self.refresh_bindings()
        if key == SUGGESTIONS:
            self._load_suggestions()
            self.query_one("#suggestions", DataTable).focus()
        else:
            super().choose_queue(key)
            self.records.focus()

    def current_queue(self) -> str:
        return SUGGESTIONS if self.in_suggestions else super().current_queue()

    def refresh_data(self) -> None:
        super().refresh_data()
        if self.in_suggestions:
            self._load_suggestions()

    def _load_suggestions(self) -> None:
        clock = self.cipco.clock
        self.read(
            lambda session: repeat_offender_suggestions(session, clock),
            self._fill_suggestions,
            group="suggestions",
        )

    def _fill_suggestions(self, found: list[Suggestion]) -> None:
        self.suggestions = found
        table = self.query_one("#suggestions", DataTable)
        table.clear()
        for s in found:
            table.add_row(
                *cells(
                    [
                        s.nomis_number,
                        s.name,
                        str(s.referral_count),
                        format_datetime(s.last_incident_at),
                    ]
                ),
                key=str(s.prisoner_id),
            )
        self._show_counts({SUGGESTIONS: len(found)}, self.records.query_state, len(found))
        self.query_one("#suggestions-note", Static).update(
            "Repeat offenders: suspects in N or more referrals within M months (Settings) who "
            "are not on the list. Press a to add the highlighted one, enter for their page."
            if found
            else "No repeat offenders to suggest: nobody reaches the threshold in Settings."
        )

    def _suggestion(self) -> Suggestion | None:
        table = self.query_one("#suggestions", DataTable)
        if not self.suggestions or table.cursor_row >= len(self.suggestions):
            self.notify("No suggestion highlighted", severity="warning")
            return None
        return self.suggestions[table.cursor_row]

    @on(DataTable.RowSelected, "#suggestions")
    def _suggestion_opened(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if suggestion := self._suggestion():
            self.cipco.open_person(suggestion.nomis_number)

    def action_add(self) -> None:
        suggestion = self._suggestion()
        if suggestion is None:
            return
        clock = self.cipco.clock

        def add(session: Session) -> str:
            add_suggested(session, suggestion.prisoner_id, clock)
            return f"{suggestion.nomis_number} added to the list"

        self.write(add)

    # ------------------------------------------------------------ the list

    def open_row(self, row: Any) -> None:
        self.cipco.open_person(row.nomis_number)

    def action_new(self) -> None:
        from cipco.screens.person_forms import person_form

        self.open_form(person_form(None))

    def action_edit(self) -> None:
        from cipco.screens.person_forms import person_form

        if row := self.current("person"):
            self.open_form(person_form(row.nomis_number))

    def action_remove(self) -> None:
        from cipco.screens.modals import ConfirmScreen

        row = self.current("person")
        if row is None:
            return

        def decided(yes: bool | None) -> None:
            if yes:
                self.write(lambda session: _removed(session, row))

        self.app.push_screen(
            ConfirmScreen(
                f"Take {row.nomis_number} {row.name} off the persons-of-interest list? "
                "Their orders and trigger events go too.",
                confirm_label="Remove",
                danger=True,
            ),
            decided,
        )

    def action_import_file(self) -> None:
        from cipco.screens.import_screen import ImportScreen

        self.app.push_screen(
            ImportScreen(self.cipco.engine, self.cipco.clock, self.cipco.actor, what="persons"),
            lambda summary: self.refresh_data() if summary else None,
        )
