"""The referrals list: the police referral tracker a coordinator uses all day."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from sqlmodel import Session

from cipco.clock import Clock, format_date, to_london
from cipco.screens import keymap
from cipco.screens.cells import cells, severity_style
from cipco.screens.log_screen import ALL, Counts, ListSpec, LogScreen
from cipco.services.flags import CLOSED_STATUSES, SEVERITY_MARKERS
from cipco.services.paging import Page, PageQuery
from cipco.services.referrals import (
    QUEUES,
    ReferralRow,
    queue_counts,
    referral_page,
    status_label,
)
from cipco.widgets.record_table import TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp

COLUMNS = [
    TableColumn("reference", "Reference", 14, grow=False, keep=1),
    TableColumn("nomis_number", "Prison no", 9, grow=False, keep=3),
    TableColumn("prisoner_name", "Prisoner", 12, keep=2),
    TableColumn("category", "Category", 14, keep=5),
    TableColumn("incident_at", "Incident", 10, grow=False, keep=4),
    TableColumn("status", "Status", 13, grow=False, keep=1),
    TableColumn("crime_ref", "Crime ref", 12, keep=6),
    TableColumn("oic", "OIC", 11, keep=7),
    TableColumn("next_due", "Next due", 16, keep=1),
]
LEGEND = "! overdue  ~ due within 2 working days"


def referral_cells(row: ReferralRow) -> list[Text]:
    style = severity_style(row.severity)
    if row.status in CLOSED_STATUSES:
        style = style or "dim"
    marker = SEVERITY_MARKERS[row.severity]
    due = (
        f"{marker} {to_london(row.next_due_at):%d/%m/%Y} {row.next_due_label}".strip()
        if row.next_due_at
        else ""
    )
    return cells(
        [
            row.reference,
            row.nomis_number,
            row.prisoner_name,
            row.category,
            format_date(to_london(row.incident_at).date()),
            status_label(row.status),
            row.crime_ref,
            row.oic,
            due,
        ],
        style,
    )


def _page(
    session: Session, query: PageQuery, clock: Clock, counts: Counts | None
) -> Page[ReferralRow]:
    total = counts.get(query.queue or ALL) if counts else None
    return referral_page(session, query, clock, total=total)


def _status(counts: Counts, query: PageQuery, total: int) -> str:
    return f"{total:,} of {counts.get('total', total):,} referrals   {LEGEND}"


def _export(session: Session, path: Path, query: PageQuery, app: CipcoApp) -> int:
    from cipco.spreadsheets import exporters

    return exporters.export_referrals(
        session, path, clock=app.clock, actor=app.actor, text=query.text, queue=query.queue
    )


SPEC = ListSpec(
    noun="referrals",
    where="Referrals",
    columns=COLUMNS,
    cells=referral_cells,
    page=_page,
    counts=lambda session, clock, query: queue_counts(session, clock, query.text),
    queues={ALL: "All", "overdue": QUEUES["overdue"], **QUEUES},
    filter_hint="Filter: reference, prison number, name, crime ref or OIC",
    empty=(
        "No referrals here. Press n to add one, i to import an old tracker, "
        "or / to change the filter."
    ),
    status=_status,
    export=_export,
)


class ReferralsScreen(LogScreen):
    """Paged referrals with queues, filter, sort, and the keys that move a referral on."""

    SPEC = SPEC
    BINDINGS = keymap.bindings("new", "edit", "open", "move", "follow_up", "person", "import_file")

    def open_row(self, row: Any) -> None:
        self.cipco.open_referral(row.id)

    def action_new(self) -> None:
        from cipco.screens.referral_forms import referral_form

        self.open_form(referral_form(None))

    def action_edit(self) -> None:
        from cipco.screens.referral_forms import referral_form

        if row := self.current("referral"):
            self.open_form(referral_form(row.id))

    def action_move(self) -> None:
        from cipco.screens.referral_forms import move_form

        if row := self.current("referral"):
            self.open_form(move_form(row.id))

    def action_follow_up(self) -> None:
        from cipco.screens.referral_forms import follow_up_form

        if row := self.current("referral"):
            self.open_form(follow_up_form(row.id))

    def action_person(self) -> None:
        if row := self.current("referral"):
            self.cipco.open_person(row.nomis_number)

    def action_import_file(self) -> None:
        from cipco.screens.import_screen import ImportScreen

        self.app.push_screen(
            ImportScreen(self.cipco.engine, self.cipco.clock, self.cipco.actor),
            lambda summary: self.refresh_data() if summary else None,
        )
