"""Spreadsheets in and out: import, export, templates, the proforma and the monthly report."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any

import typer

from cipco.cli import export_app, import_app, report_app
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

OutOpt = Annotated[
    Path | None, typer.Option("--out", help="Output file (default: exports/<what>-<time>.xlsx).")
]


def _parse_day(text: str | None, option: str) -> date | None:
    if not text:
        return None
    from cipco.spreadsheets.reader import CellError, parse_uk_date

    try:
        return parse_uk_date(text)
    except CellError as exc:
        fail(f"{option}: {exc}", EXIT_USAGE)


def _run_import(
    what: str,
    file: Path,
    sheet: str | None,
    dry_run: bool,
    mapping: list[str] | None,
    rejects: Path | None,
    strict: bool,
    quiet: bool,
) -> None:
    from cipco.spreadsheets import importers

    run = importers.import_referrals if what == "referrals" else importers.import_persons
    run_import_command(
        run,
        file,
        sheet=sheet,
        dry_run=dry_run,
        mapping=mapping,
        rejects=rejects,
        strict=strict,
        quiet=quiet,
    )


@import_app.command("referrals")
def import_referrals(
    file: Annotated[Path, typer.Argument(help="A tracker (.xlsx, .xls, .ods).")],
    sheet: SheetOpt = None,
    dry_run: DryRunOpt = False,
    mapping: MapOpt = None,
    rejects: RejectsOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Import an Excel/ODS referral tracker (one transaction; rejected rows to a workbook)."""
    _run_import("referrals", file, sheet, dry_run, mapping, rejects, strict, quiet)


