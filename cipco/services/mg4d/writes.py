"""MG4D papers: receiving them, correcting them, and the append-only service events.

Service events are append-only. A correction is a new event pointing at the one it
corrects; the latest event is the one in force and its outcome is stored on the papers
(``state``, ``served_at``, ``response``) so the queue and sorting run in SQL.

Serving papers moves the linked referral to "charged" through the referral service
(walking through any intermediate statuses the workflow requires), so its rules and audit
apply.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.dates import format_datetime
from cipco.models.mg4d import (
    RESPONSE_LABELS,
    SERVED_RESPONSES,
    ChargePapers,
    PapersCreate,
    PapersState,
    Response,
    ServiceCreate,
    ServiceEvent,
)
from cipco.models.people import Prisoner
from cipco.models.referral import Referral, Status
from cipco.services import audit, referrals
from cipco.services.checks import not_before, not_future, real_dates
from cipco.services.errors import RecordError
from cipco.services.logspec import add_record, assign
from cipco.services.prisoners import upsert_prisoner

audit.track(ChargePapers)

# The shortest walk to "charged" from each earlier status (each step via move_status).
PATH_TO_CHARGED: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (Status.REFERRED, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.CHARGED),
    Status.REFERRED: (Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.CHARGED),
    Status.ACKNOWLEDGED: (Status.INVESTIGATING, Status.CHARGED),
    Status.INVESTIGATING: (Status.CHARGED,),
    Status.WITH_CPS: (Status.CHARGED,),
    Status.NFA: (Status.INVESTIGATING, Status.CHARGED),
}


class Mg4dError(RecordError):
    """A change was refused; the message names the field and the problem."""


def state_for(response: str | None) -> PapersState:
    if response is None or response == Response.NOT_SERVED_OTHER:
        return PapersState.AWAITING
    if response in SERVED_RESPONSES:
        return PapersState.SERVED
    return PapersState.NOT_SERVED


def response_label(response: str | None) -> str:
    return RESPONSE_LABELS.get(response, response or "") if response else ""


def _load(session: Session, papers_id: int) -> ChargePapers:
    from cipco.services.mg4d.queries import SERVICE

    return SERVICE.load(session, papers_id)


def _referral_for(session: Session, reference: str | None, prisoner_id: int) -> Referral | None:
    if not reference:
        return None
    referral = referrals.referral_by_reference(session, reference)
    if referral is None:
        raise Mg4dError(
            f"referral: '{reference}' is not a referral in the tracker", field="referral_reference"
        )
    if referral.prisoner_id != prisoner_id:
        other = session.get(Prisoner, referral.prisoner_id)
        raise Mg4dError(
            f"referral: {reference} is about {other.nomis_number if other else 'someone else'},"
            " not this prisoner",
            field="referral_reference",
        )
    return referral


# ---------------------------------------------------------------- writes


def check_papers(data: PapersCreate, clock: Clock) -> None:
    """The papers' own dates: real, and not received in the future."""
    dated = {"received_at": data.received_at, "first_hearing_on": data.first_hearing_on}
    real_dates(dated, error=Mg4dError)
    not_future(data.received_at, clock, "received_at", "received", error=Mg4dError)


def check_service(data: ServiceCreate, received_at: datetime, clock: Clock) -> None:
    """A service event's dates: real, not in the future, served after the papers came in,
    the copy returned after service."""
    real_dates(
        {"served_at": data.served_at, "copy_returned_at": data.copy_returned_at}, error=Mg4dError
    )
    not_future(data.served_at, clock, "served_at", "served", error=Mg4dError)
    not_before(
        data.served_at,
        received_at,
        "served_at",
        "served",
        "the papers were received",
        error=Mg4dError,
    )
    not_future(data.copy_returned_at, clock, "copy_returned_at", "copy returned", error=Mg4dError)
    if data.copy_returned_at is not None:
        not_before(
            data.copy_returned_at,
            data.served_at,
            "copy_returned_at",
            "copy returned",
            "the papers were served",
            error=Mg4dError,
        )


def _values(session: Session, data: PapersCreate, clock: Clock) -> dict[str, Any]:
    """Checked column values for papers from what was typed or imported."""
    check_papers(data, clock)
    prisoner = upsert_prisoner(session, data.prisoner, clock)
    assert prisoner.id is not None
    referral = _referral_for(session, data.referral_reference, prisoner.id)
    return {
        "prisoner_id": prisoner.id,
        "referral_id": referral.id if referral else None,
        "crime_ref": data.crime_ref or (referral.crime_ref if referral else None),
        **data.model_dump(
            include={
                "urn",
                "form_label",
                "charges",
                "court",
                "first_hearing_on",
                "received_at",
                "received_from",
                "notes",
            }
        ),
    }


