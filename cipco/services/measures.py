"""Each figure a report shows, defined once, with its basis printed beside it.

"Charges 2" above "Court: convicted 3" looks wrong until each says what it counts: charges
by the date of the charge, convictions by the date the court outcome closed the referral.
So every figure a report, the home screen's charts or the regional view shows is a
:class:`Measure` here: a key, the words a manager reads, its basis ("referred in the
month") and one function that computes it for any list of periods in one pass over the rows
it needs (a twelve-month trend costs one query, not twelve).

    figures(session, ["referrals_made", "charges"], [Period.month(day)], clock)
    trend(session, "referrals_made", Period.month(day).series(12), clock)

A :class:`Figure` carries the value, the number it is "of" (a rate's denominator, a median's
sample) and its parts, which always add up to the whole (``Figure.check()``).
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import partial
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlmodel import Session

from cipco.clock import Clock, london_midnight, to_london
from cipco.models.reference import CrimeCategory
from cipco.models.referral import OUTCOME_LABELS, Outcome, PartyRole, Referral, ReferralParty
from cipco.services.flags import (
    ADJUDICATION_WITHIN,
    CLOSED_STATUSES,
    POLICE_CONTACT_WITHIN,
    FlagSettings,
    victim_update_due,
)

# ---------------------------------------------------------------- periods


@dataclass(frozen=True)
class Period:
    """Whole London days from ``start`` up to (not including) ``end``."""

    start: date
    end: date
    label: str
    noun: str = "period"  # "month", "week": the basis reads "referred in the month"

    @classmethod
    def month(cls, day: date) -> Period:
        first = day.replace(day=1)
        following = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
        return cls(first, following, f"{first:%B %Y}", "month")

    @classmethod
    def week(cls, day: date) -> Period:
        """The week (Monday to Sunday) holding ``day``."""
        monday = day - timedelta(days=day.weekday())
        return cls(monday, monday + timedelta(days=7), f"week of {monday:%d/%m/%Y}", "week")

    @classmethod
    def last_complete_month(cls, clock: Clock) -> Period:
        this = to_london(clock.now()).date().replace(day=1)
        return cls.month(this - timedelta(days=1))

    @classmethod
    def last_complete_week(cls, clock: Clock) -> Period:
        return cls.week(to_london(clock.now()).date() - timedelta(days=7))

    def bounds(self) -> tuple[datetime, datetime]:
        return london_midnight(self.start), london_midnight(self.end)

    def previous(self) -> Period:
        if self.noun == "month":
            return Period.month(self.start - timedelta(days=1))
        if self.noun == "week":
            return Period.week(self.start - timedelta(days=7))
        length = self.end - self.start
        return Period(self.start - length, self.start, "previous period")

    def series(self, count: int) -> list[Period]:
        """``count`` periods ending with this one, oldest first."""
        found = [self]
        while len(found) < count:
            found.append(found[-1].previous())
        return found[::-1]

    @property
    def short(self) -> str:
        """A chart label: ``Oct 26`` or ``02/11``."""
        if self.noun == "month":
            return f"{self.start:%b %y}"
        return f"{self.start:%d/%m}"


# ---------------------------------------------------------------- figures


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    basis: str  # "{p}" is the period's noun
    kind: str = "count"  # count | rate | days | breakdown
    rule: str = ""  # the Referral Agreement / Victims' Code rule it measures (R1, R5, R7)


@dataclass(frozen=True)
class Figure:
    """One measure for one period.

    - count: ``value`` things (``parts`` may break them down);
    - rate: ``value`` of ``of`` met the rule; ``parts`` say what happened to the rest;
    - days: ``value`` is the median days (None when there is nothing to measure) over
      ``of`` cases;
    - breakdown: ``parts`` by label, ``value`` their total.
    """

    measure: Measure
    period: Period
    value: int | float | None
    of: int | None = None
    parts: tuple[tuple[str, int], ...] = ()
    as_at: datetime | None = None  # figures about "now" say when

    @property
    def key(self) -> str:
        return self.measure.key

    @property
    def label(self) -> str:
        return self.measure.label

    @property
    def basis(self) -> str:
        return self.measure.basis.replace("{p}", self.period.noun)

    @property
    def number(self) -> int | float:
        """The value as a number for charts and sums (a missing median is 0)."""
        return self.value or 0

    @property
    def text(self) -> str:
        """``7 of 9 (78%)``, ``3.5 (median of 12)``, ``n/a (none)``, ``12``."""
        kind = self.measure.kind
        if kind == "rate":
            if not self.of:
                return "n/a (none)"
            share = round(100 * (self.value or 0) / self.of)
            return f"{self.value:,} of {self.of:,} ({share}%)"
        if kind == "days":
            if self.value is None:
                return "n/a (none)"
            return f"{self.value:.1f} (median of {self.of:,})"
        return f"{self.value:,}" if isinstance(self.value, int) else str(self.value)

    def check(self) -> None:
        """The arithmetic every figure keeps (tests call it): parts add up to the whole."""
        if self.measure.kind == "breakdown" or (self.parts and self.measure.kind == "count"):
            assert sum(n for _, n in self.parts) == self.value, self
        if self.measure.kind == "rate":
            assert self.parts and sum(n for _, n in self.parts) == self.of, self
            assert dict(self.parts).get(RATE_MET, 0) == self.value, self


RATE_MET = "in time"


@dataclass
class _Context:
    session: Session
    clock: Clock
    settings: FlagSettings = field(default_factory=FlagSettings)

    @property
    def now(self) -> datetime:
        return self.clock.now()


Compute = Callable[[_Context, Measure, Sequence[Period]], list[Figure]]
MEASURES: dict[str, Measure] = {}
_COMPUTE: dict[str, Compute] = {}


def _measure(
    key: str, label: str, basis: str, kind: str = "count", rule: str = ""
) -> Callable[[Compute], Compute]:
    def register(fn: Compute) -> Compute:
        MEASURES[key] = Measure(key, label, basis, kind, rule)
        _COMPUTE[key] = fn
        return fn

    return register


def measure(key: str) -> Measure:
    return MEASURES[key]


def figures(session: Session, keys: Iterable[str], period: Period, clock: Clock) -> list[Figure]:
    """The figures ``keys`` for one period, in that order."""
    ctx = _context(session, clock)
    return [_COMPUTE[key](ctx, MEASURES[key], [period])[0] for key in keys]


def trend(session: Session, key: str, periods: Sequence[Period], clock: Clock) -> list[Figure]:
    """One measure for each of ``periods`` (one pass over its rows)."""
    return _COMPUTE[key](_context(session, clock), MEASURES[key], list(periods))


def _context(session: Session, clock: Clock) -> _Context:
    from cipco.services import settings

    return _Context(session, clock, FlagSettings.from_values(settings.all_settings(session)))


# ---------------------------------------------------------------- helpers


class _Buckets:
    """Which of the periods an instant falls in (periods may be given in any order)."""

    def __init__(self, periods: Sequence[Period]) -> None:
        self.periods = list(periods)
        spans = sorted((p.bounds(), i) for i, p in enumerate(self.periods))
        self.starts = [start for (start, _), _ in spans]
        self.ends = [end for (_, end), _ in spans]
        self.index = [i for _, i in spans]
        self.first = min(self.starts)
        self.last = max(self.ends)
        self.counts: list[dict[str, int]] = [{} for _ in self.periods]

    def of(self, at: datetime | None) -> int | None:
        if at is None or at < self.first or at >= self.last:
            return None
        place = bisect.bisect_right(self.starts, at) - 1
        if place < 0 or at >= self.ends[place]:
            return None
        return self.index[place]

    def window(self, column: Any) -> Any:
        return and_(column >= self.first, column < self.last)

    def add(self, at: datetime | None, part: str) -> None:
        """Count one ``part`` in the period ``at`` falls in (if any)."""
        index = self.of(at)
        if index is not None:
            self.counts[index][part] = self.counts[index].get(part, 0) + 1

    def breakdown(
        self, m: Measure, parts: Callable[[dict[str, int]], tuple[tuple[str, int], ...]]
    ) -> list[Figure]:
        """Each period's count of every part, and its ``parts`` in the order shown."""
        return [
            Figure(m, p, sum(c.values()), parts=parts(c))
            for p, c in zip(self.periods, self.counts, strict=True)
        ]

    def rates(self, m: Measure, order: Sequence[str]) -> list[Figure]:
        """Each period's count met in time, of every one counted, parts in ``order``."""
        return [
            Figure(m, p, c.get(RATE_MET, 0), of=sum(c.values()), parts=_parts(order, c))
            for p, c in zip(self.periods, self.counts, strict=True)
        ]


