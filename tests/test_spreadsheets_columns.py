"""Each log's export columns, read back from the workbook; what police exports leave out.

The columns are defined once per log; the workbook must show exactly those (internal ones
only when asked), the logs that import must take their own export back unchanged, and the
About sheet must say what was left out.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.clinic import Clinic, ClinicAction
from cipco.models.people import Prisoner
from cipco.models.person import PersonOfInterest
from cipco.models.referral import Referral
from cipco.services import demo
from cipco.services.bootstrap import prepare
from cipco.services.site import assign_site
from cipco.spreadsheets import printing
from cipco.spreadsheets.exporting import WITHHELD, ExportRequest, target_of
from cipco.spreadsheets.logs import EXPORTS, export_log, import_log
from tests.conftest import FROZEN_AT, TEST_SITE

runner = CliRunner()
ROUND_TRIPS = ("referrals", "persons", "mg4d", "actions")


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    clock = FixedClock(FROZEN_AT)
    engine = prepare(path)
    with session_scope(engine, actor="cipco") as session:
        assign_site(session, TEST_SITE, clock)
    with session_scope(engine, actor="cipco demo", clock=clock) as session:
        demo.generate(session, clock, referrals=80, seed=5)
    engine.dispose()
    return path


@pytest.fixture
def demo_engine(demo_file: Path, tmp_path: Path, clock: FixedClock) -> Iterator[Engine]:
    path = tmp_path / "cipco.db"
    shutil.copyfile(demo_file, path)
    os.chmod(path, 0o600)
    state.clock = clock
    engine = prepare(path)
    yield engine
    engine.dispose()
    state.clock = None
    state.db_option = None


def _export(
    engine: Engine, log: str, path: Path, clock: FixedClock, *, everything: bool = False
) -> Any:
    request = ExportRequest(include_restricted=everything, include_internal=everything)
    target = target_of(path, log, clock)
    return export_log(engine, log, request, clock=clock, actor="tester", target=target)


def _about(path: Path) -> dict[str, list[Any]]:
    lines: dict[str, list[Any]] = {}
    for row in load_workbook(path)["About"].iter_rows(values_only=True):
        if row and row[0]:
            lines.setdefault(str(row[0]), []).append(row[1] if len(row) > 1 else None)
    return lines


@pytest.mark.parametrize("log", list(EXPORTS))
def test_columns_read_back_from_the_workbook(
    log: str, demo_engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    spec = EXPORTS[log]
    full = _export(demo_engine, log, tmp_path / "full.xlsx", clock, everything=True)
    police = _export(demo_engine, log, tmp_path / "police.xlsx", clock)
    ws = load_workbook(full.path)[spec.sheet]
    assert [c.value for c in ws[1]] == [c.header for c in spec.columns]
    assert ws.max_row == full.rows + 1 > 1
    for index, column in enumerate(spec.columns, start=1):
        # measured from the content, never much wider than the column allows (+2 padding)
        width = ws.column_dimensions[ws.cell(1, index).column_letter].width
        assert 0 < width <= max(column.width, printing.DATETIME_WIDTH) + 2
        kinds = {
            "date": "dd/mm/yyyy",
            "datetime": "dd/mm/yyyy hh:mm",
        }
        if column.kind in kinds:
            formats = {ws.cell(r, index).number_format for r in range(2, ws.max_row + 1)}
            values = [ws.cell(r, index).value for r in range(2, ws.max_row + 1)]
            if any(v is not None for v in values):
                assert kinds[column.kind] in formats
    shown = [c.header for c in spec.columns if not c.internal]
    ws = load_workbook(police.path)[spec.sheet]
    assert [c.value for c in ws[1]] == shown


@pytest.mark.parametrize("log", ROUND_TRIPS)
def test_a_log_takes_its_own_export_back_unchanged(
    log: str, demo_engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    done = _export(demo_engine, log, tmp_path / f"{log}.xlsx", clock, everything=True)
    back = import_log(demo_engine, log, done.path, clock=clock, actor="tester", dry_run=True)
    assert (back.imported, back.updated, back.rejected) == (0, 0, 0), back.rejects[:3]
    assert back.unchanged == done.rows


def _restricted_nomis(engine: Engine) -> set[str]:
    with session_scope(engine) as session:
        return set(
            session.scalars(
                select(Prisoner.nomis_number)
                .join(PersonOfInterest, PersonOfInterest.prisoner_id == Prisoner.id)
                .where(PersonOfInterest.do_not_share.is_(True))  # type: ignore[attr-defined]
            )
        )


def test_police_referrals_export_leaves_out_internal_columns_and_restricted_people(
    demo_engine: Engine, tmp_path: Path
) -> None:
    hidden = _restricted_nomis(demo_engine)
    assert hidden
    db = ["--db", str(demo_engine.url.database)]
    result = runner.invoke(app, [*db, "export", "referrals", "-o", "police.xlsx"])
    assert result.exit_code == 0, result.output
    ws = load_workbook("police.xlsx")["Referrals"]
    header = [c.value for c in ws[1]]
    assert "Notes" not in header and "Next due" not in header and "Next due by" not in header
    numbers = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    names = [r[2] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert not hidden & set(numbers)
    withheld = numbers.count(WITHHELD)
    assert withheld > 0 and names.count(WITHHELD) == withheld
    assert f"({withheld} naming people marked 'do not share' withheld)" in result.output
    about = _about(Path("police.xlsx"))
    notes = " ".join(str(n) for n in about["Note"])
    assert "Internal columns left out: Notes, Next due, Next due by, Original columns" in notes
    assert f"{withheld} rows name a person marked 'do not share'" in notes
    assert about["Filter: restricted entries"] == ["withheld"]

    result = runner.invoke(
        app,
        [
            *db,
            "export",
            "referrals",
            "-o",
            "all.xlsx",
            "--include-internal",
            "--include-restricted",
        ],
    )
    assert result.exit_code == 0, result.output
    ws = load_workbook("all.xlsx")["Referrals"]
    assert [c.value for c in ws[1]][-4:] == ["Notes", "Next due", "Next due by", "Original columns"]
    numbers = [r[1] for r in ws.iter_rows(min_row=2, values_only=True)]
    assert WITHHELD not in numbers and hidden & set(numbers)
    notes = " ".join(str(n) for n in _about(Path("all.xlsx"))["Note"])
    assert "DO NOT SHARE" in notes and "left out" not in notes


def test_mg4d_and_proforma_withhold_restricted_people(
    demo_engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    hidden = _restricted_nomis(demo_engine)
    done = _export(demo_engine, "mg4d", tmp_path / "mg4d.xlsx", clock)
    rows = list(load_workbook(done.path)["MG4D issue log"].iter_rows(min_row=2, values_only=True))
    assert not hidden & {r[1] for r in rows}
    assert done.withheld == sum(1 for r in rows if r[1] == WITHHELD)
    with session_scope(demo_engine) as session:
        reference = session.scalars(
            select(Referral.reference)
            .join(Prisoner, Prisoner.id == Referral.prisoner_id)
            .where(Prisoner.nomis_number.in_(hidden))  # type: ignore[attr-defined]
        ).first()
        name = session.scalars(
            select(Prisoner.name).where(Prisoner.nomis_number.in_(hidden))  # type: ignore[attr-defined]
        ).first()
    db = ["--db", str(demo_engine.url.database)]
    result = runner.invoke(app, [*db, "export", "proforma", str(reference), "-o", "p.xlsx"])
    assert result.exit_code == 0, result.output
    cells = [c for row in load_workbook("p.xlsx").active.iter_rows(values_only=True) for c in row]
    assert WITHHELD in cells and name not in cells
    assert not hidden & {c for c in cells if isinstance(c, str)}
    result = runner.invoke(
        app, [*db, "export", "proforma", str(reference), "-o", "q.xlsx", "--include-restricted"]
    )
    cells = [c for row in load_workbook("q.xlsx").active.iter_rows(values_only=True) for c in row]
    assert WITHHELD not in cells and name in cells


def test_an_old_action_log_makes_its_clinics_and_closes_them(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Action", "Owner", "Date raised", "Status", "Completed on", "Notes"])
    ws.append(["Chase CCTV", "SO Carr", "07/10/2026", "Complete", "10/10/2026 14:00", "sent"])
    ws.append(["Speak to OIC", "DC Collins", "07/10/2026", "Open", None, None])
    ws.append(["Review wing", "CM Gill", "21/10/2026", "Cancelled", None, "moved"])
    ws.append(["Next month", "CM Gill", "21/12/2026", "Open", None, None])
    path = tmp_path / "old.xlsx"
    wb.save(path)
    summary = import_log(engine, "actions", path, clock=clock, actor="tester")
    assert (summary.imported, summary.rejected) == (3, 1)
    assert "there is no clinic on 21/12/2026" in summary.rejects[0].reason
    with session_scope(engine) as session:
        clinics = list(session.scalars(select(Clinic).order_by(Clinic.held_on)))
        assert [(c.held_on.day, c.status) for c in clinics] == [(7, "closed"), (21, "closed")]
        actions = {a.text: a for a in session.scalars(select(ClinicAction))}
        done = actions["Chase CCTV"]
        assert (done.status, done.status_reason) == ("done", "sent")
        assert done.done_at is not None and done.done_at.hour == 13  # 14:00 BST
        assert actions["Speak to OIC"].status == "open"
        assert (actions["Review wing"].status, actions["Review wing"].status_reason) == (
            "dropped",
            "moved",
        )
    again = import_log(engine, "actions", path, clock=clock, actor="tester")
    assert (again.imported, again.updated, again.unchanged) == (0, 0, 3)


def test_each_log_spec_points_at_the_columns_its_import_and_export_use() -> None:
    from cipco.cli.imports import IMPORTS as IMPORT_COMMANDS
    from cipco.cli.spreadsheets import LOG_NAMES
    from cipco.services.logspec import all_specs
    from cipco.spreadsheets.logs import IMPORTS, resolve

    for spec in all_specs():
        if spec.name in EXPORTS:
            assert resolve(spec.export_columns)[1] is EXPORTS[spec.name].columns
        if spec.import_fields:
            assert resolve(spec.import_fields)[1] is IMPORTS[spec.name].fields
    assert set(IMPORTS) == set(EXPORTS) == set(IMPORT_COMMANDS) == set(LOG_NAMES)
