"""Every export path, fed formula payloads in every text field and header: nothing runs.

A demo file is poisoned the way a hostile import or a mischievous user would: every
free-text column holds text that a spreadsheet program would execute (``=cmd|...``,
``@SUM``, ``=HYPERLINK``, tab/CR-led formulas), control characters and terminal escapes.
Each export command then runs through the CLI, and each workbook is read back: no cell is a
formula (headers and About sheets included), formula-like text is a quoted string, and
nothing a workbook cannot hold is in it.
"""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from tests import hostile_files
from tests.adversarial import LONG_PAYLOAD, PAYLOADS, assert_no_live_formulas, poison

runner = CliRunner()
HOSTILE_HEADERS = ["=cmd|' /C calc'!A0", "+1+1", "@SUM(A1)", "-1", "=1\x07+1"]


@pytest.fixture(scope="module")
def _poisoned_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from cipco.db import session_scope
    from cipco.services import demo
    from cipco.services.bootstrap import prepare
    from cipco.services.site import assign_site
    from tests.conftest import FROZEN_AT, TEST_SITE

    clock = FixedClock(FROZEN_AT)
    path = tmp_path_factory.mktemp("poisoned") / "poisoned.db"
    engine = prepare(path)
    with session_scope(engine, actor="cipco") as s:
        assign_site(s, TEST_SITE, clock)
    with session_scope(engine, actor="cipco demo", clock=clock) as s:
        demo.generate(s, clock, referrals=60, seed=11)
    engine.dispose()
    poison(path)
    return path


@pytest.fixture
def poisoned(_poisoned_template: Path, tmp_path: Path, clock: FixedClock) -> Iterator[Path]:
    path = tmp_path / "poisoned.db"
    shutil.copyfile(_poisoned_template, path)
    path.chmod(0o600)
    state.clock = clock
    yield path
    state.clock = None
    state.db_option = None