def _in_time(order: Sequence[str], done: datetime | None, due: datetime, now: datetime) -> str:
    """Which part a deadline is in: met or late (``order``'s first two) when done, else
    overdue or not yet due (its last two)."""
    if done is not None:
        return order[0] if done <= due else order[1]
    return order[-2] if now > due else order[-1]


def _counts(
    ctx: _Context, m: Measure, periods: Sequence[Period], column: Any, *where: Any
) -> list[Figure]:
    buckets = _Buckets(periods)
    totals = [0] * len(periods)
    for (at,) in ctx.session.execute(select(column).where(buckets.window(column), *where)):
        index = buckets.of(at)
        if index is not None:
            totals[index] += 1
    return [Figure(m, p, totals[i]) for i, p in enumerate(periods)]


def _as_at(period: Period, now: datetime) -> datetime:
    return min(period.bounds()[1], now)


def _median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def _days(pairs: Iterable[tuple[datetime | None, datetime | None]]) -> list[float]:
    return [(b - a).total_seconds() / 86400 for a, b in pairs if a and b and b >= a]


def _parts(order: Sequence[str], counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple((name, counts.get(name, 0)) for name in order)


# ---------------------------------------------------------------- the measures


@_measure("referrals_made", "Referrals made", "referred to police in the {p}")
def _referrals_made(ctx: _Context, m: Measure, periods: Sequence[Period]) -> list[Figure]:
    return _counts(ctx, m, periods, Referral.referred_at)


@_measure("by_category", "Referrals by category", "referred to police in the {p}", "breakdown")
def _by_category(ctx: _Context, m: Measure, periods: Sequence[Period]) -> list[Figure]:
    buckets = _Buckets(periods)
    rows = ctx.session.execute(
        select(Referral.referred_at, CrimeCategory.label)
        .join(CrimeCategory, CrimeCategory.code == Referral.category_code)
        .where(buckets.window(Referral.referred_at))
    )
    for at, label in rows:
        buckets.add(at, label)
    return buckets.breakdown(m, lambda c: tuple(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))))


