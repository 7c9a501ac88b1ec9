"""The one list screen: every log's list is a :class:`LogScreen` reading a :class:`ListSpec`.

What every list does the same way:

- queue tabs with counts (``[`` ``]``), a typed filter (``/``, ``esc`` clears it), a sort
  chooser over every column (``s``; choosing the sorted column again reverses it), counts in
  the status line, ``x`` exports exactly what is shown (queue, filter and sort);
- it re-reads when it comes back into view and when another window writes, so counts and
  statuses are never old;
- after a form saves, the highlight moves to the record just saved (switching to All and
  clearing the filter if that record is not in the current view), so the next key acts on it.

A log's list subclasses :class:`LogScreen`, sets ``VIEW`` (a :class:`ListView` naming its
log's ``LogSpec``, where the columns, queues, filter and sorting are declared) and adds its
record actions (each a line or two: which form to open for the highlighted row).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
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
from cipco.screens.cells import cells, severity_style
from cipco.screens.record_form import Saved
from cipco.services import logspec
from cipco.services.flags import Severity
from cipco.services.logspec import LogSpec
from cipco.services.paging import Page, PageQuery
from cipco.widgets.record_table import RecordTable, TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp
    from cipco.spreadsheets.exporting import ExportRequest

FILTER_DEBOUNCE_SECONDS = 0.2
ALL = "all"
EVERYTHING = "everything"  # the log's size, whatever the filter


def everything(counts: Counts, total: int) -> int:
    """How many records the log holds, filter or not (the M of "N of M")."""
    return int(counts.get(EVERYTHING, counts.get(ALL, total)))


Counts = dict[str, Any]  # queue counts by key (and any other facts the status line shows)


@dataclass(frozen=True)
class ListView:
    """What a list screen adds to its log's :class:`~cipco.services.logspec.LogSpec`.

    The columns, queues, filter, sorting, page and counts all come from the spec; the view
    says how the screen shows them: which columns go first on a narrow terminal (``keep``,
    1 = always), how a row is styled, the tabs' order, the empty and status lines, and what
    the export key writes.
    """

    log: str | LogSpec  # the LogSpec, or its name (``logspec.spec(log)``)
    keep: Mapping[str, int] = field(default_factory=dict)
    widths: Mapping[str, int] = field(default_factory=dict)  # narrower least widths than the spec's
    style: Callable[[Any], str] | None = None  # default: urgency, then dim when done
    texts: Mapping[str, Callable[[Any], str]] = field(default_factory=dict)  # cells it words
    tabs: Sequence[str] = ()  # queue keys in tab order ("all" included); default: all first
    more_tabs: Mapping[str, str] = field(default_factory=dict)  # tabs the screen fills itself
    default_queue: str = ALL
    empty: str = "Nothing here yet."
    status: Callable[[Counts, PageQuery, int], str] | None = None
    facts: Callable[[Session, Clock], Counts] | None = None  # more for the status line
    export: Callable[[PageQuery], ExportRequest] | None = None  # what x writes, as asked

    @property
    def spec(self) -> LogSpec:
        return self.log if isinstance(self.log, LogSpec) else logspec.spec(self.log)

    def columns(self) -> list[TableColumn]:
        return [
            TableColumn(
                c.key,
                c.label,
                self.widths.get(c.key, c.width),
                sortable=c.sortable,
                grow=c.grow,
                keep=self.keep.get(c.key, 5),
            )
            for c in self.spec.columns
        ]

    def queues(self) -> dict[str, str]:
        spec = self.spec
        if not spec.queues:
            return {}
        labels = {ALL: "All", **spec.queue_labels}
        return {key: labels[key] for key in (self.tabs or labels)} | dict(self.more_tabs)

    def table(
        self, load_page: Callable[[PageQuery], Page[Any]], empty: str, *, id: str
    ) -> RecordTable:
        """A table of this log's rows (a record page's own list: a clinic's agenda)."""
        columns = [replace(c, sortable=False) for c in self.columns()]
        return RecordTable(
            columns,
            load_page=load_page,
            row_cells=self.cells,
            noun=self.spec.words.plural,
            empty_message=empty,
            id=id,
        )

    def cells(self, row: Any) -> list[Text]:
        spec = self.spec
        if self.style is not None:
            style = self.style(row)
        else:
            style = severity_style(getattr(row, "severity", Severity.PENDING))
            if not style and spec.is_done(row):
                style = "dim"
        texts = self.texts
        return cells(
            [texts[c.key](row) if c.key in texts else c.cell(row) for c in spec.columns], style
        )