def cipco(db: Path, *args: str) -> str:
    result = runner.invoke(app, ["--db", str(db), *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    assert result.exit_code in (0, 1), result.output
    assert "Traceback" not in result.output
    return result.output


def first(db: Path, sql: str) -> str:
    with sqlite3.connect(db) as conn:
        return str(conn.execute(sql).fetchone()[0])


def every_export(db: Path, out: Path) -> list[Path]:
    """Run every export and report command; return the workbooks written."""
    # the referral whose text holds control characters (payload 7: BEL, ESC, NUL)
    referral = first(
        db, f"SELECT reference FROM referral WHERE id % {len(PAYLOADS)} = 7 ORDER BY id LIMIT 1"
    )
    exhibit = first(
        db,
        "SELECT e.reference FROM exhibit e JOIN exhibit_event v ON v.exhibit_id = e.id "
        "GROUP BY e.id ORDER BY count(*) DESC LIMIT 1",
    )
    runs = {
        "referrals": ["export", "referrals", "--oic", PAYLOADS[0]],
        "referrals-all": ["export", "referrals"],
        "persons": ["export", "persons", "--include-restricted"],
        "exhibits": ["export", "exhibits"],
        "exhibits-search": ["export", "exhibits", "--search", "=1+1"],
        "continuity": ["export", "continuity", exhibit],
        "mg4d": ["export", "mg4d"],
        "clinic": ["export", "clinic", "--latest"],
        "actions": ["export", "actions"],
        "actions-owner": ["export", "actions", "--owner", "@SUM(A1)"],
        "template-referrals": ["export", "template", "referrals"],
        "template-persons": ["export", "template", "persons"],
        "proforma": ["export", "proforma", referral],
        "monthly": ["report", "monthly", "--month", "2026-10"],
    }
    written = []
    for name, args in runs.items():
        path = out / f"{name}.xlsx"
        cipco(db, *args, "--out", str(path))
        assert path.is_file(), f"{name} wrote nothing"
        written.append(path)
    return written


def test_no_export_or_report_holds_a_live_formula(poisoned: Path, tmp_path: Path) -> None:
    texts: dict[str, list[str]] = {}
    for path in every_export(poisoned, tmp_path):
        texts[path.stem] = assert_no_live_formulas(path)
    # the payloads are there, as text, exactly as entered (control characters removed)
    assert PAYLOADS[0] in texts["referrals-all"]
    assert '=HYPERLINK("http://evil.example","click")' in texts["referrals-all"]
    assert "=1+1[2J" in texts["referrals-all"]  # BEL, ESC and NUL gone, the rest kept
    assert "=1+1[2J" in texts["proforma"]  # a control character crashed the proforma
    assert PAYLOADS[0] in texts["referrals"]  # the About sheet's filter
    assert "@SUM(A1)" in texts["actions-owner"]
    for name in ("persons", "exhibits", "continuity", "mg4d", "clinic", "actions", "proforma"):
        assert any(t in PAYLOADS for t in texts[name]), f"{name}: no payload exported"


def test_text_longer_than_a_cell_is_continued_not_cut(poisoned: Path, tmp_path: Path) -> None:
    path = tmp_path / "referrals.xlsx"
    cipco(poisoned, "export", "referrals", "--out", str(path))
    book = load_workbook(path)
    sheet = book["Referrals"]
    column = [c.value for c in sheet[1]].index("Description") + 1
    shown = [
        sheet.cell(row, column).value
        for row in range(2, sheet.max_row + 1)
        if str(sheet.cell(row, column).value or "").startswith("=AAAA")
    ]
    assert len(shown) == 1
    assert len(shown[0]) <= 32_767
    assert shown[0].endswith("the whole text is in sheet 'Long text', entry 1]")
    assert sheet.cell(2, column).data_type == "s"
    long_text = book["Long text"]
    header = [c.value for c in long_text[1]]
    parts = [long_text.cell(2, i + 1).value or "" for i, h in enumerate(header) if "Part" in h]
    assert "".join(parts) == LONG_PAYLOAD
    about = [row[1].value for row in book["About"].iter_rows() if row[0].value == "Long text"]
    assert about and "32,767" in about[0]


def _tracker(path: Path, headers: list[str], rows: list[list[str]]) -> Path:
    """An .xls tracker (BIFF strings may hold control characters, as old files do)."""
    records = hostile_files.label(0, 0, '=HYPERLINK("http://evil.example","title row")')
    for row_number, row in enumerate([headers, *rows], start=1):
        for col, text in enumerate(row):
            records += hostile_files.label(row_number, col, text)
    return hostile_files.xls(path, [("Tracker", records)])


IMPORTS = {
    "referrals": (
        ["Ref", "Prison No", "Name", "Incident Date", "Crime Type", "Status"],
        [["=R1", "BAD", "=cmd|' /C calc'!A0", "01/10/2026", "Drugs", "Referred"]],
    ),
    "persons": (
        ["Prison number", "Name", "Reason", "Notes"],
        [["NOTANUMBER", "=cmd|' /C calc'!A0", "@SUM(A1)", "+1"]],
    ),
    "exhibits": (
        ["Exhibit", "Date", "Description", "Seized by", "Event"],
        [["=X/1", "not a date", "=cmd|' /C calc'!A0", "-1", "seized"]],
    ),
    "mg4d": (
        ["Prison number", "Name", "Charges", "Court", "Received"],
        [["BAD", "=cmd|' /C calc'!A0", "", "@court", "31/02/2026"]],
    ),
}


@pytest.mark.parametrize("what", sorted(IMPORTS))
def test_reject_workbooks_neutralise_headers_and_cells(
    what: str, poisoned: Path, tmp_path: Path
) -> None:
    headers, rows = IMPORTS[what]
    source = _tracker(tmp_path / "=evil.xls", [*headers, *HOSTILE_HEADERS], rows)
    rejects = tmp_path / "rejects.xlsx"
    output = cipco(poisoned, "import", what, str(source), "--rejects", str(rejects))
    assert "rejected 1" in output or "rejected: " in output, output
    texts = assert_no_live_formulas(rejects)
    sheet = load_workbook(rejects).worksheets[0]
    header = [c.value for c in sheet[1]]
    assert "=cmd|' /C calc'!A0" in header  # the source's hostile header, as text
    assert "=1+1" in header  # its BEL removed
    assert all(sheet.cell(1, i + 1).data_type == "s" for i in range(len(header)))
    assert "=cmd|' /C calc'!A0" in texts  # the rejected row's value, as text
    assert "\x1b" not in output and "\x07" not in output


def test_markdown_minutes_show_links_and_html_as_text(poisoned: Path, tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    with sqlite3.connect(poisoned) as conn:  # every clinic's notes and items hostile
        conn.execute("UPDATE agenda_item SET title = ?, note = ?", (PAYLOADS[-1], PAYLOADS[7]))
        conn.execute("UPDATE attendance SET name = ?", (PAYLOADS[-1],))
    path = tmp_path / "minutes.md"
    cipco(poisoned, "export", "clinic", "--latest", "--format", "md", "--out", str(path))
    text = path.read_text(encoding="utf-8")
    assert "\x1b" not in text and "\x07" not in text
    html = MarkdownIt("commonmark").render(text)
    assert "<a " not in html and "<script" not in html and "<img" not in html
    assert "[click](http:" in html  # shown, as text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_workbook_built_directly_is_still_checked_when_saved(tmp_path: Path) -> None:
    """The last line of defence: a normal-mode workbook saved through the writer loses any
    formula put in it by other means, and gets the print setup and its About's footer."""
    from datetime import UTC, datetime

    from openpyxl import Workbook

    from cipco.spreadsheets.writer import About, save_workbook, write_about_sheet

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws["A1"] = "=cmd|' /C calc'!A0"  # openpyxl makes this a live formula
    write_about_sheet(wb, About("Built & saved", datetime(2026, 1, 2, tzinfo=UTC), "tester"))
    path = save_workbook(wb, tmp_path / "direct.xlsx")
    texts = assert_no_live_formulas(path)
    assert "=cmd|' /C calc'!A0" in texts
    sheet = load_workbook(path).worksheets[0]
    assert sheet.oddFooter.center.text.startswith("Built && saved · page &P of &N")


def test_values_a_workbook_cannot_show_are_written_as_text(tmp_path: Path) -> None:
    """NaN, infinities, 16+ digit integers, dates before 1900 and enum members: text that
    says what they are, never a corrupt number, a rounded id or "Status.OPEN"."""
    from datetime import UTC, date, datetime
    from enum import Enum

    from cipco.spreadsheets.writer import About, Column, SheetSpec, write_workbook

    class Status(str, Enum):  # noqa: UP042 - the mixin whose str() is "Status.OPEN"
        OPEN = "open"

    emoji_note = "\N{GRINNING FACE}" * 20_000  # 40,000 UTF-16 units: past the cell limit
    row = [
        float("nan"),
        float("inf"),
        12345678901234567890,
        date(1850, 5, 1),
        datetime(1, 1, 1, tzinfo=UTC),
        Status.OPEN,
        emoji_note,
        "\ud800 lone surrogate \ufffe",
    ]
    path = tmp_path / "odd.xlsx"
    write_workbook(
        path,
        [SheetSpec("Odd", [Column(f"C{i}") for i in range(len(row))], [row])],
        About("Odd values", datetime(2026, 1, 1, tzinfo=UTC), "tester"),
    )
    values = [c.value for c in load_workbook(path)["Odd"][2]]
    assert values[:6] == [
        "nan",
        "inf",
        "12345678901234567890",
        "01/05/1850",
        "0001-01-01 00:00:00+00:00",
        "open",
    ]
    assert values[6].startswith("\N{GRINNING FACE}") and values[6].endswith("entry 1]")
    assert len(values[6].encode("utf-16-le")) // 2 <= 32_767
    assert values[7] == " lone surrogate "
    assert_no_live_formulas(path)
