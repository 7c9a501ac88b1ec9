"""Hostile workbooks never abort the process: each is refused with one sentence, or read.

The spreadsheet library allocates every position up to a sheet's furthest cell at once, so
a 1.6 KB file can ask for 512 GB and abort the process (a Rust abort: no Python handler
runs). The files that would do that are built here by hand, for .xlsx, .ods and .xls, and
read by the real command in a child process: it must exit 1 with a sentence, not die.
"""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cipco.clock import FixedClock
from cipco.spreadsheets import sheet_scan
from cipco.spreadsheets.reader import FieldSpec, ReadError, read_rows, read_table
from tests import hostile_files as hf

HEADER = hf.inline("A1", "Ref") + hf.inline("B1", "Prison No") + hf.inline("C1", "Name")
FIELDS = [
    FieldSpec("reference", ("Ref",)),
    FieldSpec("nomis_number", ("Prison No",)),
    FieldSpec("prisoner_name", ("Name",)),
]


def _far_xlsx(path: Path) -> Path:
    return hf.xlsx(
        path,
        f'<sheetData><row r="1">{HEADER}</row>'
        '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
    )


def _huge_shared_strings(path: Path) -> Path:
    return hf.xlsx(
        path,
        f'<sheetData><row r="1">{HEADER}</row></sheetData>',
        shared_strings=f'<sst xmlns="{hf.MAIN}" count="4294967295" uniqueCount="4294967295">'
        "<si><t>a</t></si></sst>",
    )


def _overflowing_reference(path: Path) -> Path:
    return hf.xlsx(
        path,
        f'<sheetData><row r="1">{HEADER}<c r="ZZZZZ99999999999"><v>1</v></c></row></sheetData>',
    )


def _cells_without_references(path: Path) -> Path:
    """16,384 cells in the last row, none naming its position: the row is far out."""
    row = "<c><v>1</v></c>" * 16_384
    return hf.xlsx(
        path,
        f'<sheetData><row r="1">{HEADER}</row><row r="1048576">{row}</row></sheetData>',
    )


def _repeated_ods(path: Path) -> Path:
    """One row of values repeated 1,048,576 times and 16,384 columns wide."""
    return hf.ods(
        path,
        '<table:table-row table:number-rows-repeated="1048576">'
        f"{hf.ods_cell('x', 16_384)}</table:table-row>",
    )


def _far_ods(path: Path) -> Path:
    return hf.ods(
        path,
        f"<table:table-row>{hf.ods_cell('Ref')}{hf.ods_cell('Prison No')}"
        f"{hf.ods_cell('Name')}</table:table-row>"
        '<table:table-row table:number-rows-repeated="1048574"><table:table-cell/>'
        "</table:table-row><table:table-row>"
        '<table:table-cell table:number-columns-repeated="16383"/>'
        f"{hf.ods_cell('far')}</table:table-row>",
    )


def _far_xls(path: Path) -> Path:
    cells = hf.label(0, 0, "Ref") + hf.label(0, 1, "Prison No") + hf.label(0, 2, "Name")
    return hf.xls(path, [("Tracker", cells + hf.number(65535, 255, 1.0))])


ABORTING = {
    "xlsx cell at XFD1048576": (_far_xlsx, "cells as far as XFD1048576"),
    "xlsx 4 billion shared strings": (_huge_shared_strings, "4,294,967,295 shared strings"),
    "xlsx cell reference past the last": (_overflowing_reference, "cannot exist"),
    "xlsx far cells with no reference": (_cells_without_references, "cells as far as XFD"),
    "ods row repeated a million times": (_repeated_ods, "cells as far as XFD1048576"),
    "ods cell at the last position": (_far_ods, "cells as far as XFD1048576"),
    "xls cell at IV65536": (_far_xls, "cells as far as IV65536"),
}


