"""Documents written as a PDF with a workbook beside it: the case file and the reports."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer

from cipco.cli import app, report_app
from cipco.cli.common import EXIT_USAGE, echo, fail, output_target, state
from cipco.cli.exports import Write, parse_day, write_file, write_record, writer
from cipco.cli.options import IncludeRestrictedOpt, OutOpt, OverwriteOpt

T = TypeVar("T")
SUFFIXES = (".pdf", ".xlsx")


def pair_target(out: Path | None, what: str, overwrite: bool) -> Path | None:
    """``--out`` for a PDF and its workbook: ``NAME.pdf`` (and ``NAME.xlsx`` beside it). Both
    names are checked before any work (exit 2 with one sentence)."""
    from cipco.outputs import OutputError, paired

    if out is not None:  # a folder, the database, a missing folder: refused as given
        output_target(out, what=what, suffix=SUFFIXES[0], overwrite=overwrite)
    try:
        chosen = paired(out, SUFFIXES)
    except OutputError as exc:
        fail(str(exc), EXIT_USAGE)
    if chosen is not None:
        output_target(chosen.with_suffix(".xlsx"), what=what, suffix=".xlsx", overwrite=overwrite)
    return chosen


def write_document(
    name: str,
    out: Path | None,
    overwrite: bool,
    write: Write[T],
    *,
    refusals: tuple[type[Exception], ...] = (),
) -> T:
    """A PDF with its workbook beside it, named ``name`` unless ``--out`` says: both names
    checked before any work, then ``write(engine, target, clock, actor)`` (as
    :func:`~cipco.cli.exports.write_file`)."""
    target = pair_target(out, name, overwrite)
    return write_file(name, target, overwrite, write, suffix=".pdf", refusals=refusals)


@app.command("casefile")
def casefile(
    ref: Annotated[str, typer.Argument(help="The referral's reference, e.g. REF-2026-0001.")],
    out: OutOpt = None,
    overwrite: OverwriteOpt = False,
    include_restricted: IncludeRestrictedOpt = False,
    documents: Annotated[
        bool,
        typer.Option(
            "--documents",
            help="Also write the referral's case documents as files in a new folder beside "
            "the PDF (NAME-documents), with MANIFEST.txt and SHA256SUMS.",
        ),
    ] = False,
) -> None:
    """The police case file of one referral: a PDF, and the same content as a workbook."""
    from cipco.documents.casefile import write_case_file
    from cipco.services.referrals import ReferralError

    asked = ("casefile", ref, include_restricted)
    written = write_record(
        write_case_file, asked, out, overwrite, refusals=(ReferralError,), via=write_document
    )
    echo(f"Case file written to {written.pdf} and {written.workbook}")
    if documents:
        _document_folder(ref, written.pdf.with_name(f"{written.pdf.stem}-documents"))


def _document_folder(ref: str, folder: Path) -> None:
    """The case documents beside the case file (a new folder; complete or nothing)."""
    from cipco.cli.common import open_engine_or_exit
    from cipco.db import read_scope
    from cipco.outputs import OutputError
    from cipco.services.casework.common import CaseworkError
    from cipco.services.casework.document_folder import write_document_folder

    engine = open_engine_or_exit(write=False)
    try:
        with read_scope(engine, clock=state.clock) as session:
            files = write_document_folder(session, ref, folder)
    except (OutputError, CaseworkError) as exc:
        fail(f"the case documents were not written: {exc}", EXIT_USAGE)
    finally:
        engine.dispose()
    echo(f"Case documents written to {folder} ({len(files) - 2} file(s), MANIFEST.txt, SHA256SUMS)")


def _report(kind: str, period: Any, out: Path | None, overwrite: bool) -> None:
    from cipco.documents.reports import write_report

    name = f"{kind}-{period.start:%Y-%m-%d}" if kind == "weekly" else f"{kind}-{period.start:%Y-%m}"
    written = write_document(name, out, overwrite, writer(write_report, kind, period))
    _print(written.report)
    echo(f"Report written to {written.pdf} and {written.workbook}")


def _month(text: str | None) -> Any:
    from cipco.services.measures import Period

    if not text:
        return Period.last_complete_month(state.get_clock())
    try:
        return Period.month(datetime.strptime(text.strip(), "%Y-%m").date())
    except ValueError:
        fail(f"--month '{text}': expected YYYY-MM, e.g. 2026-10", EXIT_USAGE)


MonthOpt = Annotated[str | None, typer.Option(help="YYYY-MM (default: the last complete month).")]


@report_app.command("monthly")
def report_monthly(
    month: MonthOpt = None, out: OutOpt = None, overwrite: OverwriteOpt = False
) -> None:
    """Monthly referral figures, each with its basis: printed, and as a PDF and a workbook."""
    _report("monthly", _month(month), out, overwrite)


@report_app.command("weekly")
def report_weekly(
    week: Annotated[
        str | None,
        typer.Option(help="Any day of the week, dd/mm/yyyy (default: the last complete week)."),
    ] = None,
    out: OutOpt = None,
    overwrite: OverwriteOpt = False,
) -> None:
    """This week's figures (Monday to Sunday) with the last 8 weeks' trend."""
    from cipco.services.measures import Period

    day: date | None = parse_day(week, "--week")
    period = Period.week(day) if day else Period.last_complete_week(state.get_clock())
    _report("weekly", period, out, overwrite)


@report_app.command("performance")
def report_performance(
    month: MonthOpt = None, out: OutOpt = None, overwrite: OverwriteOpt = False
) -> None:
    """The Regional Security Lead's return: R1/R5/R7 time limits, medians, outcomes, trend."""
    _report("performance", _month(month), out, overwrite)


def _print(report: Any) -> None:
    from rich.console import Console
    from rich.table import Table

    from cipco.text import literal

    console = Console(highlight=False)
    console.print(literal(report.title), style="bold")
    shown = Table(title="Summary", title_justify="left")
    shown.add_column("Figure")
    shown.add_column("Value", justify="right")
    shown.add_column("Basis", style="dim")
    for f in report.summary:
        rule = f" ({f.measure.rule})" if f.measure.rule else ""
        shown.add_row(literal(f.label + rule), literal(f.text), literal(f.basis))
    console.print(shown)
    for figure, what in ((report.by_category, "Category"), (report.outcomes, "Outcome")):
        table = Table(title=literal(f"{figure.label} ({figure.basis})"), title_justify="left")
        table.add_column(what)
        table.add_column("Number", justify="right")
        for label, count in figure.parts:
            table.add_row(literal(label), f"{count:,}")
        table.add_row("Total", f"{figure.value:,}", style="bold")
        console.print(table)
