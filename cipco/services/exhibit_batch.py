"""New exhibits of an imported log, checked and chained in memory and written in batches.

An exhibit log of ten thousand exhibits is ten thousand seizures and as many collections and
destructions. Recording them one at a time (:func:`exhibit_writes.create_exhibit`,
:func:`exhibit_writes.record_event`) reads the chain, the ledger head and the settings and
flushes for every event. Here an exhibit the file is the first to record is built in memory
with the same functions and the same checks (:func:`exhibit_writes.exhibit_from`,
:func:`exhibit_writes.seizure_fields`, :func:`exhibit_writes.event_fields`,
:func:`exhibit_writes.exhibit_values`), hashed and placed in the custody ledger in the order
the rows are accepted (:mod:`cipco.services.chain_batch`), and written with one insert per
table every :attr:`ExhibitBatch.BATCH` exhibits. A row that fails a check leaves nothing
behind: its exhibit joins the batch only once every event of the row is accepted.

What it reads once per import: the exhibit references already in the file, the ledger head
and the next ids (again after anything is written outside the batch), each referral and
prisoner the rows name, and the review settings.

The audit trail gets one "insert" event per exhibit (and per prisoner created), as every bulk
import writes; the one-at-a-time path also writes the field changes each later event of the
same import makes to the new row (holder, state, counts), which the chain's events record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.db import site_of
from cipco.models.exhibit import (
    EventIn,
    EventKind,
    Exhibit,
    ExhibitCreate,
    ExhibitEvent,
    normalise_reference,
    parent_reference,
)
from cipco.models.people import Prisoner, PrisonerIn
from cipco.models.referral import Referral
from cipco.services import audit, ledger
from cipco.services.chain import derive, header_details, parse_details, stored_instant
from cipco.services.chain_batch import Attributes, LedgerBook, new_event, write_chains
from cipco.services.exhibit_writes import (
    check_time,
    event_fields,
    exhibit_from,
    exhibit_values,
    parent_missing,
    reference_taken,
    review_settings,
    seizure_fields,
    unknown_referral,
)
from cipco.services.flags import CLOSED_STATUSES
from cipco.services.id_blocks import IdBlock
from cipco.services.prisoners import upsert_prisoner

CLOSED = frozenset(status.value for status in CLOSED_STATUSES)
NO_EVENTS = derive([])


class Draft:
    """One new exhibit being replayed: its row and its events, not yet in the batch."""

    def __init__(
        self, batch: ExhibitBatch, row: dict[str, Any], referrals: list[tuple[int, str, str]]
    ) -> None:
        self.batch = batch
        self.row = row
        self.reference: str = row["reference"]
        self.view = Attributes(row)
        self.events: list[dict[str, Any]] = []
        self.rows: list[list[Any]] = []  # the events in chain.ROW_FIELDS order
        self.details: list[Any] = []
        self.referrals = referrals  # (id, reference, status)
        self.derived = NO_EVENTS  # until the seizure is appended (replaced, never changed)
        self.prisoner: PrisonerIn | None = None

    @property
    def holder(self) -> str:
        return str(self.row["holder"])

    def chain(self) -> list[tuple[str, str | None, datetime]]:
        """(kind, reason, happened at) of each event so far, as the import reads a chain."""
        return [(e["kind"], e["reason"], e["happened_at"]) for e in self.events]

    def append(self, fields: dict[str, Any], header: dict[str, Any] | None = None) -> None:
        """Add an event. A seizure gives its ``header``, whose ``canonical_json`` text is
        the event's detail: hashed as that text, folded as the header (not parsed back)."""
        batch = self.batch
        details = header if header is not None else parse_details(fields.get("details"))
        event = new_event(
            self.events,
            fields,
            event_id=-1 - len(self.events),  # its id and its exhibit's are given when kept
            exhibit_id=0,
            reference=self.reference,
            happened_at=fields["happened_at"],
            recorded_at=batch.recorded_at,
            recorded_by=batch.actor,
            site=batch.site,
            row_out=self.rows,
            details=details,
            canonical_detail=header is not None,
        )
        event["site"] = batch.site
        self.events.append(event)
        self.details.append(details)
        # the names in the chain are only read to check a destruction's witness (record)
        self.derived = derive(self.rows, self.details, names=False)
        self.row.update(exhibit_values(self.view, self.derived, *batch.review))
        self.row["updated_at"] = batch.now

    def record(self, data: EventIn) -> None:
        """A hand-over, dissemination, return or destruction, after the service's checks."""
        derived = self.derived
        if data.kind == EventKind.DESTRUCTION:
            derived = derive(self.rows, self.details)  # with every name that held it
        self.append(event_fields(self.view, derived, data, self.batch.clock, self._open_referrals))

    def _open_referrals(self) -> list[str]:
        return sorted({ref for _id, ref, status in self.referrals if status not in CLOSED})


