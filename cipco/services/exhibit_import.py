"""Rules for bringing an old exhibit continuity log into the chain.

A continuity sheet is kept one row per exhibit or one row per movement. The rows are replayed
exhibit by exhibit (parents before sub-exhibits), each chain in date order:

- the first row of an exhibit not yet recorded is its seizure (:func:`exhibits.create_exhibit`),
  with its seal/bag number, storage location, the prisoner it was found on and where;
- a later row with a giver (or an event word) is a hand-over recorded with
  :func:`exhibits.record_event`, which refuses a giver who is not the holder at that moment:
  the row "breaks continuity" and is rejected;
- a row kept one per exhibit also replays what its other columns record, after the seizure
  and through the same chain rules as the app: the police collection (date, officer, collar
  number, force: a hand-over to the police), then the destruction (authority, witness),
  return (to whom) or other disposal. A collection dated before the seizure, a destruction
  without an authority or while a linked referral is open, is rejected with the reason, and
  nothing of the row is imported;
- the receiver's kind is read from the row: a collar number or force means police, an
  organisation a lab (or a courier when it says so), otherwise a member of staff;
- a row whose time is already in the exhibit's chain changes nothing, and an event the chain
  already has (a collection, a destruction) is not recorded twice, so importing the same file
  again leaves every chain as it was;
- columns that map to no field are kept with the exhibit (its original columns).

An exhibit the file is the first to record is replayed in memory with the same checks and
written in batches (:mod:`cipco.services.exhibit_batch`: the same records, chains and ledger
entries, one audited insert per exhibit); rows of exhibits already in the data file go
through the services one at a time. Settings are read once per import.

Times in the sheet are London wall-clock times.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import LONDON, Clock
from cipco.dates import format_datetime
from cipco.models.exhibit import (
    EventIn,
    EventKind,
    Exhibit,
    ExhibitCreate,
    ExhibitEvent,
    ExhibitType,
    HolderKind,
    Reason,
    normalise_reference,
)
from cipco.services import exhibits
from cipco.services.exhibit_batch import ExhibitBatch
from cipco.services.exhibit_writes import SETTINGS_KEY, review_settings
from cipco.services.row_import import (
    RowResult,
    merge_original,
    refusal,
    refused,
    rejected,
    validated,
)

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


# one pattern per type, tried in TYPE_WORDS order (a phone's "sim card" is SIM / storage)
_TYPE_PATTERNS = [
    (re.compile("|".join(re.escape(word) for word in words)), kind) for words, kind in TYPE_WORDS
]


def guess_type(text: str) -> ExhibitType:
    """The exhibit type a description or type cell suggests (OTHER if none)."""
    lowered = text.lower()
    for pattern, kind in _TYPE_PATTERNS:
        if pattern.search(lowered):
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


_FOLLOW_UP_WORDS = {
    "collected_at": "collected",
    "destroyed_at": "destroyed",
    "returned_at": "returned",
    "disposed_at": "disposed of",
}
# (follow-up column, EventIn field) -> the import field whose column is at fault
_FOLLOW_UP_FIELDS = {
    ("collected_at", "to_name"): "collected_by",
    ("returned_at", "to_name"): "returned_to",
    ("disposed_at", "to_name"): "collected_by",
}


def _police(values: Mapping[str, Any]) -> dict[str, Any]:
    """The police officer a row's collection or dissemination goes to."""
    return {
        "to_name": _text(values, "collected_by") or _text(values, "to_name"),
        "to_kind": HolderKind.POLICE,
        "to_collar": _text(values, "to_collar"),
        "to_force": _text(values, "to_force"),
    }


def _disposal(values: Mapping[str, Any]) -> dict[str, Any]:
    return {"authority": _text(values, "authority"), "witness": _text(values, "witness")}


def _owner(values: Mapping[str, Any]) -> str:
    return _text(values, "returned_to") or _text(values, "found_on") or "Owner"


