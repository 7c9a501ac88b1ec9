"""What every ``cipco import …`` command shares: its options, ``--map`` and the summary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

import typer

from cipco.cli.common import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    actor,
    echo,
    fail,
    open_engine_or_exit,
    progress_bar,
    state,
)

SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Sheet name (default: first).")]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show the mapping and counts; change nothing.")
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option("--map", help="'Header text=field' (repeatable; wins over guessing)."),
]
RejectsOpt = Annotated[
    Path | None, typer.Option("--rejects", help="Reject workbook (default: exports/, dated).")
]
StrictOpt = Annotated[bool, typer.Option("--strict", help="Commit nothing if any row is rejected.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]

SHOWN_PER_KIND = 50


def parse_map(items: list[str] | None) -> dict[str, str]:
    """``--map "Prison No=nomis_number"`` options as {header: field}; bad ones exit 2."""
    overrides: dict[str, str] = {}
    for item in items or []:
        header, sep, name = item.rpartition("=")
        if not sep or not header.strip() or not name.strip():
            fail(f"--map '{item}': expected 'Header text=field'", EXIT_USAGE)
        overrides[header.strip()] = name.strip()
    return overrides


def run_import_command(
    run: Callable[..., Any],
    file: Path,
    *,
    sheet: str | None,
    dry_run: bool,
    mapping: list[str] | None,
    rejects: Path | None,
    strict: bool,
    quiet: bool,
) -> None:
    """Run one importer with a progress bar, print its summary, exit 1 if rows were rejected."""
    from cipco.spreadsheets.reader import ReadError

    overrides = parse_map(mapping)
    engine = open_engine_or_exit(create=True)
    with progress_bar(quiet) as bar:
        task = bar.add_task(f"Importing {file.name}", total=None) if bar else None

        def tick(n: int) -> None:
            if bar is not None and task is not None:
                bar.advance(task, n)

        try:
            summary = run(
                engine,
                file,
                clock=state.get_clock(),
                actor=actor(),
                sheet=sheet,
                overrides=overrides,
                dry_run=dry_run,
                strict=strict,
                rejects_path=rejects,
                progress=tick,
            )
        except ReadError as exc:
            fail(str(exc), EXIT_USAGE if "--map" in str(exc) else EXIT_PROBLEMS)
    echo(f"{file}: sheet '{summary.sheet}', header on row {summary.header_row}")
    if dry_run or not quiet:
        echo("Columns:")
        for line in summary.mapping:
            echo(f"  {line}")
    if not quiet:
        for row, warning in summary.warnings[:SHOWN_PER_KIND]:
            echo(f"  row {row}: warning: {warning}")
        if len(summary.warnings) > SHOWN_PER_KIND:
            echo(f"  ... and {len(summary.warnings) - SHOWN_PER_KIND} more warnings")
        for reject in summary.rejects[:SHOWN_PER_KIND]:
            column = f" [{reject.column}]" if reject.column else ""
            echo(f"  row {reject.row}{column}: rejected: {reject.reason}")
        if len(summary.rejects) > SHOWN_PER_KIND:
            echo(f"  ... and {len(summary.rejects) - SHOWN_PER_KIND} more rejected rows")
    if dry_run:
        echo(f"Dry run, nothing changed: {summary.counts_line()}")
    elif strict and summary.rejected:
        echo(f"--strict: nothing imported because rows were rejected: {summary.counts_line()}")
    else:
        echo(f"Done: {summary.counts_line()}")
    if summary.rejects_path is not None:
        echo(f"Rejected rows written to {summary.rejects_path}")
    if summary.rejected:
        raise typer.Exit(EXIT_PROBLEMS)
