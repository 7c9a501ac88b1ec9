"""The clinic action log changed: actions agreed at a clinic, edited while open, then done
or dropped (with a reason) from any clinic, even a closed one, or reopened.
"""

from __future__ import annotations

from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.clinic import ActionStatus, ClinicAction, ClinicActionCreate, ClinicActionUpdate
from cipco.services.checks import one_line, real_dates, required
from cipco.services.clinic.common import ClinicError, check_referral, load_clinic, writable
from cipco.services.clinic.queries import ACTIONS_SERVICE
from cipco.services.logspec import add_record, assign
from cipco.services.record_edit import editing


def add_action(
    *, session: Session, clinic_id: int, data: ClinicActionCreate, clock: Clock
) -> ClinicAction:
    """Record an action agreed at a clinic (the clinic must not be closed)."""
    clinic = load_clinic(session, clinic_id)
    writable(clinic)
    real_dates(data.model_dump(), error=ClinicError)
    check_referral(session, data.referral_id)
    return add_record(
        session,
        ClinicAction,
        clock,
        **data.model_dump(),
        clinic_id=clinic_id,
        status=ActionStatus.OPEN,
    )


def update_action(
    *,
    session: Session,
    action_id: int,
    data: ClinicActionUpdate,
    clock: Clock,
    expected_version: int | None = None,
) -> ClinicAction:
    with editing(ACTIONS_SERVICE, session, action_id, clock, expected_version) as action:
        if action.status != ActionStatus.OPEN:
            raise ClinicError(
                f"status: the action is {action.status}; reopen it before editing", field="status"
            )
        changes = data.model_dump(exclude_unset=True)
        real_dates(changes, error=ClinicError)
        if "referral_id" in changes:
            check_referral(session, changes["referral_id"])
        required_text = ("text", "owner_name")  # left as they were when blank
        kept = {k: v for k, v in changes.items() if not (v is None and k in required_text)}
        if "owner_org" in kept and kept["owner_org"] is None:
            kept["owner_org"] = ""
        assign(action, kept)
    return action


def _settle_action(
    session: Session,
    action_id: int,
    expected_version: int | None,
    clock: Clock,
    status: ActionStatus,
    reason: str | None,
) -> ClinicAction:
    """Move an action to ``status`` (open, done or dropped) with its reason and time."""
    with editing(ACTIONS_SERVICE, session, action_id, clock, expected_version) as action:
        if status == ActionStatus.OPEN and action.status == ActionStatus.OPEN:
            return action  # already open: nothing to change
        if status != ActionStatus.OPEN and action.status != ActionStatus.OPEN:
            raise ClinicError(f"status: the action is already {action.status}", field="status")
        now = clock.now()
        action.status = status
        action.status_reason = reason
        action.done_at = now if status == ActionStatus.DONE else None
        action.dropped_at = now if status == ActionStatus.DROPPED else None
    return action


def complete_action(
    *,
    session: Session,
    action_id: int,
    clock: Clock,
    note: str | None = None,
    expected_version: int | None = None,
) -> ClinicAction:
    """Mark an open action done (from any clinic, even a closed one)."""
    done = ActionStatus.DONE
    return _settle_action(session, action_id, expected_version, clock, done, one_line(note) or None)


def drop_action(
    *,
    session: Session,
    action_id: int,
    reason: str,
    clock: Clock,
    expected_version: int | None = None,
) -> ClinicAction:
    """Drop an open action; a reason is required."""
    why = required(reason, "reason", "reason: say why the action is dropped", error=ClinicError)
    return _settle_action(session, action_id, expected_version, clock, ActionStatus.DROPPED, why)


def reopen_action(
    *, session: Session, action_id: int, clock: Clock, expected_version: int | None = None
) -> ClinicAction:
    """Open again an action marked done or dropped by mistake."""
    return _settle_action(session, action_id, expected_version, clock, ActionStatus.OPEN, None)
