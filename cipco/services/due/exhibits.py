"""Exhibit deadlines for the due registry: the retention review and footage overwrite.

A held exhibit stores its next review date (``review_due_on``, the retention review a
setting's days after its last movement, or sooner the day CCTV/BWV not yet exported is
overwritten), so the candidates are picked in SQL by that date.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

from cipco import dbread
from cipco.clock import to_london
from cipco.models.vocab import FOOTAGE_TYPES
from cipco.services.due import DueContext, DueItem, RecordRef, Rule, day_item

RULES = (
    Rule("retention", "Retention review", "exhibits"),
    Rule("footage", "Footage overwrite", "exhibits", "practice (R9)"),
)


def items(ctx: DueContext) -> Iterator[DueItem]:
    rows = ctx.rows(dbread.EXHIBITS_DUE)
    if not rows:
        return
    overwrite_days = int(ctx.settings()["footage_overwrite_days"])
    for exhibit_id, reference, description, kind, medium, clip_start, review_due_on, site in rows:
        day = dbread.day(review_due_on)
        assert day is not None
        clip = dbread.instant(clip_start)
        footage = (
            kind in FOOTAGE_TYPES
            and not medium
            and clip is not None
            and to_london(clip).date() + timedelta(days=overwrite_days) == day
        )
        yield day_item(
            RecordRef("exhibits", int(exhibit_id), reference, site or ""),
            "footage" if footage else "retention",
            "Export footage before it is overwritten" if footage else "Retention review",
            day,
            ctx,
            about=description or "",
        )
