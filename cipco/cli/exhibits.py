"""Commands for the exhibit continuity log: verify, hash, export and import."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cipco.cli import app, export_app, import_app
from cipco.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    actor,
    echo,
    fail,
    open_engine_or_exit,
    progress_bar,
    state,
)
from cipco.cli.imports import parse_map

QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")]
OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Output file (default: exports/<what>-<time>.xlsx).")
]
QUEUE_HELP = "held | police | awaiting | retention | discrepancies"


@app.command()
def verify(quiet: QuietOpt = False) -> None:
    """Re-compute every exhibit's hash chain; exit 1 naming what was altered, removed or added."""
    from cipco.db import session_scope
    from cipco.services.chain import verify as verify_chains

    engine = open_engine_or_exit(write=False)
    with (
        session_scope(engine, actor=actor(), clock=state.get_clock()) as session,
        progress_bar(quiet) as bar,
    ):
        task = bar.add_task("Verifying events", total=None) if bar is not None else None

        def tick(n: int) -> None:
            if bar is not None and task is not None:
                bar.advance(task, n)

        report = verify_chains(session, progress=tick)
    if report.ok:
        echo(report.summary())
        raise typer.Exit(EXIT_OK)
    for problem in report.problems:
        echo(problem.line())
    echo(report.summary())
    raise typer.Exit(EXIT_PROBLEMS)


@app.command("hash")
def hash_file(
    file: Annotated[Path, typer.Argument(help="The exported footage or file.")],
) -> None:
    """Print the SHA-256 of a file (read in chunks, any size)."""
    import hashlib

    if not file.is_file():
        fail(f"{file}: no such file", EXIT_USAGE)
    digest = hashlib.sha256()
    try:
        with file.open("rb") as handle:
            while chunk := handle.read(1024 * 1024):
                digest.update(chunk)
    except OSError as exc:
        fail(f"cannot read {file}: {exc.strerror or exc}")
    echo(f"{digest.hexdigest()}  {file}")


@export_app.command("exhibits")
def export_exhibits(
    out: OutOpt = None,
    queue: Annotated[str | None, typer.Option("--filter", help=QUEUE_HELP)] = None,
    search: Annotated[str, typer.Option(help="Reference, description, holder or seal.")] = "",
    exhibit_type: Annotated[str | None, typer.Option("--type", help="e.g. cctv, drugs.")] = None,
    exhibit_state: Annotated[
        str | None, typer.Option("--state", help="e.g. disseminated, destroyed, held.")
    ] = None,
) -> None:
    """Write the exhibits register to a workbook."""
    from cipco.db import session_scope
    from cipco.models.exhibit import ExhibitState, ExhibitType
    from cipco.services.exhibits import QUEUES
    from cipco.spreadsheets.exhibits_io import default_path, export_register

    if queue and queue not in QUEUES:
        fail(f"--filter '{queue}': use one of {', '.join(QUEUES)}", EXIT_USAGE)
    if exhibit_type and exhibit_type not in {t.value for t in ExhibitType}:
        fail(
            f"--type '{exhibit_type}': use one of {', '.join(t.value for t in ExhibitType)}",
            EXIT_USAGE,
        )
    if exhibit_state and exhibit_state not in {s.value for s in ExhibitState}:
        fail(
            f"--state '{exhibit_state}': use one of {', '.join(s.value for s in ExhibitState)}",
            EXIT_USAGE,
        )
    engine = open_engine_or_exit(write=False)
    clock = state.get_clock()
    path = out or default_path("exhibits", clock)
    with session_scope(engine, actor=actor(), clock=clock) as session:
        count = export_register(
            session,
            path,
            clock=clock,
            actor=actor(),
            queue=queue,
            text=search,
            exhibit_type=exhibit_type,
            state=exhibit_state,
        )
    echo(f"{count} exhibits written to {path}")


@export_app.command("continuity")
def export_continuity(
    reference: Annotated[str, typer.Argument(help="Exhibit reference, e.g. JS/1.")],
    out: OutOpt = None,
) -> None:
    """Write one exhibit's full continuity record, ready for the police file."""
    from cipco.db import session_scope
    from cipco.services.exhibits import ExhibitError
    from cipco.spreadsheets.exhibits_io import default_path
    from cipco.spreadsheets.exhibits_io import export_continuity as run_export

    engine = open_engine_or_exit(write=False)
    clock = state.get_clock()
    safe = reference.strip().upper().replace("/", "-")
    path = out or default_path(f"continuity-{safe}", clock)
    try:
        with session_scope(engine, actor=actor(), clock=clock) as session:
            count = run_export(session, path, reference, clock=clock, actor=actor())
    except ExhibitError as exc:
        fail(str(exc))
    echo(f"{count} events of {reference.strip().upper()} written to {path}")


@import_app.command("exhibits")
def import_exhibits(
    file: Annotated[Path, typer.Argument(help="A continuity sheet (.xlsx, .xls, .ods).")],
    sheet: Annotated[str | None, typer.Option("--sheet", help="Sheet name.")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Change nothing.")] = False,
    mapping: Annotated[
        list[str] | None, typer.Option("--map", help="'Header text=field' (repeatable).")
    ] = None,
    rejects: Annotated[Path | None, typer.Option("--rejects", help="Reject workbook.")] = None,
) -> None:
    """Import an exhibit log (one row per exhibit or per movement), chains built in date order."""
    from cipco.spreadsheets.exhibits_io import import_exhibits as run_import
    from cipco.spreadsheets.reader import ReadError

    if not file.is_file():
        fail(f"{file}: no such file", EXIT_USAGE)
    overrides = parse_map(mapping)
    engine = open_engine_or_exit(create=True)
    try:
        summary = run_import(
            engine,
            file,
            clock=state.get_clock(),
            actor=actor(),
            sheet=sheet,
            overrides=overrides,
            dry_run=dry_run,
            rejects_path=rejects,
        )
    except ReadError as exc:
        fail(str(exc), EXIT_USAGE)
    echo(f"Sheet '{summary.sheet}', header on row {summary.header_row}")
    for line in summary.mapping:
        echo(f"  {line}")
    for reject in summary.rejects:
        echo(f"Row {reject.row}: {reject.column}: {reject.reason}")
    echo(
        f"{'Dry run: ' if dry_run else ''}new exhibits {summary.imported}, movements added "
        f"{summary.updated}, unchanged {summary.unchanged}, skipped {summary.skipped}, "
        f"rejected {summary.rejected}"
    )
    if summary.rejects_path is not None:
        echo(f"Rejected rows written to {summary.rejects_path}")
    if summary.rejected:
        raise typer.Exit(EXIT_PROBLEMS)
