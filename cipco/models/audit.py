"""The audit trail: one row per changed field, written by one listener, never edited."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field

from cipco.models.site import SiteScoped
from cipco.models.types import UTCDateTime


class AuditEvent(SiteScoped, table=True):
    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    table_name: str = Field(index=True)
    record_id: int = Field(index=True)
    action: str  # insert | update | delete
    field: str | None = None
    old: str | None = None
    new: str | None = None
    actor: str
    at: datetime = Field(sa_type=UTCDateTime)
