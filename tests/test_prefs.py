"""Per-user preferences: a 0600 file made only when set, values applied, bad ones refused."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from cipco import prefs
from cipco.app import CipcoApp
from cipco.cli import app
from cipco.cli.common import state
from tests.tui_helpers import wait_for

runner = CliRunner()


@pytest.fixture(autouse=True)
def _fresh_state() -> None:
    state.db_option = None


def _prefs_file(tmp_path: Path) -> Path:
    return tmp_path / "home" / "config" / "cipco" / "prefs.toml"


def test_showing_creates_nothing_and_setting_creates_an_owner_only_file(tmp_path: Path) -> None:
    shown = runner.invoke(app, ["prefs"])
    assert shown.exit_code == 0, shown.output
    assert "theme = (default)" in shown.output
    path = _prefs_file(tmp_path)
    assert prefs.prefs_path() == path
    assert not path.exists() and not path.parent.exists()

    result = runner.invoke(app, ["prefs", "theme", "nord"])
    assert result.exit_code == 0, result.output
    assert "theme = nord" in result.output
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(path.parent).st_mode) == 0o700
    assert prefs.load() == prefs.Prefs(theme="nord")

    kept = runner.invoke(app, ["prefs", "export_folder", str(tmp_path)])
    assert kept.exit_code == 0, kept.output
    assert prefs.load() == prefs.Prefs(theme="nord", export_folder=tmp_path)
    cleared = runner.invoke(app, ["prefs", "--unset", "theme"])
    assert cleared.exit_code == 0, cleared.output
    assert prefs.load() == prefs.Prefs(export_folder=tmp_path)


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["prefs", "theme", "no-such-theme"], "theme 'no-such-theme' is not one of the app's"),
        (["prefs", "export_folder", "missing/folder"], "does not exist; give an existing folder"),
        (["prefs", "colour", "red"], "there is no preference 'colour'"),
        (["prefs", "--unset"], "--unset takes a preference name"),
    ],
)
def test_bad_values_are_refused_in_one_sentence(tmp_path: Path, args: list[str], says: str) -> None:
    runner.invoke(app, ["prefs", "theme", "nord"])
    before = _prefs_file(tmp_path).read_bytes()
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("cipco: ") and says in lines[0], lines
    assert _prefs_file(tmp_path).read_bytes() == before


def test_a_broken_file_is_named_and_never_overwritten(tmp_path: Path) -> None:
    path = _prefs_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("theme = [not toml")
    result = runner.invoke(app, ["prefs", "theme", "nord"])
    assert result.exit_code == 2
    assert "is not valid TOML" in result.output and "fix or remove it" in result.output
    assert path.read_text() == "theme = [not toml"
    path.write_text('theme = "nord"\nfont = "big"\n')
    with pytest.raises(prefs.PrefsError, match="unknown key 'font'"):
        prefs.load()


def test_export_folder_is_where_exports_go_without_out(
    tmp_path: Path, engine: object, db_path: Path
) -> None:
    folder = tmp_path / "police"
    folder.mkdir()
    assert runner.invoke(app, ["prefs", "export_folder", str(folder)]).exit_code == 0
    result = runner.invoke(app, ["--db", str(db_path), "export", "referrals", "-q"])
    assert result.exit_code == 0, result.output
    written = list(folder.glob("*.xlsx"))
    assert len(written) == 1, result.output
    assert load_workbook(written[0]).sheetnames
    assert not (tmp_path / "exports").exists()


def test_a_broken_file_stops_an_export_with_one_sentence(
    tmp_path: Path, engine: object, db_path: Path
) -> None:
    path = _prefs_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("export_folder = 3\n")
    result = runner.invoke(app, ["--db", str(db_path), "export", "referrals", "-q"])
    assert result.exit_code == 2
    assert "export_folder in the preferences file" in result.output
    assert not (tmp_path / "exports").exists()


async def test_the_app_uses_the_theme(tmp_path: Path, engine: object, db_path: Path) -> None:
    assert runner.invoke(app, ["prefs", "theme", "nord"]).exit_code == 0
    cipco = CipcoApp(db_path)
    async with cipco.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        assert cipco.theme == "nord"


async def test_a_theme_the_app_lacks_is_told_not_fatal(
    tmp_path: Path, engine: object, db_path: Path
) -> None:
    path = _prefs_file(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text('theme = "neon-dreams"\n')
    cipco = CipcoApp(db_path)
    async with cipco.run_test(size=(100, 30)) as pilot:
        await wait_for(pilot, lambda: bool(cipco._notifications))
        assert cipco.theme == "textual-dark"
        message = next(iter(cipco._notifications)).message
        assert "'neon-dreams' in your preferences is not one of the app's themes" in message
