"""Clinic action deadlines for the due registry: open actions by their due date."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from cipco.models.clinic import ActionStatus, ClinicAction
from cipco.services.due import DueContext, DueItem, RecordRef, Rule, day_item

RULES = (Rule("action", "Clinic action due", "actions", "crime clinic"),)
TEXT_SHOWN = 80


def items(ctx: DueContext) -> Iterator[DueItem]:
    rows = ctx.session.execute(
        select(
            ClinicAction.id,
            ClinicAction.text,
            ClinicAction.owner_name,
            ClinicAction.owner_org,
            ClinicAction.due_on,
        ).where(
            ClinicAction.status == ActionStatus.OPEN.value,
            ClinicAction.due_on.is_not(None),  # type: ignore[union-attr]
            ClinicAction.due_on <= ctx.until_day,  # type: ignore[operator]
        )
    )
    for row in rows:
        text = " ".join((row.text or "").split())
        if len(text) > TEXT_SHOWN:
            text = text[: TEXT_SHOWN - 1] + "…"
        owner = f"{row.owner_name} ({row.owner_org})" if row.owner_org else row.owner_name
        yield day_item(
            RecordRef("actions", int(row.id), f"Action {row.id}"),
            "action",
            text or "Clinic action",
            row.due_on,
            ctx,
            about=owner or "",
        )
