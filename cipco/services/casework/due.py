"""What is due in the people and papers of every referral, as due items: R7 per victim,
statements awaited, medical disclaimers not returned, CPS actions and staff to be released
for statement meetings.

One rule each, read in bulk (every referral, or the ones given). The referral's own flags
(and so its "next due" in the list and the clinic agenda's "overdue" section) include
them; the home screen's registry and the clinic agenda read :func:`due_items`.
Deadlines are facts of the records; only their severity depends on now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from cipco import dbread
from cipco.dates import format_date, format_datetime
from cipco.models.vocab import PartyKind, StatementState
from cipco.services import settings as stored_settings
from cipco.services.casework.rules import day_flag, disclaimer_due, instant_flag
from cipco.services.flags import (
    CLOSED_STATUSES,
    DueFlag,
    FlagSettings,
    Severity,
    VictimUpdate,
    victim_update_due,
)
from cipco.services.victims import decisions_of, untold, updates_for, victims_of

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


class Meeting(NamedTuple):
    """What the release-from-duty rule reads of a statement meeting (a row or the model)."""

    held: bool
    release_confirmed_on: date | None
    release_requested_on: date | None
    created_at: datetime | None
    meets_at: datetime


def meeting_flag(
    meeting: Any, kind: str, cfg: FlagSettings, now: datetime | None = None
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
    session: Any, referral_ids: Iterable[int] | None = None, cfg: FlagSettings | None = None
) -> list[DueItem]:
    """Statements, disclaimers, CPS actions and meetings due (every referral when None), of
    open cases (a closed case's papers are no longer chased; R7 is: victims are told of the
    decisions that closed it). Read through :mod:`cipco.dbread`: a session, a Core or a
    DB-API connection."""
    ids = list(referral_ids) if referral_ids is not None else None
    values = stored_settings.all_settings(session)
    cfg = cfg or FlagSettings.from_values(values)
    days = int(values["disclaimer_return_days"])
    states = {
        "requested": StatementState.REQUESTED.value,
        "returned": StatementState.RETURNED.value,
        "no": False,
    }
    found = dbread.papers_due(session, ids, CLOSED, states)
    items: list[DueItem] = []
    for sid, rid, state, due_on, name in found["statements"]:
        again = " (returned for correction)" if state == StatementState.RETURNED else ""
        flag = day_flag("MG11", f"Statement from {name}{again}", dbread.day(due_on), cfg)  # type: ignore[arg-type]
        items.append(_item(flag, rid, "statement", sid))
    for did, rid, issued_raw, name, suspect in found["disclaimers"]:
        issued_on = dbread.day(issued_raw)
        who = name or f"{suspect or 'the suspect'} (suspect)"
        label = f"Medical disclaimer back from {who} (issued {format_date(issued_on)})"
        flag = day_flag("MED", label, disclaimer_due(issued_on, days), cfg)  # type: ignore[arg-type]
        items.append(_item(flag, rid, "medical_disclaimer", did))
    for aid, rid, action, due_on in found["cps"]:
        flag = day_flag("CPS", f"CPS: {action}", dbread.day(due_on), cfg)  # type: ignore[arg-type]
        items.append(_item(flag, rid, "cps_action", aid))
    for mid, rid, held, confirmed, requested, created, meets, kind in found["meetings"]:
        meeting = Meeting(
            dbread.flag(held),
            dbread.day(confirmed),
            dbread.day(requested),
            dbread.instant(created),
            dbread.instant(meets),  # type: ignore[arg-type]
        )
        flag = meeting_flag(meeting, kind, cfg)
        if flag is not None:
            items.append(_item(flag, rid, "statement_meeting", mid))
    return items


@dataclass(frozen=True)
class BulkInputs:
    """What the rule book needs beyond the referral row, read once for many referrals:
    each referral's victims not yet told of a key decision (R7 per victim) and what is due
    in its papers (statements, disclaimers, CPS actions, meetings)."""

    victims: dict[int, list[VictimUpdate]]
    papers: dict[int, list[DueFlag]]

    def of(self, referral_id: int) -> tuple[list[VictimUpdate], list[DueFlag]]:
        return self.victims.get(referral_id, []), self.papers.get(referral_id, [])


def bulk_inputs(
    session: Any, referrals: Sequence[Any], cfg: FlagSettings, *, every: bool = False
) -> BulkInputs:
    """The contact log, the key decisions and the papers of ``referrals`` (models or plain
    rows with the referral's fields) in one pass each (``every``: the referrals are every
    referral in the file, so no id list is sent)."""
    ids = None if every else [r.id for r in referrals if r.id is not None]
    decisions = decisions_of(session, ids)
    victims = victims_of(session, ids)
    papers: dict[int, list[DueFlag]] = {}
    for item in paper_items(session, ids, cfg):
        papers.setdefault(item.referral_id, []).append(item.flag)
    updates: dict[int, list[VictimUpdate]] = {}
    for referral in referrals:
        assert referral.id is not None
        moves = decisions.get(referral.id, [])
        if moves:
            updates[referral.id] = updates_for(referral, victims.get(referral.id, []), moves)
    return BulkInputs(updates, papers)


def r7_items(
    session: Any, referral_ids: Iterable[int] | None = None, cfg: FlagSettings | None = None
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


def due_items(session: Any, now: datetime | None = None) -> list[DueItem]:
    """Everything due in the people and papers of every referral, earliest first
    (``now`` given: only what is overdue or due soon by then)."""
    items = r7_items(session) + paper_items(session)
    if now is not None:
        items = [i for i in items if i.severity(now) in (Severity.OVERDUE, Severity.DUE_SOON)]
    return sorted(items, key=lambda i: (i.due_at, i.referral_id, i.record_id))
