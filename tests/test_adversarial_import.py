"""Every importer against generated hostile workbooks: a result or one sentence, never a crash.

Hypothesis builds workbooks in each format cipco reads (.xlsx written by openpyxl, .xlsx
written by hand, .ods, .xls) holding formula text, control characters, enormous strings,
numbers that cannot be dates, dates of every kind, wrong types, merged cells, stray cells
near and very far from the table and sizes that lie. Each goes through a real import: it
must give a summary, or refuse with a ReadError (one sentence); a reject workbook, when
written, holds no formula.

The budget here is about a minute (profile ``ci``, the default). ``make fuzz`` runs the same
tests with ``CIPCO_FUZZ=1`` (profile ``fuzz``: 5,000 examples per importer, 20,000 in all)
and prints every crash with the workbook that caused it instead of stopping at the first.
"""

from __future__ import annotations

import os
import tempfile
import traceback
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import Engine

from cipco.clock import FixedClock
from cipco.spreadsheets.logs import import_log
from cipco.spreadsheets.reader import ReadError
from tests import hostile_files as hf
from tests.adversarial import PAYLOADS, assert_no_live_formulas

FUZZ = os.environ.get("CIPCO_FUZZ") == "1"
settings.register_profile(
    "ci",
    max_examples=25,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.register_profile(
    "fuzz",
    max_examples=int(os.environ.get("CIPCO_FUZZ_EXAMPLES", "5000")),
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
PROFILE = settings.get_profile("fuzz" if FUZZ else "ci")

HEADERS = {
    "referrals": [
        "Ref", "Prison No", "Name", "Incident Date", "Crime Type", "Status", "Outcome",
        "Force", "Crime ref", "OIC", "Date referred", "Location", "Description", "Notes",
    ],
    "persons": [
        "Prison number", "Name", "PNC", "Date of birth", "Location", "SOC band", "OCG",
        "Release date", "Do not share", "Reason", "Notes",
    ],
    "exhibits": [
        "Exhibit", "Date", "Description", "Seized by", "Event", "From", "To", "Reason",
        "Seal no", "Location", "Referral", "Notes",
    ],
    "mg4d": [
        "Prison number", "Name", "Charges", "Court", "First hearing", "Received", "Served",
        "Served by", "Response", "Referral", "Notes",
    ],
    "actions": [
        "Action", "Owner", "Organisation", "Due", "Status", "Referral", "Raised at clinic",
        "Done / dropped at", "Note / reason",
    ],
}  # fmt: skip

# ---------------------------------------------------------------- values

texts = st.one_of(
    st.sampled_from(PAYLOADS),
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=30),
    st.text(st.characters(min_codepoint=0, max_codepoint=0xA0), max_size=20),
    st.builds(
        lambda n, c: c * n,
        st.integers(20_000, 70_000),
        st.sampled_from(["A", "=", "é", "\N{GRINNING FACE}", "\n", "x "]),
    ),
    st.sampled_from(
        [
            "A1234BC", " a1234bc ", "01/10/2026", "31/02/2026", "2026-13-01", "0/0/0",
            "1e308", "NaN", "-0", "TRUE", "Referred", "Drugs", "seized", "Yes", "",
            "3rd Smarch 2024", "99:99", "00/00/0000 25:61", "Total", "TOTAL:",
        ]
    ),
)  # fmt: skip
values = st.one_of(
    texts,
    st.integers(-(2**70), 2**70),
    st.floats(),
    st.booleans(),
    st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31)),
    st.dates(),
    st.times(),
    st.timedeltas(min_value=timedelta(days=-5000), max_value=timedelta(days=5000)),
    st.none(),
)
small_positions = st.tuples(st.integers(0, 60), st.integers(0, 30))
far_positions = st.tuples(st.integers(0, 1_048_575), st.integers(0, 16_383))


