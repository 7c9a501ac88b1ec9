"""Clinic action deadlines for the due registry: open actions by their due date."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from cipco.models.clinic import ActionStatus, ClinicAction
from cipco.services.due import DueContext, DueItem, RecordRef, Rule, day_item

RULES = (Rule("action", "Clinic action due", "actions", "crime clinic"),)
TEXT_SHOWN = 80


def items(ctx: DueContext) -> Iterator[DueItem]:
    actions = ctx.by_day(
        ClinicAction.due_on,
        select(ClinicAction).where(ClinicAction.status == ActionStatus.OPEN.value),
    ).scalars()
    for action in actions:
        text = " ".join((action.text or "").split())
        if len(text) > TEXT_SHOWN:
            text = text[: TEXT_SHOWN - 1] + "…"
        owner = action.owner_name
        if action.owner_org:
            owner = f"{owner} ({action.owner_org})"
        yield day_item(
            RecordRef("actions", int(action.id), f"Action {action.id}"),
            "action",
            text or "Clinic action",
            action.due_on,
            ctx,
            about=owner or "",
        )
