"""Referral forms: new/edit, move status, follow-up. Typed modals returning the id or None."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Footer, Input, Label, Select, Static, TextArea

from cipco.clock import format_date, format_datetime, parse_uk_date, parse_uk_datetime
from cipco.models.people import PrisonerIn, validate_nomis, validate_pnc
from cipco.models.referral import (
    AGGRAVATING_FACTORS,
    EVIDENCE_ITEMS,
    AdjudicationState,
    PartyIn,
    ReferralCreate,
    ReferralUpdate,
)
from cipco.services import reference
from cipco.services.referrals import (
    OUTCOMES_FOR,
    REASON_REQUIRED,
    ReferralError,
    add_follow_up,
    create_referral,
    get_referral,
    move_status,
    outcome_label,
    status_label,
    update_referral,
)
from cipco.widgets.errors import ReportsWorkerErrors
from cipco.widgets.form import field_row, show_errors

if TYPE_CHECKING:
    from cipco.app import CipcoApp

TEXT_FIELDS = {
    "nomis_number": "Prison number *",
    "prisoner_name": "Prisoner name (SURNAME, Forename)",
    "pnc": "PNC ID",
    "incident_at": "Incident date/time * (dd/mm/yyyy hh:mm)",
    "discovered_at": "Discovered date/time",
    "location": "Location",
    "force_id": "",
    "crime_ref": "Crime reference",
    "oic_name": "OIC name",
    "oic_collar": "OIC collar number",
    "oic_phone": "OIC phone",
    "oic_email": "OIC e-mail",
    "police_contacted_at": "Police contacted (dd/mm/yyyy hh:mm)",
    "adjudication_charge": "Adjudication charge number",
    "footage_requested_on": "Footage preservation requested (date)",
    "victim_updated_at": "Victim last updated (dd/mm/yyyy hh:mm)",
    "next_step": "Next step",
    "next_step_due": "Next step due (date)",
}
DATETIME_FIELDS = {"incident_at", "discovered_at", "police_contacted_at", "victim_updated_at"}
DATE_FIELDS = {"footage_requested_on", "next_step_due"}
FLAGS = {
    "staff_victim": "Staff victim",
    "victim_wants_police": "Victim wants police",
    "terrorism_conviction": "Suspect has terrorism conviction",
    "summary_only": "Summary-only offence (6-month limit)",
    "enhanced_victim": "Victim has enhanced rights",
}
PARTIES_HINT = (
    "One per line: role; kind; name; statement — e.g. "
    "victim; staff; Officer K. Ahmed; yes\n"
    "(role: victim/witness/suspect; kind: staff/prisoner/other)"
)


@dataclass
class FormData:
    """What the form shows, loaded in a worker and passed back as plain values."""

    values: dict[str, str] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)
    category: str | None = None
    force: str | None = None
    adjudication_state: str | None = None
    factors: set[str] = field(default_factory=set)
    evidence: set[str] = field(default_factory=set)
    description: str = ""
    notes: str = ""
    parties: str = ""
    version: int | None = None
    reference: str = ""
    categories: list[tuple[str, str]] = field(default_factory=list)
    forces: list[tuple[str, str]] = field(default_factory=list)


def _parties_text(parties: list[Any]) -> str:
    return "\n".join(
        f"{p.role}; {p.kind}; {p.name}; {'yes' if p.statement_taken else 'no'}" for p in parties
    )


def parse_parties(text: str) -> list[PartyIn]:
    """Victims and witnesses typed one per line; errors name the line."""
    parties = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        bits = [b.strip() for b in line.split(";")]
        if len(bits) < 3:
            raise ValueError(f"victims/witnesses line {number}: need role; kind; name")
        role, kind, name = bits[0].lower(), bits[1].lower(), bits[2]
        statement = len(bits) > 3 and bits[3].lower() in {"yes", "y", "true", "1"}
        try:
            parties.append(PartyIn(role=role, kind=kind, name=name, statement_taken=statement))  # type: ignore[arg-type]
        except ValidationError as exc:
            problem = exc.errors()[0]
            raise ValueError(
                f"victims/witnesses line {number}: {problem['loc'][0]} {problem['msg']}"
            ) from None
    return parties


class ReferralForm(ReportsWorkerErrors, ModalScreen[int | None]):
    """New or edit referral. ctrl+s (or F2) saves; escape cancels, asking if changed."""

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, referral_id: int | None) -> None:
        super().__init__()
        self.referral_id = referral_id
        self.version: int | None = None
        self.dirty = False
        self._loading = True

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        title = "New referral" if self.referral_id is None else "Edit referral"
        with Vertical(classes="form-dialog"):
            yield Static(title, classes="form-title", id="form-title")
            with VerticalScroll(classes="form"):
                yield Static("Prisoner (suspect)", classes="section")
                for name in ("nomis_number", "prisoner_name", "pnc"):
                    yield from field_row(TEXT_FIELDS[name], Input(id=name), name)
                yield Static("Incident", classes="section")
                for name in ("incident_at", "discovered_at", "location"):
                    yield from field_row(TEXT_FIELDS[name], Input(id=name), name)
                yield from field_row(
                    "Category *",
                    Select[str]([], id="category_code", prompt="Choose"),
                    "category_code",
                )
                yield Label("Description")
                yield TextArea(id="description")
                yield Static("Aggravating factors", classes="section")
                with Horizontal(classes="checks"):
                    for key, label in AGGRAVATING_FACTORS.items():
                        yield Checkbox(label, id=f"factor-{key}")
                with Horizontal(classes="checks"):
                    for key, label in FLAGS.items():
                        yield Checkbox(label, id=key)
                yield Static("Victims and witnesses", classes="section")
                yield Static(PARTIES_HINT, classes="hint")
                yield TextArea(id="parties")
                yield Static("", classes="field-error", id="error-parties")
                yield Static("Police", classes="section")
                yield from field_row(
                    "Force", Select[str]([], id="force_id", prompt="Not yet known"), "force_id"
                )
                for name in (
                    "crime_ref",
                    "oic_name",
                    "oic_collar",
                    "oic_phone",
                    "oic_email",
                    "police_contacted_at",
                ):
                    yield from field_row(TEXT_FIELDS[name], Input(id=name), name)
                yield Static("Adjudication", classes="section")
                yield from field_row(
                    TEXT_FIELDS["adjudication_charge"],
                    Input(id="adjudication_charge"),
                    "adjudication_charge",
                )
                yield from field_row(
                    "Adjudication state",
                    Select[str](
                        [(s.value, s.value) for s in AdjudicationState],
                        id="adjudication_state",
                        prompt="None",
                    ),
                    "adjudication_state",
                )
                yield Static("Evidence", classes="section")
                yield from field_row(
                    TEXT_FIELDS["footage_requested_on"],
                    Input(id="footage_requested_on"),
                    "footage_requested_on",
                )
                with Horizontal(classes="checks"):
                    for key, label in EVIDENCE_ITEMS.items():
                        yield Checkbox(label, id=f"evidence-{key}")
                yield Static("Victim updates and next step", classes="section")
                for name in ("victim_updated_at", "next_step", "next_step_due"):
                    yield from field_row(TEXT_FIELDS[name], Input(id=name), name)
                yield Label("Notes")
                yield TextArea(id="notes")
            yield Static("", classes="error", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel (esc)", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#nomis_number", Input).focus()
        self._load()

    @work(thread=True, exit_on_error=False)
    def _load(self) -> None:
        data = FormData()
        with self.cipco.session() as session:
            data.categories = [(c.label, c.code) for c in reference.categories(session)]
            data.forces = [(f.name, f.id) for f in reference.forces(session)]
            if self.referral_id is not None:
                from cipco.services.referrals import referral_detail

                detail = referral_detail(session, self.referral_id, self.cipco.clock)
                r = detail.referral
                data.reference = r.reference
                data.version = r.version
                data.values = {
                    "nomis_number": detail.prisoner.nomis_number,
                    "prisoner_name": detail.prisoner.name,
                    "pnc": detail.prisoner.pnc or "",
                    "incident_at": format_datetime(r.incident_at),
                    "discovered_at": format_datetime(r.discovered_at),
                    "location": r.location,
                    "crime_ref": r.crime_ref or "",
                    "oic_name": r.oic_name or "",
                    "oic_collar": r.oic_collar or "",
                    "oic_phone": r.oic_phone or "",
                    "oic_email": r.oic_email or "",
                    "police_contacted_at": format_datetime(r.police_contacted_at),
                    "adjudication_charge": r.adjudication_charge or "",
                    "footage_requested_on": format_date(r.footage_requested_on),
                    "victim_updated_at": format_datetime(r.victim_updated_at),
                    "next_step": r.next_step or "",
                    "next_step_due": format_date(r.next_step_due),
                }
                data.flags = {key: bool(getattr(r, key)) for key in FLAGS}
                data.category = r.category_code
                data.force = r.force_id
                data.adjudication_state = r.adjudication_state
                data.factors = set(r.aggravating_factors or [])
                data.evidence = {k for k, v in (r.evidence or {}).items() if v}
                data.description = r.description
                data.notes = r.notes
                data.parties = _parties_text(detail.parties)
            else:
                data.values = {"discovered_at": "", "incident_at": ""}
        self.app.call_from_thread(self._fill, data)

    def _fill(self, data: FormData) -> None:
        self.version = data.version
        if data.reference:
            self.query_one("#form-title", Static).update(Text(f"Edit referral {data.reference}"))
        self.query_one("#category_code", Select).set_options(data.categories)
        self.query_one("#force_id", Select).set_options(data.forces)
        for name, value in data.values.items():
            self.query_one(f"#{name}", Input).value = value
        for key, value in data.flags.items():
            self.query_one(f"#{key}", Checkbox).value = value
        if data.category:
            self.query_one("#category_code", Select).value = data.category
        if data.force:
            self.query_one("#force_id", Select).value = data.force
        if data.adjudication_state:
            self.query_one("#adjudication_state", Select).value = data.adjudication_state
        for key in AGGRAVATING_FACTORS:
            self.query_one(f"#factor-{key}", Checkbox).value = key in data.factors
        for key in EVIDENCE_ITEMS:
            self.query_one(f"#evidence-{key}", Checkbox).value = key in data.evidence
        self.query_one("#description", TextArea).text = data.description
        self.query_one("#notes", TextArea).text = data.notes
        self.query_one("#parties", TextArea).text = data.parties
        self.call_after_refresh(self._loaded)

    def _loaded(self) -> None:
        self._loading = False
        self.dirty = False

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    @on(TextArea.Changed)
    def _changed(self) -> None:
        if not self._loading:
            self.dirty = True

    # ------------------------------------------------------------ collect and save

    def _text(self, name: str) -> str:
        return self.query_one(f"#{name}", Input).value.strip()

    def _select(self, name: str) -> str | None:
        value = self.query_one(f"#{name}", Select).value
        return None if value is Select.NULL else str(value)

    def collect(self) -> tuple[dict[str, Any], dict[str, str]]:
        """Read the widgets into plain values; typed-date problems come back as errors."""
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name in DATETIME_FIELDS:
            text = self._text(name)
            if not text:
                values[name] = None
                continue
            try:
                values[name] = parse_uk_datetime(text)
            except ValueError as exc:
                errors[name] = str(exc)
        for name in DATE_FIELDS:
            text = self._text(name)
            try:
                values[name] = parse_uk_date(text) if text else None
            except ValueError as exc:
                errors[name] = str(exc)
        for name in (
            "location",
            "crime_ref",
            "oic_name",
            "oic_collar",
            "oic_phone",
            "oic_email",
            "adjudication_charge",
            "next_step",
        ):
            values[name] = self._text(name)
        values["force_id"] = self._select("force_id")
        values["adjudication_state"] = self._select("adjudication_state")
        values["category_code"] = self._select("category_code")
        for key in FLAGS:
            values[key] = self.query_one(f"#{key}", Checkbox).value
        values["aggravating_factors"] = [
            k for k in AGGRAVATING_FACTORS if self.query_one(f"#factor-{k}", Checkbox).value
        ]
        values["evidence"] = {
            k: self.query_one(f"#evidence-{k}", Checkbox).value for k in EVIDENCE_ITEMS
        }
        values["description"] = self.query_one("#description", TextArea).text.strip()
        values["notes"] = self.query_one("#notes", TextArea).text.strip()
        try:
            values["parties"] = parse_parties(self.query_one("#parties", TextArea).text)
        except ValueError as exc:
            errors["parties"] = str(exc)
        values["prisoner"] = {
            "nomis_number": self._text("nomis_number"),
            "name": self._text("prisoner_name"),
            "pnc": self._text("pnc") or None,
        }
        if not values["category_code"]:
            errors["category_code"] = "Choose a category"
        if not values.get("incident_at") and "incident_at" not in errors:
            errors["incident_at"] = "Required: when did it happen?"
        if not values["prisoner"]["nomis_number"]:
            errors["nomis_number"] = "Required: the suspect's prison number"
        else:
            try:
                validate_nomis(values["prisoner"]["nomis_number"])
            except ValueError as exc:
                errors["nomis_number"] = str(exc)
        if values["prisoner"]["pnc"]:
            try:
                validate_pnc(values["prisoner"]["pnc"])
            except ValueError as exc:
                errors["pnc"] = str(exc)
        return values, errors

    def action_save(self) -> None:
        values, errors = self.collect()
        if errors:
            self._show(errors)
            return
        self._save(values)

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self, values: dict[str, Any]) -> None:
        try:
            prisoner = PrisonerIn.model_validate(values.pop("prisoner"))
            with self.cipco.session() as session:
                if self.referral_id is None:
                    data = ReferralCreate.model_validate(values | {"prisoner": prisoner})
                    referral = create_referral(session=session, data=data, clock=self.cipco.clock)
                else:
                    update = ReferralUpdate.model_validate(values | {"prisoner": prisoner})
                    referral = update_referral(
                        session=session,
                        referral_id=self.referral_id,
                        data=update,
                        clock=self.cipco.clock,
                        expected_version=self.version,
                    )
                saved_id, reference_text = referral.id, referral.reference
        except ValidationError as exc:
            self.app.call_from_thread(self._show, _pydantic_errors(exc))
            return
        except ReferralError as exc:
            self.app.call_from_thread(self._show, {exc.field or "form": str(exc)})
            return
        self.app.call_from_thread(self._saved, saved_id, reference_text)

    def _saved(self, referral_id: int | None, reference_text: str) -> None:
        self.notify(f"Saved {reference_text}", markup=False)
        self.dismiss(referral_id)

    def _show(self, errors: dict[str, str]) -> None:
        known = [*TEXT_FIELDS, "category_code", "force_id", "adjudication_state", "parties"]
        leftovers = show_errors(self, errors, known)
        summary = "; ".join(errors.values())
        self.query_one("#form-error", Static).update(Text(f"Not saved: {summary}"))
        del leftovers

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return
        from cipco.screens.modals import ConfirmScreen

        def answer(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Discard your unsaved changes?", confirm_label="Discard", danger=True),
            answer,
        )


FIELD_ALIASES = {"prisoner": "nomis_number", "name": "prisoner_name"}


def _pydantic_errors(exc: ValidationError) -> dict[str, str]:
    """Pydantic's errors keyed by our field ids, in words."""
    errors: dict[str, str] = {}
    for error in exc.errors():
        loc = [str(part) for part in error["loc"]]
        name = loc[-1] if loc and loc[0] == "prisoner" else (loc[0] if loc else "form")
        name = FIELD_ALIASES.get(name, name)
        message = str(error["msg"]).removeprefix("Value error, ")
        if ":" in message and message.split(":", 1)[0] in TEXT_FIELDS:
            name, message = message.split(":", 1)
            message = message.strip()
        errors[name] = message
    return errors


