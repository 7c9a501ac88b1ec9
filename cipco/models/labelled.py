"""Enumerations whose members carry the words shown for them, so each value is written once."""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class Labelled(StrEnum):
    """A text enumeration whose members carry their label::

        class SupportState(Labelled):
            OFFERED = "offered", "Offered, answer awaited"

    ``SupportState.OFFERED == "offered"``; ``SupportState.OFFERED.label`` is the words;
    :meth:`labels` gives ``{member: label}`` in the members' order (drop-downs, exports).
    """

    label: str

    def __new__(cls, value: str, label: str) -> Self:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label
        return member

    @classmethod
    def labels(cls) -> dict[str, str]:
        """Every member's label, keyed by the member, in the members' order."""
        return {member: member.label for member in cls}
