"""How a measure's rows are counted: into periods, and per group (one site, or each site).

A measure (:mod:`cipco.services.measures`) is computed for one group, every row the session
reads (``Key`` ``None``), or for each of several sites at once, its rows grouped by site.
Counts are made by the database (:func:`tally`: one ``GROUP BY`` query, a ``count`` per
period); a rule that has to be applied to each row counts it in one pass into
:class:`Buckets` by group and period.
"""

from __future__ import annotations

import bisect
import statistics
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, case, func, null, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.referral import Referral
from cipco.services.flags import FlagSettings
from cipco.services.periods import RATE_MET, Figure, Measure, Period

Key = str | None  # a site's code, or None: every row the session reads, as one group
Grouped = dict[Key, list[Figure]]  # each group's figures, one per period


@dataclass
class Context:
    session: Session
    clock: Clock
    settings: dict[Key, FlagSettings]  # each group's settings (a site's own)
    sites: tuple[str, ...] | None = None  # None: one group; else one group per site

    @property
    def now(self) -> datetime:
        return self.clock.now()

    @property
    def keys(self) -> list[Key]:
        return list(self.sites) if self.sites is not None else [None]

    def site(self, model: Any = Referral) -> Any:
        """The column a row's group is read from: its site, or NULL when there is one."""
        return model.site if self.sites is not None else null()


def window(periods: Sequence[Period], column: Any) -> Any:
    """``column`` falls in the span from the first period's start to the last one's end."""
    spans = [p.bounds() for p in periods]
    return and_(column >= min(s for s, _ in spans), column < max(e for _, e in spans))


def within(periods: Sequence[Period], column: Any) -> list[Any]:
    """For each period: ``column`` falls in it."""
    return [and_(column >= start, column < end) for start, end in (p.bounds() for p in periods)]


class Buckets:
    """Which of the periods an instant falls in (periods may be given in any order), and
    each group's count of every part in each period."""

    def __init__(self, ctx: Context, periods: Sequence[Period]) -> None:
        self.periods = list(periods)
        spans = sorted((p.bounds(), i) for i, p in enumerate(self.periods))
        self.starts = [start for (start, _), _ in spans]
        self.ends = [end for (_, end), _ in spans]
        self.index = [i for _, i in spans]
        self.first = min(self.starts)
        self.last = max(self.ends)
        self.counts: dict[Key, list[dict[str, int]]] = {
            key: [{} for _ in self.periods] for key in ctx.keys
        }

    def of(self, at: datetime | None) -> int | None:
        if at is None or at < self.first or at >= self.last:
            return None
        place = bisect.bisect_right(self.starts, at) - 1
        if place < 0 or at >= self.ends[place]:
            return None
        return self.index[place]

    def window(self, column: Any) -> Any:
        return and_(column >= self.first, column < self.last)

    def add(self, key: Key, at: datetime | None, part: str) -> None:
        """Count one ``part`` for group ``key`` in the period ``at`` falls in (if any)."""
        index = self.of(at)
        counts = self.counts.get(key)
        if index is not None and counts is not None:
            counts[index][part] = counts[index].get(part, 0) + 1

    def put(self, found: dict[Key, dict[Any, list[int]]], names: Sequence[str]) -> None:
        """Add counts the database made (:func:`tally`): for each of ``names``, one count
        per period, in the order of :attr:`periods`."""
        for key, by_value in found.items():
            numbers = by_value.get(None)
            counts = self.counts.get(key)
            if numbers is None or counts is None:
                continue
            size = len(self.periods)
            for place, name in enumerate(names):
                for index, n in enumerate(numbers[place * size : (place + 1) * size]):
                    if n:
                        counts[index][name] = counts[index].get(name, 0) + n

    def breakdown(
        self, m: Measure, parts: Callable[[dict[str, int]], tuple[tuple[str, int], ...]]
    ) -> Grouped:
        """Each period's count of every part, and its ``parts`` in the order shown."""
        return {
            key: [
                Figure(m, p, sum(c.values()), parts=parts(c))
                for p, c in zip(self.periods, counts, strict=True)
            ]
            for key, counts in self.counts.items()
        }

    def rates(self, m: Measure, order: Sequence[str]) -> Grouped:
        """Each period's count met in time, of every one counted, parts in ``order``."""
        return {
            key: [
                Figure(m, p, c.get(RATE_MET, 0), of=sum(c.values()), parts=parts(order, c))
                for p, c in zip(self.periods, counts, strict=True)
            ]
            for key, counts in self.counts.items()
        }


