"""The spreadsheet commands end to end through Typer."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


def tracker(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Referral tracker"])
    ws.append(["Ref", "Prison No", "Name", "Incident Date", "Crime Type", "Status"])
    ws.append(["T1", "A1234BC", "Smith, J", "01/10/2026", "Mobile phone", "Referred"])
    ws.append(["T2", "BAD", "Bad, B", "01/10/2026", "Drugs", "Referred"])
    ws.append(["T3", "B2345CD", "Jones, K", "02/10/2026", "Drugs", "Charged"])
    wb.save(path)
    return path


def test_import_dry_run_then_commit_then_again(db_path: Path, tmp_path: Path) -> None:
    file = tracker(tmp_path / "t.xlsx")
    dry = runner.invoke(app, ["--db", str(db_path), "import", "referrals", str(file), "--dry-run"])
    assert dry.exit_code == 1, dry.output
    assert "'Prison No' -> nomis_number" in dry.output
    assert "Dry run, nothing changed" in dry.output and "would be imported 2" in dry.output
    assert "row 4 [Prison No]: rejected:" in dry.output
    rejects = tmp_path / "rejects.xlsx"
    real = runner.invoke(
        app, ["--db", str(db_path), "import", "referrals", str(file), "--rejects", str(rejects)]
    )
    assert real.exit_code == 1, real.output
    assert "imported 2, updated 0, unchanged 0, skipped 0, rejected 1" in real.output
    assert load_workbook(rejects)["Rejected rows"]["A2"].value == "T2"
    again = runner.invoke(
        app, ["--db", str(db_path), "import", "referrals", str(file), "--rejects", str(rejects)]
    )
    assert again.exit_code == 2
    assert again.output == f"cipco: {rejects} already exists; add --overwrite to replace it\n"
    again = runner.invoke(
        app,
        ["--db", str(db_path), "import", "referrals", str(file), "-o", str(rejects), "--overwrite"],
    )
    assert "imported 0, updated 0, unchanged 2" in again.output


def test_import_clean_file_exits_zero_and_default_rejects_folder(
    db_path: Path, tmp_path: Path
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["NOMIS", "DOI", "Offence"])
    ws.append(["A1234BC", "01/10/2026", "Weapon"])
    wb.save(tmp_path / "ok.xlsx")
    result = runner.invoke(app, ["--db", str(db_path), "import", "referrals", "ok.xlsx", "-q"])
    assert result.exit_code == 0, result.output
    assert not Path("exports").exists()


def test_bad_map_is_a_usage_error(db_path: Path, tmp_path: Path) -> None:
    file = tracker(tmp_path / "t.xlsx")
    result = runner.invoke(
        app, ["--db", str(db_path), "import", "referrals", str(file), "--map", "nonsense"]
    )
    assert result.exit_code == 2


def test_export_default_path_and_filters(db_path: Path, tmp_path: Path) -> None:
    file = tracker(tmp_path / "t.xlsx")
    runner.invoke(app, ["--db", str(db_path), "import", "referrals", str(file), "-q"])
    result = runner.invoke(
        app, ["--db", str(db_path), "export", "referrals", "--status", "charged"]
    )
    assert result.exit_code == 0, result.output
    out = Path("exports/referrals-20261118-100000.xlsx")
    assert f"1 referrals written to {out.resolve()}" in result.output
    ws = load_workbook(out)["Referrals"]
    assert ws["A2"].value == "T3"
    bad = runner.invoke(app, ["--db", str(db_path), "export", "referrals", "--status", "zzz"])
    assert bad.exit_code == 2
    dated = runner.invoke(
        app,
        ["--db", str(db_path), "export", "referrals", "--from", "02/10/2026", "--out", "d.xlsx"],
    )
    assert "1 referrals written to d.xlsx" in dated.output


def test_template_proforma_and_monthly(db_path: Path, tmp_path: Path) -> None:
    file = tracker(tmp_path / "t.xlsx")
    runner.invoke(app, ["--db", str(db_path), "import", "referrals", str(file), "-q"])
    t = runner.invoke(app, ["--db", str(db_path), "export", "template", "referrals"])
    assert t.exit_code == 0 and "template-referrals" in t.output
    p = runner.invoke(app, ["--db", str(db_path), "export", "proforma", "T1", "--out", "p.xlsx"])
    assert p.exit_code == 0, p.output
    assert Path("p.xlsx").exists()
    missing = runner.invoke(app, ["--db", str(db_path), "export", "proforma", "NOPE"])
    assert missing.exit_code == 1 and "no referral with reference 'NOPE'" in missing.output
    m = runner.invoke(app, ["--db", str(db_path), "report", "monthly", "--month", "2026-10"])
    assert m.exit_code == 0, m.output
    assert "Police referrals, October 2026" in m.output
    assert "Referrals made" in m.output
    assert Path("exports/monthly-2026-10-20261118-100000.xlsx").exists()
    bad = runner.invoke(app, ["--db", str(db_path), "report", "monthly", "--month", "Oct"])
    assert bad.exit_code == 2


def test_persons_import_and_export_restricted(db_path: Path, tmp_path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Prison No", "Name", "Band", "Alerts", "Do not share", "Reason"])
    ws.append(["A1234BC", "Open, One", "1", "XGANG", "No", "gang"])
    ws.append(["B2345CD", "Secret, Two", "2", "DOCGM", "Yes", "ocg"])
    ws.append(["C3456DE", "Bad, Band", "7", "", "No", ""])
    wb.save(tmp_path / "p.xlsx")
    imported = runner.invoke(
        app, ["--db", str(db_path), "import", "persons", str(tmp_path / "p.xlsx")]
    )
    assert imported.exit_code == 1, imported.output
    assert "imported 2" in imported.output and "rejected 1" in imported.output
    assert "SOC band" in imported.output or "soc" in imported.output.lower()
    again = runner.invoke(
        app, ["--db", str(db_path), "import", "persons", str(tmp_path / "p.xlsx")]
    )
    assert "unchanged 2" in again.output
    out = runner.invoke(app, ["--db", str(db_path), "export", "persons", "--out", "x.xlsx"])
    assert out.exit_code == 0, out.output
    assert "1 persons written" in out.output and "1 restricted" in out.output
    book = load_workbook("x.xlsx")
    names = [c.value for c in book["Persons of interest"]["B"]][1:]
    assert names == ["Open, One"]
    about = " ".join(str(c.value) for row in book["About"].iter_rows() for c in row)
    assert "NOT included" in about
    full = runner.invoke(
        app,
        ["--db", str(db_path), "export", "persons", "--include-restricted", "--out", "y.xlsx"],
    )
    assert "2 persons written" in full.output
    t = runner.invoke(app, ["--db", str(db_path), "export", "template", "persons"])
    assert t.exit_code == 0
