"""Commands for the exhibit continuity log: verify, ledger, hash and exports (import is shared)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer

from cipco.cli import app, export_app
from cipco.cli.common import (
    EXIT_OK,
    EXIT_PROBLEMS,
    EXIT_USAGE,
    echo,
    fail,
    open_engine_or_exit,
    output_target,
    state,
    ticker,
)
from cipco.cli.exports import run_export, write_record
from cipco.cli.options import IncludeRestrictedOpt, OutOpt, OverwriteOpt, QuietOpt

ListOutOpt = Annotated[
    Path | None,
    typer.Option("--out", "-o", help="List every event's hash to this file (never replaced)."),
]
QUEUE_HELP = "held | police | awaiting | retention | discrepancies"


AgainstOpt = Annotated[
    str | None,
    typer.Option(
        "--against",
        help=(
            "An anchor held outside the file: a listing written by `cipco ledger --out`, or "
            "COUNT:DIGEST (or the 'Custody ledger ...' line as printed on an export)."
        ),
    ),
]


def _anchor_option(against: str) -> Any:
    """The --against value as a listing (a file) or an anchor (a digest); exit 2 if neither."""
    from cipco.services import ledger

    path = Path(against).expanduser()
    try:
        if path.is_file():
            return ledger.read_listing(path)
        if path.exists():
            fail(f"--against {path}: not a file", EXIT_USAGE)
        return ledger.parse_anchor(against)
    except ledger.AnchorError as exc:
        if not path.exists() and ("/" in against or "." in against):
            fail(f"--against {path}: no such file, and not a ledger digest", EXIT_USAGE)
        fail(f"--against: {exc}", EXIT_USAGE)


@app.command()
def verify(quiet: QuietOpt = False, against: AgainstOpt = None) -> None:
    """Recompute every exhibit's hash chain and the custody ledger; exit 1 naming what differs.

    Without --against this shows the file agrees with itself. With --against (an anchor
    printed on an export, the clinic minutes or a case file, or a `cipco ledger --out`
    listing) it proves the history still begins with the anchored one.
    """
    from cipco.cli.common import plain_reader_or_exit
    from cipco.services.chain_report import when_nothing_stored

    anchor = _anchor_option(against) if against is not None else None
    now = state.get_clock().now()
    report = None
    looked = False  # whether a file was already found to hold something to verify
    if anchor is None:  # no custody history: answered over the DB-API, no SQLAlchemy
        with plain_reader_or_exit() as connection:
            if connection is not None:
                looked = True
                report = when_nothing_stored(connection, "", now)
    if report is None:
        engine = open_engine_or_exit(write=False)
        if anchor is None and not looked:  # a server: one plain read before the models
            from cipco.db import read_connection, site_of

            with read_connection(engine) as conn:
                report = when_nothing_stored(conn, site_of(engine), now)
        if report is None:
            report = _verify_chains(engine, anchor, quiet)
    for problem in report.problems:
        echo(problem.line())
    echo(report.summary())
    if len(report.anchors) > 1:  # a regional login: each prison's ledger
        for each in report.anchors:
            typer.echo(each.site_line())  # one line, never wrapped: it is copied
    elif report.anchor is not None:
        typer.echo(report.anchor.line())  # one line, never wrapped: it is copied
    if not report.ok:
        raise typer.Exit(EXIT_PROBLEMS)
    if report.against:
        echo(report.against)
    else:
        from cipco.config import ServerDb

        kind = "database" if isinstance(state.db_path(), ServerDb) else "file"
        echo(
            f"The {kind} agrees with itself. Only an anchor held outside it proves it was not "
            "rewritten: cipco verify --against <listing or COUNT:DIGEST>"
        )
    raise typer.Exit(EXIT_OK)


def _verify_chains(engine: Any, anchor: Any, quiet: bool) -> Any:
    from cipco.db import read_scope
    from cipco.services import ledger
    from cipco.services.chain_verify import verify as verify_chains

    with read_scope(engine, clock=state.get_clock()) as session:
        if anchor is not None and len(ledger.anchors(session)) > 1:
            fail(REGIONAL_LEDGERS + ": check an anchor with that prison's own login", EXIT_USAGE)
        with ticker(quiet, "Verifying events") as (advance, _total):
            return verify_chains(session, progress=advance, against=anchor)


REGIONAL_LEDGERS = "a regional login reads several prisons' ledgers"


@app.command("ledger")
def ledger_command(out: ListOutOpt = None, overwrite: OverwriteOpt = False) -> None:
    """Print the custody ledger's anchor: event count, digest, time of the last event.

    With --out, list every event's hash and the running digest to a file; keep it (or the
    anchor line) outside the file and check later with `cipco verify --against`.
    """
    from cipco.db import read_scope
    from cipco.outputs import OutputError, write_output
    from cipco.services import ledger

    target = (
        output_target(out, what="ledger", suffix=".txt", overwrite=overwrite)
        if out is not None
        else None
    )
    engine = open_engine_or_exit(write=False)
    written = None
    with read_scope(engine, clock=state.get_clock()) as session:
        every = ledger.anchors(session)
        if len(every) > 1:  # a regional login: each prison's anchor; a listing is one site's
            if target is not None:
                fail(REGIONAL_LEDGERS + ": list one with that prison's own login", EXIT_USAGE)
            for each in every:
                typer.echo(each.site_line())
            return
        current = every[0]
        if target is not None:

            def write(temp: Path) -> None:
                with temp.open("w", encoding="utf-8") as handle:
                    for line in ledger.listing_lines(session):
                        handle.write(line + "\n")

            try:
                written = write_output(target, write)
            except OutputError as exc:
                fail(str(exc))
    typer.echo(current.line())  # one line, never wrapped: it is copied
    typer.echo(
        f"Short form {current.short} · check later: cipco verify --against {current.token()}"
    )
    if written is not None:
        echo(f"{current.count:,} events listed in {written}")


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

    asked = ("continuity", reference, include_restricted)
    path, count = write_record(run, asked, out, overwrite, refusals=(ExhibitError,))
    echo(f"{count} events of {reference.strip().upper()} written to {path}")
