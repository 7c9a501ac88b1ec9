"""The exhibit's forms: a seizure (a new exhibit), a move on (hand-over, dissemination, return,
destruction), a correction, and its hold / collection marks. Each is a :class:`FormSpec`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session
from textual.screen import Screen

from cipco.clock import Clock
from cipco.models.exhibit import (
    CorrectionIn,
    EventIn,
    ExhibitCreate,
    HolderKind,
)
from cipco.models.vocab import FOOTAGE_TYPES, TYPE_LABELS
from cipco.screens.record_form import FormSpec, Loaded, RecordForm, Saved
from cipco.services import exhibits as svc
from cipco.services.exhibits import REASON_LABELS
from cipco.widgets.fields import Field

FOOTAGE = {t.value for t in FOOTAGE_TYPES}
PHYSICAL = {key for key in TYPE_LABELS if key not in FOOTAGE}
REASONS = [(label, key) for key, label in REASON_LABELS.items()]

EXHIBIT_FIELDS = [
    Field("reference", "Reference", required=True, placeholder="e.g. JS/1 or JS/1/1"),
    Field(
        "exhibit_type",
        "Type",
        "select",
        required=True,
        options=[(label, key) for key, label in TYPE_LABELS.items()],
    ),
    Field("description", "Description", required=True),
    Field(
        "system",
        "System",
        placeholder="e.g. Milestone",
        section="Footage",
        shown_if=("exhibit_type", FOOTAGE),
    ),
    Field("camera_id", "Camera id", shown_if=("exhibit_type", FOOTAGE)),
    Field("officer", "Officer (BWV)", shown_if=("exhibit_type", FOOTAGE)),
    Field("clip_start", "Clip start", "datetime", shown_if=("exhibit_type", FOOTAGE)),
    Field("clip_end", "Clip end", "datetime", shown_if=("exhibit_type", FOOTAGE)),
    Field(
        "export_medium",
        "Export medium",
        placeholder="DVD, USB…",
        shown_if=("exhibit_type", FOOTAGE),
    ),
    Field(
        "file_sha256",
        "SHA-256",
        placeholder="cipco hash FILE prints it",
        shown_if=("exhibit_type", FOOTAGE),
    ),
    Field("quantity", "Quantity", section="Physical item", shown_if=("exhibit_type", PHYSICAL)),
    Field("weight", "Weight", shown_if=("exhibit_type", PHYSICAL)),
    Field("where_found", "Where found", shown_if=("exhibit_type", PHYSICAL)),
    Field("found_on", "Found on (prison no)", shown_if=("exhibit_type", PHYSICAL)),
    Field("list_class", "List A/B/C", shown_if=("exhibit_type", PHYSICAL)),
    Field("seized_by", "Seized by", required=True, section="Seizure"),
    Field("seized_at", "Seized at", "datetime", required=True),
    Field("seal_number", "Seal / bag number"),
    Field("storage_location", "Storage location"),
    Field("referral_refs", "Referral(s)", placeholder="REF-2026-0001, …"),
    Field("awaiting_collection", "Awaiting police collection", "check"),
]


def _save_exhibit(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
    values = {k: v for k, v in values.items() if v not in (None, "")}
    exhibit = svc.create_exhibit(
        session=session, data=ExhibitCreate.model_validate(values), clock=clock
    )
    return Saved(exhibit.id, f"Exhibit {exhibit.reference} logged")


def exhibit_form(clock: Clock) -> RecordForm:
    """A seizure: the new exhibit's first event."""
    return RecordForm(
        FormSpec(
            title="New exhibit (seizure)",
            fields=EXHIBIT_FIELDS,
            values={"exhibit_type": "cctv", "seized_at": clock.now()},
            save=_save_exhibit,
        )
    )


# ---------------------------------------------------------------- moving it on

EVENT_TITLES = {
    "movement": "Hand-over",
    "dissemination": "Dissemination to police",
    "return": "Return to owner",
    "destruction": "Destruction",
}
FINAL_EVENTS = ("dissemination", "return", "destruction")


def _event_fields(kind: str) -> list[Field]:
    fields = [Field("from_name", "From (holder)", required=True)]
    if kind != "destruction":
        fields.append(Field("to_name", "To", required=True))
    if kind == "movement":
        holders = [(k.value.title(), k.value) for k in HolderKind if k != HolderKind.OWNER]
        fields.append(Field("to_kind", "Receiver is", "select", required=True, options=holders))
    if kind in ("movement", "dissemination"):
        fields += [Field("to_collar", "Collar number"), Field("to_force", "Force")]
    if kind == "movement":
        fields += [
            Field("to_org", "Lab / courier / court"),
            Field("reason", "Reason", "select", required=True, options=REASONS),
            Field("location", "Storage location"),
        ]
    fields.append(Field("happened_at", "Happened at", "datetime", required=True))
    if kind != "destruction":
        fields += [
            Field("seal_number", "Seal on receipt", section="Seal"),
            Field("seal_intact", "Seal intact on receipt", "check"),
            Field("new_seal_number", "Resealed as"),
        ]
    else:
        fields += [
            Field("authority", "Authority", required=True),
            Field("witness", "Witness (not in the chain)", required=True),
        ]
    fields.append(Field("note", "Note"))
    return fields


