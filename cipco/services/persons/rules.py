"""Persons of interest: the rules behind their flags.

Flags (all dates in London):
- an ancillary order ending within ``order_expiry_warn_days``;
- an order that starts on release, dormant while the person is in custody;
- a SOC review overdue (Band 1 every ``soc_band1_review_days``, Band 2 every
  ``soc_band2_review_days``);
- release within 8 months for a banded person (SOC community team notification);
- a Band 1 custody trigger event whose "notify SOC unit" is still due.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Protocol

from sqlmodel import Session

from cipco.clock import add_months, add_working_days
from cipco.models.person import PersonOfInterest, StartRule
from cipco.models.vocab import RELEASED, TRIGGER_LABELS
from cipco.services import settings
from cipco.services.errors import RecordError
from cipco.services.flags import Severity

RELEASE_NOTICE_MONTHS = 8


class PersonError(RecordError):
    """A change was refused; the message names the field and the problem."""


class OrderLike(Protocol):
    start_rule: Any
    start_on: date | None
    end_on: date | None
    until_further_order: bool
    review_on: date | None


def is_released(location: str | None) -> bool:
    return (location or "").strip().lower() == RELEASED


def review_interval_days(session: Session, band: int | None) -> int | None:
    if band == 1:
        return settings.get_int(session, "soc_band1_review_days")
    if band == 2:
        return settings.get_int(session, "soc_band2_review_days")
    return None


def next_review_date(last_review_on: date | None, start: date, interval: int | None) -> date | None:
    """The next SOC review: the interval after the last review (or after ``start``)."""
    if interval is None:
        return None
    return (last_review_on or start) + timedelta(days=interval)


def notify_due_date(happened_on: date) -> date:
    """Local practice: tell the regional SOC unit by the next working day."""
    return add_working_days(happened_on, 1)


@dataclass(frozen=True)
class PersonFlag:
    rule: str
    label: str
    due_on: date | None
    severity: Severity


def order_flags(
    order: OrderLike, *, in_custody: bool, on: date, warn_days: int, label: str
) -> list[PersonFlag]:
    flags: list[PersonFlag] = []
    if order.start_rule == StartRule.ON_RELEASE and in_custody:
        flags.append(
            PersonFlag("dormant", f"{label}: dormant — starts on release", None, Severity.PENDING)
        )
        return flags
    if order.start_rule == StartRule.DATE and order.start_on and order.start_on > on:
        flags.append(
            PersonFlag(
                "not_started",
                f"{label}: starts {order.start_on:%d/%m/%Y}",
                order.start_on,
                Severity.PENDING,
            )
        )
    if order.end_on is not None and not order.until_further_order:
        if order.end_on < on:
            flags.append(
                PersonFlag("ended", f"{label}: ended {order.end_on:%d/%m/%Y}", None, Severity.DONE)
            )
        elif (order.end_on - on).days <= warn_days:
            flags.append(
                PersonFlag(
                    "order_expiring",
                    f"{label}: ends {order.end_on:%d/%m/%Y}",
                    order.end_on,
                    Severity.DUE_SOON,
                )
            )
    if order.review_on is not None and order.review_on < on:
        flags.append(
            PersonFlag(
                "order_review",
                f"{label}: review was due {order.review_on:%d/%m/%Y}",
                order.review_on,
                Severity.OVERDUE,
            )
        )
    return flags


def person_flags(
    person: PersonOfInterest,
    *,
    location: str | None,
    orders: list[tuple[OrderLike, str]],
    pending_events: list[tuple[str, date | None]],
    on: date,
    warn_days: int,
) -> list[PersonFlag]:
    """Every flag for one person, most urgent first."""
    flags: list[PersonFlag] = []
    in_custody = not is_released(location)
    if person.soc_band and person.next_review_on and person.next_review_on < on:
        flags.append(
            PersonFlag(
                "review_overdue",
                f"Band {person.soc_band} review overdue since {person.next_review_on:%d/%m/%Y}",
                person.next_review_on,
                Severity.OVERDUE,
            )
        )
    if (
        person.soc_band
        and person.release_date
        and in_custody
        and on <= person.release_date <= add_months(on, RELEASE_NOTICE_MONTHS)
    ):
        flags.append(
            PersonFlag(
                "release_soon",
                f"Release {person.release_date:%d/%m/%Y}: notify SOC community team",
                person.release_date,
                Severity.DUE_SOON,
            )
        )
    for kind, due in pending_events:
        flags.append(
            PersonFlag(
                "notify_due",
                f"Notify SOC unit: {TRIGGER_LABELS.get(kind, kind)}",
                due,
                Severity.OVERDUE if due and due < on else Severity.DUE_SOON,
            )
        )
    for order, label in orders:
        flags.extend(
            order_flags(order, in_custody=in_custody, on=on, warn_days=warn_days, label=label)
        )
    order_rank = {Severity.OVERDUE: 0, Severity.DUE_SOON: 1, Severity.PENDING: 2, Severity.DONE: 3}
    flags.sort(key=lambda f: (order_rank[f.severity], f.due_on or date.max))
    return flags
