"""``cipco casefile REF``: the police case file as a PDF with the same content as a workbook
beside it (same name, ``.pdf`` and ``.xlsx``), both 0600, both or neither."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Engine

from cipco.db import read_scope
from cipco.outputs import OutputTarget, write_pair
from cipco.pdf import render_pdf
from cipco.record_file import RecordFile
from cipco.services.casefile import case_file
from cipco.spreadsheets.book import Book
from cipco.spreadsheets.content import document_book

SUFFIXES = (".pdf", ".xlsx")


@dataclass(frozen=True)
class CaseFileWritten:
    pdf: Path
    workbook: Path
    reference: str


def write_case_file(engine: Engine, asked: RecordFile, target: OutputTarget) -> CaseFileWritten:
    """Read the referral in one snapshot, build the case file, write the PDF (``target``)
    and the workbook beside it. Raises ``ReferralError`` (unknown reference) and
    ``OutputError``; nothing is left behind either way."""
    with read_scope(engine, clock=asked.clock) as session:
        doc = case_file(
            session,
            asked.reference,
            asked.clock,
            actor=asked.actor,
            include_restricted=asked.include_restricted,
        )
    data = render_pdf(doc)
    book = document_book(doc)
    pdf, workbook = write_pair(
        target,
        {".pdf": lambda temp: temp.write_bytes(data), ".xlsx": lambda temp: save_book(book, temp)},
    )
    return CaseFileWritten(pdf, workbook, doc.title.rsplit(" ", 1)[-1])


def save_book(book: Book, temp: Path) -> None:
    """Save ``book`` over the private temporary file ``temp`` (``write_pair`` places it)."""
    book.save(temp)
