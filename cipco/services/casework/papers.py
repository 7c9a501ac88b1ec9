"""Statements (MG11) through quality assurance to the police, statement meetings with staff
released from duty, medical disclaimers, and the CPS action log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, TypeVar

from sqlmodel import Session

from cipco.clock import Clock, today
from cipco.models.casework import (
    QA_PROBLEMS,
    STATEMENT_LABELS,
    CpsAction,
    CpsActionIn,
    DisclaimerIn,
    MedicalDisclaimer,
    MeetingIn,
    Statement,
    StatementIn,
    StatementMeeting,
    StatementState,
)
from cipco.models.referral import PartyKind, PartyRole
from cipco.services import audit
from cipco.services.casework.common import (
    CaseworkError,
    dates_checked,
    in_order,
    party,
    person_label,
    referral,
    refresh,
    working_days_after,
)
from cipco.services.casework.queries import MEETINGS, STATEMENTS
from cipco.services.casework.queries_papers import CPS as CPS_ACTIONS
from cipco.services.casework.queries_papers import DISCLAIMERS
from cipco.services.logspec import add_record, assign
from cipco.services.record_edit import editing, remove_unless

audit.track(Statement, StatementMeeting, MedicalDisclaimer, CpsAction)

PaperT = TypeVar("PaperT", Statement, StatementMeeting, MedicalDisclaimer, CpsAction)

LABELS = {
    "requested_on": "requested",
    "due_on": "due",
    "received_on": "received",
    "checked_on": "checked",
    "returned_on": "returned",
    "sent_on": "sent to police",
    "issued_on": "issued",
    "done_on": "done",
    "on": "on",
    "release_requested_on": "release asked for",
    "release_confirmed_on": "release confirmed",
}


def _refreshed(session: Session, paper: PaperT) -> PaperT:
    """``paper`` after its referral's next deadline is worked out again (every paper
    write ends here, so Home and the Overdue queue see a new or corrected due date)."""
    refresh(session, referral(session, paper.referral_id))
    return paper


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class Step:
    key: str
    label: str
    after: frozenset[str]  # the states it may follow


STATEMENT_STEPS: tuple[Step, ...] = (
    Step(
        "receive",
        "Received",
        frozenset({StatementState.REQUESTED, StatementState.RETURNED}),
    ),
    Step("check", "Quality checked", frozenset({StatementState.RECEIVED})),
    Step("send", "Sent to police", frozenset({StatementState.CHECKED})),
)


def statement_steps(state: str) -> list[Step]:
    """The steps a statement in ``state`` may take next."""
    return [step for step in STATEMENT_STEPS if state in step.after]


def statement_label(state: str) -> str:
    return STATEMENT_LABELS.get(state, state)


def request_statement(
    *, session: Session, referral_id: int, data: StatementIn, clock: Clock
) -> Statement:
    """Ask a victim or witness for a statement; due by the setting's working days when no
    date is given."""
    referral(session, referral_id)
    person = party(session, referral_id, data.party_id, "party_id")
    if person.role == PartyRole.SUSPECT:
        raise CaseworkError(
            "from whom: a statement (MG11) is asked of a victim or witness", field="party_id"
        )
    due = data.due_on or working_days_after(
        data.requested_on, "statement_due_working_days", session
    )
    dates_checked(clock, {"requested_on": data.requested_on}, LABELS)
    in_order(due, data.requested_on, "due_on", "due", "the request")
    return _refreshed(
        session,
        add_record(
            session,
            Statement,
            clock,
            referral_id=referral_id,
            party_id=person.id,
            requested_on=data.requested_on,
            due_on=due,
            notes=data.notes,
            state=StatementState.REQUESTED,
        ),
    )


def edit_statement(
    *,
    session: Session,
    statement_id: int,
    due_on: date | None,
    notes: str,
    clock: Clock,
    expected_version: int | None = None,
) -> Statement:
    with editing(STATEMENTS, session, statement_id, clock, expected_version) as statement:
        returned = statement.returned_on
        since, what = (
            (returned, "its return") if returned else (statement.requested_on, "the request")
        )
        in_order(due_on, since, "due_on", "due", what)
        assign(statement, {"due_on": due_on, "notes": (notes or "").strip()})
    return _refreshed(session, statement)


def step_statement(
    *,
    session: Session,
    statement_id: int,
    step: str,
    clock: Clock,
    on: date | None = None,
    by: str = "",
    problems: list[str] | None = None,
    note: str = "",
    due_on: date | None = None,
    expected_version: int | None = None,
) -> Statement:
    """Move a statement on: received, quality checked (problems found: returned for
    correction, with a new due date), sent to police. Refused naming the allowed steps."""
    with editing(STATEMENTS, session, statement_id, clock, expected_version) as statement:
        allowed = statement_steps(statement.state)
        if step not in {s.key for s in allowed}:
            names = ", ".join(s.label.lower() for s in allowed) or "none (it has been sent)"
            state = statement_label(statement.state).lower()
            raise CaseworkError(f"step: a statement {state} can next be: {names}", field="step")
        day = on or today(clock)
        dates_checked(clock, {"on": day}, LABELS)
        if step == "receive":
            in_order(
                day,
                statement.returned_on or statement.requested_on,
                "on",
                "received",
                "the " + ("return" if statement.returned_on else "request"),
            )
            assign(statement, {"received_on": day, "state": StatementState.RECEIVED})
            person = party(session, statement.referral_id, statement.party_id, "party_id")
            if not person.statement_taken:
                person.statement_taken = True
        elif step == "check":
            in_order(day, statement.received_on, "on", "checked", "its receipt")
            assign(statement, _quality_check(session, day, by, problems, note, due_on))
        else:
            in_order(day, statement.checked_on, "on", "sent", "the quality check")
            assign(statement, {"sent_on": day, "state": StatementState.SENT})
    return _refreshed(session, statement)


def _quality_check(
    session: Session,
    day: date,
    by: str,
    problems: list[str] | None,
    note: str,
    due_on: date | None,
) -> dict[str, Any]:
    """What a quality check on ``day`` sets: problems found, the statement is returned for
    correction (due again ``due_on``, or by the setting's working days); none, it is checked."""
    unknown = [p for p in problems or [] if p not in QA_PROBLEMS]
    if unknown:
        raise CaseworkError(f"problems: unknown check {', '.join(unknown)}", field="problems")
    found = sorted(set(problems or []))
    values: dict[str, Any] = {
        "checked_on": day,
        "checked_by": " ".join((by or audit.actor_of(session)).split()),
        "problems": found,
        "qa_note": (note or "").strip(),
    }
    if not found:
        return values | {"state": StatementState.CHECKED}
    in_order(due_on, day, "due_on", "due again", "the return")
    return values | {
        "state": StatementState.RETURNED,
        "returned_on": day,
        "due_on": due_on or working_days_after(day, "statement_due_working_days", session),
    }


def statement_stays(statement: Any) -> bool:
    """A statement once received stays on the case (a record or a list row)."""
    return bool(statement.state != StatementState.REQUESTED)


def remove_statement(
    *, session: Session, statement_id: int, expected_version: int | None = None
) -> None:
    """Drop a request made in error; a statement once received stays on the case."""
    _refreshed(
        session,
        remove_unless(
            STATEMENTS,
            session,
            statement_id,
            expected_version,
            kept=statement_stays,
            why="a statement once received stays on the case",
        ),
    )


def problems_text(problems: list[str] | None) -> str:
    return "; ".join(QA_PROBLEMS.get(p, p) for p in problems or [])


# ---------------------------------------------------------------- statement meetings


def _check_meeting(session: Session, referral_id: int, data: MeetingIn, clock: Clock) -> None:
    person = party(session, referral_id, data.party_id, "party_id")
    dates_checked(
        clock,
        {
            "release_requested_on": data.release_requested_on,
            "release_confirmed_on": data.release_confirmed_on,
        },
        LABELS,
    )
    released = data.release_requested_on or data.release_confirmed_on
    if released and person.kind != PartyKind.STAFF:
        raise CaseworkError(
            f"release from duty: {person_label(person)} is not staff",
            field="release_requested_on",
        )
    if data.release_confirmed_on and not data.release_requested_on:
        raise CaseworkError(
            "release asked for: give the date the detail office was asked",
            field="release_requested_on",
        )
    in_order(
        data.release_confirmed_on,
        data.release_requested_on,
        "release_confirmed_on",
        "release confirmed",
        "the request",
    )
    if data.held and data.meets_at > clock.now():
        raise CaseworkError("held: the meeting is still to come", field="held")


def arrange_meeting(
    *, session: Session, referral_id: int, data: MeetingIn, clock: Clock
) -> StatementMeeting:
    """A meeting for a member of staff to give their statement to police."""
    referral(session, referral_id)
    _check_meeting(session, referral_id, data, clock)
    return _refreshed(
        session,
        add_record(session, StatementMeeting, clock, referral_id=referral_id, **data.model_dump()),
    )


def update_meeting(
    *,
    session: Session,
    meeting_id: int,
    data: MeetingIn,
    clock: Clock,
    expected_version: int | None = None,
) -> StatementMeeting:
    with editing(MEETINGS, session, meeting_id, clock, expected_version) as meeting:
        _check_meeting(session, meeting.referral_id, data, clock)
        assign(meeting, data.model_dump())
    return _refreshed(session, meeting)


def meeting_stays(meeting: Any) -> bool:
    """A statement meeting that was held stays on the case (a record or a list row)."""
    return bool(meeting.held)


def remove_meeting(
    *, session: Session, meeting_id: int, expected_version: int | None = None
) -> None:
    """Drop a meeting arranged in error; one that was held stays on the case."""
    _refreshed(
        session,
        remove_unless(
            MEETINGS,
            session,
            meeting_id,
            expected_version,
            kept=meeting_stays,
            why="a meeting that was held stays on the case",
        ),
    )


# ---------------------------------------------------------------- medical disclaimers

DISCLAIMER_STEPS: dict[str, str] = {
    "returned": "Returned signed",
    "declined": "Refused to sign",
    "sent": "Sent to police",
}


def disclaimer_state(d: MedicalDisclaimer) -> str:
    if d.declined:
        return "declined"
    if d.sent_on:
        return "sent"
    return "returned" if d.returned_on else "issued"


def disclaimer_steps(d: MedicalDisclaimer) -> list[str]:
    state = disclaimer_state(d)
    return {"issued": ["returned", "declined"], "returned": ["sent"]}.get(state, [])


def issue_disclaimer(
    *, session: Session, referral_id: int, data: DisclaimerIn, clock: Clock
) -> MedicalDisclaimer:
    """A medical disclaimer (with the record access form) given to a victim, witness or the
    suspect (no person chosen)."""
    referral(session, referral_id)
    if data.party_id is not None:
        party(session, referral_id, data.party_id, "party_id")
    dates_checked(clock, {"issued_on": data.issued_on}, LABELS)
    return _refreshed(
        session,
        add_record(session, MedicalDisclaimer, clock, referral_id=referral_id, **data.model_dump()),
    )


def step_disclaimer(
    *,
    session: Session,
    disclaimer_id: int,
    step: str,
    clock: Clock,
    on: date | None = None,
    expected_version: int | None = None,
) -> MedicalDisclaimer:
    with editing(DISCLAIMERS, session, disclaimer_id, clock, expected_version) as disclaimer:
        allowed = disclaimer_steps(disclaimer)
        if step not in allowed:
            names = ", ".join(DISCLAIMER_STEPS[s].lower() for s in allowed) or "none"
            raise CaseworkError(f"step: this disclaimer can next be: {names}", field="step")
        day = on or today(clock)
        dates_checked(clock, {"on": day}, LABELS)
        if step in ("returned", "declined"):
            in_order(day, disclaimer.issued_on, "on", DISCLAIMER_STEPS[step].lower(), "its issue")
            assign(disclaimer, {"returned_on": day, "declined": step == "declined"})
        else:
            in_order(day, disclaimer.returned_on, "on", "sent", "its return")
            assign(disclaimer, {"sent_on": day})
    return _refreshed(session, disclaimer)


def disclaimer_stays(disclaimer: Any) -> bool:
    """A medical disclaimer once returned (or refused) stays on the case (a record or a
    list row)."""
    return disclaimer.returned_on is not None


def remove_disclaimer(
    *, session: Session, disclaimer_id: int, expected_version: int | None = None
) -> None:
    """Drop a disclaimer recorded in error; one once returned stays on the case."""
    _refreshed(
        session,
        remove_unless(
            DISCLAIMERS,
            session,
            disclaimer_id,
            expected_version,
            kept=disclaimer_stays,
            why="a disclaimer once returned stays on the case",
        ),
    )


REMOVABLE = ("statement", "meeting", "disclaimer")
"""The papers that may be removed as added in error (each while it has not moved on)."""


def remove_paper(
    *, session: Session, kind: str, record_id: int, expected_version: int | None = None
) -> None:
    """Remove a statement, statement meeting or medical disclaimer added in error (refused,
    naming why, for one that stays on the case)."""
    if kind == "statement":
        remove_statement(session=session, statement_id=record_id, expected_version=expected_version)
    elif kind == "meeting":
        remove_meeting(session=session, meeting_id=record_id, expected_version=expected_version)
    elif kind == "disclaimer":
        remove_disclaimer(
            session=session, disclaimer_id=record_id, expected_version=expected_version
        )
    else:
        raise CaseworkError(
            f"kind: '{kind}' is not a paper that can be removed ({', '.join(REMOVABLE)})",
            field="kind",
        )


# ---------------------------------------------------------------- the CPS action log


def _check_action(data: CpsActionIn, clock: Clock) -> None:
    dates_checked(clock, {"requested_on": data.requested_on}, LABELS)
    in_order(data.due_on, data.requested_on, "due_on", "due", "the request")


def add_cps_action(
    *, session: Session, referral_id: int, data: CpsActionIn, clock: Clock
) -> CpsAction:
    """Something the CPS asked the prison for, with its due date and owner."""
    referral(session, referral_id)
    _check_action(data, clock)
    return _refreshed(
        session, add_record(session, CpsAction, clock, referral_id=referral_id, **data.model_dump())
    )


def update_cps_action(
    *,
    session: Session,
    action_id: int,
    data: CpsActionIn,
    clock: Clock,
    expected_version: int | None = None,
) -> CpsAction:
    with editing(CPS_ACTIONS, session, action_id, clock, expected_version) as action:
        _check_action(data, clock)
        in_order(action.done_on, data.requested_on, "requested_on", "requested", "its completion")
        assign(action, data.model_dump())
    return _refreshed(session, action)


def complete_cps_action(
    *,
    session: Session,
    action_id: int,
    clock: Clock,
    on: date | None = None,
    expected_version: int | None = None,
) -> CpsAction:
    """Mark a CPS action done (``on`` None: today); done again is refused."""
    with editing(CPS_ACTIONS, session, action_id, clock, expected_version) as action:
        if action.done_on is not None:
            raise CaseworkError(
                "done: this CPS action is already done (reopen it to change it)", field="done_on"
            )
        day = on or today(clock)
        dates_checked(clock, {"done_on": day}, LABELS)
        in_order(day, action.requested_on, "done_on", "done", "the request")
        action.done_on = day
    return _refreshed(session, action)


def reopen_cps_action(
    *, session: Session, action_id: int, clock: Clock, expected_version: int | None = None
) -> CpsAction:
    with editing(CPS_ACTIONS, session, action_id, clock, expected_version) as action:
        if action.done_on is None:
            raise CaseworkError("reopen: this CPS action is still open", field="done_on")
        action.done_on = None
    return _refreshed(session, action)
