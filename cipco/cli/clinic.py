"""Crime clinic commands: ``cipco export clinic`` and ``cipco export actions``."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from cipco.cli import export_app
from cipco.cli.common import EXIT_USAGE, actor, echo, fail, open_engine_or_exit, state
from cipco.cli.exports import parse_day, refused, run_export, target, writing
from cipco.cli.options import OutOpt, OverwriteOpt, QuietOpt


class ClinicFormat(StrEnum):
    XLSX = "xlsx"
    MD = "md"


@export_app.command("clinic")
def export_clinic(
    day: Annotated[
        str | None,
        typer.Argument(metavar="[DATE]", help="The clinic's date (DD/MM/YYYY); default latest."),
    ] = None,
    latest: Annotated[bool, typer.Option("--latest", help="The most recent clinic.")] = False,
    out: OutOpt = None,
    overwrite: OverwriteOpt = False,
    fmt: Annotated[
        ClinicFormat, typer.Option("--format", "-f", help="xlsx workbook or Markdown.")
    ] = ClinicFormat.XLSX,
) -> None:
    """The agenda and minutes of a clinic (sheets Agenda, Actions, Attendance, About)."""
    if day is not None and latest:
        fail("give a DATE or --latest, not both", code=EXIT_USAGE)
    held_on = parse_day(day, "DATE")
    suffix = f".{fmt.value}"
    chosen = target(out, "clinic", overwrite, suffix) if out is not None else None
    from cipco.db import read_scope
    from cipco.services import clinic as clinic_service
    from cipco.spreadsheets import clinic_export

    engine = open_engine_or_exit(write=False)
    clock = state.get_clock()
    with read_scope(engine, clock=clock) as session:
        try:
            clinic_id = clinic_service.clinic_id_for(session, held_on)
        except clinic_service.ClinicError as exc:
            refused(exc)
        held_on = clinic_service.clinic_view(session, clinic_id).held_on
    chosen = chosen or target(None, f"clinic-{held_on:%Y-%m-%d}", False, suffix)
    when = clinic_service.uk_date(held_on)
    if fmt == ClinicFormat.MD:
        path = writing(
            lambda: clinic_export.write_clinic_markdown(
                engine, clinic_id, chosen, clock, generated_by=actor()
            )
        )
        echo(f"Clinic of {when} written to {path}")
        return
    path, counts = writing(
        lambda: clinic_export.write_clinic_workbook(
            engine, clinic_id, chosen, clock, generated_by=actor()
        )
    )
    echo(
        f"Clinic of {when} written to {path}: {counts['Agenda']} agenda items, "
        f"{counts['Actions']} actions, {counts['Attendance']} attendees"
    )


@export_app.command("actions")
def export_actions(
    open_only: Annotated[bool, typer.Option("--open", help="Only actions still open.")] = False,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only this owner (name or organisation).")
    ] = None,
    out: OutOpt = None,
    overwrite: OverwriteOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """The crime clinic action log across all clinics (imports back with `import actions`)."""
    from cipco.spreadsheets.actions_io import actions_request

    request = actions_request(open_only, owner or "")
    result = run_export("actions", out, overwrite, request, quiet=quiet)
    echo(f"{result.rows} actions written to {result.path}")