@st.composite
def hostile_tables(draw: st.DrawFn, what: str) -> dict[str, Any]:
    known = HEADERS[what]
    chosen = draw(st.lists(st.sampled_from(known), min_size=0, max_size=len(known), unique=True))
    extra = draw(st.lists(texts.filter(lambda t: len(t) < 200), max_size=3))
    headers = draw(st.permutations([*chosen, *extra]))
    width = max(len(headers), 1)
    rows = draw(st.lists(st.lists(values, min_size=0, max_size=width + 2), max_size=12))
    return {
        "format": draw(st.sampled_from(["xlsx", "xlsx-raw", "ods", "xls"])),
        "title_rows": draw(st.integers(0, 3)),
        "headers": headers,
        "rows": rows,
        "stray": draw(st.lists(st.one_of(small_positions, far_positions), max_size=2)),
        "stray_value": draw(values),
        "merges": draw(st.lists(st.tuples(small_positions, small_positions), max_size=2)),
        "dimension": draw(st.sampled_from(["", "A1:XFD1048576", "A1:A1", "ZZZ0"])),
    }


# ---------------------------------------------------------------- writing each format


def _grid(table: dict[str, Any]) -> dict[tuple[int, int], Any]:
    cells: dict[tuple[int, int], Any] = {}
    top = table["title_rows"]
    for r in range(top):
        cells[(r, 0)] = PAYLOADS[r % len(PAYLOADS)]
    for c, header in enumerate(table["headers"]):
        cells[(top, c)] = header
    for r, row in enumerate(table["rows"], start=top + 1):
        for c, value in enumerate(row):
            cells[(r, c)] = value
    for position in table["stray"]:
        cells[position] = table["stray_value"]
    return cells


def _escape_controls(text: str) -> str:
    """Control characters as Office writes them in XML (``_x0007_``): they come back."""
    return "".join(f"_x{ord(ch):04X}_" if ord(ch) < 32 and ch not in "\t\n" else ch for ch in text)


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


def write_openpyxl(path: Path, table: dict[str, Any]) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    for (r, c), value in _grid(table).items():
        if r >= 1_048_576 or c >= 16_384:
            continue
        if isinstance(value, str):
            value = _escape_controls(value)[:32_767]
            cell = ws.cell(row=r + 1, column=c + 1)
            cell.value = value
            cell.data_type = "s"
        elif isinstance(value, int) and not isinstance(value, bool) and abs(value) > 2**53:
            ws.cell(row=r + 1, column=c + 1, value=str(value))
        elif isinstance(value, datetime | date) and value.year < 1900:
            ws.cell(row=r + 1, column=c + 1, value=value.isoformat())
        else:
            ws.cell(row=r + 1, column=c + 1, value=value)
    for (r1, c1), (r2, c2) in table["merges"]:
        top, bottom = sorted((r1, r2))
        left, right = sorted((c1, c2))
        if (top, left) != (bottom, right):
            ws.merge_cells(
                start_row=top + 1, start_column=left + 1, end_row=bottom + 1, end_column=right + 1
            )
    wb.save(path)


def _column(c: int) -> str:
    from cipco.spreadsheets.sheet_scan import column_name

    return column_name(c + 1)


def write_raw_xlsx(path: Path, table: dict[str, Any]) -> None:
    from xml.sax.saxutils import escape

    rows: dict[int, list[str]] = {}
    for (r, c), value in sorted(_grid(table).items()):
        ref = f"{_column(c)}{r + 1}"
        if value is None:
            cell = f'<c r="{ref}" s="0"/>'
        elif isinstance(value, bool):
            cell = f'<c r="{ref}" t="b"><v>{int(value)}</v></c>'
        elif isinstance(value, int | float):
            cell = f'<c r="{ref}"><v>{value}</v></c>'
        else:
            text = escape(_escape_controls(_as_text(value)))
            cell = f'<c r="{ref}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'
        rows.setdefault(r, []).append(cell)
    body = "".join(f'<row r="{r + 1}">{"".join(cells)}</row>' for r, cells in sorted(rows.items()))
    dimension = f'<dimension ref="{table["dimension"]}"/>' if table["dimension"] else ""
    hf.xlsx(path, f"{dimension}<sheetData>{body}</sheetData>")


