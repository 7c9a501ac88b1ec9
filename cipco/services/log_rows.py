"""Rows for exports, streamed from the logs' own services, where an export needs more than
one page of the list: every MG4D set of papers with the service in force, every clinic
action. Plain tuples in a documented field order, read in batches (never the whole log as
ORM objects at once).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.clinic import ClinicAction
from cipco.models.mg4d import ChargePapers, ServiceEvent
from cipco.services import clinic, mg4d
from cipco.services.paging import PageQuery
from cipco.services.row_import import originals_of

BATCH = 500

# The order of the values in each row of :func:`papers_rows`.
PAPERS_FIELDS = (
    "form_label",
    "nomis_number",
    "prisoner_name",
    "referral_reference",
    "crime_ref",
    "urn",
    "charges",
    "court",
    "first_hearing_on",
    "received_at",
    "received_from",
    "state",
    "response",
    "served_at",
    "served_by",
    "witnessed_by",
    "note",
    "copy_returned_at",
    "copy_returned_how",
    "original_columns",
)
# The order of the values in each row of :func:`action_rows`.
ACTION_FIELDS = (
    "id",
    "text",
    "owner_name",
    "owner_org",
    "due_on",
    "status",
    "overdue",
    "referral_reference",
    "clinic_held_on",
    "closed_at",
    "status_reason",
    "original_columns",
)


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


def _papers_batch(session: Session, batch: list[mg4d.PapersRow]) -> Iterator[tuple[Any, ...]]:
    events = _latest_events(session, [r.id for r in batch])
    originals = originals_of(session, ChargePapers, [r.id for r in batch])
    for row in batch:
        event = events.get(row.id)
        yield (
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
            originals.get(row.id),
        )


def papers_rows(session: Session, query: PageQuery, clock: Clock) -> Iterator[tuple[Any, ...]]:
    """Every set of papers matching ``query``, with its latest service event (corrections
    replace earlier events), in :data:`PAPERS_FIELDS` order; states and responses in words."""
    batch: list[mg4d.PapersRow] = []
    for row in mg4d.SERVICE.stream(session, query, clock):
        batch.append(row)
        if len(batch) >= BATCH:
            yield from _papers_batch(session, batch)
            batch = []
    yield from _papers_batch(session, batch)


def action_row(
    row: clinic.ActionRow, originals: dict[int, list[list[str]]] | None = None
) -> tuple[Any, ...]:
    """One action in :data:`ACTION_FIELDS` order."""
    return (
        row.id,
        row.text,
        row.owner_name,
        row.owner_org,
        row.due_on,
        row.status,
        row.overdue,
        row.referral_reference or "",
        row.clinic_held_on,
        row.done_at or row.dropped_at,
        row.status_reason or "",
        (originals or {}).get(row.id),
    )


def action_rows(session: Session, query: PageQuery, clock: Clock) -> Iterator[tuple[Any, ...]]:
    """Every clinic action matching ``query`` (across clinics), a batch at a time."""
    batch: list[clinic.ActionRow] = []
    for row in clinic.ACTIONS_SPEC.service.stream(session, query, clock):
        batch.append(row)
        if len(batch) >= BATCH:
            yield from _actions_batch(session, batch)
            batch = []
    yield from _actions_batch(session, batch)


def _actions_batch(session: Session, batch: list[clinic.ActionRow]) -> Iterator[tuple[Any, ...]]:
    originals = originals_of(session, ClinicAction, [r.id for r in batch])
    for row in batch:
        yield action_row(row, originals)
