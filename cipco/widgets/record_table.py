"""RecordTable: the one table widget every log uses.

It never loads a whole table. It asks its ``load_page`` function (run in a thread worker)
for one page and the total count, fetches the next page as the cursor nears the end, and
shows "N of M" in its border. Filtering and sorting are pushed down to SQL through the
:class:`~cipco.services.paging.PageQuery` it passes.

On a narrow terminal the columns that matter least (highest ``keep``) are left out, so the
ones that matter (a reference, the status, what is due next) stay on screen rather than off
its right edge. After a save, ``reload(select=key)`` puts the highlight on that record,
fetching further pages to find it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.widgets.data_table import CellDoesNotExist, ColumnKey
from textual.worker import get_current_worker

from cipco.services.paging import Page, PageQuery
from cipco.text import safe_cell
from cipco.widgets.errors import ReportsWorkerErrors
from cipco.widgets.row_table import RowTable

PAGE_SIZE = 200
FIRST_PAGE_SIZE = 60  # about a screenful: first paint costs the same at 100 or 100,000 rows
PREFETCH_MARGIN = 40
LOCATE_LIMIT = 5_000  # how far to page to put the highlight on a record just saved


@dataclass(frozen=True)
class TableColumn:
    """A column: ``width`` is the least it gets; spare width goes to columns that ``grow``.

    ``keep`` ranks columns for narrow terminals: 1 always shows, higher numbers go first.
    """

    key: str
    label: str
    width: int = 8
    sortable: bool = True
    grow: bool = True
    keep: int = 5


def fitting_columns(columns: Sequence[TableColumn], available: int, padding: int) -> list[int]:
    """Indexes of the columns that fit in ``available`` cells, most needed first, in order."""
    chosen: set[int] = set()
    used = 0
    for index in sorted(range(len(columns)), key=lambda i: (columns[i].keep, i)):
        need = columns[index].width + padding
        if used + need <= available or not chosen:
            chosen.add(index)
            used += need
    return sorted(chosen)


class RecordTable(ReportsWorkerErrors, Vertical, can_focus=False):
    """A paged, SQL-backed table of records."""

    DEFAULT_CSS = """
    RecordTable { height: 1fr; border: round $primary-darken-2; }
    RecordTable > DataTable { height: 1fr; }
    RecordTable > .empty { height: auto; padding: 1 2; color: $text-muted; display: none; }
    RecordTable.-empty > .empty { display: block; }
    RecordTable.-empty > DataTable { height: 3; }
    """

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

        def __init__(self, table: RecordTable, total: int, missing: int | None) -> None:
            super().__init__()
            self.table = table
            self.total = total
            self.missing = missing  # a record asked for with select= that is not in this view

        @property
        def control(self) -> RecordTable:
            return self.table

    def __init__(
        self,
        columns: Sequence[TableColumn],
        *,
        load_page: Callable[[PageQuery], Page[Any]],
        row_cells: Callable[[Any], list[Text]],
        row_key: Callable[[Any], int] = lambda row: int(row.id),
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
        self.shown: list[int] = list(range(len(self.columns)))
        self._generation = 0
        self._selecting: int | None = None  # a record to highlight once its page arrives
        self._fetching_more = False
        self.first_pages_shown = 0  # how many fresh first pages have been painted

    def compose(self) -> ComposeResult:
        table = RowTable(cursor_type="row", zebra_stripes=True)
        yield table
        yield Static(self.empty_message, classes="empty", markup=False)

    @property
    def table(self) -> DataTable[Text]:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self._add_columns()
        self.reload()

    def on_resize(self) -> None:
        self.fit_columns()

    # ------------------------------------------------------------ columns

    def _add_columns(self) -> None:
        for index in self.shown:
            column = self.columns[index]
            self.table.add_column(Text(column.label), key=column.key, width=column.width)

    def _available(self) -> int:
        return self.table.scrollable_content_region.width - 2  # room for the scrollbar

    def fit_columns(self) -> None:
        """Show the columns that fit; share the spare width among those that grow."""
        table = self.table
        available = self._available()
        if available <= 0:
            return
        padding = 2 * table.cell_padding
        shown = fitting_columns(self.columns, available, padding)
        if shown != self.shown:
            keep = self.current_key
            self.shown = shown
            table.clear(columns=True)
            self._add_columns()
            for row in self.rows:
                table.add_row(*self._cells(row), key=str(self._row_key(row)))
            self._move_to(keep)
        visible = [self.columns[i] for i in self.shown]
        fixed = sum(c.width + padding for c in visible)
        growing = [c for c in visible if c.grow]
        spare = max(0, available - fixed)
        weight = sum(c.width for c in growing) or 1
        given = 0
        for index, column in enumerate(growing):
            last = index == len(growing) - 1
            extra = spare - given if last else spare * column.width // weight
            given += extra
            table.columns[ColumnKey(column.key)].width = column.width + extra
        table._require_update_dimensions = True  # no public API to re-measure columns
        table.refresh(layout=True)

    def _cells(self, row: Any) -> list[Text]:
        """The shown columns' cells, cleaned of anything a terminal would act on."""
        cells = self._row_cells(row)
        return [safe_cell(cells[i]) for i in self.shown]

    def focus(self, scroll_visible: bool = True) -> RecordTable:
        self.table.focus(scroll_visible)
        return self

    # ------------------------------------------------------------ querying

    def set_query(self, **changes: Any) -> None:
        """Change filter/queue/sort/extra and reload from the first page."""
        self.query_state = replace(self.query_state, offset=0, **changes)
        self.reload()

    def reload(self, *, keep_cursor: bool = False, select: int | None = None) -> None:
        """Fetch the first page again (after an edit, or another window wrote).

        ``keep_cursor`` keeps the highlight on the same record; ``select`` moves it to a
        record (one just saved), paging on to find it.
        """
        self._generation += 1
        self.loading = not self.rows
        if select is None and keep_cursor and self._selecting is not None:
            select = self._selecting  # a refresh must not undo a highlight still on its way
        self._selecting = select
        target = select if select is not None else (self.current_key if keep_cursor else None)
        limit = max(FIRST_PAGE_SIZE, len(self.rows)) if keep_cursor else FIRST_PAGE_SIZE
        query = replace(self.query_state, offset=0, limit=limit)
        self._fetch(self._generation, query, target, select is not None)

    @work(thread=True, group="record-table-page", exit_on_error=False)
    def _fetch(self, generation: int, query: PageQuery, target: int | None, locate: bool) -> None:
        page = self._load_page(query)
        if locate and target is not None:
            page = self._locate(page, query, target)
        if not get_current_worker().is_cancelled:
            self.app.call_from_thread(self._apply_page, generation, page, target)

    def _locate(self, page: Page[Any], query: PageQuery, target: int) -> Page[Any]:
        """Page on until ``target`` is among the rows (or it is not in this view)."""
        rows = list(page.rows)
        while (
            all(self._row_key(r) != target for r in rows)
            and len(rows) < min(page.total, LOCATE_LIMIT)
            and page.rows
        ):
            page = self._load_page(replace(query, offset=len(rows), limit=PAGE_SIZE))
            rows.extend(page.rows)
        return Page(rows=rows, total=page.total, offset=0)

    def _apply_page(self, generation: int, page: Page[Any], target: int | None) -> None:
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
            table.add_row(*self._cells(row), key=str(key))
        self.total = page.total
        self.set_class(self.total == 0, "-empty")
        self._update_title()
        if page.offset == 0:
            self.first_pages_shown += 1
            self._selecting = None
            found = self._move_to(target)
            missing = target if target is not None and not found else None
            self.post_message(self.Loaded(self, self.total, missing))
            self._fetch_more()  # the rest of a full page, after the first paint

    def _move_to(self, key: int | None) -> bool:
        table = self.table
        if key is None or str(key) not in table.rows:
            return False
        table.move_cursor(row=table.get_row_index(str(key)), scroll=True)
        return True

    def _update_title(self) -> None:
        shown = len(self.rows)
        more = f" (first {shown:,} loaded, more as you scroll)" if shown < self.total else ""
        self.border_title = f"{self.total:,} {self.noun}{more}"
        column = next((c for c in self.columns if c.key == self.query_state.sort), None)
        if column is not None:
            arrow = "▼" if self.query_state.descending else "▲"
            self.border_subtitle = f"sorted by {column.label} {arrow}"
        else:
            self.border_subtitle = ""

    def _fetch_more(self) -> None:
        if self._fetching_more or len(self.rows) >= self.total:
            return
        self._fetching_more = True
        query = replace(self.query_state, offset=len(self.rows), limit=PAGE_SIZE)
        self._fetch(self._generation, query, None, False)

    # ------------------------------------------------------------ sorting

    @property
    def sortable(self) -> list[TableColumn]:
        return [c for c in self.columns if c.sortable]

    def sort_by(self, key: str) -> None:
        """Sort by a column; the column already sorted by is reversed."""
        if not any(c.key == key for c in self.sortable):
            self.notify("This column cannot be sorted", severity="warning")
            return
        descending = self.query_state.sort == key and not self.query_state.descending
        self.set_query(sort=key, descending=descending)

    # ------------------------------------------------------------ events

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        if event.cursor_row >= len(self.rows) - PREFETCH_MARGIN:
            self._fetch_more()

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        if event.row_key.value is not None:
            self.post_message(self.Opened(self, int(event.row_key.value)))

    def on_data_table_header_selected(self, event: DataTable.HeaderSelected) -> None:
        event.stop()
        self.sort_by(str(event.column_key.value))

    @property
    def current_key(self) -> int | None:
        table = self.table
        if not self.rows or table.row_count == 0:
            return None
        try:
            row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        except CellDoesNotExist:
            return None
        return int(row_key.value) if row_key.value is not None else None

    @property
    def current_row(self) -> Any | None:
        key = self.current_key
        if key is None:
            return None
        return next((r for r in self.rows if self._row_key(r) == key), None)
