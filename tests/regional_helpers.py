"""A SQLite file holding several sites' rows, written site by site through the services
(each site's writes and reads narrowed to it, as row-level security does on a server)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

from sqlalchemy import Engine
from sqlmodel import Session

from cipco.clock import FixedClock
from cipco.db import session_scope, with_site
from cipco.models.people import PrisonerIn
from cipco.models.person import CustodyEventCreate, PersonCreate, TriggerKind
from cipco.models.reference import Prison
from cipco.models.referral import Outcome, PartyIn, ReferralUpdate, Status
from cipco.models.site import Site
from cipco.services.persons.writes import record_custody_event, upsert_person
from cipco.services.referrals import move_status, update_referral
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


def _october(day: int, hour: int = 10) -> datetime:
    return datetime(2026, 10, day, hour, tzinfo=UTC)


def _walk(session: Session, clock: FixedClock, referral_id: int, *moves: tuple) -> None:
    for status, when, *outcome in moves:
        move_status(
            session=session,
            referral_id=referral_id,
            to_status=status,
            clock=clock,
            happened_at=when,
            outcome=outcome[0] if outcome else None,
            reason="decided" if status in (Status.NFA, Status.WITHDRAWN) else None,
            police={"crime_ref": "CR/1"} if status == Status.ACKNOWLEDGED else None,
        )


def add_cases(session: Session, clock: FixedClock, site: int, count: int) -> None:
    """``count`` sets of October cases of every kind a report's figure counts, at one site
    (``site`` keeps its prison numbers apart): per set, 4 referred, a serious incident
    (police contacted in 10 h in the first set, 2 days in the others), an adjudication
    charge laid late, a case charged then convicted, and a no-further-action decision whose
    two victims are told 3 working days later; each referred case is still open but the
    conviction and the decision."""
    victims = [
        PartyIn(role="victim", kind="prisoner", name="JONES, Amy"),
        PartyIn(role="victim", kind="staff", name="BROWN, Bea"),
    ]
    for n in range(count):
        day = 1 + 4 * n

        def nomis(k: int, n: int = n) -> str:
            return f"A{site}{n}{k}0AA"

        serious = new_referral(
            session,
            clock,
            category="HOMICIDE",
            nomis=nomis(1),
            incident_at=_october(day),
            discovered_at=_october(day),
            police_contacted_at=_october(day, 20) if n == 0 else _october(day + 2),
        )
        _walk(session, clock, serious.id, (Status.REFERRED, _october(day + 2, 21)))
        laid = new_referral(
            session,
            clock,
            nomis=nomis(2),
            incident_at=_october(day),
            adjudication_laid_at=_october(day + 3),
        )
        _walk(session, clock, laid.id, (Status.REFERRED, _october(day + 1)))
        court = new_referral(session, clock, nomis=nomis(3), incident_at=_october(day))
        _walk(
            session,
            clock,
            court.id,
            (Status.REFERRED, _october(day + 1)),
            (Status.ACKNOWLEDGED, _october(day + 2)),
            (Status.INVESTIGATING, _october(day + 2, 12)),
            (Status.CHARGED, _october(day + 3), Outcome.CHARGED),
            (Status.CONCLUDED, _october(day + 20), Outcome.CONVICTED),
        )
        decided = new_referral(
            session, clock, nomis=nomis(4), incident_at=_october(day), parties=victims
        )
        # decided on Monday 12 October (19th, 26th), told on the Thursday
        monday = 12 + 7 * n
        _walk(
            session,
            clock,
            decided.id,
            (Status.REFERRED, _october(day + 1)),
            (Status.NFA, _october(monday), Outcome.NO_SUSPECT),
        )
        update_referral(
            session=session,
            referral_id=decided.id,
            data=ReferralUpdate(victim_updated_at=_october(monday + 3)),
            clock=clock,
        )
