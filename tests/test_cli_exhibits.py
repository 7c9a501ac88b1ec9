"""The exhibit commands through Typer: verify, hash, exports and import."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import session_scope
from tests.chain_helpers import tamper
from tests.exhibit_helpers import make_exhibit, move

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


@pytest.fixture
def filled(engine: Engine, clock: FixedClock, db_path: Path) -> Path:
    with session_scope(engine, actor="tester", clock=clock) as session:
        exhibit = make_exhibit(session, clock)
        move(session, clock, exhibit, "Officer J. Smith", "SO P. Carr", clock.now() - timedelta(1))
        make_exhibit(session, clock, reference="JS/2", description="Wraps", exhibit_type="drugs")
    return db_path


def test_verify_ok_then_broken(filled: Path) -> None:
    result = runner.invoke(app, ["--db", str(filled), "verify"])
    assert result.exit_code == 0, result.output
    assert "Chain intact: 2 exhibits, 3 events" in result.output
    tamper(filled, "UPDATE exhibit_event SET seal_number = 'S1' WHERE seq = 2")
    result = runner.invoke(app, ["--db", str(filled), "verify"])
    assert result.exit_code == 1
    assert "JS/1 event 2" in result.output and "altered" in result.output
    assert "Chain BROKEN" in result.output


def test_hash_prints_sha256(tmp_path: Path) -> None:
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\x00\x01footage" * 100000)
    result = runner.invoke(app, ["hash", str(clip)])
    assert result.exit_code == 0
    assert result.output.split()[0] == hashlib.sha256(clip.read_bytes()).hexdigest()
    result = runner.invoke(app, ["hash", str(tmp_path / "missing.mp4")])
    assert result.exit_code == 2


def test_export_register_and_continuity(filled: Path, tmp_path: Path) -> None:
    out = tmp_path / "register.xlsx"
    result = runner.invoke(
        app, ["--db", str(filled), "export", "exhibits", "--filter", "held", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "2 exhibits written" in result.output
    ws = load_workbook(out)["Exhibits"]
    assert [c.value for c in ws[1]][:3] == ["Exhibit", "Type", "Description"]
    assert {ws.cell(row=r, column=1).value for r in (2, 3)} == {"JS/1", "JS/2"}
    out = tmp_path / "continuity.xlsx"
    result = runner.invoke(
        app, ["--db", str(filled), "export", "continuity", "js/1", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(out)["Continuity"].iter_rows(values_only=True))
    assert rows[1][1] == "Seized" and rows[2][1] == "Moved" and rows[2][6] == "SO P. Carr"
    result = runner.invoke(app, ["--db", str(filled), "export", "continuity", "ZZ/9"])
    assert result.exit_code == 1 and "ZZ/9 does not exist" in result.output
    result = runner.invoke(app, ["--db", str(filled), "export", "exhibits", "--filter", "x"])
    assert result.exit_code == 2
    out = tmp_path / "destroyed.xlsx"
    result = runner.invoke(
        app, ["--db", str(filled), "export", "exhibits", "--state", "destroyed", "--out", str(out)]
    )
    assert result.exit_code == 0 and "0 exhibits written" in result.output


def test_import_exhibits_command(db_path: Path, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Exhibit", "Description", "Date", "Seized by", "From", "To", "Seal"])
    ws.append(["AB/1", "Phone", "01/11/2026 10:00", "Officer A", None, None, "S1"])
    ws.append(["AB/1", None, "02/11/2026 10:00", None, "Officer A", "Officer B", "S1"])
    ws.append(["AB/1", None, "03/11/2026 10:00", None, "Officer C", "Officer D", "S1"])
    path = tmp_path / "log.xlsx"
    wb.save(path)
    result = runner.invoke(
        app,
        [
            "--db",
            str(db_path),
            "import",
            "exhibits",
            str(path),
            "--rejects",
            str(tmp_path / "r.xlsx"),
        ],
    )
    assert result.exit_code == 1, result.output
    assert "Done: imported 1, updated 1, unchanged 0, skipped 0, rejected 1" in result.output
    assert "(imported: new exhibits; updated: movements added to a chain)" in result.output
    assert "row 4 [From]: rejected: breaks continuity" in result.output
    result = runner.invoke(app, ["--db", str(db_path), "verify"])
    assert result.exit_code == 0, result.output
