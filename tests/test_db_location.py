"""``--db`` / ``$CIPCO_DB``: a file or a PostgreSQL server, said so in the help and in every
refusal; another database's address is refused, never taken as a file's name; a server that
refuses the login or has no such database says which, in cipco's words."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url
from typer.testing import CliRunner

from cipco.cli import app

runner = CliRunner()


def _run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, list(args), env=env)
    return result.exit_code, result.output


def test_help_names_the_file_and_the_server_url() -> None:
    code, output = _run("--help")
    assert code == 0
    text = " ".join(output.replace("│", " ").split())
    assert "postgresql://LOGIN@HOST/DATABASE" in text
    assert "The SQLite file" not in text


@pytest.mark.parametrize("address", ["mysql://anne@dbhost/cipco", "sqlite:///cipco.db"])
def test_another_databases_address_is_refused_not_made_a_file(address: str, tmp_path: Path) -> None:
    for args, env in (
        (("--db", address, "site"), None),
        (("site",), {"CIPCO_DB": address}),
    ):
        code, output = _run(*args, env=env)
        assert code == 2, output
        scheme = address.split(":", 1)[0]
        assert f"is a {scheme}:// address" in output
        assert "postgresql://" in output
    assert sorted(os.listdir(tmp_path)) == ["home"]  # nothing made (cwd is tmp_path)


def test_empty_db_says_a_file_or_a_server() -> None:
    code, output = _run("--db", "", "site")
    assert code == 2 and "file or server" in output and "postgresql://" in output
    code, output = _run("site", env={"CIPCO_DB": ""})
    assert code == 2 and "file or server" in output and "postgresql://" in output


def test_a_server_that_refuses_says_why_without_its_text() -> None:
    admin = os.environ.get("CIPCO_TEST_PG")
    if not admin:
        pytest.skip("no PostgreSQL server for the server tests (CIPCO_TEST_PG unset)")
    base = make_url(admin)
    no_login = base.set(username="cipco_nobody_here").render_as_string(hide_password=False)
    code, output = _run("--db", no_login, "site")
    assert code != 0 and "the server has no such login" in output, output
    no_database = base.set(database="cipco_no_such_db").render_as_string(hide_password=False)
    code, output = _run("--db", no_database, "site")
    assert code != 0 and "the database does not exist on the server" in output, output
    assert "FATAL" not in output and 'cipco_nobody_here"' not in output
