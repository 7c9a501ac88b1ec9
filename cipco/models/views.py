"""Saved views: a list's queue, filter and sort kept under a name, in the data file."""

from __future__ import annotations

from sqlalchemy import Index
from sqlmodel import Field

from cipco.models.site import SiteScoped
from cipco.models.types import Stamped


class SavedView(SiteScoped, Stamped, table=True):
    __tablename__ = "saved_view"
    __table_args__ = (Index("uq_saved_view_site_log_name", "site", "log", "name", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    log: str  # the list: a name of cipco.services.logspec.LOGS
    name: str
    queue: str | None = None  # None: All
    text: str = ""  # the typed filter
    sort: str | None = None  # a column key; None: the list's own order
    descending: bool = False
    created_by: str = ""
