"""The crime clinic: clinics, their agenda items, the action log and attendance.

Tables declare columns only; the ``...Create``/``...Update`` schemas validate input.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import BeforeValidator
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from cipco.models.fields import Line, MaybeLine, maybe_required, one_line, required
from cipco.models.labelled import Labelled
from cipco.models.site import SiteScoped
from cipco.models.types import Stamped, UTCDateTime
from cipco.models.vocab import ActionStatus


class ClinicStatus(Labelled):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    IN_PROGRESS = "in_progress", "In progress"
    CLOSED = "closed", "Closed"


CLINIC_STATUS_LABELS: dict[str, str] = ClinicStatus.labels()


class ItemKind(Labelled):
    REFERRAL = "referral", "Referral"
    FREE = "free", "Free"
    ACTION = "action", "Action"
    MG4D = "mg4d", "MG4D"
    EXHIBIT = "exhibit", "Exhibit"
    STATEMENT = "statement", "Statement"
    DISCLAIMER = "disclaimer", "Disclaimer"
    CPS = "cps", "CPS"


ITEM_KIND_LABELS: dict[str, str] = ItemKind.labels()


class Presence(StrEnum):
    PRESENT = "present"
    APOLOGIES = "apologies"


class Clinic(SiteScoped, Stamped, table=True):
    __table_args__ = (Index("uq_clinic_site_held_on", "site", "held_on", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    held_on: date = Field(index=True)
    title: str = "Crime clinic"
    location: str = ""
    status: str = Field(default=ClinicStatus.DRAFT, index=True)
    notes: str = ""
    # When the agenda was last generated: referrals created after it are "new" next time.
    agenda_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    started_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class ClinicAction(SiteScoped, Stamped, table=True):
    """One action agreed at a clinic. It stays open, and is carried, until done or dropped."""

    __tablename__ = "clinic_action"

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = Field(foreign_key="clinic.id", index=True)
    referral_id: int | None = Field(default=None, foreign_key="referral.id", index=True)
    text: str
    owner_name: str = Field(index=True)
    owner_org: str = ""
    due_on: date | None = Field(default=None, index=True)
    status: str = Field(default=ActionStatus.OPEN, index=True)
    status_reason: str | None = None
    done_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    dropped_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    original_columns: list[list[str]] | None = Field(default=None, sa_column=Column(JSON))


class AgendaItem(SiteScoped, Stamped, table=True):
    __tablename__ = "agenda_item"

    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = Field(foreign_key="clinic.id", index=True, ondelete="CASCADE")
    position: int = 0
    kind: str = ItemKind.FREE
    section: str = ""
    title: str
    detail: str = ""
    referral_id: int | None = Field(default=None, foreign_key="referral.id", index=True)
    action_id: int | None = Field(default=None, foreign_key="clinic_action.id", index=True)
    source_id: int | None = None  # the MG4D or exhibit record, for those kinds
    note: str = ""  # the discussion note / decision
    dropped: bool = False
    drop_reason: str | None = None


class Attendance(SiteScoped, table=True):
    id: int | None = Field(default=None, primary_key=True)
    clinic_id: int = Field(foreign_key="clinic.id", index=True, ondelete="CASCADE")
    name: str
    role: str = ""
    organisation: str = ""
    presence: str = Presence.PRESENT


# ------------------------------------------------------------------ input schemas


Title = Annotated[str, required("a title")]
ActionText = Annotated[str, required("the action text")]
Owner = Annotated[str, required("an owner (a person)")]
Section = Annotated[str, BeforeValidator(lambda value: one_line(value) or "Other business")]


class ClinicCreate(SQLModel):
    held_on: date
    title: Line = "Crime clinic"
    location: Line = ""


class ClinicUpdate(SQLModel):
    held_on: date | None = None
    title: MaybeLine = None
    location: MaybeLine = None
    notes: str | None = None


class AgendaItemCreate(SQLModel):
    title: Title
    detail: str = ""
    section: Section = "Other business"
    referral_id: int | None = None


class AgendaItemUpdate(SQLModel):
    title: Annotated[str | None, maybe_required("a title")] = None
    detail: str | None = None
    note: str | None = None


class ClinicActionCreate(SQLModel):
    text: ActionText
    owner_name: Owner
    owner_org: Line = ""
    due_on: date | None = None
    referral_id: int | None = None


class ClinicActionUpdate(SQLModel):
    text: Annotated[str | None, maybe_required("the action text")] = None
    owner_name: Annotated[str | None, maybe_required("an owner (a person)")] = None
    owner_org: str | None = None
    due_on: date | None = None
    referral_id: int | None = None


class AttendanceCreate(SQLModel):
    name: Annotated[str, required("a name")]
    role: Line = ""
    organisation: Line = ""
    presence: Presence = Presence.PRESENT
