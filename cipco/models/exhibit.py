"""The exhibit continuity log: exhibits, their referral links and append-only events.

``ExhibitEvent`` rows are never updated or deleted: a mistake is fixed by a correction event
that points at the original. Each event stores the hash of the previous event of the same
exhibit (see ``cipco.services.chain``). The exhibit row holds the header plus state derived
from its events (holder, state, seal, counts), stored so lists filter and sort in SQL.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import field_validator, model_validator
from sqlalchemy import JSON, Column, Index, Integer
from sqlmodel import Field, SQLModel

from cipco.models.fields import Aware, MaybeAware, MaybeLine, maybe_line
from cipco.models.labelled import Labelled
from cipco.models.people import checked_code, normalise_nomis, validate_nomis
from cipco.models.site import SiteScoped
from cipco.models.types import Stamped, UTCDateTime
from cipco.models.vocab import ExhibitType


class ExhibitState(Labelled):
    HELD = "held", "Held by us"
    WITH_POLICE = "with_police", "With police"
    AT_LAB = "at_lab", "At lab"
    IN_TRANSIT = "in_transit", "With courier"
    AT_COURT = "at_court", "At court"
    RETURNED = "returned", "Returned"
    DISSEMINATED = "disseminated", "Disseminated"
    DESTROYED = "destroyed", "Destroyed"


STATE_LABELS: dict[str, str] = ExhibitState.labels()
FINAL_STATES = frozenset({ExhibitState.RETURNED, ExhibitState.DISSEMINATED, ExhibitState.DESTROYED})


class EventKind(StrEnum):
    SEIZURE = "seizure"
    MOVEMENT = "movement"
    CORRECTION = "correction"
    DISSEMINATION = "dissemination"
    RETURN = "return"
    DESTRUCTION = "destruction"
    # record events: a change to what the continuity record shows, not a hand-over
    HOLD = "hold"  # hold set or lifted (details {"hold": bool}; note = the reason)
    LINK = "link"  # linked to a referral (details {"referral": reference})
    UPGRADE = "upgrade"  # the record moved to hash form 2 (migration 0006)


CUSTODY_KINDS = frozenset(
    {
        EventKind.SEIZURE,
        EventKind.MOVEMENT,
        EventKind.DISSEMINATION,
        EventKind.RETURN,
        EventKind.DESTRUCTION,
    }
)

RECORD_KINDS = frozenset({EventKind.HOLD, EventKind.LINK, EventKind.UPGRADE})


class HolderKind(StrEnum):
    STAFF = "staff"  # a prison user
    POLICE = "police"
    LAB = "lab"
    COURIER = "courier"
    COURT = "court"
    OWNER = "owner"


class Reason(StrEnum):
    STORAGE = "storage"
    EXAMINATION = "examination"
    POLICE_COLLECTION = "police_collection"
    COURT = "court"
    RETURN = "return"
    OTHER = "other"


REFERENCE_RE = re.compile(r"^[A-Z]{1,5}/[0-9]{1,6}(/[0-9]{1,4})*$")


normalise_reference = normalise_nomis  # spaces dropped, upper-cased: ' js / 1 ' -> 'JS/1'


def validate_reference(value: str) -> str:
    return checked_code(
        value,
        REFERENCE_RE,
        "an exhibit reference: expected initials / number, e.g. JS/1 or a sub-exhibit JS/1/1",
    )


def parent_reference(reference: str) -> str | None:
    """``JS/1/1`` -> ``JS/1``; ``JS/1`` -> None."""
    parts = reference.split("/")
    return "/".join(parts[:-1]) if len(parts) > 2 else None


class Exhibit(SiteScoped, Stamped, table=True):
    __table_args__ = (Index("uq_exhibit_site_reference", "site", "reference", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(index=True)
    parent_id: int | None = Field(default=None, foreign_key="exhibit.id", index=True)
    exhibit_type: str = Field(index=True)
    description: str
    # CCTV / BWV / digital
    system: str | None = None
    camera_id: str | None = None
    officer: str | None = None
    clip_start: datetime | None = Field(default=None, sa_type=UTCDateTime)
    clip_end: datetime | None = Field(default=None, sa_type=UTCDateTime)
    export_medium: str | None = None
    file_sha256: str | None = None
    # physical
    quantity: str | None = None
    weight: str | None = None
    where_found: str | None = None
    found_on_prisoner_id: int | None = Field(default=None, foreign_key="prisoner.id", index=True)
    list_class: str | None = None  # prohibited item list A / B / C
    # seizure
    seized_by: str
    seized_at: datetime = Field(sa_type=UTCDateTime)
    hold: bool = False
    hold_reason: str | None = None
    collection_requested_on: date | None = None
    # derived from the events, stored for SQL filters and sorting
    seal_number: str | None = None
    storage_location: str | None = None
    holder: str
    holder_kind: str = HolderKind.STAFF
    state: str = Field(default=ExhibitState.HELD, index=True)
    last_movement_at: datetime = Field(sa_type=UTCDateTime, index=True)
    review_due_on: date | None = Field(default=None, index=True)
    discrepancy_count: int = 0
    event_count: int = 0
    head_hash: str = ""
    original_columns: list[list[str]] | None = Field(default=None, sa_column=Column(JSON))


class ExhibitReferral(SiteScoped, table=True):
    __tablename__ = "exhibit_referral"

    exhibit_id: int = Field(foreign_key="exhibit.id", primary_key=True, ondelete="CASCADE")
    referral_id: int = Field(
        foreign_key="referral.id", primary_key=True, index=True, ondelete="CASCADE"
    )


class ExhibitEvent(SiteScoped, table=True):
    """One event in an exhibit's chain. Append-only; hashed with the previous event.

    ``form`` is the canonical form the hash was computed in (1: before migration 0006; 2 now,
    see ``cipco.services.chain``); ``hash_site`` the site it was hashed with ("" while the
    file's prison was unassigned). ``ledger_seq``/``ledger_hash`` place the event in the
    site's custody ledger (one running digest over every event in recorded order) and
    ``ledger_prev`` names the entry before it, so a removed event is named by its successor.
    """

    __tablename__ = "exhibit_event"
    __table_args__ = (
        Index("ix_exhibit_event_exhibit_seq", "exhibit_id", "seq", unique=True),
        Index("uq_exhibit_event_site_ledger", "site", "ledger_seq", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    exhibit_id: int = Field(foreign_key="exhibit.id")
    seq: int
    kind: str
    from_name: str | None = None
    from_kind: str | None = None
    to_name: str | None = None
    to_kind: str | None = None
    to_collar: str | None = None
    to_force: str | None = None
    to_org: str | None = None  # lab, courier firm, court
    happened_at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    recorded_by: str
    reason: str | None = None
    location: str | None = None
    seal_number: str | None = None  # seal number on receipt
    seal_intact: bool | None = None
    new_seal_number: str | None = None  # resealed after examination
    discrepancy: str | None = None
    corrected_happened_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    corrects_event_id: int | None = Field(default=None, foreign_key="exhibit_event.id")
    authority: str | None = None
    witness: str | None = None
    note: str | None = None
    details: str | None = None  # canonical JSON: the header at seizure, a hold, a link
    prev_hash: str
    hash: str
    form: int = Field(default=2, sa_column=Column(Integer, nullable=False, server_default="1"))
    hash_site: str = Field(default="", max_length=8, sa_column_kwargs={"server_default": ""})
    ledger_seq: int | None = None
    ledger_hash: str | None = None
    ledger_prev: str | None = None


# ------------------------------------------------------------------ input schemas


def _required_text(value: Any, message: str) -> str:
    cleaned = maybe_line(value) if isinstance(value, str) or value is None else value
    if not cleaned:
        raise ValueError(message)
    return str(cleaned)


def required_text(*fields: str, message: str) -> Any:
    """A schema's validator: each of ``fields`` must be text on one line, refused with
    ``message`` when blank (``_from = required_text("from_name", message="is required")``)."""

    def check(cls: Any, value: Any) -> str:
        return _required_text(value, message)

    return field_validator(*fields, mode="before")(classmethod(check))


class ExhibitCreate(SQLModel):
    reference: str
    exhibit_type: ExhibitType
    description: str
    system: MaybeLine = None
    camera_id: MaybeLine = None
    officer: MaybeLine = None
    clip_start: MaybeAware = None
    clip_end: MaybeAware = None
    export_medium: MaybeLine = None
    file_sha256: MaybeLine = None
    quantity: MaybeLine = None
    weight: MaybeLine = None
    where_found: MaybeLine = None
    found_on: MaybeLine = None  # NOMIS number
    list_class: MaybeLine = None
    seized_by: str
    seized_at: Aware
    seal_number: MaybeLine = None
    storage_location: MaybeLine = None
    referral_refs: list[str] = []
    hold: bool = False
    hold_reason: MaybeLine = None
    awaiting_collection: bool = False

    @field_validator("reference")
    @classmethod
    def _reference(cls, value: str) -> str:
        return validate_reference(value)

    _required = required_text("description", "seized_by", message="is required")

    @field_validator("found_on")
    @classmethod
    def _nomis(cls, value: str | None) -> str | None:
        return validate_nomis(value) if value else None

    @field_validator("list_class")
    @classmethod
    def _list(cls, value: str | None) -> str | None:
        if value is None:
            return None
        cleaned = value.upper().removeprefix("LIST").strip()
        if cleaned not in ("A", "B", "C"):
            raise ValueError(f"'{value}' is not a prohibited item list: expected A, B or C")
        return cleaned

    @field_validator("file_sha256")
    @classmethod
    def _sha(cls, value: str | None) -> str | None:
        if value is None:
            return None
        cleaned = value.lower()
        if not re.fullmatch(r"[0-9a-f]{64}", cleaned):
            raise ValueError("a SHA-256 is 64 hexadecimal characters (cipco hash FILE prints it)")
        return cleaned

    @field_validator("referral_refs", mode="before")
    @classmethod
    def _refs(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = [v for v in re.split(r"[,;\s]+", value) if v]
        return value

    @model_validator(mode="after")
    def _order(self) -> ExhibitCreate:
        if self.clip_start and self.clip_end and self.clip_end < self.clip_start:
            raise ValueError("clip_end: the clip ends before it starts")
        return self


class EventIn(SQLModel):
    """A movement, dissemination, return or destruction as typed in."""

    kind: EventKind = EventKind.MOVEMENT
    from_name: str
    to_name: MaybeLine = None
    to_kind: HolderKind = HolderKind.STAFF
    to_collar: MaybeLine = None
    to_force: MaybeLine = None
    to_org: MaybeLine = None
    happened_at: Aware
    reason: Reason | None = None
    location: MaybeLine = None
    seal_number: MaybeLine = None
    seal_intact: bool | None = None
    new_seal_number: MaybeLine = None
    authority: MaybeLine = None
    witness: MaybeLine = None
    note: MaybeLine = None

    _from = required_text("from_name", message="is required: who handed the exhibit over")

    @model_validator(mode="after")
    def _rules(self) -> EventIn:
        if self.kind in (EventKind.SEIZURE, EventKind.CORRECTION):
            raise ValueError("kind: use the seizure or correction forms for those")
        if self.kind != EventKind.DESTRUCTION and not self.to_name:
            raise ValueError("to_name: is required: who received the exhibit")
        if self.kind == EventKind.DISSEMINATION:
            self.to_kind = HolderKind.POLICE
            if not self.to_collar:
                raise ValueError("to_collar: dissemination needs the receiving officer's collar")
            if not self.to_force:
                raise ValueError("to_force: dissemination needs the receiving officer's force")
        if self.kind == EventKind.RETURN:
            self.to_kind = HolderKind.OWNER
            self.reason = Reason.RETURN
        if self.kind == EventKind.DESTRUCTION:
            if not self.authority:
                raise ValueError("authority: destruction needs an authority")
            if not self.witness:
                raise ValueError("witness: destruction needs a witness")
        if self.to_kind == HolderKind.POLICE and self.kind == EventKind.MOVEMENT:
            if not self.to_collar:
                raise ValueError("to_collar: a police receiver needs a collar number")
            if not self.to_force:
                raise ValueError("to_force: a police receiver needs a force")
        return self


class CorrectionIn(SQLModel):
    """Corrects one earlier event; only the fields given are corrected."""

    corrects_event_id: int
    note: str
    to_name: MaybeLine = None
    to_kind: HolderKind | None = None
    to_collar: MaybeLine = None
    to_force: MaybeLine = None
    to_org: MaybeLine = None
    happened_at: MaybeAware = None
    reason: Reason | None = None
    location: MaybeLine = None
    seal_number: MaybeLine = None
    new_seal_number: MaybeLine = None

    _note = required_text("note", message="is required: say what was wrong")
