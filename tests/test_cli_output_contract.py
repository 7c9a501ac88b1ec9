"""Every command that writes a file keeps the output contract (docs/contracts.md).

For each one: a folder, a missing folder, an over-long name, an existing file and the
database itself are refused with one sentence and exit 2, leaving everything as it was;
``--overwrite`` replaces an existing file; two default names in the same second never
collide; the file is 0600 and opens.
"""

from __future__ import annotations

import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import select
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.exhibit import Exhibit
from cipco.models.referral import Referral
from cipco.services import demo
from cipco.services.bootstrap import prepare
from cipco.services.site import assign_site
from tests.conftest import FROZEN_AT, TEST_SITE

runner = CliRunner()

# command -> (arguments, exit code when it worked, file suffix)
COMMANDS: dict[str, tuple[list[str], int, str]] = {
    "export referrals": (["export", "referrals"], 0, ".xlsx"),
    "export persons": (["export", "persons"], 0, ".xlsx"),
    "export exhibits": (["export", "exhibits"], 0, ".xlsx"),
    "export mg4d": (["export", "mg4d"], 0, ".xlsx"),
    "export actions": (["export", "actions"], 0, ".xlsx"),
    "export clinic": (["export", "clinic"], 0, ".xlsx"),
    "export clinic --format md": (["export", "clinic", "--format", "md"], 0, ".md"),
    "export continuity": (["export", "continuity", "{exhibit}"], 0, ".xlsx"),
    "export proforma": (["export", "proforma", "{referral}"], 0, ".xlsx"),
    "export template": (["export", "template", "exhibits"], 0, ".xlsx"),
    "report monthly": (["report", "monthly", "--month", "2026-10"], 0, ".pdf"),
    "report weekly": (["report", "weekly"], 0, ".pdf"),
    "report performance": (["report", "performance"], 0, ".pdf"),
    "casefile": (["casefile", "{referral}"], 0, ".pdf"),
    "import (reject workbook)": (["import", "referrals", "{tracker}"], 1, ".xlsx"),
}


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Demo data for every log, built once per module and copied by each test."""
    path = tmp_path_factory.mktemp("demo") / "demo.db"
    clock = FixedClock(FROZEN_AT)
    engine = prepare(path)
    with session_scope(engine, actor="cipco") as session:
        assign_site(session, TEST_SITE, clock)
    with session_scope(engine, actor="cipco demo", clock=clock) as session:
        demo.generate(session, clock, referrals=60, seed=7)
    engine.dispose()
    return path


@pytest.fixture
def db(demo_file: Path, tmp_path: Path, clock: FixedClock) -> Iterator[Path]:
    path = tmp_path / "cipco.db"
    shutil.copyfile(demo_file, path)
    os.chmod(path, 0o600)
    state.clock = clock
    yield path
    state.clock = None
    state.db_option = None


def _arguments(command: str, db: Path, tmp_path: Path) -> tuple[list[str], int, str]:
    args, code, suffix = COMMANDS[command]
    engine = prepare(db)
    with session_scope(engine) as session:
        exhibit = session.scalars(select(Exhibit.reference).order_by(Exhibit.id)).first()
        referral = session.scalars(select(Referral.reference).order_by(Referral.id)).first()
    engine.dispose()
    tracker = tmp_path / "tracker.xlsx"
    if not tracker.exists():
        wb = Workbook()
        ws = wb.active
        assert ws is not None
        ws.append(["Prison No", "Incident date", "Crime type"])
        ws.append(["NOT-A-NUMBER", "01/10/2026", "Drugs"])
        wb.save(tracker)
    values = {"exhibit": exhibit, "referral": referral, "tracker": str(tracker)}
    return [a.format(**values) for a in args], code, suffix


def _run(db: Path, args: list[str]) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.output
    return result.exit_code, result.output


def _refused(db: Path, args: list[str], out: Path | str, words: str, *extra: str) -> None:
    code, output = _run(db, [*args, "--out", str(out), *extra])
    assert code == 2, output
    assert words in output
    assert output.startswith("cipco: ") and output.count("\n") == 1, output


def _opens(path: Path) -> None:
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    if path.suffix == ".pdf":  # with its workbook beside it
        from tests.pdf_helpers import read_pages

        assert all("OFFICIAL-SENSITIVE" in page.top for page in read_pages(path))
        _opens(path.with_suffix(".xlsx"))
    elif path.suffix == ".xlsx":
        book = load_workbook(path, read_only=True)
        cells = (c for ws in book.worksheets for row in ws.iter_rows(values_only=True) for c in row)
        assert "OFFICIAL-SENSITIVE" in cells
    else:
        assert "OFFICIAL-SENSITIVE" in path.read_text()


@pytest.mark.parametrize("command", list(COMMANDS))
def test_output_contract(command: str, db: Path, tmp_path: Path) -> None:
    args, ok, suffix = _arguments(command, db, tmp_path)
    folder = tmp_path / "a folder"
    folder.mkdir()
    _refused(db, args, folder, "is a folder: give a file name")
    _refused(db, args, tmp_path / "missing" / f"x{suffix}", "does not exist")
    _refused(db, args, tmp_path / ("x" * 300 + suffix), "is too long")
    _refused(db, args, db, "is a cipco database")
    existing = tmp_path / f"mine{suffix}"
    existing.write_text("keep me")
    _refused(db, args, existing, "already exists; add --overwrite")
    assert existing.read_text() == "keep me"
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".cipco")) == []

    code, output = _run(db, [*args, "--out", str(existing), "--overwrite"])
    assert code == ok, output
    _opens(existing)

    exports = tmp_path / "exports"
    outputs = []
    for _ in range(2):
        code, output = _run(db, args)
        assert code == ok, output
        outputs.append(output)
    written = sorted(
        (p for p in exports.iterdir() if p.suffix == suffix), key=lambda p: len(p.name)
    )
    assert len(written) == 2, written  # the same second: -2, never a replacement
    assert written[0].name.endswith(f"-20261118-100000{suffix}")
    assert written[1].name.endswith(f"-20261118-100000-2{suffix}")
    for path, output in zip(written, outputs, strict=True):
        _opens(path)
        assert f"written to {path}" in output
    assert stat.S_IMODE(exports.stat().st_mode) == 0o700
