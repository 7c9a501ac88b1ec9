"""Sites: every record belongs to one establishment (a prison code from the reference list).

A SQLite file holds one site; a regional PostgreSQL server holds many, each login seeing its
own. Every domain table inherits :class:`SiteScoped`, so its rows carry ``site``. The value is
filled in on insert from the engine the session is bound to (execution option
``cipco_site``, set by :func:`cipco.db.with_site`), so services never pass it by hand. A file
whose prison has not been chosen yet has site ``""`` (unassigned); choosing it stamps every row
once (``cipco.services.site.assign_site``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlmodel import Field, SQLModel

from cipco.db import SITE_OPTION, UNASSIGNED
from cipco.models.types import UTCDateTime


def site_from_context(context: Any) -> str:
    """Column default: the site of the engine the statement runs on."""
    return str(context.execution_options.get(SITE_OPTION, UNASSIGNED))


class SiteScoped(SQLModel):
    """Base of every domain table: the establishment the row belongs to."""

    site: str | None = Field(
        default=None,
        nullable=False,
        index=True,
        max_length=8,
        sa_column_kwargs={"default": site_from_context},
    )


class Site(SQLModel, table=True):
    """The establishment(s) this database holds. A SQLite file has at most one row."""

    code: str = Field(primary_key=True, max_length=8)
    name: str = ""
    assigned_at: datetime = Field(sa_type=UTCDateTime)
