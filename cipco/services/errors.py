"""The one error type every service raises, so every screen and command shows it the same way.

A refused change is a :class:`RecordError`: ``str(error)`` is one sentence for the user and
``error.fields`` maps each field it is about to the sentence shown beside that field. A form
shows ``fields`` beside their inputs and moves focus to the first; a command prints the
message. Three kinds carry more:

- :class:`NotFoundError`: the record is gone (deleted in another window, a mistyped id).
- :class:`StaleEditError`: someone saved the record after this form read it. It names who and
  when, and carries what a Reload needs: the log, the record id and the version now stored.
- :class:`ReadOnlyError`: the record may no longer change (a closed clinic).

Each log keeps its own named subclass (``ReferralError``, ``ClinicError``…) so callers that
care can tell them apart; screens catch :class:`RecordError`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

FORM = "form"  # the key of a problem that belongs to no single field


class RecordError(ValueError):
    """A change was refused; the message says why in the coordinator's words.

    ``RecordError("incident date: in the future", field="incident_at")`` names one field;
    ``RecordError("2 problems", fields={"incident_at": "…", "status": "…"})`` several.
    """

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        problems = dict(fields or {})
        if field and field not in problems:
            problems = {field: message, **problems}
        self.fields: dict[str, str] = problems

    @property
    def message(self) -> str:
        return str(self)

    @property
    def field(self) -> str | None:
        """The first field named, or None when the problem is the record as a whole."""
        return next(iter(self.fields), None)

    @property
    def problems(self) -> dict[str, str]:
        """Every problem by field; a problem with no field sits under ``"form"``."""
        return self.fields or {FORM: str(self)}


class NotFoundError(RecordError):
    """The record does not exist (any more)."""


class ReadOnlyError(RecordError):
    """The record can no longer change."""


class StaleEditError(RecordError):
    """Someone saved a newer version since this one was read.

    ``who``/``when`` name the last change (None when the audit trail has none);
    ``log``, ``record_id`` and ``version`` are what a Reload needs to read it again.
    """

    def __init__(
        self,
        what: str,
        *,
        who: str | None = None,
        when: datetime | None = None,
        log: str = "",
        record_id: int | None = None,
        version: int | None = None,
    ) -> None:
        from cipco.dates import format_time

        by = f"by {who}" if who else "by someone else"
        at = f" at {format_time(when)}" if when is not None else ""
        super().__init__(
            f"{what} was changed {by}{at} since you opened it; "
            "reload to see their change (what you typed is kept)"
        )
        self.what = what
        self.who = who
        self.when = when
        self.log = log
        self.record_id = record_id
        self.version = version


def from_validation(exc: Any, *, error: type[RecordError] = RecordError) -> RecordError:
    """A pydantic ``ValidationError`` as a :class:`RecordError` naming each field.

    A model check that names its field in its message ("end: before the start") is put
    under that field, so a form shows it beside the right input.
    """
    by_field: dict[str, str] = {}
    sentences: list[str] = []
    for problem in exc.errors():
        where = ".".join(str(p) for p in problem.get("loc", ()) if p != "__root__")
        text = str(problem.get("msg", "invalid")).removeprefix("Value error, ")
        sentences.append(f"{where}: {text}" if where and not text.startswith(where) else text)
        named, _, own = text.partition(": ")
        if where:
            by_field.setdefault(where.split(".")[-1] if "." in where else where, text)
        elif own and " " not in named:
            by_field.setdefault(named, text)
        else:
            by_field.setdefault(FORM, text)
    return error("; ".join(sentences) or "invalid", fields=by_field)
