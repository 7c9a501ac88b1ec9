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

from cipco import dbread
from cipco.models.vocab import RELEASED, TRIGGER_LABELS, StartRule
from cipco.services.due import DueContext, DueItem, RecordRef, Rule, day_item

SOC = "HMPPS SOC Policy Framework"
RULES = (
    Rule("soc_review", "SOC review", "persons", SOC),
    Rule("order_review", "Order review", "persons"),
    Rule("order_end", "Order ends", "persons"),
    Rule("release", "Release: SOC community team", "persons", SOC),
    Rule("soc_notify", "Notify SOC unit", "persons", SOC),
)


def _item(
    row: tuple[Any, ...], rule: str, what: str, day: date, ctx: DueContext, part: str = ""
) -> DueItem:
    """The person's item due by the end of ``day`` (``row`` starts person id, NOMIS, name,
    site)."""
    person_id, nomis, name, site = row[:4]
    about = f"{nomis} {name or ''}".strip()
    record = RecordRef("persons", int(person_id), nomis, site or "")
    return day_item(record, rule, what, day, ctx, about=about, part=part)


def items(ctx: DueContext) -> Iterator[DueItem]:
    yield from _reviews(ctx)
    yield from _orders(ctx)
    yield from _releases(ctx)
    yield from _notifications(ctx)


def _reviews(ctx: DueContext) -> Iterator[DueItem]:
    for row in ctx.rows(dbread.SOC_REVIEWS_DUE):
        band, day = row[4], dbread.day(row[5])
        assert day is not None
        yield _item(row, "soc_review", f"Band {band} SOC review", day, ctx)


def _orders(ctx: DueContext) -> Iterator[DueItem]:
    rows = ctx.rows(
        dbread.ORDERS_DUE, on_release=StartRule.ON_RELEASE.value, released=RELEASED, no=False
    )
    for row in rows:
        order_id, label, review_raw, end_raw, until_further = row[4:]
        part = str(order_id)
        review_on, end = dbread.day(review_raw), dbread.day(end_raw)
        if review_on is not None and review_on <= ctx.until_day:
            yield _item(row, "order_review", f"Review {label}", review_on, ctx, part)
        if end is not None and not dbread.flag(until_further) and ctx.today <= end <= ctx.until_day:
            yield _item(row, "order_end", f"{label} ends {end:%d/%m/%Y}", end, ctx, part)


def _releases(ctx: DueContext) -> Iterator[DueItem]:
    for row in ctx.rows(dbread.RELEASES_DUE, released=RELEASED):
        band, day = row[4], dbread.day(row[5])
        assert day is not None
        yield _item(
            row,
            "release",
            f"Band {band} released {day:%d/%m/%Y}: SOC community team told",
            day,
            ctx,
        )


def _notifications(ctx: DueContext) -> Iterator[DueItem]:
    for row in ctx.rows(dbread.NOTIFICATIONS_DUE):
        event_id, kind, day = row[4], row[5], dbread.day(row[6])
        assert day is not None
        yield _item(
            row,
            "soc_notify",
            f"Notify SOC unit: {TRIGGER_LABELS.get(kind, kind)}",
            day,
            ctx,
            str(event_id),
        )
