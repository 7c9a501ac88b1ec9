"""One way to read and write dates: typed into a form, or found in an imported cell.

Day first, as in England and Wales: ``03/04/2026`` is 3 April 2026. Accepted:

- dates: ``03/04/2026``, ``3/4/26``, ``3.4.2026``, ``03-04-2026``, ``2026-04-03``,
  ``3 Apr 2026``, ``3 April 2026``, ``3rd April 2026``, ``03-Apr-26``, ``Mon 3 Apr 2026``,
  ``April 3, 2026``; date and datetime cells; Excel serial numbers (``46115``, ``46115.6``);
- times after the date (a space, ``T`` or ``at`` between): ``14:35``, ``14.35``, ``1435``,
  ``14:35:10``, ``2.15pm``, ``2:15 pm``, ``2pm``; ISO 8601 with an offset
  (``2026-04-03T13:35:00+00:00``) is converted to London time.

A date given without a time is a date whose **time was not recorded**: it is never given a
made-up time. As an instant it is stored as London midnight exactly (which is also how old
trackers and spreadsheet date cells hold such values) and every formatter shows it as a date
alone; a time typed as 00:00 is stored one microsecond later, so it stays a recorded time.

Why not python-dateutil: with ``dayfirst=True`` it reads ``2026-04-03`` as 4 March, silently
falls back to month-first for ``12/13/2026`` and fills a missing year or day from today, so a
typo becomes a wrong date instead of a refusal. The forms here are few and exact.

Dates before 1900 cannot be real for anything cipco records and are refused.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from cipco.clock import LONDON, to_london

EARLIEST = date(1900, 1, 1)
EXCEL_EPOCH = date(1899, 12, 30)
MAX_EXCEL_SERIAL = 2958465  # 31/12/9999
MIN_EXCEL_SERIAL = 10_000  # 18/05/1927: a smaller number is a count or a typo, not a date
TIME_NOT_RECORDED = "time not recorded"
DATE_HINT = "type it as dd/mm/yyyy"
DATETIME_HINT = "type dd/mm/yyyy, then the time if known (14:05)"
_TYPED_MIDNIGHT = timedelta(microseconds=1)


class DateError(ValueError):
    """A value is not a usable date or time; the message says why, for the user."""


@dataclass(frozen=True)
class When:
    """A London calendar date and, if it was recorded, the wall-clock time."""

    day: date
    time: time | None = None

    @property
    def time_recorded(self) -> bool:
        return self.time is not None

    @property
    def instant(self) -> datetime:
        """As a UTC-aware instant (London midnight exactly when the time was not recorded)."""
        return instant(self.day, self.time)

    def __str__(self) -> str:
        return format_date(self.day) + (f" {self.time:%H:%M}" if self.time is not None else "")


# ---------------------------------------------------------------- instants


def instant(day: date, at: time | None = None) -> datetime:
    """A London date and optional wall-clock time as a UTC-aware instant."""
    if at is None:
        return datetime.combine(day, time.min, tzinfo=LONDON).astimezone(UTC)
    moment = datetime.combine(day, at.replace(tzinfo=None), tzinfo=LONDON)
    if at.hour == at.minute == at.second == at.microsecond == 0:
        moment += _TYPED_MIDNIGHT  # a typed 00:00 is a recorded time, not a missing one
    return moment.astimezone(UTC)


def time_recorded(at: datetime | None) -> bool:
    """False for an instant that stands for a date alone (London midnight exactly)."""
    return at is not None and to_london(at).time() != time.min


def before(earlier: datetime, later: datetime) -> bool:
    """True if ``earlier`` is certainly before ``later``.

    When either time was not recorded only the London dates are compared, so an incident
    on 03/04 with no time is not "after" a move at 09:00 the same day.
    """
    if time_recorded(earlier) and time_recorded(later):
        return earlier < later
    return to_london(earlier).date() < to_london(later).date()


# ---------------------------------------------------------------- formatting


def format_date(day: date | datetime | None) -> str:
    """``03/04/2026``; an instant is shown as its London date; None is blank."""
    if day is None:
        return ""
    if isinstance(day, datetime):
        day = to_london(day).date()
    return f"{day:%d/%m/%Y}"


def format_time(at: datetime | None) -> str:
    """``14:05`` in London; blank when None or not recorded."""
    if at is None or not time_recorded(at):
        return ""
    return f"{to_london(at):%H:%M}"


def format_datetime(at: datetime | None, *, say_untimed: bool = False) -> str:
    """``03/04/2026 14:05``, or the date alone when the time was not recorded.

    ``say_untimed`` adds "(time not recorded)" where a reader needs to know (record pages).
    """
    if at is None:
        return ""
    if not time_recorded(at):
        return format_date(at) + (f" ({TIME_NOT_RECORDED})" if say_untimed else "")
    return f"{to_london(at):%d/%m/%Y %H:%M}"


# ---------------------------------------------------------------- parsing

_MONTHS: dict[str, int] = {}
for _number, _names in enumerate(
    (
        ("jan", "january"),
        ("feb", "february"),
        ("mar", "march"),
        ("apr", "april"),
        ("may",),
        ("jun", "june"),
        ("jul", "july"),
        ("aug", "august"),
        ("sep", "sept", "september"),
        ("oct", "october"),
        ("nov", "november"),
        ("dec", "december"),
    ),
    start=1,
):
    for _name in _names:
        _MONTHS[_name] = _number

_SEP = r"[/.\-]"
_NUMERIC = re.compile(rf"^(\d{{1,2}}){_SEP}(\d{{1,2}}){_SEP}(\d{{4}}|\d{{2}})$")
_ISO_DAY = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_DAY_MONTH = re.compile(r"^(\d{1,2})(?:st|nd|rd|th)?[\s\-/.]*([a-z]+)\.?[\s\-/.,]*(\d{4}|\d{2})$")
_MONTH_DAY = re.compile(r"^([a-z]+)\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$")
_WEEKDAY = re.compile(r"^(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)[a-z]*\.?,?\s+(?=\d)")
_ISO_INSTANT = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:?\d{2})$"
)
_TIME = re.compile(
    r"^(\d{1,2})(?:[:.](\d{2})(?:[:.](\d{2}))?)?\s*(am|pm|a\.m\.|p\.m\.)?$", re.IGNORECASE
)
_HHMM = re.compile(r"^([01]\d|2[0-3])([0-5]\d)$")
_TIME_TAIL = re.compile(r"^(.*?\d)(?:\s*,\s*|\s+at\s+|\s+|T)(\S+(?:\s*[ap]\.?m\.?)?)$", re.I)
_NUMBER_TEXT = re.compile(r"^\d+(\.\d+)?$")


def _year(text: str) -> int:
    year = int(text)
    if len(text) == 2:  # 26 -> 2026, 69 -> 2069; 70 -> 1970 (as spreadsheets read them)
        year += 2000 if year < 70 else 1900
    return year


def _real(original: str, year: int, month: int, day: int) -> date:
    try:
        value = date(year, month, day)
    except ValueError:
        raise DateError(f"'{original}' is not a real date") from None
    return _plausible(value, original)


def _plausible(value: date, original: Any) -> date:
    if value < EARLIEST:
        raise DateError(f"'{original}' is before 1900")
    return value


def _serial(number: float, original: Any) -> datetime:
    if not MIN_EXCEL_SERIAL <= number <= MAX_EXCEL_SERIAL:
        raise DateError(f"'{original}' is not a date")
    moment = datetime.combine(EXCEL_EPOCH, time.min) + timedelta(days=float(number))
    # Excel keeps times as fractions of a day: round to the second it meant.
    seconds = round(moment.second + moment.microsecond / 1e6)
    return moment.replace(microsecond=0, second=0) + timedelta(seconds=seconds)


def _day_from_text(text: str) -> date:
    lowered = text.lower().strip(" ,")
    lowered = _WEEKDAY.sub("", lowered)
    if match := _NUMERIC.match(lowered):
        return _real(text, _year(match[3]), int(match[2]), int(match[1]))
    if match := _ISO_DAY.match(lowered):
        return _real(text, int(match[1]), int(match[2]), int(match[3]))
    if match := _DAY_MONTH.match(lowered):
        month = _MONTHS.get(match[2])
        if month is None:
            raise DateError(f"'{text}' is not a date ('{match[2]}' is not a month)")
        return _real(text, _year(match[3]), month, int(match[1]))
    if match := _MONTH_DAY.match(lowered):
        month = _MONTHS.get(match[1])
        if month is not None:
            return _real(text, int(match[3]), month, int(match[2]))
    raise DateError(f"'{text}' is not a date; {DATE_HINT}")


def parse_time(value: Any) -> time | None:
    """``14:35``, ``14.35``, ``1435``, ``14:35:10``, ``2.15pm``, ``2pm``; time and datetime
    cells; a number cell (``1435``, ``935``) or a fraction of a day (``0.6076``). Blank is None.
    """
    if value is None:
        return None
    if isinstance(value, time):
        return value.replace(tzinfo=None)
    if isinstance(value, datetime):
        return value.time()
    if isinstance(value, bool):
        raise DateError(f"'{value}' is not a time")
    if isinstance(value, float) and 0 <= value < 1:  # a spreadsheet time: a fraction of a day
        seconds = round(value * 86400)
        return time(seconds // 3600 % 24, seconds // 60 % 60, seconds % 60)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and 0 <= value <= 2359:  # a number cell: 1435, 935 (09:35)
        value = f"{value:04d}"
    text = " ".join(str(value).split())
    if not text:
        return None
    if match := _HHMM.match(text):
        return time(int(match[1]), int(match[2]))
    match = _TIME.match(text)
    if match is None or (match[2] is None and match[4] is None):
        raise DateError(f"'{text}' is not a time; type hh:mm (24-hour) or 2.15pm")
    hour, minute, second = int(match[1]), int(match[2] or 0), int(match[3] or 0)
    half = (match[4] or "").lower().replace(".", "")
    if half:
        if not 1 <= hour <= 12:
            raise DateError(f"'{text}' is not a time: {hour} is not an hour of am or pm")
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59 or second > 59:
        raise DateError(f"'{text}' is not a time")
    return time(hour, minute, second)


def parse_when(value: Any) -> When | None:
    """A typed or imported value as a date with its time if one was given; blank is None.

    Raises :class:`DateError` with a sentence (without the field's name: callers add it).
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise DateError(f"'{value}' is not a date")
    if isinstance(value, datetime):
        local = to_london(value) if value.tzinfo is not None else value
        _plausible(local.date(), format_date(local.date()))
        if local.time() == time.min:
            return When(local.date(), None)
        return When(local.date(), local.time().replace(microsecond=0))
    if isinstance(value, date):
        return When(_plausible(value, format_date(value)), None)
    if isinstance(value, int | float):
        if value != value:  # NaN
            raise DateError("not a date")
        return parse_when(_serial(value, value))
    text = " ".join(str(value).split())
    if not text:
        return None
    if _NUMBER_TEXT.match(text) and not _HHMM.match(text):
        return parse_when(_serial(float(text), text))
    if _ISO_INSTANT.match(text):
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise DateError(f"'{text}' is not a real date and time") from None
        return parse_when(moment)
    try:
        return When(_day_from_text(text), None)
    except DateError as whole_problem:
        tail = _TIME_TAIL.match(text)
        if tail is None:
            raise
        try:
            day = _day_from_text(tail[1])
        except DateError as day_problem:
            if str(day_problem).endswith(DATE_HINT):  # the date part is not a date at all
                raise whole_problem from None
            raise  # a date-like part that is wrong: say how (no 31/02, before 1900…)
        return When(day, parse_time(tail[2]))


def parse_date(value: Any) -> date | None:
    """A calendar date (a time given with it is ignored); blank is None."""
    parsed = parse_when(value)
    return parsed.day if parsed is not None else None


def parse_datetime(value: Any) -> datetime | None:
    """A UTC-aware instant; a date alone is stored as "time not recorded". Blank is None."""
    parsed = parse_when(value)
    return parsed.instant if parsed is not None else None


def parse_wall_clock(value: Any) -> datetime | None:
    """A naive London wall-clock datetime (midnight when no time), as spreadsheets hold it."""
    parsed = parse_when(value)
    if parsed is None:
        return None
    return wall_clock(parsed.day, parsed.time)


def wall_clock(day: date, at: time | None) -> datetime:
    """A naive London wall-clock datetime: midnight exactly when the time was not recorded,
    a recorded 00:00 one microsecond later (so it stays a recorded time)."""
    if at is None:
        return datetime.combine(day, time.min)
    moment = datetime.combine(day, at.replace(tzinfo=None))
    return moment + _TYPED_MIDNIGHT if moment.time() == time.min else moment
