"""Forms for the persons-of-interest list and the MG4D log.

``SimpleForm`` is a typed modal built from field specs: it parses dates day-first, runs the
save function in a thread worker (which opens its own session and calls a service) and shows
each problem beside the field it names. ctrl+s / F2 saves; escape cancels, asking first if
anything was typed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Checkbox, Input, Select, Static, TextArea

from cipco.clock import format_date, format_datetime, parse_uk_date, parse_uk_datetime
from cipco.widgets.errors import ReportsWorkerErrors
from cipco.widgets.form import field_row, show_errors

if TYPE_CHECKING:
    from cipco.app import CipcoApp


@dataclass(frozen=True)
class FieldSpec:
    name: str
    label: str
    kind: str = "text"  # text | date | datetime | select | check | area
    value: Any = None
    options: Sequence[tuple[str, str]] = ()  # (label, value) for selects
    placeholder: str = ""
    disabled: bool = False


class FieldProblem(ValueError):
    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _initial_text(spec: FieldSpec) -> str:
    value = spec.value
    if value is None:
        return ""
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, date):
        return format_date(value)
    return str(value)


def problems_from(exc: Exception, names: Sequence[str]) -> dict[str, str]:
    """Turn a service or validation error into {field: message} (``""`` = the whole form)."""
    known = set(names)
    problems: dict[str, str] = {}
    if isinstance(exc, ValidationError):
        for error in exc.errors():
            loc = [str(part) for part in error["loc"]]
            message = str(error["msg"]).removeprefix("Value error, ")
            target = next((part for part in reversed(loc) if part in known), "")
            match = re.match(r"^(\w+): (.*)$", message)
            if not target and match and match[1] in known:
                target, message = match[1], match[2]
            label = loc[-1] if loc and not target else ""
            problems.setdefault(target, f"{label}: {message}" if label else message)
        return problems
    field = getattr(exc, "field", None)
    if field in known:
        message = str(exc)
        return {field: message.split(": ", 1)[1] if ": " in message else message}
    return {"": str(exc)}


class SimpleForm(ReportsWorkerErrors, ModalScreen[Any]):
    """A small record form; dismisses with what ``save`` returned, or None if cancelled."""

    BINDINGS = [
        Binding("ctrl+s,f2", "save", "Save", priority=True),
        Binding("escape", "cancel", "Cancel"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[FieldSpec],
        save: Callable[[dict[str, Any]], Any],
        *,
        note: str = "",
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self._save_fn = save
        self.note = note
        self.dirty = False
        self._ready = False

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(classes="form-dialog"):
            yield Static(Text(self.form_title), classes="form-title")
            if self.note:
                yield Static(Text(self.note), classes="hint")
            with VerticalScroll(classes="form"):
                for spec in self.fields:
                    yield from field_row(spec.label, self._widget(spec), spec.name)
            yield Static("", classes="error", id="form-error")
            with Horizontal(classes="buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def _widget(self, spec: FieldSpec) -> Any:
        if spec.kind == "select":
            value = spec.value if spec.value is not None else Select.NULL
            return Select[str](
                list(spec.options), id=spec.name, value=value, prompt="Choose", allow_blank=True
            )
        if spec.kind == "check":
            return Checkbox("", bool(spec.value), id=spec.name)
        if spec.kind == "area":
            return TextArea(_initial_text(spec), id=spec.name)
        hint = {"date": "dd/mm/yyyy", "datetime": "dd/mm/yyyy hh:mm"}.get(spec.kind, "")
        return Input(
            _initial_text(spec),
            id=spec.name,
            placeholder=spec.placeholder or hint,
            disabled=spec.disabled,
        )

    def on_mount(self) -> None:
        first = next((f for f in self.fields if not f.disabled), None)
        if first is not None:
            self.query_one(f"#{first.name}").focus()
        self.call_after_refresh(self._mark_ready)

    def _mark_ready(self) -> None:
        self._ready = True

    @on(Input.Changed)
    @on(TextArea.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _changed(self) -> None:
        if self._ready:
            self.dirty = True

    def values(self) -> dict[str, Any]:
        """The typed values, dates parsed. Raises FieldProblem naming the field."""
        values: dict[str, Any] = {}
        for spec in self.fields:
            widget = self.query_one(f"#{spec.name}")
            if spec.kind == "select":
                raw = widget.value  # type: ignore[attr-defined]
                values[spec.name] = None if raw is Select.NULL else raw
            elif spec.kind == "check":
                values[spec.name] = bool(widget.value)  # type: ignore[attr-defined]
            elif spec.kind == "area":
                values[spec.name] = widget.text  # type: ignore[attr-defined]
            else:
                text = widget.value.strip()  # type: ignore[attr-defined]
                try:
                    if spec.kind == "date":
                        values[spec.name] = parse_uk_date(text) if text else None
                    elif spec.kind == "datetime":
                        values[spec.name] = parse_uk_datetime(text) if text else None
                    else:
                        values[spec.name] = text
                except ValueError as exc:
                    raise FieldProblem(spec.name, str(exc)) from None
        return values

    def _show(self, problems: dict[str, str]) -> None:
        names = [f.name for f in self.fields]
        unplaced = show_errors(self, {k: v for k, v in problems.items() if k}, names)
        general = [problems[""]] if "" in problems else []
        self.query_one("#form-error", Static).update(Text("\n".join(general + unplaced)))

    def action_save(self) -> None:
        try:
            values = self.values()
        except FieldProblem as problem:
            self._show({problem.field: str(problem)})
            return
        self._show({})
        self._save(values)

    @work(thread=True, exclusive=True, group="form-save", exit_on_error=False)
    def _save(self, values: dict[str, Any]) -> None:
        try:
            result = self._save_fn(values)
        except (ValidationError, ValueError) as exc:
            problems = problems_from(exc, [f.name for f in self.fields])
            self.app.call_from_thread(self._show, problems)
            return
        self.app.call_from_thread(self.dismiss, result)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.action_save()
        else:
            self.action_cancel()

    def action_cancel(self) -> None:
        if not self.dirty:
            self.dismiss(None)
            return
        from cipco.screens.modals import ConfirmScreen

        def decided(discard: bool | None) -> None:
            if discard:
                self.dismiss(None)

        self.app.push_screen(
            ConfirmScreen("Discard what you typed?", confirm_label="Discard", danger=True),
            decided,
        )


# ---------------------------------------------------------------- persons of interest

BAND_OPTIONS = [("Band 1 (reviewed quarterly)", "1"), ("Band 2 (reviewed monthly)", "2")]


def person_form(app: CipcoApp, nomis_number: str | None, current: Any = None) -> SimpleForm:
    """Add someone to the list, or edit their entry (``current`` is a PersonPageData)."""
    from cipco.models.people import PrisonerIn
    from cipco.models.person import ALERT_LABELS, PersonCreate, PersonUpdate
    from cipco.services import persons

    person = current.person if current is not None else None
    fields = [
        FieldSpec(
            "nomis_number", "Prison number *", value=nomis_number, disabled=bool(nomis_number)
        ),
        FieldSpec("name", "Name (SURNAME, Forename)", value=current.name if current else ""),
        FieldSpec("pnc", "PNC ID", value=current.pnc if current else ""),
        FieldSpec(
            "date_of_birth",
            "Date of birth",
            "date",
            value=current.date_of_birth if current else None,
        ),
        FieldSpec(
            "location",
            "Location",
            value=current.location if current else "this prison",
            placeholder="this prison / prison code / released",
        ),
        FieldSpec(
            "soc_band",
            "SOC band",
            "select",
            value=str(person.band) if person and person.band else None,
            options=BAND_OPTIONS,
        ),
        FieldSpec(
            "alert_codes",
            "Alert codes",
            value=", ".join(person.alert_codes) if person else "",
            placeholder=" ".join(ALERT_LABELS),
        ),
        FieldSpec("ocg_name", "OCG / gang", value=person.ocg_name if person else ""),
        FieldSpec(
            "last_review_on",
            "Last SOC review",
            "date",
            value=person.last_review_on if person else None,
        ),
        FieldSpec(
            "next_review_on",
            "Next review (blank: from band)",
            "date",
            value=person.next_review_on if person else None,
        ),
        FieldSpec(
            "release_date", "Release date", "date", value=person.release_date if person else None
        ),
        FieldSpec(
            "do_not_share",
            "Do not share (kept out of police exports)",
            "check",
            value=person.do_not_share if person else False,
        ),
        FieldSpec("reason", "Why on the list", value=person.reason if person else ""),
        FieldSpec("notes", "Notes", "area", value=person.notes if person else ""),
    ]

    def save(values: dict[str, Any]) -> str:
        prisoner = PrisonerIn(
            nomis_number=values["nomis_number"],
            name=values["name"],
            pnc=values["pnc"] or None,
            date_of_birth=values["date_of_birth"],
        )
        with app.session() as session:
            if person is None:
                data = PersonCreate(
                    prisoner=prisoner,
                    **{k: v for k, v in values.items() if k not in PRISONER_KEYS},
                )
                created = persons.add_person(session, data, app.clock)
                assert created.id is not None
            else:
                from cipco.services.referrals import upsert_prisoner

                upsert_prisoner(session, prisoner, app.clock)
                update = PersonUpdate(**{k: v for k, v in values.items() if k not in PRISONER_KEYS})
                persons.update_person(
                    session, person.id, update, app.clock, expected_version=person.version
                )
        return prisoner.nomis_number

    title = "Add person of interest" if person is None else f"Edit {nomis_number}"
    return SimpleForm(title, fields, save)


PRISONER_KEYS = frozenset({"nomis_number", "name", "pnc", "date_of_birth"})


def order_form(app: CipcoApp, person_id: int, order_types: list[tuple[str, str]]) -> SimpleForm:
    from cipco.models.person import START_RULE_LABELS, OrderCreate
    from cipco.services import persons

    fields = [
        FieldSpec("order_type_code", "Order type *", "select", options=order_types),
        FieldSpec("court", "Court"),
        FieldSpec("made_on", "Made on *", "date"),
        FieldSpec(
            "start_rule",
            "Starts",
            "select",
            value="on_making",
            options=[(label, key) for key, label in START_RULE_LABELS.items()],
        ),
        FieldSpec("start_on", "Start date (if on a date)", "date"),
        FieldSpec("end_on", "End date", "date"),
        FieldSpec("until_further_order", "Until further order", "check"),
        FieldSpec("review_on", "Review date", "date"),
        FieldSpec("conditions", "Conditions", "area"),
    ]

    def save(values: dict[str, Any]) -> int:
        if values["made_on"] is None:
            raise FieldProblem("made_on", "the date the order was made is needed")
        values["start_rule"] = values["start_rule"] or "on_making"
        data = OrderCreate(**values)
        with app.session() as session:
            order = persons.add_order(session, person_id, data, app.clock)
            assert order.id is not None
            return order.id

    return SimpleForm("Add ancillary order", fields, save)


def trigger_form(app: CipcoApp, person_id: int) -> SimpleForm:
    from cipco.models.person import TRIGGER_LABELS, CustodyEventCreate
    from cipco.services import persons

    fields = [
        FieldSpec(
            "kind",
            "Trigger *",
            "select",
            options=[(label, key) for key, label in TRIGGER_LABELS.items()],
        ),
        FieldSpec("happened_at", "When *", "datetime", value=app.clock.now()),
        FieldSpec("detail", "Detail"),
    ]

    def save(values: dict[str, Any]) -> int:
        if values["kind"] is None:
            raise FieldProblem("kind", "choose the trigger point")
        if values["happened_at"] is None:
            raise FieldProblem("happened_at", "say when it happened")
        with app.session() as session:
            event = persons.record_custody_event(
                session, person_id, CustodyEventCreate(**values), app.clock
            )
            assert event.id is not None
            return event.id

    return SimpleForm(
        "Record custody trigger event",
        fields,
        save,
        note="Band 1: the regional SOC unit must be told by the next working day.",
    )


def association_form(app: CipcoApp, prisoner_id: int) -> SimpleForm:
    from cipco.models.people import PrisonerIn
    from cipco.models.person import ASSOCIATION_LABELS, AssociationCreate
    from cipco.services import persons

    fields = [
        FieldSpec("nomis_number", "Other prisoner's number *"),
        FieldSpec("name", "Name"),
        FieldSpec(
            "kind",
            "Link",
            "select",
            value="associate",
            options=[(label, key) for key, label in ASSOCIATION_LABELS.items()],
        ),
        FieldSpec("note", "Note"),
    ]

    def save(values: dict[str, Any]) -> int:
        data = AssociationCreate(
            other=PrisonerIn(nomis_number=values["nomis_number"], name=values["name"]),
            kind=values["kind"] or "associate",
            note=values["note"],
        )
        with app.session() as session:
            link = persons.add_association(session, prisoner_id, data, app.clock)
            assert link.id is not None
            return link.id

    return SimpleForm("Add associate / non-association", fields, save)


# ---------------------------------------------------------------- MG4D


def papers_form(
    app: CipcoApp,
    nomis_number: str = "",
    referral_reference: str = "",
    *,
    current: Any = None,
) -> SimpleForm:
    """New papers, or (``current``: a PapersDetail) correct the details of logged papers."""
    from cipco.models.mg4d import PapersCreate
    from cipco.models.people import PrisonerIn
    from cipco.services import mg4d

    row = current.row if current is not None else None
    fields = [
        FieldSpec(
            "nomis_number", "Prison number *", value=row.nomis_number if row else nomis_number
        ),
        FieldSpec(
            "referral_reference",
            "Referral (tracker ref)",
            value=row.referral_reference if row else referral_reference,
        ),
        FieldSpec("form_label", "Form", value=row.form_label if row else "MG4D"),
        FieldSpec(
            "crime_ref", "Crime ref (blank: from referral)", value=row.crime_ref if row else ""
        ),
        FieldSpec("urn", "URN", value=row.urn if row else ""),
        FieldSpec("charges", "Charges (wording) *", "area", value=row.charges if row else ""),
        FieldSpec("court", "Court", value=row.court if row else ""),
        FieldSpec(
            "first_hearing_on", "First hearing", "date", value=row.first_hearing_on if row else None
        ),
        FieldSpec(
            "received_at",
            "Received *",
            "datetime",
            value=row.received_at if row else app.clock.now(),
        ),
        FieldSpec("received_from", "Received from", value=row.received_from if row else ""),
        FieldSpec("notes", "Notes", value=current.notes if current is not None else ""),
    ]

    def save(values: dict[str, Any]) -> int:
        if values["received_at"] is None:
            raise FieldProblem("received_at", "say when the papers arrived")
        nomis = values.pop("nomis_number")
        data = PapersCreate(prisoner=PrisonerIn(nomis_number=nomis), **values)
        with app.session() as session:
            if row is None:
                papers = mg4d.receive_papers(session, data, app.clock)
            else:
                papers = mg4d.update_papers(
                    session, row.id, data, app.clock, expected_version=row.version
                )
            assert papers.id is not None
            return papers.id

    return SimpleForm(
        "Charge papers received" if row is None else "Edit charge papers", fields, save
    )


def papers_subject(row: Any) -> str:
    """Which papers a form is about: prisoner, referral and charges, so the right row is served."""
    parts = [f"{row.nomis_number} {row.prisoner_name}".strip(), row.referral_reference, row.charges]
    return " · ".join(p for p in parts if p)


def service_form(
    app: CipcoApp, papers_id: int, correcting: Any = None, *, subject: str = ""
) -> SimpleForm:
    """Record service (or a correction of the latest event, given as an EventView)."""
    from cipco.models.mg4d import RESPONSE_LABELS, ServiceCreate
    from cipco.services import mg4d

    fields = [
        FieldSpec(
            "served_at",
            "Served (date and time) *",
            "datetime",
            value=correcting.served_at if correcting else app.clock.now(),
        ),
        FieldSpec("served_by", "Served by *", value=correcting.served_by if correcting else ""),
        FieldSpec(
            "witnessed_by", "Witnessed by", value=correcting.witnessed_by if correcting else ""
        ),
        FieldSpec(
            "response",
            "Prisoner response *",
            "select",
            value=correcting.response if correcting else None,
            options=[(label, key) for key, label in RESPONSE_LABELS.items()],
        ),
        FieldSpec("note", "Note", value=correcting.note if correcting else ""),
        FieldSpec(
            "copy_returned_at",
            "Copy returned to police",
            "datetime",
            value=correcting.copy_returned_at if correcting else None,
        ),
        FieldSpec(
            "copy_returned_how",
            "Returned how",
            value=correcting.copy_returned_how if correcting else "",
        ),
    ]

    def save(values: dict[str, Any]) -> str:
        if values["served_at"] is None:
            raise FieldProblem("served_at", "say when the papers were served (or tried)")
        if values["response"] is None:
            raise FieldProblem("response", "choose the prisoner's response")
        data = ServiceCreate(
            **values, corrects_event_id=correcting.id if correcting is not None else None
        )
        with app.session() as session:
            result = mg4d.record_service(session, papers_id, data, app.clock)
            moves = ", ".join(m.value for m in result.referral_moves)
        return f"Referral moved to {moves.split(', ')[-1]}" if moves else "Service recorded"

    title = "Correct service event" if correcting is not None else "Serve papers"
    if subject:
        title = f"{title}: {subject}"
    return SimpleForm(
        title,
        fields,
        save,
        note="Corrections are added as new events; the original stays in the log."
        if correcting is not None
        else "Served papers move the linked referral to Charged.",
    )
