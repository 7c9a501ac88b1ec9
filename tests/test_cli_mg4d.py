"""``cipco import mg4d`` and ``cipco export mg4d`` end to end, read back."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.mg4d import ChargePapers, ServiceEvent
from cipco.services.bootstrap import prepare

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


def issue_log(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["HMP Leeds - MG4D issue log 2026"])
    ws.append([])
    ws.append(
        [
            "Prison No",
            "Name",
            "Offence",
            "Court",
            "Court date",
            "Date received",
            "Date served",
            "Served by",
            "Signed",
        ]
    )
    ws.append(
        [
            "a1234bc",
            "SMITH, John",
            "- Assault on emergency worker",
            "Leeds MC",
            "03/12/2026",
            "02/11/2026 09:00",
            "03/11/2026 14:35",
            "Officer Ahmed",
            "Refused",
        ]
    )
    ws.append(
        [
            "B2345CD",
            "JONES, Tom",
            "Possession of a phone",
            "Leeds MC",
            "20/11/2026",
            "15/11/2026",
            None,
            None,
            None,
        ]
    )
    ws.append(["BAD", "Nobody", "Theft", "", "", "15/11/2026", None, None, None])
    ws.append(["C3456DE", "BROWN, Al", "Theft", "", "", None, None, None, None])
    wb.save(path)
    return path


def test_import_then_again_then_export(db_path: Path, tmp_path: Path) -> None:
    source = issue_log(tmp_path / "log.xlsx")
    db = ["--db", str(db_path)]
    result = runner.invoke(app, [*db, "import", "mg4d", str(source), "--quiet"])
    assert result.exit_code == 1, result.output
    assert "imported 2" in result.output and "rejected 2" in result.output
    again = runner.invoke(app, [*db, "import", "mg4d", str(source), "--quiet"])
    assert "imported 0" in again.output and "unchanged 2" in again.output
    engine = prepare(db_path)
    with session_scope(engine) as s:
        papers = list(s.scalars(select(ChargePapers).order_by(ChargePapers.id)))
        assert [p.state for p in papers] == ["served", "awaiting"]
        assert papers[0].response == "refused"
        assert papers[0].charges == "- Assault on emergency worker"
        assert len(list(s.scalars(select(ServiceEvent)))) == 1
    engine.dispose()

    out = tmp_path / "police.xlsx"
    exported = runner.invoke(app, [*db, "export", "mg4d", "--out", str(out), "--queue", "served"])
    assert exported.exit_code == 0, exported.output
    assert "1 charge papers written" in exported.output
    wb = load_workbook(out)
    ws = wb["MG4D issue log"]
    headers = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(headers, ws[2], strict=True)}
    assert row["Prison number"].value == "A1234BC"
    assert row["Served"].value == datetime(2026, 11, 3, 14, 35)  # London wall time
    assert row["Served"].is_date and row["Served"].number_format == "dd/mm/yyyy hh:mm"
    assert row["Charges"].data_type == "s"  # never a live formula
    assert row["Response"].value == "Served: refused to sign"
    assert ws.max_row == 2
    bad = runner.invoke(app, [*db, "export", "mg4d", "--queue", "nope"])
    assert bad.exit_code == 2 and "--queue" in bad.output
