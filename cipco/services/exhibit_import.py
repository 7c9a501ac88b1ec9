"""Rules for bringing an old exhibit continuity log into the chain.

A continuity sheet is kept one row per exhibit or one row per movement. The rows are replayed
exhibit by exhibit (parents before sub-exhibits), each chain in date order:

- the first row of an exhibit not yet recorded is its seizure (:func:`exhibits.create_exhibit`);
- a later row is a hand-over recorded with :func:`exhibits.record_event`, which refuses a
  giver who is not the holder at that moment: the row "breaks continuity" and is rejected;
- the receiver's kind is read from the row: a collar number or force means police, an
  organisation a lab (or a courier when it says so), otherwise a member of staff;
- a row whose time is already in the exhibit's chain changes nothing, so importing the same
  file again leaves every chain as it was.

Times in the sheet are London wall-clock times.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import LONDON, Clock
from cipco.models.exhibit import (
    EventIn,
    EventKind,
    ExhibitCreate,
    ExhibitEvent,
    ExhibitType,
    HolderKind,
    Reason,
    normalise_reference,
)
from cipco.services import exhibits
from cipco.services.row_import import RowResult, refused, rejected

TYPE_WORDS: list[tuple[tuple[str, ...], ExhibitType]] = [
    (("cctv",), ExhibitType.CCTV),
    (("bwv", "body worn", "body-worn", "bodycam"), ExhibitType.BWV),
    (("sim", "sd card", "micro sd", "storage", "usb"), ExhibitType.SIM_STORAGE),
    (("phone", "mobile", "handset"), ExhibitType.MOBILE_PHONE),
    (("drug", "substance", "cannabis", "spice", "powder", "tablet"), ExhibitType.DRUGS),
    (("weapon", "blade", "knife", "shank", "sharpened"), ExhibitType.WEAPON),
    (("photo", "image", "picture"), ExhibitType.PHOTO),
    (("audio", "pin phone", "call recording"), ExhibitType.AUDIO),
    (("document", "letter", "paper", "note"), ExhibitType.DOCUMENT),
]
REASON_WORDS = {
    "storage": Reason.STORAGE,
    "store": Reason.STORAGE,
    "exam": Reason.EXAMINATION,
    "lab": Reason.EXAMINATION,
    "forensic": Reason.EXAMINATION,
    "collect": Reason.POLICE_COLLECTION,
    "police": Reason.POLICE_COLLECTION,
    "court": Reason.COURT,
    "return": Reason.RETURN,
}
YES_WORDS = frozenset({"y", "yes", "true", "intact", "ok", "1"})
NO_WORDS = frozenset({"n", "no", "false", "broken", "0", "not intact"})


def guess_type(text: str) -> ExhibitType:
    """The exhibit type a description or type cell suggests (OTHER if none)."""
    lowered = text.lower()
    for words, kind in TYPE_WORDS:
        if any(word in lowered for word in words):
            return kind
    return ExhibitType.OTHER


def guess_reason(text: str | None) -> Reason | None:
    if not text:
        return None
    lowered = text.lower()
    for word, reason in REASON_WORDS.items():
        if word in lowered:
            return reason
    return Reason.OTHER


def event_kind(action: str | None) -> EventKind:
    """A movement unless the sheet's event words say seizure, dissemination, return, destruction."""
    lowered = (action or "").lower()
    if "destr" in lowered:
        return EventKind.DESTRUCTION
    if "dissem" in lowered:
        return EventKind.DISSEMINATION
    if "return" in lowered and "owner" in lowered:
        return EventKind.RETURN
    if "seiz" in lowered:
        return EventKind.SEIZURE
    return EventKind.MOVEMENT


def receiver_kind(collar: str | None, force: str | None, org: str | None) -> HolderKind:
    """Police with a collar number or force, a lab or courier with an organisation, else staff."""
    if collar or force:
        return HolderKind.POLICE
    if org:
        return HolderKind.COURIER if "courier" in org.lower() else HolderKind.LAB
    return HolderKind.STAFF


def yes_no(text: str | None) -> bool | None:
    lowered = (text or "").strip().lower()
    if lowered in YES_WORDS:
        return True
    if lowered in NO_WORDS:
        return False
    return None


def _text(values: Mapping[str, Any], name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def _utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=LONDON).astimezone(UTC)
    return value


