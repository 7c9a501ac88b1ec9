"""The establishment a data file belongs to.

A SQLite file holds one site. Until its prison is chosen the site is unassigned (``""``);
:func:`assign_site` chooses it once and stamps every row. It cannot be changed afterwards:
the site is part of every reference's identity and of the custody ledger.
"""

from __future__ import annotations

from sqlalchemy import update
from sqlmodel import Session, SQLModel, select

from cipco.clock import Clock
from cipco.db import UNASSIGNED
from cipco.models.reference import Prison
from cipco.models.settings import Setting
from cipco.models.site import Site, SiteScoped
from cipco.services.errors import RecordError


class SiteError(RecordError):
    """The site cannot be set as asked; the message says why."""


def file_site(session: Session) -> Site | None:
    """This file's establishment, or None while it has not been chosen."""
    return session.scalars(select(Site)).first()


def site_tables() -> list[type[SQLModel]]:
    """Every table whose rows carry a site."""
    from cipco.models import load_all

    load_all()  # every table registered

    tables: list[type[SQLModel]] = [Setting]
    pending = list(SiteScoped.__subclasses__())
    while pending:
        model = pending.pop()
        pending.extend(model.__subclasses__())
        if getattr(model, "__table__", None) is not None:
            tables.append(model)
    return sorted(tables, key=lambda model: model.__tablename__)  # type: ignore[attr-defined]


def assign_site(session: Session, code: str, clock: Clock) -> Site:
    """Choose this file's prison (a code from the reference list) and stamp every row."""
    code = (code or "").strip().upper()
    prison = session.get(Prison, code)
    if prison is None:
        raise SiteError(f"'{code}' is not a prison code in the reference list (e.g. LEI)")
    existing = file_site(session)
    if existing is not None:
        if existing.code == code:
            return existing
        raise SiteError(
            f"this file already belongs to {existing.code} ({existing.name}); "
            "the prison of a file cannot be changed"
        )
    site = Site(code=code, name=prison.name, assigned_at=clock.now())
    session.add(site)
    for model in site_tables():
        table = model.__table__  # type: ignore[attr-defined]
        session.execute(
            update(table).where(table.c.site == UNASSIGNED).values(site=code),
            execution_options={"synchronize_session": False},
        )
    session.flush()
    return site


def site_label(session: Session) -> str:
    """``Leeds (LEI)``: this file's prison as printed on what leaves it."""
    site = file_site(session)
    return f"{site.name} ({site.code})" if site is not None else "prison not chosen yet"
