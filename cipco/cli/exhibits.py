"""Commands for the exhibit continuity log: verify, hash and exports (import is shared)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cipco.cli import app, export_app
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
from cipco.cli.exports import run_export, safe_name, write_file
from cipco.cli.options import IncludeRestrictedOpt, OutOpt, OverwriteOpt, QuietOpt

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
    overwrite: OverwriteOpt = False,
    queue: Annotated[str | None, typer.Option("--filter", help=QUEUE_HELP)] = None,
    search: Annotated[str, typer.Option(help="Reference, description, holder or seal.")] = "",
    exhibit_type: Annotated[str | None, typer.Option("--type", help="e.g. cctv, drugs.")] = None,
    exhibit_state: Annotated[
        str | None, typer.Option("--state", help="e.g. disseminated, destroyed, held.")
    ] = None,
    quiet: QuietOpt = False,
) -> None:
    """Write the exhibits register to a workbook."""
    from cipco.models.exhibit import ExhibitState, ExhibitType
    from cipco.services.exhibits import QUEUES
    from cipco.spreadsheets.exhibits_io import register_query

    for option, value, allowed in (
        ("--filter", queue, list(QUEUES)),
        ("--type", exhibit_type, [t.value for t in ExhibitType]),
        ("--state", exhibit_state, [s.value for s in ExhibitState]),
    ):
        if value and value not in allowed:
            fail(f"{option} '{value}': use one of {', '.join(allowed)}", EXIT_USAGE)
    request = register_query(queue, search, exhibit_type, exhibit_state)
    result = run_export("exhibits", out, overwrite, request, quiet=quiet)
    echo(f"{result.rows} exhibits written to {result.path}")


@export_app.command("continuity")
def export_continuity(
    reference: Annotated[str, typer.Argument(help="Exhibit reference, e.g. JS/1.")],
    out: OutOpt = None,
    overwrite: OverwriteOpt = False,
    include_restricted: IncludeRestrictedOpt = False,
) -> None:
    """Write one exhibit's full continuity record, ready for the police file."""
    from cipco.services.exhibits import ExhibitError
    from cipco.spreadsheets.exhibits_io import export_continuity as run

    path, count = write_file(
        f"continuity-{safe_name(reference)}",
        out,
        overwrite,
        lambda engine, chosen, clock, who: run(
            engine, reference, chosen, clock=clock, actor=who, include_restricted=include_restricted
        ),
        refusals=(ExhibitError,),
    )
    echo(f"{count} events of {reference.strip().upper()} written to {path}")
