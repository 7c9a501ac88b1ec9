"""An MG4D issue log as prisons keep it: date and time served in two columns, a "Signed?"
column, unserved papers, totals and note rows, columns cipco has no field for."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, time
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from cipco.cli.common import state
from cipco.clock import FixedClock, to_london
from cipco.dates import format_datetime, time_recorded
from cipco.db import session_scope
from cipco.models.mg4d import ChargePapers, ServiceEvent
from cipco.models.people import Prisoner
from tests.import_helpers import cli, column_line, count, workbook

HEADER = [
    "Prison No.",
    "Name",
    "Crime No.",
    "Charge(s)",
    "Date Rec'd",
    "Date served",
    "Time served",
    "Served by",
    "Signed? Y/N/Refused",
    "Cell",
]
# (prison number, charges, received, served date, served time, response, cell)
GOOD: list[tuple[Any, ...]] = [
    ("A1111AA", "Assault", "02/11/2026", "03/11/2026", "14:35", "Y", "A1-01"),
    ("B2222BB", "Phone", "02/11/2026", "04/11/2026", 1435, "N", None),
    ("C3333CC", "Theft", "05/11/2026", "06/11/2026", "14.35", "Refused", None),
    ("D4444DD", "Drugs", "05/11/2026", "07/11/2026", "2.15pm", "y", None),
    ("E5555EE", "Threats", "05/11/2026", "08/11/2026", time(9, 5), "Signed", None),
    ("F6666FF", "Spitting", "05/11/2026", "09/11/2026", datetime(2026, 11, 9, 16, 20), "Y", None),
    ("G7777GG", "Damage", "10/11/2026", "11/11/2026", None, "N", None),
    ("H8888HH", "Assault", "12/11/2026", None, None, "N", None),
    ("J9999JJ", "Assault", "12/11/2026", None, None, None, None),
    ("K1010KK", "Theft", "12/11/2026", "13/11/2026", "00:00", "Y", None),
]
# what each good row becomes: (state, response, served at in London or "")
EXPECTED = {
    "A1111AA": ("served", "signed", "03/11/2026 14:35"),
    "B2222BB": ("served", "served_not_signed", "04/11/2026 14:35"),
    "C3333CC": ("served", "refused", "06/11/2026 14:35"),
    "D4444DD": ("served", "signed", "07/11/2026 14:15"),
    "E5555EE": ("served", "signed", "08/11/2026 09:05"),
    "F6666FF": ("served", "signed", "09/11/2026 16:20"),
    "G7777GG": ("served", "served_not_signed", "11/11/2026"),  # time not recorded
    "H8888HH": ("awaiting", None, ""),
    "J9999JJ": ("awaiting", None, ""),
    "K1010KK": ("served", "signed", "13/11/2026 00:00"),  # a recorded midnight
}
BAD: list[tuple[tuple[Any, ...], str, str]] = [
    (
        ("L1111LL", "Theft", "12/11/2026", None, "10:00", "Y", None),
        "Time served",
        "Time served is 10:00 but Date served is empty: a time needs its date",
    ),
    (
        ("M1212MM", "Theft", "12/11/2026", None, None, "Y", None),
        "Signed? Y/N/Refused",
        "says 'Y' but the served date is empty: when were they served?",
    ),
    (
        ("N1313NN", "Theft", "12/11/2026", "10/11/2026", "09:00", "Y", None),
        "Date served",
        "served: 10/11/2026 09:00 is before the papers were received (12/11/2026)",
    ),
    (
        ("P1414PP", "Theft", "12/11/2026", "13/11/2026", "25:99", "Y", None),
        "Time served",
        "'25:99' is not a time",
    ),
]


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


def _row(nomis: str, charges: str, received: Any, served: Any, at: Any, said: Any, cell: Any):
    return [nomis, f"Name {nomis}", "13/1/26", charges, received, served, at, "SO Carr", said, cell]


def mg4d_log(path: Path) -> tuple[Path, dict[str, int]]:
    """The log, and the sheet row of each prison number (the header is on row 3)."""
    rows: list[list[Any]] = [_row(*values) for values in GOOD]
    rows.append([None] * len(HEADER))  # a blank row
    rows += [_row(*values) for values, _column, _reason in BAD]
    rows.append(["TOTAL", None, None, None, None, None, None, None, None, None])
    rows.append([None, "Count: 24", None, None, None, None, None, None, None, None])
    rows.append(["Note: B wing papers are kept in the Security office"])
    numbers = {row[0]: index for index, row in enumerate(rows, start=4) if row and row[0]}
    return workbook(path, HEADER, rows), numbers


def _papers(engine: Engine) -> dict[str, tuple[ChargePapers, list[ServiceEvent]]]:
    with session_scope(engine) as session:
        found = {}
        for papers, nomis in session.execute(
            select(ChargePapers, Prisoner.nomis_number).join(
                Prisoner, Prisoner.id == ChargePapers.prisoner_id
            )
        ):
            events = list(
                session.scalars(select(ServiceEvent).where(ServiceEvent.papers_id == papers.id))
            )
            found[nomis] = (papers, events)
        return found


def test_dry_run_names_every_column_and_how_it_was_found(
    engine: Engine, db_path: Path, tmp_path: Path
) -> None:
    path, _rows = mg4d_log(tmp_path / "mg4d.xlsx")
    code, output = cli(db_path, "import", "mg4d", str(path), "--dry-run")
    assert code == 1, output  # rows are rejected
    assert "header on row 3" in output
    assert column_line(output, "Prison No.") == "'Prison No.' -> nomis_number (synonym)"
    assert column_line(output, "Crime No.") == "'Crime No.' -> crime_ref (synonym)"
    assert column_line(output, "Charge(s)") == "'Charge(s)' -> charges (exact)"
    assert column_line(output, "Date Rec'd") == "'Date Rec'd' -> received_at (synonym)"
    assert column_line(output, "Time served") == (
        "'Time served' -> served_time (guessed: time + serve)"
    )
    assert column_line(output, "Signed? Y/N/Refused") == (
        "'Signed? Y/N/Refused' -> response (synonym)"
    )
    assert column_line(output, "Cell") == "'Cell' -> kept with each record (original columns)"
    assert (
        "Dry run, nothing changed: would be imported 10, would be updated 0, unchanged 0, "
        "skipped 4, rejected 4" in output
    )
    assert "(skipped: 1 blank, 2 totals (rows 19, 20), 1 note (row 21))" in output
    assert count(engine, ChargePapers) == 0


def test_import_reads_times_signed_column_and_unserved_papers(
    engine: Engine, db_path: Path, tmp_path: Path
) -> None:
    path, rows = mg4d_log(tmp_path / "mg4d.xlsx")
    rejects = tmp_path / "rejects.xlsx"
    code, output = cli(db_path, "import", "mg4d", str(path), "--rejects", str(rejects))
    assert code == 1, output
    assert "Done: imported 10, updated 0, unchanged 0, skipped 4, rejected 4" in output
    for values, column, reason in BAD:
        assert f"row {rows[values[0]]} [{column}]: rejected: {reason}" in output

    stored = _papers(engine)
    assert set(stored) == set(EXPECTED)
    for nomis, (state_, response, served) in EXPECTED.items():
        papers, events = stored[nomis]
        assert (papers.state, papers.response) == (state_, response), nomis
        assert format_datetime(papers.served_at) == served, nomis
        assert len(events) == (1 if response else 0), nomis
    untimed = stored["G7777GG"][0].served_at
    assert untimed is not None and not time_recorded(untimed)  # never a made-up 00:00
    midnight = stored["K1010KK"][0].served_at
    assert midnight is not None and time_recorded(midnight)  # a typed 00:00 stays a time
    assert to_london(midnight).time().replace(microsecond=0) == time(0, 0)
    assert stored["A1111AA"][0].original_columns == [["Cell", "A1-01"]]
    assert stored["B2222BB"][0].original_columns is None
    received = stored["A1111AA"][0].received_at
    assert received == datetime(2026, 11, 2, 0, 0, tzinfo=UTC)  # a date: time not recorded
    assert stored["A1111AA"][1][0].served_by == "SO Carr"

    again_code, again = cli(
        db_path, "import", "mg4d", str(path), "-q", "--rejects", str(tmp_path / "again.xlsx")
    )
    assert again_code == 1
    assert "Done: imported 0, updated 0, unchanged 10, skipped 4, rejected 4" in again
    assert count(engine, ChargePapers) == 10
    assert count(engine, ServiceEvent) == 8
