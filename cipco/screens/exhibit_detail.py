"""One exhibit's page: what it is, who holds it now, and its whole chain as a timeline."""

from __future__ import annotations

from dataclasses import dataclass

from rich.table import Table
from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from cipco.clock import format_date, to_london
from cipco.models.exhibit import EventKind, Exhibit
from cipco.screens import keymap
from cipco.screens.cells import assembled, when
from cipco.screens.record_page import RecordPage, original_columns
from cipco.services import exhibits as svc
from cipco.services.exhibits import ExhibitDetail, TimelineEntry, state_label, type_label


@dataclass(frozen=True)
class Drawn:
    """The page drawn in the worker: the facts the keys need, and the text to show."""

    reference: str
    holder: str
    events: list[tuple[str, int]]  # (label, id) of the events a correction can point at
    head: Text
    timeline: Table


def labelled(*pairs: tuple[str, object]) -> list[str]:
    """``label value`` for each value given (blank values left out)."""
    return [f"{label} {value}".strip() for label, value in pairs if value]


def _event_line(e: TimelineEntry) -> str:
    """What the event did, after its kind."""
    if not e.custody:  # a hold, a referral link, the form upgrade: what it says
        return f"  {e.note}"
    if e.kind == EventKind.CORRECTION:
        changes = labelled(("to", e.to_name), ("location", e.location), ("seal", e.seal_number))
        changes += [e.reason] if e.reason else []
        return f"  corrects event {e.corrects_seq}: {e.note}" + (
            f" ({', '.join(changes)})" if changes else ""
        )
    line = f"  {e.from_name} -> {e.to_name or '(destroyed)'}"
    line += f" [{e.to_detail}]" if e.to_detail else ""
    return line + "".join(f"  · {part}" for part in (e.reason, e.location) if part)


def _event_notes(e: TimelineEntry) -> str:
    intact = "" if e.seal_intact is None else (" intact" if e.seal_intact else " BROKEN")
    notes = [f"seal {e.seal_number}{intact}"] if e.seal_number else []
    notes += labelled(("resealed", e.new_seal_number), ("authority", e.authority))
    notes += labelled(("witness", e.witness))
    notes += [e.note] if e.note and e.custody and e.kind != EventKind.CORRECTION else []
    recorded = f"recorded {to_london(e.recorded_at):%d/%m/%Y %H:%M} by {e.recorded_by}"
    notes.append(recorded + (" (BACK-DATED)" if e.backdated else ""))
    return "  · ".join(notes)


def timeline_text(detail: ExhibitDetail) -> Table:
    """The chain, an event a row: its number and time in their own columns, so what it says
    wraps under itself at any width (not back to the left edge)."""
    grid = Table.grid(padding=(0, 2))
    grid.add_column(justify="right", no_wrap=True, style="bold")
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1, overflow="fold")
    for e in detail.timeline:
        body = Text()
        body.append(e.label.upper(), style="bold red" if e.kind == "destruction" else "bold")
        body.append(_event_line(e) + "\n")
        body.append(_event_notes(e), style="dim")
        if e.discrepancy:
            body.append(f"\n! DISCREPANCY: {e.discrepancy}", style="bold red")
        if e.corrected_by:
            later = ", ".join(str(s) for s in e.corrected_by)
            body.append(f"\ncorrected by event {later}", style="dark_orange")
        grid.add_row(str(e.seq), f"{to_london(e.happened_at):%d/%m/%Y %H:%M}", body)
    return grid


def header_text(d: ExhibitDetail) -> Text:
    count = d.discrepancy_count
    discrepancies = f"\n! {count} {'discrepancy' if count == 1 else 'discrepancies'} in the chain"
    return assembled(
        (d.reference, "bold"),
        (when(d.parent_reference, f" (part of {d.parent_reference})"), ""),
        (f"  {type_label(d.exhibit_type)}  ·  {d.description}\n", ""),
        (f"State: {state_label(d.state)}", "bold"),
        (when(d.holder, f"  ·  Holder: {d.holder}"), ""),
        (when(d.storage_location, f"  ·  Location: {d.storage_location}"), ""),
        (when(d.seal_number, f"  ·  Seal: {d.seal_number}"), ""),
        (f"\nReferrals: {', '.join(d.referrals) or 'none'}", ""),
        (when(d.open_referrals, f" (open: {', '.join(d.open_referrals)})"), ""),
        (when(d.review_due_on, f"  ·  Review due {format_date(d.review_due_on)}"), ""),
        (when(d.hold, f"  ·  ON HOLD: {d.hold_reason}"), "bold dark_orange"),
        (when(d.awaiting_collection, "  ·  Awaiting police collection"), "bold"),
        (
            when(d.discrepancy_count, f"\n! {d.discrepancy_count} {discrepancies} in the chain"),
            "bold red",
        ),
        (when(d.fields, "\n" + "  ·  ".join(f"{k}: {v}" for k, v in d.fields)), "dim"),
    )


class ExhibitDetailScreen(RecordPage):
    """One exhibit: m moves it on, k corrects an event, e sets hold/collection, x exports
    its continuity record."""

    WHERE = "Exhibit"
    BINDINGS = keymap.bindings("move", "correct", "edit", "export")
    DEFAULT_CSS = """
    #exhibit-header { height: auto; padding: 0 1; }
    #timeline { height: 1fr; padding: 0 1; border: round $primary-darken-2; }
    """

    def __init__(self, exhibit_id: int) -> None:
        super().__init__()
        self.exhibit_id = exhibit_id
        self.drawn: Drawn | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("Loading…", id="exhibit-header")
        with VerticalScroll(id="timeline"):
            yield Static("", id="timeline-text")

    def load(self, session: Session) -> Drawn:
        detail = svc.exhibit_detail(session, self.exhibit_id, self.cipco.clock)
        events = [
            (f"{e.seq}: {e.label} {to_london(e.happened_at):%d/%m/%Y %H:%M} {e.to_name}", e.id)
            for e in detail.timeline
            if e.correctable
        ]
        head = header_text(detail) + original_columns(session, Exhibit, self.exhibit_id)
        return Drawn(detail.reference, detail.holder, events, head, timeline_text(detail))

    def show(self, drawn: Drawn) -> None:
        self.drawn = drawn
        self.set_where(f"Exhibit {drawn.reference}")
        self.put("#exhibit-header", drawn.head)
        self.put("#timeline-text", drawn.timeline)

    def action_move(self) -> None:
        from cipco.screens.exhibit_forms import choose_move

        if self.drawn is not None:
            d = self.drawn
            choose_move(self, self.exhibit_id, d.reference, d.holder, self.open_form)

    def action_correct(self) -> None:
        from cipco.screens.exhibit_forms import correction_form

        if self.drawn is not None:
            d = self.drawn
            self.open_form(correction_form(self.exhibit_id, d.reference, d.events))

    def action_edit(self) -> None:
        from cipco.screens.exhibit_forms import flags_form

        self.open_form(flags_form(self.exhibit_id))

    def action_export(self) -> None:
        """The continuity record of this exhibit."""
        if self.drawn is None:
            return
        from cipco.record_file import RecordFile
        from cipco.spreadsheets.exhibits_io import export_continuity
        from cipco.spreadsheets.exporting import default_target

        reference, app = self.drawn.reference, self.cipco

        def job() -> str:
            asked = RecordFile("continuity", reference, app.clock, app.actor)
            path, _events = export_continuity(
                app.engine, asked, default_target(asked.name, app.clock)
            )
            return f"Continuity of {reference} written to {path}"

        self.export(job)
