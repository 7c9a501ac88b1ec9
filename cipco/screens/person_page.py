"""One page per prisoner: everything cipco knows about one prison number.

``PersonPage(nomis_number)``: the person-of-interest entry (band, alerts, flags, orders,
trigger events, associations), every referral as suspect or victim, exhibits found on them,
MG4D papers and clinic actions on their referrals. Lower-case letters jump to a section;
enter opens the highlighted record.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Static

from cipco.clock import format_date, format_datetime, to_london
from cipco.services.flags import Severity
from cipco.services.persons import PersonPageData
from cipco.text import make_safe, safe_cell
from cipco.widgets.errors import ReportsWorkerErrors

if TYPE_CHECKING:
    from cipco.app import CipcoApp

FLAG_STYLES = {
    Severity.OVERDUE: "bold red",
    Severity.DUE_SOON: "dark_orange",
    Severity.PENDING: "",
    Severity.DONE: "dim",
}
FLAG_MARKERS = {
    Severity.OVERDUE: "!",
    Severity.DUE_SOON: "~",
    Severity.PENDING: "·",
    Severity.DONE: "·",
}


@dataclass(frozen=True)
class Section:
    key: str  # the table id and the jump key
    title: str
    columns: tuple[str, ...]
    empty: str


SECTIONS = (
    Section(
        "referrals",
        "Referrals (r)",
        ("Reference", "Role", "Category", "Incident", "Status"),
        "No referrals name this prisoner.",
    ),
    Section(
        "papers",
        "MG4D papers (m)",
        ("Form", "Charges", "Court", "First hearing", "Received", "State", "Served"),
        "No charge papers.",
    ),
    Section(
        "exhibits",
        "Exhibits found on them (x)",
        ("Reference", "Description", "State"),
        "No exhibits found on this prisoner.",
    ),
    Section(
        "actions",
        "Clinic actions on their referrals (c)",
        ("Referral", "Action", "Owner", "Due", "Status"),
        "No clinic actions.",
    ),
    Section(
        "orders",
        "Ancillary orders (o)",
        ("Order", "Court", "Made", "Starts", "Ends", "Review", "Conditions"),
        "No ancillary orders.",
    ),
    Section(
        "events",
        "Custody trigger events (t)",
        ("When", "Trigger", "Detail", "Notify SOC unit"),
        "No trigger events recorded.",
    ),
    Section(
        "links",
        "Associates and non-associations (a)",
        ("Link", "Prison no", "Name", "Note"),
        "No associates recorded.",
    ),
)


def _cells(values: list[str], style: str = "") -> list[Text]:
    return [Text(v, style=style, overflow="ellipsis", no_wrap=True) for v in values]


class PersonPage(ReportsWorkerErrors, Screen[None]):
    """Everything about one prisoner, with keys to jump to each record."""

    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("e", "edit", "Edit/add to list"),
        Binding("O", "add_order", "Add order", key_display="O"),
        Binding("T", "add_trigger", "Trigger event", key_display="T"),
        Binding("N", "notified", "SOC told", key_display="N"),
        Binding("V", "reviewed", "Review done", key_display="V"),
        Binding("A", "add_link", "Add associate", key_display="A"),
        Binding("P", "add_papers", "New papers", key_display="P"),
        Binding("delete", "remove", "Remove order/link"),
        Binding("r", "jump('referrals')", "Referrals", show=False),
        Binding("m", "jump('papers')", "MG4D", show=False),
        Binding("x", "jump('exhibits')", "Exhibits", show=False),
        Binding("c", "jump('actions')", "Actions", show=False),
        Binding("o", "jump('orders')", "Orders", show=False),
        Binding("t", "jump('events')", "Events", show=False),
        Binding("a", "jump('links')", "Associates", show=False),
    ]

    DEFAULT_CSS = """
    PersonPage #summary { height: auto; padding: 0 1; }
    PersonPage .section-title { height: 1; padding: 0 1; background: $boost; text-style: bold; }
    PersonPage DataTable { height: auto; max-height: 12; }
    PersonPage .empty-note { height: auto; padding: 0 2; color: $text-muted; }
    """

    def __init__(self, nomis_number: str) -> None:
        super().__init__()
        from cipco.models.people import normalise_nomis

        self.nomis_number = normalise_nomis(nomis_number)
        self.data: PersonPageData | None = None
        self._row_ids: dict[str, list[Any]] = {}

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="page"):
            yield Static(Text(f"Loading {self.nomis_number}…"), id="summary")
            for section in SECTIONS:
                yield Static(section.title, classes="section-title", markup=False)
                table: DataTable[Text] = DataTable(
                    cursor_type="row", zebra_stripes=True, id=section.key
                )
                yield table
                yield Static("", classes="empty-note", id=f"empty-{section.key}", markup=False)
        yield Footer()

    def on_mount(self) -> None:
        self.sub_title = self.nomis_number
        for section in SECTIONS:
            table = self.query_one(f"#{section.key}", DataTable)
            for label in section.columns:
                table.add_column(label, key=label)
        self.refresh_data()

    def refresh_data(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="person-page", exit_on_error=False)
    def _load(self) -> None:
        from cipco.services.persons import person_page

        with self.cipco.session() as session:
            data = person_page(session, self.nomis_number, self.cipco.clock)
        self.app.call_from_thread(self._show, data)

    # ------------------------------------------------------------ rendering

    def _show(self, data: PersonPageData | None) -> None:
        self.data = data
        summary = self.query_one("#summary", Static)
        if data is None:
            summary.update(
                Text(
                    f"{self.nomis_number} is not known to cipco: no referral, papers or list "
                    "entry names this prison number. Press e to add them to the persons list.",
                )
            )
            for section in SECTIONS:
                self._fill(section, [], [])
            return
        summary.update(make_safe(self._summary(data)))
        person = data.person
        self._fill(
            SECTIONS[0],
            [r.id for r in data.referrals],
            [
                _cells(
                    [
                        r.reference,
                        r.role,
                        r.category,
                        format_date(to_london(r.incident_at).date()),
                        r.status_label,
                    ]
                )
                for r in data.referrals
            ],
        )
        self._fill(
            SECTIONS[1],
            [p.id for p in data.papers],
            [
                _cells(
                    [
                        p.form_label,
                        p.charges,
                        p.court,
                        format_date(p.first_hearing_on),
                        format_datetime(p.received_at),
                        p.state_label,
                        format_datetime(p.served_at),
                    ],
                    "" if p.state == "awaiting" else "dim",
                )
                for p in data.papers
            ],
        )
        self._fill(
            SECTIONS[2],
            [x.id for x in data.exhibits],
            [_cells([x.reference, x.description, x.status]) for x in data.exhibits],
        )
        self._fill(
            SECTIONS[3],
            [a.id for a in data.actions],
            [
                _cells([a.referral_reference, a.text, a.owner, format_date(a.due_on), a.status])
                for a in data.actions
            ],
        )
        orders = person.orders if person else ()
        self._fill(
            SECTIONS[4],
            [o.id for o in orders],
            [
                _cells(
                    [
                        o.label,
                        o.court,
                        format_date(o.made_on),
                        o.start_text,
                        o.end_text,
                        format_date(o.review_on),
                        o.conditions,
                    ]
                )
                for o in orders
            ],
        )
        events = person.events if person else ()
        self._fill(
            SECTIONS[5],
            [e.id for e in events],
            [
                _cells(
                    [
                        format_datetime(e.happened_at),
                        e.kind_label,
                        e.detail,
                        (
                            f"told {format_datetime(e.notified_at)}"
                            if e.notified_at
                            else (
                                f"! due {format_date(e.notify_due_on)}" if e.notify_due_on else ""
                            )
                        ),
                    ],
                    "" if e.notified_at or not e.notify_due_on else "dark_orange",
                )
                for e in events
            ],
        )
        self._fill(
            SECTIONS[6],
            [link.nomis_number for link in data.associations],
            [
                _cells([link.kind_label, link.nomis_number, link.name, link.note])
                for link in data.associations
            ],
        )

    def _summary(self, data: PersonPageData) -> Text:
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
            f"last review {format_date(person.last_review_on)}" if person.last_review_on else "",
            f"next review {format_date(person.next_review_on)}" if person.next_review_on else "",
            f"release {format_date(person.release_date)}" if person.release_date else "",
        ]
        if any(reviews):
            text.append("\n" + "   ".join(r for r in reviews if r))
        if person.reason:
            text.append(f"\nWhy: {person.reason}")
        if person.notes:
            text.append(f"\nNotes: {person.notes}")
        for flag in person.flags:
            if flag.severity == Severity.DONE:
                continue
            text.append(
                f"\n{FLAG_MARKERS[flag.severity]} {flag.label}", style=FLAG_STYLES[flag.severity]
            )
        return text

    def _fill(self, section: Section, ids: list[Any], rows: list[list[Text]]) -> None:
        table = self.query_one(f"#{section.key}", DataTable)
        table.clear()
        self._row_ids[section.key] = ids
        for index, cells in enumerate(rows):
            table.add_row(*map(safe_cell, cells), key=str(index))
        table.display = bool(rows)
        note = self.query_one(f"#empty-{section.key}", Static)
        note.update(section.empty if not rows else "")
        note.display = not rows

    # ------------------------------------------------------------ actions

    def action_back(self) -> None:
        self.app.pop_screen()

    def action_jump(self, key: str) -> None:
        table = self.query_one(f"#{key}", DataTable)
        if not table.display:
            section = next(s for s in SECTIONS if s.key == key)
            self.notify(section.empty, markup=False)
            self.query_one(f"#empty-{key}").scroll_visible()
            return
        table.focus()
        table.scroll_visible()

    def _selected(self, key: str | None = None) -> tuple[str, Any] | None:
        focused = self.focused
        if not isinstance(focused, DataTable) or focused.id is None:
            return None
        if key is not None and focused.id != key:
            return None
        ids = self._row_ids.get(focused.id, [])
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
        if section == "referrals":
            self.cipco.open_referral(int(record))
        elif section == "papers":
            from cipco.screens.mg4d import PapersDetailScreen

            self.app.push_screen(PapersDetailScreen(int(record)), self._after)
        elif section == "links":
            self.app.push_screen(PersonPage(str(record)))
        elif section == "exhibits":
            self.cipco.open_exhibit(int(record))
        elif section == "actions":
            self.cipco.open_clinic_action(int(record))

    def _after(self, result: Any) -> None:
        if result:
            if isinstance(result, str):
                self.notify(result, markup=False)
            self.refresh_data()

    def _person_id(self) -> int | None:
        if self.data is None or self.data.person is None:
            self.notify("Add this prisoner to the persons list first (press e)", severity="warning")
            return None
        return self.data.person.id

    def action_edit(self) -> None:
        from cipco.screens.person_forms import person_form

        if self.data is None:
            self.app.push_screen(person_form(self.cipco, self.nomis_number), self._after)
            return
        self.app.push_screen(person_form(self.cipco, self.nomis_number, self.data), self._after)

    def action_add_order(self) -> None:
        person_id = self._person_id()
        if person_id is not None:
            self._open_order_form(person_id)

    @work(thread=True, exclusive=True, group="person-order-types", exit_on_error=False)
    def _open_order_form(self, person_id: int) -> None:
        from sqlalchemy import select

        from cipco.models.reference import OrderType
        from cipco.screens.person_forms import order_form

        with self.cipco.session() as session:
            types = [
                (label, code)
                for code, label in session.execute(
                    select(OrderType.code, OrderType.label).where(OrderType.active.is_(True))  # type: ignore[attr-defined]
                )
            ]
        self.app.call_from_thread(
            self.app.push_screen, order_form(self.cipco, person_id, types), self._after
        )

    def action_add_trigger(self) -> None:
        from cipco.screens.person_forms import trigger_form

        person_id = self._person_id()
        if person_id is not None:
            self.app.push_screen(trigger_form(self.cipco, person_id), self._after)

    def action_add_link(self) -> None:
        from cipco.screens.person_forms import association_form

        if self.data is None:
            self.notify("This prison number is not known yet", severity="warning")
            return
        self.app.push_screen(association_form(self.cipco, self.data.prisoner_id), self._after)

    def action_add_papers(self) -> None:
        from cipco.screens.person_forms import papers_form

        self.app.push_screen(papers_form(self.cipco, self.nomis_number), self._after)

    def action_remove(self) -> None:
        selected = self._selected()
        if selected is None or selected[0] not in ("orders", "links"):
            self.notify("Highlight an order (o) or an associate (a) first", severity="warning")
            return
        section, record = selected
        from cipco.screens.modals import ConfirmScreen

        if section == "orders":
            record_id = int(record)
            question = "Remove this ancillary order from the record?"
        else:
            assert self.data is not None
            link = next(a for a in self.data.associations if a.nomis_number == record)
            record_id = link.id
            question = f"Remove the {link.kind_label.lower()} link with {link.nomis_number}?"

        def decided(yes: bool | None) -> None:
            if yes:
                self._write("remove_order" if section == "orders" else "remove_link", record_id)

        self.app.push_screen(ConfirmScreen(question, confirm_label="Remove", danger=True), decided)

    def action_notified(self) -> None:
        selected = self._selected("events")
        if selected is None:
            self.notify("Highlight a trigger event first (press t)", severity="warning")
            return
        self._write("notified", int(selected[1]))

    def action_reviewed(self) -> None:
        person_id = self._person_id()
        if person_id is None:
            return
        from cipco.screens.modals import ConfirmScreen

        def decided(yes: bool | None) -> None:
            if yes:
                self._write("reviewed", person_id)

        self.app.push_screen(
            ConfirmScreen(f"Record a SOC review of {self.nomis_number} done today?"), decided
        )

    @work(thread=True, exclusive=True, group="person-write", exit_on_error=False)
    def _write(self, what: str, record_id: int) -> None:
        from cipco.services import persons

        try:
            with self.cipco.session() as session:
                if what == "notified":
                    persons.mark_notified(session, record_id, self.cipco.clock, "recorded in cipco")
                    message = "SOC unit notification recorded"
                elif what == "remove_order":
                    persons.remove_order(session, record_id)
                    message = "Order removed"
                elif what == "remove_link":
                    persons.remove_association(session, record_id)
                    message = "Link removed"
                else:
                    person = persons.record_review(session, record_id, self.cipco.clock)
                    message = f"Review recorded; next due {format_date(person.next_review_on)}"
        except ValueError as exc:
            self.app.call_from_thread(self.notify, str(exc), severity="warning", markup=False)
            return
        self.app.call_from_thread(self.notify, message, markup=False)
        self.app.call_from_thread(self.refresh_data)
