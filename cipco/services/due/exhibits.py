"""Exhibit deadlines for the due registry: the retention review and footage overwrite.

A held exhibit stores its next review date (``review_due_on``, the retention review a
setting's days after its last movement, or sooner the day CCTV/BWV not yet exported is
overwritten), so the candidates are picked in SQL by that date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from sqlalchemy import select

from cipco.clock import to_london
from cipco.models.exhibit import FOOTAGE_TYPES, Exhibit
from cipco.services.due import DueContext, DueItem, RecordRef, Rule, day_item

RULES = (
    Rule("retention", "Retention review", "exhibits"),
    Rule("footage", "Footage overwrite", "exhibits", "practice (R9)"),
)


def items(ctx: DueContext) -> Iterator[DueItem]:
    from cipco.services import settings

    overwrite_days = settings.get_int(ctx.session, "footage_overwrite_days")
    rows = ctx.by_day(
        Exhibit.review_due_on,
        select(
            Exhibit.id,
            Exhibit.reference,
            Exhibit.description,
            Exhibit.exhibit_type,
            Exhibit.export_medium,
            Exhibit.clip_start,
            Exhibit.review_due_on,
        ),
    )
    for row in rows:
        day = row.review_due_on
        footage = (
            row.exhibit_type in FOOTAGE_TYPES
            and not row.export_medium
            and row.clip_start is not None
            and to_london(row.clip_start).date() + timedelta(days=overwrite_days) == day
        )
        yield day_item(
            RecordRef("exhibits", int(row.id), row.reference),
            "footage" if footage else "retention",
            "Export footage before it is overwritten" if footage else "Retention review",
            day,
            ctx,
            about=row.description or "",
        )
