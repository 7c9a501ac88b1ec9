"""An exhibit log kept one row per exhibit: seizure, police collection and destruction in
columns of the same row, replayed through the chain rules; per-movement logs still work
(tests/test_spreadsheets_exhibits.py)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select

from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.dates import time_recorded
from cipco.db import session_scope
from cipco.models.exhibit import Exhibit, ExhibitEvent
from cipco.models.people import Prisoner
from cipco.services import chain
from tests.import_helpers import cli, column_line, count, workbook

HEADER = [
    "Exhibit No.",
    "Description",
    "Date seized",
    "Time seized",
    "Seized by",
    "Seal/Bag No.",
    "Storage location",
    "Found on",
    "Where found",
    "Referral",
    "Date collected",
    "Collected by",
    "Collar no",
    "Force",
    "Date destroyed",
    "Authorised by",
    "Witnessed by",
    "Property no",
]


def _row(ref: str, what: str, seized: str, at: Any, **rest: Any) -> list[Any]:
    values = {
        "Exhibit No.": ref,
        "Description": what,
        "Date seized": seized,
        "Time seized": at,
        "Seized by": "SO Smith",
        "Seal/Bag No.": f"SEAL-{ref[-1]}",
        "Storage location": "Evidence safe",
        **rest,
    }
    return [values.get(h) for h in HEADER]


ROWS = [
    _row(
        "JS/1",
        "Samsung phone",
        "01/11/2026",
        "09:15",
        **{
            "Found on": "A1234BC",
            "Where found": "Cell A1-01",
            "Date collected": "05/11/2026 10:30",
            "Collected by": "DC Collins",
            "Collar no": "1234",
            "Force": "West Yorkshire",
            "Property no": "P-1",
        },
    ),
    _row(
        "JS/2",
        "Cannabis wraps",
        "02/11/2026",
        "1400",
        **{
            "Date destroyed": "10/11/2026",
            "Authorised by": "Gov Price",
            "Witnessed by": "OSG Tran",
        },
    ),
    _row(
        "JS/3",
        "Blade",
        "03/11/2026",
        "2.15pm",
        **{
            "Date collected": "01/11/2026",
            "Collected by": "DC Collins",
            "Collar no": "1234",
            "Force": "West Yorkshire",
        },
    ),
    _row(
        "JS/4",
        "Letter",
        "04/11/2026",
        None,
        **{"Date destroyed": "12/11/2026", "Witnessed by": "OSG Tran"},
    ),
    _row(
        "JS/5",
        "Phone charger",
        "04/11/2026",
        "08:00",
        **{
            "Referral": "T1",
            "Date destroyed": "12/11/2026",
            "Authorised by": "Gov Price",
            "Witnessed by": "OSG Tran",
        },
    ),
    ["Total items: 5"],
]


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


def _events(engine: Engine, reference: str) -> tuple[Exhibit, list[ExhibitEvent]]:
    with session_scope(engine) as session:
        exhibit = session.scalars(select(Exhibit).where(Exhibit.reference == reference)).one()
        events = list(
            session.scalars(
                select(ExhibitEvent)
                .where(ExhibitEvent.exhibit_id == exhibit.id)
                .order_by(ExhibitEvent.seq)  # type: ignore[arg-type]
            )
        )
        return exhibit, events


def test_one_row_per_exhibit_replays_collection_and_destruction(
    engine: Engine, db_path: Path, tmp_path: Path
) -> None:
    tracker = workbook(
        tmp_path / "tracker.xlsx",
        ["Ref", "Prison No", "Incident date", "Crime type", "Status"],
        [["T1", "C3456DE", "01/11/2026", "Mobile phone", "Referred"]],
    )
    assert cli(db_path, "import", "referrals", str(tracker))[0] == 0
    path = workbook(tmp_path / "exhibits.xlsx", HEADER, ROWS)
    code, output = cli(db_path, "import", "exhibits", str(path), "--dry-run")
    assert (
        column_line(output, "Seal/Bag No.")
        == "'Seal/Bag No.' -> seal_number (guessed: similar words)"
    )
    assert (
        column_line(output, "Time seized")
        == "'Time seized' -> happened_time (guessed: time + seize)"
    )
    assert column_line(output, "Date collected") == "'Date collected' -> collected_at (exact)"
    assert column_line(output, "Property no") == (
        "'Property no' -> kept with each record (original columns)"
    )

    code, output = cli(db_path, "import", "exhibits", str(path))
    assert code == 1, output
    assert "Done: imported 2, updated 0, unchanged 0, skipped 1, rejected 3" in output
    assert (
        "row 6 [Date collected]: rejected: happened at: 01/11/2026 00:00 is before the "
        "previous movement (03/11/2026 14:15); record a correction instead" in output
    )
    assert "row 7 [Authorised by]: rejected: destroyed: destruction needs an authority" in output
    assert (
        "row 8 [Date destroyed]: rejected: JS/5 is linked to open referral T1; destruction "
        "must wait until it is closed"
    ) in output

    js1, events = _events(engine, "JS/1")
    assert (js1.state, js1.holder, js1.holder_kind) == ("with_police", "DC Collins", "police")
    assert (js1.seal_number, js1.where_found) == ("SEAL-1", "Cell A1-01")
    assert js1.storage_location is None  # with the police now, no longer in our store
    assert js1.original_columns == [["Property no", "P-1"]]
    assert [(e.kind, e.reason) for e in events] == [
        ("seizure", "storage"),
        ("movement", "police_collection"),
    ]
    assert events[0].happened_at == datetime(2026, 11, 1, 9, 15, tzinfo=UTC)
    assert (events[0].location, events[0].seal_number) == ("Evidence safe", "SEAL-1")
    assert (events[0].location, events[0].seal_number) == ("Evidence safe", "SEAL-1")
    assert events[1].happened_at == datetime(2026, 11, 5, 10, 30, tzinfo=UTC)
    assert (events[1].from_name, events[1].to_collar, events[1].to_force) == (
        "SO Smith",
        "1234",
        "West Yorkshire",
    )
    js2, events = _events(engine, "JS/2")
    assert js2.state == "destroyed"
    assert [e.kind for e in events] == ["seizure", "destruction"]
    assert (events[1].authority, events[1].witness) == ("Gov Price", "OSG Tran")
    assert not time_recorded(events[1].happened_at)  # the sheet gave the date only
    with session_scope(engine) as session:
        found_on = session.get(Prisoner, js1.found_on_prisoner_id)
        assert found_on is not None and found_on.nomis_number == "A1234BC"
        assert chain.verify(session).ok

    code, output = cli(db_path, "import", "exhibits", str(path), "-q")
    assert "Done: imported 0, updated 0, unchanged 2, skipped 1, rejected 3" in output
    assert count(engine, ExhibitEvent) == 4
