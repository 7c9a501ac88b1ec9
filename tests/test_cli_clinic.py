"""``cipco export clinic`` and ``cipco export actions``: files read back."""

from __future__ import annotations

import stat
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.clinic import (
    AgendaItemCreate,
    AttendanceCreate,
    ClinicActionCreate,
    ClinicCreate,
    Presence,
)
from cipco.services import clinic as clinic_service
from tests.factories import new_referral

runner = CliRunner()


@pytest.fixture
def clinic_db(
    engine: Engine, db_path: Path, clock: FixedClock, monkeypatch: pytest.MonkeyPatch
) -> Path:
    monkeypatch.setattr(state, "clock", clock)
    monkeypatch.setattr(state, "db_option", None)
    earlier = FixedClock(clock.now() - timedelta(days=14))
    with session_scope(engine, actor="coordinator", clock=clock) as s:
        new_referral(s, earlier, nomis="A1234BC", name="SMITH, John")
        first = clinic_service.create_clinic(
            session=s, clock=earlier, data=ClinicCreate(held_on=date(2026, 11, 4))
        )
        assert first.id is not None
        clinic_service.add_action(
            session=s,
            clinic_id=first.id,
            data=ClinicActionCreate(
                text='=HYPERLINK("http://x")',
                owner_name="DC Collins",
                owner_org="Police",
                due_on=date(2026, 11, 11),
            ),
            clock=earlier,
        )
        clinic = clinic_service.create_clinic(session=s, clock=clock)
        assert clinic.id is not None
        clinic_service.add_item(
            session=s,
            clinic_id=clinic.id,
            data=AgendaItemCreate(title="Drones | B wing"),
            clock=clock,
        )
        clinic_service.add_attendee(
            session=s,
            clinic_id=clinic.id,
            data=AttendanceCreate(name="DC Sarah Collins", organisation="Police"),
            clock=clock,
        )
        clinic_service.add_attendee(
            session=s,
            clinic_id=clinic.id,
            data=AttendanceCreate(name="CM Gill", presence=Presence.APOLOGIES),
            clock=clock,
        )
        clinic_service.add_action(
            session=s,
            clinic_id=clinic.id,
            data=ClinicActionCreate(text="Send stills", owner_name="SO Carr"),
            clock=clock,
        )
    return db_path


def test_export_latest_clinic_as_xlsx(clinic_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "minutes.xlsx"
    result = runner.invoke(
        app, ["--db", str(clinic_db), "export", "clinic", "--latest", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "Clinic of 18/11/2026" in result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    wb = load_workbook(out)
    assert wb.sheetnames == ["Agenda", "Actions", "Attendance", "About"]
    agenda = wb["Agenda"]
    assert agenda.freeze_panes == "A2"
    assert agenda.auto_filter.ref is not None
    header = [c.value for c in agenda[1]]
    assert "Decision / notes" in header and header[0] == "No."
    titles = [row[3] for row in agenda.iter_rows(min_row=2, values_only=True)]
    assert "Drones | B wing" in titles
    assert any(t and t.startswith("=HYPERLINK") for t in titles)  # carried action, as text
    actions = wb["Actions"]
    cells = [c for row in actions.iter_rows(min_row=2) for c in row]
    formula = next(c for c in cells if isinstance(c.value, str) and c.value.startswith("="))
    assert formula.data_type == "s"
    due = next(c for c in cells if c.value is not None and c.number_format == "dd/mm/yyyy")
    assert due.value.date() == date(2026, 11, 11)
    people = list(wb["Attendance"].iter_rows(min_row=2, values_only=True))
    assert ("DC Sarah Collins", None, "Police", "Present") in people
    assert ("CM Gill", None, None, "Apologies") in people


def test_export_clinic_by_date_as_markdown(clinic_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "minutes.md"
    result = runner.invoke(
        app,
        [
            "--db",
            str(clinic_db),
            "export",
            "clinic",
            "04/11/2026",
            "--format",
            "md",
            "-o",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    text = out.read_text()
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert "# Crime clinic: 04/11/2026" in text
    assert "OFFICIAL-SENSITIVE" in text
    assert "## Actions" in text and "DC Collins (Police)" in text


def test_export_clinic_errors_are_one_line(clinic_db: Path) -> None:
    result = runner.invoke(app, ["--db", str(clinic_db), "export", "clinic", "01/01/2020"])
    assert result.exit_code == 1
    assert "there is no clinic on 01/01/2020" in result.output
    result = runner.invoke(app, ["--db", str(clinic_db), "export", "clinic", "31/02/2026"])
    assert result.exit_code == 2
    assert "DATE: '31/02/2026' is not a real date" in result.output
    result = runner.invoke(
        app, ["--db", str(clinic_db), "export", "clinic", "04/11/2026", "--latest"]
    )
    assert result.exit_code == 2


def test_export_actions_filtered(clinic_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "actions.xlsx"
    result = runner.invoke(
        app,
        ["--db", str(clinic_db), "export", "actions", "--open", "--owner", "carr", "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    assert "1 actions written" in result.output
    wb = load_workbook(out)
    rows = list(wb["Actions"].iter_rows(min_row=2, values_only=True))
    assert [r[1] for r in rows] == ["Send stills"]
    about = {r[0]: r[1] for r in wb["About"].iter_rows(values_only=True) if r and r[0]}
    assert about["Filter: Owner"] == "carr"
    out_all = tmp_path / "all.xlsx"
    result = runner.invoke(app, ["--db", str(clinic_db), "export", "actions", "-o", str(out_all)])
    assert "2 actions written" in result.output
