"""What is due, across every log: one registry every log contributes to.

The home screen, and anything else that asks "what needs me today", reads one list:
:func:`due_items` returns every deadline falling before ``until`` (and every one already
missed), from every log, ordered by deadline. Each :class:`DueItem` says what is due, under
which rule (:class:`Rule`: R1…R9 of the Crime in Prison Referral Agreement and the Victims'
Code, the exhibit retention review, a SOC review, a first hearing, a clinic action's due
date…), when, how urgent it is now, and which record it belongs to (:class:`RecordRef`: the
list, the id, and the reference a person reads), so a screen can open it.

A log contributes through a *source*: a function ``items(ctx: DueContext) -> Iterable
[DueItem]`` that selects its candidates in SQL (``deadline <= ctx.until``: one of
:mod:`cipco.dbread`'s statements, run by ``ctx.rows``) and words them over plain rows, so
the list is read the same way on a session (Home's refresh), a Core connection (``cipco``'s
first frame) or a DB-API one, on SQLite or PostgreSQL, with no model loaded;
:data:`SOURCES` names each source's module (imported when first asked, so start-up stays
fast), and each source module declares the rules it uses in a ``RULES`` tuple. To add a log
or a rule: write ``cipco/services/due/<name>.py`` with ``RULES`` and ``items``, and add it
to :data:`SOURCES` (a test then checks every item it gives names a declared rule).

Nothing here is stored: the items are computed from the records' own fields (the
referral's stored next deadline, the exhibit's review date, the person's next review…), so
they are never out of step with the logs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache, cached_property
from typing import Any

from cipco import dbread
from cipco.clock import Clock, ReadMoment, end_of_day, today
from cipco.services.flags import Severity

WEEK_DAYS = 7  # "this week": today and the six days after it


@dataclass(frozen=True)
class RecordRef:
    """The record an item belongs to: its list (``logspec.LOGS`` name), id, reference and
    prison (site code).

    ``log`` is the list that opens it: "referrals", "exhibits", "mg4d", "persons" (``id``
    is the person of interest's id; ``reference`` the prison number the person page opens
    by), "actions" (a clinic action), "clinics".
    """

    log: str
    id: int
    reference: str
    site: str = ""  # the prison it belongs to (a regional login sees several)


@dataclass(frozen=True)
class Rule:
    """A rule items are due under: its key ("R5"), a short name, the log, where it comes from."""

    key: str
    name: str  # "Adjudication charge within 48 h"
    log: str
    basis: str = "local practice"  # "Crime in Prison Referral Agreement", "Victims' Code"…


@dataclass(frozen=True)
class DueItem:
    """One thing due: what, under which rule, when, and which record."""

    record: RecordRef
    rule: str  # a key of rules(): "R1"… "R9", "retention", "soc_review", "hearing", "action"
    what: str  # what is due, in words: "Lay adjudication charge (48 h)"
    due_at: datetime  # the deadline (a date's deadline is the end of that London day)
    severity: Severity  # overdue / due soon / pending, now
    about: str = ""  # who or what it is about: the prisoner, the exhibit's description
    part: str = ""  # tells apart two items of one record under one rule (an order's id)

    @property
    def key(self) -> str:
        """Unique in a list: ``referrals:12:R5``, ``persons:3:order_review:7``."""
        tail = f":{self.part}" if self.part else ""
        return f"{self.record.log}:{self.record.id}:{self.rule}{tail}"

    @property
    def rule_name(self) -> str:
        found = rules().get(self.rule)
        return found.name if found is not None else self.rule

    @property
    def overdue(self) -> bool:
        return self.severity == Severity.OVERDUE


@dataclass(frozen=True)
class DueContext(ReadMoment):
    """What a source is given: where to read (``session``: a session, a Core connection or
    a DB-API one, read through :mod:`cipco.dbread`: a snapshot), the clock (``now``,
    ``today``) and the horizon."""

    session: Any
    clock: Clock
    until: datetime  # give everything due at or before this instant (overdue included)

    @cached_property
    def until_day(self) -> date:
        """The last London day the horizon covers (date deadlines on or before it count)."""
        from cipco.clock import to_london

        return to_london(self.until).date()

    def rows(self, sql: str, **params: Any) -> list[tuple[Any, ...]]:
        """The rows of one of :mod:`cipco.dbread`'s statements; ``:last_day`` (the horizon's
        last day) and ``:today`` are given."""
        return dbread.rows(
            self.session, sql, {"last_day": self.until_day, "today": self.today, **params}
        )

    def settings(self) -> dict[str, int | str]:
        from cipco.services import settings

        return settings.all_settings(self.session)


DueSource = Callable[[DueContext], Iterable[DueItem]]

SOURCES: dict[str, str] = {
    "referrals": "cipco.services.due.referrals",
    "exhibits": "cipco.services.due.exhibits",
    "mg4d": "cipco.services.due.mg4d",
    "persons": "cipco.services.due.persons",
    "actions": "cipco.services.due.actions",
}
"""Every source, by name, and its module (declaring ``RULES`` and ``items(ctx)``)."""


def _module(name: str) -> object:
    try:
        return importlib.import_module(SOURCES[name])
    except KeyError:
        raise KeyError(f"no due source called '{name}'") from None


def source(name: str) -> DueSource:
    found: DueSource = _module(name).items  # type: ignore[attr-defined]
    return found


@cache
def _rules(names: tuple[str, ...]) -> dict[str, Rule]:
    found: dict[str, Rule] = {}
    for name in names:
        for rule in _module(name).RULES:  # type: ignore[attr-defined]
            found[rule.key] = rule
    return found


def rules() -> dict[str, Rule]:
    """Every rule any source declares, by key."""
    return _rules(tuple(SOURCES))


@dataclass(frozen=True)
class DueWindow:
    """Now, the end of today and the end of this week (today and the next six days)."""

    now: datetime
    today_ends: datetime
    week_ends: datetime

    @classmethod
    def of(cls, clock: Clock, days: int = WEEK_DAYS) -> DueWindow:
        day = today(clock)
        return cls(clock.now(), end_of_day(day), end_of_day(day + timedelta(days=days - 1)))

    def when(self, item: DueItem) -> str:
        """ "overdue", "today", "this week" or "later" for an item."""
        if item.due_at < self.now:
            return "overdue"
        if item.due_at <= self.today_ends:
            return "today"
        if item.due_at <= self.week_ends:
            return "this week"
        return "later"


def due_items(
    session: Any,
    clock: Clock,
    *,
    until: datetime | None = None,
    sources: Collection[str] | None = None,
) -> list[DueItem]:
    """Everything due at or before ``until`` (default: the end of this week), overdue
    included, from every source (or those named), ordered by deadline. ``session``: a
    session, a Core connection or a DB-API one (:mod:`cipco.dbread`); no model is loaded."""
    horizon = until if until is not None else DueWindow.of(clock).week_ends
    ctx = DueContext(session, clock, horizon)
    found: list[DueItem] = []
    for name in SOURCES:
        if sources is not None and name not in sources:
            continue
        found.extend(item for item in source(name)(ctx) if item.due_at <= horizon)
    return sort_items(found)


def sort_items(items: Iterable[DueItem]) -> list[DueItem]:
    """By deadline, then rule and reference, so the order never depends on the source."""
    return sorted(items, key=lambda i: (i.due_at, i.rule, i.record.log, i.record.reference, i.key))


@dataclass(frozen=True)
class DueSummary:
    overdue: int
    today: int
    this_week: int

    @property
    def total(self) -> int:
        return self.overdue + self.today + self.this_week


def summarise(items: Sequence[DueItem], window: DueWindow) -> DueSummary:
    """How many items are overdue, due today, due later this week."""
    counts = {"overdue": 0, "today": 0, "this week": 0, "later": 0}
    for item in items:
        counts[window.when(item)] += 1
    return DueSummary(counts["overdue"], counts["today"], counts["this week"])


def date_deadline(day: date) -> datetime:
    """A deadline given as a date ends at the end of that London day."""
    return end_of_day(day)


def date_severity(day: date, ctx: DueContext, warn_days: int = 2) -> Severity:
    """Overdue after the day, due soon within ``warn_days`` of it, else pending."""
    if ctx.now > end_of_day(day):
        return Severity.OVERDUE
    if (day - ctx.today).days <= warn_days:
        return Severity.DUE_SOON
    return Severity.PENDING


def day_item(
    record: RecordRef, rule: str, what: str, day: date, ctx: DueContext, **extra: str
) -> DueItem:
    """An item due by the end of ``day`` (:func:`date_deadline`, :func:`date_severity`);
    ``extra``: its ``about`` and ``part``."""
    return DueItem(record, rule, what, date_deadline(day), date_severity(day, ctx), **extra)


__all__ = [
    "SOURCES",
    "DueContext",
    "DueItem",
    "DueSource",
    "DueSummary",
    "DueWindow",
    "RecordRef",
    "Rule",
    "date_deadline",
    "date_severity",
    "due_items",
    "rules",
    "sort_items",
    "source",
    "summarise",
]
