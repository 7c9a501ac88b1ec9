"""Prisoners: the one record of a person in custody that every log points at."""

from __future__ import annotations

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.people import Prisoner, PrisonerIn
from cipco.services.logspec import Column, assign

PRISON_NO = Column("nomis_number", "Prison no", 9, grow=False, sort=Prisoner.nomis_number)
"""A list's prison number column (a row's ``nomis_number``): the same in every log."""
PRISONER = Column("prisoner_name", "Prisoner", 14, sort=Prisoner.name)
"""A list's column naming the prisoner a record is of (a row's ``prisoner_name``)."""


def prisoner_by_nomis(session: Session, nomis_number: str) -> Prisoner | None:
    return session.scalars(select(Prisoner).where(Prisoner.nomis_number == nomis_number)).first()


def upsert_prisoner(session: Session, data: PrisonerIn, clock: Clock) -> Prisoner:
    """The prisoner with this NOMIS number, created or with name/PNC/DOB filled in."""
    prisoner = prisoner_by_nomis(session, data.nomis_number)
    if prisoner is None:
        prisoner = Prisoner(
            nomis_number=data.nomis_number,
            name=data.name,
            pnc=data.pnc,
            date_of_birth=data.date_of_birth,
            created_at=clock.now(),
        )
        session.add(prisoner)
        session.flush()
        return prisoner
    given = data.model_dump(include={"name", "pnc", "date_of_birth"})
    assign(prisoner, {key: value for key, value in given.items() if value})
    return prisoner
