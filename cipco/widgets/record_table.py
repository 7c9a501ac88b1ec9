"""RecordTable: the one table widget every log uses.

It never loads a whole table. It asks its ``load_page`` function (run in a thread worker)
for one page and the total count, fetches the next page as the cursor nears the end, and
shows "N of M" in its border. Filtering and sorting are pushed down to SQL through the
:class:`~cipco.services.paging.PageQuery` it passes.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.widgets.data_table import ColumnKey

from cipco.services.paging import Page, PageQuery
from cipco.text import safe_cell
from cipco.widgets.errors import ReportsWorkerErrors

PAGE_SIZE = 200
FIRST_PAGE_SIZE = 60  # about a screenful: first paint costs the same at 100 or 100,000 rows
PREFETCH_MARGIN = 40


@dataclass(frozen=True)
class TableColumn:
    """A column: ``width`` is the least it gets; spare width goes to columns that ``grow``."""

    key: str
    label: str
    width: int | None = None
    sortable: bool = True
    grow: bool = True


class RecordTable(ReportsWorkerErrors, Vertical, can_focus=False):
    """A paged, SQL-backed table of records."""

    DEFAULT_CSS = """
    RecordTable { height: 1fr; border: round $primary-darken-2; }
    RecordTable > DataTable { height: 1fr; }
    RecordTable > .empty { height: auto; padding: 1 2; color: $text-muted; display: none; }
    RecordTable.-empty > .empty { display: block; }
    RecordTable.-empty > DataTable { height: 3; }
    """

    BINDINGS = [
        Binding("s", "sort", "Sort", tooltip="Sort by the current column (again to reverse)"),
    ]

    class Opened(Message):
        """Enter was pressed on a row."""

        def __init__(self, table: RecordTable, key: int) -> None:
            super().__init__()
            self.table = table
            self.key = key

        @property
        def control(self) -> RecordTable:
            return self.table

    class Loaded(Message):
        """A fresh first page arrived (totals may have changed)."""

        def __init__(self, table: RecordTable, total: int) -> None:
            super().__init__()
            self.table = table
            self.total = total

    def __init__(
        self,
        columns: Sequence[TableColumn],
        *,
        load_page: Callable[[PageQuery], Page[Any]],
        row_cells: Callable[[Any], list[Text]],
        row_key: Callable[[Any], int],
        noun: str = "records",
        empty_message: str = "Nothing here yet.",
        query: PageQuery | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.columns = list(columns)
        self._load_page = load_page
        self._row_cells = row_cells
        self._row_key = row_key
        self.noun = noun
        self.empty_message = empty_message
        self.query_state = query or PageQuery(limit=PAGE_SIZE)
        self.total = 0
        self.rows: list[Any] = []
        self._generation = 0
        self._fetching_more = False
        self.first_pages_shown = 0  # how many fresh first pages have been painted

    def compose(self) -> ComposeResult:
        table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(self.empty_message, classes="empty", markup=False)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        for column in self.columns:
            self.table.add_column(Text(column.label), key=column.key, width=column.width)
        self.reload()

    def on_resize(self) -> None:
        self.fit_columns()

    def fit_columns(self) -> None:
        """Share the spare width among growing columns, so wide terminals show more text."""
        table = self.table
        available = table.scrollable_content_region.width - 2  # room for the scrollbar
        padding = 2 * table.cell_padding
        fixed = sum((c.width or 8) + padding for c in self.columns)
        growing = [c for c in self.columns if c.grow and c.width]
        spare = max(0, available - fixed)
        weight = sum(c.width or 0 for c in growing) or 1
        given = 0
        for index, column in enumerate(growing):
            extra = (
                spare - given
                if index == len(growing) - 1
                else spare * (column.width or 0) // weight
            )
            given += extra
            table.columns[ColumnKey(column.key)].width = (column.width or 0) + extra
        table._require_update_dimensions = True  # no public API to re-measure columns
        table.refresh(layout=True)

    def focus(self, scroll_visible: bool = True) -> RecordTable:
        self.table.focus(scroll_visible)
        return self

    # ------------------------------------------------------------ querying

    def set_query(self, **changes: Any) -> None:
        """Change filter/queue/sort/extra and reload from the first page."""
        self.query_state = replace(self.query_state, offset=0, **changes)
        self.reload()

    def reload(self, *, keep_cursor: bool = False) -> None:
        """Fetch the first page again (e.g. after an edit or another process wrote)."""
        self._generation += 1
        self.loading = not self.rows
        keep = self.current_key if keep_cursor else None
        limit = max(FIRST_PAGE_SIZE, len(self.rows)) if keep_cursor else FIRST_PAGE_SIZE
        self._fetch(self._generation, replace(self.query_state, offset=0, limit=limit), keep)

    @work(thread=True, group="record-table-page", exit_on_error=False)
    def _fetch(self, generation: int, query: PageQuery, keep: int | None) -> None:
        page = self._load_page(query)
        self.app.call_from_thread(self._apply_page, generation, page, keep)

    def _apply_page(self, generation: int, page: Page[Any], keep: int | None) -> None:
        if generation != self._generation:
            return  # a newer query was issued meanwhile
        self.loading = False
        self._fetching_more = False
        table = self.table
        if page.offset == 0:
            self.rows = []
            table.clear()
        for row in page.rows:
            key = self._row_key(row)
            if str(key) in table.rows:
                continue
            self.rows.append(row)
            table.add_row(*map(safe_cell, self._row_cells(row)), key=str(key))
        self.total = page.total
        self.set_class(self.total == 0, "-empty")
        self._update_title()
        if page.offset == 0:
            self.first_pages_shown += 1
            if keep is not None and str(keep) in table.rows:
                table.move_cursor(row=table.get_row_index(str(keep)), scroll=True)
            self.post_message(self.Loaded(self, self.total))
            self._fetch_more()  # the rest of a full page, after the first paint

    def _update_title(self) -> None:
        shown = len(self.rows)
        more = f" (showing {shown})" if shown < self.total else ""
        self.border_title = f"{self.total:,} {self.noun}{more}"
        column = next((c for c in self.columns if c.key == self.query_state.sort), None)
        if column is not None:
            arrow = "▼" if self.query_state.descending else "▲"
            self.border_subtitle = f"sorted by {column.label} {arrow}"
        else:
            self.border_subtitle = ""

    def _maybe_fetch_more(self, cursor_row: int) -> None:
        if cursor_row >= len(self.rows) - PREFETCH_MARGIN:
            self._fetch_more()

    def _fetch_more(self) -> None:
        if self._fetching_more or len(self.rows) >= self.total:
            return
        self._fetching_more = True
        self._fetch(
            self._generation,
            replace(self.query_state, offset=len(self.rows), limit=PAGE_SIZE),
            None,
        )

    # ------------------------------------------------------------ events

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._maybe_fetch_more(event.cursor_row)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Opened(self, int(event.row_key.value)))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self._sort_by(str(event.column_key.value))

    def action_sort(self) -> None:
        if not self.columns:
            return
        column = self.columns[self.table.cursor_column]
        self._sort_by(column.key)

    def _sort_by(self, key: str) -> None:
        column = next((c for c in self.columns if c.key == key), None)
        if column is None or not column.sortable:
            self.notify("This column cannot be sorted", severity="warning")
            return
        descending = self.query_state.sort == key and not self.query_state.descending
        self.set_query(sort=key, descending=descending)

    @property
    def current_key(self) -> int | None:
        table = self.table
        if not self.rows or table.row_count == 0:
            return None
        try:
            key = table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value
        except Exception:
            return None
        return int(key) if key is not None else None

    @property
    def current_row(self) -> Any | None:
        key = self.current_key
        if key is None:
            return None
        return next((r for r in self.rows if self._row_key(r) == key), None)
