"""Every log's import and export, by name: what ``cipco import NAME``, ``cipco export NAME``
and ``cipco export template NAME`` act on.

The logs are the ones :mod:`cipco.services.logspec` describes. A spec's ``import_fields`` and
``export_columns`` name where its spreadsheet columns are defined ("module:NAME", a
``<log>_io`` module here); that module's ``IMPORT`` and ``EXPORT`` are the log's import and
export. Adding a log: declare its spec, write its ``<log>_io`` module, point the spec at it.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from types import ModuleType
from typing import Any

from sqlalchemy import Engine

from cipco.clock import Clock
from cipco.outputs import OutputTarget
from cipco.services.logspec import all_specs
from cipco.spreadsheets.exporting import (
    ExportLog,
    ExportRequest,
    ExportResult,
    default_target,
    export,
)
from cipco.spreadsheets.importers import ImportLog, ImportSummary, run_import


def resolve(pointer: str) -> tuple[ModuleType, Any]:
    """``"cipco.spreadsheets.referrals_io:COLUMNS"`` -> (the module, its COLUMNS)."""
    module_name, _sep, name = pointer.partition(":")
    module = importlib.import_module(module_name)
    return module, getattr(module, name)


def _registries() -> tuple[dict[str, ImportLog], dict[str, ExportLog]]:
    imports: dict[str, ImportLog] = {}
    exports: dict[str, ExportLog] = {}
    for spec in all_specs():
        if spec.import_fields:
            imports[spec.name] = resolve(spec.import_fields)[0].IMPORT
        if spec.export_columns:
            export_log = getattr(resolve(spec.export_columns)[0], "EXPORT", None)
            if export_log is not None:  # a clinic's minutes are a document, not a list
                exports[spec.name] = export_log
    return imports, exports


IMPORTS, EXPORTS = _registries()


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