@import_app.command("persons")
def import_persons(
    file: Annotated[Path, typer.Argument(help="A persons-of-interest list (.xlsx, .xls, .ods).")],
    sheet: SheetOpt = None,
    dry_run: DryRunOpt = False,
    mapping: MapOpt = None,
    rejects: RejectsOpt = None,
    strict: StrictOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Import a persons-of-interest list (matched on prison number)."""
    _run_import("persons", file, sheet, dry_run, mapping, rejects, strict, quiet)


@export_app.command("referrals")
def export_referrals(
    out: OutOpt = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    force: Annotated[str | None, typer.Option(help="Only this police force.")] = None,
    oic: Annotated[str | None, typer.Option(help="OIC name contains.")] = None,
    date_from: Annotated[
        str | None, typer.Option("--from", help="Incident on or after (dd/mm/yyyy).")
    ] = None,
    date_to: Annotated[
        str | None, typer.Option("--to", help="Incident on or before (dd/mm/yyyy).")
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="Open referrals only.")] = False,
    quiet: QuietOpt = False,
) -> None:
    """Write referrals to a police-ready workbook."""
    from cipco.cli.common import progress_bar
    from cipco.db import session_scope
    from cipco.services.reports import FilterError, ReferralFilter, count_referrals_for_export
    from cipco.spreadsheets.exporters import default_path
    from cipco.spreadsheets.exporters import export_referrals as run_export

    start, end = _parse_day(date_from, "--from"), _parse_day(date_to, "--to")
    engine = open_engine_or_exit(write=False)
    clock = state.get_clock()
    path = out or default_path("referrals", clock)
    try:
        with (
            session_scope(engine, actor=actor(), clock=clock) as session,
            progress_bar(quiet) as bar,
        ):
            task = None
            if bar is not None:
                flt = ReferralFilter(status, force, oic, start, end, open_only)
                total = count_referrals_for_export(session, flt, clock)
                task = bar.add_task("Exporting referrals", total=total)

            def tick(n: int) -> None:
                if bar is not None and task is not None:
                    bar.advance(task, n)

            count = run_export(
                session,
                path,
                clock=clock,
                actor=actor(),
                status=status,
                force=force,
                oic=oic,
                date_from=start,
                date_to=end,
                open_only=open_only,
                progress=tick,
            )
    except FilterError as exc:
        fail(str(exc), EXIT_USAGE)
    echo(f"{count} referrals written to {path}")


@export_app.command("persons")
def export_persons(
    out: OutOpt = None,
    include_restricted: Annotated[
        bool,
        typer.Option("--include-restricted", help="Include 'do not share' entries."),
    ] = False,
    quiet: QuietOpt = False,
) -> None:
    """Write the persons-of-interest list (restricted entries left out unless asked)."""
    from cipco.db import session_scope
    from cipco.spreadsheets.exporters import default_path
    from cipco.spreadsheets.exporters import export_persons as run_export

    engine = open_engine_or_exit(write=False)
    clock = state.get_clock()
    path = out or default_path("persons", clock)
    with session_scope(engine, actor=actor(), clock=clock) as session:
        count, withheld = run_export(
            session, path, clock=clock, actor=actor(), include_restricted=include_restricted
        )
    extra = f" ({withheld} restricted entries left out)" if withheld else ""
    echo(f"{count} persons written to {path}{extra}")


@export_app.command("template")
def export_template(
    what: Annotated[str, typer.Argument(help="referrals or persons")],
    out: OutOpt = None,
) -> None:
    """An empty import workbook with drop-downs and an instructions sheet."""
    if what not in ("referrals", "persons"):
        fail(f"template: '{what}' is not referrals or persons", EXIT_USAGE)
    from cipco.db import session_scope
    from cipco.spreadsheets.exporters import default_path, write_template

    engine = open_engine_or_exit(write=False)
    clock = state.get_clock()
    path = out or default_path(f"template-{what}", clock)
    with session_scope(engine, actor=actor(), clock=clock) as session:
        write_template(session, what, path, clock=clock, actor=actor())
    echo(f"Template written to {path}")


@export_app.command("proforma")
def export_proforma(
    ref: Annotated[str, typer.Argument(help="The referral's reference, e.g. REF-2026-0001.")],
    out: OutOpt = None,
) -> None:
    """The police referral proforma for one referral, ready to e-mail."""
    from cipco.db import session_scope
    from cipco.spreadsheets.exporters import default_path, write_proforma

    engine = open_engine_or_exit(write=False)
    clock = state.get_clock()
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in ref)
    path = out or default_path(f"proforma-{safe}", clock)
    try:
        with session_scope(engine, actor=actor(), clock=clock) as session:
            write_proforma(session, ref, path, clock=clock)
    except LookupError as exc:
        fail(str(exc.args[0]))
    echo(f"Proforma written to {path}")


@report_app.command("monthly")
def report_monthly(
    month: Annotated[
        str | None, typer.Option(help="YYYY-MM (default: last complete month).")
    ] = None,
    out: OutOpt = None,
) -> None:
    """Monthly referral figures: printed, and as a workbook with a bar chart."""
    from rich.console import Console
    from rich.table import Table

    from cipco.clock import to_london
    from cipco.db import session_scope
    from cipco.services.reports import monthly_report
    from cipco.spreadsheets.exporters import default_path
    from cipco.spreadsheets.reports import write_monthly_report

    clock = state.get_clock()
    if month:
        try:
            first = datetime.strptime(month.strip(), "%Y-%m").date()
        except ValueError:
            fail(f"--month '{month}': expected YYYY-MM, e.g. 2026-10", EXIT_USAGE)
    else:
        today = to_london(clock.now()).date().replace(day=1)
        first = date(today.year - (today.month == 1), (today.month - 2) % 12 + 1, 1)
    engine = open_engine_or_exit(write=False)
    path = out or default_path(f"monthly-{first:%Y-%m}", clock)
    with session_scope(engine, actor=actor(), clock=clock) as session:
        report = monthly_report(session, first, clock)
    write_monthly_report(report, path, clock=clock, actor=actor())
    console = Console(highlight=False)
    console.print(report.title, style="bold", markup=False)
    for table in report.tables:
        shown = Table(title=table.title, title_justify="left")
        for index, header in enumerate(table.headers):
            shown.add_column(header, justify="right" if index else "left")
        for row in table.rows:
            shown.add_row(*(_plain(v) for v in row))
        if not table.rows:
            shown.add_row("(none)", *[""] * (len(table.headers) - 1))
        console.print(shown)
    echo(f"Report written to {path}")


def _plain(value: Any) -> Any:
    from rich.text import Text

    return Text(str(value))
