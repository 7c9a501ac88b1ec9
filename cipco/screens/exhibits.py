"""The exhibit continuity log: the register, a new-exhibit form, the chain as a timeline,
and the movement / correction / dissemination / destruction forms.

Every database call runs in a thread worker with its own session and comes back as plain
dataclasses. Everything a user typed is shown as ``rich.text.Text``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Checkbox, Footer, Header, Input, Label, Select, Static

from cipco.clock import LONDON, to_london
from cipco.models.exhibit import (
    FOOTAGE_TYPES,
    TYPE_LABELS,
    CorrectionIn,
    EventIn,
    EventKind,
    ExhibitCreate,
    HolderKind,
    Reason,
)
from cipco.screens.log_screen import LogScreen
from cipco.services import exhibits as svc
from cipco.services.exhibits import (
    QUEUES,
    REASON_LABELS,
    ExhibitDetail,
    ExhibitError,
    ExhibitRow,
    state_label,
    type_label,
)
from cipco.services.paging import Page, PageQuery
from cipco.text import make_safe
from cipco.widgets.errors import ReportsWorkerErrors
from cipco.widgets.record_table import RecordTable, TableColumn

if TYPE_CHECKING:
    from cipco.app import CipcoApp

COLUMNS = [
    TableColumn("reference", "Exhibit", 10),
    TableColumn("type", "Type", 12),
    TableColumn("description", "Description", 24, sortable=False),
    TableColumn("referrals", "Referral(s)", 14, sortable=False),
    TableColumn("holder", "Holder", 18),
    TableColumn("location", "Location", 16, sortable=False),
    TableColumn("seal", "Seal", 9, sortable=False),
    TableColumn("state", "State", 13),
    TableColumn("last_movement", "Days", 5),
    TableColumn("review", "Review", 12),
]
QUEUE_ORDER = ["all", *QUEUES.keys()]
FINAL = ("destroyed", "returned", "disseminated")


def exhibit_cells(row: ExhibitRow) -> list[Text]:
    style = "dim" if row.state in FINAL else ""
    if row.discrepancies:
        style = "bold red"
    review = ""
    if row.review_due_on is not None:
        review = f"{'! ' if row.retention_due else ''}{row.review_due_on:%d/%m/%Y}"
    state = state_label(row.state)
    if row.discrepancies:
        state = f"! {state}"
    if row.hold:
        state += " (hold)"
    if row.awaiting_collection:
        state += " (collect)"
    values = [
        row.reference,
        type_label(row.exhibit_type),
        row.description,
        row.referrals,
        row.holder,
        row.location,
        row.seal_number,
        state,
        str(row.days_since_movement),
        review,
    ]
    return [Text(v, style=style, overflow="ellipsis", no_wrap=True) for v in values]


def parse_when(text: str, label: str) -> datetime:
    """``dd/mm/yyyy hh:mm`` London time -> a UTC instant (error names the field)."""
    from cipco.spreadsheets.reader import CellError, parse_uk_datetime

    try:
        value = parse_uk_datetime(text)
    except CellError as exc:
        raise ExhibitError(f"{label}: {exc}") from None
    if value is None:
        raise ExhibitError(f"{label}: is required (dd/mm/yyyy hh:mm)")
    return value.replace(tzinfo=LONDON).astimezone(UTC)


def _now_text(app: Any) -> str:
    return f"{to_london(app.clock.now()):%d/%m/%Y %H:%M}"


def _problem(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        return svc.validation_message(exc)
    return str(exc)


class ExhibitsScreen(LogScreen):
    """The exhibits register: paged, filtered, sorted in SQL."""

    BINDINGS = [
        Binding("n", "new", "New exhibit"),
        Binding("m", "move", "Movement"),
        Binding("x", "export", "Export"),
    ]
    QUEUE_ORDER = QUEUE_ORDER
    QUEUE_LABELS = {"all": "All", **QUEUES}
    FILTER_PLACEHOLDER = "Filter: reference, description, holder, seal"

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield self.queue_tabs()
        yield self.filter_box()
        yield RecordTable(
            COLUMNS,
            load_page=self._load_page,
            row_cells=exhibit_cells,
            row_key=lambda row: row.id,
            noun="exhibits",
            empty_message="No exhibits match. Press n to log a seizure, or / to change the filter.",
            id="exhibits",
        )
        yield Static("", classes="status-line", id="exhibit-status")
        yield Footer()

    def on_mount(self) -> None:
        self.records.focus()

    def _load_page(self, query: PageQuery) -> Page[ExhibitRow]:
        with self.cipco.session() as session:
            page = svc.exhibit_page(session, query, self.cipco.clock)
        if not query.offset:
            self.app.call_from_thread(self._load_counts, query.text)
        return page

    @work(thread=True, exclusive=True, group="exhibit-counts", exit_on_error=False)
    def _load_counts(self, text: str) -> None:
        with self.cipco.session() as session:
            counts = svc.queue_counts(session, self.cipco.clock, text)
        self.app.call_from_thread(self._show_counts, counts)

    def _show_counts(self, counts: dict[str, int]) -> None:
        self.show_queue_counts(counts)
        shown = counts.get(self.records.query_state.queue or "all", 0)
        self.query_one("#exhibit-status", Static).update(
            Text(
                f"{shown:,} of {counts.get('all', 0):,} exhibits      "
                "! discrepancy or review due   (hold) kept   (collect) awaiting police"
            )
        )

    @on(RecordTable.Opened, "#exhibits")
    def _opened(self, event: RecordTable.Opened) -> None:
        self.app.push_screen(ExhibitDetailScreen(event.key), self._after)

    def action_new(self) -> None:
        self.app.push_screen(ExhibitForm(), self._after)

    def action_move(self) -> None:
        row = self.records.current_row
        if row is None:
            self.notify("No exhibit selected", severity="warning")
            return
        self.app.push_screen(EventForm(row.id, row.reference, row.holder, "movement"), self._after)

    def _after(self, result: Any) -> None:
        self.records.reload(keep_cursor=True)

    def action_export(self) -> None:
        self._export()

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def _export(self) -> None:
        from cipco.spreadsheets.exhibits_io import register_query
        from cipco.spreadsheets.logs import export_log

        query = self.records.query_state
        done = export_log(
            self.cipco.engine,
            "exhibits",
            register_query(query.queue, query.text),
            clock=self.cipco.clock,
            actor=self.cipco.actor,
        )
        self.app.call_from_thread(
            self.notify,
            f"Exported {done.rows:,} exhibits to {done.path}",
            title="Export",
            markup=False,
        )


# ---------------------------------------------------------------- forms


class _Form(ReportsWorkerErrors, ModalScreen[Any]):
    """A modal form: ctrl+s saves in a worker, escape cancels, errors shown in the form."""

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save"),
        Binding("escape", "cancel", "Cancel"),
    ]

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        """Typing starts in the first field, as in every other form."""
        for widget in self.query("Input, Select"):
            if widget.focusable and widget.display:
                widget.focus()
                break

    def value(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def show_error(self, message: str) -> None:
        error = self.query_one("#form-error", Static)
        error.update(Text(message))

    def action_cancel(self) -> None:
        self.dismiss(None)

    def action_save(self) -> None:
        try:
            job = self.build()
        except (ExhibitError, ValidationError) as exc:
            self.show_error(_problem(exc))
            return
        if self.confirm_text():
            from cipco.screens.modals import ConfirmScreen

            def go(yes: bool | None) -> None:
                if yes:
                    self._run(job)

            self.app.push_screen(ConfirmScreen(self.confirm_text(), danger=True), go)
        else:
            self._run(job)

    def confirm_text(self) -> str:
        return ""

    def build(self) -> Callable[[Any], Any]:
        raise ExhibitError("nothing to save")

    @work(thread=True, exclusive=True, group="exhibit-save", exit_on_error=False)
    def _run(self, job: Callable[[Any], Any]) -> None:
        try:
            with self.cipco.session() as session:
                result = job(session)
        except (ExhibitError, ValidationError) as exc:
            self.app.call_from_thread(self.show_error, _problem(exc))
            return
        self.app.call_from_thread(self.dismiss, result)


def _row(label: str, widget: Any, container_id: str | None = None) -> Horizontal:
    return Horizontal(
        Label(label, classes="exhibit-label"), widget, classes="exhibit-field", id=container_id
    )


FORM_CSS = """
.exhibit-field { height: auto; }
.exhibit-field > Label { width: 22; padding: 1 1 0 0; }
.exhibit-field > Input, .exhibit-field > Select { width: 1fr; }
#form-error { color: $error; height: auto; padding: 0 1; }
.exhibit-form { width: 100; max-width: 98%; height: 90%; border: thick $primary;
    background: $surface; padding: 0 1; }