@pytest.mark.parametrize("attack", sorted(ABORTING))
def test_workbook_that_would_abort_is_refused_with_a_sentence(attack: str, tmp_path: Path) -> None:
    build, expected = ABORTING[attack]
    suffix = ".xls" if "xls " in attack else ".ods" if "ods" in attack else ".xlsx"
    path = build(tmp_path / f"hostile{suffix}")
    assert path.stat().st_size < 300_000  # small on disk
    from cipco.services.bootstrap import prepare

    prepare(tmp_path / "c.db").dispose()  # an existing file: the command says nothing of it
    env = {**os.environ, "CIPCO_DB": str(tmp_path / "c.db"), "CIPCO_ACTOR": "tester"}
    child = subprocess.run(
        [sys.executable, "-m", "cipco", "import", "referrals", str(path), "--dry-run"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        cwd=tmp_path,
    )
    assert child.returncode == 1, (child.returncode, child.stderr[-2000:])  # not -6 (abort)
    message = " ".join(child.stderr.split())  # one message, wrapped to the terminal
    assert expected in message
    assert message.startswith("cipco: ") and message.count("cipco: ") == 1
    assert "Traceback" not in message


@pytest.mark.parametrize(
    ("name", "build"),
    [
        (
            "dimension that lies",
            lambda p: hf.xlsx(
                p,
                f'<dimension ref="A1:XFD1048576"/><sheetData><row r="1">{HEADER}</row>'
                '<row r="2"><c r="A2"><v>7</v></c></row></sheetData>',
            ),
        ),
        (
            "styled empty cell at the last position",
            lambda p: hf.xlsx(
                p,
                f'<sheetData><row r="1">{HEADER}</row>'
                '<row r="1048576"><c r="XFD1048576" s="0"/></row></sheetData>',
            ),
        ),
        (
            "cells without references",
            lambda p: hf.xlsx(
                p,
                "<sheetData><row><c><v>1</v></c><c><v>2</v></c></row><row><c><v>3</v></c>"
                "</row></sheetData>",
            ),
        ),
        (
            "libreoffice trailing empty rows",
            lambda p: hf.ods(
                p,
                f"<table:table-row>{hf.ods_cell('Ref')}"
                '<table:table-cell table:number-columns-repeated="16383"/></table:table-row>'
                '<table:table-row table:number-rows-repeated="1048575">'
                '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>',
            ),
        ),
        (
            "xls blank cell at the last position",
            lambda p: hf.xls(p, [("S", hf.label(0, 0, "Ref") + hf.blank(65535, 255))]),
        ),
        (
            "xls dimensions that lie",
            lambda p: hf.xls(p, [("S", hf.dimensions(65536, 256) + hf.label(0, 0, "Ref"))]),
        ),
        (
            "a million positions",
            lambda p: hf.xlsx(
                p,
                f'<sheetData><row r="1">{HEADER}</row>'
                '<row r="1000"><c r="ALL1000"><v>1</v></c></row></sheetData>',
            ),
        ),
    ],
)
def test_odd_but_harmless_workbooks_are_read(name: str, build: object, tmp_path: Path) -> None:
    suffix = ".xls" if name.startswith("xls") else ".ods" if "libreoffice" in name else ".xlsx"
    path = build(tmp_path / f"odd{suffix}")  # type: ignore[operator]
    _sheet, rows = read_rows(path)
    assert rows and rows[0][0] in ("Ref", 1, 1.0)
    assert len(rows) * max(len(r) for r in rows) <= 1_000_000


def test_zip_bomb_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sheet_scan, "MAX_PART_BYTES", 1024 * 1024)
    path = hf.xlsx(
        tmp_path / "bomb.xlsx",
        f'<sheetData><row r="1">{HEADER}</row></sheetData>' + " " * 3_000_000,
    )
    assert path.stat().st_size < 50_000
    with pytest.raises(ReadError, match="unpacks to more than 1 MB"):
        read_table(path, FIELDS)


@pytest.mark.parametrize(
    ("name", "content", "suffix"),
    [
        ("not a zip", b"PK\x03\x04 this is not really a zip", ".xlsx"),
        ("text", b"Ref,Prison No,Name\n", ".xlsx"),
        ("empty", b"", ".ods"),
        ("compound file of noise", hf.compound_file(b"\x09\x08" + os.urandom(5000))[:3000], ".xls"),
        ("truncated zip", None, ".xlsx"),
    ],
)
def test_damaged_files_get_one_sentence(
    name: str, content: bytes | None, suffix: str, tmp_path: Path
) -> None:
    path = tmp_path / f"damaged{suffix}"
    if content is None:
        _far_xlsx(path)
        path.write_bytes(path.read_bytes()[:700])
    else:
        path.write_bytes(content)
    with pytest.raises(ReadError) as caught:
        read_table(path, FIELDS)
    message = str(caught.value)
    assert "\n" not in message and str(path) in message


def test_a_panic_in_the_reader_becomes_a_sentence(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import python_calamine

    class PanicException(BaseException):  # what pyo3 raises for a Rust panic
        pass

    def panic(*_args: object, **_kwargs: object) -> None:
        raise PanicException("chunk size must be non-zero")

    monkeypatch.setattr(python_calamine.CalamineWorkbook, "from_path", panic)
    path = hf.xlsx(tmp_path / "ok.xlsx", f'<sheetData><row r="1">{HEADER}</row></sheetData>')
    with pytest.raises(ReadError, match="chunk size must be non-zero"):
        read_rows(path)


async def test_import_screen_survives_a_hostile_workbook(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    from textual.app import App
    from textual.widgets import Static

    from cipco.screens.import_screen import ImportScreen

    path = _far_xlsx(tmp_path / "far.xlsx")

    class Host(App[None]):
        def on_mount(self) -> None:
            self.push_screen(ImportScreen(engine, clock, "tester", path=str(path)))

    app = Host()
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.click("#check")
        await app.workers.wait_for_complete()
        await pilot.pause()
        shown = str(app.screen.query_one("#report-text", Static).render())
        assert "cells as far as XFD1048576" in shown
        assert isinstance(app.screen, ImportScreen)


def test_zip_members_are_checked_whatever_size_they_declare(tmp_path: Path) -> None:
    """A member whose header claims a small size is counted as it is unpacked."""
    path = _far_xlsx(tmp_path / "far.xlsx")
    with zipfile.ZipFile(path) as archive:
        info = archive.getinfo("xl/worksheets/sheet1.xml")
    assert info.file_size < 1000
    with pytest.raises(ReadError, match="XFD1048576"):
        read_rows(path)


def test_headers_with_line_breaks_and_controls_read_as_one_line(tmp_path: Path) -> None:
    """Found by the fuzzer: a header "0\\n0" made the refusal two lines long."""
    path = hf.xlsx(
        tmp_path / "wrapped.xlsx",
        '<sheetData><row r="1">'
        + hf.inline("A1", "Ref")
        + hf.inline("B1", "Prison\nNo")
        + hf.inline("C1", "Name")
        + hf.inline("D1", "0\n0\t_x001B_[2J")
        + "</row></sheetData>",
    )
    table = read_table(path, FIELDS)
    assert table.headers == ["Ref", "Prison No", "Name", "0 0"]
    assert table.column_of("nomis_number") == "Prison No"
