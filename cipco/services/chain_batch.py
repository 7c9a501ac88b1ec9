"""Exhibit chains built in memory and written in batches (demo data, imported logs).

The events are the ones the services append one at a time (``exhibit_writes``): hashed in
form 2 by :func:`chain.event_hash`, then placed in the site's custody ledger in the order they
are accepted (:class:`LedgerBook`, the same digest as :func:`ledger.link`), so ``cipco
verify`` cannot tell them apart. What differs is the writing: rows are dicts with explicit
ids, inserted with one executemany per table (:func:`write_chains`), with instants as the
text the typed columns store (:func:`stored_exhibit`, :func:`stored_event`).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime
from operator import itemgetter
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Connection,
    Date,
    Integer,
    MetaData,
    String,
    Table,
)

from cipco.db import insert_many
from cipco.models.exhibit import EventKind, Exhibit, ExhibitEvent, ExhibitReferral
from cipco.models.types import UTCDateTime
from cipco.services import ledger
from cipco.services.chain import (
    FORM,
    GENESIS,
    I_HASH,
    ROW_FIELDS,
    canonical_v2,
    digest,
    stored_instant,
)

EVENT_FIELDS = [name for name in ExhibitEvent.model_fields if name != "id"]
_IN_ROW_ORDER = itemgetter(*ROW_FIELDS)  # an event dict's values in chain.ROW_FIELDS order
NOT_MOVEMENTS = frozenset(
    {
        EventKind.CORRECTION.value,
        EventKind.HOLD.value,
        EventKind.LINK.value,
        EventKind.UPGRADE.value,
    }
)


class LedgerBook:
    """The site's custody ledger as a batch appends to it."""

    def __init__(self, head: ledger.Head, site: str) -> None:
        self.position = head.position
        self.digest = head.digest
        self.key = head.key
        self.site = site

    def place(self, event: dict[str, Any], reference: str) -> None:
        self.position += 1
        self.digest = ledger.link(self.digest, reference, event["seq"], event["hash"])
        event["ledger_seq"] = self.position
        event["ledger_hash"] = self.digest
        event["ledger_prev"] = self.key
        self.key = ledger.entry_key(reference, event["seq"])


def new_event(
    events: Sequence[dict[str, Any]],
    fields: dict[str, Any],
    *,
    event_id: int,
    exhibit_id: int,
    reference: str,
    happened_at: datetime | str,
    recorded_at: datetime | str,
    recorded_by: str,
    site: str,
    row_out: list[list[Any]] | None = None,
    details: Any = None,
    canonical_detail: bool = False,
) -> dict[str, Any]:
    """The next event of a chain (``events``, oldest first), numbered and hashed in form 2;
    ``row_out`` gets it in ``chain.ROW_FIELDS`` order too (what :func:`chain.derive` reads).
    ``details`` is the JSON detail in ``fields`` already parsed, if the caller has it;
    ``canonical_detail`` says the detail text is :func:`chain.canonical_json`'s own (as
    ``seizure_fields`` writes it), hashed as it is instead of encoded again.

    Not placed in the ledger: :meth:`LedgerBook.place` does that once the event is kept.
    """
    base: dict[str, Any] = dict.fromkeys(EVENT_FIELDS)
    base.update(fields)
    base["id"] = event_id
    base["exhibit_id"] = exhibit_id
    base["seq"] = len(events) + 1
    base["happened_at"] = happened_at
    base["recorded_at"] = recorded_at
    base["recorded_by"] = recorded_by
    prev = events[-1]["hash"] if events else GENESIS
    base["prev_hash"] = prev
    base["form"] = FORM
    base["hash_site"] = site
    corrects = None
    if base["corrects_event_id"] is not None:
        target = next(e for e in events if e["id"] == base["corrects_event_id"])
        corrects = (reference, target["seq"])
    row = list(_IN_ROW_ORDER(base))  # event_row(base): every field is in base
    text = canonical_v2(row, reference, corrects, details, stored_detail=canonical_detail)
    base["hash"] = row[I_HASH] = digest(text, prev)
    if row_out is not None:
        row_out.append(row)
    return base


def _raw_table(model: Any) -> Table:
    """The same table with instants and dates as plain text columns and booleans as
    integers, for bulk inserts.

    Values are written exactly as the typed columns store them (``stored_instant``, 1/0),
    which skips per-value type processing for a few hundred thousand rows.
    """
    source: Table = model.__table__

    def raw(column: Column[Any]) -> Any:
        if isinstance(column.type, UTCDateTime | Date | JSON):
            return String  # JSON as the text its column type would write (stored_exhibit)
        if isinstance(column.type, Boolean):
            return Integer  # stored as 1/0 either way; no per-value processing
        return column.type

    columns = [Column(c.name, raw(c)) for c in source.columns]
    return Table(source.name, MetaData(), *columns)


EXHIBIT_RAW = _raw_table(Exhibit)
EVENT_RAW = _raw_table(ExhibitEvent)


class Attributes:
    """A row dict read by attribute, as ``header_details`` and the service checks read an
    exhibit; the dict is the object's own, so it follows later changes to it."""

    def __init__(self, row: dict[str, Any]) -> None:
        self.__dict__ = row


_EXHIBIT_INSTANTS = (
    "clip_start",
    "clip_end",
    "seized_at",
    "last_movement_at",
    "created_at",
    "updated_at",
)
_EXHIBIT_DATES = ("review_due_on", "collection_requested_on")
_EVENT_INSTANTS = ("happened_at", "recorded_at", "corrected_happened_at")


def _as_stored(row: dict[str, Any], keys: Sequence[str], seen: dict[Any, str]) -> None:
    """The instants of ``row`` named by ``keys`` as stored text, in place (text is left as
    it is; ``seen`` remembers values already converted: a batch shares its "now")."""
    for key in keys:
        value = row[key]
        if value is not None:
            text = seen.get(value)
            if text is None:
                text = seen[value] = stored_instant(value)
            row[key] = text


def stored_exhibit(row: dict[str, Any], seen: dict[Any, str] | None = None) -> dict[str, Any]:
    """An exhibit row with its instants and dates as stored text and its original columns
    as JSON text, as the typed columns store them (in place)."""
    _as_stored(row, _EXHIBIT_INSTANTS, {} if seen is None else seen)
    for key in _EXHIBIT_DATES:
        if row[key] is not None:
            row[key] = row[key].isoformat()
    kept = row.get("original_columns")
    if kept is not None and not isinstance(kept, str):
        row["original_columns"] = json.dumps(kept)  # what the JSON column type writes
    return row


def stored_event(row: dict[str, Any], seen: dict[Any, str] | None = None) -> dict[str, Any]:
    """An event row with its instants as stored text (in place)."""
    _as_stored(row, _EVENT_INSTANTS, {} if seen is None else seen)
    return row


def write_chains(
    connection: Connection,
    exhibits: list[dict[str, Any]],
    events: list[dict[str, Any]],
    links: list[dict[str, Any]],
) -> None:
    """Insert exhibit rows, their referral links and their events (one executemany each)."""
    seen: dict[Any, str] = {}
    if exhibits:
        insert_many(connection, EXHIBIT_RAW, [stored_exhibit(r, seen) for r in exhibits])
    if links:
        insert_many(connection, ExhibitReferral.__table__, links)  # type: ignore[attr-defined]
    if events:
        insert_many(connection, EVENT_RAW, [stored_event(r, seen) for r in events])
