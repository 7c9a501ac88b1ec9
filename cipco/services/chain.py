"""The hash chain of an exhibit's continuity record: canonical forms, hashing, derived state.

Each event's hash is SHA-256 (hex) of the previous event's hash followed by the event's
canonical form; the first event follows 64 zeros. Two forms exist and are never changed:

- **Form 2** (every event recorded since migration 0006) is a JSON array over stable keys
  only, never row ids: a version tag, the site the event was hashed with, the exhibit
  reference, the event number, every field the continuity record shows, instants as UTC text
  ``2026-11-14T10:00:00.000000Z`` (a time not recorded is ``null``), booleans as
  ``true``/``false`` and the JSON detail (the exhibit's header at seizure, a hold, a referral
  link) as parsed JSON. Encoding: no whitespace, object keys sorted, non-ASCII as is, UTF-8.
  A correction names the event it corrects by reference and number. A copy of the records
  into another database, with other row ids, gives the same digests.
- **Form 1** (events recorded before migration 0006) hashed the row ids and SQLite's stored
  text. Those events keep their hashes (migration 0006 appends, never rewrites); the first
  form-2 event of each exhibit commits to the form-1 head and records the row ids form 1
  hashed, so they still verify in a copy.

The exhibit row stores what the events say (holder, state, seal, header, hold, counts, head
hash) so lists filter and sort in SQL; :func:`derive` folds the events into those values and
``verify`` (``cipco.services.chain_verify``) compares them.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cipco.models.exhibit import EventKind, ExhibitState, HolderKind
from cipco.services.ledger import GENESIS

FORM = 2  # the canonical form new events are hashed in
FORM_TAG = "cipco-custody/2"

# ------------------------------------------------------------------ event rows
# Every function below reads an event as a sequence in this order (a stored row read raw, or
# an event built in Python), so verify, the services and the demo share one implementation.
ROW_FIELDS: tuple[str, ...] = (
    "id",
    "exhibit_id",
    "seq",
    "form",
    "hash_site",
    "prev_hash",
    "hash",
    "kind",
    "from_name",
    "from_kind",
    "to_name",
    "to_kind",
    "to_collar",
    "to_force",
    "to_org",
    "happened_at",
    "recorded_at",
    "recorded_by",
    "reason",
    "location",
    "seal_number",
    "seal_intact",
    "new_seal_number",
    "discrepancy",
    "corrected_happened_at",
    "corrects_event_id",
    "authority",
    "witness",
    "note",
    "details",
)
R = {name: index for index, name in enumerate(ROW_FIELDS)}
I_ID, I_EXHIBIT, I_SEQ, I_FORM, I_SITE = 0, 1, 2, 3, 4
I_PREV, I_HASH, I_KIND = 5, 6, 7
I_HAPPENED, I_RECORDED = R["happened_at"], R["recorded_at"]
I_SEAL_INTACT, I_CORRECTED_AT = R["seal_intact"], R["corrected_happened_at"]
I_CORRECTS, I_DETAILS, I_NOTE = R["corrects_event_id"], R["details"], R["note"]
I_DISCREPANCY, I_WITNESS, I_FROM = R["discrepancy"], R["witness"], R["from_name"]
I_TO, I_TO_KIND, I_LOCATION = R["to_name"], R["to_kind"], R["location"]
I_SEAL, I_NEW_SEAL = R["seal_number"], R["new_seal_number"]


def event_row(event: Mapping[str, Any]) -> list[Any]:
    """An event given by field name (a model dump, a dict being built) in row order."""
    return [event.get(name) for name in ROW_FIELDS]


# ------------------------------------------------------------------ canonical text


def utc_text(value: datetime | str | None) -> str | None:
    """An instant as form-2 text, ``2026-11-14T10:00:00.000000Z``, whatever its storage.

    Accepts an aware datetime, a naive one (taken as UTC, as stored), or stored text in any
    ISO 8601 shape. ``None`` (a time not recorded) stays ``None``. Unreadable text is kept as
    text, so it cannot match what was hashed.
    """
    if value is None:
        return None
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " " and value[19] == ".":
            return f"{value[:10]}T{value[11:]}Z"  # SQLite's stored form: already naive UTC
        if len(value) == 27 and value[10] == "T" and value[26] == "Z" and value[19] == ".":
            return value  # already form-2 text
        try:
            value = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat("T", "microseconds") + "Z"


def stored_instant(value: datetime | str) -> str:
    """An instant as SQLite stores it through ``UTCDateTime``: naive UTC, microseconds.

    Form 1 hashed this text. Text is taken as already stored (bulk inserts prepare it once).
    """
    if isinstance(value, str):
        if len(value) == 26 and value[10] == " ":
            return value
        value = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _fast_encoder() -> Callable[[Any], str]:
    """``_ENCODER.encode`` without building the C encoder on every call (twice as fast)."""
    from json import encoder

    make = getattr(encoder, "c_make_encoder", None)
    strings = getattr(encoder, "c_encode_basestring", None)
    if make is None or strings is None:
        return _ENCODER.encode
    chunks = make(None, _ENCODER.default, strings, None, ":", ",", True, False, True)
    return lambda value: "".join(chunks(value, 0))


canonical_json: Callable[[Any], str] = _fast_encoder()


def parse_details(text: Any) -> Any:
    """The JSON detail of an event as a value; text that is not JSON stays text."""
    if text is None or not isinstance(text, str):
        return text
    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return text


def digest(text: str, prev_hash: str) -> str:
    return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


def canonical_v2(
    row: Sequence[Any],
    reference: str,
    corrects: tuple[str, int] | None,
    details: Any = None,
    *,
    stored_detail: bool = False,
) -> str:
    """Form 2 of an event (see the module docstring).

    ``corrects`` is the (reference, number) of the event a correction corrects;
    ``details`` the parsed JSON detail (parsed here when not given). ``stored_detail``
    places the stored detail text as it is, without parsing and encoding it again: the same
    text when cipco wrote it (always canonical), so only a hash that then fails needs the
    parsed form (verify's fast path).
    """
    if stored_detail and row[I_DETAILS] is not None:
        return canonical_v2(row, reference, corrects, _PLACED)[:-5] + row[I_DETAILS] + "]"
    if details is _PLACED:
        details = None
    elif details is None and row[I_DETAILS] is not None:
        details = parse_details(row[I_DETAILS])
    values = [FORM_TAG, row[I_SITE] or "", reference, row[I_SEQ], *row[I_KIND:I_DETAILS], details]
    # SQLite's stored text is naive UTC already: reshape it without parsing (verify's hot path)
    happened = row[I_HAPPENED]
    if type(happened) is str and len(happened) == 26 and happened[10:20:9] == " .":
        values[_V_HAPPENED] = f"{happened[:10]}T{happened[11:]}Z"
    else:
        values[_V_HAPPENED] = utc_text(happened)
    recorded = row[I_RECORDED]
    if type(recorded) is str and len(recorded) == 26 and recorded[10:20:9] == " .":
        values[_V_RECORDED] = f"{recorded[:10]}T{recorded[11:]}Z"
    else:
        values[_V_RECORDED] = utc_text(recorded)
    intact = row[I_SEAL_INTACT]
    if intact is not None:
        values[_V_SEAL_INTACT] = bool(intact)
    if row[I_CORRECTED_AT] is not None:
        values[_V_CORRECTED_AT] = utc_text(row[I_CORRECTED_AT])
    values[_V_CORRECTS] = None if corrects is None else list(corrects)
    return canonical_json(values)


_PLACED = object()  # canonical_v2: the detail is null here and placed afterwards
# where each row field lands in the form-2 array (after tag, site, reference, number)
_V_HAPPENED, _V_RECORDED = I_HAPPENED - I_KIND + 4, I_RECORDED - I_KIND + 4
_V_SEAL_INTACT, _V_CORRECTED_AT = I_SEAL_INTACT - I_KIND + 4, I_CORRECTED_AT - I_KIND + 4
_V_CORRECTS = I_CORRECTS - I_KIND + 4


# Form 1: the fields it hashed, in order, with row ids; instants as SQLite's stored text.
# Every row field but the row id, the form, the hash site and the hashes themselves.
V1_FIELDS: tuple[str, ...] = tuple(
    name for name in ROW_FIELDS if name not in ("id", "form", "hash_site", "prev_hash", "hash")
)
_V1_INDEX = tuple(R[name] for name in V1_FIELDS)
_V1_INSTANTS = frozenset(R[n] for n in ("happened_at", "recorded_at", "corrected_happened_at"))
_ENCODER_V1 = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def canonical_v1(row: Sequence[Any], exhibit_id: int, corrects_id: int | None) -> str:
    """Form 1 of an event, with the row ids it was hashed with (a copy may renumber rows)."""
    values: list[Any] = []
    for index in _V1_INDEX:
        if index == I_EXHIBIT:
            values.append(exhibit_id)
        elif index == I_CORRECTS:
            values.append(corrects_id)
        elif index in _V1_INSTANTS:
            value = row[index]
            values.append(None if value is None else stored_instant(value))
        elif index == I_SEAL_INTACT:
            value = row[index]
            values.append(None if value is None else (1 if value else 0))
        else:
            values.append(row[index])
    return _ENCODER_V1.encode(values)


def event_hash(
    row: Sequence[Any],
    reference: str,
    corrects: tuple[str, int] | None,
    prev_hash: str,
) -> str:
    """The form-2 hash of an event given in row order."""
    return digest(canonical_v2(row, reference, corrects), prev_hash)


# ------------------------------------------------------------------ the exhibit's header

# The exhibit columns the header holds under their own names (verify reads them too).
HEADER_COLUMNS: tuple[str, ...] = (
    "description",
    "system",
    "camera_id",
    "officer",
    "clip_start",
    "clip_end",
    "export_medium",
    "file_sha256",
    "quantity",
    "weight",
    "where_found",
)
# What the seizure event's detail holds: every header field the continuity record shows.
HEADER_KEYS: tuple[str, ...] = (
    "reference",
    "parent",
    "type",
    *HEADER_COLUMNS,
    "found_on",
    "found_on_name",
    "list_class",
    "hold",
    "hold_reason",
    "referrals",
)


def header_details(
    exhibit: Any,
    *,
    parent: str | None,
    found_on: str | None,
    found_on_name: str | None,
    referrals: Iterable[str],
) -> dict[str, Any]:
    """The header of ``exhibit`` (a model or anything with its attributes) as hashed."""
    return {
        "reference": exhibit.reference,
        "parent": parent,
        "type": exhibit.exhibit_type,
        "description": exhibit.description,
        "system": exhibit.system,
        "camera_id": exhibit.camera_id,
        "officer": exhibit.officer,
        "clip_start": utc_text(exhibit.clip_start),
        "clip_end": utc_text(exhibit.clip_end),
        "export_medium": exhibit.export_medium,
        "file_sha256": exhibit.file_sha256,
        "quantity": exhibit.quantity,
        "weight": exhibit.weight,
        "where_found": exhibit.where_found,
        "found_on": found_on,
        "found_on_name": found_on_name,
        "list_class": exhibit.list_class,
        "hold": bool(exhibit.hold),
        "hold_reason": exhibit.hold_reason if exhibit.hold else None,
        "referrals": sorted(set(referrals)),
    }


# ------------------------------------------------------------------ derived state

CORRECTABLE = (
    "to_name",
    "to_kind",
    "to_collar",
    "to_force",
    "to_org",
    "reason",
    "location",
    "seal_number",
    "new_seal_number",
)
_CORRECTABLE_INDEX = tuple(R[name] for name in CORRECTABLE)
_STATE_BY_HOLDER = {
    HolderKind.STAFF: ExhibitState.HELD,
    HolderKind.POLICE: ExhibitState.WITH_POLICE,
    HolderKind.LAB: ExhibitState.AT_LAB,
    HolderKind.COURIER: ExhibitState.IN_TRANSIT,
    HolderKind.COURT: ExhibitState.AT_COURT,
    HolderKind.OWNER: ExhibitState.RETURNED,
}
_CORRECTION = EventKind.CORRECTION.value
_SEIZURE = EventKind.SEIZURE.value
_DESTRUCTION = EventKind.DESTRUCTION.value
_DISSEMINATION = EventKind.DISSEMINATION.value
_RETURN = EventKind.RETURN.value
_HOLD = EventKind.HOLD.value
_LINK = EventKind.LINK.value
_UPGRADE = EventKind.UPGRADE.value
RECORD_KIND_VALUES = frozenset({_HOLD, _LINK, _UPGRADE})


@dataclass(slots=True)
class Derived:
    """What the events say about an exhibit now."""

    holder: str = ""
    holder_kind: str = HolderKind.STAFF
    state: str = ExhibitState.HELD
    seal_number: str | None = None
    storage_location: str | None = None
    last_movement_at: Any = None
    discrepancy_count: int = 0
    event_count: int = 0
    head_hash: str = GENESIS
    seized_by: str | None = None
    seized_at: Any = None
    # the header as hashed (seizure detail, then upgrade snapshot, holds and links)
    header: dict[str, Any] = field(default_factory=dict)
    # the event that set the header (seizure or upgrade), and any key set later (hold, link)
    header_seq: int | None = None
    header_source: dict[str, int] = field(default_factory=dict)
    # every name that has held or witnessed the exhibit (destruction witnesses must be outside)
    chain_names: set[str] = field(default_factory=set)

    @property
    def hold(self) -> bool:
        return bool(self.header.get("hold"))

    @property
    def hold_reason(self) -> str | None:
        return self.header.get("hold_reason") if self.hold else None

    def source_of(self, key: str) -> int | None:
        """The number of the event that last set a header key."""
        return self.header_source.get(key, self.header_seq)

    @property
    def referrals(self) -> list[str]:
        return list(self.header.get("referrals") or [])


def name_key(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def _apply_header(result: Derived, row: Sequence[Any], details: Any) -> None:
    kind = row[I_KIND]
    seq = row[I_SEQ]
    if kind == _SEIZURE:
        if isinstance(details, dict):
            result.header = dict(details)
            result.header_seq = seq
            result.header_source = {}
    elif kind == _UPGRADE:
        snapshot = details.get("header") if isinstance(details, dict) else None
        if isinstance(snapshot, dict):
            result.header = dict(snapshot)
            result.header_seq = seq
            result.header_source = {}
    elif kind == _HOLD:
        hold = bool(details.get("hold")) if isinstance(details, dict) else False
        result.header["hold"] = hold
        result.header["hold_reason"] = row[I_NOTE] if hold else None
        result.header_source["hold"] = result.header_source["hold_reason"] = seq
    elif kind == _LINK and isinstance(details, dict):
        referral = details.get("referral")
        if isinstance(referral, str):
            linked = set(result.header.get("referrals") or [])
            linked.add(referral)
            result.header["referrals"] = sorted(linked)
            result.header_source["referrals"] = seq


def derive(
    rows: Sequence[Sequence[Any]],
    details: Sequence[Any] | None = None,
    *,
    names: bool = True,
) -> Derived:
    """Fold an exhibit's events (rows in :data:`ROW_FIELDS` order, by number) into its state.

    Corrections overlay the fields they give onto the event they correct (found by row id
    within the exhibit); the original stays in the chain and a discrepancy once recorded is
    never cleared. Record events (hold, link, upgrade) change the header, not the custody.
    ``details`` may give each row's parsed JSON detail (verify has parsed it already);
    ``names=False`` skips collecting the names in the chain (only destruction needs them).
    """
    result = Derived()
    discrepancies = 0
    corrections = False
    records = False
    for index, row in enumerate(rows):
        if row[I_DISCREPANCY]:
            discrepancies += 1
        kind = row[I_KIND]
        if kind == _CORRECTION:
            corrections = True
        elif kind == _SEIZURE or kind in RECORD_KIND_VALUES:
            records = records or kind != _SEIZURE
            value = details[index] if details is not None else parse_details(row[I_DETAILS])
            _apply_header(result, row, value)
    result.event_count = len(rows)
    result.discrepancy_count = discrepancies
    if rows:
        result.head_hash = rows[-1][I_HASH]
    custody: Sequence[Sequence[Any]]
    if corrections:
        custody = _corrected(rows)
    elif records:
        custody = [row for row in rows if row[I_KIND] not in RECORD_KIND_VALUES]
    else:
        custody = rows
    _fold_custody(result, custody, names)
    return result


def _corrected(rows: Sequence[Sequence[Any]]) -> list[Sequence[Any]]:
    """Custody events with their corrections applied (copies; the stored rows stay)."""
    effective: list[list[Any]] = []
    by_id: dict[Any, list[Any]] = {}
    for row in rows:
        kind = row[I_KIND]
        if kind == _CORRECTION:
            target = by_id.get(row[I_CORRECTS])
            if target is not None:
                for index in _CORRECTABLE_INDEX:
                    if row[index] is not None:
                        target[index] = row[index]
                if row[I_CORRECTED_AT] is not None:
                    target[I_HAPPENED] = row[I_CORRECTED_AT]
            continue
        if kind in RECORD_KIND_VALUES:
            continue
        copy = list(row)
        effective.append(copy)
        if row[I_ID] is not None:
            by_id[row[I_ID]] = copy
    return effective  # type: ignore[return-value]


def _fold_custody(result: Derived, rows: Sequence[Sequence[Any]], names: bool) -> None:
    chain_names = result.chain_names
    seal = result.seal_number
    location = result.storage_location
    for row in rows:
        kind = row[I_KIND]
        to_name = row[I_TO]
        if names:
            chain_names.add(name_key(row[I_FROM]))
            if to_name:
                chain_names.add(name_key(to_name))
        if kind == _SEIZURE and result.seized_by is None:
            result.seized_by = to_name
            result.seized_at = row[I_HAPPENED]
        if seal is None and row[I_SEAL]:
            seal = row[I_SEAL]
        if row[I_NEW_SEAL]:
            seal = row[I_NEW_SEAL]
        if row[I_LOCATION]:
            location = row[I_LOCATION]
        result.last_movement_at = row[I_HAPPENED]
        if kind == _DESTRUCTION:
            result.state = ExhibitState.DESTROYED
            location = None
            result.holder = ""
            result.holder_kind = HolderKind.STAFF
            if names and row[I_WITNESS]:
                chain_names.add(name_key(row[I_WITNESS]))
            continue
        result.holder = to_name or ""
        holder_kind = row[I_TO_KIND] or HolderKind.STAFF
        result.holder_kind = holder_kind
        if not row[I_LOCATION] and holder_kind != HolderKind.STAFF:
            location = None  # it has left the prison's store
        if kind == _DISSEMINATION:
            result.state = ExhibitState.DISSEMINATED
        elif kind == _RETURN:
            result.state = ExhibitState.RETURNED
        else:
            result.state = _STATE_BY_HOLDER.get(holder_kind, ExhibitState.HELD)
    result.seal_number = seal
    result.storage_location = location
    chain_names.discard("")


def verify(session: Any, **options: Any) -> Any:
    """``cipco.services.chain_verify.verify`` (kept here for older callers)."""
    from cipco.services.chain_verify import verify as run

    return run(session, **options)
