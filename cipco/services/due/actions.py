"""Clinic action deadlines for the due registry: open actions by their due date."""

from __future__ import annotations

from collections.abc import Iterator

from cipco import dbread
from cipco.models.vocab import ActionStatus
from cipco.services.due import DueContext, DueItem, RecordRef, Rule, day_item

RULES = (Rule("action", "Clinic action due", "actions", "crime clinic"),)
TEXT_SHOWN = 80


def items(ctx: DueContext) -> Iterator[DueItem]:
    for action_id, text, owner_name, owner_org, due_on, site in ctx.rows(
        dbread.ACTIONS_DUE, open=ActionStatus.OPEN.value
    ):
        what = " ".join((text or "").split())
        if len(what) > TEXT_SHOWN:
            what = what[: TEXT_SHOWN - 1] + "…"
        owner = owner_name
        if owner_org:
            owner = f"{owner} ({owner_org})"
        yield day_item(
            RecordRef("actions", int(action_id), f"Action {action_id}", site or ""),
            "action",
            what or "Clinic action",
            dbread.day(due_on),  # type: ignore[arg-type]
            ctx,
            about=owner or "",
        )
