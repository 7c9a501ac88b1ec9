"""The command line: demo data, backup and restore, settings, choosing the file."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.referral import Referral
from cipco.services.bootstrap import prepare

runner = CliRunner()


@pytest.fixture(autouse=True)
def _frozen_cli_clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


def count_referrals(path: Path) -> int:
    with session_scope(prepare(path)) as s:
        return int(s.scalar(select(func.count()).select_from(Referral)) or 0)


def test_help_lists_the_commands() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for word in ("demo", "backup", "restore", "export", "import"):
        assert word in result.output


def test_demo_fills_the_chosen_file_deterministically(tmp_path: Path) -> None:
    first, second = tmp_path / "a.db", tmp_path / "b.db"
    for path in (first, second):
        result = runner.invoke(app, ["--db", str(path), "demo", "--referrals", "40", "--seed", "3"])
        assert result.exit_code == 0, result.output
        assert "40 referrals" in result.output
    assert count_referrals(first) == 40
    assert stat.S_IMODE(os.stat(first).st_mode) == 0o600
    with session_scope(prepare(first)) as s1, session_scope(prepare(second)) as s2:
        rows1 = s1.execute(select(Referral.reference, Referral.status, Referral.incident_at)).all()
        rows2 = s2.execute(select(Referral.reference, Referral.status, Referral.incident_at)).all()
    assert rows1 == rows2


def test_cipco_db_environment_variable_chooses_the_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "env.db"
    monkeypatch.setenv("CIPCO_DB", str(path))
    result = runner.invoke(app, ["demo", "--referrals", "5"])
    assert result.exit_code == 0, result.output
    assert count_referrals(path) == 5


def test_backup_and_restore_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "live.db"
    runner.invoke(app, ["--db", str(path), "demo", "--referrals", "10"])
    backup = tmp_path / "backup.db"
    result = runner.invoke(app, ["--db", str(path), "backup", "--out", str(backup)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(os.stat(backup).st_mode) == 0o600
    runner.invoke(app, ["--db", str(path), "demo", "--referrals", "5", "--seed", "9", "--force"])
    assert count_referrals(path) == 15
    refused = runner.invoke(app, ["--db", str(path), "restore", str(backup)], input="n\n")
    assert refused.exit_code == 1
    assert count_referrals(path) == 15
    result = runner.invoke(app, ["--db", str(path), "restore", str(backup), "--yes"])
    assert result.exit_code == 0, result.output
    assert "Kept the current file" in result.output
    assert count_referrals(path) == 10
    kept = [p for p in tmp_path.iterdir() if "before-restore" in p.name]
    assert kept and count_referrals(kept[0]) == 15


def test_restore_refuses_a_file_that_is_not_cipco(tmp_path: Path) -> None:
    junk = tmp_path / "junk.db"
    junk.write_text("not a database")
    result = runner.invoke(app, ["--db", str(tmp_path / "x.db"), "restore", str(junk), "--yes"])
    assert result.exit_code == 2
    assert "not a cipco database" in result.output


def test_settings_show_and_change_with_clear_errors(tmp_path: Path) -> None:
    path = str(tmp_path / "s.db")
    prepare(path).dispose()  # settings never creates a file
    result = runner.invoke(app, ["--db", path, "settings", "footage_overwrite_days", "31"])
    assert result.exit_code == 0, result.output
    assert "footage_overwrite_days = 31" in result.output
    bad = runner.invoke(app, ["--db", path, "settings", "footage_overwrite_days", "lots"])
    assert bad.exit_code == 2
    assert "not a whole number" in bad.output


def test_newer_database_is_refused_in_one_line(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "new.db"
    prepare(path).dispose()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE alembic_version SET version_num='9999'")
    result = runner.invoke(app, ["--db", str(path), "demo"])
    assert result.exit_code == 1
    assert "newer version of cipco" in result.output