@_measure(
    "open_at_end",
    "Open referrals",
    "referred and not closed at the end of the {p} (or now, if it has not ended)",
)
def _open_at_end(ctx: _Context, m: Measure, periods: Sequence[Period]) -> list[Figure]:
    moments = [_as_at(p, ctx.now) for p in periods]
    rows = list(
        ctx.session.execute(
            select(Referral.referred_at, Referral.closed_at).where(
                Referral.referred_at.is_not(None),  # type: ignore[union-attr]
                Referral.referred_at < max(moments),  # type: ignore[operator]
                or_(
                    Referral.closed_at.is_(None),  # type: ignore[union-attr]
                    Referral.closed_at >= min(moments),  # type: ignore[operator]
                ),
            )
        )
    )
    found = []
    for p, at in zip(periods, moments, strict=True):
        total = sum(1 for on, off in rows if on < at and (off is None or off >= at))
        found.append(Figure(m, p, total, as_at=at))
    return found


@_measure(
    "overdue",
    "Overdue now",
    "open now, with a deadline that passed before the end of the {p}",
)
def _overdue(ctx: _Context, m: Measure, periods: Sequence[Period]) -> list[Figure]:
    closed = [s.value for s in CLOSED_STATUSES]
    rows = [
        due
        for (due,) in ctx.session.execute(
            select(Referral.next_due_at).where(
                Referral.next_due_at.is_not(None),  # type: ignore[union-attr]
                Referral.status.not_in(closed),  # type: ignore[attr-defined]
            )
        )
    ]
    found = []
    for p in periods:
        at = _as_at(p, ctx.now)
        found.append(Figure(m, p, sum(1 for due in rows if due < at), as_at=ctx.now))
    return found


