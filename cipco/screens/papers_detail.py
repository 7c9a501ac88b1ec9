"""One set of charge papers: what they are, and every service event (corrections included,
never edited away)."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from cipco.clock import format_date, format_datetime
from cipco.screens import keymap
from cipco.screens.record_page import RecordPage
from cipco.services.mg4d import PapersDetail, delete_papers, papers_detail

EVENT_COLUMNS = (
    "#",
    "Served",
    "By",
    "Witness",
    "Response",
    "Note",
    "Copy returned",
    "Corrects",
    "Recorded",
)


@dataclass(frozen=True)
class Drawn:
    nomis_number: str
    referral_id: int | None
    state: str
    events: int
    summary: Text
    table: Table | Text


def summary_text(detail: PapersDetail) -> Text:
    row = detail.row
    text = Text()
    text.append(f"{row.form_label}  {row.nomis_number}  {row.prisoner_name}\n", style="bold")
    text.append(f"Charges: {row.charges}\n")
    hearing = format_date(row.first_hearing_on) or "—"
    text.append(f"Court: {row.court or '—'}   first hearing {hearing}\n")
    text.append(
        f"Referral: {row.referral_reference or '—'}   crime ref {row.crime_ref or '—'}   "
        f"URN {row.urn or '—'}\n"
    )
    text.append(f"Received {format_datetime(row.received_at)} from {row.received_from or '—'}\n")
    state = row.response_label or row.state_label
    text.append(f"State: {state}", style="bold red" if row.hearing_soon else "bold")
    if row.hearing_soon:
        text.append("   ! first hearing soon and not served", style="bold red")
    if detail.notes:
        text.append(f"\nNotes: {detail.notes}")
    return text


def events_table(detail: PapersDetail) -> Table | Text:
    if not detail.events:
        return Text("Not served yet. Press v to record service.")
    table = Table(title="Service events (append-only)", title_justify="left", expand=True)
    for label in EVENT_COLUMNS:
        table.add_column(label, overflow="fold")
    for event in detail.events:
        style = "dim strike" if event.superseded else ""
        returned = " ".join(
            v for v in (format_datetime(event.copy_returned_at), event.copy_returned_how) if v
        )
        table.add_row(
            *(
                Text(v, style=style)
                for v in (
                    str(event.id),
                    format_datetime(event.served_at),
                    event.served_by,
                    event.witnessed_by,
                    event.response_label,
                    event.note,
                    returned,
                    f"#{event.corrects_event_id}" if event.corrects_event_id else "",
                    f"{format_datetime(event.recorded_at)} {event.actor}",
                )
            )
        )
    return table


class PapersDetailScreen(RecordPage):
    """v serves, k corrects the latest service, e edits the details, del deletes papers
    logged in error (only before any service)."""

    WHERE = "Charge papers"
    BINDINGS = keymap.bindings("serve", "correct", "edit", "remove", "person", "referral")
    DEFAULT_CSS = """
    PapersDetailScreen #papers-summary { height: auto; padding: 0 1; }
    PapersDetailScreen #papers-events { height: auto; padding: 0 1; }
    """

    def __init__(self, papers_id: int) -> None:
        super().__init__()
        self.papers_id = papers_id
        self.drawn: Drawn | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll():
            yield Static(Text("Loading…"), id="papers-summary")
            yield Static("", id="papers-events")

    def load(self, session: Session) -> Drawn:
        detail = papers_detail(session, self.papers_id, self.cipco.clock)
        row = detail.row
        return Drawn(
            row.nomis_number,
            row.referral_id,
            row.state,
            len(detail.events),
            summary_text(detail),
            events_table(detail),
        )

    def show(self, drawn: Drawn) -> None:
        self.drawn = drawn
        self.set_where(f"Charge papers {drawn.nomis_number}")
        self.put("#papers-summary", drawn.summary)
        self.put("#papers-events", drawn.table)

    def action_serve(self) -> None:
        from cipco.screens.mg4d_forms import service_form

        if self.drawn is not None and self.drawn.state == "served":
            self.notify("Already served: press k to correct the latest event", severity="warning")
            return
        self.open_form(service_form(self.papers_id))

    def action_correct(self) -> None:
        from cipco.screens.mg4d_forms import service_form

        if self.drawn is None or not self.drawn.events:
            self.notify("Nothing to correct yet", severity="warning")
            return
        self.open_form(service_form(self.papers_id, correcting=True))

    def action_edit(self) -> None:
        from cipco.screens.mg4d_forms import papers_form

        self.open_form(papers_form(self.papers_id, clock=self.cipco.clock))

    def action_remove(self) -> None:
        from cipco.screens.modals import ConfirmScreen

        if self.drawn is None:
            return
        if self.drawn.events:
            self.notify("Papers with service events stay in the log", severity="warning")
            return
        papers_id = self.papers_id

        def decided(yes: bool | None) -> None:
            if yes:
                self.write(lambda s: delete_papers(s, papers_id), lambda _r: self._deleted())

        self.app.push_screen(
            ConfirmScreen(
                "Delete these papers (logged in error)?", confirm_label="Delete", danger=True
            ),
            decided,
        )

    def _deleted(self) -> None:
        self.notify("Papers deleted", markup=False)
        self.dismiss(None)

    def action_person(self) -> None:
        if self.drawn is not None:
            self.cipco.open_person(self.drawn.nomis_number)

    def action_referral(self) -> None:
        if self.drawn is None or self.drawn.referral_id is None:
            self.notify("These papers are not linked to a referral", severity="warning")
            return
        self.cipco.open_referral(self.drawn.referral_id)
