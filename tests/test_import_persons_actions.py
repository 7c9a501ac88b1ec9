"""Persons lists with ancillary orders (both shapes) and clinic action logs, imported with
nothing dropped, and a second import changing nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, select

from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.clinic import AgendaItem, Clinic, ClinicAction, ClinicCreate
from cipco.models.people import Prisoner
from cipco.models.person import AncillaryOrder, PersonOfInterest
from cipco.services import clinic
from tests.import_helpers import cli, count, workbook


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


def _orders(engine: Engine) -> dict[str, list[AncillaryOrder]]:
    with session_scope(engine) as session:
        found: dict[str, list[AncillaryOrder]] = {}
        for order, nomis in session.execute(
            select(AncillaryOrder, Prisoner.nomis_number)
            .join(PersonOfInterest, PersonOfInterest.id == AncillaryOrder.person_id)
            .join(Prisoner, Prisoner.id == PersonOfInterest.prisoner_id)
            .order_by(AncillaryOrder.made_on)
        ):
            found.setdefault(nomis, []).append(order)
        return found


def test_one_row_per_person_with_order_columns(
    engine: Engine, db_path: Path, tmp_path: Path
) -> None:
    path = workbook(
        tmp_path / "poi.xlsx",
        [
            "Prison No.",
            "Name",
            "D.O.B.",
            "Band",
            "Order type",
            "Court",
            "Order made",
            "Starts",
            "Order expires",
            "Conditions",
            "Cell",
        ],
        [
            [
                "A1111AA",
                "Smith, J",
                "01/02/1990",
                "1",
                "SCPO",
                "Leeds Crown",
                "01/03/2025",
                "On release",
                "01/03/2030",
                "One phone only",
                "A1-01",
            ],
            [
                "B2222BB",
                "Jones, K",
                None,
                "2",
                "Knife Crime Prevention Order",
                "Bradford",
                "05/06/2025",
                "Immediately",
                "05/06/2027",
                None,
                None,
            ],
            ["C3333CC", "Brown, A", None, None, None, None, None, None, None, None, None],
            [
                "D4444DD",
                "Green, T",
                None,
                "1",
                "Banana order",
                None,
                "01/01/2025",
                None,
                "until further order",
                "see file",
                None,
            ],
            ["E5555EE", "Black, S", None, "2", "SHPO", None, None, None, None, None, None],
            ["F6666FF", "Grey, E", None, "7", None, None, None, None, None, None, None],
            ["Total persons: 6"],
        ],
    )
    code, output = cli(db_path, "import", "persons", str(path))
    assert code == 1, output
    assert "Done: imported 4, updated 0, unchanged 0, skipped 1, rejected 2" in output
    assert "row 8 [Order made]: rejected: order made: the date the order was made is missing" in (
        output
    )
    assert "row 9 [Band]: rejected: '7' is not a SOC band: expected 1, 2 or blank" in output
    assert "row 7: warning: order type 'Banana order' is not in the order types list: Other" in (
        output
    )
    orders = _orders(engine)
    assert set(orders) == {"A1111AA", "B2222BB", "D4444DD"}
    (scpo,) = orders["A1111AA"]
    assert (scpo.order_type_code, scpo.court, scpo.made_on) == (
        "SCPO",
        "Leeds Crown",
        date(2025, 3, 1),
    )
    assert (scpo.start_rule, scpo.start_on, scpo.end_on) == ("on_release", None, date(2030, 3, 1))
    assert scpo.conditions == "One phone only"
    (kcpo,) = orders["B2222BB"]
    assert (kcpo.order_type_code, kcpo.start_rule, kcpo.start_on) == (
        "KCPO",
        "on_making",
        date(2025, 6, 5),
    )
    (other,) = orders["D4444DD"]
    assert (other.order_type_code, other.until_further_order, other.end_on) == ("OTHER", True, None)
    assert other.conditions == "Order type given: Banana order; see file"
    with session_scope(engine) as session:
        smith = session.scalars(
            select(PersonOfInterest).join(Prisoner).where(Prisoner.nomis_number == "A1111AA")
        ).one()
        assert smith.soc_band == 1
        assert smith.original_columns == [["Cell", "A1-01"]]
        prisoner = session.get(Prisoner, smith.prisoner_id)
        assert prisoner is not None and prisoner.date_of_birth == date(1990, 2, 1)

    code, output = cli(db_path, "import", "persons", str(path), "-q")
    assert "Done: imported 0, updated 0, unchanged 4, skipped 1, rejected 2" in output
    assert sum(len(o) for o in _orders(engine).values()) == 3


def test_one_row_per_order(engine: Engine, db_path: Path, tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "orders.xlsx",
        ["NOMIS", "Name", "SOC band", "Order", "Date made", "Expiry"],
        [
            ["A1234BC", "Smith, J", "1", "SCPO", "01/03/2025", "01/03/2030"],
            ["A1234BC", "Smith, J", "1", "KCPO", "01/04/2025", "01/04/2027"],
            ["A1234BC", "Smith, J", "2", "CBO", "01/05/2025", "01/05/2027"],
            ["B2345CD", "Jones, K", None, "Gang injunction", "02/02/2024", None],
            ["A1234BC", "Smith, J", None, None, None, None],
        ],
    )
    code, output = cli(db_path, "import", "persons", str(path))
    assert code == 1, output
    assert "Done: imported 3, updated 0, unchanged 0, skipped 0, rejected 2" in output
    assert "row 6 [SOC band]: rejected: SOC band differs from row 4 for A1234BC" in output
    assert "row 8 [NOMIS]: rejected: duplicate of row 4" in output
    orders = _orders(engine)
    assert [o.order_type_code for o in orders["A1234BC"]] == ["SCPO", "KCPO"]
    assert [o.order_type_code for o in orders["B2345CD"]] == ["GANG_INJUNCTION"]
    assert count(engine, PersonOfInterest) == 2

    code, output = cli(db_path, "import", "persons", str(path), "-q")
    assert "Done: imported 0, updated 0, unchanged 3, skipped 0, rejected 2" in output
    assert count(engine, AncillaryOrder) == 3


def _carried(engine: Engine) -> dict[date, list[str]]:
    with session_scope(engine) as session:
        lines: dict[date, list[str]] = {}
        for held_on, title in session.execute(
            select(Clinic.held_on, AgendaItem.title)
            .join(Clinic, Clinic.id == AgendaItem.clinic_id)
            .where(AgendaItem.section == clinic.SECTION_CARRIED)
            .order_by(Clinic.held_on, AgendaItem.position)
        ):
            lines.setdefault(held_on, []).append(title)
        return lines


def test_clinic_action_log_is_carried_forward_as_the_app_would(
    engine: Engine, db_path: Path, tmp_path: Path, clock: FixedClock
) -> None:
    with session_scope(engine, actor="tester", clock=clock) as session:
        clinic.create_clinic(
            session=session, clock=clock, data=ClinicCreate(held_on=date(2026, 12, 2))
        )
    path = workbook(
        tmp_path / "actions.xlsx",
        ["Action", "Owner", "Org", "Due", "Status", "Clinic date", "Date done", "Notes", "RAG"],
        [
            [
                "Send CCTV stills",
                "SO Carr",
                "HMP",
                "28/10/2026",
                "Open",
                "21/10/2026",
                None,
                None,
                "Red",
            ],
            [
                "Chase lab results",
                "DC Collins",
                "Police",
                "30/10/2026",
                "Done",
                "21/10/2026",
                "25/10/2026",
                None,
                None,
            ],
            [
                "Book interview",
                "DC Collins",
                "Police",
                "10/11/2026",
                "Complete",
                "21/10/2026",
                "10/11/2026",
                None,
                None,
            ],
            [
                "Statement from SO Ahmed",
                "SO Carr",
                "HMP",
                None,
                "Dropped",
                "04/11/2026",
                None,
                "officer left",
                None,
            ],
            [
                "Review adjudication",
                "Gov Price",
                "HMP",
                "25/11/2026",
                "Open",
                "04/11/2026",
                None,
                None,
                None,
            ],
            ["Update the victim", "SO Carr", "HMP", None, "Open", "18/11/2026", None, None, None],
            ["Find the key", None, "HMP", None, "Open", "04/11/2026", None, None, None],
            ["Ring the OIC", "SO Carr", "HMP", None, "Open", None, None, None, None],
            ["TOTAL: 8"],
        ],
    )
    code, output = cli(db_path, "import", "actions", str(path))
    assert code == 1, output
    assert "Done: imported 6, updated 0, unchanged 0, skipped 1, rejected 2" in output
    assert "row 10 [Owner]: rejected: an owner (a person) is required" in output
    assert (
        "row 11 [Clinic date]: rejected: the date of the clinic that raised it is missing"
    ) in output
    assert _carried(engine) == {
        # open on 04/11: still open, and done only on 10/11
        date(2026, 11, 4): ["Send CCTV stills", "Book interview"],
        date(2026, 11, 18): ["Send CCTV stills", "Review adjudication"],
        # the next clinic, not yet held: what is open now
        date(2026, 12, 2): ["Send CCTV stills", "Review adjudication", "Update the victim"],
    }
    with session_scope(engine) as session:
        actions = {a.text: a for a in session.scalars(select(ClinicAction))}
        statuses = {text: a.status for text, a in actions.items()}
        imported_clinics = {
            c.held_on: c.status
            for c in session.scalars(select(Clinic))
            if c.held_on < date(2026, 12, 1)
        }
    assert statuses == {
        "Send CCTV stills": "open",
        "Chase lab results": "done",
        "Book interview": "done",
        "Statement from SO Ahmed": "dropped",
        "Review adjudication": "open",
        "Update the victim": "open",
    }
    assert actions["Book interview"].done_at == datetime(2026, 11, 10, 0, 0, tzinfo=UTC)
    assert actions["Statement from SO Ahmed"].status_reason == "officer left"
    assert actions["Send CCTV stills"].original_columns == [["RAG", "Red"]]
    assert set(imported_clinics.values()) == {"closed"}

    code, output = cli(db_path, "import", "actions", str(path), "-q")
    assert "Done: imported 0, updated 0, unchanged 6, skipped 1, rejected 2" in output
    assert sum(len(v) for v in _carried(engine).values()) == 7
