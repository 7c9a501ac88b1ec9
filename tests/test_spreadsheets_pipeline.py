"""The one import pipeline, the same for every log: dry run, strict, rejects, idempotence.

Each log gets a small messy sheet (a title row, two good rows, a blank row, one bad row) and
is imported as a user would with ``cipco import LOG``; what is in the database and in the
reject workbook is read back after each step.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.clinic import ClinicAction
from cipco.models.exhibit import Exhibit
from cipco.models.mg4d import ChargePapers
from cipco.models.person import PersonOfInterest
from cipco.models.referral import Referral
from cipco.outputs import OutputError
from cipco.spreadsheets import importers
from cipco.spreadsheets.logs import IMPORTS, import_log

runner = CliRunner()

# log -> (model counted, header, good rows, the bad row, the bad row's column, its reason)
SHEETS: dict[str, tuple[Any, list[str], list[list[Any]], list[Any], str, str]] = {
    "referrals": (
        Referral,
        ["Ref", "Prison No", "Name", "Incident date", "Crime type"],
        [
            ["T1", "A1234BC", "Smith, J", "01/10/2026", "Drugs"],
            ["T2", "B2345CD", "Jones, K", "02/10/2026", "Weapon"],
        ],
        ["T3", "NOT-NOMIS", "Bad, B", "03/10/2026", "Drugs"],
        "Prison No",
        "'NOT-NOMIS' is not a prison number",
    ),
    "persons": (
        PersonOfInterest,
        ["Prison No", "Name", "Band", "Reason"],
        [["A1234BC", "Smith, J", "1", "gang"], ["B2345CD", "Jones, K", "2", "supply"]],
        ["C3456DE", "Brown, A", "7", "band out of range"],
        "Band",
        "'7' is not a SOC band",
    ),
    "exhibits": (
        Exhibit,
        ["Exhibit", "Description", "Date", "Seized by"],
        [
            ["AB/1", "Samsung phone", "03/11/2026 09:15", "Officer A"],
            ["AB/2", "Cannabis wraps", "04/11/2026 10:00", "Officer B"],
        ],
        ["AB/3", "Blade", "31/02/2026", "Officer C"],
        "Date",
        "'31/02/2026' is not a real date",
    ),
    "mg4d": (
        ChargePapers,
        ["Prison No", "Name", "Charges", "Date received"],
        [
            ["A1234BC", "Smith, J", "Assault on an emergency worker", "02/11/2026 09:00"],
            ["B2345CD", "Jones, K", "Possession of a phone", "03/11/2026"],
        ],
        ["NOT-NOMIS", "Bad, B", "Theft", "04/11/2026"],
        "Prison No",
        "'NOT-NOMIS' is not a prison number",
    ),
    "actions": (
        ClinicAction,
        ["Action", "Owner", "Organisation", "Raised at clinic", "Due"],
        [
            ["Send stills to police", "SO Carr", "HMP", "04/11/2026", "11/11/2026"],
            ["Chase the lab", "DC Collins", "Police", "04/11/2026", None],
        ],
        ["Find the key", None, "HMP", "04/11/2026", None],
        "Owner",
        "an owner (a person) is required",
    ),
}


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


def _sheet(path: Path, log: str) -> Path:
    _model, header, good, bad, _column, _reason = SHEETS[log]
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([f"HMP Leeds - {log} log"])
    ws.append(header)
    ws.append(good[0])
    ws.append([None] * len(header))
    ws.append(bad)
    ws.append(good[1])
    wb.save(path)
    return path


def _count(engine: Engine, model: Any) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def _import(db: Path, log: str, path: Path, *options: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", str(db), "import", log, str(path), "-q", *options])
    assert "Traceback" not in result.output
    return result.exit_code, result.output


@pytest.mark.parametrize("log", list(SHEETS))
def test_every_importer_dry_run_strict_rejects_and_again(
    log: str, engine: Engine, db_path: Path, tmp_path: Path
) -> None:
    model, header, _good, bad, column, reason = SHEETS[log]
    source = _sheet(tmp_path / f"{log}.xlsx", log)
    before = _count(engine, model)

    code, output = _import(db_path, log, source, "--dry-run")
    assert code == 1, output
    assert "Dry run, nothing changed: would be imported 2, would be updated 0" in output
    assert "skipped 1, rejected 1" in output
    assert _count(engine, model) == before
    assert not (tmp_path / "exports").exists()  # a dry run writes no reject workbook

    code, output = _import(db_path, log, source, "--strict")
    assert code == 1, output
    assert "--strict: nothing imported because rows were rejected" in output
    assert _count(engine, model) == before
    strict_rejects = sorted((tmp_path / "exports").iterdir())
    assert len(strict_rejects) == 1 and strict_rejects[0].name.startswith(f"rejects-{log}-")

    rejects = tmp_path / "rejects.xlsx"
    code, output = _import(db_path, log, source, "--rejects", str(rejects))
    assert code == 1, output
    assert "Done: imported 2, updated 0, unchanged 0, skipped 1, rejected 1" in output
    assert _count(engine, model) == before + 2
    rows = list(load_workbook(rejects)["Rejected rows"].iter_rows(values_only=True))
    assert list(rows[0]) == [*header, "Row", "Column", "Reason"]
    assert len(rows) == 2
    assert list(rows[1][: len(bad)]) == [str(v) if v is not None else None for v in bad]
    assert rows[1][-3:-1] == (5, column)
    assert reason in rows[1][-1]

    code, output = _import(db_path, log, source, "--out", str(rejects), "--overwrite")
    assert code == 1, output
    assert "Done: imported 0, updated 0, unchanged 2, skipped 1, rejected 1" in output
    assert _count(engine, model) == before + 2


@pytest.mark.parametrize("log", list(SHEETS))
def test_nothing_is_imported_when_the_reject_workbook_cannot_be_written(
    log: str,
    engine: Engine,
    clock: FixedClock,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    model = SHEETS[log][0]
    source = _sheet(tmp_path / f"{log}.xlsx", log)
    before = _count(engine, model)

    def disk_full(*_args: Any, **_kwargs: Any) -> Path:
        raise OutputError("nothing was written to rejects.xlsx: the disk is full")

    monkeypatch.setattr(importers, "write_rejects", disk_full)
    with pytest.raises(OutputError, match="the disk is full"):
        import_log(engine, log, source, clock=clock, actor="tester")
    assert _count(engine, model) == before


def test_every_log_has_an_import_command_and_a_template(engine: Engine, db_path: Path) -> None:
    for log in IMPORTS:
        result = runner.invoke(app, ["--db", str(db_path), "import", log, "--help"])
        assert (
            result.exit_code == 0 and "--strict" in result.output and "--rejects" in result.output
        )
        result = runner.invoke(app, ["--db", str(db_path), "export", "template", log])
        assert result.exit_code == 0, result.output
        written = next(Path("exports").glob(f"template-{log}-*.xlsx"))
        headers = [c.value for c in load_workbook(written).worksheets[0][1]]
        assert headers == [spec.header for spec in IMPORTS[log].fields]
        # the empty template imports back with nothing to do
        again = runner.invoke(app, ["--db", str(db_path), "import", log, str(written), "-q"])
        assert again.exit_code == 0, again.output
        assert "imported 0, updated 0, unchanged 0, skipped 0, rejected 0" in again.output
