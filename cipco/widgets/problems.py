"""A refused change as words for the screen: by field for a form, one sentence for a note.

Services refuse with :class:`~cipco.services.errors.RecordError` (its ``fields`` name each
field); pydantic's ``ValidationError`` is mapped the same way; a typed date that cannot be
read is a ``DateError``. Each problem is a sentence shown beside its field (without the
field's own name in front: the label is right there).
"""

from __future__ import annotations

import sys

from cipco.services.errors import FORM, RecordError, StaleEditError, from_validation


def _validation(refusal: ValueError) -> bool:
    """A pydantic ``ValidationError`` (only possible once pydantic is loaded: a screen's
    first frame does not load it)."""
    pydantic = sys.modules.get("pydantic")
    return pydantic is not None and isinstance(refusal, pydantic.ValidationError)


def problems_of(refusal: ValueError) -> dict[str, str]:
    """``{field: sentence}``; a problem that belongs to no field is under ``"form"``."""
    if _validation(refusal):
        return from_validation(refusal).problems
    if isinstance(refusal, RecordError):
        return refusal.problems
    return {FORM: str(refusal)}  # a DateError, or a ValueError a service let through


def message_of(refusal: ValueError) -> str:
    """One sentence for a notification."""
    if _validation(refusal):
        return str(from_validation(refusal))
    return str(refusal) or refusal.__class__.__name__


def is_stale(refusal: ValueError) -> bool:
    """Someone else saved the record after it was read (a Reload can fix it)."""
    return isinstance(refusal, StaleEditError)


def beside_field(message: str, field: str = "") -> str:
    """Shown under its field, "oic_email: 'x' is not an e-mail address" needs no prefix."""
    prefix, sep, rest = message.partition(": ")
    if sep and rest and (prefix.strip() == field or " " not in prefix.strip()):
        message = rest
    return message[:1].upper() + message[1:]
