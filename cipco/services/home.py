"""The home screen's figures: what is due, each log's queues, the next crime clinic.

One call, in one snapshot: :func:`home` returns everything due or overdue up to the end of
this week from every log (:mod:`cipco.services.due`, ordered by deadline), how many records
each log's quick filters hold, and a line about the next crime clinic and its open actions.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from cipco.clock import Clock, today
from cipco.services.due import DueItem, DueWindow, due_items

if TYPE_CHECKING:
    from sqlmodel import Session

COUNTED = ("referrals", "exhibits", "mg4d", "persons", "actions")
"""The logs whose queues the home screen counts, in the order it shows them."""


@dataclass(frozen=True)
class QueueCount:
    key: str  # PageQuery.queue, or "all"
    label: str
    count: int


@dataclass(frozen=True)
class LogCounts:
    log: str
    title: str
    queues: tuple[QueueCount, ...]


@dataclass(frozen=True)
class ClinicLine:
    """The next crime clinic (held today or later and not closed) or the date it is due."""

    clinic_id: int | None  # None: none is set up yet
    held_on: date
    status: str  # the clinic's status label, or "not set up"
    open_actions: int
    overdue_actions: int

    @property
    def text(self) -> str:
        when = f"{self.held_on:%a %d/%m/%Y}"
        actions = f"{self.open_actions:,} open action{'' if self.open_actions == 1 else 's'}"
        if self.overdue_actions:
            actions += f", {self.overdue_actions:,} overdue"
        return f"Next crime clinic {when} ({self.status}) · {actions}"


@dataclass(frozen=True)
class DueList:
    """The due list alone: what the app paints first, before the queue counts are read."""

    window: DueWindow
    items: tuple[DueItem, ...]

    def count(self, when: str) -> int:
        """How many items are "overdue", due "today" or "this week"."""
        return sum(1 for item in self.items if self.window.when(item) == when)

    @property
    def several_prisons(self) -> bool:
        """The items belong to more than one prison (a regional login): say whose each is."""
        return len({item.record.site for item in self.items}) > 1


@dataclass(frozen=True)
class Home(DueList):
    logs: tuple[LogCounts, ...]
    clinic: ClinicLine


TITLES = {
    "referrals": "Referrals",
    "exhibits": "Exhibits",
    "mg4d": "MG4D",
    "persons": "Persons",
    "actions": "Actions",
}


def log_counts(session: Session, clock: Clock, log: str) -> LogCounts:
    from cipco.services.logspec import spec

    found = spec(log)
    counts = found.service.counts(session, clock)
    queues = [QueueCount("all", "All", counts["all"])]
    queues += [QueueCount(q.key, q.label, counts[q.key]) for q in found.queues]
    return LogCounts(log, TITLES.get(log, log), tuple(queues))


def clinic_line(session: Session, clock: Clock) -> ClinicLine:
    from sqlalchemy import select

    from cipco.models.clinic import Clinic, ClinicStatus
    from cipco.services.clinic import action_counts, next_clinic_date
    from cipco.services.clinic.common import status_label

    day = today(clock)
    clinic = session.scalars(
        select(Clinic)
        .where(Clinic.held_on >= day, Clinic.status != ClinicStatus.CLOSED.value)  # type: ignore[arg-type]
        .order_by(Clinic.held_on)  # type: ignore[arg-type]
        .limit(1)
    ).first()
    actions = action_counts(session, clock)
    open_count, overdue = actions.get("open", 0), actions.get("overdue", 0)
    if clinic is None:
        return ClinicLine(None, next_clinic_date(session, clock), "not set up", open_count, overdue)
    return ClinicLine(clinic.id, clinic.held_on, status_label(clinic.status), open_count, overdue)


def due_list(session: Any, clock: Clock) -> DueList:
    """Everything due or overdue up to the end of this week, by deadline: read through
    :mod:`cipco.dbread` (a session, a Core or a DB-API connection), no model loaded."""
    window = DueWindow.of(clock)
    return DueList(window, tuple(due_items(session, clock, until=window.week_ends)))


def home(session: Session, clock: Clock) -> Home:
    """Everything the home screen shows, read in the caller's snapshot."""
    due = due_list(session, clock)
    logs = tuple(log_counts(session, clock, log) for log in COUNTED)
    return Home(due.window, due.items, logs, clinic_line(session, clock))
