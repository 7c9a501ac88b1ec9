"""The monthly report workbook: one sheet per table and a native Excel bar chart."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from cipco.clock import Clock
from cipco.db import read_scope
from cipco.outputs import OutputTarget
from cipco.services.reports import MonthlyReport, monthly_report
from cipco.spreadsheets.exporting import save_book
from cipco.spreadsheets.writer import (
    HEADER_FILL,
    HEADER_FONT,
    MARKING,
    About,
    is_formula_like,
    write_about_sheet,
)


def write_monthly_report(
    report: MonthlyReport, target: OutputTarget, *, clock: Clock, actor: str
) -> Path:
    """Write ``report`` to ``target`` (0600): Summary, By category (with a bar chart), ..."""
    from openpyxl import Workbook
    from openpyxl.chart import BarChart, Reference
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for table in report.tables:
        ws = wb.create_sheet(table.title[:31])
        ws.append(list(table.headers))
        for cell in ws[1]:
            cell.font = HEADER_FONT
            cell.fill = HEADER_FILL
        for values in table.rows:
            ws.append(list(values))
            for cell in ws[ws.max_row]:
                if isinstance(cell.value, str) and is_formula_like(cell.value):
                    cell.data_type = "s"
        ws.freeze_panes = "A2"
        last = get_column_letter(len(table.headers))
        ws.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
        ws.column_dimensions["A"].width = 48
        for index in range(2, len(table.headers) + 1):
            ws.column_dimensions[get_column_letter(index)].width = 14
        if table.title == "By category" and table.rows:
            chart = BarChart()
            chart.type = "bar"
            chart.title = f"Referrals by category, {report.month:%B %Y}"
            chart.y_axis.title = "Referrals"
            chart.legend = None
            data = Reference(ws, min_col=2, min_row=1, max_row=len(table.rows) + 1)
            labels = Reference(ws, min_col=1, min_row=2, max_row=len(table.rows) + 1)
            chart.add_data(data, titles_from_data=True)
            chart.set_categories(labels)
            chart.height = max(7.5, 0.6 * len(table.rows) + 3)
            chart.width = 22
            ws.add_chart(chart, "D2")
    write_about_sheet(
        wb,
        About(
            what=report.title,
            generated_at=clock.now(),
            generated_by=actor,
            filters={"month": f"{report.month:%m/%Y}"},
            notes=[f"{MARKING}: figures for the Regional Security Lead."],
        ),
    )
    return save_book(target, wb)


def write_monthly(
    engine: Engine, month: date, target: OutputTarget, *, clock: Clock, actor: str
) -> tuple[Path, MonthlyReport]:
    """The month's figures (read in one snapshot) written to ``target``: (path, figures)."""
    with read_scope(engine, clock=clock) as session:
        report = monthly_report(session, month, clock)
    return write_monthly_report(report, target, clock=clock, actor=actor), report
