"""The exhibit continuity log described for the shared machinery (list, export, import).

The custody rules, the chain and the register's queries are the exhibit service's own
(:mod:`cipco.services.exhibits`); this module only describes the register as a
:class:`~cipco.services.logspec.LogSpec` and serves its pages through those queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from sqlmodel import Session

from cipco.clock import Clock
from cipco.dates import format_date
from cipco.models.exhibit import FINAL_STATES, Exhibit, ExhibitCreate, ExhibitState
from cipco.services import exhibits
from cipco.services.exhibits import ExhibitError, ExhibitRow, state_label, type_label
from cipco.services.logspec import Column, Done, LogService, LogSpec, Queue, Sheets, Words
from cipco.services.paging import Page, PageQuery

if TYPE_CHECKING:
    from cipco.services.logspec import QueryContext

FINAL = frozenset(state.value for state in FINAL_STATES)
"""Returned, disseminated, destroyed: the exhibit has left the prison's custody for good."""


def is_final(state: str) -> bool:
    return str(state) in FINAL


def state_text(row: ExhibitRow) -> str:
    """The state in words, marked: "! " for a discrepancy, "(hold)", "(collect)"."""
    text = ("! " if row.discrepancies else "") + state_label(row.state)
    if row.hold:
        text += " (hold)"
    if row.awaiting_collection:
        text += " (collect)"
    return text


def review_text(row: ExhibitRow) -> str:
    if row.review_due_on is None:
        return ""
    return ("! " if row.retention_due else "") + format_date(row.review_due_on)


def _type_text(row: ExhibitRow) -> str:
    return type_label(row.exhibit_type)


def _queue(key: str) -> Any:
    return lambda ctx: exhibits.queue_clause(key, ctx.clock)


class ExhibitService(LogService[Exhibit, ExhibitRow]):
    """Pages come from the exhibit service's own queries (its sort keys are the columns')."""

    name = "exhibits"
    words = Words("exhibit", "exhibits", "Exhibits")
    error = ExhibitError

    def page(
        self, session: Session, query: PageQuery, clock: Clock, *, total: int | None = None
    ) -> Page[ExhibitRow]:
        return exhibits.exhibit_page(session, query, clock)

    def count(self, session: Session, query: PageQuery, clock: Clock) -> int:
        return exhibits.exhibit_page(session, query.with_window(0, 0), clock).total

    def counts(self, session: Session, clock: Clock, text: str = "") -> dict[str, int]:
        return exhibits.queue_counts(session, clock, text)

    def stream(
        self, session: Session, query: PageQuery, clock: Clock, *, batch: int = 1000
    ) -> Iterator[ExhibitRow]:
        """Every matching exhibit in the register's order, a batch at a time."""
        offset = 0
        while True:
            page = exhibits.exhibit_page(session, query.with_window(offset, batch), clock)
            yield from page.rows
            offset += len(page.rows)
            if len(page.rows) < batch:
                return

    def build_rows(self, ctx: QueryContext, results: Any) -> list[ExhibitRow]:
        raise NotImplementedError("exhibit pages come from cipco.services.exhibits")


SERVICE = ExhibitService()
SPEC = LogSpec(
    SERVICE,
    columns=(
        Column("reference", "Exhibit", 10, sort=Exhibit.reference),
        Column("type", "Type", 12, sort=Exhibit.exhibit_type, text=_type_text),
        Column("description", "Description", 24, sort=Exhibit.description),
        Column("referrals", "Referral(s)", 14, sort=exhibits.FIRST_REFERRAL),
        Column("holder", "Holder", 18, sort=Exhibit.holder),
        Column("location", "Location", 16, sort=Exhibit.storage_location),
        Column("seal", "Seal", 9, sort=Exhibit.seal_number, attr="seal_number"),
        Column("state", "State", 13, sort=Exhibit.state, text=state_text),
        Column(
            "last_movement", "Days", 5, False, Exhibit.last_movement_at, attr="days_since_movement"
        ),
        Column("review", "Review", 12, sort=Exhibit.review_due_on, text=review_text),
    ),
    queues=tuple(Queue(key, label, _queue(key)) for key, label in exhibits.QUEUES.items()),
    search_hint="Filter: reference, description, holder, seal or location",
    schemas=(ExhibitCreate, None),
    keys=("new", "edit", "open", "move", "export", "import_file"),
    sheets=Sheets(
        "cipco.spreadsheets.exhibits_io:COLUMNS", "cipco.spreadsheets.exhibits_io:FIELDS"
    ),
    done=Done("state", FINAL),
)

__all__ = ["FINAL", "SERVICE", "SPEC", "ExhibitState", "is_final", "review_text", "state_text"]
