"""``cipco report regional``: every prison this login reads, side by side (PDF and workbook)."""

from __future__ import annotations

from typing import Any

from cipco.cli import report_app
from cipco.cli.common import echo
from cipco.cli.documents import MonthOpt, _month, write_document
from cipco.cli.exports import writer
from cipco.cli.options import OutOpt, OverwriteOpt


@report_app.command("regional")
def report_regional(
    month: MonthOpt = None, out: OutOpt = None, overwrite: OverwriteOpt = False
) -> None:
    """The region: SOC nominals, trigger points, releases and each prison's figures.

    SOC Band 1/2 nominals across prisons, trigger points the regional SOC unit is still to be
    told of, releases within 8 months, each prison's figures and overdue counts side by side."""
    from cipco.documents.regional import write_regional

    period = _month(month)
    name = f"regional-{period.start:%Y-%m}"
    written = write_document(name, out, overwrite, writer(write_regional, period))
    _print(written.view)
    echo(f"Regional report written to {written.pdf} and {written.workbook}")


# Narrow headings for a terminal (the report's own are in regional_report.SHORT).
TERMINAL = {
    "referrals_made": "Ref",
    "r1_police_contact": "R1",
    "r5_adjudication": "R5",
    "r7_victims": "R7",
    "charges": "Chg",
    "convictions": "Conv",
    "open_at_end": "Open",
}


def _compact(figure: Any) -> str:
    """``7/9`` for a rate (``-`` when nothing to measure), the count otherwise."""
    if figure.measure.kind == "rate":
        return f"{figure.value}/{figure.of}" if figure.of else "-"
    return figure.text


def _print(view: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    from cipco.services.regional import SITE_MEASURES
    from cipco.services.regional_report import SHORT
    from cipco.text import literal

    console = Console(highlight=False)
    console.print(literal(f"Regional report: {view.period.label}"), style="bold")
    table = Table(title="Figures by prison (basis: see the report)", title_justify="left")
    table.add_column("Prison")
    for key in SITE_MEASURES:
        table.add_column(TERMINAL.get(key, SHORT[key]), justify="right")
    table.add_column("Overdue now", justify="right")
    for column in view.columns:
        table.add_row(
            literal(column.site.code),
            *(literal(_compact(f)) for f in column.figures),
            f"{column.overdue_total:,}",
        )
    console.print(table)
    console.print(view.summary.text)
