"""The one list screen: every log's list is a :class:`LogScreen` reading a :class:`ListSpec`.

What every list does the same way:

- queue tabs with counts (``[`` ``]``), a typed filter (``/``, ``esc`` clears it), a sort
  chooser over every column (``s``; choosing the sorted column again reverses it), counts in
  the status line, ``x`` exports exactly what is shown (queue, filter and sort);
- it re-reads when it comes back into view and when another window writes, so counts and
  statuses are never old;
- after a form saves, the highlight moves to the record just saved (switching to All and
  clearing the filter if that record is not in the current view), so the next key acts on it.

A log's list subclasses :class:`LogScreen`, sets ``SPEC`` and adds its record actions (each a
line or two: which form to open for the highlighted row).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from sqlmodel import Session
from textual import on
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Static, Tab, Tabs

from cipco.clock import Clock
from cipco.screens import keymap
from cipco.screens.base import CipcoScreen
from cipco.screens.record_form import Saved
from cipco.services.paging import Page, PageQuery
from cipco.widgets.record_table import RecordTable, TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp

FILTER_DEBOUNCE_SECONDS = 0.2
ALL = "all"
Counts = dict[str, Any]  # queue counts by key (and any other facts the status line shows)


@dataclass(frozen=True)
class ListSpec:
    """What a log's list shows and how it asks its service."""

    noun: str  # "referrals": the border, the status line, export messages
    where: str  # the header: "Referrals"
    columns: Sequence[TableColumn]
    cells: Callable[[Any], list[Text]]
    page: Callable[[Session, PageQuery, Clock, Counts | None], Page[Any]]
    counts: Callable[[Session, Clock, PageQuery], Counts] | None = None
    queues: Mapping[str, str] = field(default_factory=dict)  # key -> tab label, tab order
    default_queue: str = ALL
    filter_hint: str = "Filter"
    empty: str = "Nothing here yet."
    status: Callable[[Counts, PageQuery, int], str] | None = None
    export: Callable[[Session, Path, PageQuery, CipcoApp], int] | None = None