class LogScreen(CipcoScreen):
    """A log's list: queue tabs, filter, sort, counts, export, highlight after save."""

    VIEW: ClassVar[ListView]
    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings(
        "filter", "sort", "next_tab", "previous_tab", "back", "export"
    )

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """A log's list answers to the keys its LogSpec declares (from the one keymap)."""
        if "VIEW" in cls.__dict__:
            cls.BINDINGS = keymap.bindings(*cls.VIEW.spec.keys, "save_view")
        super().__init_subclass__(**kwargs)

    def __init__(self) -> None:
        super().__init__()
        self._debounce: Timer | None = None
        self._relocating: int | None = None
        self._view_shown: PageQuery | None = None  # the last first page's query
        self._log_size: int | None = None  # how many records the log holds (while unchanged)

    @property
    def view(self) -> ListView:
        return self.VIEW

    @property
    def spec(self) -> LogSpec:
        return self.VIEW.spec

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    # ------------------------------------------------------------ parts

    def compose_body(self) -> ComposeResult:
        view, spec = self.view, self.spec
        queues = view.queues()
        if queues:
            yield Tabs(
                *(Tab(label, id=f"q-{key}") for key, label in queues.items()),
                active=f"q-{view.default_queue}",
                id="queue-tabs",
            )
        yield Input(placeholder=spec.search_hint, id="filter")
        queue = None if view.default_queue == ALL else view.default_queue
        yield RecordTable(
            view.columns(),
            load_page=self._load_page,
            row_cells=view.cells,
            noun=spec.words.plural,
            empty_message=view.empty,
            query=PageQuery(queue=queue, limit=200),
            id="records",
        )
        yield Static("", classes="status-line", id="status-line")

    @property
    def where(self) -> str:
        return self.spec.words.title

    def on_mount(self) -> None:
        self.records.focus()

    @property
    def records(self) -> RecordTable:
        return self.query_one("#records", RecordTable)

    # ------------------------------------------------------------ data

    def _load_page(self, query: PageQuery) -> Page[Any]:
        """Runs in the table's worker: the page, its total and (usually) the queue counts
        from one snapshot.

        A keystroke in the filter whose total the search index can give (typed text alone,
        a list every record of which is indexed) shows its rows first: the queue counts
        and the status line follow from a worker of their own (:meth:`_count_later`).
        """
        spec, app = self.spec, self.cipco
        service = spec.service
        if query.offset:
            with app.reading() as session:
                return service.page(session, query, app.clock)
        self._note_view(query)
        with app.reading() as session:
            quick = service.indexed_count(session, query) if query.text else None
            counts: Counts = {}
            total = quick
            if quick is None:
                counts = self._counts(session, query)
                total = counts.get(query.queue or ALL) if spec.queues else None
            page = service.page(session, query, app.clock, total=total)
        if quick is None:
            app.call_from_thread(self._show_counts, counts, query, page.total)
        else:
            app.call_from_thread(self._count_later, query, page.total)
        return page

    def _note_view(self, query: PageQuery) -> None:
        """A re-read of the view already shown is after a change (a save, another window,
        coming back): the log's size is counted again. A new filter, queue or sort is not."""
        shown = replace(query, offset=0, limit=0)
        if shown == self._view_shown:
            self._log_size = None
        self._view_shown = shown

    def _counts(self, session: Session, query: PageQuery) -> Counts:
        """Each queue's count with the filter, the log's size when filtered, the facts."""
        view, spec, app = self.view, self.spec, self.cipco
        counts: Counts = {}
        if spec.queues:
            counts = spec.service.counts(session, app.clock, query.text)
        if query.text:  # "N of M": M is the whole log, not what the filter left
            size = self._log_size
            if size is None:
                size = self._log_size = spec.service.count(session, PageQuery(), app.clock)
            counts[EVERYTHING] = size
        if view.facts is not None:
            counts |= view.facts(session, app.clock)
        return counts

    def _count_later(self, query: PageQuery, total: int) -> None:
        """The queue counts and the status line for rows already shown (a newer query's
        counts supersede these; counts for a query no longer shown are dropped)."""

        def show(counts: Counts) -> None:
            shown = self.records.query_state
            if (shown.text, shown.queue) == (query.text, query.queue):
                self._show_counts(counts, query, total)

        self.read(lambda session: self._counts(session, query), show, group="queue-counts")

    def _show_counts(self, counts: Counts, query: PageQuery, total: int) -> None:
        if not self.is_attached:
            return
        view = self.view
        queues = view.queues()
        for tabs in self.query("#queue-tabs").results(Tabs):
            for key, label in queues.items():
                if key in counts:
                    tabs.query_one(f"#q-{key}", Tab).label = f"{label} ({counts[key]:,})"
        if view.status is not None:
            line = view.status(counts, query, total)
        else:
            line = f"{total:,} of {everything(counts, total):,} {self.spec.words.plural}"
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
        order = list(self.view.queues())
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

    # ------------------------------------------------------------ saved views

    def action_save_view(self) -> None:
        """Keep this list's queue, filter and sort under a name (services/views.py)."""
        from cipco.screens.modals import TextPromptScreen

        query = self.records.query_state
        log, app = self.spec.name, self.cipco

        def named(name: str | None) -> None:
            from cipco.services.views import save_view

            if name:
                self.write(
                    lambda session: (
                        f"View '{save_view(session, log, name, query, app.clock, app.actor).name}'"
                        " saved: ctrl+p and its name bring it back"
                    )
                )

        self.app.push_screen(
            TextPromptScreen("Save this view (queue, filter and sort) as", placeholder="a name"),
            named,
        )

    def apply_view(self, query: PageQuery) -> None:
        """Show a saved view: its queue's tab, its filter typed, its sort."""
        box = self.query_one("#filter", Input)
        if self._debounce is not None:
            self._debounce.stop()
        box.value = query.text
        box.set_class(bool(query.text), "-visible")
        self._select_tab(query.queue or ALL)
        self.records.set_query(
            text=query.text, queue=query.queue, sort=query.sort, descending=query.descending
        )
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

    def action_import_file(self) -> None:
        """A spreadsheet into this log: a dry run first, then the import on a yes."""
        from cipco.screens.import_screen import ImportScreen

        app = self.cipco
        self.app.push_screen(
            ImportScreen(app.engine, app.clock, app.actor, what=self.spec.name),
            lambda summary: self.refresh_data() if summary else None,
        )

    def action_export(self) -> None:
        """Export exactly what is shown: this queue, filter and sort."""
        from cipco.spreadsheets.logs import export_log

        view, spec, app = self.view, self.spec, self.cipco
        if view.export is None:
            self.notify(f"The {spec.words.plural} list has no export", severity="warning")
            return
        request = view.export(self.records.query_state)

        def job() -> str:
            done = export_log(app.engine, spec.name, request, clock=app.clock, actor=app.actor)
            return f"Exported {done.rows:,} {spec.words.plural} to {done.path}"

        self.export(job)