def tally(
    ctx: Context, conditions: Sequence[Any], *where: Any, by: Any = None
) -> dict[Key, dict[Any, list[int]]]:
    """How many referrals meet each of ``conditions``, counted by the database in one pass:
    per group, and per value of ``by`` (``None`` when not given)."""
    key = ctx.site()
    grouping = ([key] if ctx.sites is not None else []) + ([by] if by is not None else [])
    statement = (
        select(
            key,
            by if by is not None else null(),
            *(func.count(case((condition, 1))) for condition in conditions),
        )
        .select_from(Referral)  # named, so a narrowed session (at_site) narrows it too
        .where(*where)
    )
    if grouping:
        statement = statement.group_by(*grouping)
    found: dict[Key, dict[Any, list[int]]] = {k: {} for k in ctx.keys}
    for site, value, *counts in ctx.session.execute(statement):
        if site in found:
            found[site][value] = [int(n) for n in counts]
    return found


def in_time(order: Sequence[str], done: datetime | None, due: datetime, now: datetime) -> str:
    """Which part a deadline is in: met or late (``order``'s first two) when done, else
    overdue or not yet due (its last two)."""
    if done is not None:
        return order[0] if done <= due else order[1]
    return order[-2] if now > due else order[-1]


@dataclass(frozen=True)
class Counted:
    """A count the database makes: for each period, the condition a referral meets to be
    counted; ``where``, the rows it needs; ``at``, the instant each figure is as at."""

    conditions: Callable[[Context, Sequence[Period]], list[Any]]
    where: Callable[[Context, Sequence[Period]], list[Any]]
    at: Callable[[Context, Period], datetime | None] = lambda ctx, period: None


def counted(
    ctx: Context, specs: dict[Any, tuple[Measure, Counted, Sequence[Period]]]
) -> dict[Any, Grouped]:
    """Count measures, each for its periods, in one pass over the referrals. One alone
    reads only the rows it needs; several share one read, each condition joined with its
    measure's ``where``."""
    conditions: list[Any] = []
    where: list[Any] = []
    for _, spec, periods in specs.values():
        rows = spec.where(ctx, periods)
        if len(specs) == 1:
            where, joined = rows, spec.conditions(ctx, periods)
        else:
            joined = [and_(condition, *rows) for condition in spec.conditions(ctx, periods)]
        conditions.extend(joined)
    tallies = tally(ctx, conditions, *where)
    zeros = [0] * len(conditions)
    found: dict[Any, Grouped] = {}
    start = 0
    for key, (m, spec, periods) in specs.items():
        found[key] = {
            group: [
                Figure(m, p, n, as_at=spec.at(ctx, p))
                for p, n in zip(
                    periods, numbers.get(None, zeros)[start : start + len(periods)], strict=True
                )
            ]
            for group, numbers in tallies.items()
        }
        start += len(periods)
    return found


def as_at(period: Period, now: datetime) -> datetime:
    return min(period.bounds()[1], now)


def median(values: list[float]) -> float | None:
    return round(statistics.median(values), 1) if values else None


def days(pairs: Iterable[tuple[datetime | None, datetime | None]]) -> list[float]:
    return [(b - a).total_seconds() / 86400 for a, b in pairs if a and b and b >= a]


def parts(order: Sequence[str], counts: dict[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple((name, counts.get(name, 0)) for name in order)


def labelled(
    m: Measure,
    periods: Sequence[Period],
    tallies: dict[Key, dict[Any, list[int]]],
    label: Callable[[Any], str | None],
    parts: Callable[[dict[str, int]], tuple[tuple[str, int], ...]],
    extra: dict[Key, list[int]] | None = None,
    extra_label: str = "",
) -> Grouped:
    """A breakdown from tallies by value: each value's count under its ``label`` (values
    sharing a label add up; a value with no label is not counted), plus ``extra``."""
    found: Grouped = {}
    for key, by_value in tallies.items():
        found[key] = []
        for index, p in enumerate(periods):
            counts: dict[str, int] = {}
            if extra is not None and extra[key][index]:
                counts[extra_label] = extra[key][index]
            for value, numbers in by_value.items():
                name = label(value)
                if name is not None and numbers[index]:
                    counts[name] = counts.get(name, 0) + numbers[index]
            found[key].append(Figure(m, p, sum(counts.values()), parts=parts(counts)))
    return found