class LogScreen(CipcoScreen):
    """A log's list: queue tabs, filter, sort, counts, export, highlight after save."""

    SPEC: ClassVar[ListSpec]
    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings(
        "filter", "sort", "next_tab", "previous_tab", "back", "export"
    )

    def __init__(self) -> None:
        super().__init__()
        self._debounce: Timer | None = None
        self._relocating: int | None = None

    @property
    def spec(self) -> ListSpec:
        return self.SPEC

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------ parts

    def compose_body(self) -> ComposeResult:
        spec = self.spec
        if spec.queues:
            yield Tabs(
                *(Tab(label, id=f"q-{key}") for key, label in spec.queues.items()),
                active=f"q-{spec.default_queue}",
                id="queue-tabs",
            )
        yield Input(placeholder=spec.filter_hint, id="filter")
        queue = None if spec.default_queue == ALL else spec.default_queue
        yield RecordTable(
            spec.columns,
            load_page=self._load_page,
            row_cells=spec.cells,
            noun=spec.noun,
            empty_message=spec.empty,
            query=PageQuery(queue=queue, limit=200),
            id="records",
        )
        yield Static("", classes="status-line", id="status-line")

    @property
    def where(self) -> str:
        return self.spec.where

    def on_mount(self) -> None:
        self.records.focus()

    @property
    def records(self) -> RecordTable:
        return self.query_one("#records", RecordTable)

    # ------------------------------------------------------------ data

    def _load_page(self, query: PageQuery) -> Page[Any]:
        """Runs in the table's worker: one snapshot gives the page and the queue counts."""
        spec, app = self.spec, self.cipco
        with app.reading() as session:
            counts = None
            if query.offset == 0 and spec.counts is not None:
                counts = spec.counts(session, app.clock, query)
            page = spec.page(session, query, app.clock, counts)
        if query.offset == 0:
            app.call_from_thread(self._show_counts, counts or {}, query, page.total)
        return page

    def _show_counts(self, counts: Counts, query: PageQuery, total: int) -> None:
        if not self.is_attached:
            return
        spec = self.spec
        for tabs in self.query("#queue-tabs").results(Tabs):
            for key, label in spec.queues.items():
                if key in counts:
                    tabs.query_one(f"#q-{key}", Tab).label = f"{label} ({counts[key]:,})"
        line = spec.status(counts, query, total) if spec.status else f"{total:,} {spec.noun}"
        self.query_one("#status-line", Static).update(Text(line, no_wrap=True, overflow="ellipsis"))

    def refresh_data(self) -> None:
        """Re-read the loaded rows and the counts, keeping the highlight."""
        try:
            records = self.records
        except NoMatches:
            return
        if records.first_pages_shown:
            records.reload(keep_cursor=True)

    def on_screen_resume(self) -> None:
        """Back into view: what was out of view may have changed."""
        self.refresh_data()

    # ------------------------------------------------------------ the highlighted record

    def current(self, noun: str = "") -> Any | None:
        row = self.records.current_row
        if row is None:
            self.notify(f"No {noun or 'record'} highlighted", severity="warning")
        return row

    def open_form(self, form: Screen[Any]) -> None:
        """Push a form; when it saves, re-read and highlight the record it saved."""
        self.app.push_screen(form, self.after_form)

    def after_form(self, result: Any) -> None:
        if isinstance(result, Saved):
            if result.message:
                self.notify(result.message, markup=False)
            if isinstance(result.key, int):
                self.records.reload(select=result.key)
                return
        if result:
            self.refresh_data()

    @on(RecordTable.Loaded, "#records")
    def _loaded(self, event: RecordTable.Loaded) -> None:
        missing = event.missing
        if missing is None:
            self._relocating = None
            return
        query = self.records.query_state
        if self._relocating != missing and (query.text or (query.queue or ALL) != ALL):
            self._relocating = missing  # not in this queue or filter: show it under All
            self.notify("Showing All: the record saved is not in that queue or filter")
            box = self.query_one("#filter", Input)
            box.value = ""
            box.remove_class("-visible")
            self._select_tab(ALL)
            self.records.query_state = PageQuery(sort=query.sort, descending=query.descending)
            self.records.reload(select=missing)

    @on(RecordTable.Opened, "#records")
    def _opened(self, event: RecordTable.Opened) -> None:
        row = next((r for r in self.records.rows if r.id == event.key), None)
        if row is not None:
            self.open_row(row)

    def open_row(self, row: Any) -> None:
        """Enter on a row. Logs with a record page override this."""

    def action_open(self) -> None:
        row = self.current()
        if row is not None:
            self.open_row(row)

    # ------------------------------------------------------------ queues

    def current_queue(self) -> str:
        return self.records.query_state.queue or ALL

    def choose_queue(self, key: str) -> None:
        queue = None if key == ALL else key
        if queue != self.records.query_state.queue:
            self.records.set_query(queue=queue)

    @on(Tabs.TabActivated, "#queue-tabs")
    def _queue_tab_activated(self, event: Tabs.TabActivated) -> None:
        self.choose_queue((event.tab.id or f"q-{ALL}").removeprefix("q-"))

    def _select_tab(self, key: str) -> None:
        for tabs in self.query("#queue-tabs").results(Tabs):
            tabs.active = f"q-{key}"

    def _step_queue(self, step: int) -> None:
        order = list(self.spec.queues)
        if not order:
            return
        current = self.current_queue()
        index = (order.index(current) + step) % len(order) if current in order else 0
        self._select_tab(order[index])

    def action_next_tab(self) -> None:
        self._step_queue(1)

    def action_previous_tab(self) -> None:
        self._step_queue(-1)

    # ------------------------------------------------------------ filter and sort

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-visible")
        box.focus()
        self.refresh_bindings()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        text = event.value
        if text == self.records.query_state.text:
            return
        self._debounce = self.set_timer(
            FILTER_DEBOUNCE_SECONDS, lambda: self.records.set_query(text=text)
        )

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.records.focus()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "back":  # on a list, esc clears the filter: only while there is one
            boxes = self.query("#filter").results(Input)
            return any(b.has_class("-visible") or b.value for b in boxes)
        return True

    def action_back(self) -> None:
        """Escape on a list clears the filter."""
        box = self.query_one("#filter", Input)
        if self._debounce is not None:
            self._debounce.stop()
        if box.value or self.records.query_state.text:
            self.records.set_query(text="")
            box.value = ""
        box.remove_class("-visible")
        self.records.focus()
        self.refresh_bindings()

    def action_sort(self) -> None:
        from cipco.screens.modals import SortChooser

        records = self.records
        query = records.query_state
        choices = []
        for column in records.sortable:
            mark = ""
            if column.key == query.sort:
                mark = "  ▼ (again: ▲)" if query.descending else "  ▲ (again: ▼)"
            choices.append((f"{column.label}{mark}", column.key))
        self.app.push_screen(
            SortChooser("Sort by (s again: the highlighted one)", choices, current=query.sort),
            lambda key: records.sort_by(key) if key else None,
        )

    # ------------------------------------------------------------ export

    def action_export(self) -> None:
        """Export exactly what is shown: this queue, filter and sort."""
        spec = self.spec
        if spec.export is None:
            self.notify(f"The {spec.noun} list has no export", severity="warning")
            return
        query = self.records.query_state
        export = spec.export
        app = self.cipco
        self.export_file(
            spec.noun.replace(" ", "-"),
            lambda session, path: export(session, path, query, app),
            spec.noun,
        )