@_measure("charges", "Charges", "charged in the {p} (by the date of the charge)")
def _charges(ctx: _Context, m: Measure, periods: Sequence[Period]) -> list[Figure]:
    return _counts(ctx, m, periods, Referral.charged_at)


@_measure(
    "convictions",
    "Convictions",
    "court outcome 'convicted' recorded when the referral closed in the {p}",
)
def _convictions(ctx: _Context, m: Measure, periods: Sequence[Period]) -> list[Figure]:
    return _counts(ctx, m, periods, Referral.closed_at, Referral.outcome == Outcome.CONVICTED.value)


CHARGED_LABEL = OUTCOME_LABELS[Outcome.CHARGED]


@_measure(
    "outcomes",
    "Outcomes",
    "decided in the {p}: charges by the date of the charge, every other outcome by the date "
    "the referral closed",
    "breakdown",
)
def _outcomes(ctx: _Context, m: Measure, periods: Sequence[Period]) -> list[Figure]:
    buckets = _Buckets(periods)
    rows = ctx.session.execute(
        select(Referral.charged_at, Referral.closed_at, Referral.outcome).where(
            or_(buckets.window(Referral.charged_at), buckets.window(Referral.closed_at))
        )
    )
    for charged_at, closed_at, outcome in rows:
        buckets.add(charged_at, CHARGED_LABEL)
        if outcome and outcome != Outcome.CHARGED.value:
            buckets.add(closed_at, OUTCOME_LABELS.get(outcome, outcome))
    order = list(dict.fromkeys(OUTCOME_LABELS.values()))
    return buckets.breakdown(m, lambda c: tuple((k, c[k]) for k in order if c.get(k)))


def _median_days(
    ctx: _Context, m: Measure, periods: Sequence[Period], *, start: Any, end: Any
) -> list[Figure]:
    buckets = _Buckets(periods)
    pairs: list[list[tuple[datetime, datetime]]] = [[] for _ in periods]
    for begun, ended in ctx.session.execute(
        select(start, end).where(buckets.window(end), start.is_not(None))
    ):
        index = buckets.of(ended)
        if index is not None:
            pairs[index].append((begun, ended))
    found = []
    for p, these in zip(periods, pairs, strict=True):
        values = _days(these)
        found.append(Figure(m, p, _median(values), of=len(values)))
    return found


# The median days from referral to each police step, counted by the day of the step.
for _key, _label, _basis, _step in (
    (
        "days_to_acknowledgement",
        "Median days referral → acknowledgement",
        "acknowledged by police in the {p}: days from referral",
        Referral.acknowledged_at,
    ),
    (
        "days_to_charge",
        "Median days referral → charge",
        "charged in the {p}: days from referral",
        Referral.charged_at,
    ),
):
    _measure(_key, _label, _basis, "days")(
        partial(_median_days, start=Referral.referred_at, end=_step)
    )


# ------------------------------------------------------- the Referral Agreement's rules

R1_PARTS = (RATE_MET, "contacted later", "not contacted (overdue)", "not yet due")


@_measure(
    "r1_police_contact",
    "Police contacted within 24 h of discovery",
    "serious incidents discovered in the {p}",
    "rate",
    "R1",
)
def _r1(ctx: _Context, m: Measure, periods: Sequence[Period]) -> list[Figure]:
    rows = ctx.session.execute(
        select(Referral.discovered_at, Referral.police_contacted_at)
        .join(CrimeCategory, CrimeCategory.code == Referral.category_code)
        .where(CrimeCategory.serious_incident.is_(True))  # type: ignore[attr-defined]
        .where(_Buckets(periods).window(Referral.discovered_at))
    )
    return _rate(ctx, m, periods, rows, POLICE_CONTACT_WITHIN, R1_PARTS)


