"""The exhibits register: every exhibit with its holder, state and review, paged in SQL."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from cipco.models.exhibit import FINAL_STATES
from cipco.screens.log_screen import Counts, ListView, LogScreen, everything
from cipco.services.exhibits import ExhibitRow
from cipco.services.paging import PageQuery
from cipco.spreadsheets.exporting import ExportRequest

if TYPE_CHECKING:
    pass

LEGEND = "! discrepancy or review due  (hold) kept  (collect) awaiting police"


def _style(row: ExhibitRow) -> str:
    if row.discrepancies:
        return "bold red"
    return "dim" if row.state in FINAL_STATES else ""


def _status(counts: Counts, _query: PageQuery, total: int) -> str:
    return f"{total:,} of {everything(counts, total):,} exhibits   {LEGEND}"


def _export(query: PageQuery) -> ExportRequest:
    from cipco.spreadsheets.exhibits_io import register_query

    return register_query(query.queue, query.text)


VIEW = ListView(
    "exhibits",
    keep={"reference": 1, "holder": 1, "state": 1, "description": 2, "review": 3, "type": 4},
    style=_style,
    empty="No exhibits match. Press n to log a seizure, or / to change the filter.",
    status=_status,
    export=_export,
)


class ExhibitsScreen(LogScreen):
    """The exhibits register: n logs a seizure, m hands the highlighted exhibit on."""

    VIEW = VIEW

    def open_row(self, row: Any) -> None:
        self.cipco.open_exhibit(row.id)

    def action_new(self) -> None:
        from cipco.screens.exhibit_forms import exhibit_form

        self.open_form(exhibit_form(self.cipco.clock))

    def action_move(self) -> None:
        from cipco.screens.exhibit_forms import choose_move

        if row := self.current("exhibit"):
            choose_move(self, row.id, row.reference, row.holder, self.open_form)

    def action_edit(self) -> None:
        from cipco.screens.exhibit_forms import flags_form

        if row := self.current("exhibit"):
            self.open_form(flags_form(row.id))
