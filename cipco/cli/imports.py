"""``cipco import LOG FILE`` for every log: one command shape, one pipeline, one summary.

Every import takes ``--sheet``, ``--map``, ``--dry-run``, ``--strict``, ``--quiet`` and
``--rejects``/``--out`` (with ``--overwrite``) for the reject workbook, runs in one
transaction, writes the reject workbook before it commits, and exits 1 if any row was
rejected.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cipco.cli import import_app
from cipco.cli.common import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    actor,
    echo,
    fail,
    open_engine_or_exit,
    state,
    ticker,
)
from cipco.cli.exports import target
from cipco.cli.options import OverwriteOpt, QuietOpt

if TYPE_CHECKING:
    from cipco.spreadsheets.importers import ImportSummary

SheetOpt = Annotated[str | None, typer.Option("--sheet", help="Sheet name (default: first).")]
DryRunOpt = Annotated[
    bool, typer.Option("--dry-run", help="Show the mapping and counts; change nothing.")
]
MapOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--map",
        help="'Header text=field' (repeatable; wins over guessing and remembered mappings; "
        "remembered for this header layout once the import is committed).",
    ),
]
RejectsOpt = Annotated[
    Path | None,
    typer.Option(
        "--rejects",
        "--out",
        "-o",
        help="Reject workbook (default: exports/rejects-<log>-<date>-<time>.xlsx).",
    ),
]
StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict", help="Commit nothing if any row is rejected or any column would be lost."
    ),
]

SHOWN_PER_KIND = 50
# The logs that import, and what each reads (the command's help).
IMPORTS = {
    "referrals": "an Excel/ODS referral tracker",
    "persons": "a persons-of-interest list (matched on prison number)",
    "exhibits": "an exhibit continuity log (one row per exhibit or per movement)",
    "mg4d": "an existing MG4D issue log (papers, and their service where recorded)",
    "actions": "a crime clinic action log (matched on clinic date, action and owner)",
}


def parse_map(items: list[str] | None) -> dict[str, str]:
    """``--map "Prison No=nomis_number"`` options as {header: field}; bad ones exit 2."""
    overrides: dict[str, str] = {}
    for item in items or []:
        header, sep, name = item.rpartition("=")
        if not sep or not header.strip() or not name.strip():
            fail(f"--map '{item}': expected 'Header text=field'", EXIT_USAGE)
        overrides[header.strip()] = name.strip()
    return overrides


def _summary(summary: ImportSummary, *, dry_run: bool, strict: bool, quiet: bool) -> None:
    """What every import prints: the sheet, each column and how it was matched, warnings,
    rejects, the counts, and what was skipped or could not be imported."""
    echo(f"{summary.path}: sheet '{summary.sheet}', header on row {summary.header_row}")
    if dry_run or not quiet or summary.lost:
        echo("Columns:")
        for line in summary.column_lines():
            echo(f"  {line}")
    if summary.refused:
        echo(summary.refused)
        return
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
    if summary.skipped_line() and not quiet:
        echo(f"({summary.skipped_line()})")
    if summary.counts_note:
        echo(f"({summary.counts_note})")
    for column in summary.lost:
        remedy = f"; {column.remedy}" if column.remedy else ""
        echo(f"Not imported: '{column.header}': {column.reason}{remedy}")
    if summary.remembered:
        echo("The column mapping is remembered for this header layout: next time no --map.")
    if summary.rejects_path is not None:
        echo(f"Rejected rows written to {summary.rejects_path}")


def _command(name: str, reads: str) -> Callable[..., None]:
    def command(
        file: Annotated[Path, typer.Argument(help="The workbook (.xlsx, .xls, .ods).")],
        sheet: SheetOpt = None,
        dry_run: DryRunOpt = False,
        mapping: MapOpt = None,
        rejects: RejectsOpt = None,
        overwrite: OverwriteOpt = False,
        strict: StrictOpt = False,
        quiet: QuietOpt = False,
    ) -> None:
        from cipco.outputs import OutputError
        from cipco.spreadsheets.importers import (
            read_import_table,
            remembered_layouts,
            run_import,
        )
        from cipco.spreadsheets.logs import IMPORTS as LOGS
        from cipco.spreadsheets.reader import ReadError

        overrides = parse_map(mapping)
        chosen = target(rejects, f"rejects-{name}", overwrite) if rejects is not None else None
        # A file that is there is checked first; a new one is made only for a readable sheet.
        db = state.db_path()
        engine = open_engine_or_exit(write=True) if db.exists() or db.is_symlink() else None
        if not file.is_file():
            problem = "a folder, not a workbook" if file.is_dir() else "no such file"
            fail(f"{file}: {problem}", EXIT_USAGE)
        remembered = remembered_layouts(engine, LOGS[name]) if engine is not None else {}
        try:
            table = read_import_table(
                LOGS[name], file, sheet=sheet, overrides=overrides, remembered=remembered
            )
        except ReadError as exc:
            fail(str(exc), EXIT_USAGE if "--map" in str(exc) else EXIT_PROBLEMS)
        engine = engine or open_engine_or_exit(create=True)
        with ticker(quiet, f"Importing {file.name}") as (advance, _total):
            try:
                summary = run_import(
                    engine,
                    LOGS[name],
                    file,
                    clock=state.get_clock(),
                    actor=actor(),
                    dry_run=dry_run,
                    strict=strict,
                    rejects=chosen,
                    progress=advance,
                    table=table,
                )
            except OutputError as exc:
                fail(f"nothing was imported: {exc}")
        _summary(summary, dry_run=dry_run, strict=strict, quiet=quiet)
        if summary.rejected or summary.refused:
            raise typer.Exit(EXIT_PROBLEMS)

    command.__doc__ = f"Import {reads}: one transaction; rejected rows to a workbook."
    command.__name__ = f"import_{name}"
    return command


for _name, _reads in IMPORTS.items():
    import_app.command(_name)(_command(_name, _reads))


@import_app.command("remembered")
def remembered(
    log: Annotated[
        str | None, typer.Option("--log", help="Only this log's layouts (referrals, mg4d…).")
    ] = None,
    forget: Annotated[
        int | None, typer.Option("--forget", help="Forget the remembered layout with this number.")
    ] = None,
) -> None:
    """The column mappings imports remember, one per spreadsheet layout; --forget N drops one.

    After --forget, the next import of that layout guesses again, or takes --map."""
    from cipco.dates import format_datetime
    from cipco.db import read_scope, session_scope
    from cipco.services import import_mappings

    if log is not None and log not in IMPORTS:
        fail(f"--log '{log}': not a log that imports ({', '.join(IMPORTS)})", EXIT_USAGE)
    if forget is not None:
        engine = open_engine_or_exit()
        with session_scope(engine, actor=actor(), clock=state.get_clock()) as session:
            if not import_mappings.forget(session, forget):
                fail(f"--forget {forget}: no remembered layout has that number", EXIT_PROBLEMS)
        echo(f"Forgot remembered layout {forget}.")
        return
    engine = open_engine_or_exit(write=False)
    with read_scope(engine) as session:
        layouts = import_mappings.listing(session, log)
    if not layouts:
        echo("No remembered mappings.")
        return
    for layout in layouts:
        echo(
            f"{layout.id}. {layout.log}: {layout.file_name} ({len(layout.headers)} columns), "
            f"saved {format_datetime(layout.saved_at)} by {layout.saved_by}"
        )
        for header, field in layout.mapping.items():
            echo(f"     '{header}' -> {field}")
