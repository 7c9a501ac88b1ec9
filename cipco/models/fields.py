"""Field types for input schemas: what a typed or imported value is cleaned to, said once.

``name: Line`` instead of a validator per schema: pydantic runs the cleaning declared here.

- :data:`Line`: text on one line (runs of spaces, tabs and new lines become one space);
  blank or missing is ``""``.
- :data:`MaybeLine`: the same, but blank is ``None`` (an optional reference, a crime ref).
- :data:`Notes`: free text kept as typed (new lines too), stripped; missing is ``""``.
- :data:`Aware` / :data:`MaybeAware`: an instant with its time zone (a naive one is refused);
  typed text is read day-first by the one dates parser.
- :func:`required` / :func:`maybe_required`: one-line text that must not be blank
  (``Annotated[str, required("a title")]``).
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator


def one_line(value: Any) -> Any:
    return " ".join(value.split()) if isinstance(value, str) else value


def _line(value: Any) -> Any:
    return "" if value is None else one_line(value)


def maybe_line(value: Any) -> Any:
    return one_line(value) or None if isinstance(value, str) else value


def _notes(value: Any) -> Any:
    return "" if value is None else str(value).strip()


def typed_instant(value: Any) -> Any:
    """Text as a person types a time ("3 Apr 2026 14:05", "03/04/2026 14:05"), read by the
    one dates parser (:func:`cipco.dates.parse_datetime`); ISO text and anything else go
    to pydantic as they are."""
    if not isinstance(value, str) or not value.strip():
        return None if isinstance(value, str) else value
    try:
        return datetime.fromisoformat(value.strip())
    except ValueError:
        from cipco.dates import parse_datetime

        return parse_datetime(value)


def _aware(value: datetime | None) -> datetime | None:
    if value is not None and value.tzinfo is None:
        raise ValueError("a time needs a time zone")
    return value


def blank_to_none(value: Any) -> Any:
    return None if isinstance(value, str) and not value.strip() else value


BLANK_IS_NONE = BeforeValidator(blank_to_none)
"""For a typed field that may be left blank: ``Annotated[Enum | None, BLANK_IS_NONE]``."""
Line = Annotated[str, BeforeValidator(_line)]
MaybeLine = Annotated[str | None, BeforeValidator(maybe_line)]
Notes = Annotated[str, BeforeValidator(_notes)]
Aware = Annotated[datetime, BeforeValidator(typed_instant), AfterValidator(_aware)]
MaybeAware = Annotated[datetime | None, BeforeValidator(typed_instant), AfterValidator(_aware)]


def required(what: str, *, message: str = "", lines: bool = False) -> BeforeValidator:
    """Text that must be given: blank is refused as "<what> is required" (or ``message``).

    ``Title = Annotated[str, required("a title")]``; ``lines=True`` keeps new lines (notes).
    """
    clean = _notes if lines else _line

    def check(value: Any) -> Any:
        text = clean(value)
        if not text:
            raise ValueError(message or f"{what} is required")
        return text

    return BeforeValidator(check)


def maybe_required(what: str) -> BeforeValidator:
    """For an update: None leaves the field as it is; blank text is refused."""
    check = required(what).func
    return BeforeValidator(lambda value: None if value is None else check(value))