def receive_papers(session: Session, data: PapersCreate, clock: Clock) -> ChargePapers:
    """Log charge papers received at the prison."""
    return add_record(
        session, ChargePapers, clock, **_values(session, data, clock), state=PapersState.AWAITING
    )


def update_papers(
    session: Session,
    papers_id: int,
    data: PapersCreate,
    clock: Clock,
    expected_version: int | None = None,
) -> ChargePapers:
    """Correct the details of papers (not their service: that is an event)."""
    from cipco.services.mg4d.queries import SERVICE

    papers = SERVICE.load(session, papers_id, expected_version)
    assign(papers, _values(session, data, clock))
    SERVICE.save(session, papers, clock)
    return papers


def latest_event(session: Session, papers_id: int) -> ServiceEvent | None:
    return session.scalars(
        select(ServiceEvent)
        .where(ServiceEvent.papers_id == papers_id)
        .order_by(ServiceEvent.id.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()


def move_referral_to_charged(
    session: Session, referral_id: int, when: datetime, clock: Clock
) -> list[Status]:
    """Walk the referral to "charged" if it is earlier in the workflow. Returns the moves."""
    referral = referrals.get_referral(session, referral_id)
    path = PATH_TO_CHARGED.get(Status(referral.status), ())
    moved: list[Status] = []
    # Never before a move already recorded (the police may have been logged as acknowledging
    # after the papers were served): the walk is dated at the later of the two.
    previous = referrals.last_move_at(session, referral_id)
    if previous is not None and previous > when:
        when = previous
    for step in path:
        referrals.move_status(
            session=session,
            referral_id=referral_id,
            to_status=step,
            clock=clock,
            reason="MG4D papers served" if step == Status.CHARGED else "Charge papers received",
            happened_at=min(when, clock.now()),
        )
        moved.append(step)
    return moved


@dataclass(frozen=True)
class ServiceResult:
    event: ServiceEvent
    papers: ChargePapers
    referral_moves: list[Status]


def record_service(
    session: Session, papers_id: int, data: ServiceCreate, clock: Clock
) -> ServiceResult:
    """Append a service event (or a correction). Serving moves the referral to charged."""
    papers = _load(session, papers_id)
    now = clock.now()
    check_service(data, papers.received_at, clock)
    latest = latest_event(session, papers_id)
    if data.corrects_event_id is not None:
        if latest is None or latest.id != data.corrects_event_id:
            raise Mg4dError(
                "correction: only the latest service event of these papers can be corrected",
                field="corrects_event_id",
            )
    elif latest is not None and latest.response in SERVED_RESPONSES:
        raise Mg4dError(
            "served: these papers were already served on "
            f"{format_datetime(latest.served_at)}; record a correction instead",
            field="served_at",
        )
    event = ServiceEvent(
        papers_id=papers_id,
        recorded_at=now,
        actor=audit.actor_of(session),
        **data.model_dump(),
    )
    event.response = Response(data.response).value
    session.add(event)
    session.flush()
    state = state_for(event.response)
    papers.state = state.value
    papers.response = event.response
    papers.served_at = event.served_at if state == PapersState.SERVED else None
    papers.updated_at = now
    moves: list[Status] = []
    if state == PapersState.SERVED and papers.referral_id is not None:
        moves = move_referral_to_charged(session, papers.referral_id, event.served_at, clock)
    session.flush()
    return ServiceResult(event=event, papers=papers, referral_moves=moves)


def record_copy_returned(
    session: Session, papers_id: int, clock: Clock, returned_at: datetime, how: str
) -> ServiceResult:
    """The signed copy went back to the police: a new event correcting the latest one."""
    latest = latest_event(session, papers_id)
    if latest is None:
        raise Mg4dError(
            "copy returned: the papers have not been served yet", field="copy_returned_at"
        )
    data = ServiceCreate(
        served_at=latest.served_at,
        served_by=latest.served_by,
        witnessed_by=latest.witnessed_by,
        response=Response(latest.response),
        note=latest.note,
        copy_returned_at=returned_at,
        copy_returned_how=how,
        corrects_event_id=latest.id,
    )
    return record_service(session, papers_id, data, clock)


def delete_papers(session: Session, papers_id: int) -> None:
    """Remove papers logged in error; refused once a service event exists."""
    papers = _load(session, papers_id)
    if latest_event(session, papers_id) is not None:
        raise Mg4dError("delete: papers with service events stay in the log")
    session.delete(papers)
    session.flush()
