"""Region (7): every prison this login reads, side by side.

SOC Band 1 and 2 nominals first (one person per prison number, with what each prison knows
of them), then, on their own tabs (``]``/``[``), the trigger points the regional SOC unit is
to be told of, releases within 8 months and each prison's figures with what is overdue. The
nominals are read first, in their own worker, so they are on screen before the figures
(which read every prison's referrals) have been worked out. On a prison's own file or login
the view shows that one prison.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import DataTable, Static, TabbedContent, TabPane

from cipco.dates import format_date, format_datetime
from cipco.screens import keymap
from cipco.screens.base import CipcoScreen
from cipco.text import literal

if TYPE_CHECKING:
    from cipco.services.regional import Nominal, People, Release, SiteColumn, TriggerPoint

NOMINAL_COLUMNS = ("Band", "Prison no.", "Name", "Now at", "Release", "By prison")
POINT_COLUMNS = ("State", "Tell by", "Prison", "Prison no.", "Name", "Event", "Happened")
RELEASE_COLUMNS = ("Release", "Days", "Prison", "Prison no.", "Name", "Band")
STATE_STYLE = {"overdue": "bold red", "due": "bold", "told": "dim"}
TABS = ("regional-nominals", "regional-points", "regional-releases", "regional-prisons")


def _table(table_id: str, columns: tuple[str, ...]) -> DataTable[Text]:
    table: DataTable[Text] = DataTable(cursor_type="row", zebra_stripes=True, id=table_id)
    table.add_columns(*columns)
    return table


class RegionalScreen(CipcoScreen):
    WHERE = "Region"
    BINDINGS = [
        keymap.binding("next_tab", show=True),
        keymap.binding("previous_tab"),
        *keymap.bindings("person"),
    ]
    DEFAULT_CSS = """
    RegionalScreen #regional-summary { height: auto; padding: 0 1; }
    RegionalScreen TabbedContent { height: 1fr; }
    RegionalScreen TabPane { padding: 0; }
    RegionalScreen DataTable { height: 1fr; }
    """

    def __init__(self) -> None:
        super().__init__()
        self.nominals: dict[str, Nominal] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("Reading the region…", id="regional-summary")
        with TabbedContent(id="regional-tabs"):
            with TabPane("Nominals", id=TABS[0]):
                yield _table("regional-nominal-table", NOMINAL_COLUMNS)
            with TabPane("Trigger points", id=TABS[1]):
                yield _table("regional-point-table", POINT_COLUMNS)
            with TabPane("Releases", id=TABS[2]):
                yield _table("regional-release-table", RELEASE_COLUMNS)
            with TabPane("Prisons", id=TABS[3]):
                yield _table("regional-prison-table", ("Prison",))

    def on_mount(self) -> None:
        super().on_mount()
        self.refresh_data()
        self.query_one("#regional-nominal-table", DataTable).focus()

    def refresh_data(self) -> None:
        from cipco.services.regional import people

        clock = self.cipco.clock
        self.read(
            lambda session: people(session, clock), self._show_people, group="regional-people"
        )

    def _read_prisons(self) -> None:
        from cipco.services.measures import Period
        from cipco.services.regional import site_columns

        clock = self.cipco.clock
        period = Period.last_complete_month(clock)
        self.read(
            lambda session: (period, site_columns(session, period, clock)),
            self._show_prisons,
            group="regional-prisons",
        )

    # ------------------------------------------------------------ showing

    def _show_people(self, found: People) -> None:
        people = found.nominals
        self.nominals = {n.nomis_number: n for n in people}
        table: DataTable[Text] = self.query_one("#regional-nominal-table", DataTable)
        chosen = table.cursor_row
        table.clear()
        for n in people:
            table.add_row(
                literal(str(n.band), "bold" if n.band == 1 else ""),
                literal(n.nomis_number),
                literal(n.name),
                literal(n.current.site),
                literal(format_date(n.release_date) if n.release_date else ""),
                literal(" · ".join(h.text for h in n.history)),
                key=n.nomis_number,
            )
        if people:
            table.move_cursor(row=min(max(chosen, 0), len(people) - 1))
        self._fill_points(found.trigger_points)
        self._fill_releases(found.releases)
        summary = found.summary
        nominal_words, late_words, release_words = summary.parts
        self.query_one("#regional-summary", Static).update(
            Text.assemble(
                f"{nominal_words} · ",
                (late_words, "bold red" if summary.notifications_overdue else ""),
                f" · {release_words} · ] next tab",
            )
        )
        self._read_prisons()  # after the nominals are on screen

    def _fill_points(self, points: list[TriggerPoint]) -> None:
        table: DataTable[Text] = self.query_one("#regional-point-table", DataTable)
        table.clear()
        for p in points:
            table.add_row(
                literal(p.state, STATE_STYLE.get(p.state, "")),
                literal(format_date(p.notify_due_on) if p.notify_due_on else ""),
                literal(p.site),
                literal(p.nomis_number),
                literal(p.name),
                literal(p.what),
                literal(format_datetime(p.happened_at)),
            )

    def _fill_releases(self, leaving: list[Release]) -> None:
        table: DataTable[Text] = self.query_one("#regional-release-table", DataTable)
        table.clear()
        for r in leaving:
            table.add_row(
                literal(format_date(r.release_date)),
                literal(str(r.days)),
                literal(r.site),
                literal(r.nomis_number),
                literal(r.name),
                literal(str(r.band)),
            )

    def _show_prisons(self, found: tuple[Any, list[SiteColumn]]) -> None:
        from cipco.services.regional import SITE_MEASURES, region_overdue, region_total
        from cipco.services.regional_report import SHORT

        period, columns = found
        table: DataTable[Text] = self.query_one("#regional-prison-table", DataTable)
        table.clear(columns=True)
        table.add_columns(f"{period.label}", *(c.site.code for c in columns), "Region")
        for index, key in enumerate(SITE_MEASURES):
            table.add_row(
                literal(SHORT[key]),
                *(literal(c.figures[index].text) for c in columns),
                literal(region_total(columns, index)),
            )
        table.add_row(
            literal("Late now, all logs", "bold"),
            *(literal(f"{c.overdue_total:,}") for c in columns),
            literal(f"{region_overdue(columns):,}"),
        )

    # ------------------------------------------------------------ keys

    def _step_tab(self, step: int) -> None:
        tabs = self.query_one(TabbedContent)
        index = TABS.index(tabs.active) if tabs.active in TABS else 0
        tabs.active = TABS[(index + step) % len(TABS)]
        pane = self.query_one(f"#{tabs.active}", TabPane)
        pane.query_one(DataTable).focus()

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)

    def action_person(self) -> None:
        """The highlighted nominal's page at this prison (where this login has them)."""
        table: DataTable[Any] = self.query_one("#regional-nominal-table", DataTable)
        if not self.nominals or table.cursor_row < 0 or not table.has_focus:
            return
        key = table.coordinate_to_cell_key((table.cursor_row, 0)).row_key.value
        if key:
            self.cipco.open_person(str(key))