class ExhibitBatch:
    """New exhibits waiting to be written (see the module docstring)."""

    BATCH = 2000

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.now = clock.now()
        self.recorded_at = stored_instant(self.now)  # as stored and hashed: converted once
        self.actor = audit.actor_of(session)
        self.site = site_of(session.get_bind())
        self.review = review_settings(session)
        self.known: dict[str, int] = {
            reference: exhibit_id
            for reference, exhibit_id in session.execute(select(Exhibit.reference, Exhibit.id))
        }
        # every column of an exhibit row with its default (as a new model has it)
        self.defaults = {
            name: field.get_default(call_default_factory=True)
            for name, field in Exhibit.model_fields.items()
        }
        self.referrals: dict[str, tuple[int, str, str] | None] = {}
        self.prisoners: dict[str, tuple[int | None, str | None]] = {}
        self.exhibits: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.rows: list[list[Any]] = []  # the events in chain.ROW_FIELDS order
        self.details: list[Any] = []
        self.links: list[dict[str, Any]] = []
        self._book: LedgerBook | None = None
        # the tables' own ids (on PostgreSQL no other site's login is given them)
        self.exhibit_ids = IdBlock(session, Exhibit, self.BATCH)
        self.event_ids = IdBlock(session, ExhibitEvent, 2 * self.BATCH)

    def is_new(self, reference: str) -> bool:
        """True if no exhibit with this reference is in the file or the batch."""
        return normalise_reference(reference) not in self.known

    # ------------------------------------------------------------------ reads, cached

    @property
    def book(self) -> LedgerBook:
        """The ledger as the batch continues it; read when first needed and again after
        anything else wrote to the file (:meth:`written_elsewhere`)."""
        if self._book is None:
            self._book = LedgerBook(ledger.head(self.session, self.site), self.site)
        return self._book

    def written_elsewhere(self) -> None:
        """Write the batch, and read the ledger and reserve ids again before the next
        exhibit: the one-at-a-time path is about to record events."""
        self.flush()
        self.exhibit_ids.release()
        self.event_ids.release()
        self._book = None

    def _referral(self, ref: str) -> tuple[int, str, str]:
        key = ref.strip().upper()
        if key not in self.referrals:
            row = self.session.execute(
                select(Referral.id, Referral.reference, Referral.status).where(
                    func.upper(Referral.reference) == key
                )
            ).first()
            self.referrals[key] = (row[0], row[1], row[2]) if row is not None else None
        found = self.referrals[key]
        if found is None:
            raise unknown_referral(ref)
        return found

    def _prisoner(self, nomis: str) -> tuple[int | None, str | None]:
        if nomis not in self.prisoners:
            row = self.session.execute(
                select(Prisoner.id, Prisoner.name).where(Prisoner.nomis_number == nomis)
            ).first()
            self.prisoners[nomis] = (row[0], row[1]) if row is not None else (None, None)
        return self.prisoners[nomis]

    # ------------------------------------------------------------------ one exhibit

    def seize(self, data: ExhibitCreate) -> Draft:
        """A new exhibit and its seizure, checked as :func:`exhibit_writes.create_exhibit`
        checks it; raises :class:`ExhibitError` (nothing is kept until :meth:`keep`)."""
        self.book  # noqa: B018 (the ledger, read once)
        # the schema's reference is normalised already (validate_reference)
        if data.reference in self.known:
            raise reference_taken(data.reference)
        parent_id = None
        parent_ref = parent_reference(data.reference)
        if parent_ref is not None:
            parent_id = self.known.get(parent_ref)
            if parent_id is None:
                raise parent_missing(data.reference, parent_ref)
        check_time(data.seized_at, self.clock, None)
        referrals: list[tuple[int, str, str]] = []
        for ref in data.referral_refs:
            found = self._referral(ref)
            if found not in referrals:
                referrals.append(found)
        prisoner = PrisonerIn(nomis_number=data.found_on) if data.found_on else None
        found_on_name = None
        if prisoner is not None:
            found_on_name = self._prisoner(prisoner.nomis_number)[1] or None
        row = {**self.defaults}
        row.update(exhibit_from(data, parent_id=parent_id, prisoner_id=None, clock=self.clock))
        row["site"] = self.site  # stamped here, so the insert need not copy every row
        draft = Draft(self, row, referrals)
        draft.prisoner = prisoner
        header = header_details(
            draft.view,
            parent=parent_ref,
            found_on=prisoner.nomis_number if prisoner is not None else None,
            found_on_name=found_on_name,
            referrals=[ref for _id, ref, _status in referrals],
        )
        draft.append(seizure_fields(data, parent_ref, header), header)
        return draft

    def keep(self, draft: Draft) -> None:
        """Add an exhibit whose every event was accepted to the batch (ids and ledger
        positions are taken now, in the order exhibits are kept)."""
        book = self.book
        row = draft.row
        exhibit_id = row["id"] = self.exhibit_ids.take()
        given: dict[int, int] = {}
        for event in draft.events:
            given[event["id"]] = event["id"] = self.event_ids.take()
            event["exhibit_id"] = exhibit_id
            if event["corrects_event_id"] is not None:
                event["corrects_event_id"] = given[event["corrects_event_id"]]
        if draft.prisoner is not None:
            nomis = draft.prisoner.nomis_number
            prisoner_id = self._prisoner(nomis)[0]
            if prisoner_id is None:
                created = upsert_prisoner(self.session, draft.prisoner, self.clock)
                prisoner_id = created.id
                self.prisoners[nomis] = (prisoner_id, created.name)
            row["found_on_prisoner_id"] = prisoner_id
        for event in draft.events:
            book.place(event, draft.reference)
        self.exhibits.append(row)
        self.events.extend(draft.events)
        self.links.extend(
            {"exhibit_id": row["id"], "referral_id": referral_id}
            for referral_id, _ref, _status in draft.referrals
        )
        self.known[draft.reference] = exhibit_id
        if len(self.exhibits) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        """Write the waiting exhibits, their links and events, and their audit events."""
        if not self.exhibits:
            return
        ids = [row["id"] for row in self.exhibits]
        write_chains(self.session.connection(), self.exhibits, self.events, self.links)
        audit.bulk_inserted(self.session, Exhibit.__tablename__, ids, self.now)  # type: ignore[arg-type]
        self.exhibits.clear()
        self.events.clear()
        self.links.clear()
