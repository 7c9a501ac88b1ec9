"""Persons of interest: the list with its flags, and a tab of repeat offenders to add."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from cipco.clock import format_datetime
from cipco.screens.cells import SEVERITY_WORDS, cells
from cipco.screens.log_screen import ListView, LogScreen, everything
from cipco.services.paging import PageQuery
from cipco.services.persons import (
    PersonRow,
    Suggestion,
    add_suggested,
    remove_person,
    repeat_offender_suggestions,
)
from cipco.spreadsheets.exporting import ExportRequest

if TYPE_CHECKING:
    pass

SUGGESTIONS = "suggestions"
LEGEND = "! overdue  ~ due soon  · information  DNS = do not share"


def _export(_query: PageQuery) -> ExportRequest:
    """The whole list (people marked do-not-share are withheld)."""
    return ExportRequest()


def _alerts(row: PersonRow) -> str:
    """Do-not-share said in words, before the alert codes."""
    return " ".join((["DNS"] if row.do_not_share else []) + list(row.alert_codes))


def _flags(row: PersonRow) -> str:
    """Each flag led by its marker (colour is never the only signal)."""
    return "; ".join(f"{SEVERITY_WORDS[f.severity]} {f.label}" for f in row.flags)


VIEW = ListView(
    "persons",
    texts={"alerts": _alerts, "flags": _flags},
    keep={"nomis_number": 1, "name": 1, "flags": 1, "next_review_on": 2, "band": 3},
    more_tabs={SUGGESTIONS: "Suggestions"},
    empty="Nobody here. Press n to add a person; the Suggestions tab lists repeat offenders.",
    status=lambda counts, _q, total: (
        f"{total:,} of {everything(counts, total):,} persons   {LEGEND}"
    ),
    export=_export,
)


def _removed(session: Session, row: PersonRow) -> str:
    remove_person(session, row.id)
    return f"{row.nomis_number} removed from the list"


class PersonsScreen(LogScreen):
    """The persons-of-interest list; a Suggestions tab of repeat offenders (a adds one)."""

    VIEW = VIEW
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
