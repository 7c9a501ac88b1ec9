"""Referral and persons exports, import templates and the proforma."""

from __future__ import annotations

from typing import Annotated

import typer

from cipco.cli import export_app
from cipco.cli import imports as _imports  # noqa: F401  (registers every `cipco import LOG`)
from cipco.cli.common import EXIT_USAGE, echo, fail
from cipco.cli.exports import parse_day, run_export, write_file, write_record, writer
from cipco.cli.options import (
    IncludeInternalOpt,
    IncludeRestrictedOpt,
    OutOpt,
    OverwriteOpt,
    QuietOpt,
)

LOG_NAMES = ("referrals", "persons", "exhibits", "mg4d", "actions")


@export_app.command("referrals")
def export_referrals(
    out: OutOpt = None,
    overwrite: OverwriteOpt = False,
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
    include_restricted: IncludeRestrictedOpt = False,
    include_internal: IncludeInternalOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write referrals to a police-ready workbook (internal columns left out unless asked)."""
    from cipco.services.reports import ReferralFilter
    from cipco.spreadsheets.exporting import ExportRequest

    start, end = parse_day(date_from, "--from"), parse_day(date_to, "--to")
    flt = ReferralFilter(status, force, oic, start, end, open_only)
    request = ExportRequest(flt, flt.describe(), include_restricted, include_internal)
    result = run_export("referrals", out, overwrite, request, quiet=quiet)
    extra = f" ({result.withheld} naming people marked 'do not share' withheld)"
    echo(f"{result.rows} referrals written to {result.path}{extra if result.withheld else ''}")


@export_app.command("persons")
def export_persons(
    out: OutOpt = None,
    overwrite: OverwriteOpt = False,
    include_restricted: IncludeRestrictedOpt = False,
    include_internal: IncludeInternalOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Write the persons-of-interest list (restricted entries left out unless asked)."""
    from cipco.spreadsheets.exporting import ExportRequest

    request = ExportRequest(None, {}, include_restricted, include_internal)
    result = run_export("persons", out, overwrite, request, quiet=quiet)
    extra = f" ({result.withheld} restricted entries left out)" if result.withheld else ""
    echo(f"{result.rows} persons written to {result.path}{extra}")


@export_app.command("template")
def export_template(
    what: Annotated[str, typer.Argument(help=" | ".join(LOG_NAMES))],
    out: OutOpt = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """An empty import workbook with drop-downs and an instructions sheet."""
    if what not in LOG_NAMES:
        fail(f"template: '{what}' is not one of {', '.join(LOG_NAMES)}", EXIT_USAGE)
    from cipco.spreadsheets.logs import IMPORTS
    from cipco.spreadsheets.templates import write_template

    path = write_file(f"template-{what}", out, overwrite, writer(write_template, IMPORTS[what]))
    echo(f"Template written to {path}")


@export_app.command("proforma")
def export_proforma(
    ref: Annotated[str, typer.Argument(help="The referral's reference, e.g. REF-2026-0001.")],
    out: OutOpt = None,
    overwrite: OverwriteOpt = False,
    include_restricted: IncludeRestrictedOpt = False,
) -> None:
    """The police referral proforma for one referral, ready to e-mail."""
    from cipco.services.referrals import ReferralError
    from cipco.spreadsheets.proforma import write_proforma

    asked = ("proforma", ref, include_restricted)
    path = write_record(write_proforma, asked, out, overwrite, refusals=(ReferralError,))
    echo(f"Proforma written to {path}")
