"""One parser for typed and imported dates: every listed form, day first, never a fake time."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cipco import dates
from cipco.dates import DateError, When, format_datetime, parse_datetime, parse_when

DAYS = st.dates(min_value=date(1970, 1, 1), max_value=date(2069, 12, 31))
# A typed time is a London wall-clock time: it cannot say which of autumn's two 01:30s it
# means (``fold``), so it always means the first (test_the_repeated_autumn_hour_...).
TIMES = st.times().map(lambda t: t.replace(second=0, microsecond=0, fold=0))


def written_forms(day: date) -> list[str]:
    """Every way the spreadsheet rules say a date may be written."""
    return [
        f"{day:%d/%m/%Y}",
        f"{day.day}/{day.month}/{day:%y}",
        f"{day:%Y-%m-%d}",
        f"{day.day} {day:%b %Y}",
        f"{day.day} {day:%B %Y}",
        f"{day.day}.{day.month}.{day.year}",
        f"{day:%d-%b-%y}",
        f"{day:%a} {day.day} {day:%b %Y}",
        f"{day:%B} {day.day}, {day.year}",
    ]


@given(DAYS)
def test_every_written_date_reads_back_as_that_day_with_no_time(day: date) -> None:
    for text in written_forms(day):
        parsed = parse_when(text)
        assert parsed == When(day, None), text


@given(DAYS, TIMES)
def test_every_written_time_reads_back(day: date, at: time) -> None:
    hour12 = at.hour % 12 or 12
    half = "am" if at.hour < 12 else "pm"
    for text in (
        f"{day:%d/%m/%Y} {at:%H:%M}",
        f"{day:%d/%m/%Y} {at:%H%M}",
        f"{day:%d/%m/%Y} {at:%H.%M}",
        f"{day.day} {day:%b %Y} {at:%H:%M}",
        f"{day:%Y-%m-%d}T{at:%H:%M}",
        f"{day:%d/%m/%Y} {hour12}.{at:%M}{half}",
        f"{day:%d/%m/%Y} at {hour12}:{at:%M} {half}",
    ):
        assert parse_when(text) == When(day, at), text


@given(DAYS, TIMES)
def test_format_then_parse_is_the_same_instant(day: date, at: time) -> None:
    instant = dates.instant(day, at)
    assert parse_datetime(format_datetime(instant)) == instant
    untimed = dates.instant(day)
    assert format_datetime(untimed) == f"{day:%d/%m/%Y}"
    assert parse_datetime(format_datetime(untimed)) == untimed


def test_the_repeated_autumn_hour_reads_as_its_first_time() -> None:
    # 31/10/1999: the clocks went back at 02:00 BST, so 01:00 London came twice
    first, second = (
        datetime(1999, 10, 31, 0, 0, tzinfo=UTC),
        datetime(1999, 10, 31, 1, 0, tzinfo=UTC),
    )
    assert format_datetime(first) == format_datetime(second) == "31/10/1999 01:00"
    assert parse_datetime("31/10/1999 01:00") == first


@given(st.text(max_size=40))
def test_any_text_is_a_date_or_one_sentence(text: str) -> None:
    try:
        parse_when(text)
    except DateError as exc:
        assert str(exc) and "\n" not in str(exc)


@given(st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9998, 12, 31)))
def test_datetime_cells_keep_their_wall_clock(cell: datetime) -> None:
    parsed = parse_when(cell)
    assert parsed is not None and parsed.day == cell.date()
    expected = None if cell.time() == time.min else cell.time().replace(microsecond=0)
    assert parsed.time == expected


def test_day_first_never_month_first() -> None:
    assert parse_when("03/04/2026") == When(date(2026, 4, 3))
    assert parse_when("3/4/26") == When(date(2026, 4, 3))
    with pytest.raises(DateError, match="not a real date"):
        parse_when("12/13/2026")  # month-first would read 13 December


def test_excel_serials_and_datetime_cells() -> None:
    assert parse_when(46115) == When(date(2026, 4, 3))
    assert parse_when(46115.5) == When(date(2026, 4, 3), time(12, 0))
    assert parse_when(datetime(2026, 4, 3)) == When(date(2026, 4, 3))
    assert parse_when(date(2026, 4, 3)) == When(date(2026, 4, 3))
    aware = datetime(2026, 7, 1, 13, 0, tzinfo=UTC)  # 14:00 British Summer Time
    assert parse_when(aware) == When(date(2026, 7, 1), time(14, 0))


def test_a_date_alone_is_time_not_recorded_never_midnight() -> None:
    untimed = parse_datetime("3 Apr 2026")
    assert untimed is not None and not dates.time_recorded(untimed)
    assert format_datetime(untimed) == "03/04/2026"
    assert format_datetime(untimed, say_untimed=True) == "03/04/2026 (time not recorded)"
    typed_midnight = parse_datetime("3 Apr 2026 00:00")
    assert typed_midnight is not None and dates.time_recorded(typed_midnight)
    assert format_datetime(typed_midnight) == "03/04/2026 00:00"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("3 Apr", "not a date"),
        ("2026", "not a date"),
        ("14:05", "not a date"),
        ("31/02/2026", "not a real date"),
        ("01/01/1899", "before 1900"),
        ("03/04/2026 25:00", "not a time"),
        ("03/04/2026 13pm", "not a time"),
        ("3 Foo 2026", "'foo' is not a month"),
        ("3", "not a date"),
        # with a time, the date part's own problem is named, not "type it as dd/mm/yyyy"
        ("31/02/2026 10:00", "'31/02/2026' is not a real date"),
        ("01/01/1899 10:00", "'01/01/1899' is before 1900"),
        ("3 Foo 2026 10:00", "'foo' is not a month"),
        ("hello 10:00", "'hello 10:00' is not a date; type it as"),
    ],
)
def test_impossible_or_partial_values_are_refused(text: str, problem: str) -> None:
    with pytest.raises(DateError, match=problem):
        parse_when(text)


def test_untimed_comparisons_use_the_day() -> None:
    incident = parse_datetime("03/04/2026")
    assert incident is not None
    same_day = parse_datetime("03/04/2026 09:00")
    day_before = parse_datetime("02/04/2026 23:00")
    assert same_day is not None and day_before is not None
    assert not dates.before(same_day, incident)
    assert dates.before(day_before, incident)
