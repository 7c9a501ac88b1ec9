"""Persons-of-interest deadlines for the due registry.

- ``soc_review``: a banded person's next SOC review (Band 1 quarterly, Band 2 monthly);
- ``order_review`` and ``order_end``: an ancillary order's review date, and its end date
  (an order that starts on release is dormant while the person is in custody: neither);
- ``release``: a banded person released from custody (the SOC community team told);
- ``soc_notify``: a Band 1 custody trigger event the regional SOC unit is still to be told of.

Each is picked in SQL by its date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, func, or_, select

from cipco.models.people import Prisoner
from cipco.models.person import (
    TRIGGER_LABELS,
    AncillaryOrder,
    CustodyEvent,
    PersonOfInterest,
    StartRule,
)
from cipco.models.reference import OrderType
from cipco.services.due import DueContext, DueItem, RecordRef, Rule, day_item
from cipco.services.persons.rules import RELEASED

SOC = "HMPPS SOC Policy Framework"
RULES = (
    Rule("soc_review", "SOC review", "persons", SOC),
    Rule("order_review", "Order review", "persons"),
    Rule("order_end", "Order ends", "persons"),
    Rule("release", "Release: SOC community team", "persons", SOC),
    Rule("soc_notify", "Notify SOC unit", "persons", SOC),
)


def _in_custody() -> object:
    return or_(Prisoner.location.is_(None), func.lower(Prisoner.location) != RELEASED)  # type: ignore[union-attr]


def _ref(row: object) -> RecordRef:
    return RecordRef("persons", int(row.person_id), row.nomis_number)  # type: ignore[attr-defined]


def _about(row: object) -> str:
    return f"{row.nomis_number} {row.name or ''}".strip()  # type: ignore[attr-defined]


def _item(row: object, rule: str, what: str, day: date, ctx: DueContext, part: str = "") -> DueItem:
    """The person's item due by the end of ``day``."""
    return day_item(_ref(row), rule, what, day, ctx, about=_about(row), part=part)


def items(ctx: DueContext) -> Iterator[DueItem]:
    yield from _reviews(ctx)
    yield from _orders(ctx)
    yield from _releases(ctx)
    yield from _notifications(ctx)


def _people() -> Select[Any]:
    return select(
        PersonOfInterest.id.label("person_id"),  # type: ignore[union-attr]
        Prisoner.nomis_number,
        Prisoner.name,
    ).join(Prisoner, Prisoner.id == PersonOfInterest.prisoner_id)


def _reviews(ctx: DueContext) -> Iterator[DueItem]:
    rows = ctx.by_day(
        PersonOfInterest.next_review_on,
        _people()
        .add_columns(PersonOfInterest.soc_band, PersonOfInterest.next_review_on)  # type: ignore[attr-defined]
        .where(PersonOfInterest.soc_band.is_not(None)),  # type: ignore[union-attr]
    )
    for row in rows:
        day = row.next_review_on
        yield _item(row, "soc_review", f"Band {row.soc_band} SOC review", day, ctx)


def _orders(ctx: DueContext) -> Iterator[DueItem]:
    dormant = and_(AncillaryOrder.start_rule == StartRule.ON_RELEASE.value, _in_custody())
    rows = ctx.session.execute(
        _people()
        .add_columns(
            AncillaryOrder.id.label("order_id"),  # type: ignore[union-attr]
            OrderType.label.label("order_label"),  # type: ignore[attr-defined]
            AncillaryOrder.review_on,
            AncillaryOrder.end_on,
            AncillaryOrder.until_further_order,
        )
        .join(AncillaryOrder, AncillaryOrder.person_id == PersonOfInterest.id)
        .join(OrderType, OrderType.code == AncillaryOrder.order_type_code)
        .where(
            ~dormant,
            or_(
                AncillaryOrder.review_on <= ctx.until_day,  # type: ignore[operator]
                and_(
                    AncillaryOrder.until_further_order.is_(False),  # type: ignore[attr-defined]
                    AncillaryOrder.end_on >= ctx.today,  # type: ignore[operator]
                    AncillaryOrder.end_on <= ctx.until_day,  # type: ignore[operator]
                ),
            ),
        )
    )
    for row in rows:
        part = str(row.order_id)
        if row.review_on is not None and row.review_on <= ctx.until_day:
            yield _item(row, "order_review", f"Review {row.order_label}", row.review_on, ctx, part)
        end = row.end_on
        if end is not None and not row.until_further_order and ctx.today <= end <= ctx.until_day:
            yield _item(row, "order_end", f"{row.order_label} ends {end:%d/%m/%Y}", end, ctx, part)


def _releases(ctx: DueContext) -> Iterator[DueItem]:
    rows = ctx.by_day(
        PersonOfInterest.release_date,
        _people()
        .add_columns(PersonOfInterest.soc_band, PersonOfInterest.release_date)  # type: ignore[attr-defined]
        .where(PersonOfInterest.soc_band.is_not(None), _in_custody()),  # type: ignore[union-attr]
        from_today=True,
    )
    for row in rows:
        day = row.release_date
        yield _item(
            row,
            "release",
            f"Band {row.soc_band} released {day:%d/%m/%Y}: SOC community team told",
            day,
            ctx,
        )


def _notifications(ctx: DueContext) -> Iterator[DueItem]:
    rows = ctx.by_day(
        CustodyEvent.notify_due_on,
        _people()
        .add_columns(
            CustodyEvent.id.label("event_id"),  # type: ignore[union-attr]
            CustodyEvent.kind,
            CustodyEvent.notify_due_on,
        )
        .join(CustodyEvent, CustodyEvent.person_id == PersonOfInterest.id)
        .where(CustodyEvent.notified_at.is_(None)),  # type: ignore[union-attr]
    )
    for row in rows:
        day = row.notify_due_on
        yield _item(
            row,
            "soc_notify",
            f"Notify SOC unit: {TRIGGER_LABELS.get(row.kind, row.kind)}",
            day,
            ctx,
            str(row.event_id),
        )