class ExhibitImport:
    """Row handler: ``imported`` counts new exhibits, ``updated`` movements added to a chain."""

    def __init__(self, session: Session, clock: Clock, source: str = "import") -> None:
        self.session = session
        self.clock = clock
        self.source = source

    def set_columns(self, fields: set[str]) -> None:
        """Every column is optional but the reference and the date (the pipeline checks them)."""

    @staticmethod
    def order_key(row: int, values: Mapping[str, Any]) -> tuple[Any, ...]:
        """Parents before sub-exhibits, then each exhibit's rows in date order."""
        reference = normalise_reference(_text(values, "reference") or "")
        when = _utc(values.get("happened_at"))
        return (reference.count("/"), reference, when is None, when or datetime.min, row)

    def add(self, row: int, values: dict[str, Any]) -> RowResult:
        happened_at = _utc(values.get("happened_at"))
        if not isinstance(happened_at, datetime):
            return rejected(row, "happened_at", "no date: the chain needs a date")
        try:
            with self.session.begin_nested():
                action = self._apply(values, happened_at)
        except (exhibits.ExhibitError, ValidationError) as exc:
            return refused(row, exc, {"from": "from_name", "referral_refs": "referral"})
        return RowResult(row, action)

    def _apply(self, values: Mapping[str, Any], happened_at: datetime) -> str:
        reference = _text(values, "reference")
        if not reference:
            raise exhibits.ExhibitError("exhibit: no exhibit reference", field="reference")
        existing = exhibits.exhibit_by_reference(self.session, reference)
        if existing is None:
            self._seize(reference, values, happened_at)
            return "imported"
        assert existing.id is not None
        already = self.session.scalars(
            select(ExhibitEvent.id).where(
                ExhibitEvent.exhibit_id == existing.id, ExhibitEvent.happened_at == happened_at
            )
        ).first()
        kind = event_kind(_text(values, "action"))
        if already is not None or kind == EventKind.SEIZURE:
            return "unchanged"
        from_name = _text(values, "from_name")
        if from_name is None:
            raise exhibits.ExhibitError(
                f"from: who handed {existing.reference} over is missing (held by "
                f"{existing.holder})",
                field="from_name",
            )
        data = EventIn.model_validate(
            {
                "kind": kind,
                "from_name": from_name,
                "to_name": _text(values, "to_name"),
                "to_kind": receiver_kind(
                    _text(values, "to_collar"), _text(values, "to_force"), _text(values, "to_org")
                ),
                "to_collar": _text(values, "to_collar"),
                "to_force": _text(values, "to_force"),
                "to_org": _text(values, "to_org"),
                "happened_at": happened_at,
                "reason": guess_reason(_text(values, "reason")),
                "location": _text(values, "location"),
                "seal_number": _text(values, "seal_number"),
                "seal_intact": yes_no(_text(values, "seal_intact")),
                "authority": _text(values, "authority"),
                "witness": _text(values, "witness"),
                "note": _text(values, "note"),
            }
        )
        holder = existing.holder
        try:
            exhibits.record_event(
                session=self.session, exhibit_id=existing.id, data=data, clock=self.clock
            )
        except exhibits.ExhibitError as exc:
            if exc.field != "from_name":
                raise
            raise exhibits.ExhibitError(
                f"breaks continuity: handed over by {from_name}, but {existing.reference} was "
                f"held by {holder} at that time",
                field="from_name",
            ) from None
        return "updated"

    def _seize(self, reference: str, values: Mapping[str, Any], happened_at: datetime) -> None:
        description = _text(values, "description")
        data = ExhibitCreate.model_validate(
            {
                "reference": reference,
                "exhibit_type": guess_type(_text(values, "exhibit_type") or description or ""),
                "description": description,
                "seized_by": _text(values, "seized_by") or _text(values, "to_name"),
                "seized_at": happened_at,
                "seal_number": _text(values, "seal_number"),
                "storage_location": _text(values, "location"),
                "where_found": _text(values, "where_found"),
                "found_on": _text(values, "found_on"),
                "referral_refs": _text(values, "referral") or [],
            }
        )
        exhibits.create_exhibit(session=self.session, data=data, clock=self.clock)

    def finish(self) -> None:
        self.session.flush()
