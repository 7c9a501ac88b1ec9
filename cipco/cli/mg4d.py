"""``cipco export mg4d``: the MG4D issue log for the police (``cipco import mg4d`` is shared)."""

from __future__ import annotations

from typing import Annotated

import typer

from cipco.cli import export_app
from cipco.cli.common import EXIT_USAGE, echo, fail
from cipco.cli.exports import parse_day, run_export
from cipco.cli.options import IncludeRestrictedOpt, OutOpt, OverwriteOpt, QuietOpt

QUEUE_CHOICES = ("awaiting", "hearing_soon", "served", "not_served")


@export_app.command("mg4d")
def export_mg4d(
    out: OutOpt = None,
    overwrite: OverwriteOpt = False,
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
    include_restricted: IncludeRestrictedOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write the MG4D issue log for the police (served date/time as real date cells)."""
    from cipco.clock import end_of_day, london_midnight
    from cipco.services.paging import PageQuery
    from cipco.spreadsheets.exporting import ExportRequest

    if queue is not None and queue not in QUEUE_CHOICES:
        fail(f"--queue: '{queue}' is not one of {', '.join(QUEUE_CHOICES)}", EXIT_USAGE)
    extra: dict[str, object] = {}
    filters: dict[str, str] = {}
    start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    if start is not None:
        extra["received_from_date"] = london_midnight(start)
        filters["Received from"] = f"{start:%d/%m/%Y}"
    if end is not None:
        extra["received_to_date"] = end_of_day(end)
        filters["Received to"] = f"{end:%d/%m/%Y}"
    if court:
        extra["court"] = court
        filters["Court contains"] = court
    if queue:
        filters["Queue"] = queue
    if text:
        filters["Search"] = text
    query = PageQuery(text=text or "", queue=queue, extra=extra)
    request = ExportRequest(query, filters, include_restricted=include_restricted)
    result = run_export("mg4d", out, overwrite, request, quiet=quiet)
    extra_words = f" ({result.withheld} naming people marked 'do not share' withheld)"
    echo(
        f"{result.rows} charge papers written to {result.path}"
        f"{extra_words if result.withheld else ''}"
    )
