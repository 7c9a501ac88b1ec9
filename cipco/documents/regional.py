"""``cipco report regional``: the regional report as a PDF and a workbook beside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from cipco.clock import Clock
from cipco.db import read_scope
from cipco.documents.reports import write_document
from cipco.outputs import OutputTarget
from cipco.services.measures import Period
from cipco.services.regional import RegionalView, regional_view
from cipco.services.regional_report import regional_document


@dataclass(frozen=True)
class RegionalWritten:
    pdf: Path
    workbook: Path
    view: RegionalView


def write_regional(
    engine: Engine, period: Period, target: OutputTarget, *, clock: Clock, actor: str
) -> RegionalWritten:
    """Read the regional view in one snapshot, then write its PDF (``target``) and workbook."""
    with read_scope(engine, clock=clock) as session:
        view = regional_view(session, period, clock)
    pdf, workbook = write_document(
        regional_document(view, produced_at=clock.now(), actor=actor), target
    )
    return RegionalWritten(pdf, workbook, view)
