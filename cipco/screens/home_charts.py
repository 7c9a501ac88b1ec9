"""The home screen's charts (textual-plotext): the last twelve months at a glance.

Three panels, each a chart with its title and, under it, the figure it draws in words from
:mod:`cipco.services.measures` (what a screen reader or a quick glance takes in): referrals
per month by category, the outcomes decided in the twelve months, and the share of the R1,
R5 and R7 deadlines met per month. The plots are mounted when the first figures arrive, so
plotext is not imported before the due list is on screen.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Container, Vertical, VerticalScroll
from textual.widgets import Static

from cipco.text import literal

if TYPE_CHECKING:
    from cipco.services.home_charts import HomeCharts

TITLES = {
    "categories": "Referrals per month by category",
    "outcomes": "Outcomes, last 12 months",
    "deadlines": "Deadlines met per month (%): R1, R5, R7",
}
NAME_WIDTH = 22  # a bar's name, cut to fit beside a 40-column chart
# 256-colour numbers: plotext draws with them and Rich writes the legend in the same colours
COLOURS = (33, 214, 41, 170, 81, 203)
GREY = 245  # "Other"
SHORT = {
    "NFA - evidential difficulties (victim supports)": "NFA evidential, v. supports",
    "NFA - evidential difficulties (victim does not support)": "NFA evidential, v. doesn't",
    "NFA - not in the public interest (police)": "NFA public int. (police)",
    "NFA - not in the public interest (CPS)": "NFA public int. (CPS)",
}
EMPTY = (
    "No charts yet: no referral, outcome or R1/R5/R7 deadline in the last twelve months "
    "({window}). They fill in as referrals are recorded."
)


def short_name(name: str, width: int = NAME_WIDTH) -> str:
    """A category or outcome cut to fit a legend: before any bracket or comma, then cut."""
    name = SHORT.get(name, name)
    for mark in (" (", ","):
        if mark in name[1:] and not name.startswith("NFA"):
            name = name[: name.index(mark, 1)]
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


class ChartsView(VerticalScroll):
    """The charts section: scrolls on a small terminal, a strip under the due list on a
    large one (the screen's ``-wide`` class lays the panels side by side)."""

    DEFAULT_CSS = """
    ChartsView { height: 1fr; }
    ChartsView #charts-note { height: auto; padding: 0 1; color: $text-muted; }
    ChartsView #charts-row { height: auto; }
    ChartsView .chart-panel { height: 16; width: 1fr; }
    ChartsView .chart-panel PlotextPlot { height: 1fr; }
    ChartsView .chart-panel Static { height: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.can_focus = True
        self.charts: HomeCharts | None = None

    def compose(self) -> ComposeResult:
        yield Static("Loading the charts…", id="charts-note")
        yield Container(id="charts-row")

    def show(self, charts: HomeCharts) -> None:
        self.charts = charts
        note = self.query_one("#charts-note", Static)
        row = self.query_one("#charts-row", Container)
        if charts.empty:
            note.update(literal(EMPTY.format(window=charts.window.label)))
            row.display = False
            return
        note.update(
            literal(
                f"{charts.window.label}: {charts.referrals.text} referrals, "
                f"{charts.outcomes.text} outcomes · " + " · ".join(d.text for d in charts.deadlines)
            )
        )
        row.display = True
        if not row.children:
            from textual_plotext import PlotextPlot

            for key in TITLES:
                panel = Vertical(PlotextPlot(id=f"plot-{key}"), Static(id=f"text-{key}"))
                panel.add_class("chart-panel")
                row.mount(panel)
            self.call_after_refresh(self._draw)
        else:
            self._draw()

    def _draw(self) -> None:
        charts = self.charts
        if charts is None or charts.empty:
            return
        self._categories(charts)
        self._outcomes(charts)
        self._deadlines(charts)

    def _plot(self, key: str) -> Any:
        from textual_plotext import PlotextPlot

        widget = self.query_one(f"#plot-{key}", PlotextPlot)
        plt = widget.plt
        plt.clear_data()
        plt.clear_figure()
        plt.title(TITLES[key])
        return widget, plt

    def _categories(self, charts: HomeCharts) -> None:
        from cipco.services.home_charts import OTHER

        widget, plt = self._plot("categories")
        months = [m[:3] for m in charts.months]  # "Dec": the axis has room for 12 of these
        colours = [
            GREY if s.name == OTHER else COLOURS[i % len(COLOURS)]
            for i, s in enumerate(charts.by_category)
        ]
        if charts.by_category:  # none referred in the twelve months: bare axes, 0 below
            plt.stacked_bar(
                months, [list(s.values) for s in charts.by_category], color=colours, width=0.6
            )
            tallest = max(
                sum(values) for values in zip(*(s.values for s in charts.by_category), strict=True)
            )
            plt.yticks(_whole_ticks(tallest))
        widget.refresh()
        legend = Text()
        for series, colour in zip(charts.by_category, colours, strict=True):
            legend.append("■ ", style=f"color({colour})")
            legend.append_text(
                literal(f"{short_name(series.name, 18)} {sum(series.values):,.0f}  ")
            )
        legend.append_text(
            literal(
                f"· {charts.referrals.text} referred {charts.window.label}, "
                f"{charts.this_month:,.0f} in {charts.months[-1]}"
            )
        )
        self.query_one("#text-categories", Static).update(legend)

    def _outcomes(self, charts: HomeCharts) -> None:
        widget, plt = self._plot("outcomes")
        parts = [(short_name(name), n) for name, n in charts.outcomes.parts if n]
        if parts:
            plt.bar(
                [name for name, _ in parts][::-1],
                [n for _, n in parts][::-1],
                orientation="horizontal",
                width=0.3,
                color=COLOURS[0],
            )
            plt.xticks(_whole_ticks(max(n for _, n in parts)))
        widget.refresh()
        self.query_one("#text-outcomes", Static).update(
            literal(f"{charts.outcomes.text} {charts.outcomes.basis}")
        )

    def _deadlines(self, charts: HomeCharts) -> None:
        widget, plt = self._plot("deadlines")
        legend = Text()
        for share, colour in zip(charts.deadlines, COLOURS, strict=False):
            points = [(i + 1, v) for i, v in enumerate(share.shares) if v is not None]
            if points:
                xs, ys = zip(*points, strict=True)
                plt.plot(list(xs), list(ys), marker="hd", color=colour)
            legend.append("■ ", style=f"color({colour})")
            legend.append_text(literal(f"{share.text}  "))
        plt.ylim(0, 100)
        plt.yticks([0, 25, 50, 75, 100])
        plt.xlim(0.5, len(charts.months) + 0.5)
        plt.xticks(list(range(1, len(charts.months) + 1, 2)), list(charts.months[::2]))
        widget.refresh()
        legend.append("met in time (months with nothing due are left out)")
        self.query_one("#text-deadlines", Static).update(legend)


def _whole_ticks(top: float, count: int = 5) -> list[int]:
    """Whole-number ticks from 0 to at least ``top`` (counts are never 2.5 referrals)."""
    step = max(1, -(-int(top) // (count - 1)))
    return list(range(0, int(top) + step + 1, step))[: count + 1]
