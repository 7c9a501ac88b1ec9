"""The home screen's charts: the last twelve months at a glance, from the measures.

Every number here is a :mod:`cipco.services.measures` figure (the reports print the same
ones): referrals per month by category, the outcomes decided in the twelve months, and the
share of the R1, R5 and R7 deadlines met, per month and over the twelve months. Nothing is
counted here; the category series only pick the largest parts of each month's figure and
put the rest under "Other".

:func:`home_charts` runs in one read snapshot and returns plain frozen values, safe to hand
from a worker thread to the screen.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session

from cipco.clock import Clock, today
from cipco.services.measures import Figure, Period, figures, trend

MONTHS = 12
TOP_CATEGORIES = 4  # more series than this make a stacked bar unreadable at 80 columns
OTHER = "Other"
DEADLINES = ("r1_police_contact", "r5_adjudication", "r7_victims")


@dataclass(frozen=True)
class Series:
    name: str
    values: tuple[float, ...]  # one per month, oldest first


@dataclass(frozen=True)
class DeadlineShare:
    rule: str  # R1, R5, R7
    total: Figure  # the twelve months
    monthly: tuple[Figure, ...]

    @property
    def shares(self) -> tuple[float | None, ...]:
        """Per month, the percentage met (None where nothing fell due to be measured)."""
        return tuple(_share(f) for f in self.monthly)

    @property
    def text(self) -> str:
        return f"{self.rule} {self.total.text}"


@dataclass(frozen=True)
class HomeCharts:
    window: Period  # the twelve months, this one included
    months: tuple[str, ...]  # "Dec 25" … "Nov 26"
    referrals: Figure  # referrals_made over the twelve months (as the reports print it)
    categories: Figure  # by_category over the twelve months (parts: every category)
    by_category: tuple[Series, ...]
    outcomes: Figure  # outcomes over the twelve months (parts: each outcome decided)
    deadlines: tuple[DeadlineShare, ...]

    @property
    def empty(self) -> bool:
        """Nothing to draw: no referral, no outcome and no deadline in the twelve months."""
        return (
            not self.referrals.value
            and not self.outcomes.value
            and not any(d.total.of for d in self.deadlines)
        )

    @property
    def this_month(self) -> float:
        return sum(series.values[-1] for series in self.by_category)


def _share(figure: Figure) -> float | None:
    if not figure.of:
        return None
    return round(100 * (figure.value or 0) / figure.of, 1)


def twelve_months(clock: Clock) -> tuple[list[Period], Period]:
    """The last twelve months (this one last) and one period spanning them."""
    months = Period.month(today(clock)).series(MONTHS)
    label = f"{months[0].short} – {months[-1].short}"
    return months, Period(months[0].start, months[-1].end, label, "twelve months")


def home_charts(session: Session, clock: Clock) -> HomeCharts:
    """The figures the home screen draws, read in the caller's snapshot."""
    months, window = twelve_months(clock)
    monthly = trend(session, "by_category", months, clock)
    referrals, categories, outcomes, *totals = figures(
        session, ["referrals_made", "by_category", "outcomes", *DEADLINES], window, clock
    )
    top = [name for name, _ in categories.parts[:TOP_CATEGORIES]]
    series = [
        Series(name, tuple(float(dict(f.parts).get(name, 0)) for f in monthly)) for name in top
    ]
    rest = tuple(float(f.number - sum(dict(f.parts).get(name, 0) for name in top)) for f in monthly)
    if any(rest):
        series.append(Series(OTHER, rest))
    deadlines = tuple(
        DeadlineShare(total.measure.rule, total, tuple(trend(session, key, months, clock)))
        for key, total in zip(DEADLINES, totals, strict=True)
    )
    return HomeCharts(
        window=window,
        months=tuple(m.short for m in months),
        referrals=referrals,
        categories=categories,
        by_category=tuple(series),
        outcomes=outcomes,
        deadlines=deadlines,
    )
