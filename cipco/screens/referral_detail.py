"""One referral: flags, fields, people, the status timeline with follow-ups, and history."""

from __future__ import annotations

from dataclasses import dataclass

from rich.console import Group
from rich.table import Table
from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static, TabbedContent, TabPane

from cipco.clock import format_date, format_datetime
from cipco.models.referral import AGGRAVATING_FACTORS, EVIDENCE_ITEMS
from cipco.screens import keymap
from cipco.screens.casework_view import Casework, load_casework
from cipco.screens.record_page import RecordPage, original_columns_text
from cipco.services.casefile import EvidenceItem, referral_checklist
from cipco.services.flags import Severity
from cipco.services.referrals import (
    ReferralDetail,
    adjudication_label,
    outcome_label,
    referral_detail,
    status_label,
)

SEVERITY_TEXT = {
    Severity.OVERDUE: ("! OVERDUE", "bold red"),
    Severity.DUE_SOON: ("~ due soon", "bold dark_orange"),
    Severity.PENDING: ("  pending", ""),
    Severity.DONE: ("  done", "dim"),
}


@dataclass(frozen=True)
class Drawn:
    """The page, drawn in the worker from the record (no ORM object leaves it)."""

    reference: str
    nomis_number: str
    summary: Group
    timeline: Table
    history: Table
    casework: Casework


def _kv(rows: list[tuple[str, str]]) -> Table:
    table = Table.grid(padding=(0, 2))
    table.add_column(style="bold", no_wrap=True)
    table.add_column()
    for label, value in rows:
        table.add_row(label, Text(value or "—"))
    return table


def titled_table(title: str, *columns: tuple[str, int | None]) -> Table:
    """A headed table of the page: (label, width or None) per column."""
    table = Table(title=title, title_justify="left", expand=True, show_edge=False)
    for label, width in columns:
        table.add_column(label, width=width)
    return table


def render_detail(
    d: ReferralDetail, evidence: list[EvidenceItem] | None = None
) -> tuple[Group, Table, Table]:
    """The summary (flags, facts, people), the timeline and the change history.

    ``evidence`` is the checklist as the case file prints it (a linked CCTV exhibit is held
    CCTV); without it the items ticked on the referral are shown.
    """
    r = d.referral
    if evidence is None:
        evidence = [
            EvidenceItem(k, label, bool((r.evidence or {}).get(k)), "")
            for k, label in EVIDENCE_ITEMS.items()
        ]
    heading = Text.assemble(
        (r.reference, "bold"),
        "  ",
        (status_label(r.status), "reverse"),
        "  ",
        f"{d.prisoner.nomis_number} {d.prisoner.name}",
    )
    flags = titled_table("Due", ("", 11), ("What", None), ("Due by", 17), ("Rule", 5))
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
                    for part in (
                        r.adjudication_charge,
                        adjudication_label(r.adjudication_state),
                        f"laid {format_datetime(r.adjudication_laid_at)}"
                        if r.adjudication_laid_at
                        else "",
                    )
                    if part
                ),
            ),
            ("Footage requested", format_date(r.footage_requested_on)),
            ("Victim last updated", format_datetime(r.victim_updated_at)),
            ("Next step", f"{r.next_step or ''} {format_date(r.next_step_due)}".strip()),
            ("Evidence", ", ".join(("✓ " if i.held else "✗ ") + i.label for i in evidence)),
            ("Notes", r.notes),
        ]
    )
    people = titled_table(
        "Victims and witnesses", ("Role", None), ("Kind", None), ("Name", None), ("Statement", None)
    )
    for p in d.parties:
        people.add_row(p.role, p.kind, Text(p.name), "yes" if p.statement_taken else "no")
    if not d.parties:
        people.add_row("", "", Text("None recorded", style="dim"), "")
    timeline = titled_table("Timeline", ("When", 17), ("What", None), ("By", 14), ("Recorded", 17))
    for entry in d.timeline:
        recorded = format_datetime(entry.recorded_at)
        backdated = entry.recorded_at - entry.happened_at
        timeline.add_row(
            format_datetime(entry.happened_at),
            Text(entry.text),
            Text(entry.actor),
            recorded + (" (later)" if backdated.total_seconds() > 3600 else ""),
        )
    history = titled_table(
        "Change history", ("When", 17), ("Who", 14), ("Field", None), ("From", None), ("To", None)
    )
    for h in d.history[-60:]:
        history.add_row(
            format_datetime(h.at), Text(h.actor), h.field, Text(h.old[:40]), Text(h.new[:40])
        )
    if not d.history:
        history.add_row("", "", Text("No changes recorded yet", style="dim"), "", "")
    kept = original_columns_text(r.original_columns)
    summary = Group(heading, Text(""), flags, *info, Text(""), facts, kept, Text(""), people)
    return summary, timeline, history


