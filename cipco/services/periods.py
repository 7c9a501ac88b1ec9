"""What a report's figure is: a period of whole London days, a measure (its words and
basis) and one figure (a value, what it is "of", its parts).

The measures themselves, and how each is computed, are in :mod:`cipco.services.measures`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from cipco.clock import Clock, london_midnight, to_london

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
