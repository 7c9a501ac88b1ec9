"""Every workbook cipco writes prints properly: read its print settings back with openpyxl.

For every export, report, template, proforma, continuity record and reject workbook: A4,
fit to one page wide (fitToWidth 1, fitToHeight 0, fitToPage on), the header row repeated
on every page, OFFICIAL-SENSITIVE in the page header, "<what> · page N of M · <produced
at>" in the footer, sensible margins; wide sheets landscape; the proforma on one portrait
page; the monthly chart whole on one page; column widths and row heights from the content.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime
from itertools import pairwise
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.spreadsheets.writer import About, Column, SheetSpec, write_workbook
from tests.conftest import FROZEN_AT

runner = CliRunner()
FOOTER = re.compile(r"^(?P<what>.+) · page &P of &N · produced 18/11/2026 10:00$")


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


def run(db: Path, *args: str) -> None:
    result = runner.invoke(app, ["--db", str(db), *args])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output


def assert_prints(
    path: Path, *, one_page: bool = False, stacked: frozenset[str] = frozenset()
) -> dict[str, str]:
    """The print setup of every sheet; returns each sheet's orientation.

    ``stacked`` sheets (a document's sheet holding several titled parts) have no one header
    row to repeat; every other sheet repeats its header row.
    """
    book = load_workbook(path)
    orientations = {}
    for ws in book.worksheets:
        where = f"{path.name}!{ws.title}"
        setup = ws.page_setup
        assert ws.sheet_properties.pageSetUpPr.fitToPage, where
        assert setup.fitToWidth == 1, where
        assert setup.fitToHeight == (1 if one_page else 0), where
        assert setup.paperSize == 9, where  # A4
        assert setup.orientation in ("portrait", "landscape"), where
        if ws.title in stacked:
            assert ws.print_title_rows is None, where
        else:
            assert ws.print_title_rows in ("1:1", "1:2", "$1:$1", "$1:$2"), where
        assert ws.oddHeader.center.text == "OFFICIAL-SENSITIVE", where
        footer = ws.oddFooter.center.text or ""
        assert FOOTER.match(footer), f"{where}: {footer!r}"
        assert len(footer) < 255, where
        margins = ws.page_margins
        assert 0.3 <= margins.left <= 0.8 and 0.5 <= margins.top <= 1.0, where
        orientations[ws.title] = setup.orientation
    return orientations


def test_every_export_and_report_prints(demo_db: Path, tmp_path: Path) -> None:
    import sqlite3

    with sqlite3.connect(demo_db) as conn:
        referral = conn.execute("SELECT reference FROM referral LIMIT 1").fetchone()[0]
        exhibit = conn.execute("SELECT reference FROM exhibit LIMIT 1").fetchone()[0]
    commands = {
        "referrals": ["export", "referrals"],
        "persons": ["export", "persons"],
        "exhibits": ["export", "exhibits"],
        "continuity": ["export", "continuity", exhibit],
        "mg4d": ["export", "mg4d"],
        "clinic": ["export", "clinic", "--latest"],
        "actions": ["export", "actions"],
        **{
            f"template-{log}": ["export", "template", log]
            for log in ("referrals", "persons", "exhibits", "mg4d", "actions")
        },
    }
    for name, args in commands.items():
        path = tmp_path / f"{name}.xlsx"
        run(demo_db, *args, "--out", str(path))
        orientations = assert_prints(path)
        if name == "referrals":  # 19 columns: too wide for portrait
            assert orientations["Referrals"] == "landscape"
            assert orientations["About"] == "portrait"
    proforma = tmp_path / "proforma.xlsx"
    run(demo_db, "export", "proforma", referral, "--out", str(proforma))
    assert assert_prints(proforma, one_page=True) == {"Referral proforma": "portrait"}


def test_reject_workbook_prints(engine: object, tmp_path: Path, clock: FixedClock) -> None:
    from openpyxl import Workbook

    from cipco.spreadsheets.logs import import_log

    source = tmp_path / "tracker.xlsx"
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Ref", "Prison No", "Name", "Incident Date", "Crime Type"])
    ws.append(["T1", "BAD", "Smith & Sons", "01/10/2026", "Drugs"])
    wb.save(source)
    rejects = tmp_path / "rejects.xlsx"
    summary = import_log(
        engine,  # type: ignore[arg-type]
        "referrals",
        source,
        clock=clock,
        actor="tester",
        rejects=rejects,
    )
    assert summary.rejected == 1
    assert_prints(rejects)


def test_footer_escapes_ampersands_and_stays_under_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    what = "Smith & Jones &P " + "long description " * 30
    write_workbook(
        path,
        [SheetSpec("Data", [Column("A")], [["x"]])],
        About(what, FROZEN_AT, "tester"),
    )
    raw = load_workbook(path)["Data"].HeaderFooter.oddFooter
    text = str(raw)  # the footer as Excel reads it
    assert "Smith && Jones &&P " in text
    assert len(text) < 255
    assert text.endswith("· page &P of &N · produced 18/11/2026 10:00")


def test_widths_come_from_the_content_and_headers_wrap(tmp_path: Path) -> None:
    path = tmp_path / "x.xlsx"
    long_note = "word " * 60
    write_workbook(
        path,
        [
            SheetSpec(
                "Data",
                [
                    Column("Number of the prison in the national system", 40),
                    Column("Notes", 40),
                    Column("Date of the incident", 20, "datetime"),
                ],
                [["A1234BC", long_note, datetime(2026, 1, 2, 3, 4)] for _ in range(300)],
            )
        ],
        About("Widths", FROZEN_AT, "tester"),
    )
    ws = load_workbook(path)["Data"]
    widths = {c: ws.column_dimensions[c].width for c in "ABC"}
    assert widths["A"] <= 14  # seven characters of content, the header wraps
    assert widths["B"] == 42  # the most it may be: longer notes wrap
    assert 17 <= widths["C"] <= 20  # a date and time never shows as ####
    assert ws.row_dimensions[1].height >= 45  # three lines of wrapped header
    assert ws["A1"].alignment.wrap_text
    assert ws["B2"].alignment.wrap_text
    assert ws.row_dimensions[2].height >= 60  # the note's lines fit
    assert not ws["A2"].alignment.wrap_text  # short text stays a plain cell
    assert ws.page_setup.orientation == "portrait"


@pytest.mark.parametrize("kind", ["monthly", "weekly", "performance"])
def test_reports_print_with_each_chart_whole_on_a_page(
    demo_db: Path, tmp_path: Path, kind: str
) -> None:
    from cipco.spreadsheets.printing import (
        PRINTABLE_LANDSCAPE_HEIGHT_PX,
        PRINTABLE_LANDSCAPE_PX,
        PX_PER_CM,
        column_pixels,
    )

    path = tmp_path / f"{kind}.xlsx"
    run(demo_db, "report", kind, "--out", str(path))
    book = load_workbook(path)
    stacked = frozenset({"Summary", "Time limits", "Trend"})
    orientations = assert_prints(path, stacked=stacked & set(book.sheetnames))
    assert orientations["Trend"] == "landscape"
    ws = book["Trend"]
    charts = ws._charts
    assert len(charts) == (1 if kind == "monthly" else 2)
    bottoms = []
    for chart in charts:
        anchor = chart.anchor._from
        columns = [ws.column_dimensions[chr(65 + i)].width or 13 for i in range(anchor.col)]
        # openpyxl reads charts back without their size: take it from the drawing's extent
        extent = chart.anchor.ext
        width_px = extent.width / 9525 if extent else 20 * PX_PER_CM
        height_px = extent.height / 9525 if extent else 7.5 * PX_PER_CM
        scale = min(1.0, PRINTABLE_LANDSCAPE_PX / (sum(map(column_pixels, columns)) + width_px))
        assert height_px * scale + 20 * scale < PRINTABLE_LANDSCAPE_HEIGHT_PX
        bottoms.append((anchor.row, anchor.row + height_px / 20))
    for (_, first_bottom), (second_top, _) in pairwise(bottoms):
        assert second_top >= first_bottom  # charts never cover each other


def test_writer_writes_to_an_output_target_without_replacing(tmp_path: Path) -> None:
    import stat

    from cipco.outputs import choose_output
    from cipco.spreadsheets.book import Book
    from cipco.spreadsheets.writer import write_workbook_to

    def target() -> object:
        return choose_output(
            None, what="referrals", suffix=".xlsx", at=FROZEN_AT, default_dir=tmp_path / "out"
        )

    spec = [SheetSpec("Data", [Column("A")], [["=1+1"], ["x"]])]
    first = write_workbook_to(target(), spec, About("Data", FROZEN_AT, "tester"))  # type: ignore[arg-type]
    second = write_workbook_to(target(), spec, About("Data", FROZEN_AT, "tester"))  # type: ignore[arg-type]
    assert first.counts == {"Data": 2}
    assert first.path.name == "referrals-20261118-100000.xlsx"
    assert second.path.name == "referrals-20261118-100000-2.xlsx"
    for written in (first, second):
        assert stat.S_IMODE(written.path.stat().st_mode) == 0o600
        assert_prints(written.path)
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "referrals-20261118-100000-2.xlsx",
        "referrals-20261118-100000.xlsx",
    ]  # no temporary file left behind
    book = Book(About("Normal", FROZEN_AT, "tester"))
    ws = book.sheet("Sheet")
    book.put(ws, 1, 1, "=cmd|' /C calc'!A0")
    saved = book.save(target())  # type: ignore[arg-type]
    assert saved.name == "referrals-20261118-100000-3.xlsx"
    assert load_workbook(saved)["Sheet"]["A1"].data_type == "s"
    assert_prints(saved)
