"""Old logs as coordinators keep them, built in the tests: title rows, merged cells, odd
headers, totals and note rows; and the CLI run the way a user runs it."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from sqlalchemy import Engine, func, select
from typer.testing import CliRunner

from cipco.cli import app
from cipco.db import session_scope

runner = CliRunner()


def workbook(
    path: Path,
    header: Sequence[Any],
    rows: Sequence[Sequence[Any]],
    *,
    title: str = "HMP Leeds",
    formats: dict[int, str] | None = None,
) -> Path:
    """A sheet with a merged title row and a blank row above ``header``, then ``rows``.

    ``formats`` sets a number format per 1-based column (a time column held as time cells).
    """
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append([title])
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=max(2, len(header)))
    ws.append([])
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    for column, number_format in (formats or {}).items():
        for cells in ws.iter_rows(min_row=4, min_col=column, max_col=column):
            for cell in cells:
                cell.number_format = number_format
    wb.save(path)
    return path


def cli(db: Path, *args: str) -> tuple[int, str]:
    """``cipco --db DB ARGS...``: (exit code, output); never a traceback."""
    result = runner.invoke(app, ["--db", str(db), *args])
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.output


def count(engine: Engine, model: Any) -> int:
    with session_scope(engine) as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


def column_line(output: str, header: str) -> str:
    """The dry run's line for one column (``'Time served' -> served_time (guessed: ...)``)."""
    for line in output.splitlines():
        if line.strip().startswith(f"'{header}' ->"):
            return line.strip()
    raise AssertionError(f"no line for {header!r} in:\n{output}")