.section { color: $text-muted; padding: 1 0 0 0; }
.hidden { display: none; }
"""


class ExhibitForm(_Form):
    """A new exhibit; the seizure is its first event."""

    DEFAULT_CSS = FORM_CSS

    def compose(self) -> ComposeResult:
        now = _now_text(self.app)
        with Vertical(classes="exhibit-form"):
            yield Label("New exhibit (seizure)  ·  ctrl+s save  ·  escape cancel")
            with VerticalScroll():
                yield _row("Reference", Input(placeholder="e.g. JS/1 or JS/1/1", id="reference"))
                yield _row(
                    "Type",
                    Select(
                        [(label, key) for key, label in TYPE_LABELS.items()],
                        value="cctv",
                        allow_blank=False,
                        id="exhibit_type",
                    ),
                )
                yield _row("Description", Input(id="description"))
                yield Static("Footage", classes="section", id="footage-title")
                with Vertical(id="footage"):
                    yield _row("System", Input(placeholder="e.g. Milestone", id="system"))
                    yield _row("Camera id", Input(id="camera_id"))
                    yield _row("Officer (BWV)", Input(id="officer"))
                    yield _row("Clip start", Input(placeholder="dd/mm/yyyy hh:mm", id="clip_start"))
                    yield _row("Clip end", Input(placeholder="dd/mm/yyyy hh:mm", id="clip_end"))
                    yield _row(
                        "Export medium", Input(placeholder="DVD, USB...", id="export_medium")
                    )
                    yield _row(
                        "SHA-256", Input(placeholder="cipco hash FILE prints it", id="file_sha256")
                    )
                yield Static("Physical item", classes="section hidden", id="physical-title")
                with Vertical(id="physical", classes="hidden"):
                    yield _row("Quantity", Input(id="quantity"))
                    yield _row("Weight", Input(id="weight"))
                    yield _row("Where found", Input(id="where_found"))
                    yield _row("Found on (prison no)", Input(id="found_on"))
                    yield _row("List A/B/C", Input(id="list_class"))
                yield Static("Seizure", classes="section")
                yield _row("Seized by", Input(id="seized_by"))
                yield _row("Seized at", Input(value=now, id="seized_at"))
                yield _row("Seal / bag number", Input(id="seal_number"))
                yield _row("Storage location", Input(id="storage_location"))
                yield _row(
                    "Referral(s)", Input(placeholder="REF-2026-0001, ...", id="referral_refs")
                )
                yield Checkbox("Awaiting police collection", id="awaiting_collection")
            yield Static("", id="form-error")
        yield Footer()

    @on(Select.Changed, "#exhibit_type")
    def _type_changed(self, event: Select.Changed) -> None:
        footage = event.value in FOOTAGE_TYPES
        for name in ("footage", "footage-title"):
            self.query_one(f"#{name}").set_class(not footage, "hidden")
        for name in ("physical", "physical-title"):
            self.query_one(f"#{name}").set_class(footage, "hidden")

    def build(self) -> Callable[[Any], Any]:
        kind = str(self.query_one("#exhibit_type", Select).value)
        footage = kind in FOOTAGE_TYPES
        fields: dict[str, Any] = {
            "reference": self.value("reference"),
            "exhibit_type": kind,
            "description": self.value("description"),
            "seized_by": self.value("seized_by"),
            "seized_at": parse_when(self.value("seized_at"), "seized at"),
            "seal_number": self.value("seal_number"),
            "storage_location": self.value("storage_location"),
            "referral_refs": self.value("referral_refs"),
            "awaiting_collection": self.query_one("#awaiting_collection", Checkbox).value,
        }
        if footage:
            for name in ("system", "camera_id", "officer", "export_medium", "file_sha256"):
                fields[name] = self.value(name)
            for name, label in (("clip_start", "clip start"), ("clip_end", "clip end")):
                if self.value(name):
                    fields[name] = parse_when(self.value(name), label)
        else:
            for name in ("quantity", "weight", "where_found", "found_on", "list_class"):
                fields[name] = self.value(name)
        data = ExhibitCreate.model_validate(fields)
        clock = self.cipco.clock

        def job(session: Any) -> int:
            return svc.create_exhibit(session=session, data=data, clock=clock).id or 0

        return job


EVENT_TITLES = {
    "movement": "Movement (hand-over)",
    "dissemination": "Dissemination to police",
    "return": "Return to owner",
    "destruction": "Destruction",
}


class EventForm(_Form):
    """Hand-over, dissemination, return or destruction; the giver defaults to the holder."""

    DEFAULT_CSS = FORM_CSS

    def __init__(self, exhibit_id: int, reference: str, holder: str, kind: str) -> None:
        super().__init__()
        self.exhibit_id = exhibit_id
        self.reference = reference
        self.holder = holder
        self.kind = kind

    def compose(self) -> ComposeResult:
        kind = self.kind
        with Vertical(classes="exhibit-form"):
            yield Label(
                Text(f"{EVENT_TITLES[kind]} of {self.reference}  ·  ctrl+s save  ·  escape cancel")
            )
            with VerticalScroll():
                yield _row("From (holder)", Input(value=self.holder, id="from_name"))
                if kind != "destruction":
                    yield _row("To", Input(id="to_name"))
                if kind == "movement":
                    yield _row(
                        "Receiver is",
                        Select(
                            [
                                (k.value.title(), k.value)
                                for k in HolderKind
                                if k != HolderKind.OWNER
                            ],
                            value="staff",
                            allow_blank=False,
                            id="to_kind",
                        ),
                    )
                if kind in ("movement", "dissemination"):
                    yield _row("Collar number", Input(id="to_collar"))
                    yield _row("Force", Input(id="to_force"))
                if kind == "movement":
                    yield _row("Lab / courier / court", Input(id="to_org"))
                    yield _row(
                        "Reason",
                        Select(
                            [(label, key) for key, label in REASON_LABELS.items()],
                            value="storage",
                            allow_blank=False,
                            id="reason",
                        ),
                    )
                    yield _row("Storage location", Input(id="location"))
                yield _row("Happened at", Input(value=_now_text(self.app), id="happened_at"))
                if kind != "destruction":
                    yield _row("Seal on receipt", Input(id="seal_number"))
                    yield Checkbox("Seal intact on receipt", value=True, id="seal_intact")
                    yield _row("Resealed as", Input(id="new_seal_number"))
                if kind == "destruction":
                    yield _row("Authority", Input(id="authority"))
                    yield _row("Witness (not in chain)", Input(id="witness"))
                yield _row("Note", Input(id="note"))
            yield Static("", id="form-error")
        yield Footer()

    def _opt(self, name: str) -> str | None:
        found = self.query(f"#{name}")
        if not found:
            return None
        widget = found.first()
        if isinstance(widget, Select):
            return str(widget.value)
        if isinstance(widget, Input):
            return widget.value.strip() or None
        return None

    def confirm_text(self) -> str:
        if self.kind in ("destruction", "return", "dissemination"):
            return (
                f"{EVENT_TITLES[self.kind]} of {self.reference} is final and cannot be undone "
                "(only corrected). Record it?"
            )
        return ""

    def build(self) -> Callable[[Any], Any]:
        fields: dict[str, Any] = {
            "kind": self.kind,
            "from_name": self._opt("from_name"),
            "to_name": self._opt("to_name"),
            "to_kind": self._opt("to_kind") or "staff",
            "to_collar": self._opt("to_collar"),
            "to_force": self._opt("to_force"),
            "to_org": self._opt("to_org"),
            "reason": self._opt("reason"),
            "location": self._opt("location"),
            "happened_at": parse_when(self.value("happened_at"), "happened at"),
            "seal_number": self._opt("seal_number"),
            "new_seal_number": self._opt("new_seal_number"),
            "authority": self._opt("authority"),
            "witness": self._opt("witness"),
            "note": self._opt("note"),
        }
        if self.query("#seal_intact") and fields["seal_number"]:
            fields["seal_intact"] = self.query_one("#seal_intact", Checkbox).value
        elif self.query("#seal_intact") and not self.query_one("#seal_intact", Checkbox).value:
            fields["seal_intact"] = False
        data = EventIn.model_validate(fields)
        clock, exhibit_id = self.cipco.clock, self.exhibit_id

        def job(session: Any) -> int:
            event = svc.record_event(session=session, exhibit_id=exhibit_id, data=data, clock=clock)
            return event.id or 0

        return job


class CorrectionForm(_Form):
    """A correction: a new event pointing at the original, which stays visible."""

    DEFAULT_CSS = FORM_CSS

    def __init__(self, exhibit_id: int, reference: str, events: list[tuple[int, str]]) -> None:
        super().__init__()
        self.exhibit_id = exhibit_id
        self.reference = reference
        self.events = events

    def compose(self) -> ComposeResult:
        with Vertical(classes="exhibit-form"):
            yield Label(Text(f"Correct an event of {self.reference}  ·  ctrl+s save"))
            with VerticalScroll():
                yield _row(
                    "Event to correct",
                    Select(
                        [(label, event_id) for event_id, label in self.events],
                        value=self.events[-1][0],
                        allow_blank=False,
                        id="corrects_event_id",
                    ),
                )
                yield _row("What was wrong", Input(id="note"))
                yield Static("Corrected values (leave blank to keep)", classes="section")
                yield _row("To", Input(id="to_name"))
                yield _row("Happened at", Input(placeholder="dd/mm/yyyy hh:mm", id="happened_at"))
                yield _row("Reason", Input(placeholder="storage, examination...", id="reason"))
                yield _row("Storage location", Input(id="location"))
                yield _row("Seal on receipt", Input(id="seal_number"))
            yield Static("", id="form-error")
        yield Footer()

    def build(self) -> Callable[[Any], Any]:
        fields: dict[str, Any] = {
            "corrects_event_id": self.query_one("#corrects_event_id", Select).value,
            "note": self.value("note"),
            "to_name": self.value("to_name") or None,
            "location": self.value("location") or None,
            "seal_number": self.value("seal_number") or None,
        }
        if self.value("happened_at"):
            fields["happened_at"] = parse_when(self.value("happened_at"), "happened at")
        if self.value("reason"):
            reason = self.value("reason").lower().replace(" ", "_")
            if reason not in {r.value for r in Reason}:
                raise ExhibitError(
                    f"reason: '{self.value('reason')}' is not one of "
                    + ", ".join(r.value for r in Reason)
                )
            fields["reason"] = reason
        data = CorrectionIn.model_validate(fields)
        clock, exhibit_id = self.cipco.clock, self.exhibit_id

        def job(session: Any) -> int:
            return (
                svc.correct_event(session=session, exhibit_id=exhibit_id, data=data, clock=clock).id
                or 0
            )

        return job


# ---------------------------------------------------------------- detail


@dataclass(frozen=True)
class _Loaded:
    detail: ExhibitDetail


def timeline_text(detail: ExhibitDetail) -> Text:
    text = Text()
    for e in detail.timeline:
        when = f"{to_london(e.happened_at):%d/%m/%Y %H:%M}"
        text.append(f"{e.seq:>3}  {when}  ", style="bold")
        text.append(e.label.upper(), style="bold red" if e.kind == "destruction" else "bold")
        if not e.custody:  # a hold, a referral link, the form upgrade: what it says
            text.append(f"  {e.note}")
        elif e.kind == EventKind.CORRECTION:
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
        if e.note and e.custody and e.kind != EventKind.CORRECTION:
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


class ExhibitDetailScreen(ReportsWorkerErrors, Screen[None]):
    """One exhibit: header, custody now, and the full chain as a timeline."""

    DEFAULT_CSS = """
    #exhibit-header { height: auto; padding: 0 1; }
    #timeline { height: 1fr; padding: 0 1; border: round $primary-darken-2; }
    """
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("m", "event('movement')", "Movement"),
        Binding("c", "correct", "Correction"),
        Binding("d", "event('dissemination')", "Disseminate"),
        Binding("r", "event('return')", "Return"),
        Binding("k", "event('destruction')", "Destroy"),
        Binding("h", "hold", "Hold on/off"),
        Binding("a", "collection", "Awaiting collection"),
        Binding("x", "export", "Export continuity"),
    ]

    def __init__(self, exhibit_id: int) -> None:
        super().__init__()
        self.exhibit_id = exhibit_id
        self.detail: ExhibitDetail | None = None

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("Loading...", id="exhibit-header")
        with VerticalScroll(id="timeline"):
            yield Static("", id="timeline-text")
        yield Footer()

    def on_mount(self) -> None:
        self.load()

    def refresh_data(self) -> None:
        self.load()

    @work(thread=True, exclusive=True, group="exhibit-detail", exit_on_error=False)
    def load(self) -> None:
        with self.cipco.session() as session:
            detail = svc.exhibit_detail(session, self.exhibit_id, self.cipco.clock)
        self.app.call_from_thread(self._show, detail)

    def _show(self, detail: ExhibitDetail) -> None:
        self.detail = detail
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
            head.append(
                f"\n! {detail.discrepancy_count} discrepanc"
                f"{'y' if detail.discrepancy_count == 1 else 'ies'} in the chain",
                style="bold red",
            )
        if detail.fields:
            head.append("\n" + "  ·  ".join(f"{k}: {v}" for k, v in detail.fields), style="dim")
        self.query_one("#exhibit-header", Static).update(make_safe(head))
        self.query_one("#timeline-text", Static).update(make_safe(timeline_text(detail)))

    def action_back(self) -> None:
        self.dismiss(None)

    def _reload(self, _result: Any) -> None:
        self.load()

    def action_event(self, kind: str) -> None:
        if self.detail is None:
            return
        self.app.push_screen(
            EventForm(self.exhibit_id, self.detail.reference, self.detail.holder, kind),
            self._reload,
        )

    def action_correct(self) -> None:
        if self.detail is None:
            return
        events = [
            (e.id, f"{e.seq}: {e.label} {to_london(e.happened_at):%d/%m/%Y %H:%M} {e.to_name}")
            for e in self.detail.timeline
            if e.correctable
        ]
        self.app.push_screen(
            CorrectionForm(self.exhibit_id, self.detail.reference, events), self._reload
        )

    def action_hold(self) -> None:
        if self.detail is None:
            return
        if self.detail.hold:
            self._set_hold(False, None)
            return
        from cipco.screens.modals import TextPromptScreen

        def chosen(reason: str | None) -> None:
            if reason:
                self._set_hold(True, reason)

        self.app.push_screen(TextPromptScreen("Why must this exhibit be kept?"), chosen)

    @work(thread=True, exclusive=True, group="exhibit-change", exit_on_error=False)
    def _set_hold(self, hold: bool, reason: str | None) -> None:
        with self.cipco.session() as session:
            svc.set_hold(
                session=session,
                exhibit_id=self.exhibit_id,
                hold=hold,
                reason=reason,
                clock=self.cipco.clock,
            )
        self.app.call_from_thread(self.load)

    @work(thread=True, exclusive=True, group="exhibit-change", exit_on_error=False)
    def action_collection(self) -> None:
        requested = not (self.detail and self.detail.awaiting_collection)
        with self.cipco.session() as session:
            svc.request_collection(
                session=session,
                exhibit_id=self.exhibit_id,
                requested=requested,
                clock=self.cipco.clock,
            )
        self.app.call_from_thread(self.load)

    @work(thread=True, exclusive=True, group="export", exit_on_error=False)
    def action_export(self) -> None:
        from cipco.spreadsheets.exhibits_io import export_continuity
        from cipco.spreadsheets.exporting import default_target

        if self.detail is None:
            return
        reference = self.detail.reference
        name = f"continuity-{reference.replace('/', '-')}"
        path, _count = export_continuity(
            self.cipco.engine,
            reference,
            default_target(name, self.cipco.clock),
            clock=self.cipco.clock,
            actor=self.cipco.actor,
        )
        self.app.call_from_thread(
            self.notify, f"Continuity of {reference} written to {path}", markup=False
        )
