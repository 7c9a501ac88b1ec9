"""Columns read by meaning, kept when they map to nothing, remembered once confirmed, and a
separate time column combined with its date: the one pipeline, for every log."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select

from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.imports import ImportMapping
from cipco.models.mg4d import ChargePapers
from cipco.models.referral import Referral
from cipco.spreadsheets import headers
from cipco.spreadsheets.logs import IMPORTS
from cipco.spreadsheets.reader import matcher_for
from tests.import_helpers import cli, column_line, count, workbook


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


def _found(log: str, *row: str) -> dict[str, tuple[str, str]]:
    matcher = matcher_for(IMPORTS[log].read_fields)
    return {
        row[col]: (match.field, match.how)
        for col, match in headers.match_headers(matcher, list(row)).items()
    }


def test_headers_are_read_by_meaning() -> None:
    assert _found(
        "mg4d", "Rec'd", "Prisoner signed?", "Time Served", "Served on", "Crime Ref No."
    ) == {
        "Rec'd": ("received_at", "synonym"),  # "Received" written short
        "Prisoner signed?": ("response", "guessed"),  # a question the response answers
        "Time Served": ("served_time", "guessed"),  # a time word with an event word
        "Served on": ("served_at", "guessed"),  # a date word with an event word
        "Crime Ref No.": ("crime_ref", "synonym"),
    }
    assert _found("mg4d", "Date/Time Served", "Signed?") == {
        "Date/Time Served": ("served_at", "synonym"),  # "Served date/time", other order
        "Signed?": ("response", "synonym"),
    }
    assert _found("persons", "NOMS No.", "D.O.B.", "Order Expires", "Date Made") == {
        "NOMS No.": ("nomis_number", "synonym"),
        "D.O.B.": ("date_of_birth", "synonym"),
        "Order Expires": ("order_end", "exact"),
        "Date Made": ("order_made_on", "synonym"),
    }
    assert _found("exhibits", "Exhibit Ref No.", "Seal/Bag No.", "Seized on", "Time") == {
        "Exhibit Ref No.": ("reference", "guessed"),
        "Seal/Bag No.": ("seal_number", "guessed"),
        "Seized on": ("happened_at", "synonym"),
        "Time": ("happened_time", "synonym"),
    }
    # an exact header beats a guess in an earlier column; each field takes one column
    assert _found("mg4d", "Served on", "Served") == {"Served": ("served_at", "exact")}
    # a date word with "charged" is not the charges text
    assert "Date charged" not in _found("mg4d", "Date charged", "Name", "Prison no")


def test_referral_tracker_with_a_separate_time_column_and_a_kept_column(
    engine: Engine, db_path: Path, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "tracker.xlsx",
        ["Log No", "NOMIS No.", "Date of Incident", "Time", "Offence", "Wing", "Adjudication"],
        [
            ["L1", "A1234BC", "03/04/2026", "14:35", "Drugs", "A", "ADJ-1"],
            ["L2", "B2345CD", "04/04/2026", None, "Mobile phone", "B", None],
            ["Total items: 2"],
        ],
    )
    code, output = cli(db_path, "import", "referrals", str(path))
    assert code == 0, output
    assert "Done: imported 2, updated 0, unchanged 0, skipped 1, rejected 0" in output
    assert column_line(output, "Time") == "'Time' -> incident_time (synonym)"
    with session_scope(engine) as session:
        stored = {r.reference: r for r in session.scalars(select(Referral))}
    assert stored["L1"].incident_at == datetime(2026, 4, 3, 13, 35, tzinfo=UTC)  # BST
    assert stored["L2"].incident_at == datetime(2026, 4, 3, 23, 0, tzinfo=UTC)  # no time
    assert stored["L1"].original_columns == [["Adjudication", "ADJ-1"]]
    assert stored["L2"].original_columns is None

    # exported (internal column) and imported back unchanged
    out = tmp_path / "export.xlsx"
    code, output = cli(db_path, "export", "referrals", "--include-internal", "--out", str(out))
    assert code == 0, output
    ws = load_workbook(out)["Referrals"]
    header = [c.value for c in ws[1]]
    values = {
        row[0]: dict(zip(header, row, strict=False))
        for row in ws.iter_rows(min_row=2, values_only=True)
    }
    assert values["L1"]["Original columns"] == "Adjudication: ADJ-1"
    code, output = cli(db_path, "import", "referrals", str(out), "--dry-run")
    assert "would be imported 0, would be updated 0, unchanged 2" in output, output
    assert column_line(output, "Next due") == "'Next due' -> not imported (cipco works it out)"
    assert column_line(output, "Original columns") == (
        "'Original columns' -> original_columns (exact)"
    )


def test_a_confirmed_mapping_is_remembered_for_the_next_copy(
    engine: Engine, db_path: Path, tmp_path: Path
) -> None:
    header = ["Inmate ID", "Received on", "Charge details", "Svd"]
    first = workbook(
        tmp_path / "november.xlsx", header, [["A1234BC", "02/11/2026", "Assault", None]]
    )
    code, output = cli(db_path, "import", "mg4d", str(first))
    assert code == 2, output  # "Inmate ID" is not recognised
    assert "no column for Prison number" in output
    code, output = cli(db_path, "import", "mg4d", str(first), "--map", "Inmate ID=nomis_number")
    assert code == 0, output
    assert column_line(output, "Inmate ID") == "'Inmate ID' -> nomis_number (--map)"
    assert "The column mapping is remembered for this header layout" in output
    with session_scope(engine) as session:
        saved = session.scalars(select(ImportMapping)).one()
        assert (saved.log, saved.file_name) == ("mg4d", "november.xlsx")
        assert saved.mapping == {
            "Inmate ID": "nomis_number",
            "Received on": "received_at",
            "Charge details": "charges",
        }

    december = workbook(
        tmp_path / "december.xlsx",
        header,
        [["B2345CD", "01/12/2026", "Theft", None]],
        title="MG4D log December",
    )
    # the clock says 18/11/2026: a December date is refused, nothing else needs saying
    code, output = cli(db_path, "import", "mg4d", str(december), "--dry-run")
    assert column_line(output, "Inmate ID") == "'Inmate ID' -> nomis_number (remembered)"
    assert column_line(output, "Charge details") == "'Charge details' -> charges (remembered)"
    assert column_line(output, "Svd") == "'Svd' -> served_at (synonym)"  # "Served" short
    later = workbook(tmp_path / "later.xlsx", header, [["B2345CD", "10/11/2026", "Theft", None]])
    code, output = cli(db_path, "import", "mg4d", str(later))
    assert code == 0, output
    assert "Done: imported 1" in output
    assert count(engine, ChargePapers) == 2
    # --map still wins over what was remembered
    code, output = cli(db_path, "import", "mg4d", str(later), "--dry-run", "--map", "Svd=note")
    assert column_line(output, "Svd") == "'Svd' -> note (--map)"

    code, output = cli(db_path, "import", "remembered")
    assert code == 0, output
    assert "1. mg4d: november.xlsx (4 columns), saved 18/11/2026 10:00 by tester" in output
    assert "'Inmate ID' -> nomis_number" in output
    code, output = cli(db_path, "import", "remembered", "--forget", "1")
    assert (code, output.strip()) == (0, "Forgot remembered layout 1.")
    code, output = cli(db_path, "import", "mg4d", str(later), "--dry-run")
    assert code == 2 and "no column for Prison number" in output  # guessing again


def test_strict_refuses_a_file_that_would_lose_a_column(
    engine: Engine, db_path: Path, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "mg4d.xlsx",
        ["Prison No", "Charges", "Date received", "Time served"],
        [["A1234BC", "Assault", "02/11/2026", "14:35"]],
    )
    code, output = cli(db_path, "import", "mg4d", str(path), "--strict")
    assert code == 1, output
    assert (
        "'Time served' -> NOT IMPORTED: a time with no Served column to go with it; "
        "--map '<date column>=served_at' brings it in"
    ) in output
    assert "--strict: nothing imported because column 'Time served' would be lost" in output
    assert count(engine, ChargePapers) == 0
    # without --strict the rest imports and the lost column is named
    code, output = cli(db_path, "import", "mg4d", str(path), "-q")
    assert code == 0, output
    assert "Not imported: 'Time served': a time with no Served column" in output
    assert count(engine, ChargePapers) == 1


def test_a_kept_column_that_fits_a_taken_field_says_which_map_brings_it_in(
    engine: Engine, db_path: Path, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "mg4d.xlsx",
        ["Prison No", "Charges", "Date received", "Notes", "Comments"],
        [["A1234BC", "Assault", "02/11/2026", "first", "second"]],
    )
    _code, output = cli(db_path, "import", "mg4d", str(path), "--dry-run")
    assert column_line(output, "Comments") == (
        "'Comments' -> kept with each record (original columns); "
        "--map 'Comments=notes' imports it instead of 'Notes'"
    )
