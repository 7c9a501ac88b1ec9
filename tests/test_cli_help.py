"""The CLI's help reads as written: each command's summary in a group's listing is one
sentence on one line (a docstring's hard line break once cut the listing mid-sentence)."""

from __future__ import annotations

import inspect
from collections.abc import Iterator
from typing import Any

import typer
from typer.testing import CliRunner

from cipco.cli import app


def _commands(command: Any, path: tuple[str, ...], ctx: typer.Context) -> Iterator[tuple[str, Any]]:
    if hasattr(command, "list_commands"):
        for name in command.list_commands(ctx):
            sub = command.get_command(ctx, name)
            yield from _commands(sub, (*path, name), typer.Context(sub, parent=ctx))
    else:
        yield " ".join(path), command


def test_every_commands_summary_is_one_line() -> None:
    root = typer.main.get_command(app)
    found = dict(_commands(root, (), typer.Context(root)))
    assert len(found) > 40  # every group was walked
    broken = {
        name: summary
        for name, command in found.items()
        if "\n" in (summary := inspect.cleandoc(command.help or "").split("\n\n")[0])
    }
    assert not broken, broken


def test_a_groups_listing_keeps_each_summary_whole_at_80_columns() -> None:
    result = CliRunner().invoke(app, ["report", "--help"], env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.output
    regional = [line for line in result.output.splitlines() if "regional" in line]
    assert regional and "The region: SOC nominals" in regional[0]
    assert "releases within 8 " not in result.output  # the summary is not the details