R5_PARTS = (RATE_MET, "laid later", "laid, time not recorded", "not laid (overdue)", "not yet due")


@_measure(
    "r5_adjudication",
    "Adjudication charge laid within 48 h of discovery",
    "incidents discovered in the {p}",
    "rate",
    "R5",
)
def _r5(ctx: _Context, m: Measure, periods: Sequence[Period]) -> list[Figure]:
    buckets = _Buckets(periods)
    rows = ctx.session.execute(
        select(
            Referral.discovered_at, Referral.adjudication_laid_at, Referral.adjudication_charge
        ).where(buckets.window(Referral.discovered_at))
    )
    for discovered, laid, charge in rows:
        due = discovered + ADJUDICATION_WITHIN
        if laid is None and charge:
            buckets.add(discovered, "laid, time not recorded")
        else:
            buckets.add(discovered, _in_time(R5_PARTS, laid, due, ctx.now))
    return buckets.rates(m, R5_PARTS)


def _rate(
    ctx: _Context,
    m: Measure,
    periods: Sequence[Period],
    rows: Iterable[tuple[datetime, datetime | None]],
    within: timedelta,
    order: Sequence[str],
) -> list[Figure]:
    buckets = _Buckets(periods)
    for started, done in rows:
        buckets.add(started, _in_time(order, done, started + within, ctx.now))
    return buckets.rates(m, order)


R7_PARTS = (RATE_MET, "told late", "not told (overdue)", "not yet due")


@_measure(
    "r7_victims",
    "Victims told of the police decision in time",
    "victims of police decisions in the {p}, each counted once (5 working days; 1 with "
    "enhanced rights)",
    "rate",
    "R7",
)
def _r7(ctx: _Context, m: Measure, periods: Sequence[Period]) -> list[Figure]:
    """Each victim recorded on the case counts once, told when their contact log first has a
    contact at or after the decision; a case whose contact log is not used yet (no contact
    logged for any victim) reads the referral's typed "victim last updated" and "enhanced
    rights" for each; a
    referral marked "staff victim" with nobody recorded counts once, by that typed date."""
    from cipco.services.victims import victims_and_contacts

    buckets = _Buckets(periods)
    victim = exists().where(
        ReferralParty.referral_id == Referral.id, ReferralParty.role == PartyRole.VICTIM
    )
    rows = ctx.session.execute(
        select(
            Referral.id,
            Referral.police_decision_at,
            Referral.victim_updated_at,
            Referral.enhanced_victim,
        )
        .where(buckets.window(Referral.police_decision_at))
        .where(or_(Referral.staff_victim.is_(True), victim))  # type: ignore[attr-defined]
    ).all()
    people, contacts = victims_and_contacts(ctx.session, [row[0] for row in rows])
    for rid, decided, typed, typed_enhanced in rows:
        summary = typed if typed is not None and typed >= decided else None
        recorded = people.get(rid, [])
        logged = any(contacts.get(pid) for pid, _ in recorded)
        victims = [
            (
                next((at for at in contacts.get(pid, ()) if at >= decided), None)
                if logged
                else summary,
                enhanced if logged else enhanced or bool(typed_enhanced),
            )
            for pid, enhanced in recorded
        ] or [(summary, bool(typed_enhanced))]
        for told, enhanced in victims:
            due = victim_update_due(decided, enhanced, ctx.settings)
            buckets.add(decided, _in_time(R7_PARTS, told, due, ctx.now))
    return buckets.rates(m, R7_PARTS)


# The figures of a performance return, in the order a manager reads them.
PERFORMANCE = (
    "referrals_made",
    "r1_police_contact",
    "r5_adjudication",
    "r7_victims",
    "days_to_acknowledgement",
    "days_to_charge",
    "charges",
    "convictions",
    "open_at_end",
    "overdue",
)
