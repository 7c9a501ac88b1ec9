"""Home (0, the start screen): what needs me today, across every log.

Everything due or overdue up to the end of this week, in one list by deadline (what, under
which rule, which record; enter opens it), each log's queue counts, and the next crime
clinic with its open actions. It follows other windows' saves like every screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static

from cipco.screens import keymap
from cipco.screens.base import CipcoScreen
from cipco.services.flags import SEVERITY_MARKERS
from cipco.text import clean, literal

if TYPE_CHECKING:
    from cipco.services.due import DueItem
    from cipco.services.home import Home

COLUMNS = ("", "Due", "Record", "Rule", "What is due", "About", "When")
WHEN_STYLE = {"overdue": "bold red", "today": "bold", "this week": "", "later": "dim"}


def _due_text(item: DueItem) -> str:
    from cipco.dates import format_datetime

    return format_datetime(item.due_at)


class HomeScreen(CipcoScreen):
    WHERE = "Home"
    BINDINGS = keymap.bindings("open")
    DEFAULT_CSS = """
    HomeScreen #home-summary { height: auto; padding: 0 1; }
    HomeScreen #home-clinic { height: auto; padding: 0 1; }
    HomeScreen #home-queues { height: auto; padding: 0 1; color: $text-muted; }
    HomeScreen DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, DueItem] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("Loading what is due…", id="home-summary")
        yield Static("", id="home-clinic")
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True, id="home-due")
        table.add_columns(*COLUMNS)
        yield table
        yield Static("", id="home-queues")

    def on_mount(self) -> None:
        self.refresh_data()
        self.query_one(DataTable).focus()

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        from cipco.services.home import home

        clock = self.cipco.clock
        self.read(lambda session: home(session, clock), self._show, group="home")

    def _show(self, found: Home) -> None:
        table: DataTable[Text] = self.query_one(DataTable)
        chosen = table.cursor_row
        table.clear()
        self.items = {}
        for item in found.items:
            when = found.window.when(item)
            self.items[item.key] = item
            table.add_row(
                literal(SEVERITY_MARKERS.get(item.severity, "")),
                literal(_due_text(item), WHEN_STYLE.get(when, "")),
                literal(item.record.reference),
                literal(item.rule_name),
                literal(item.what),
                literal(item.about),
                literal(when, WHEN_STYLE.get(when, "")),
                key=item.key,
            )
        if found.items:
            table.move_cursor(row=min(chosen, len(found.items) - 1))
        overdue, due_today = found.count("overdue"), found.count("today")
        week = found.count("this week")
        summary = Text.assemble(
            (f"{overdue:,} overdue", "bold red" if overdue else ""),
            f" · {due_today:,} due today · {week:,} more this week",
            " · enter opens the record" if found.items else " · nothing due this week",
        )
        self.query_one("#home-summary", Static).update(summary)
        self.query_one("#home-clinic", Static).update(literal(found.clinic.text))
        lines = []
        for log in found.logs:
            parts = " · ".join(f"{q.label} {q.count:,}" for q in log.queues)
            lines.append(f"{log.title}: {parts}")
        self.query_one("#home-queues", Static).update(literal("\n".join(lines), newlines=True))

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_open()

    def action_open(self) -> None:
        table: DataTable[Any] = self.query_one(DataTable)
        if not self.items or table.cursor_row < 0:
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        item = self.items.get(str(key))
        if item is not None:
            open_record(self.cipco, item.record.log, item.record.id, item.record.reference)


def open_record(app: Any, log: str, record_id: int, reference: str) -> None:
    """Open one record of any list (a person of interest opens by prison number)."""
    if log == "referrals":
        app.open_referral(record_id)
    elif log == "exhibits":
        app.open_exhibit(record_id)
    elif log == "mg4d":
        app.open_papers(record_id)
    elif log == "persons":
        app.open_person(clean(reference))
    elif log == "actions":
        app.open_clinic_action(record_id)
    elif log == "clinics":
        app.open_clinic(record_id)
