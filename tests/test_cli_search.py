"""``cipco search`` and ``cipco --version``."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from typer.testing import CliRunner

from cipco import __version__
from cipco.cli import app
from cipco.clock import FixedClock
from cipco.db import session_scope
from tests.due_helpers import WORDS, one_of_each

runner = CliRunner()


def test_search_prints_each_log_found_and_where(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    with session_scope(engine, actor="t", clock=clock) as session:
        one_of_each(session, clock)
    engine.dispose()
    result = runner.invoke(app, ["--db", str(db_path), "search", WORDS["exhibits"]])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0] == "Exhibits (1)"
    assert lines[1].strip().startswith("JS/77") and "marmalade" in lines[3]
    result = runner.invoke(app, ["--db", str(db_path), "search", "1234"])
    assert "Referrals (1)" in result.output and "Prisoners (1)" in result.output
    result = runner.invoke(app, ["--db", str(db_path), "search", "\x1b[2J[red]zzq"])
    assert result.exit_code == 0 and "\x1b" not in result.output
    assert result.output.startswith("Nothing found for")


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.output.strip() == f"cipco {__version__}"
