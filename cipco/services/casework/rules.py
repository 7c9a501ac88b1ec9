"""When the papers around a referral fall due, said once for the lists, the home screen, the
clinic agenda and the case file.

- A statement asked for (or returned for correction) is due by its due date.
- A medical disclaimer issued is due back ``disclaimer_return_days`` after issue [practice].
- A CPS action is due by its due date until done.
- A statement meeting still to come needs the member of staff released from duty: due by
  the meeting once asked, and asked at once if not.
- R7 per victim: :mod:`cipco.services.victims`.

Each deadline turns amber ``due_soon_working_days`` before it, as the referral flags do.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from cipco.clock import add_working_days, end_of_day, london_midnight
from cipco.services.flags import DueFlag, FlagSettings, Severity


def day_flag(rule: str, label: str, due_on: date, settings: FlagSettings) -> DueFlag:
    """A deadline at the end of ``due_on``, amber the set working days before."""
    due_at = end_of_day(due_on)
    warn_day = add_working_days(due_on, -settings.due_soon_working_days)
    return DueFlag(rule, label, due_at, min(london_midnight(warn_day), due_at))


def instant_flag(rule: str, label: str, due_at: datetime, settings: FlagSettings) -> DueFlag:
    warn = add_working_days(due_at.date(), -settings.due_soon_working_days)
    return DueFlag(rule, label, due_at, min(london_midnight(warn), due_at))


def severity(flag: DueFlag | None, now: datetime) -> Severity:
    return Severity.DONE if flag is None else flag.severity(now)


def disclaimer_due(issued_on: date, days: int) -> date:
    return issued_on + timedelta(days=days)