def write_ods(path: Path, table: dict[str, Any]) -> None:

    grid = _grid(table)
    if not grid:
        hf.ods(path, "")
        return
    rows: list[str] = []
    previous = -1
    for r in sorted({r for r, _ in grid}):
        if r > previous + 1:
            rows.append(
                f'<table:table-row table:number-rows-repeated="{r - previous - 1}">'
                "<table:table-cell/></table:table-row>"
            )
        cells = []
        col = 0
        for c in sorted(c for rr, c in grid if rr == r):
            if c > col:
                cells.append(f'<table:table-cell table:number-columns-repeated="{c - col}"/>')
            value = grid[(r, c)]
            if isinstance(value, bool | int | float) and not isinstance(value, bool):
                cells.append(
                    f'<table:table-cell office:value-type="float" office:value="{value}">'
                    f"<text:p>{value}</text:p></table:table-cell>"
                )
            elif isinstance(value, datetime | date) and value.year >= 1:
                cells.append(
                    f'<table:table-cell office:value-type="date" '
                    f'office:date-value="{value.isoformat()}"/>'
                )
            else:
                text = "".join(ch for ch in _as_text(value) if ord(ch) >= 32 or ch in "\t\n")
                cells.append(hf.ods_cell(text))
            col = c + 1
        rows.append(f"<table:table-row>{''.join(cells)}</table:table-row>")
        previous = r
    hf.ods(path, "".join(rows))


def write_xls(path: Path, table: dict[str, Any]) -> None:
    records = b""
    for (r, c), value in _grid(table).items():
        if r >= 65_536 or c >= 256 or value is None:
            continue
        if isinstance(value, int | float) and not isinstance(value, bool) and abs(value) < 1e300:
            records += hf.number(r, c, float(value))
        else:
            records += hf.label(r, c, _as_text(value)[:255])
    hf.xls(path, [("Sheet1", records)])


WRITERS: dict[str, tuple[str, Callable[[Path, dict[str, Any]], None]]] = {
    "xlsx": (".xlsx", write_openpyxl),
    "xlsx-raw": (".xlsx", write_raw_xlsx),
    "ods": (".ods", write_ods),
    "xls": (".xls", write_xls),
}


# ---------------------------------------------------------------- the importers


def import_one(engine: Engine, clock: FixedClock, what: str, table: dict[str, Any]) -> None:
    """Write ``table`` and import it; any outcome but a summary or a ReadError fails."""
    suffix, write = WRITERS[table["format"]]
    with tempfile.TemporaryDirectory() as folder:
        source = Path(folder) / f"hostile{suffix}"
        write(source, table)
        rejects = Path(folder) / "rejects.xlsx"
        try:
            summary = import_log(engine, what, source, clock=clock, actor="fuzz", rejects=rejects)
        except ReadError as exc:
            message = str(exc)
            assert message and "\n" not in message and "Traceback" not in message
            return
        assert summary.rejected == len(summary.rejects)
        if summary.rejects:
            assert rejects.is_file()
            assert_no_live_formulas(rejects)


@pytest.mark.parametrize("what", sorted(HEADERS))
def test_importer_survives_hostile_workbooks(what: str, engine: Engine, clock: FixedClock) -> None:
    crashes: list[str] = []

    @settings(PROFILE)
    @given(table=hostile_tables(what))
    def one(table: dict[str, Any]) -> None:
        if not FUZZ:
            import_one(engine, clock, what, table)
            return
        try:
            import_one(engine, clock, what, table)
        except Exception:  # collect every crash, keep going
            summary = {k: (v if k != "rows" else f"{len(v)} rows") for k, v in table.items()}
            crashes.append(f"{what}: {summary!r}\n{traceback.format_exc()}")

    one()
    if crashes:  # fuzz mode: every crash, with the workbook that caused it
        shown = "\n\n".join(crash[:4000] for crash in crashes[:20])
        pytest.fail(
            f"{len(crashes)} hostile workbooks crashed the {what} importer:\n\n{shown}",
            pytrace=False,
        )