def event_form(exhibit_id: int, reference: str, holder: str, kind: str, clock: Clock) -> RecordForm:
    """Hand-over, dissemination, return or destruction; the giver starts as the holder."""

    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        intact = values.pop("seal_intact", None)
        if intact is not None and (values.get("seal_number") or not intact):
            values["seal_intact"] = intact
        data = EventIn.model_validate({"kind": kind} | values)
        svc.record_event(session=session, exhibit_id=exhibit_id, data=data, clock=clock)
        return Saved(exhibit_id, f"{EVENT_TITLES[kind]} of {reference} recorded")

    def confirm(_values: dict[str, Any]) -> str:
        if kind not in FINAL_EVENTS:
            return ""
        return (
            f"{EVENT_TITLES[kind]} of {reference} is final and cannot be undone "
            "(only corrected). Record it?"
        )

    return RecordForm(
        FormSpec(
            title=f"{EVENT_TITLES[kind]} of {reference}",
            fields=_event_fields(kind),
            values={
                "from_name": holder,
                "to_kind": "staff",
                "reason": "storage",
                "seal_intact": True,
                "happened_at": clock.now(),
            },
            save=save,
            confirm=confirm,
        )
    )


def choose_move(
    screen: Any,
    exhibit_id: int,
    reference: str,
    holder: str,
    open_form: Callable[[Screen[Any]], None],
) -> None:
    """``m`` on an exhibit: which move (hand-over first), then its form."""
    from cipco.screens.modals import ChoiceScreen

    def chosen(kind: str | None) -> None:
        if kind:
            open_form(event_form(exhibit_id, reference, holder, kind, screen.cipco.clock))

    screen.app.push_screen(
        ChoiceScreen(
            f"Move {reference} on",
            [(title, kind) for kind, title in EVENT_TITLES.items()],
            current="movement",
        ),
        chosen,
    )


# ---------------------------------------------------------------- correction


def correction_form(exhibit_id: int, reference: str, events: list[tuple[str, int]]) -> RecordForm:
    """A correction is a new event pointing at the original, which stays visible."""
    fields = [
        Field(
            "corrects_event_id",
            "Event to correct",
            "select",
            required=True,
            options=[(label, str(event_id)) for label, event_id in events],
        ),
        Field("note", "What was wrong", required=True),
        Field("to_name", "To", section="Corrected values (blank: unchanged)"),
        Field("happened_at", "Happened at", "datetime"),
        Field("reason", "Reason", "select", options=REASONS, placeholder="Unchanged"),
        Field("location", "Storage location"),
        Field("seal_number", "Seal on receipt"),
    ]

    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        data = CorrectionIn.model_validate({k: v for k, v in values.items() if v not in ("", None)})
        svc.correct_event(session=session, exhibit_id=exhibit_id, data=data, clock=clock)
        return Saved(exhibit_id, f"Correction to {reference} recorded")

    return RecordForm(
        FormSpec(
            title=f"Correct an event of {reference}",
            fields=fields,
            values={"corrects_event_id": str(events[-1][1])} if events else {},
            save=save,
        )
    )


# ---------------------------------------------------------------- hold and collection

FLAG_FIELDS = [
    Field("hold", "Keep (hold)", "check"),
    Field("hold_reason", "Why it must be kept"),
    Field("awaiting_collection", "Awaiting police collection", "check"),
]


def flags_form(exhibit_id: int) -> RecordForm:
    """Whether the exhibit must be kept, and whether it waits for the police."""

    def load(session: Session, clock: Clock) -> Loaded:
        d = svc.exhibit_detail(session, exhibit_id, clock)
        values = {
            "hold": d.hold,
            "hold_reason": d.hold_reason,
            "awaiting_collection": d.awaiting_collection,
        }
        return Loaded(values, version=d.version, title=f"Hold and collection of {d.reference}")

    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        d = svc.exhibit_detail(session, exhibit_id, clock)
        if values["hold"] != d.hold or (values["hold"] and values["hold_reason"] != d.hold_reason):
            svc.set_hold(
                session=session,
                exhibit_id=exhibit_id,
                hold=values["hold"],
                reason=values["hold_reason"] or None,
                clock=clock,
            )
        if values["awaiting_collection"] != d.awaiting_collection:
            svc.request_collection(
                session=session,
                exhibit_id=exhibit_id,
                requested=values["awaiting_collection"],
                clock=clock,
            )
        return Saved(exhibit_id, f"{d.reference} saved")

    return RecordForm(
        FormSpec(title="Hold and collection", fields=FLAG_FIELDS, load=load, save=save)
    )
