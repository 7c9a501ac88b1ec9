"""Importing messy referral trackers: header finding, dates, rejects, idempotency, formats."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, func, select

from cipco.clock import FixedClock, to_london
from cipco.db import session_scope
from cipco.models.audit import AuditEvent
from cipco.models.people import Prisoner
from cipco.models.referral import Referral
from cipco.spreadsheets.logs import import_log
from cipco.spreadsheets.reader import CellError, ReadError, parse_uk_date, parse_uk_datetime

HEADERS = [
    "Log No.",
    "NOMIS No.",
    "Surname, Forename",
    "Date of Incident",
    "Offence",
    "Status",
    "Result",
    "Police Force",
    "Crime Ref No",
    "Officer in Case",
    "Comments",
    "Wing",
    "Spare column",
]


def tracker_rows() -> list[list[Any]]:
    """Data rows (a totals row and a blank row included) with every date form."""
    return [
        [
            "L1",
            "a1234bc",
            "Smith, John",
            "03/04/2024",
            "Assault on staff",
            "Referred",
            None,
            "West Yorkshire",
            "13/123/24",
            "DC Jones",
            "first",
            "A wing",
            "x",
        ],
        [
            "L2",
            " B2345CD ",
            "Brown, Amy",
            "4/5/24",
            "Mobile phone",
            "NFA",
            "Insufficient evidence",
            "West Yorkshire Police",
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "L3",
            "C3456DE",
            "Green, Tom",
            datetime(2024, 6, 7, 14, 30),
            "Drugs",
            "Charged",
            None,
            None,
            "CR-9",
            None,
            '=HYPERLINK("http://x")',
            None,
            None,
        ],
        [
            "L4",
            "D4567EF",
            "White, Sam",
            "8.9.2024",
            "Spitting",
            "with cps",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "L5",
            "E5678FG",
            "Black, Ann",
            "10-11-2024",
            "Widget theft",
            "Gone fishing",
            "Nope",
            "Atlantis Police",
            None,
            None,
            "keep me",
            None,
            None,
        ],
        [
            "L6",
            "F6789GH",
            "Grey, Ed",
            "2024-12-01",
            "Criminal damage",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "L7",
            "G7890HJ",
            "Pink, Al",
            "3 Apr 2024",
            "OTHER",
            "Draft",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "L8",
            "H8901JK",
            "Blue, Jo",
            "03-Apr-24",
            "weapon",
            "investigating",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "L9",
            "J9012KL",
            "Gold, Di",
            45400,
            "Robbery",
            "acknowledged",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        # rejects
        [
            "L10",
            None,
            "Nobody",
            "01/01/2024",
            "Drugs",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "L11",
            "XYZ",
            "Bad Number",
            "01/01/2024",
            "Drugs",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "L12",
            "K1234LM",
            "Bad Date",
            "31/02/2024",
            "Drugs",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "L13",
            "K1234LM",
            "Future",
            "01/01/2027",
            "Drugs",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "L1",
            "A1234BC",
            "Smith again",
            "03/04/2024",
            "Drugs",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        [
            "L14",
            "K1234LM",
            "No date",
            None,
            "Drugs",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ],
        # skipped
        [None] * 13,
        [None, None, "Total", 14, None, None, None, None, None, None, None, None, None],
    ]


def write_tracker(path: Path, rows: list[list[Any]] | None = None) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Tracker 2024"
    ws["A1"] = "HMP Example - Police Referral Tracker 2024"
    ws.merge_cells("A1:F1")
    ws["A2"] = "OFFICIAL-SENSITIVE"
    ws.append([])  # row 3 blank
    ws.append(HEADERS)  # row 4
    for row in rows if rows is not None else tracker_rows():
        ws.append(row)
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"  # text that looks like a formula, as Excel stores it
    # a date cell with a UK number format, and an Excel serial as a plain number (L9)
    ws["D7"].number_format = "dd/mm/yyyy hh:mm"
    wb.save(path)
    return path


@pytest.fixture
def tracker(tmp_path: Path) -> Path:
    return write_tracker(tmp_path / "tracker.xlsx")


def run(engine: Engine, path: Path, clock: FixedClock, **kw: Any) -> Any:
    return import_log(engine, "referrals", path, clock=clock, actor="tester", **kw)


def referrals(engine: Engine) -> dict[str, tuple[Referral, Prisoner]]:
    with session_scope(engine) as s:
        return {
            r.reference: (r, p)
            for r, p in s.execute(
                select(Referral, Prisoner).join(Prisoner, Prisoner.id == Referral.prisoner_id)
            )
        }


def test_messy_tracker_counts_values_and_rejects(
    engine: Engine, tracker: Path, clock: FixedClock, tmp_path: Path
) -> None:
    rejects = tmp_path / "rejects.xlsx"
    summary = run(engine, tracker, clock, rejects=rejects)
    assert summary.header_row == 4
    assert (summary.imported, summary.updated, summary.unchanged) == (9, 0, 0)
    assert (summary.skipped, summary.rejected) == (2, 6)
    assert summary.committed
    assert "'Spare column' -> kept with each record (original columns)" in summary.column_lines()
    reasons = {r.row: (r.column, r.reason) for r in summary.rejects}
    assert reasons[14] == ("NOMIS No.", "prison number is missing")
    assert reasons[15][0] == "NOMIS No." and "not a prison number" in reasons[15][1]
    assert reasons[16] == ("Date of Incident", "'31/02/2024' is not a real date")
    assert reasons[17] == ("Date of Incident", "incident date 01/01/2027 is in the future")
    assert reasons[18] == ("Log No.", "duplicate of row 5")
    assert reasons[19] == ("Date of Incident", "incident date is missing")

    stored = referrals(engine)
    assert set(stored) == {f"L{i}" for i in range(1, 10)}
    r1, p1 = stored["L1"]
    assert p1.nomis_number == "A1234BC" and p1.name == "Smith, John"
    assert r1.category_code == "STAFF_ASSAULT" and r1.status == "referred"
    assert r1.force_id == "west-yorkshire" and r1.crime_ref == "13/123/24"
    assert r1.oic_name == "DC Jones" and r1.location == "A wing"
    assert to_london(r1.incident_at).date() == date(2024, 4, 3)
    r2, p2 = stored["L2"]
    assert p2.nomis_number == "B2345CD"
    assert to_london(r2.incident_at).date() == date(2024, 5, 4)
    assert (r2.status, r2.outcome) == ("nfa", "nfa_evidential_victim_supports")
    r3, _ = stored["L3"]
    assert to_london(r3.incident_at).replace(tzinfo=None) == datetime(2024, 6, 7, 14, 30)
    assert r3.notes == '=HYPERLINK("http://x")'  # formula-looking text kept as text
    assert stored["L4"][0].category_code == "POTTING"
    assert stored["L4"][0].status == "with_cps"
    r5, _ = stored["L5"]
    assert (r5.category_code, r5.status, r5.outcome, r5.force_id) == (
        "OTHER",
        "referred",
        None,
        None,
    )
    for words in (
        "keep me",
        "Imported category: Widget theft",
        "Imported status: Gone fishing",
        "Imported outcome: Nope",
        "Imported force: Atlantis Police",
    ):
        assert words in r5.notes
    assert to_london(stored["L6"][0].incident_at).date() == date(2024, 12, 1)
    assert to_london(stored["L7"][0].incident_at).date() == date(2024, 4, 3)
    assert to_london(stored["L8"][0].incident_at).date() == date(2024, 4, 3)
    assert to_london(stored["L9"][0].incident_at).date() == date(2024, 4, 18)  # serial 45400
    assert any("Widget theft" in w for _, w in summary.warnings)

    # the reject workbook: original columns + Row, Column, Reason; formula text stays text
    book = load_workbook(rejects)
    ws = book["Rejected rows"]
    header = [c.value for c in ws[1]]
    assert header[: len(HEADERS)] == HEADERS
    assert header[-3:] == ["Row", "Column", "Reason"]
    assert [ws.cell(row=i, column=len(HEADERS) + 1).value for i in range(2, 8)] == [
        14,
        15,
        16,
        17,
        18,
        19,
    ]
    assert ws.cell(row=6, column=len(HEADERS) + 3).value == "duplicate of row 5"
    assert oct(rejects.stat().st_mode & 0o777) == "0o600"


def test_reimport_is_idempotent_and_changes_are_audited(
    engine: Engine, tracker: Path, clock: FixedClock, tmp_path: Path
) -> None:
    run(engine, tracker, clock, rejects=tmp_path / "r1.xlsx")
    again = run(engine, tracker, clock, rejects=tmp_path / "r2.xlsx")
    assert (again.imported, again.updated, again.unchanged, again.rejected) == (0, 0, 9, 6)
    with session_scope(engine) as s:
        assert s.scalar(select(func.count()).select_from(Referral)) == 9

    rows = tracker_rows()[:9]
    rows[0][5] = "Acknowledged"
    rows[0][8] = "13/999/24"
    later = write_tracker(tmp_path / "later.xlsx", rows)
    third = run(engine, later, clock)
    assert (third.imported, third.updated, third.unchanged, third.rejected) == (0, 1, 8, 0)
    r1, _ = referrals(engine)["L1"]
    assert (r1.status, r1.crime_ref) == ("acknowledged", "13/999/24")
    with session_scope(engine) as s:
        fields = set(
            s.scalars(
                select(AuditEvent.field).where(
                    AuditEvent.table_name == "referral",
                    AuditEvent.record_id == r1.id,
                    AuditEvent.action == "update",
                )
            )
        )
    assert {"status", "crime_ref"} <= fields


def test_without_reference_matches_on_prisoner_date_category(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Prison No", "DOI", "Crime Type", "Notes"])
    ws.append(["A1111AA", "01/02/2025", "Mobile phone", "one"])
    ws.append(["A1111AA", "01/02/2025", "Drugs", "two"])
    ws.append(["A1111AA", "01/02/2025", "Mobile phone", "again"])
    path = tmp_path / "noref.xlsx"
    wb.save(path)
    first = run(engine, path, clock, rejects=tmp_path / "r.xlsx")
    assert (first.imported, first.rejected) == (2, 1)
    assert "duplicate of row 2" in first.rejects[0].reason
    second = run(engine, path, clock, rejects=tmp_path / "r2.xlsx")
    assert (second.imported, second.unchanged) == (0, 2)
    refs = set(referrals(engine))
    assert refs == {"REF-2026-0001", "REF-2026-0002"}


def test_dry_run_and_strict_change_nothing(
    engine: Engine, tracker: Path, clock: FixedClock, tmp_path: Path
) -> None:
    dry = run(engine, tracker, clock, dry_run=True)
    assert (dry.imported, dry.rejected, dry.committed) == (9, 6, False)
    assert dry.rejects_path is None
    strict = run(engine, tracker, clock, strict=True, rejects=tmp_path / "r.xlsx")
    assert (strict.rejected, strict.committed) == (6, False)
    assert referrals(engine) == {}


def test_map_override_and_missing_header(engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Inmate", "When", "Offence", "Status"])
    ws.append(["A1234BC", "05/06/2024", "Drugs", "Referred"])
    path = tmp_path / "odd.xlsx"
    wb.save(path)
    with pytest.raises(ReadError, match="no column for Prison number, Incident date"):
        run(engine, path, clock)
    summary = run(engine, path, clock, overrides={"Inmate": "nomis_number", "When": "incident_at"})
    assert summary.imported == 1
    with pytest.raises(ReadError, match="'banana' is not a field"):
        run(engine, path, clock, overrides={"Inmate": "banana"})


def _xls(path: Path) -> Path:
    import xlwt

    book = xlwt.Workbook()
    sheet = book.add_sheet("Old tracker")
    sheet.write(0, 0, "Referrals 2019")
    header = ["Ref", "NOMS No", "Name", "Incident Date", "Category", "Status"]
    for col, text in enumerate(header):
        sheet.write(2, col, text)
    style = xlwt.easyxf(num_format_str="DD/MM/YYYY")
    sheet.write(3, 0, "X1")
    sheet.write(3, 1, "A1234BC")
    sheet.write(3, 2, "Old, One")
    sheet.write(3, 3, datetime(2019, 3, 4), style)
    sheet.write(3, 4, "Phone")
    sheet.write(3, 5, "Closed NFA")
    book.save(str(path))
    return path


def _ods(path: Path) -> Path:
    from odf.opendocument import OpenDocumentSpreadsheet
    from odf.table import Table as OdsTable
    from odf.table import TableCell, TableRow
    from odf.text import P

    doc = OpenDocumentSpreadsheet()
    table = OdsTable(name="Tracker")

    def row(values: list[str]) -> None:
        tr = TableRow()
        for value in values:
            cell = TableCell(valuetype="string")
            cell.addElement(P(text=value))
            tr.addElement(cell)
        table.addElement(tr)

    row(["Police referrals"])
    row(["Our Ref", "Prisoner No", "Date of Incident", "Crime Type", "Outcome"])
    row(["O1", "b2345cd", "7 Jan 2023", "Criminal damage", "caution"])
    doc.spreadsheet.addElement(table)
    doc.save(str(path))
    return path


def test_old_formats(engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    xls = run(engine, _xls(tmp_path / "old.xls"), clock)
    assert (xls.imported, xls.rejected, xls.header_row) == (1, 0, 3)
    ods = run(engine, _ods(tmp_path / "t.ods"), clock)
    assert (ods.imported, ods.rejected, ods.header_row) == (1, 0, 2)
    stored = referrals(engine)
    x1, _ = stored["X1"]
    assert (x1.category_code, x1.status) == ("MOBILE_PHONE", "nfa")
    assert to_london(x1.incident_at).date() == date(2019, 3, 4)
    o1, p = stored["O1"]
    assert (p.nomis_number, o1.category_code, o1.outcome) == (
        "B2345CD",
        "CRIMINAL_DAMAGE",
        "caution",
    )


def test_unreadable_files(engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xlsx"
    bad.write_text("not a workbook")
    with pytest.raises(ReadError, match="cannot be read"):
        run(engine, bad, clock)
    with pytest.raises(ReadError, match="no such file"):
        run(engine, tmp_path / "missing.xlsx", clock)
    csv = tmp_path / "x.csv"
    csv.write_text("a,b,c")
    with pytest.raises(ReadError, match=r"not a spreadsheet .*save it as \.xlsx"):
        run(engine, csv, clock)
    pdf = tmp_path / "x.pdf"
    pdf.write_text("%PDF")
    with pytest.raises(ReadError, match=r"not a spreadsheet \(expected .xlsx, .xls or .ods\)$"):
        run(engine, pdf, clock)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("03/04/2024", date(2024, 4, 3)),
        ("3/4/24", date(2024, 4, 3)),
        ("3.4.2024", date(2024, 4, 3)),
        ("03-04-2024", date(2024, 4, 3)),
        ("2024-04-03", date(2024, 4, 3)),
        ("3 Apr 2024", date(2024, 4, 3)),
        ("03-Apr-24", date(2024, 4, 3)),
        ("3rd April 2024", date(2024, 4, 3)),
        ("Wed 3 April 2024", date(2024, 4, 3)),
        (45385, date(2024, 4, 3)),
        (45385.5, date(2024, 4, 3)),
        (date(2024, 4, 3), date(2024, 4, 3)),
        (datetime(2024, 4, 3, 9, 0), date(2024, 4, 3)),
        ("", None),
        (None, None),
    ],
)
def test_uk_dates(text: Any, expected: date | None) -> None:
    assert parse_uk_date(text) == expected


def test_times_and_bad_dates() -> None:
    assert parse_uk_datetime("03/04/2024 14:30") == datetime(2024, 4, 3, 14, 30)
    assert parse_uk_datetime("2024-04-03T09:05:00") == datetime(2024, 4, 3, 9, 5)
    for bad in ("31/02/2024", "32/01/2024", "hello", "3 Foo 2024", "03/04/2024 25:00", -5):
        with pytest.raises(CellError):
            parse_uk_datetime(bad)


def test_incident_time_kept_in_london(engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    rows = [
        [
            "S1",
            "A1234BC",
            "Summer",
            "01/07/2024 09:15",
            "Drugs",
            None,
            None,
            None,
            None,
            None,
            None,
            None,
            None,
        ]
    ]
    run(engine, write_tracker(tmp_path / "bst.xlsx", rows), clock)
    r, _ = referrals(engine)["S1"]
    assert r.incident_at == datetime(2024, 7, 1, 8, 15, tzinfo=UTC)
