"""One record's file, as asked for: a referral's case file or proforma, an exhibit's
continuity record.

Every writer of one is ``write(engine, asked, target)``: ``asked`` says which record, when
and by whom, and whether people marked "do not share" are named; ``asked.name`` is the
start of the file's name, the same from the CLI and from the app
(``continuity-JS-1-20261118-100405.xlsx``).
"""

from __future__ import annotations

from dataclasses import dataclass

from cipco.clock import Clock


def safe_name(text: str) -> str:
    """A reference as part of a file name: ``JS/1`` -> ``JS-1``."""
    cleaned = "".join(c if c.isalnum() or c in "-_" else "-" for c in text.strip().upper())
    return cleaned.strip("-")[:60] or "record"


@dataclass(frozen=True)
class RecordFile:
    kind: str  # "casefile", "proforma", "continuity": what the file is
    reference: str  # the record's reference as typed (any letter case)
    clock: Clock
    actor: str
    include_restricted: bool = False

    @property
    def name(self) -> str:
        return record_name(self.kind, self.reference)


def record_name(kind: str, reference: str) -> str:
    """``casefile-REF-2026-0001``: the file's name before its time stamp."""
    return f"{kind}-{safe_name(reference)}"
