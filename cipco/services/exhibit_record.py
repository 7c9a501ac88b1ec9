"""One exhibit's continuity record as the chain records it: header, custody now, timeline.

Everything the record shows comes from the hashed events (the header hashed at seizure or at
the form-2 upgrade, holds and referral links recorded as events, custody folded from the
hand-overs), never from the exhibit row, so a row edited outside cipco cannot reach a
printed continuity record; ``cipco verify`` reports such a row. Working flags (open
referrals, awaiting collection, review date) are shown beside it but are not part of it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from cipco.clock import Clock, to_london
from cipco.models.exhibit import (
    RECORD_KINDS,
    EventKind,
    Exhibit,
    ExhibitEvent,
    ExhibitState,
    HolderKind,
)
from cipco.models.people import Prisoner
from cipco.services.chain import derive, parse_details
from cipco.services.exhibits import (
    BACKDATED_AFTER,
    KIND_LABELS,
    REASON_LABELS,
    _events,
    _referral_refs,
    event_rows,
    get_exhibit,
    open_referrals,
)


@dataclass(frozen=True)
class TimelineEntry:
    id: int
    seq: int
    kind: str
    label: str
    from_name: str
    to_name: str
    to_detail: str
    happened_at: datetime
    recorded_at: datetime
    recorded_by: str
    backdated: bool
    reason: str
    location: str
    seal_number: str
    seal_intact: bool | None
    new_seal_number: str
    discrepancy: str
    corrects_seq: int | None
    corrected_by: tuple[int, ...]
    authority: str
    witness: str
    note: str
    hash: str
    custody: bool = True  # a hand-over or disposal, not a record event (hold, link, upgrade)

    @property
    def correctable(self) -> bool:
        return self.custody and self.kind != EventKind.CORRECTION


@dataclass(frozen=True)
class ExhibitDetail:
    """One exhibit as its continuity record shows it: everything here comes from its chain
    (the hashed events), except the working flags (open referrals, awaiting collection,
    review date) which are not part of the record."""

    id: int
    reference: str
    parent_reference: str | None
    exhibit_type: str
    description: str
    fields: list[tuple[str, str]]
    referrals: list[str]
    open_referrals: list[str]
    holder: str
    holder_kind: str
    state: str
    seal_number: str
    storage_location: str
    hold: bool
    hold_reason: str
    awaiting_collection: bool
    review_due_on: date | None
    discrepancy_count: int
    timeline: list[TimelineEntry]
    version: int


def _when(value: datetime | str | None) -> str:
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return f"{to_london(value):%d/%m/%Y %H:%M}" if value else ""


def _record_note(event: ExhibitEvent) -> str:
    """What a hold, link or upgrade event says, in words."""
    details = parse_details(event.details)
    details = details if isinstance(details, dict) else {}
    if event.kind == EventKind.HOLD:
        if details.get("hold"):
            return f"Hold set: {event.note or 'no reason given'}"
        return "Hold lifted" + (f": {event.note}" if event.note else "")
    if event.kind == EventKind.LINK:
        return f"Linked to referral {details.get('referral', '?')}"
    if event.kind == EventKind.UPGRADE:
        return (
            "Hash form 2 from here: the header, hold and referral links as they stood are "
            "now inside the chain"
        )
    return event.note or ""


def _timeline(events: list[ExhibitEvent]) -> list[TimelineEntry]:
    seq_of = {e.id: e.seq for e in events}
    corrected_by: dict[int, list[int]] = {}
    for e in events:
        if e.corrects_event_id is not None:
            corrected_by.setdefault(e.corrects_event_id, []).append(e.seq)
    timeline = []
    for e in events:
        custody = e.kind not in RECORD_KINDS
        detail = ", ".join(
            part
            for part in (
                f"collar {e.to_collar}" if e.to_collar else "",
                e.to_force or "",
                e.to_org or "",
                e.to_kind if e.to_kind and e.to_kind != HolderKind.STAFF else "",
            )
            if part
        )
        try:
            label = KIND_LABELS.get(EventKind(e.kind), e.kind)
        except ValueError:
            label = e.kind
        timeline.append(
            TimelineEntry(
                id=e.id or 0,
                seq=e.seq,
                kind=e.kind,
                label=label,
                from_name=e.from_name or "",
                to_name=e.to_name or "",
                to_detail=detail,
                happened_at=e.happened_at,
                recorded_at=e.recorded_at,
                recorded_by=e.recorded_by,
                backdated=e.recorded_at - e.happened_at > BACKDATED_AFTER,
                reason=REASON_LABELS.get(e.reason or "", e.reason or ""),
                location=e.location or "",
                seal_number=e.seal_number or "",
                seal_intact=e.seal_intact,
                new_seal_number=e.new_seal_number or "",
                discrepancy=e.discrepancy or "",
                corrects_seq=seq_of.get(e.corrects_event_id) if e.corrects_event_id else None,
                corrected_by=tuple(corrected_by.get(e.id or 0, [])),
                authority=e.authority or "",
                witness=e.witness or "",
                note=e.note or "" if custody else _record_note(e),
                hash=e.hash,
                custody=custody,
            )
        )
    return timeline


def exhibit_detail(session: Session, exhibit_id: int, clock: Clock) -> ExhibitDetail:
    """The exhibit as its chain records it (see :class:`ExhibitDetail`)."""
    exhibit = get_exhibit(session, exhibit_id)
    events = _events(session, exhibit_id)
    derived = derive(event_rows(events))
    header = derived.header

    def hashed(key: str, stored: Any) -> Any:
        return header.get(key, stored)

    nomis = hashed("found_on", None)
    name = hashed("found_on_name", None)
    if "found_on" not in header and exhibit.found_on_prisoner_id:
        prisoner = session.get(Prisoner, exhibit.found_on_prisoner_id)
        nomis, name = (prisoner.nomis_number, prisoner.name) if prisoner else (None, None)
    fields = [
        (label, str(value))
        for label, value in (
            ("System", hashed("system", exhibit.system)),
            ("Camera", hashed("camera_id", exhibit.camera_id)),
            ("Officer", hashed("officer", exhibit.officer)),
            ("Clip start", _when(hashed("clip_start", exhibit.clip_start))),
            ("Clip end", _when(hashed("clip_end", exhibit.clip_end))),
            ("Export medium", hashed("export_medium", exhibit.export_medium)),
            ("SHA-256", hashed("file_sha256", exhibit.file_sha256)),
            ("Quantity", hashed("quantity", exhibit.quantity)),
            ("Weight", hashed("weight", exhibit.weight)),
            ("Where found", hashed("where_found", exhibit.where_found)),
            ("Found on", f"{nomis} {name or ''}".strip() if nomis else None),
            ("List", hashed("list_class", exhibit.list_class)),
            ("Seized by", derived.seized_by),
            ("Seized at", _when(derived.seized_at)),
        )
        if value
    ]
    parent = hashed("parent", None)
    if "parent" not in header and exhibit.parent_id:
        parent_row = session.get(Exhibit, exhibit.parent_id)
        parent = parent_row.reference if parent_row else None
    referrals = (
        derived.referrals
        if "referrals" in header
        else _referral_refs(session, [exhibit_id]).get(exhibit_id, [])
    )
    hold = derived.hold if "hold" in header else exhibit.hold
    hold_reason = derived.hold_reason if "hold" in header else exhibit.hold_reason
    return ExhibitDetail(
        id=exhibit.id or 0,
        reference=hashed("reference", exhibit.reference),
        parent_reference=parent,
        exhibit_type=hashed("type", exhibit.exhibit_type),
        description=hashed("description", exhibit.description),
        fields=fields,
        referrals=referrals,
        open_referrals=open_referrals(session, exhibit_id),
        holder=derived.holder,
        holder_kind=derived.holder_kind,
        state=derived.state,
        seal_number=derived.seal_number or "",
        storage_location=derived.storage_location or "",
        hold=hold,
        hold_reason=hold_reason or "",
        awaiting_collection=bool(
            exhibit.collection_requested_on and exhibit.state == ExhibitState.HELD
        ),
        review_due_on=exhibit.review_due_on,
        discrepancy_count=derived.discrepancy_count,
        timeline=_timeline(events),
        version=exhibit.version,
    )
