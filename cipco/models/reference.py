"""Reference lists the coordinator can extend or retire: prisons, forces, categories, orders."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from cipco.models import _deferred  # noqa: F401  (first: before any model class)


class Prison(SQLModel, table=True):
    code: str = Field(primary_key=True, max_length=3)
    name: str
    active: bool = True


class Force(SQLModel, table=True):
    id: str = Field(primary_key=True)
    name: str
    active: bool = True


class CrimeCategory(SQLModel, table=True):
    __tablename__ = "crime_category"

    code: str = Field(primary_key=True)
    label: str
    mandatory_referral: bool = False
    serious_incident: bool = False
    summary_only_possible: bool = False
    active: bool = True


class OrderType(SQLModel, table=True):
    __tablename__ = "order_type"

    code: str = Field(primary_key=True)
    label: str
    min_duration: str | None = None
    max_duration: str | None = None
    may_start_on_release: bool = False
    nomis_alert: str | None = None
    active: bool = True
