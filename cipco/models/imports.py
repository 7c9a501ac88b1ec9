"""What imports remember: a column mapping confirmed for one header layout of one log.

A coordinator's tracker keeps its columns from month to month. Once an import of a layout
is committed with columns named by ``--map`` or guessed, the mapping is kept here under the
layout's fingerprint (its normalised headers, in order), so next month's copy of the same
spreadsheet imports with no options.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Column, Index
from sqlmodel import Field

from cipco.models.site import SiteScoped
from cipco.models.types import UTCDateTime


class ImportMapping(SiteScoped, table=True):
    __tablename__ = "import_mapping"
    __table_args__ = (
        Index("uq_import_mapping_site_log_layout", "site", "log", "fingerprint", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    log: str
    fingerprint: str
    headers: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    mapping: dict[str, str] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    file_name: str = ""
    saved_at: datetime = Field(sa_type=UTCDateTime)
    saved_by: str = ""
