"""What every command that writes a workbook shares: the output contract, progress, errors.

Every ``cipco export …`` and ``cipco report …`` command (and an import's reject workbook)
checks ``--out``/``--overwrite`` with :func:`cipco.cli.common.output_target` BEFORE any work,
so a folder, a missing folder, an unwritable folder, an over-long name, an existing file or
the database each give one sentence and exit 2; the file is then written through
:func:`cipco.outputs.write_output` (never half-written, never replacing a file by surprise).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

from cipco.cli.common import (
    EXIT_PROBLEMS,
    EXIT_USAGE,
    actor,
    fail,
    open_engine_or_exit,
    output_target,
    state,
    ticker,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from cipco.clock import Clock
    from cipco.outputs import OutputTarget
    from cipco.record_file import RecordFile
    from cipco.spreadsheets.exporting import ExportRequest, ExportResult

T = TypeVar("T")


def target(out: Path | None, what: str, overwrite: bool, suffix: str = ".xlsx") -> OutputTarget:
    """The checked place for this command's file (exit 2 with one sentence if it is not)."""
    return output_target(out, what=what, suffix=suffix, overwrite=overwrite)


def parse_day(text: str | None, option: str) -> date | None:
    """A day-first date typed on the command line, or exit 2 naming the option."""
    if not text:
        return None
    from cipco.spreadsheets.reader import CellError, parse_uk_date

    try:
        return parse_uk_date(text)
    except CellError as exc:
        fail(f"{option}: {exc}", EXIT_USAGE)


def refused(exc: Exception, code: int = EXIT_PROBLEMS) -> NoReturn:
    """One sentence for an error a command expects (no traceback)."""
    fail(str(exc.args[0]) if isinstance(exc, LookupError) and exc.args else str(exc), code)


def writing(make: Callable[[], T]) -> T:
    """Run ``make`` (which writes a file); a failure to write is one sentence, exit 1."""
    from cipco.outputs import OutputError

    try:
        return make()
    except OutputError as exc:
        fail(str(exc))


Write = Callable[["Engine", "OutputTarget", "Clock", str], T]


def writer(make: Callable[..., T], *subject: Any, **options: Any) -> Write[T]:
    """The file writer ``make`` as :func:`write_file` calls it: every writer of a file takes
    ``(engine, *subject, target, *, clock, actor, **options)``."""
    return lambda engine, chosen, clock, who: make(
        engine, *subject, chosen, clock=clock, actor=who, **options
    )


def write_file(
    what: str,
    out: Path | None,
    overwrite: bool,
    write: Write[T],
    *,
    suffix: str = ".xlsx",
    refusals: tuple[type[Exception], ...] = (),
    code: int = EXIT_PROBLEMS,
) -> T:
    """Check where the file goes (before any work), open the data file, then
    ``write(engine, target, clock, actor)``; a refusal or a failure to write is one sentence."""
    chosen = target(out, what, overwrite, suffix)
    engine = open_engine_or_exit(write=False)
    try:
        return writing(lambda: write(engine, chosen, state.get_clock(), actor()))
    except refusals as exc:
        refused(exc, code)


def write_record(
    make: Callable[[Engine, RecordFile, OutputTarget], T],
    asked: tuple[str, str, bool],
    out: Path | None,
    overwrite: bool,
    *,
    refusals: tuple[type[Exception], ...],
    via: Callable[..., T] | None = None,
) -> T:
    """One record's file (:mod:`cipco.record_file`): ``asked`` is (kind, reference,
    include_restricted); written by ``make`` through :func:`write_file` (or ``via``, which
    takes the same arguments: a PDF with its workbook)."""
    from cipco.record_file import RecordFile, record_name

    kind, reference, include_restricted = asked
    return (via or write_file)(
        record_name(kind, reference),
        out,
        overwrite,
        lambda engine, chosen, clock, who: make(
            engine, RecordFile(kind, reference, clock, who, include_restricted), chosen
        ),
        refusals=refusals,
    )


def run_export(
    name: str, out: Path | None, overwrite: bool, request: ExportRequest, *, quiet: bool = True
) -> ExportResult:
    """Export log ``name`` as ``request`` asks: the one path for every log's export command."""
    from cipco.services.reports import FilterError
    from cipco.spreadsheets.exporting import export
    from cipco.spreadsheets.logs import EXPORTS

    log = EXPORTS[name]
    with ticker(quiet, f"Exporting {log.sheet}") as (advance, total):
        return write_file(
            log.name,
            out,
            overwrite,
            writer(export, log, request=request, progress=advance, on_total=total),
            refusals=(FilterError,),
            code=EXIT_USAGE,
        )
