"""Reports a manager can trust: every figure with its basis, and tables that add up."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import read_scope
from cipco.services.bootstrap import prepare
from cipco.services.measures import Period
from cipco.services.returns import KINDS, build_report
from tests.pdf_helpers import read_pages

runner = CliRunner()
OCT = Period.month(date(2026, 10, 1))


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


@pytest.mark.parametrize("kind", KINDS)
def test_the_tables_agree_with_the_summary(demo_db: Path, clock: FixedClock, kind: str) -> None:
    period = Period.week(date(2026, 10, 14)) if kind == "weekly" else OCT
    engine = prepare(demo_db)
    with read_scope(engine, clock=clock) as session:
        report = build_report(session, kind, period, clock)
    engine.dispose()
    for figure in [*report.summary, report.by_category, report.outcomes]:
        figure.check()
        assert figure.period == period
    outcomes = dict(report.outcomes.parts)
    assert report.by_category.value == report.figure("referrals_made").value
    if kind != "weekly" or "charges" in {f.key for f in report.summary}:
        assert outcomes.get("Charged/summonsed", 0) == report.figure("charges").value
        assert outcomes.get("Court: convicted", 0) == report.figure("convictions").value
    for key, series in report.trend.items():
        assert [f.period for f in series] == report.trend_periods
        assert series[-1].value == next(
            (f.value for f in report.summary if f.key == key), series[-1].value
        )
    if kind == "monthly":
        assert report.figure("referrals_made").value > 0  # the demo month is not empty


def test_the_performance_return_prints_each_figure_beside_its_basis(
    demo_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "return.pdf"
    result = runner.invoke(
        app,
        ["--db", str(demo_db), "report", "performance", "--month", "2026-10", "--out", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "referred to police in the month" in result.output  # the terminal says it too
    engine = prepare(demo_db)
    with read_scope(engine, clock=state.get_clock()) as session:
        report = build_report(session, "performance", OCT, state.get_clock())
    engine.dispose()
    pages = read_pages(out)
    for page in pages:
        assert f"page {page.number} of {len(pages)} · OFFICIAL-SENSITIVE" in page.bottom
    text = " ".join(page.text for page in pages)
    assert "Crime in prison performance return, October 2026" in pages[0].text
    for figure in report.summary:
        assert f"{figure.text} {figure.basis}" in text, figure.key
    for rule in ("R1", "R5", "R7"):
        assert f"{rule}:" in text
    book = load_workbook(out.with_suffix(".xlsx"))
    summary = {
        row[0]: (row[1], row[2])
        for row in book["Summary"].iter_rows(values_only=True)
        if row[0] and row[2]
    }
    made = report.figure("referrals_made")
    assert summary["Referrals made"] == (made.text, made.basis)
    categories = list(book["Referrals by category"].iter_rows(values_only=True))
    total = next(row for row in categories if row[0] == "Total")
    counted = [row[1] for row in categories if isinstance(row[1], int) and row[0] != "Total"]
    assert total[1] == sum(counted) == made.value
    trend = book["Trend"]
    assert len(trend._charts) == 2  # native charts: counts, and time limits met
    assert {type(chart).__name__ for chart in trend._charts} == {"BarChart"}


def test_weekly_takes_any_day_of_its_week(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "week"
    result = runner.invoke(
        app, ["--db", str(demo_db), "report", "weekly", "--week", "14/10/2026", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Police referrals, week of 12/10/2026" in result.output
    cover = read_pages(out.with_suffix(".pdf"))[0].text
    assert "week of 12/10/2026 (12/10/2026 to 18/10/2026)" in cover
    assert out.with_suffix(".xlsx").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["report", "monthly", "--month", "Oct"], "--month 'Oct': expected YYYY-MM"),
        (["report", "weekly", "--week", "31/02/2026"], "--week"),
        (["report", "performance", "--out", "x.csv"], "give a name ending .pdf"),
    ],
)
def test_bad_report_options_are_one_sentence(demo_db: Path, args: list[str], message: str) -> None:
    result = runner.invoke(app, ["--db", str(demo_db), *args])
    assert result.exit_code == 2, result.output
    assert message in result.output and len(result.output.strip().splitlines()) == 1
