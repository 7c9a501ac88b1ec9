"""Every log's import and export description, by name: what ``cipco import NAME``,
``cipco export NAME`` and ``cipco export template NAME`` act on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from cipco.clock import Clock
from cipco.outputs import OutputTarget
from cipco.spreadsheets import actions_io, exhibits_io, mg4d_io, persons_io, referrals_io
from cipco.spreadsheets.exporting import (
    ExportLog,
    ExportRequest,
    ExportResult,
    default_target,
    export,
)
from cipco.spreadsheets.importers import ImportLog, ImportSummary, run_import

IMPORTS: dict[str, ImportLog] = {
    module.IMPORT.name: module.IMPORT
    for module in (referrals_io, persons_io, exhibits_io, mg4d_io, actions_io)
}
EXPORTS: dict[str, ExportLog] = {
    module.EXPORT.name: module.EXPORT
    for module in (referrals_io, persons_io, exhibits_io, mg4d_io, actions_io)
}


def export_log(
    engine: Engine,
    name: str,
    request: ExportRequest,
    *,
    clock: Clock,
    actor: str,
    target: OutputTarget | None = None,
) -> ExportResult:
    """Export log ``name`` to ``target`` (default: a new dated file in the exports folder)."""
    chosen = target or default_target(name, clock)
    return export(engine, EXPORTS[name], chosen, request, clock=clock, actor=actor)


def import_log(engine: Engine, name: str, path: Path, **options: Any) -> ImportSummary:
    """Import ``path`` into log ``name`` (options as :func:`importers.run_import` takes)."""
    return run_import(engine, IMPORTS[name], path, **options)
