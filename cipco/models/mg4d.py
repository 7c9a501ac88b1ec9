"""The MG4D issue log: charge papers received for a prisoner and how they were served.

Service events are append-only: a correction is a new event pointing at the one it corrects.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BeforeValidator, model_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from cipco.models.fields import Aware, Line, MaybeAware, MaybeLine, Notes, one_line, required
from cipco.models.labelled import Labelled
from cipco.models.people import PrisonerIn
from cipco.models.site import SiteScoped
from cipco.models.types import Stamped, UTCDateTime
from cipco.models.vocab import STATE_LABELS, PapersState  # noqa: F401


class Response(Labelled):
    SIGNED = "signed", "Served: signed"
    REFUSED = "refused", "Served: refused to sign"
    # served; the log says not signed (no refusal)
    SERVED_NOT_SIGNED = "served_not_signed", "Served: not signed"
    NOT_SERVED_RELEASED = "not_served_released", "Not served: released"
    NOT_SERVED_TRANSFERRED = "not_served_transferred", "Not served: transferred"
    NOT_SERVED_OTHER = "not_served_other", "Not served: other"


RESPONSE_LABELS: dict[str, str] = Response.labels()
SERVED_RESPONSES = frozenset({Response.SIGNED, Response.REFUSED, Response.SERVED_NOT_SIGNED})


class ChargePapers(SiteScoped, Stamped, table=True):
    __tablename__ = "charge_papers"

    id: int | None = Field(default=None, primary_key=True)
    prisoner_id: int = Field(foreign_key="prisoner.id", index=True)
    referral_id: int | None = Field(default=None, foreign_key="referral.id", index=True)
    crime_ref: str | None = Field(default=None, index=True)
    urn: str | None = Field(default=None, index=True)
    form_label: str = "MG4D"
    charges: str = ""
    court: str = ""
    first_hearing_on: date | None = Field(default=None, index=True)
    received_at: datetime = Field(sa_type=UTCDateTime, index=True)
    received_from: str = ""
    notes: str = ""
    # Denormalised from the latest service event so the queue and sorting run in SQL.
    state: str = Field(default=PapersState.AWAITING, index=True)
    served_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    response: str | None = None
    original_columns: list[list[str]] | None = Field(default=None, sa_column=Column(JSON))


class ServiceEvent(SiteScoped, table=True):
    """One attempt to serve papers, or a correction of an earlier one. Never edited."""

    __tablename__ = "service_event"

    id: int | None = Field(default=None, primary_key=True)
    papers_id: int = Field(foreign_key="charge_papers.id", index=True, ondelete="CASCADE")
    served_at: datetime = Field(sa_type=UTCDateTime)
    served_by: str
    witnessed_by: str = ""
    response: str
    note: str = ""
    copy_returned_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    copy_returned_how: str | None = None
    corrects_event_id: int | None = Field(default=None, foreign_key="service_event.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    actor: str


# ------------------------------------------------------------------ input schemas


FormLabel = Annotated[str, BeforeValidator(lambda value: (one_line(value) or "MG4D").upper())]
Charges = Annotated[str, required("", message="say what the prisoner is charged with", lines=True)]
ServedBy = Annotated[str, required("", message="say who served (or tried to serve) the papers")]


class PapersCreate(SQLModel):
    prisoner: PrisonerIn
    referral_reference: MaybeLine = None  # links to the tracker's referral
    crime_ref: MaybeLine = None
    urn: MaybeLine = None
    form_label: FormLabel = "MG4D"
    charges: Charges
    court: Notes = ""
    first_hearing_on: date | None = None
    received_at: Aware
    received_from: Notes = ""
    notes: Notes = ""


class ServiceCreate(SQLModel):
    served_at: Aware
    served_by: ServedBy
    witnessed_by: Line = ""
    response: Response
    note: Line = ""
    copy_returned_at: MaybeAware = None
    copy_returned_how: MaybeLine = None
    corrects_event_id: int | None = None

    @model_validator(mode="after")
    def _rules(self) -> ServiceCreate:
        if self.response == Response.NOT_SERVED_OTHER and not self.note:
            raise ValueError("note: say why the papers were not served")
        if self.copy_returned_at and self.copy_returned_at < self.served_at:
            raise ValueError("copy_returned_at: the copy went back before the papers were served")
        return self