class ReferralDetailScreen(RecordPage):
    """One referral: summary (flags, facts, people), timeline, change history."""

    WHERE = "Referral"
    DEFAULT_CSS = """
    ReferralDetailScreen #detail-tabs { height: 1fr; }
    ReferralDetailScreen TabPane { height: 1fr; padding: 0; }
    ReferralDetailScreen .detail { height: 1fr; }
    """
    BINDINGS = keymap.bindings("edit", "move", "add", "follow_up", "case_file", "person", "export")

    def __init__(self, referral_id: int) -> None:
        super().__init__()
        self.referral_id = referral_id
        self.drawn: Drawn | None = None

    def compose_body(self) -> ComposeResult:
        with TabbedContent(id="detail-tabs"):
            with TabPane("Summary", id="tab-summary"), VerticalScroll(classes="detail"):
                yield Static("Loading…", id="detail-body")
            with TabPane("Timeline", id="tab-timeline"), VerticalScroll(classes="detail"):
                yield Static("", id="detail-timeline")
            with TabPane("People", id="tab-people"), VerticalScroll(classes="detail"):
                yield Static("", id="detail-people")
            with TabPane("Papers", id="tab-papers"), VerticalScroll(classes="detail"):
                yield Static("", id="detail-papers")
            with TabPane("History", id="tab-history"), VerticalScroll(classes="detail"):
                yield Static("", id="detail-history")

    def load(self, session: Session) -> Drawn:
        detail = referral_detail(session, self.referral_id, self.cipco.clock)
        evidence = referral_checklist(session, detail.referral)
        summary, timeline, history = render_detail(detail, evidence)
        casework = load_casework(session, self.referral_id, self.cipco.clock)
        return Drawn(
            detail.referral.reference,
            detail.prisoner.nomis_number,
            summary,
            timeline,
            history,
            casework,
        )

    def show(self, drawn: Drawn) -> None:
        self.drawn = drawn
        self.set_where(f"Referral {drawn.reference}")
        self.put("#detail-body", drawn.summary)
        self.put("#detail-timeline", drawn.timeline)
        self.put("#detail-history", drawn.history)
        self.put("#detail-people", drawn.casework.people)
        self.put("#detail-papers", drawn.casework.papers)

    def action_add(self) -> None:
        """The people and papers: a menu of what can be added or moved on."""
        if self.drawn is not None:
            from cipco.screens.casework_menu import add_menu

            add_menu(self, self.referral_id, self.drawn.reference, self.drawn.casework)

    def action_edit(self) -> None:
        from cipco.screens.referral_forms import referral_form

        self.open_form(referral_form(self.referral_id))

    def action_move(self) -> None:
        from cipco.screens.referral_forms import move_form

        self.open_form(move_form(self.referral_id))

    def action_follow_up(self) -> None:
        from cipco.screens.referral_forms import follow_up_form

        self.open_form(follow_up_form(self.referral_id))

    def action_person(self) -> None:
        if self.drawn is not None:
            self.cipco.open_person(self.drawn.nomis_number)

    def action_case_file(self) -> None:
        """The police case file of this referral (PDF and workbook), written in a worker."""
        if self.drawn is None:
            return
        from cipco.screens.documents import case_file_job, write_in_background

        reference = self.drawn.reference
        write_in_background(self.cipco, case_file_job(self.cipco, reference), "Case file")

    def action_export(self) -> None:
        """The police referral proforma of this referral."""
        if self.drawn is None:
            return
        from cipco.record_file import RecordFile
        from cipco.spreadsheets.exporting import default_target
        from cipco.spreadsheets.proforma import write_proforma

        reference, app = self.drawn.reference, self.cipco

        def job() -> str:
            asked = RecordFile("proforma", reference, app.clock, app.actor)
            path = write_proforma(app.engine, asked, default_target(asked.name, app.clock))
            return f"Proforma of {reference} written to {path}"

        self.export(job)
