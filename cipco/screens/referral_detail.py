"""One referral: flags, fields, people, the status timeline with follow-ups, and history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Static, TabbedContent, TabPane

from cipco.clock import format_date, format_datetime
from cipco.models.referral import AGGRAVATING_FACTORS, EVIDENCE_ITEMS
from cipco.services.flags import Severity
from cipco.services.referrals import (
    ReferralDetail,
    adjudication_label,
    outcome_label,
    referral_detail,
    status_label,
)
from cipco.text import make_safe
from cipco.widgets.errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from cipco.app import CipcoApp

SEVERITY_TEXT = {
    Severity.OVERDUE: ("! OVERDUE", "bold red"),
    Severity.DUE_SOON: ("~ due soon", "bold dark_orange"),
    Severity.PENDING: ("  pending", ""),
    Severity.DONE: ("  done", "dim"),
}


@dataclass(frozen=True)
class _Loaded:
    detail: ReferralDetail


def _kv(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for label, value in rows:
        table.add_row(label, Text(value or "—"))
    return table


def render_detail(d: ReferralDetail) -> tuple[Group, Table, Table]:
    """The summary (flags, facts, people), the timeline and the change history."""
    r = d.referral
    heading = Text.assemble(
        (r.reference, "bold"),
        "  ",
        (status_label(r.status), "reverse"),
        "  ",
        f"{d.prisoner.nomis_number} {d.prisoner.name}",
    )
    flags = Table(title="Due", title_justify="left", expand=True, show_edge=False)
    flags.add_column("", width=11)
    flags.add_column("What")
    flags.add_column("Due by", width=17)
    flags.add_column("Rule", width=5)
    for flag in d.flags:
        marker, style = SEVERITY_TEXT[flag.severity]
        flags.add_row(
            Text(marker, style=style),
            Text(flag.label, style=style),
            format_datetime(flag.due_at),
            flag.rule,
        )
    if not d.flags:
        flags.add_row("", Text("Nothing due", style="dim"), "", "")
    info = [Text(note, style="italic") for note in d.information]
    facts = _kv(
        [
            (
                "Category",
                d.category.label
                + (" (mandatory referral)" if d.category.mandatory_referral else ""),
            ),
            ("Incident", f"{format_datetime(r.incident_at)} at {r.location}"),
            ("Discovered", format_datetime(r.discovered_at)),
            ("Description", r.description),
            ("Aggravating", ", ".join(AGGRAVATING_FACTORS[f] for f in r.aggravating_factors or [])),
            ("Staff victim", "yes" if r.staff_victim else "no"),
            ("Victim wants police", "yes" if r.victim_wants_police else "no"),
            ("Summary-only", "yes" if r.summary_only else "no"),
            ("Force", d.force_name),
            ("Crime ref", r.crime_ref or ""),
            (
                "OIC",
                " · ".join(x for x in (r.oic_name, r.oic_collar, r.oic_phone, r.oic_email) if x),
            ),
            ("Police contacted", format_datetime(r.police_contacted_at)),
            ("Outcome", outcome_label(r.outcome)),
            ("Reason", r.status_reason or ""),
            (
                "Adjudication",
                " · ".join(
                    part
                    for part in (r.adjudication_charge, adjudication_label(r.adjudication_state))
                    if part
                ),
            ),
            ("Footage requested", format_date(r.footage_requested_on)),
            ("Victim last updated", format_datetime(r.victim_updated_at)),
            ("Next step", f"{r.next_step or ''} {format_date(r.next_step_due)}".strip()),
            (
                "Evidence",
                ", ".join(
                    ("✓ " if (r.evidence or {}).get(k) else "✗ ") + label
                    for k, label in EVIDENCE_ITEMS.items()
                ),
            ),
            ("Notes", r.notes),
        ]
    )
    people = Table(
        title="Victims and witnesses", title_justify="left", expand=True, show_edge=False
    )
    people.add_column("Role")
    people.add_column("Kind")
    people.add_column("Name")
    people.add_column("Statement")
    for p in d.parties:
        people.add_row(p.role, p.kind, Text(p.name), "yes" if p.statement_taken else "no")
    if not d.parties:
        people.add_row("", "", Text("None recorded", style="dim"), "")
    timeline = Table(title="Timeline", title_justify="left", expand=True, show_edge=False)
    timeline.add_column("When", width=17)
    timeline.add_column("What")
    timeline.add_column("By", width=14)
    timeline.add_column("Recorded", width=17)
    for entry in d.timeline:
        recorded = format_datetime(entry.recorded_at)
        backdated = entry.recorded_at - entry.happened_at
        timeline.add_row(
            format_datetime(entry.happened_at),
            Text(entry.text),
            Text(entry.actor),
            recorded + (" (later)" if backdated.total_seconds() > 3600 else ""),
        )
    history = Table(title="Change history", title_justify="left", expand=True, show_edge=False)
    history.add_column("When", width=17)
    history.add_column("Who", width=14)
    history.add_column("Field")
    history.add_column("From")
    history.add_column("To")
    for h in d.history[-60:]:
        history.add_row(
            format_datetime(h.at), Text(h.actor), h.field, Text(h.old[:40]), Text(h.new[:40])
        )
    if not d.history:
        history.add_row("", "", Text("No changes recorded yet", style="dim"), "", "")
    summary = Group(heading, Text(""), flags, *info, Text(""), facts, Text(""), people)
    return summary, timeline, history


class ReferralDetailScreen(ReportsWorkerErrors, Screen[None]):
    BINDINGS = [
        Binding("escape", "app.pop_screen", "Back"),
        Binding("e", "edit", "Edit"),
        Binding("m", "move", "Move status"),
        Binding("f", "follow_up", "Follow-up"),
        Binding("p", "person", "Prisoner"),
        Binding("t", "tab('tab-timeline')", "Timeline"),
        Binding("h", "tab('tab-history')", "History"),
        Binding("o", "tab('tab-summary')", "Summary"),
    ]

    def __init__(self, referral_id: int) -> None:
        super().__init__()
        self.referral_id = referral_id
        self.nomis_number: str | None = None

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with TabbedContent(id="detail-tabs"):
            with TabPane("Summary", id="tab-summary"), VerticalScroll(classes="detail"):
                yield Static("Loading…", id="detail-body")
            with TabPane("Timeline", id="tab-timeline"), VerticalScroll(classes="detail"):
                yield Static("", id="detail-timeline")
            with TabPane("History", id="tab-history"), VerticalScroll(classes="detail"):
                yield Static("", id="detail-history")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def _load(self) -> None:
        with self.cipco.session() as session:
            detail = referral_detail(session, self.referral_id, self.cipco.clock)
        self.app.call_from_thread(self._show, detail)

    def _show(self, detail: ReferralDetail) -> None:
        self.nomis_number = detail.prisoner.nomis_number
        summary, timeline, history = render_detail(detail)
        self.query_one("#detail-body", Static).update(make_safe(summary))
        self.query_one("#detail-timeline", Static).update(make_safe(timeline))
        self.query_one("#detail-history", Static).update(make_safe(history))

    def _after(self, result: object) -> None:
        if result:
            self.refresh_data()

    def action_tab(self, tab: str) -> None:
        self.query_one(TabbedContent).active = tab

    def action_edit(self) -> None:
        from cipco.screens.referral_form import ReferralForm

        self.app.push_screen(ReferralForm(self.referral_id), self._after)

    def action_move(self) -> None:
        from cipco.screens.referral_form import MoveStatusScreen

        self.app.push_screen(MoveStatusScreen(self.referral_id), self._after)

    def action_follow_up(self) -> None:
        from cipco.screens.referral_form import FollowUpScreen

        self.app.push_screen(FollowUpScreen(self.referral_id), self._after)

    def action_person(self) -> None:
        if self.nomis_number:
            self.cipco.open_person(self.nomis_number)
