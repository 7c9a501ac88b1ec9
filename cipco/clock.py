"""Time for cipco: an injectable clock and the England and Wales working-day calendar.

Every "now" and "today" in the code comes from a :class:`Clock`, so tests can freeze time.
Instants are UTC-aware datetimes; calendar dates are shown and reasoned about in London.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Protocol
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current instant, UTC-aware."""
        ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


class FixedClock:
    """A clock that stands still until told to move (tests, demo data)."""

    def __init__(self, at: datetime) -> None:
        if at.tzinfo is None:
            raise ValueError("FixedClock needs a timezone-aware datetime")
        self._at = at.astimezone(UTC)

    def now(self) -> datetime:
        return self._at

    def advance(self, delta: timedelta) -> None:
        self._at += delta

    def set(self, at: datetime) -> None:
        self._at = at.astimezone(UTC)


def today(clock: Clock) -> date:
    """Today's date in London."""
    return clock.now().astimezone(LONDON).date()


class ReadMoment:
    """``now`` and ``today`` of one read, taken from its ``clock`` at first use and then
    fixed, so every rule in the read sees the same instant (the base of the contexts that
    queues, filters and due sources are given)."""

    clock: Clock

    @cached_property
    def now(self) -> datetime:
        return self.clock.now()

    @cached_property
    def today(self) -> date:
        return today(self.clock)


def to_london(at: datetime) -> datetime:
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    return at.astimezone(LONDON)


def london_midnight(day: date) -> datetime:
    """The UTC instant at which ``day`` starts in London."""
    return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)


def end_of_day(day: date) -> datetime:
    """The last UTC instant of ``day`` in London (deadlines given as dates end here)."""
    return london_midnight(day + timedelta(days=1)) - timedelta(microseconds=1)


def local_datetime(day: date, at: time) -> datetime:
    """A London wall-clock date and time as a UTC-aware instant."""
    return datetime.combine(day, at, tzinfo=LONDON).astimezone(UTC)


BANK_HOLIDAYS_TABLE = (
    Path(__file__).resolve().parent / "reference" / "bank_holidays_england_wales.csv"
)


@lru_cache(maxsize=1)
def _bank_holiday_table() -> dict[int, frozenset[date]]:
    """England and Wales bank holidays by year, as the ``holidays`` package lists them,
    kept in a small table so working days cost no import of that package (0.1 s at start).
    A test checks the table against the installed package year by year."""
    by_year: dict[int, set[date]] = {}
    with BANK_HOLIDAYS_TABLE.open(encoding="utf-8") as handle:
        next(handle)  # header
        for line in handle:
            day = date.fromisoformat(line.split(",", 1)[0])
            by_year.setdefault(day.year, set()).add(day)
    return {year: frozenset(days) for year, days in by_year.items()}


@lru_cache(maxsize=64)
def _bank_holidays(year: int) -> frozenset[date]:
    table = _bank_holiday_table()
    if year in table:
        return table[year]
    import holidays

    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year).keys())


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def add_working_days(day: date, n: int) -> date:
    """The date ``n`` working days after ``day`` (England and Wales bank holidays)."""
    step = 1 if n >= 0 else -1
    remaining = abs(n)
    current = day
    while remaining:
        current += timedelta(days=step)
        if is_working_day(current):
            remaining -= 1
    return current


def add_months(day: date, months: int) -> date:
    """Calendar months later, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year = day.year + month_index // 12
    month = month_index % 12 + 1
    for candidate in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, candidate))
        except ValueError:
            continue
    raise ValueError(f"cannot add {months} months to {day}")


# Typed dates are read and shown by cipco.dates (one parser for forms and imports); these
# names stay for the screens that import them from here.


def parse_uk_date(text: str) -> date:
    """A typed date, day first (``03/04/2026``, ``3 Apr 2026``…). Raises ValueError in words."""
    from cipco.dates import DATE_HINT, DateError, parse_date

    try:
        parsed = parse_date(text)
    except DateError as exc:
        if "not a real date" not in str(exc):
            raise
        raise DateError(f"'{text}' is not a date: there is no such day") from None
    if parsed is None:
        raise DateError(f"a date is needed; {DATE_HINT}")
    return parsed


def parse_uk_datetime(text: str) -> datetime:
    """A typed London date and optional time as UTC (a date alone: time not recorded)."""
    from cipco.dates import DATETIME_HINT, DateError, parse_datetime

    try:
        parsed = parse_datetime(text)
    except DateError as exc:
        if "not a time" in str(exc):
            raise
        raise DateError(f"'{text}' is not a date and time; {DATETIME_HINT}") from None
    if parsed is None:
        raise DateError(f"a date is needed; {DATETIME_HINT}")
    return parsed


def format_date(day: date | None) -> str:
    from cipco.dates import format_date as formatted

    return formatted(day)


def format_datetime(at: datetime | None) -> str:
    from cipco.dates import format_datetime as formatted

    return formatted(at)
