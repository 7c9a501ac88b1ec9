"""What ``cipco move-to`` copied: each record of a prison's file and the row it became.

A server numbers rows across every site, so a file's records get new ids there. One row per
copied record keeps the file's key, the server's id and a digest of the values copied, so
running ``move-to`` again with the same file changes nothing and a later copy of the file
adds only what is new (and finds what changed, in the file or on the server, since).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Field

from cipco.models.site import SiteScoped
from cipco.models.types import UTCDateTime


class MovedRow(SiteScoped, table=True):
    __tablename__ = "moved_row"
    __table_args__ = (
        Index("uq_moved_row_site_table_key", "site", "table_name", "source_key", unique=True),
    )

    id: int | None = Field(default=None, primary_key=True)
    table_name: str = Field(max_length=40)
    source_key: str  # the record's id in the file ("12"), or its key as JSON
    target_id: int | None = None  # its id on the server (None for a table keyed otherwise)
    row_hash: str = Field(max_length=64)  # SHA-256 of the values as copied
    moved_at: datetime = Field(sa_type=UTCDateTime)
