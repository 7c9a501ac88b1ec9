"""``cipco report regional``: the regional report as a PDF and a workbook beside it."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from cipco.clock import Clock
from cipco.db import read_scope
from cipco.documents.casefile import save_book
from cipco.outputs import OutputTarget, write_pair
from cipco.pdf import render_pdf
from cipco.services.measures import Period
from cipco.services.regional import RegionalView, regional_view
from cipco.services.regional_report import regional_document
from cipco.spreadsheets.content import document_book


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
    doc = regional_document(view, produced_at=clock.now(), actor=actor)
    data = render_pdf(doc)
    book = document_book(doc)
    pdf, workbook = write_pair(
        target,
        {".pdf": lambda temp: temp.write_bytes(data), ".xlsx": lambda temp: save_book(book, temp)},
    )
    return RegionalWritten(pdf, workbook, view)
