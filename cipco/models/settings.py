"""Local settings that travel with the data file (one set per site)."""

from __future__ import annotations

from sqlmodel import Field, SQLModel

from cipco.models.site import site_from_context


class Setting(SQLModel, table=True):
    site: str | None = Field(
        default=None,
        primary_key=True,
        max_length=8,
        sa_column_kwargs={"default": site_from_context},
    )
    key: str = Field(primary_key=True)
    value: str
