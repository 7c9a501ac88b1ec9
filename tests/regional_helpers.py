"""A SQLite file holding several sites' rows, written site by site through the services
(each site's writes and reads narrowed to it, as row-level security does on a server)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from cipco.clock import FixedClock
from cipco.db import session_scope, with_site
from cipco.models.people import PrisonerIn
from cipco.models.person import CustodyEventCreate, PersonCreate, TriggerKind
from cipco.models.reference import Prison
from cipco.models.site import Site
from cipco.services.persons.writes import record_custody_event, upsert_person
from cipco.services.regional import at_site
from tests.factories import new_referral


@contextmanager
def writing_at(engine: Engine, code: str, clock: FixedClock) -> Iterator[Session]:
    """A unit of work writing ``code``'s rows (adding its site row the first time)."""
    with session_scope(with_site(engine, code), actor="tester", clock=clock) as session:
        if session.get(Site, code) is None:
            prison = session.get(Prison, code)
            session.add(
                Site(code=code, name=prison.name if prison else "", assigned_at=clock.now())
            )
            session.flush()
        with at_site(session, code):
            yield session


def add_nominal(
    session: Session,
    clock: FixedClock,
    nomis: str,
    name: str,
    band: int | None,
    *,
    release: date | None = None,
    location: str | None = None,
) -> int:
    person, _, _ = upsert_person(
        session,
        PersonCreate(
            prisoner=PrisonerIn(nomis_number=nomis, name=name),
            soc_band=band,
            release_date=release,
            location=location,
        ),
        clock,
    )
    return int(person.id or 0)


def add_trigger(session: Session, clock: FixedClock, person_id: int, at: datetime) -> None:
    record_custody_event(
        session, person_id, CustodyEventCreate(kind=TriggerKind.ESCORT, happened_at=at), clock
    )


def add_referred(session: Session, clock: FixedClock, nomis: str, referred: datetime) -> None:
    referral = new_referral(session, clock, nomis=nomis, name="X")
    referral.referred_at = referred
    session.add(referral)
    session.flush()
