"""MG4D deadlines for the due registry: papers to serve before the first hearing.

Charge papers received and not yet served with a first hearing date are due to be served
before that day starts; picked in SQL by the hearing date.
"""

from __future__ import annotations

from collections.abc import Iterator

from cipco import dbread
from cipco.clock import london_midnight
from cipco.models.vocab import PapersState
from cipco.services.due import DueContext, DueItem, RecordRef, Rule
from cipco.services.flags import Severity

RULES = (Rule("hearing", "Serve before first hearing", "mg4d"),)


def items(ctx: DueContext) -> Iterator[DueItem]:
    rows = ctx.rows(dbread.PAPERS_DUE, awaiting=PapersState.AWAITING.value)
    if not rows:
        return
    warn_days = int(ctx.settings()["mg4d_hearing_warn_days"])
    for papers_id, form_label, hearing_on, court, nomis, name, site in rows:
        day = dbread.day(hearing_on)
        assert day is not None
        due = london_midnight(day)  # served before the hearing day starts
        if ctx.now >= due:
            severity = Severity.OVERDUE
        elif (day - ctx.today).days <= warn_days:
            severity = Severity.DUE_SOON
        else:
            severity = Severity.PENDING
        at_court = f" at {court}" if court else ""
        yield DueItem(
            RecordRef("mg4d", int(papers_id), f"{form_label} {nomis}", site or ""),
            "hearing",
            f"Serve {form_label} before first hearing {day:%d/%m/%Y}{at_court}",
            due,
            severity,
            about=f"{nomis} {name or ''}".strip(),
        )