class MoveStatusScreen(ReportsWorkerErrors, ModalScreen[bool]):
    """Move a referral along the workflow: only allowed moves are offered."""

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Move", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(self, referral_id: int) -> None:
        super().__init__()
        self.referral_id = referral_id
        self.version: int | None = None

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Move status", classes="form-title", id="move-title")
            yield from field_row(
                "New status", Select[str]([], id="to_status", prompt="Choose"), "status"
            )
            yield from field_row("Outcome", Select[str]([], id="outcome", prompt="None"), "outcome")
            yield from field_row("Reason", Input(id="reason"), "reason")
            yield from field_row(
                "When (dd/mm/yyyy hh:mm)", Input(placeholder="now", id="happened_at"), "happened_at"
            )
            yield Static("", classes="error", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Move (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exit_on_error=False)
    def _load(self) -> None:
        from cipco.services.referrals import allowed_moves

        with self.cipco.session() as session:
            referral = get_referral(session, self.referral_id)
            moves = allowed_moves(referral.status)
            title = f"Move {referral.reference} from {status_label(referral.status)}"
            version = referral.version
        self.app.call_from_thread(self._fill, title, [m.value for m in moves], version)

    def _fill(self, title: str, moves: list[str], version: int) -> None:
        self.version = version
        self.query_one("#move-title", Static).update(Text(title))
        select = self.query_one("#to_status", Select)
        select.set_options([(status_label(m), m) for m in moves])
        if not moves:
            self.query_one("#form-error", Static).update("This status is final: no moves.")
        select.focus()

    @on(Select.Changed, "#to_status")
    def _status_chosen(self, event: Select.Changed) -> None:
        from cipco.models.referral import Status

        outcome = self.query_one("#outcome", Select)
        if event.value is Select.NULL:
            outcome.set_options([])
            return
        status = Status(str(event.value))
        outcome.set_options([(outcome_label(o), o.value) for o in OUTCOMES_FOR.get(status, ())])
        reason = self.query_one("#reason", Input)
        reason.placeholder = "required" if status in REASON_REQUIRED else "optional"

    def action_save(self) -> None:
        status = self.query_one("#to_status", Select).value
        if status is Select.NULL:
            show_errors(self, {"status": "Choose the new status"}, ["status"])
            return
        outcome = self.query_one("#outcome", Select).value
        when_text = self.query_one("#happened_at", Input).value.strip()
        try:
            when = parse_uk_datetime(when_text) if when_text else None
        except ValueError as exc:
            show_errors(self, {"happened_at": str(exc)}, ["happened_at"])
            return
        self._move(
            str(status),
            None if outcome is Select.NULL else str(outcome),
            self.query_one("#reason", Input).value,
            when,
        )

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _move(self, status: str, outcome: str | None, reason: str, when: datetime | None) -> None:
        try:
            with self.cipco.session() as session:
                move_status(
                    session=session,
                    referral_id=self.referral_id,
                    to_status=status,
                    clock=self.cipco.clock,
                    reason=reason,
                    outcome=outcome,
                    happened_at=when,
                    expected_version=self.version,
                )
        except ReferralError as exc:
            self.app.call_from_thread(self._error, exc.field or "form", str(exc))
            return
        self.app.call_from_thread(self._done, status)

    def _error(self, name: str, message: str) -> None:
        show_errors(self, {name: message}, ["status", "outcome", "reason", "happened_at"])
        self.query_one("#form-error", Static).update(Text(f"Not moved: {message}"))

    def _done(self, status: str) -> None:
        self.notify(f"Moved to {status_label(status)}", markup=False)
        self.dismiss(True)

    @on(Button.Pressed, "#save")
    def _save_pressed(self) -> None:
        self.action_save()

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


class FollowUpScreen(ReportsWorkerErrors, ModalScreen[bool]):
    """Log a chase: "chased OIC by phone"."""

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]
    METHODS = [("Phone", "phone"), ("E-mail", "email"), ("Meeting", "meeting"), ("Other", "other")]

    def __init__(self, referral_id: int) -> None:
        super().__init__()
        self.referral_id = referral_id

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog"):
            yield Static("Log a follow-up", classes="form-title")
            yield from field_row(
                "How",
                Select[str](self.METHODS, id="method", value="phone", allow_blank=False),
                "method",
            )
            yield from field_row("What was done", Input(id="note"), "note")
            yield Static("", classes="error", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel", id="cancel")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#note", Input).focus()

    @on(Input.Submitted, "#note")
    @on(Button.Pressed, "#save")
    def action_save(self) -> None:
        self._save(
            str(self.query_one("#method", Select).value), self.query_one("#note", Input).value
        )

    @work(thread=True, exclusive=True, group="save", exit_on_error=False)
    def _save(self, method: str, note: str) -> None:
        try:
            with self.cipco.session() as session:
                add_follow_up(
                    session=session,
                    referral_id=self.referral_id,
                    note=note,
                    method=method,
                    clock=self.cipco.clock,
                )
        except ReferralError as exc:
            self.app.call_from_thread(show_errors, self, {exc.field or "note": str(exc)}, ["note"])
            return
        self.app.call_from_thread(self.dismiss, True)

    @on(Button.Pressed, "#cancel")
    def action_cancel(self) -> None:
        self.dismiss(False)


__all__ = ["FollowUpScreen", "MoveStatusScreen", "ReferralForm"]
