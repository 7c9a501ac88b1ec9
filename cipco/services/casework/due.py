"""What is due in the people and papers of every referral, as due items: R7 per victim,
statements awaited, medical disclaimers not returned, CPS actions and staff to be released
for statement meetings.

One rule each, read in bulk (every referral, or the ones given). The referral's own flags
(and so its "next due" in the list and the clinic agenda's "overdue" section) include
them; the home screen's registry and the clinic agenda read :func:`due_items`.
Deadlines are facts of the records; only their severity depends on now.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, select
from sqlmodel import Session

from cipco.dates import format_date, format_datetime
from cipco.models.casework import (
    CpsAction,
    MedicalDisclaimer,
    Statement,
    StatementMeeting,
    StatementState,
)
from cipco.models.people import Prisoner
from cipco.models.referral import PartyKind, Referral, ReferralParty
from cipco.services import settings as stored_settings
from cipco.services.casework.rules import day_flag, disclaimer_due, instant_flag
from cipco.services.flags import (
    CLOSED_STATUSES,
    DueFlag,
    FlagSettings,
    Severity,
    victim_update_due,
)
from cipco.services.victims import decisions_of, untold, victims_of

RULES: dict[str, str] = {
    "R7": "Victims told of key police decisions (Victims' Code: 5 working days, 1 enhanced)",
    "MG11": "Statements asked for and not yet received by their due date",
    "MED": "Medical disclaimers not returned within the set days of issue",
    "CPS": "CPS actions not done by their due date",
    "MEET": "Staff released from duty for a statement meeting with police",
}
"""Each due rule this module contributes, in words (the registry shows them)."""
CLOSED = [status.value for status in CLOSED_STATUSES]


@dataclass(frozen=True)
class DueItem:
    """One thing due: under which rule, what, when, and which record."""

    rule: str
    label: str
    due_at: datetime
    warn_at: datetime
    referral_id: int
    record: str  # the table: referral_party, statement, medical_disclaimer, ...
    record_id: int

    @property
    def flag(self) -> DueFlag:
        return DueFlag(self.rule, self.label, self.due_at, self.warn_at)

    def severity(self, now: datetime) -> Severity:
        return self.flag.severity(now)


def _item(flag: DueFlag, referral_id: int, record: str, record_id: int) -> DueItem:
    return DueItem(flag.rule, flag.label, flag.due_at, flag.warn_at, referral_id, record, record_id)


def _within(column: Any, referral_ids: Iterable[int] | None) -> Any:
    """The referrals asked about, still open: a closed case's papers are no longer chased
    (R7 is: victims are told of the decisions that closed it)."""
    still_open = Referral.status.not_in(CLOSED)  # type: ignore[attr-defined]
    if referral_ids is None:
        return still_open
    return and_(column.in_(list(referral_ids)), still_open)


def meeting_flag(
    meeting: StatementMeeting, kind: str, cfg: FlagSettings, now: datetime | None = None
) -> DueFlag | None:
    """A staff member's release from duty for the meeting: asked for at once, confirmed by
    the meeting. None once confirmed, held, or not staff."""
    if meeting.held or meeting.release_confirmed_on or kind != PartyKind.STAFF:
        return None
    if meeting.release_requested_on is None:
        return day_flag(
            "MEET",
            "Ask the detail office to release them for the statement meeting",
            meeting.created_at.date() if meeting.created_at else meeting.meets_at.date(),
            cfg,
        )
    return instant_flag(
        "MEET",
        f"Confirm release from duty for the meeting {format_datetime(meeting.meets_at)}",
        meeting.meets_at,
        cfg,
    )


def paper_items(
    session: Session, referral_ids: Iterable[int] | None = None, cfg: FlagSettings | None = None
) -> list[DueItem]:
    """Statements, disclaimers, CPS actions and meetings due (every referral when None)."""
    ids = list(referral_ids) if referral_ids is not None else None
    values = stored_settings.all_settings(session)
    cfg = cfg or FlagSettings.from_values(values)
    days = int(values["disclaimer_return_days"])
    items: list[DueItem] = []
    for s, name in session.execute(
        select(Statement, ReferralParty.name)
        .join(ReferralParty, ReferralParty.id == Statement.party_id)
        .join(Referral, Referral.id == Statement.referral_id)
        .where(
            Statement.state.in_([StatementState.REQUESTED, StatementState.RETURNED]),  # type: ignore[attr-defined]
            Statement.due_on.is_not(None),  # type: ignore[union-attr]
            _within(Statement.referral_id, ids),
        )
    ):
        again = " (returned for correction)" if s.state == StatementState.RETURNED else ""
        flag = day_flag("MG11", f"Statement from {name}{again}", s.due_on, cfg)
        items.append(_item(flag, s.referral_id, "statement", s.id))
    for d, name, suspect in session.execute(
        select(MedicalDisclaimer, ReferralParty.name, Prisoner.name)
        .outerjoin(ReferralParty, ReferralParty.id == MedicalDisclaimer.party_id)
        .join(Referral, Referral.id == MedicalDisclaimer.referral_id)
        .join(Prisoner, Prisoner.id == Referral.prisoner_id)
        .where(
            MedicalDisclaimer.returned_on.is_(None),  # type: ignore[union-attr]
            _within(MedicalDisclaimer.referral_id, ids),
        )
    ):
        who = name or f"{suspect or 'the suspect'} (suspect)"
        label = f"Medical disclaimer back from {who} (issued {format_date(d.issued_on)})"
        flag = day_flag("MED", label, disclaimer_due(d.issued_on, days), cfg)
        items.append(_item(flag, d.referral_id, "medical_disclaimer", d.id))
    for a in session.scalars(
        select(CpsAction)
        .join(Referral, Referral.id == CpsAction.referral_id)
        .where(
            CpsAction.done_on.is_(None),  # type: ignore[union-attr]
            CpsAction.due_on.is_not(None),  # type: ignore[union-attr]
            _within(CpsAction.referral_id, ids),
        )
    ):
        flag = day_flag("CPS", f"CPS: {a.action}", a.due_on, cfg)  # type: ignore[arg-type]
        items.append(_item(flag, a.referral_id, "cps_action", a.id))
    for m, kind in session.execute(
        select(StatementMeeting, ReferralParty.kind)
        .join(ReferralParty, ReferralParty.id == StatementMeeting.party_id)
        .join(Referral, Referral.id == StatementMeeting.referral_id)
        .where(
            StatementMeeting.held.is_(False),  # type: ignore[attr-defined]
            StatementMeeting.release_confirmed_on.is_(None),  # type: ignore[union-attr]
            _within(StatementMeeting.referral_id, ids),
        )
    ):
        flag = meeting_flag(m, kind, cfg)
        if flag is not None:
            items.append(_item(flag, m.referral_id, "statement_meeting", m.id))
    return items


def r7_items(
    session: Session, referral_ids: Iterable[int] | None = None, cfg: FlagSettings | None = None
) -> list[DueItem]:
    """R7: each victim not yet told of a key police decision (every referral when None)."""
    cfg = cfg or FlagSettings.from_values(stored_settings.all_settings(session))
    victims = victims_of(session, referral_ids)
    if not victims:
        return []
    decisions = decisions_of(session, list(victims))
    items = []
    for referral_id, people in victims.items():
        moves = decisions.get(referral_id, [])
        for victim in people:
            pending = untold(victim, moves) if moves else None
            if pending is None:
                continue
            due = victim_update_due(pending.at, victim.enhanced, cfg)
            flag = instant_flag("R7", f"Tell {victim.name}: {pending.label}", due, cfg)
            items.append(_item(flag, referral_id, "referral_party", victim.party_id))
    return items


def due_items(session: Session, now: datetime | None = None) -> list[DueItem]:
    """Everything due in the people and papers of every referral, earliest first
    (``now`` given: only what is overdue or due soon by then)."""
    items = r7_items(session) + paper_items(session)
    if now is not None:
        items = [i for i in items if i.severity(now) in (Severity.OVERDUE, Severity.DUE_SOON)]
    return sorted(items, key=lambda i: (i.due_at, i.referral_id, i.record_id))
