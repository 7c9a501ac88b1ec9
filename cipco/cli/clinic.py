"""Crime clinic commands: ``cipco export clinic`` and ``cipco export actions``."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from cipco.cli import export_app
from cipco.cli.common import EXIT_USAGE, echo, fail, open_engine_or_exit, state


class ClinicFormat(StrEnum):
    XLSX = "xlsx"
    MD = "md"


def parse_day(text: str) -> date:
    """A UK day-first date (18/11/2026) or ISO (2026-11-18)."""
    cleaned = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return datetime.strptime(cleaned, fmt).date()
        except ValueError:
            continue
    fail(f"DATE: '{text}' is not a date; use DD/MM/YYYY, e.g. 18/11/2026", code=EXIT_USAGE)


@export_app.command("clinic")
def export_clinic(
    day: Annotated[
        str | None,
        typer.Argument(metavar="[DATE]", help="The clinic's date (DD/MM/YYYY); default latest."),
    ] = None,
    latest: Annotated[bool, typer.Option("--latest", help="The most recent clinic.")] = False,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default: exports/).")
    ] = None,
    fmt: Annotated[
        ClinicFormat, typer.Option("--format", "-f", help="xlsx workbook or Markdown.")
    ] = ClinicFormat.XLSX,
) -> None:
    """The agenda and minutes of a clinic (sheets Agenda, Actions, Attendance, About)."""
    if day is not None and latest:
        fail("give a DATE or --latest, not both", code=EXIT_USAGE)
    held_on = parse_day(day) if day is not None else None
    from cipco.config import current_actor, default_exports_dir
    from cipco.db import session_scope
    from cipco.services import clinic as clinic_service
    from cipco.spreadsheets import clinic_export

    engine = open_engine_or_exit(write=False)
    clock = state.get_clock()
    with session_scope(engine, clock=clock) as session:
        try:
            clinic_id = clinic_service.clinic_id_for(session, held_on)
        except clinic_service.ClinicError as exc:
            fail(str(exc))
        view = clinic_service.clinic_view(session, clinic_id)
        target = out or default_exports_dir() / clinic_export.default_clinic_name(
            view.held_on, fmt.value
        )
        try:
            if fmt == ClinicFormat.MD:
                clinic_export.write_clinic_markdown(
                    session, clinic_id, target, clock, generated_by=current_actor()
                )
                echo(f"Clinic of {clinic_service.uk_date(view.held_on)} written to {target}")
            else:
                counts = clinic_export.write_clinic_workbook(
                    session, clinic_id, target, clock, generated_by=current_actor()
                )
                echo(
                    f"Clinic of {clinic_service.uk_date(view.held_on)} written to {target}: "
                    f"{counts['Agenda']} agenda items, {counts['Actions']} actions, "
                    f"{counts['Attendance']} attendees"
                )
        except OSError as exc:
            fail(f"cannot write {target}: {exc.strerror or exc}")


@export_app.command("actions")
def export_actions(
    open_only: Annotated[bool, typer.Option("--open", help="Only actions still open.")] = False,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only this owner (name or organisation).")
    ] = None,
    out: Annotated[
        Path | None, typer.Option("--out", "-o", help="Output file (default: exports/).")
    ] = None,
) -> None:
    """The crime clinic action log across all clinics."""
    from cipco.config import current_actor, default_exports_dir
    from cipco.db import session_scope
    from cipco.spreadsheets import clinic_export
    from cipco.spreadsheets.writer import timestamped_name

    engine = open_engine_or_exit(write=False)
    clock = state.get_clock()
    target = out or default_exports_dir() / timestamped_name("actions", clock.now())
    with session_scope(engine, clock=clock) as session:
        try:
            count = clinic_export.write_actions_workbook(
                session,
                target,
                clock,
                generated_by=current_actor(),
                open_only=open_only,
                owner=owner or "",
            )
        except OSError as exc:
            fail(f"cannot write {target}: {exc.strerror or exc}")
    echo(f"{count} actions written to {target}")
