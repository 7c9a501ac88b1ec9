"""The crime clinic action log: every action across clinics, by queue (open, overdue, done,
dropped); d marks one done, del drops it with a reason, u reopens it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from sqlmodel import Session

from cipco.clock import Clock, format_date, format_datetime
from cipco.models.clinic import ActionStatus
from cipco.screens import keymap
from cipco.screens.cells import cells
from cipco.screens.log_screen import ALL, Counts, ListSpec, LogScreen
from cipco.services import clinic as clinic_service
from cipco.services.clinic import ACTION_QUEUES, ActionRow
from cipco.services.paging import Page, PageQuery
from cipco.widgets.record_table import TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp

COLUMNS = [
    TableColumn("id", "No.", 4, grow=False, keep=5),
    TableColumn("text", "Action", 24, keep=1),
    TableColumn("owner", "Owner", 14, keep=1),
    TableColumn("org", "Organisation", 12, keep=6),
    TableColumn("due_on", "Due", 10, grow=False, keep=2),
    TableColumn("status", "Status", 14, keep=1),
    TableColumn("referral", "Referral", 14, keep=4),
    TableColumn("clinic", "Raised at", 10, grow=False, keep=3),
    TableColumn("closed", "Done/dropped", 20, keep=7),
]


def action_cells(row: ActionRow) -> list[Text]:
    style = "dim" if row.status != ActionStatus.OPEN else ("bold red" if row.overdue else "")
    closed_at = row.done_at or row.dropped_at
    closed = format_datetime(closed_at) if closed_at else ""
    if row.status_reason:
        closed = f"{closed} {row.status_reason}".strip()
    return cells(
        [
            str(row.id),
            row.text,
            row.owner_name,
            row.owner_org,
            format_date(row.due_on),
            row.status + (" ! overdue" if row.overdue else ""),
            row.referral_reference or "",
            format_date(row.clinic_held_on),
            closed,
        ],
        style,
    )


def _page(
    session: Session, query: PageQuery, clock: Clock, _counts: Counts | None
) -> Page[ActionRow]:
    return clinic_service.action_page(session, query, clock)


def _status(counts: Counts, _query: PageQuery, total: int) -> str:
    return f"{total:,} shown · {counts.get('open', 0):,} open, {counts.get('overdue', 0):,} overdue"


def _export(session: Session, path: Path, query: PageQuery, app: CipcoApp) -> int:
    from cipco.spreadsheets.clinic_export import write_actions_workbook

    return write_actions_workbook(
        session, path, app.clock, generated_by=app.actor, open_only=query.queue == "open"
    )


SPEC = ListSpec(
    noun="actions",
    where="Clinic actions",
    columns=COLUMNS,
    cells=action_cells,
    page=_page,
    counts=lambda session, clock, _query: clinic_service.action_counts(session, clock),
    queues={ALL: "All", **ACTION_QUEUES},
    filter_hint="Filter: action text, owner, organisation, referral",
    empty="No actions match. Actions are added in a clinic (2, open one, then a).",
    status=_status,
    export=_export,
)


class ActionsScreen(LogScreen):
    """All clinic actions; enter opens the clinic that raised the highlighted one."""

    SPEC = SPEC
    BINDINGS = keymap.bindings("open", "done", "remove", "reopen", "referral")

    def open_row(self, row: Any) -> None:
        self.cipco.open_clinic(row.clinic_id)

    def action_referral(self) -> None:
        row = self.current("action")
        if row is None:
            return
        if row.referral_id is None:
            self.notify("This action is not linked to a referral", severity="warning")
            return
        self.cipco.open_referral(row.referral_id)

    def _change(self, row: ActionRow, what: str, **changes: Any) -> None:
        clock = self.cipco.clock
        service = getattr(clinic_service, f"{what}_action")

        def run(session: Session) -> str:
            service(
                session=session,
                action_id=row.id,
                clock=clock,
                expected_version=row.version,
                **changes,
            )
            return {"complete": "Done", "drop": "Dropped", "reopen": "Reopened"}[what] + (
                f": {row.text}"
            )

        self.write(run)

    def action_done(self) -> None:
        if row := self.current("action"):
            self._change(row, "complete")

    def action_remove(self) -> None:
        from cipco.screens.modals import TextPromptScreen

        row = self.current("action")
        if row is None:
            return
        self.app.push_screen(
            TextPromptScreen(f"Drop '{row.text}'? Give the reason"),
            lambda reason: self._change(row, "drop", reason=reason) if reason else None,
        )

    def action_reopen(self) -> None:
        from cipco.screens.modals import ConfirmScreen

        row = self.current("action")
        if row is None or row.status == ActionStatus.OPEN:
            return
        self.app.push_screen(
            ConfirmScreen(f"Reopen '{row.text}'?"),
            lambda yes: self._change(row, "reopen") if yes else None,
        )
