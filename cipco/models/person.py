"""Persons of interest: SOC banding, NOMIS-style alerts, ancillary orders, associations and
Band 1 custody trigger events.

Tables declare columns only; the ``*Create`` schemas validate input.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, model_validator
from sqlalchemy import JSON, Column
from sqlmodel import Field, SQLModel

from cipco.models.fields import Aware, MaybeLine, Notes, blank_to_none, required
from cipco.models.labelled import Labelled
from cipco.models.people import PrisonerIn
from cipco.models.site import SiteScoped
from cipco.models.types import Stamped, UTCDateTime
from cipco.models.vocab import StartRule, TriggerKind


class AlertCode(Labelled):
    DOCGM = "DOCGM", "OCG nominal (do not share)"
    XGANG = "XGANG", "Gang member"
    XSC = "XSC", "Serious crime prevention order"
    XFO = "XFO", "Financial order"
    XPOI = "XPOI", "Person of interest"
    XEAN = "XEAN", "Escape/abscond notification"
    XCO = "XCO", "Corruptor"
    XCOP = "XCOP", "Potential corruptor"
    XSA = "XSA", "Staff assaulter"


ALERT_LABELS: dict[str, str] = AlertCode.labels()


class AssociationKind(Labelled):
    ASSOCIATE = "associate", "Associate"
    NON_ASSOCIATION = "non_association", "Non-association"


ASSOCIATION_LABELS: dict[str, str] = AssociationKind.labels()


class PersonOfInterest(SiteScoped, Stamped, table=True):
    __tablename__ = "person_of_interest"

    id: int | None = Field(default=None, primary_key=True)
    prisoner_id: int = Field(foreign_key="prisoner.id", index=True, unique=True)
    alert_codes: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    soc_band: int | None = Field(default=None, index=True)
    last_review_on: date | None = None
    next_review_on: date | None = Field(default=None, index=True)
    ocg_name: str | None = Field(default=None, index=True)
    release_date: date | None = Field(default=None, index=True)
    do_not_share: bool = False
    reason: str = ""
    notes: str = ""
    original_columns: list[list[str]] | None = Field(default=None, sa_column=Column(JSON))


class AncillaryOrder(SiteScoped, Stamped, table=True):
    __tablename__ = "ancillary_order"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person_of_interest.id", index=True, ondelete="CASCADE")
    order_type_code: str = Field(foreign_key="order_type.code")
    court: str = ""
    made_on: date
    start_rule: str = StartRule.ON_MAKING
    start_on: date | None = None
    end_on: date | None = Field(default=None, index=True)
    until_further_order: bool = False
    conditions: str = ""
    review_on: date | None = None


class Association(SiteScoped, table=True):
    """An associate or a non-association between two prisoners."""

    id: int | None = Field(default=None, primary_key=True)
    prisoner_id: int = Field(foreign_key="prisoner.id", index=True)
    other_prisoner_id: int = Field(foreign_key="prisoner.id", index=True)
    kind: str = AssociationKind.ASSOCIATE
    note: str = ""
    created_at: datetime = Field(sa_type=UTCDateTime)


class CustodyEvent(SiteScoped, table=True):
    """A Band 1 custody trigger point the regional SOC unit must be told about."""

    __tablename__ = "custody_event"

    id: int | None = Field(default=None, primary_key=True)
    person_id: int = Field(foreign_key="person_of_interest.id", index=True, ondelete="CASCADE")
    kind: str
    happened_at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    actor: str
    detail: str = ""
    notify_due_on: date | None = Field(default=None, index=True)
    notified_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    notified_how: str | None = None


# ------------------------------------------------------------------ input schemas


def parse_alert_codes(value: Any) -> list[str]:
    """'XGANG; xsa' or ['XGANG', 'XSA'] -> ['XGANG', 'XSA'], refusing unknown codes."""
    if value is None:
        return []
    if isinstance(value, str):
        value = value.replace(";", ",").replace(" ", ",").split(",")
    codes = sorted({str(v).strip().upper() for v in value if str(v).strip()})
    unknown = [c for c in codes if c not in ALERT_LABELS]
    if unknown:
        raise ValueError(
            f"unknown alert code {', '.join(unknown)}; expected one of " + ", ".join(ALERT_LABELS)
        )
    return codes


def parse_band(value: Any) -> int | None:
    """1, '2', 'Band 1' -> the SOC band; blank -> None."""
    value = blank_to_none(value)
    if value is None:
        return None
    text = str(value).strip().lower().removeprefix("band").strip()
    if text not in ("1", "2"):
        raise ValueError(f"'{value}' is not a SOC band: expected 1, 2 or blank")
    return int(text)


def _codes_or_none(value: Any) -> list[str] | None:
    return None if value is None else parse_alert_codes(value)


OrderTypeCode = Annotated[
    str,
    required("", message="an order needs a type"),
    AfterValidator(str.upper),
]
AlertCodes = Annotated[list[str], BeforeValidator(parse_alert_codes)]
Band = Annotated[int | None, BeforeValidator(parse_band)]


class PersonCreate(SQLModel):
    """A person of interest as typed or imported. Creates or updates by NOMIS number."""

    prisoner: PrisonerIn
    location: MaybeLine = None  # "this prison" / a prison code / "released"
    alert_codes: AlertCodes = []
    soc_band: Band = None
    last_review_on: date | None = None
    next_review_on: date | None = None  # computed from the band when not given
    ocg_name: MaybeLine = None
    release_date: date | None = None
    do_not_share: bool = False
    reason: Notes = ""
    notes: Notes = ""


class PersonUpdate(SQLModel):
    """Only the fields set are changed."""

    location: MaybeLine = None
    alert_codes: Annotated[list[str] | None, BeforeValidator(_codes_or_none)] = None
    soc_band: Band = None
    last_review_on: date | None = None
    next_review_on: date | None = None
    ocg_name: MaybeLine = None
    release_date: date | None = None
    do_not_share: bool | None = None
    reason: str | None = None
    notes: str | None = None


class OrderCreate(SQLModel):
    order_type_code: OrderTypeCode
    court: str = ""
    made_on: date
    start_rule: StartRule = StartRule.ON_MAKING
    start_on: date | None = None
    end_on: date | None = None
    until_further_order: bool = False
    conditions: str = ""
    review_on: date | None = None

    @model_validator(mode="after")
    def _dates(self) -> OrderCreate:
        if self.start_rule == StartRule.DATE and self.start_on is None:
            raise ValueError("start_on: an order starting on a date needs the date")
        if self.start_rule == StartRule.ON_MAKING:
            self.start_on = self.made_on
        if self.start_rule == StartRule.ON_RELEASE and self.start_on is not None:
            self.start_on = None
        if self.start_on and self.start_on < self.made_on:
            raise ValueError("start_on: an order cannot start before it was made")
        if self.until_further_order and self.end_on is not None:
            raise ValueError("end_on: an order until further order has no end date")
        if self.end_on and self.end_on < (self.start_on or self.made_on):
            raise ValueError("end_on: the order ends before it starts")
        return self


class AssociationCreate(SQLModel):
    other: PrisonerIn
    kind: AssociationKind = AssociationKind.ASSOCIATE
    note: str = ""


class CustodyEventCreate(SQLModel):
    kind: TriggerKind
    happened_at: Aware
    detail: str = ""
