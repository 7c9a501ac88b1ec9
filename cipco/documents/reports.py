"""``cipco report monthly|weekly|performance``: each report as a PDF and a workbook with
native charts beside it (same name), figures read in one snapshot."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from cipco.clock import Clock
from cipco.content import Document
from cipco.db import read_scope
from cipco.documents.casefile import save_book
from cipco.outputs import OutputTarget, write_pair
from cipco.pdf import render_pdf
from cipco.services.measures import Period
from cipco.services.returns import Report, build_report, report_document
from cipco.services.site import site_label
from cipco.spreadsheets.content import document_book


@dataclass(frozen=True)
class ReportWritten:
    pdf: Path
    workbook: Path
    report: Report


def write_report(
    engine: Engine, kind: str, period: Period, target: OutputTarget, *, clock: Clock, actor: str
) -> ReportWritten:
    """Build the ``kind`` report for ``period`` and write its PDF (``target``) and workbook."""
    with read_scope(engine, clock=clock) as session:
        report = build_report(session, kind, period, clock)
        prison = site_label(session)
    doc = report_document(report, prison=prison, produced_at=clock.now(), actor=actor)
    pdf, workbook = write_document(doc, target)
    return ReportWritten(pdf, workbook, report)


def write_document(doc: Document, target: OutputTarget) -> tuple[Path, Path]:
    """``doc`` as its PDF (``target``) and the same content as a workbook beside it."""
    data = render_pdf(doc)
    book = document_book(doc)
    pdf, workbook = write_pair(
        target,
        {".pdf": lambda temp: temp.write_bytes(data), ".xlsx": lambda temp: save_book(book, temp)},
    )
    return pdf, workbook
