"""``cipco export mg4d`` for the police and ``cipco import mg4d FILE`` for an existing log."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cipco.cli import export_app, import_app
from cipco.cli.common import EXIT_USAGE, actor, echo, fail, open_engine_or_exit, state
from cipco.cli.imports import (
    DryRunOpt,
    MapOpt,
    QuietOpt,
    RejectsOpt,
    SheetOpt,
    StrictOpt,
    run_import_command,
)

QUEUE_CHOICES = ("awaiting", "hearing_soon", "served", "not_served")


@export_app.command("mg4d")
def export_mg4d(
    out: Annotated[
        Path | None, typer.Option("--out", help="Output file (default: exports/mg4d-<time>.xlsx).")
    ] = None,
    queue: Annotated[
        str | None,
        typer.Option(help="Only: awaiting, hearing_soon, served or not_served."),
    ] = None,
    text: Annotated[
        str | None, typer.Option("--search", help="Prison number, name, crime ref, URN, court.")
    ] = None,
    court: Annotated[str | None, typer.Option(help="Court name contains.")] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Received on or after (dd/mm/yyyy).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Received on or before (dd/mm/yyyy).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Write the MG4D issue log for the police (served date/time as real date cells)."""
    from cipco.cli.common import progress_bar
    from cipco.clock import end_of_day, london_midnight, parse_uk_date
    from cipco.db import session_scope
    from cipco.services.paging import PageQuery
    from cipco.spreadsheets.mg4d_io import export_mg4d as run_export
    from cipco.spreadsheets.writer import timestamped_name

    if queue is not None and queue not in QUEUE_CHOICES:
        fail(f"--queue: '{queue}' is not one of {', '.join(QUEUE_CHOICES)}", EXIT_USAGE)
    extra: dict[str, object] = {}
    filters: dict[str, str] = {}
    for option, value, key in (("--from", date_from, "from"), ("--to", date_to, "to")):
        if not value:
            continue
        try:
            day = parse_uk_date(value)
        except ValueError as exc:
            fail(f"{option}: {exc}", EXIT_USAGE)
        if key == "from":
            extra["received_from_date"] = london_midnight(day)
        else:
            extra["received_to_date"] = end_of_day(day)
        filters[f"Received {key}"] = f"{day:%d/%m/%Y}"
    if court:
        extra["court"] = court
        filters["Court contains"] = court
    if queue:
        filters["Queue"] = queue
    if text:
        filters["Search"] = text
    engine = open_engine_or_exit(write=False)
    clock = state.get_clock()
    path = out or Path("exports") / timestamped_name("mg4d", clock.now())
    query = PageQuery(text=text or "", queue=queue, extra=extra)
    with session_scope(engine, actor=actor(), clock=clock) as session, progress_bar(quiet) as bar:
        task = bar.add_task("Exporting MG4D log", total=None) if bar else None

        def tick(n: int) -> None:
            if bar is not None and task is not None:
                bar.advance(task, n)

        count = run_export(
            session, path, clock=clock, actor=actor(), query=query, filters=filters, progress=tick
        )
    echo(f"{count} charge papers written to {path}")


@import_app.command("mg4d")
def import_mg4d(
    file: Annotated[Path, typer.Argument(help="An MG4D issue log (.xlsx, .xls, .ods).")],
    sheet: SheetOpt = None,
    dry_run: DryRunOpt = False,
    mapping: MapOpt = None,
    rejects: RejectsOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Import an existing MG4D issue log (papers, and their service where recorded)."""
    from cipco.spreadsheets.mg4d_io import import_mg4d as run_import

    run_import_command(
        run_import,
        file,
        sheet=sheet,
        dry_run=dry_run,
        mapping=mapping,
        rejects=rejects,
        strict=strict,
        quiet=quiet,
    )