def follow_ups(values: Mapping[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """What a one-row-per-exhibit row records after the seizure, in the order it happens:
    (the date column, the event's fields without its giver)."""
    found: list[tuple[str, dict[str, Any]]] = []
    collected_at = _utc(values.get("collected_at"))
    if isinstance(collected_at, datetime):
        found.append(
            (
                "collected_at",
                {
                    "kind": EventKind.MOVEMENT,
                    **_police(values),
                    "reason": Reason.POLICE_COLLECTION,
                    "happened_at": collected_at,
                },
            )
        )
    destroyed_at = _utc(values.get("destroyed_at"))
    if isinstance(destroyed_at, datetime):
        found.append(
            (
                "destroyed_at",
                {"kind": EventKind.DESTRUCTION, "happened_at": destroyed_at, **_disposal(values)},
            )
        )
    returned_at = _utc(values.get("returned_at"))
    if isinstance(returned_at, datetime):
        found.append(
            (
                "returned_at",
                {"kind": EventKind.RETURN, "to_name": _owner(values), "happened_at": returned_at},
            )
        )
    disposed_at = _utc(values.get("disposed_at"))
    how = (_text(values, "disposal") or "").lower()
    if isinstance(disposed_at, datetime) or how:
        if not isinstance(disposed_at, datetime):
            raise exhibits.ExhibitError(
                f"disposal: says '{_text(values, 'disposal')}' but gives no date",
                field="disposal",
            )
        kind = event_kind(how) if how else EventKind.MOVEMENT
        if kind == EventKind.DESTRUCTION:
            fields: dict[str, Any] = {"kind": kind, **_disposal(values)}
        elif kind == EventKind.RETURN or "return" in how:
            fields = {"kind": EventKind.RETURN, "to_name": _owner(values)}
        elif kind == EventKind.DISSEMINATION or "police" in how:
            fields = {"kind": EventKind.DISSEMINATION, **_police(values)}
        else:
            raise exhibits.ExhibitError(
                f"disposal: '{_text(values, 'disposal') or ''}' is not destruction, return to "
                "the owner or dissemination to the police",
                field="disposal",
            )
        found.append(("disposed_at", {**fields, "happened_at": disposed_at}))
    return found


def _with_kept(note: str | None, values: Mapping[str, Any]) -> str | None:
    """A movement's note with the row's kept columns ("Header: value") after it."""
    kept = values.get("original_columns")
    if not kept:
        return note
    extra = "; ".join(f"{h}: {v}" for h, v in kept)
    return f"{note}; {extra}" if note else extra


def _text(values: Mapping[str, Any], name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    return " ".join(str(value).split()) or None


def _utc(value: Any) -> Any:
    if isinstance(value, datetime) and value.tzinfo is None:
        return value.replace(tzinfo=LONDON).astimezone(UTC)
    return value


def _record_follow_up(
    column: str, fields: dict[str, Any], holder: str, record: Callable[[EventIn], None]
) -> None:
    """Record one follow-up from ``holder``; a refusal names the column at fault."""
    try:
        data = validated(EventIn, {"from_name": holder, **fields})
        record(data)
    except ValidationError as exc:
        field, message = refusal(exc)
        named, sep, rest = message.partition(": ")
        if not field and sep and named.isidentifier():  # "authority: destruction needs..."
            field, message = named, rest
        raise exhibits.ExhibitError(
            f"{_FOLLOW_UP_WORDS[column]}: {message}",
            field=_FOLLOW_UP_FIELDS.get((column, field), field or column),
        ) from None
    except exhibits.ExhibitError as exc:
        if exc.field in ("happened_at", "kind", "exhibit", None, ""):
            raise exhibits.ExhibitError(str(exc), field=column) from None
        raise


class ExhibitImport:
    """Row handler: ``imported`` counts new exhibits, ``updated`` movements added to a chain."""

    def __init__(
        self, session: Session, clock: Clock, source: str = "import", *, batched: bool = True
    ) -> None:
        self.session = session
        self.clock = clock
        self.source = source
        session.info[SETTINGS_KEY] = review_settings(session)  # read once per import
        # new exhibits are replayed in memory and written in batches (exhibit_batch);
        # rows of exhibits already in the file go through the services one at a time
        self.batch = ExhibitBatch(session, clock) if batched else None

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
        warnings: list[str] = []
        try:
            reference = _text(values, "reference")
            if self.batch is not None and reference and self.batch.is_new(reference):
                action = self._seize_batched(reference, values, happened_at, warnings)
            else:
                if self.batch is not None:
                    self.batch.written_elsewhere()
                with self.session.begin_nested():
                    action = self._apply(values, happened_at, warnings)
        except (exhibits.ExhibitError, ValidationError) as exc:
            return refused(
                row,
                exc,
                {
                    "from": "from_name",
                    "referral_refs": "referral",
                    "seized_at": "happened_at",
                    "storage_location": "location",
                },
            )
        return RowResult(row, action, warnings=warnings)

    def _apply(self, values: Mapping[str, Any], happened_at: datetime, warnings: list[str]) -> str:
        reference = _text(values, "reference")
        if not reference:
            raise exhibits.ExhibitError("exhibit: no exhibit reference", field="reference")
        existing = exhibits.exhibit_by_reference(self.session, reference)
        if existing is None:
            exhibit = self._seize(reference, values, happened_at)
            self._keep(exhibit, values)
            self._follow_ups(exhibit, values, warnings)
            return "imported"
        assert existing.id is not None
        chain = self._chain(existing.id)
        kind = event_kind(_text(values, "action"))
        movement_row = _text(values, "from_name") is not None or kind != EventKind.MOVEMENT
        known = any(at == happened_at for _kind, _reason, at in chain)
        if known and movement_row and kind != EventKind.SEIZURE:
            return "unchanged"  # a hand-over already in the chain (its kept cells in its note)
        if known or kind == EventKind.SEIZURE:
            changed = self._keep(existing, values)
            changed = self._follow_ups(existing, values, warnings) or changed
            return "updated" if changed else "unchanged"
        if not movement_row:
            changed = self._keep(existing, values)
            seized = next((at for k, _r, at in chain if k == EventKind.SEIZURE.value), None)
            if seized is not None:
                warnings.append(
                    f"{existing.reference}: seized {format_datetime(happened_at)} in the sheet "
                    f"but {format_datetime(seized)} in the chain (record a correction in cipco)"
                )
            changed = self._follow_ups(existing, values, warnings) or changed
            return "updated" if changed else "unchanged"
        self._hand_over(existing, values, happened_at, kind)
        return "updated"

    def _hand_over(
        self, existing: Exhibit, values: Mapping[str, Any], happened_at: datetime, kind: EventKind
    ) -> None:
        assert existing.id is not None
        from_name = _text(values, "from_name")
        if from_name is None:
            raise exhibits.ExhibitError(
                f"from: who handed {existing.reference} over is missing (held by "
                f"{existing.holder})",
                field="from_name",
            )
        data = validated(
            EventIn,
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
                "note": _with_kept(_text(values, "note"), values),
            },
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

    # ------------------------------------------------------------------ one row per exhibit

    def _chain(self, exhibit_id: int) -> list[tuple[str, str | None, datetime]]:
        """(kind, reason, happened at) of each event of the exhibit's chain."""
        return [
            (kind, reason, at)
            for kind, reason, at in self.session.execute(
                select(ExhibitEvent.kind, ExhibitEvent.reason, ExhibitEvent.happened_at)
                .where(ExhibitEvent.exhibit_id == exhibit_id)
                .order_by(ExhibitEvent.seq)  # type: ignore[arg-type]
            )
        ]

    def _seize_batched(
        self, reference: str, values: Mapping[str, Any], happened_at: datetime, warnings: list[str]
    ) -> str:
        """A new exhibit replayed in memory with the same checks (kept only if every event of
        the row is accepted)."""
        assert self.batch is not None
        draft = self.batch.seize(self._create_data(reference, values, happened_at))
        kept = values.get("original_columns")
        if kept:
            draft.row["original_columns"] = merge_original(None, kept)
            draft.row["updated_at"] = self.clock.now()
        wanted = follow_ups(values)
        if wanted:
            self._replay(
                draft.reference, lambda: draft.holder, draft.chain(), wanted, warnings, draft.record
            )
        self.batch.keep(draft)
        return "imported"

    def _follow_ups(self, exhibit: Exhibit, values: Mapping[str, Any], warnings: list[str]) -> bool:
        """Record the collection and disposal the row's columns give; True if any was new."""
        wanted = follow_ups(values)
        if not wanted:
            return False
        exhibit_id = exhibit.id
        assert exhibit_id is not None

        def record(data: EventIn) -> None:
            exhibits.record_event(
                session=self.session, exhibit_id=exhibit_id, data=data, clock=self.clock
            )

        return self._replay(
            exhibit.reference,
            lambda: exhibit.holder,
            self._chain(exhibit_id),
            wanted,
            warnings,
            record,
        )

    def _replay(
        self,
        reference: str,
        holder: Callable[[], str],
        chain: list[tuple[str, str | None, datetime]],
        wanted: list[tuple[str, dict[str, Any]]],
        warnings: list[str],
        record: Callable[[EventIn], None],
    ) -> bool:
        """Record each wanted follow-up the chain does not have yet (``record`` appends an
        event to the exhibit, handed over by its holder at that moment); True if any was
        new."""
        added = False
        for column, fields in wanted:
            when = fields["happened_at"]
            same_kind = [
                at
                for kind, reason, at in chain
                if kind == fields["kind"].value
                and (fields["kind"] != EventKind.MOVEMENT or reason == Reason.POLICE_COLLECTION)
            ]
            if when in same_kind:
                continue
            if same_kind:
                warnings.append(
                    f"{reference}: {_FOLLOW_UP_WORDS[column]} {format_datetime(when)} in "
                    f"the sheet but {format_datetime(same_kind[-1])} in the chain (record a "
                    "correction in cipco)"
                )
                continue
            _record_follow_up(column, fields, holder(), record)
            chain.append((fields["kind"].value, None, when))
            added = True
        return added

    def _keep(self, exhibit: Exhibit, values: Mapping[str, Any]) -> bool:
        """Keep the row's other columns with the exhibit; True if that changed anything."""
        kept = values.get("original_columns")
        if not kept:
            return False
        merged = merge_original(exhibit.original_columns, kept)
        if merged == (exhibit.original_columns or []):
            return False
        exhibit.original_columns = merged
        exhibit.updated_at = self.clock.now()
        return True

    def _seize(self, reference: str, values: Mapping[str, Any], happened_at: datetime) -> Exhibit:
        data = self._create_data(reference, values, happened_at)
        return exhibits.create_exhibit(session=self.session, data=data, clock=self.clock)

    @staticmethod
    def _create_data(
        reference: str, values: Mapping[str, Any], happened_at: datetime
    ) -> ExhibitCreate:
        description = _text(values, "description")
        return validated(
            ExhibitCreate,
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
            },
        )

    def finish(self) -> None:
        if self.batch is not None:
            self.batch.flush()
        self.session.flush()
        self.session.info.pop(SETTINGS_KEY, None)
