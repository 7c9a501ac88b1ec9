"""Checks every log makes the same way: no date before 1900, nothing in the future, nothing
dated before what it follows. Each refusal names its field."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import date, datetime
from typing import Any, TypeVar

from cipco.clock import Clock, today
from cipco.dates import EARLIEST, before, format_date, format_datetime, to_london
from cipco.services.errors import RecordError

StatusT = TypeVar("StatusT", bound=str)


def _label(field: str, labels: Mapping[str, str] | None) -> str:
    if labels and field in labels:
        return labels[field].lower() if labels[field][:1].isupper() else labels[field]
    return field.removesuffix("_at").removesuffix("_on").replace("_", " ")


def real_dates(
    values: Mapping[str, Any],
    *,
    error: type[RecordError] = RecordError,
    labels: Mapping[str, str] | None = None,
) -> None:
    """Refuse any date or instant in ``values`` before 1900 (it cannot be real)."""
    for field, value in values.items():
        if isinstance(value, datetime):
            day = value.date() if value.tzinfo is None else to_london(value).date()
        elif isinstance(value, date):
            day = value
        else:
            continue
        if day < EARLIEST:
            raise error(f"{_label(field, labels)}: {format_date(day)} is before 1900", field=field)


def not_future(
    value: datetime | date | None,
    clock: Clock,
    field: str,
    label: str,
    *,
    error: type[RecordError] = RecordError,
) -> None:
    """Refuse a time after now (a date after today)."""
    if value is None:
        return
    if isinstance(value, datetime):
        if value > clock.now():
            raise error(f"{label}: {format_datetime(value)} is in the future", field=field)
    elif value > today(clock):
        raise error(f"{label}: {format_date(value)} is in the future", field=field)


def not_before(
    value: datetime,
    earlier: datetime | None,
    field: str,
    label: str,
    what: str,
    *,
    error: type[RecordError] = RecordError,
) -> None:
    """Refuse ``value`` dated before ``earlier`` (``what`` names it: "the incident")."""
    if earlier is not None and before(value, earlier):
        raise error(
            f"{label}: {format_datetime(value)} is before {what} ({format_datetime(earlier)})",
            field=field,
        )


def one_line(value: str | None) -> str:
    """Typed text with its runs of spaces, tabs and new lines made single spaces."""
    return " ".join((value or "").split())


def required(
    value: str | None, field: str, message: str, *, error: type[RecordError] = RecordError
) -> str:
    """The text on one line, or ``message`` (naming ``field``) when nothing was typed."""
    text = one_line(value)
    if not text:
        raise error(message, field=field)
    return text


def checked_move(
    statuses: Callable[[str], StatusT],
    transitions: Mapping[StatusT, Sequence[StatusT]],
    current: str,
    to: str,
    *,
    label: Callable[[str], str],
    error: type[RecordError] = RecordError,
    what: str = "a status",
    final: Callable[[], None] | None = None,
) -> StatusT:
    """``to`` as a status a record in ``current`` may move to (by ``transitions``), or one
    sentence naming the moves allowed. ``final`` refuses in its own words a move from a
    status that allows none (a closed clinic is read-only)."""
    try:
        target = statuses(to)
    except ValueError:
        raise error(f"status: '{to}' is not {what}", field="status") from None
    allowed = transitions[statuses(current)]
    if target not in allowed:
        if not allowed and final is not None:
            final()
        names = ", ".join(label(s) for s in allowed) or "none (this status is final)"
        raise error(
            f"status: cannot move from {label(current)} to {label(target)}; allowed: {names}",
            field="status",
        )
    return target
