"""MG4D deadlines for the due registry: papers to serve before the first hearing.

Charge papers received and not yet served with a first hearing date are due to be served
before that day starts; picked in SQL by the hearing date.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from cipco.clock import london_midnight
from cipco.models.mg4d import ChargePapers, PapersState
from cipco.models.people import Prisoner
from cipco.services.due import DueContext, DueItem, RecordRef, Rule
from cipco.services.flags import Severity

RULES = (Rule("hearing", "Serve before first hearing", "mg4d"),)


def items(ctx: DueContext) -> Iterator[DueItem]:
    from cipco.services import settings

    warn_days = settings.get_int(ctx.session, "mg4d_hearing_warn_days")
    rows = ctx.by_day(
        ChargePapers.first_hearing_on,
        select(
            ChargePapers.id,
            ChargePapers.form_label,
            ChargePapers.first_hearing_on,
            ChargePapers.court,
            Prisoner.nomis_number,
            Prisoner.name,
        )
        .join(Prisoner, Prisoner.id == ChargePapers.prisoner_id)
        .where(ChargePapers.state == PapersState.AWAITING.value),
    )
    for row in rows:
        day = row.first_hearing_on
        due = london_midnight(day)  # served before the hearing day starts
        if ctx.now >= due:
            severity = Severity.OVERDUE
        elif (day - ctx.today).days <= warn_days:
            severity = Severity.DUE_SOON
        else:
            severity = Severity.PENDING
        court = f" at {row.court}" if row.court else ""
        yield DueItem(
            RecordRef("mg4d", int(row.id), f"{row.form_label} {row.nomis_number}"),
            "hearing",
            f"Serve {row.form_label} before first hearing {day:%d/%m/%Y}{court}",
            due,
            severity,
            about=f"{row.nomis_number} {row.name or ''}".strip(),
        )
