"""One exhibit's page: what it is, who holds it now, and its whole chain as a timeline."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from cipco.clock import to_london
from cipco.models.exhibit import EventKind
from cipco.screens import keymap
from cipco.screens.record_page import RecordPage
from cipco.services import exhibits as svc
from cipco.services.exhibits import ExhibitDetail, state_label, type_label


@dataclass(frozen=True)
class Drawn:
    """The page drawn in the worker: the facts the keys need, and the text to show."""

    reference: str
    holder: str
    events: list[tuple[str, int]]  # (label, id) of the events a correction can point at
    head: Text
    timeline: Text


def timeline_text(detail: ExhibitDetail) -> Text:
    text = Text()
    for e in detail.timeline:
        when = f"{to_london(e.happened_at):%d/%m/%Y %H:%M}"
        text.append(f"{e.seq:>3}  {when}  ", style="bold")
        text.append(e.label.upper(), style="bold red" if e.kind == "destruction" else "bold")
        if e.kind == EventKind.CORRECTION:
            text.append(f"  corrects event {e.corrects_seq}: ")
            text.append(e.note)
            changes = ", ".join(
                part
                for part in (
                    f"to {e.to_name}" if e.to_name else "",
                    f"location {e.location}" if e.location else "",
                    f"seal {e.seal_number}" if e.seal_number else "",
                    e.reason,
                )
                if part
            )
            if changes:
                text.append(f" ({changes})")
        else:
            text.append(f"  {e.from_name} -> {e.to_name or '(destroyed)'}")
            if e.to_detail:
                text.append(f" [{e.to_detail}]")
            if e.reason:
                text.append(f"  · {e.reason}")
            if e.location:
                text.append(f"  · {e.location}")
        text.append("\n")
        notes = []
        if e.seal_number:
            intact = "" if e.seal_intact is None else (" intact" if e.seal_intact else " BROKEN")
            notes.append(f"seal {e.seal_number}{intact}")
        if e.new_seal_number:
            notes.append(f"resealed {e.new_seal_number}")
        if e.authority:
            notes.append(f"authority {e.authority}")
        if e.witness:
            notes.append(f"witness {e.witness}")
        if e.note and e.kind != EventKind.CORRECTION:
            notes.append(e.note)
        recorded = f"recorded {to_london(e.recorded_at):%d/%m/%Y %H:%M} by {e.recorded_by}"
        if e.backdated:
            recorded += " (BACK-DATED)"
        notes.append(recorded)
        text.append("       " + "  · ".join(notes) + "\n", style="dim")
        if e.discrepancy:
            text.append(f"       ! DISCREPANCY: {e.discrepancy}\n", style="bold red")
        if e.corrected_by:
            text.append(
                f"       corrected by event {', '.join(str(s) for s in e.corrected_by)}\n",
                style="dark_orange",
            )
    return text


def header_text(detail: ExhibitDetail) -> Text:
    head = Text()
    head.append(f"{detail.reference}", style="bold")
    if detail.parent_reference:
        head.append(f" (part of {detail.parent_reference})")
    head.append(f"  {type_label(detail.exhibit_type)}  ·  ")
    head.append(detail.description)
    head.append("\n")
    head.append(f"State: {state_label(detail.state)}", style="bold")
    if detail.holder:
        head.append(f"  ·  Holder: {detail.holder}")
    if detail.storage_location:
        head.append(f"  ·  Location: {detail.storage_location}")
    if detail.seal_number:
        head.append(f"  ·  Seal: {detail.seal_number}")
    head.append("\n")
    head.append(f"Referrals: {', '.join(detail.referrals) or 'none'}")
    if detail.open_referrals:
        head.append(f" (open: {', '.join(detail.open_referrals)})")
    if detail.review_due_on:
        head.append(f"  ·  Review due {detail.review_due_on:%d/%m/%Y}")
    if detail.hold:
        head.append(f"  ·  ON HOLD: {detail.hold_reason}", style="bold dark_orange")
    if detail.awaiting_collection:
        head.append("  ·  Awaiting police collection", style="bold")
    if detail.discrepancy_count:
        noun = "discrepancy" if detail.discrepancy_count == 1 else "discrepancies"
        head.append(f"\n! {detail.discrepancy_count} {noun} in the chain", style="bold red")
    if detail.fields:
        head.append("\n" + "  ·  ".join(f"{k}: {v}" for k, v in detail.fields), style="dim")
    return head


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
            if e.kind != EventKind.CORRECTION
        ]
        return Drawn(
            detail.reference, detail.holder, events, header_text(detail), timeline_text(detail)
        )

    def show(self, drawn: Drawn) -> None:
        self.drawn = drawn
        self.set_where(f"Exhibit {drawn.reference}")
        self.query_one("#exhibit-header", Static).update(drawn.head)
        self.query_one("#timeline-text", Static).update(drawn.timeline)

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
        from cipco.spreadsheets.exhibits_io import export_continuity

        reference, app = self.drawn.reference, self.cipco

        def write(session: Session, path: Path) -> None:
            export_continuity(session, path, reference, clock=app.clock, actor=app.actor)

        self.export_file(f"continuity-{reference.replace('/', '-')}", write)
