"""One page per prisoner: everything cipco knows about one prison number.

``PersonPage(nomis_number)``: the person-of-interest entry (band, alerts, flags, orders,
trigger events, associations), every referral as suspect or victim, exhibits found on them,
MG4D papers and clinic actions on their referrals, and the referrals where they are a victim
or witness (last contact, statements, medical disclaimers). ``[``/``]`` step between the sections,
enter opens the highlighted record, ``a`` adds an order, trigger event, associate, papers or
a SOC review, ``d`` marks a trigger event told to the SOC unit.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import DataTable, Static

from cipco.clock import format_date, format_datetime
from cipco.models.people import normalise_nomis
from cipco.models.person import PersonOfInterest
from cipco.screens import keymap
from cipco.screens.cells import SEVERITY_WORDS, cells, severity_style
from cipco.screens.record_page import RecordPage, original_columns
from cipco.services import persons
from cipco.services.flags import Severity
from cipco.services.persons import PersonPageData

Row = tuple[Any, list[str], str]  # (record id, cell values, style)


@dataclass(frozen=True)
class Section:
    key: str  # the table id
    title: str
    columns: tuple[str, ...]
    empty: str
    items: Callable[[PersonPageData], Sequence[Any]]
    cells: Callable[[Any], list[str]]
    style: Callable[[Any], str] = lambda _item: ""

    def rows(self, data: PersonPageData) -> list[Row]:
        return [(item.id, self.cells(item), self.style(item)) for item in self.items(data)]


def _told(e: Any) -> str:
    if e.notified_at:
        return f"told {format_datetime(e.notified_at)}"
    return f"! due {format_date(e.notify_due_on)} (d: told)" if e.notify_due_on else ""


SECTIONS = (
    Section(
        "referrals",
        "Referrals",
        ("Reference", "Role", "Category", "Incident", "Status"),
        "No referrals name this prisoner.",
        lambda d: d.referrals,
        lambda r: [r.reference, r.role, r.category, format_date(r.incident_at), r.status_label],
    ),
    Section(
        "cases",
        "As victim or witness",
        ("Referral", "Role", "Last contact", "Statements", "Medical disclaimer"),
        "Not a victim or witness on any referral.",
        lambda d: d.cases,
        lambda c: [
            c.reference,
            c.role_text,
            format_datetime(c.last_contact_at) or "none logged",
            c.statements or "none asked",
            c.disclaimers or "none issued",
        ],
    ),
    Section(
        "papers",
        "MG4D papers",
        ("Form", "Charges", "Court", "First hearing", "Received", "State", "Served"),
        "No charge papers.",
        lambda d: d.papers,
        lambda p: [
            p.form_label,
            p.charges,
            p.court,
            format_date(p.first_hearing_on),
            format_datetime(p.received_at),
            p.state_label,
            format_datetime(p.served_at),
        ],
        lambda p: "" if p.state == "awaiting" else "dim",
    ),
    Section(
        "exhibits",
        "Exhibits found on them",
        ("Reference", "Description", "State"),
        "No exhibits found on this prisoner.",
        lambda d: d.exhibits,
        lambda x: [x.reference, x.description, x.status],
    ),
    Section(
        "actions",
        "Clinic actions on their referrals",
        ("Referral", "Action", "Owner", "Due", "Status"),
        "No clinic actions.",
        lambda d: d.actions,
        lambda a: [a.referral_reference, a.text, a.owner, format_date(a.due_on), a.status],
    ),
    Section(
        "orders",
        "Ancillary orders",
        ("Order", "Court", "Made", "Starts", "Ends", "Review", "Conditions"),
        "No ancillary orders.",
        lambda d: d.person.orders if d.person else (),
        lambda o: [
            o.label,
            o.court,
            format_date(o.made_on),
            o.start_text,
            o.end_text,
            format_date(o.review_on),
            o.conditions,
        ],
    ),
    Section(
        "events",
        "Custody trigger events",
        ("When", "Trigger", "Detail", "Notify SOC unit"),
        "No trigger events recorded.",
        lambda d: d.person.events if d.person else (),
        lambda e: [format_datetime(e.happened_at), e.kind_label, e.detail, _told(e)],
        lambda e: "dark_orange" if e.notify_due_on and not e.notified_at else "",
    ),
    Section(
        "links",
        "Associates and non-associations",
        ("Link", "Prison no", "Name", "Note"),
        "No associates recorded.",
        lambda d: d.associations,
        lambda link: [link.kind_label, link.nomis_number, link.name, link.note],
    ),
)
ADD_CHOICES = [
    ("Ancillary order", "order"),
    ("Custody trigger event", "trigger"),
    ("Associate or non-association", "link"),
    ("MG4D charge papers received", "papers"),
    ("SOC review done today", "review"),
]


def summary_text(nomis_number: str, data: PersonPageData | None) -> Text:
    if data is None:
        return Text(
            f"{nomis_number} is not known to cipco: no referral, papers or list entry names "
            "this prison number. Press e to add them to the persons list."
        )
    text = Text()
    text.append(f"{data.nomis_number}  {data.name}", style="bold")
    details = [
        f"PNC {data.pnc}" if data.pnc else "",
        f"DOB {format_date(data.date_of_birth)}" if data.date_of_birth else "",
        f"Location: {data.location}" if data.location else "",
    ]
    text.append("   " + "   ".join(d for d in details if d))
    person = data.person
    if person is None:
        text.append("\nNot on the persons-of-interest list (press e to add).", style="dim")
        return text
    text.append("\nPerson of interest")
    if person.do_not_share:
        text.append("   DO NOT SHARE", style="bold red")
    if person.band:
        text.append(f"   SOC Band {person.band}", style="bold")
    if person.ocg_name:
        text.append(f"   OCG: {person.ocg_name}")
    if person.alert_labels:
        text.append("\nAlerts: " + "; ".join(person.alert_labels))
    reviews = [
        f"Last review {format_date(person.last_review_on)}" if person.last_review_on else "",
        f"Next review {format_date(person.next_review_on)}" if person.next_review_on else "",
        f"Release {format_date(person.release_date)}" if person.release_date else "",
    ]
    if any(reviews):
        text.append("\n" + "   ".join(r for r in reviews if r))
    if person.reason:
        text.append(f"\nWhy: {person.reason}")
    if person.notes:
        text.append(f"\nNotes: {person.notes}")
    for flag in person.flags:
        if flag.severity != Severity.DONE:
            text.append(
                f"\n{SEVERITY_WORDS[flag.severity]} {flag.label}",
                style=severity_style(flag.severity),
            )
    return text


@dataclass(frozen=True)
class Drawn:
    data: PersonPageData | None
    summary: Text
    rows: dict[str, list[Row]]


class PersonPage(RecordPage):
    """Everything about one prisoner, with keys to act on each record."""

    WHERE = "Prisoner"
    BINDINGS = keymap.bindings("edit", "add", "done", "remove", "open")
    DEFAULT_CSS = """
    PersonPage #summary { height: auto; padding: 0 1; }
    PersonPage DataTable { height: auto; max-height: 12; margin: 0 1; }
    PersonPage .empty-note { height: auto; padding: 0 1; color: $text-muted; }
    """

    def __init__(self, nomis_number: str) -> None:
        super().__init__()
        self.nomis_number = normalise_nomis(nomis_number)
        self.data: PersonPageData | None = None
        self.row_ids: dict[str, list[Any]] = {}

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="page"):
            yield Static(Text(f"Loading {self.nomis_number}…"), id="summary")
            for section in SECTIONS:
                yield Static(section.title, classes="section-title", markup=False)
                table: DataTable[Text] = DataTable(
                    cursor_type="row", zebra_stripes=True, id=section.key
                )
                yield table
                yield Static("", classes="empty-note", id=f"empty-{section.key}", markup=False)

    @property
    def where(self) -> str:
        return f"Prisoner {self.nomis_number}"

    def on_mount(self) -> None:
        for section in SECTIONS:
            table = self.query_one(f"#{section.key}", DataTable)
            for label in section.columns:
                table.add_column(label, key=label)

    def load(self, session: Session) -> Drawn:
        data = persons.person_page(session, self.nomis_number, self.cipco.clock)
        rows = {s.key: s.rows(data) if data else [] for s in SECTIONS}
        summary = summary_text(self.nomis_number, data)
        if data is not None and data.person is not None:
            summary += original_columns(session, PersonOfInterest, data.person.id)
        return Drawn(data, summary, rows)

    def show(self, drawn: Drawn) -> None:
        self.data = drawn.data
        self.put("#summary", drawn.summary)
        for section in SECTIONS:
            rows = drawn.rows[section.key]
            table = self.query_one(f"#{section.key}", DataTable)
            cursor = table.cursor_row
            table.clear()
            self.row_ids[section.key] = [record_id for record_id, _, _ in rows]
            for index, (_, values, style) in enumerate(rows):
                table.add_row(*cells(values, style), key=str(index))
            if rows:
                table.move_cursor(row=min(cursor, len(rows) - 1))
            table.display = bool(rows)
            note = self.query_one(f"#empty-{section.key}", Static)
            note.update(section.empty if not rows else "")
            note.display = not rows

    # ------------------------------------------------------------ moving about

    def _step_tab(self, step: int) -> None:
        """``[``/``]``: the previous or next section that has rows."""
        tables = [t for s in SECTIONS if (t := self.query_one(f"#{s.key}", DataTable)).display]
        if not tables:
            return
        focused = self.focused
        index = tables.index(focused) if focused in tables else -1 if step > 0 else 0
        target = tables[(index + step) % len(tables)]
        target.focus()
        target.scroll_visible()

    def _selected(self, key: str | None = None) -> tuple[str, Any] | None:
        focused = self.focused
        if not isinstance(focused, DataTable) or focused.id is None:
            return None
        if key is not None and focused.id != key:
            return None
        ids = self.row_ids.get(focused.id, [])
        if not ids or focused.cursor_row >= len(ids):
            return None
        return focused.id, ids[focused.cursor_row]

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_open(self) -> None:
        selected = self._selected()
        if selected is None:
            return
        section, record = selected
        app = self.cipco
        if section in ("referrals", "cases"):
            app.open_referral(int(record))
        elif section == "papers":
            app.open_papers(int(record))
        elif section == "links" and self.data is not None:
            link = next(a for a in self.data.associations if a.id == record)
            app.open_person(link.nomis_number)
        elif section == "exhibits":
            app.open_exhibit(int(record))
        elif section == "actions":
            app.open_clinic_action(int(record))

    # ------------------------------------------------------------ changes

    def _person_id(self) -> int | None:
        if self.data is None or self.data.person is None:
            self.notify("Add this prisoner to the persons list first (press e)", severity="warning")
            return None
        return self.data.person.id

    def action_edit(self) -> None:
        from cipco.screens.person_forms import person_form

        self.open_form(person_form(self.nomis_number))

    def action_add(self) -> None:
        from cipco.screens.modals import ChoiceScreen

        self.app.push_screen(
            ChoiceScreen(f"Add to {self.nomis_number}", ADD_CHOICES), self._add_chosen
        )

    def _add_chosen(self, what: str | None) -> None:
        from cipco.screens import person_forms
        from cipco.screens.mg4d_forms import papers_form

        clock = self.cipco.clock
        if what == "papers":
            self.open_form(papers_form(nomis_number=self.nomis_number, clock=clock))
        elif what == "link":
            if self.data is None:
                self.notify("This prison number is not known yet", severity="warning")
            else:
                self.open_form(person_forms.association_form(self.data.prisoner_id))
        elif what in ("order", "trigger", "review"):
            person_id = self._person_id()
            if person_id is None:
                return
            if what == "order":
                self.open_form(person_forms.order_form(person_id))
            elif what == "trigger":
                self.open_form(person_forms.trigger_form(person_id, clock))
            else:
                self._reviewed(person_id)

    def _reviewed(self, person_id: int) -> None:
        clock = self.cipco.clock

        def review(session: Session) -> str:
            person = persons.record_review(session, person_id, clock)
            return f"Review recorded; next due {format_date(person.next_review_on)}"

        self.write(review)

    def action_done(self) -> None:
        selected = self._selected("events")
        if selected is None:
            self.notify("Highlight a trigger event first ([ or ] to reach it)", severity="warning")
            return
        event_id, clock = int(selected[1]), self.cipco.clock

        def notified(session: Session) -> str:
            persons.mark_notified(session, event_id, clock, "recorded in cipco")
            return "SOC unit notification recorded"

        self.write(notified)

    def action_remove(self) -> None:
        from cipco.screens.modals import ConfirmScreen

        selected = self._selected()
        if selected is None or selected[0] not in ("orders", "links"):
            self.notify("Highlight an order or an associate first", severity="warning")
            return
        section, record_id = selected
        if section == "orders":
            question = "Remove this ancillary order from the record?"
            remove = persons.remove_order
        else:
            assert self.data is not None
            link = next(a for a in self.data.associations if a.id == record_id)
            question = f"Remove the {link.kind_label.lower()} link with {link.nomis_number}?"
            remove = persons.remove_association

        def decided(yes: bool | None) -> None:
            if yes:
                self.write(lambda session: remove(session, int(record_id)) or "Removed")

        self.app.push_screen(ConfirmScreen(question, confirm_label="Remove", danger=True), decided)
