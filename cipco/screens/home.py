"""Home (0, the start screen): what needs me today, across every log.

Everything due or overdue up to the end of this week, in one list by deadline (what, under
which rule, which record; enter opens it), each log's queue counts, and the next crime
clinic with its open actions. It follows other windows' saves like every screen.

Charts of the last twelve months (:mod:`cipco.screens.home_charts`) sit under the due list
on a large terminal; on a small one the due list keeps the room and ``]``/``[`` switch to the
charts and back (the footer says so). The charts are read after the due list, in their own
worker, so they never hold it up.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import events
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import DataTable, Static

from cipco.screens import keymap
from cipco.screens.base import CipcoScreen
from cipco.screens.home_charts import ChartsView
from cipco.services.flags import SEVERITY_MARKERS
from cipco.text import clean, literal

if TYPE_CHECKING:
    from cipco.services.due import DueItem
    from cipco.services.home import DueList, Home
    from cipco.services.home_charts import HomeCharts

# What is due comes before the rule's name: on a narrow terminal it is what must stay in view.
COLUMNS = ("", "Due", "Record", "What is due", "Rule", "About", "When")
PRISON = "Prison"  # after the record, when the list holds more than one prison's items
WHEN_STYLE = {"overdue": "bold red", "today": "bold", "this week": "", "later": "dim"}
WIDE = (120, 40)  # from this size the charts sit under the due list; below it, behind ]
GIVE_WAY = {"Rule": 16, "About": 20, "What is due": 28}
"""When a row is wider than the screen, these columns give way (cut short with …), in this
order and down to these widths: what is due keeps the most, and every column stays in view
on a wide terminal."""


def fitted(labels: Sequence[str], widths: Sequence[int], room: int) -> list[int]:
    """Column widths for a table ``room`` cells wide: each column as wide as its widest cell
    (each takes 2 more for its padding); when that is wider than the room, the columns of
    :data:`GIVE_WAY` give up what they must, never below their floor (on a narrow terminal
    the rest scrolls, with what is due in view)."""
    result = list(widths)
    over = sum(width + 2 for width in result) - room
    for label, floor in GIVE_WAY.items():
        if over <= 0 or label not in labels:
            continue
        index = list(labels).index(label)
        give = min(over, max(0, result[index] - floor))
        result[index] -= give
        over -= give
    return result


def _cut(text: Text) -> Text:
    """One line, cut with … where its column is narrower than the text."""
    text.no_wrap = True
    text.overflow = "ellipsis"
    return text


def _row(item: DueItem, when: str, prison: bool = False) -> tuple[Text, ...]:
    """One line of the due list: marker, deadline, record, (prison,) what, rule, about,
    when."""
    cells = [
        literal(SEVERITY_MARKERS.get(item.severity, "")),
        literal(_due_text(item), WHEN_STYLE.get(when, "")),
        literal(item.record.reference),
        _cut(literal(item.what)),
        _cut(literal(item.rule_name)),
        _cut(literal(item.about)),
        literal(when, WHEN_STYLE.get(when, "")),
    ]
    if prison:
        cells.insert(3, literal(item.record.site))
    return tuple(cells)


def _columns(prison: bool) -> tuple[str, ...]:
    return (*COLUMNS[:3], PRISON, *COLUMNS[3:]) if prison else COLUMNS


def _due_text(item: DueItem) -> str:
    """A deadline that is a whole day (it ends at midnight) shows as its date alone."""
    from datetime import timedelta

    from cipco.clock import to_london
    from cipco.dates import format_date, format_datetime

    local = to_london(item.due_at)
    if (local + timedelta(microseconds=1)).time().isoformat() == "00:00:00":
        return format_date(local.date())
    return format_datetime(item.due_at)


class HomeScreen(CipcoScreen):
    WHERE = "Home"
    BINDINGS = [
        *keymap.bindings("open"),
        keymap.binding("next_tab", label="Charts", show=True),
        keymap.binding("previous_tab", label="Charts"),
        keymap.binding("back", label="Due list"),
    ]
    DEFAULT_CSS = """
    HomeScreen #home-summary { height: auto; padding: 0 1; }
    HomeScreen #home-clinic { height: auto; padding: 0 1; }
    HomeScreen #home-queues { height: auto; padding: 0 1; color: $text-muted; }
    HomeScreen #home-due-view { height: 1fr; }
    HomeScreen DataTable { height: 1fr; }
    HomeScreen #home-charts { display: none; }
    HomeScreen.-charts #home-due-view { display: none; }
    HomeScreen.-charts #home-charts { display: block; }
    HomeScreen.-wide #home-charts { display: block; height: 19; }
    HomeScreen.-wide #home-due-view { display: block; }
    HomeScreen.-wide #charts-row { layout: horizontal; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.items: dict[str, DueItem] = {}
        self._rows: list[tuple[str, list[tuple[str, str]]]] = []  # what the table shows
        self._room = 0  # the width the table's columns were fitted to
        self._due: DueList | None = None
        self.due_shown = False  # the charts are read after the due list, never before

    def compose_body(self) -> ComposeResult:
        yield Static("Loading what is due…", id="home-summary")
        yield Static("", id="home-clinic")
        with Vertical(id="home-due-view"):
            table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True, id="home-due")
            table.add_columns(*COLUMNS)  # sized to the rows when they come (_show_due)
            yield table
            yield Static("", id="home-queues")
        yield ChartsView(id="home-charts")

    def on_mount(self) -> None:
        self._lay_out()
        self.query_one(DataTable).focus()
        first = self.cipco.take_first_rows()
        if first is None:
            self.refresh_data()
            return
        # Read before the app started (cipco.launch): painted in the first frame; the full
        # read (counts, clinic, charts) starts once that frame is drawn, off this thread.
        self._show_due(first)
        self.call_after_refresh(self.refresh_data)

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def on_resize(self, _event: events.Resize) -> None:
        self._lay_out()
        if self._due is not None:
            self._show_due(self._due)  # the columns fitted to the new width

    def _lay_out(self) -> None:
        wide = self.size.width >= WIDE[0] and self.size.height >= WIDE[1]
        if wide != self.has_class("-wide"):
            self.set_class(wide, "-wide")
            if wide and self.has_class("-charts"):
                self._switch(False)
            self.refresh_bindings()
            if wide and self.due_shown:
                self._read_charts()

    @property
    def showing_charts(self) -> bool:
        """The charts are on screen (always on a large terminal; after ] on a small one)."""
        return self.has_class("-wide") or self.has_class("-charts")

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("next_tab", "previous_tab"):
            return not self.has_class("-wide")  # both are on screen: nothing to switch
        if action == "back":
            return self.has_class("-charts")
        return super().check_action(action, parameters)

    def action_next_tab(self) -> None:
        self._switch(not self.has_class("-charts"))

    def action_previous_tab(self) -> None:
        self._switch(not self.has_class("-charts"))

    def action_back(self) -> None:
        if self.has_class("-charts"):
            self._switch(False)

    def _switch(self, charts: bool) -> None:
        self.set_class(charts, "-charts")
        if charts:
            self.query_one(ChartsView).focus()
            self._read_charts()
        else:
            self.query_one(DataTable).focus()

    def refresh_data(self) -> None:
        from cipco.services.home import home

        clock = self.cipco.clock
        self.read(lambda session: home(session, clock), self._show, group="home")

    def _read_charts(self) -> None:
        from cipco.services.home_charts import home_charts

        clock = self.cipco.clock
        self.read(lambda session: home_charts(session, clock), self._chart, group="home-charts")

    def _chart(self, found: HomeCharts) -> None:
        self.query_one(ChartsView).show(found)

    def _show(self, found: Home) -> None:
        self._show_due(found)
        self.query_one("#home-clinic", Static).update(literal(found.clinic.text))
        lines = []
        for log in found.logs:
            parts = " · ".join(f"{q.label} {q.count:,}" for q in log.queues)
            lines.append(f"{log.title}: {parts}")
        self.query_one("#home-queues", Static).update(literal("\n".join(lines), newlines=True))
        if self.showing_charts:  # after the due list is on screen; hidden charts wait for ]
            self._read_charts()

    def _show_due(self, found: DueList) -> None:
        """The due list and its summary line (the rows are rebuilt only if they changed, so
        the full read after the first paint never redraws the same rows)."""
        prison = found.several_prisons
        rows = [(item.key, _row(item, found.window.when(item), prison)) for item in found.items]
        shown = [(key, [(cell.plain, str(cell.style)) for cell in cells]) for key, cells in rows]
        table: DataTable[Text] = self.query_one(DataTable)
        room = self.size.width - 2  # the vertical scrollbar
        if shown != self._rows or room != self._room:
            chosen = table.cursor_row
            # each column as wide as its widest cell, counted here: the table's own measuring
            # goes through the console's width, and a row measured at the wrong moment once
            # left every column at its heading's width
            labels = _columns(prison)
            widths = [
                max(len(label), max((cells[i].cell_len for _key, cells in rows), default=0))
                for i, label in enumerate(labels)
            ]
            table.clear(columns=True)
            for label, width in zip(labels, fitted(labels, widths, room), strict=True):
                table.add_column(label, width=width)
            for key, cells in rows:
                table.add_row(*cells, key=key)
            if rows:
                table.move_cursor(row=min(chosen, len(rows) - 1))
            self._rows, self._room = shown, room
        self._due = found
        self.items = {item.key: item for item in found.items}
        self.due_shown = True
        overdue, due_today = found.count("overdue"), found.count("today")
        week = found.count("this week")
        summary = Text.assemble(
            (f"{overdue:,} overdue", "bold red" if overdue else ""),
            f" · {due_today:,} due today · {week:,} more this week",
            " · enter opens the record" if found.items else " · nothing due this week",
        )
        self.query_one("#home-summary", Static).update(summary)

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
