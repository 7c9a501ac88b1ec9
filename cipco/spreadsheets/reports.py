"""The monthly report workbook: one sheet per table and a native Excel bar chart."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy import Engine

from cipco.clock import Clock
from cipco.db import read_scope
from cipco.outputs import OutputTarget
from cipco.services.reports import MonthlyReport, monthly_report
from cipco.spreadsheets.writer import MARKING, About


def write_monthly_report(
    report: MonthlyReport, path: Path | OutputTarget, *, clock: Clock, actor: str
) -> Path:
    """Write ``report`` to ``path`` (0600): Summary, By category (with a bar chart), ..."""
    from cipco.spreadsheets.book import Book, get_column_letter

    book = Book(
        About(
            what=report.title,
            generated_at=clock.now(),
            generated_by=actor,
            filters={"month": f"{report.month:%m/%Y}"},
            notes=[f"{MARKING}: figures for the Regional Security Lead."],
        )
    )
    for table in report.tables:
        ws = book.sheet(table.title)
        book.header(ws, list(table.headers))
        for values in table.rows:
            book.append(ws, list(values))
        ws.freeze_panes = "A2"
        last = get_column_letter(len(table.headers))
        ws.auto_filter.ref = f"A1:{last}{len(table.rows) + 1}"
        if table.title == "By category" and table.rows:
            book.bar_chart(
                ws,
                title=f"Referrals by category, {report.month:%B %Y}",
                axis_title="Referrals",
                label_column=1,
                value_column=2,
                first_row=2,
                last_row=len(table.rows) + 1,
                anchor_column=len(table.headers) + 2,
            )
    return book.save(path)


def write_monthly(
    engine: Engine, month: date, target: OutputTarget, *, clock: Clock, actor: str
) -> tuple[Path, MonthlyReport]:
    """The month's figures (read in one snapshot) written to ``target``: (path, figures)."""
    with read_scope(engine, clock=clock) as session:
        report = monthly_report(session, month, clock)
    return write_monthly_report(report, target, clock=clock, actor=actor), report
