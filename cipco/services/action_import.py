"""Rules for bringing an old crime clinic action log into cipco.

Each row is an action agreed at a clinic: what, who (and their organisation), due date,
status, the referral it is about and the date of the clinic that raised it.

- The clinic is found by its date. A past date with no clinic gets one, created for the
  import and closed once the import is done (its actions stay open until someone marks them);
  a date in the future with no clinic is refused.
- An action is the same action when the clinic, the words and the owner match (case and
  spacing aside): importing the same log again changes nothing; a changed due date,
  organisation, referral or status updates it.
- Status words: done / complete / closed mark the action done; dropped / cancelled / no
  longer required drop it (the note is the reason); anything else leaves it open.
- Carried forward as the app would: each clinic made for the import gets, on its agenda,
  the actions raised at earlier clinics that were still open on its day; clinics not yet
  held (draft or open) get the imported actions that are still open.
- Columns the log has beyond these are kept with the action (its original columns).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime, time
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlmodel import Session

from cipco.clock import LONDON, Clock, to_london
from cipco.models.clinic import (
    ActionStatus,
    ClinicAction,
    ClinicActionCreate,
    ClinicActionUpdate,
    ClinicCreate,
    ClinicStatus,
)
from cipco.services import clinic
from cipco.services.row_import import RowResult, merge_original, refused, rejected

DONE_WORDS = ("done", "complete", "completed", "closed", "finished", "actioned")
DROPPED_WORDS = ("dropped", "cancelled", "canceled", "no longer required", "withdrawn", "nfa")
CLOSING = (ClinicStatus.OPEN, ClinicStatus.IN_PROGRESS, ClinicStatus.CLOSED)


def status_of(text: str | None) -> ActionStatus:
    lowered = " ".join((text or "").lower().split())
    if any(lowered.startswith(word) for word in DROPPED_WORDS):
        return ActionStatus.DROPPED
    if any(lowered.startswith(word) for word in DONE_WORDS):
        return ActionStatus.DONE
    return ActionStatus.OPEN


def _words(value: Any) -> str:
    return " ".join(str(value or "").split())


def _instant(value: Any, day: date) -> datetime:
    """When an action was closed: the cell's time (London), else noon on the clinic's day."""
    if isinstance(value, datetime):
        local = value if value.tzinfo else value.replace(tzinfo=LONDON)
        return local.astimezone(UTC)
    return datetime.combine(day, time(12), tzinfo=LONDON).astimezone(UTC)


class ActionImport:
    """Row handler: ``imported`` counts new actions, ``updated`` actions whose details moved on."""

    def __init__(self, session: Session, clock: Clock, source: str = "import") -> None:
        self.session = session
        self.clock = clock
        self.source = source
        self.today = to_london(clock.now()).date()
        self.created: list[int] = []  # clinics made for this import, closed at the end
        self.columns: set[str] = set()
        self.earliest: date | None = None  # the earliest clinic an imported action was raised at

    def set_columns(self, fields: set[str]) -> None:
        self.columns = fields

    def add(self, row: int, values: dict[str, Any]) -> RowResult:
        held_on = values.get("clinic_held_on")
        if isinstance(held_on, datetime):
            held_on = held_on.date()
        if not isinstance(held_on, date):
            return rejected(
                row, "clinic_held_on", "the date of the clinic that raised it is missing"
            )
        try:
            data = ClinicActionCreate(
                text=_words(values.get("text")),
                owner_name=_words(values.get("owner_name")),
                owner_org=_words(values.get("owner_org")),
                due_on=values.get("due_on") or None,
            )
            with self.session.begin_nested():
                referral_id = clinic.referral_id_for(self.session, _words(values.get("referral")))
                data = data.model_copy(update={"referral_id": referral_id})
                action = self._apply(held_on, data, values)
                if action == "imported":
                    self.earliest = min(self.earliest or held_on, held_on)
        except (clinic.ClinicError, ValidationError) as exc:
            return refused(row, exc, {"referral_id": "referral", "held_on": "clinic_held_on"})
        return RowResult(row, action)

    def _clinic_id(self, held_on: date) -> int:
        found = clinic.clinic_on(self.session, held_on)
        if found is not None and found.id is not None:
            return found.id
        if held_on > self.today:
            raise clinic.ClinicError(
                f"raised at clinic: there is no clinic on {clinic.uk_date(held_on)}",
                field="held_on",
            )
        made = clinic.create_clinic(
            session=self.session,
            clock=self.clock,
            data=ClinicCreate(held_on=held_on),
            generate=False,
        )
        assert made.id is not None
        made.notes = f"Created when importing the action log {self.source}."
        self.created.append(made.id)
        return made.id

    def _apply(self, held_on: date, data: ClinicActionCreate, values: Mapping[str, Any]) -> str:
        clinic_id = self._clinic_id(held_on)
        existing = self.session.scalars(
            select(ClinicAction).where(
                ClinicAction.clinic_id == clinic_id,
                func.lower(ClinicAction.text) == data.text.casefold(),
                func.lower(ClinicAction.owner_name) == data.owner_name.casefold(),
            )
        ).first()
        wanted = status_of(values.get("status")) if "status" in self.columns else None
        note = _words(values.get("note")) or None
        kept = values.get("original_columns") or []
        if existing is None:
            try:
                action = clinic.add_action(
                    session=self.session, clinic_id=clinic_id, data=data, clock=self.clock
                )
                if kept:
                    action.original_columns = [list(pair) for pair in kept]
            except clinic.ClinicReadOnly:
                raise clinic.ClinicError(
                    f"raised at clinic: the clinic of {clinic.uk_date(held_on)} is closed; "
                    "a new action cannot be added to it",
                    field="held_on",
                ) from None
            self._close(action, wanted, note, values.get("closed_at"), held_on)
            return "imported"
        changes = {
            key: getattr(data, key)
            for key, column in (
                ("owner_org", "owner_org"),
                ("due_on", "due_on"),
                ("referral_id", "referral"),
            )
            if column in self.columns and getattr(existing, key) != getattr(data, key)
        }
        changed = bool(changes)
        if kept:
            merged = merge_original(existing.original_columns, kept)
            if merged != (existing.original_columns or []):
                existing.original_columns = merged
                changed = True
        if changes and existing.status == ActionStatus.OPEN:
            clinic.update_action(
                session=self.session,
                action_id=existing.id,  # type: ignore[arg-type]
                data=ClinicActionUpdate(**changes),
                clock=self.clock,
            )
        elif changes:
            changed = False  # a closed action keeps what it was closed with
        if wanted is not None and wanted != existing.status:
            if existing.status != ActionStatus.OPEN:
                clinic.reopen_action(
                    session=self.session,
                    action_id=existing.id,  # type: ignore[arg-type]
                    clock=self.clock,
                )
            self._close(existing, wanted, note, values.get("closed_at"), held_on)
            changed = True
        return "updated" if changed else "unchanged"

    def _close(
        self,
        action: ClinicAction,
        wanted: ActionStatus | None,
        note: str | None,
        closed_at: Any,
        held_on: date,
    ) -> None:
        if wanted in (None, ActionStatus.OPEN):
            return
        assert action.id is not None
        when = _instant(closed_at, held_on)
        if wanted == ActionStatus.DONE:
            clinic.complete_action(
                session=self.session, action_id=action.id, clock=self.clock, note=note
            )
            action.done_at = when
        else:
            clinic.drop_action(
                session=self.session,
                action_id=action.id,
                reason=note or "dropped (imported)",
                clock=self.clock,
            )
            action.dropped_at = when

    def finish(self) -> None:
        self.session.flush()
        made = sorted(
            (clinic.load_clinic(self.session, clinic_id) for clinic_id in self.created),
            key=lambda made_clinic: made_clinic.held_on,
        )
        for made_clinic in made:
            assert made_clinic.id is not None
            clinic.carry_actions_open_then(
                session=self.session, clinic_id=made_clinic.id, clock=self.clock
            )
        if self.earliest is not None:
            for later in clinic.clinics_not_yet_held(self.session, after=self.earliest):
                assert later.id is not None
                if later.id not in self.created:
                    clinic.carry_open_actions(
                        session=self.session, clinic_id=later.id, clock=self.clock
                    )
        for clinic_id in self.created:
            for status in CLOSING:
                clinic.move_clinic(
                    session=self.session, clinic_id=clinic_id, to_status=status, clock=self.clock
                )
        self.session.flush()
