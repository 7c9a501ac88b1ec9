"""What every log's list screen shares: queue tabs with counts, a typed filter, one table.

A list screen subclasses :class:`LogScreen`, yields ``self.queue_tabs()``, ``self.filter_box()``
and one :class:`RecordTable`, and sets ``QUEUE_ORDER`` and ``QUEUE_LABELS``. The keys are the
same on every log: ``/`` filter, ``escape`` clear it, ``[`` and ``]`` previous/next queue.
"""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input, Tab, Tabs

from cipco.widgets.errors import ReportsWorkerErrors
from cipco.widgets.record_table import RecordTable

FILTER_DEBOUNCE_SECONDS = 0.2
ALL = "all"


class LogScreen(ReportsWorkerErrors, Screen[None]):
    """Base for the paged list screen of a log."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("slash", "filter", "Filter", key_display="/"),
        Binding("right_square_bracket", "next_queue", "Next queue", key_display="]", show=False),
        Binding("left_square_bracket", "previous_queue", "Prev queue", key_display="[", show=False),
        Binding("escape", "clear_filter", "Clear filter", show=False),
    ]
    QUEUE_ORDER: ClassVar[list[str]] = [ALL]
    QUEUE_LABELS: ClassVar[dict[str, str]] = {ALL: "All"}
    FILTER_PLACEHOLDER: ClassVar[str] = "Filter"

    def __init__(self) -> None:
        super().__init__()
        self._debounce: Timer | None = None

    # ------------------------------------------------------------ parts to compose

    def queue_tabs(self) -> Tabs:
        return Tabs(
            *(Tab(self.tab_label(key, None), id=f"q-{key}") for key in self.QUEUE_ORDER),
            id="queue-tabs",
        )

    def filter_box(self) -> Input:
        return Input(placeholder=self.FILTER_PLACEHOLDER, id="filter")

    @property
    def records(self) -> RecordTable:
        return self.query_one(RecordTable)

    def tab_label(self, key: str, count: int | None) -> str:
        name = self.QUEUE_LABELS.get(key, key)
        return f"{name} ({count:,})" if count is not None else name

    def show_queue_counts(self, counts: dict[str, int]) -> None:
        """Put each queue's count in its tab label (keys missing from ``counts`` stay)."""
        tabs = self.query_one("#queue-tabs", Tabs)
        for key in self.QUEUE_ORDER:
            if key in counts:
                tabs.query_one(f"#q-{key}", Tab).label = self.tab_label(key, counts[key])

    def refresh_data(self) -> None:
        """Another process wrote: re-read the visible page, keeping the cursor."""
        try:
            records = self.records
            records.table  # noqa: B018 - not mounted yet if this raises
        except NoMatches:
            return
        records.reload(keep_cursor=True)

    # ------------------------------------------------------------ queues

    def current_queue(self) -> str:
        return self.records.query_state.queue or ALL

    def choose_queue(self, key: str) -> None:
        """A queue tab was chosen. Screens with special tabs override this."""
        queue = None if key == ALL else key
        if queue != self.records.query_state.queue:
            self.records.set_query(queue=queue)

    @on(Tabs.TabActivated, "#queue-tabs")
    def _queue_tab_activated(self, event: Tabs.TabActivated) -> None:
        self.choose_queue((event.tab.id or f"q-{ALL}").removeprefix("q-"))

    def select_queue(self, key: str) -> None:
        self.query_one("#queue-tabs", Tabs).active = f"q-{key}"

    def _step_queue(self, step: int) -> None:
        order = self.QUEUE_ORDER
        current = self.current_queue()
        index = (order.index(current) + step) % len(order) if current in order else 0
        self.select_queue(order[index])

    def action_next_queue(self) -> None:
        self._step_queue(1)

    def action_previous_queue(self) -> None:
        self._step_queue(-1)

    # ------------------------------------------------------------ filter

    def apply_filter(self, text: str) -> None:
        self.records.set_query(text=text)

    def action_filter(self) -> None:
        box = self.query_one("#filter", Input)
        box.add_class("-visible")
        box.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        if self._debounce is not None:
            self._debounce.stop()
        text = event.value
        self._debounce = self.set_timer(FILTER_DEBOUNCE_SECONDS, lambda: self.apply_filter(text))

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        self.records.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#filter", Input)
        if box.value:
            box.value = ""
            self.apply_filter("")
        box.remove_class("-visible")
        self.records.focus()
