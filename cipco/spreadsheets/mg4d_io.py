"""The MG4D issue log in and out of spreadsheets.

Export for the police: one row per set of papers with the service in force; served and
received times are real date-time cells (London wall time). Import of an existing issue log
goes through the shared importer (header detection, synonyms, UK dates, reject workbook).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, func, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.mg4d import ServiceEvent
from cipco.services import mg4d
from cipco.services.paging import PageQuery
from cipco.spreadsheets.importers import ImportSummary, run_import
from cipco.spreadsheets.reader import FieldSpec
from cipco.spreadsheets.writer import About, Column, SheetSpec, write_workbook

MG4D_FIELDS: list[FieldSpec] = [
    FieldSpec(
        "nomis_number",
        ("Prison number", "NOMIS", "NOMIS number", "Prison no", "Prisoner number"),
        required=True,
    ),
    FieldSpec("prisoner_name", ("Name", "Prisoner name", "Prisoner", "Surname")),
    FieldSpec("referral_reference", ("Referral", "Referral ref", "Tracker ref", "Our ref")),
    FieldSpec("crime_ref", ("Crime ref", "Crime reference", "Crime number", "Police ref")),
    FieldSpec("urn", ("URN", "Case number", "Case ref")),
    FieldSpec("form_label", ("Form", "Form type", "Document")),
    FieldSpec(
        "charges", ("Charges", "Charge", "Offence", "Offences", "Charge wording"), required=True
    ),
    FieldSpec("court", ("Court",)),
    FieldSpec("first_hearing_on", ("First hearing", "Hearing date", "Court date"), kind="date"),
    FieldSpec("received_at", ("Received", "Date received", "Received at"), kind="datetime"),
    FieldSpec("received_from", ("Received from", "From", "Sent by")),
    FieldSpec(
        "served_at", ("Served", "Date served", "Served at", "Served date/time"), kind="datetime"
    ),
    FieldSpec("served_by", ("Served by", "Serving officer")),
    FieldSpec("witnessed_by", ("Witnessed by", "Witness")),
    FieldSpec("response", ("Response", "Prisoner response", "Signed", "Outcome")),
    FieldSpec("note", ("Service note", "Reason not served")),
    FieldSpec(
        "copy_returned_at",
        ("Copy returned", "Returned to police", "Copy returned to police"),
        kind="datetime",
    ),
    FieldSpec("copy_returned_how", ("Returned how", "Return method")),
    FieldSpec("notes", ("Notes", "Comments", "Remarks")),
]

EXPORT_COLUMNS = [
    Column("Form", 7),
    Column("Prison number", 13),
    Column("Name", 24),
    Column("Referral", 15),
    Column("Crime ref", 14),
    Column("URN", 14),
    Column("Charges", 50),
    Column("Court", 24),
    Column("First hearing", 13, "date"),
    Column("Received", 17, "datetime"),
    Column("Received from", 20),
    Column("State", 16),
    Column("Response", 24),
    Column("Served", 17, "datetime"),
    Column("Served by", 20),
    Column("Witnessed by", 20),
    Column("Service note", 30),
    Column("Copy returned", 17, "datetime"),
    Column("Returned how", 20),
]


def _latest_events(session: Session, ids: list[int]) -> dict[int, ServiceEvent]:
    if not ids:
        return {}
    newest = (
        select(func.max(ServiceEvent.id))
        .where(ServiceEvent.papers_id.in_(ids))  # type: ignore[attr-defined]
        .group_by(ServiceEvent.papers_id)
    )
    return {
        e.papers_id: e
        for e in session.scalars(select(ServiceEvent).where(ServiceEvent.id.in_(newest)))  # type: ignore[union-attr]
    }


def export_rows(session: Session, query: PageQuery, clock: Clock) -> Iterator[list[Any]]:
    batch: list[mg4d.PapersRow] = []

    def flush() -> Iterator[list[Any]]:
        events = _latest_events(session, [r.id for r in batch])
        for row in batch:
            event = events.get(row.id)
            yield [
                row.form_label,
                row.nomis_number,
                row.prisoner_name,
                row.referral_reference,
                row.crime_ref,
                row.urn,
                row.charges,
                row.court,
                row.first_hearing_on,
                row.received_at,
                row.received_from,
                row.state_label,
                row.response_label,
                event.served_at if event else None,
                event.served_by if event else "",
                event.witnessed_by if event else "",
                event.note if event else "",
                event.copy_returned_at if event else None,
                event.copy_returned_how if event else "",
            ]
        batch.clear()

    for row in mg4d.iter_papers(session, query, clock):
        batch.append(row)
        if len(batch) >= 500:
            yield from flush()
    yield from flush()


def export_mg4d(
    session: Session,
    path: Path,
    *,
    clock: Clock,
    actor: str,
    query: PageQuery | None = None,
    filters: Mapping[str, str] | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the issue log (filtered) to ``path``. Returns the number of rows."""
    query = query or PageQuery()
    counts = write_workbook(
        path,
        [SheetSpec("MG4D issue log", EXPORT_COLUMNS, export_rows(session, query, clock))],
        About(
            what="MG4D issue log: charge papers received and served",
            generated_at=clock.now(),
            generated_by=actor,
            filters=dict(filters or {}),
            notes=[
                "Served, received and copy-returned times are in UK local time.",
                "Service is the latest recorded event; corrections replace earlier events.",
            ],
        ),
        progress=progress,
    )
    return counts["MG4D issue log"]


def import_mg4d(
    engine: Engine,
    path: Path,
    *,
    clock: Clock,
    actor: str,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    dry_run: bool = False,
    strict: bool = False,
    rejects_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import an existing issue log: papers, and their service where recorded."""
    return run_import(
        engine,
        path,
        MG4D_FIELDS,
        lambda session: mg4d.Mg4dImport(session, clock),
        clock=clock,
        actor=actor,
        what="mg4d",
        key_field="nomis_number",
        sheet=sheet,
        overrides=overrides,
        dry_run=dry_run,
        strict=strict,
        rejects_path=rejects_path,
        progress=progress,
    )
