"""``cipco server init`` prints the SQL a region runs; names it cannot use are refused."""

from __future__ import annotations

from typer.testing import CliRunner

from cipco.cli import app

runner = CliRunner()


def test_server_init_prints_owner_site_logins_and_a_read_only_regional_role() -> None:
    result = runner.invoke(
        app,
        [
            "server",
            "init",
            "--site",
            "LEI=lei_anne,lei_bob",
            "--site",
            "mdi",
            "--regional",
            "yh_region=LEI,MDI",
        ],
    )
    assert result.exit_code == 0, result.output
    out = result.output
    assert "CREATE ROLE cipco_owner LOGIN NOSUPERUSER" in out
    assert "CREATE ROLE lei_anne LOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS" in out
    assert "GRANT cipco_site_lei TO lei_bob;" in out
    assert "GRANT cipco_site_mdi TO mdi_coordinator;" in out  # the default login
    assert "GRANT cipco_read_mdi TO yh_region;" in out
    assert "cipco_site_" not in out.split("yh_region")[-1]  # the reader gets no site role
    assert "CREATE DATABASE cipco OWNER cipco_owner" in out
    assert "cipco server migrate postgresql://cipco_owner@HOST/cipco" in out


def test_server_init_refuses_names_it_cannot_quote_safely() -> None:
    for args, word in (
        (["--site", "LEI=Robert'); DROP"], "login of site LEI"),
        (["--site", "L;I"], "site 'L;I'"),
        (["--regional", "cipco_site_lei=LEI"], "keeps for its own roles"),
        (["--site", "LEI=anne", "--site", "MDI=anne"], "named twice"),
    ):
        result = runner.invoke(app, ["server", "init", *args])
        assert result.exit_code == 2, (args, result.output)
        assert word in result.output, (args, result.output)
        assert "CREATE" not in result.output
