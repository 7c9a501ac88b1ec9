"""The hash chain that proves an exhibit's continuity record is unbroken and untampered.

Each event's hash is SHA-256 over a canonical JSON list of its fields (fixed order, UTC
timestamps in SQLite's stored text form, booleans as 0/1) followed by the previous event's
hash. The exhibit row stores the number of events and the head hash, so removing the last
event is caught too. :func:`verify` reads the stored text straight from the file (no
conversion), recomputes every chain and names each exhibit and event that was altered,
removed or inserted.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, String, select, type_coerce
from sqlmodel import Session

from cipco.models.exhibit import (
    EventKind,
    Exhibit,
    ExhibitEvent,
    ExhibitState,
    HolderKind,
)

GENESIS = "0" * 64

# The hashed fields, in order. Never reorder: old chains would stop verifying.
HASHED_FIELDS: tuple[str, ...] = (
    "exhibit_id",
    "seq",
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
_DATETIME_FIELDS = frozenset({"happened_at", "recorded_at", "corrected_happened_at"})
_BOOL_FIELDS = frozenset({"seal_intact"})


def stored_instant(value: datetime | str) -> str:
    """An instant as SQLite stores it through SQLAlchemy: naive UTC with microseconds.

    Text is taken as already stored (bulk inserts prepare it once).
    """
    if isinstance(value, str):
        return value
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    return value.isoformat(" ", "microseconds")


def canonical_values(event: Mapping[str, Any]) -> list[Any]:
    """The hashed field values of an event given as Python values (before it is stored)."""
    values: list[Any] = []
    for name in HASHED_FIELDS:
        value = event.get(name)
        if value is None:
            values.append(None)
        elif name in _DATETIME_FIELDS:
            values.append(stored_instant(value))
        elif name in _BOOL_FIELDS:
            values.append(1 if value else 0)
        else:
            values.append(value)
    return values


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def digest(values: Sequence[Any], prev_hash: str) -> str:
    text = _ENCODER.encode(values)
    return hashlib.sha256((prev_hash + text).encode("utf-8")).hexdigest()


def event_hash(event: Mapping[str, Any], prev_hash: str) -> str:
    return digest(canonical_values(event), prev_hash)


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
_STATE_BY_HOLDER = {
    HolderKind.STAFF: ExhibitState.HELD,
    HolderKind.POLICE: ExhibitState.WITH_POLICE,
    HolderKind.LAB: ExhibitState.AT_LAB,
    HolderKind.COURIER: ExhibitState.IN_TRANSIT,
    HolderKind.COURT: ExhibitState.AT_COURT,
    HolderKind.OWNER: ExhibitState.RETURNED,
}


@dataclass
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
    # every name that has held or witnessed the exhibit (destruction witnesses must be outside)
    chain_names: set[str] = field(default_factory=set)


def name_key(name: str | None) -> str:
    return " ".join((name or "").split()).casefold()


def derive(events: Iterable[Mapping[str, Any]]) -> Derived:
    """Fold an exhibit's events (in order, as mappings) into its current state.

    Corrections overlay the fields they give onto the event they correct; the original stays
    in the chain and a discrepancy once recorded is never cleared.
    """
    effective: list[dict[str, Any]] = []
    by_id: dict[Any, dict[str, Any]] = {}
    result = Derived()
    for event in events:
        result.event_count += 1
        result.head_hash = event["hash"]
        if event["discrepancy"]:
            result.discrepancy_count += 1
        if event["kind"] == EventKind.CORRECTION:
            target = by_id.get(event["corrects_event_id"])
            if target is not None:
                for name in CORRECTABLE:
                    if event[name] is not None:
                        target[name] = event[name]
                if event["corrected_happened_at"] is not None:
                    target["happened_at"] = event["corrected_happened_at"]
            continue
        row = {
            name: event[name]
            for name in (*CORRECTABLE, "happened_at", "kind", "from_name", "witness")
        }
        effective.append(row)
        if "id" in event and event["id"] is not None:
            by_id[event["id"]] = row
    for row in effective:
        kind = row["kind"]
        result.chain_names.add(name_key(row["from_name"]))
        if row["to_name"]:
            result.chain_names.add(name_key(row["to_name"]))
        if row["seal_number"] and result.seal_number is None:
            result.seal_number = row["seal_number"]
        if row["new_seal_number"]:
            result.seal_number = row["new_seal_number"]
        if row["location"]:
            result.storage_location = row["location"]
        result.last_movement_at = row["happened_at"]
        if kind == EventKind.DESTRUCTION:
            result.state = ExhibitState.DESTROYED
            result.storage_location = None
            result.holder = ""
            result.holder_kind = HolderKind.STAFF
            if row["witness"]:
                result.chain_names.add(name_key(row["witness"]))
            continue
        result.holder = row["to_name"] or ""
        result.holder_kind = row["to_kind"] or HolderKind.STAFF
        if not row["location"] and result.holder_kind != HolderKind.STAFF:
            result.storage_location = None  # it has left the prison's store
        if kind == EventKind.DISSEMINATION:
            result.state = ExhibitState.DISSEMINATED
        elif kind == EventKind.RETURN:
            result.state = ExhibitState.RETURNED
        else:
            result.state = _STATE_BY_HOLDER.get(result.holder_kind, ExhibitState.HELD)
    result.chain_names.discard("")
    return result


# ------------------------------------------------------------------ verification


@dataclass(frozen=True)
class ChainProblem:
    reference: str
    exhibit_id: int | None
    event_id: int | None
    seq: int | None
    kind: str  # altered | removed | inserted
    detail: str

    def line(self) -> str:
        where = self.reference
        if self.seq is not None:
            where += f" event {self.seq}"
        if self.event_id is not None:
            where += f" (id {self.event_id})"
        return f"{where}: {self.kind} - {self.detail}"


@dataclass
class VerifyReport:
    exhibits: int = 0
    events: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def broken_exhibits(self) -> list[str]:
        return sorted({p.reference for p in self.problems})

    def summary(self) -> str:
        if self.ok:
            return (
                f"Chain intact: {self.exhibits} exhibits, {self.events} events verified "
                f"in {self.seconds:.2f} s"
            )
        return (
            f"Chain BROKEN: {len(self.problems)} problems in {len(self.broken_exhibits)} of "
            f"{self.exhibits} exhibits ({self.events} events checked)"
        )


def _raw(column: Any) -> Any:
    """Read a column's stored value without conversion (instants stay as stored text)."""
    if isinstance(column.type, DateTime | Boolean) or column.name in _DATETIME_FIELDS:
        return type_coerce(column, Integer if isinstance(column.type, Boolean) else String)
    return column


def verify(session: Session, progress: Callable[[int], None] | None = None) -> VerifyReport:
    """Recompute every exhibit's chain from the stored bytes and report what does not fit."""
    started = time.perf_counter()
    report = VerifyReport()
    table = ExhibitEvent.__table__  # type: ignore[attr-defined]
    names = ("id", "prev_hash", "hash", *HASHED_FIELDS)
    columns = [_raw(table.c[name]).label(name) for name in names]
    exhibits: dict[int, tuple[str, int, str, str, str, str | None]] = {
        row[0]: (row[1], row[2], row[3], row[4], row[5], row[6])
        for row in session.execute(
            select(
                Exhibit.id,
                Exhibit.reference,
                Exhibit.event_count,
                Exhibit.head_hash,
                Exhibit.state,
                Exhibit.holder,
                Exhibit.seal_number,
            )
        )
    }
    report.exhibits = len(exhibits)
    result = session.execute(select(*columns).order_by(table.c.exhibit_id, table.c.seq, table.c.id))
    seen: set[int] = set()
    current_id: int | None = None
    chain: list[Any] = []
    count = 0
    for row in result:
        count += 1
        exhibit_id = row[3]
        if exhibit_id != current_id:
            if current_id is not None:
                _check_exhibit(current_id, chain, exhibits, report)
            current_id = exhibit_id
            seen.add(exhibit_id)
            chain = []
        chain.append(row)
        if progress is not None and count % 10000 == 0:
            progress(10000)
    if current_id is not None:
        _check_exhibit(current_id, chain, exhibits, report)
    if progress is not None:
        progress(count % 10000)
    report.events = count
    for exhibit_id, (reference, event_count, *_rest) in exhibits.items():
        if exhibit_id not in seen:
            report.problems.append(
                ChainProblem(
                    reference,
                    exhibit_id,
                    None,
                    None,
                    "removed",
                    f"all {event_count} events of this exhibit are missing",
                )
            )
    report.seconds = time.perf_counter() - started
    return report


def _check_exhibit(
    exhibit_id: int,
    rows: list[Any],
    exhibits: dict[int, tuple[str, int, str, str, str, str | None]],
    report: VerifyReport,
) -> None:
    header = exhibits.get(exhibit_id)
    problems = report.problems
    if header is None:
        for row in rows:
            problems.append(
                ChainProblem(
                    f"exhibit id {exhibit_id}",
                    exhibit_id,
                    row[0],
                    row[4],
                    "inserted",
                    "event belongs to no exhibit",
                )
            )
        return
    reference, event_count, head_hash, state, holder, seal_number = header
    prev = GENESIS
    expected_seq = 1
    for row in rows:
        event_id, prev_hash, stored_hash = row[0], row[1], row[2]
        seq = row[4]
        values = list(row[3:])
        if seq < expected_seq:
            problems.append(
                ChainProblem(
                    reference,
                    exhibit_id,
                    event_id,
                    seq,
                    "inserted",
                    f"a second event numbered {seq}",
                )
            )
            continue
        if seq > expected_seq:
            missing = (
                f"event {expected_seq}"
                if seq == expected_seq + 1
                else f"events {expected_seq}-{seq - 1}"
            )
            problems.append(
                ChainProblem(
                    reference, exhibit_id, None, expected_seq, "removed", f"{missing} missing"
                )
            )
        elif seq > event_count:
            problems.append(
                ChainProblem(
                    reference,
                    exhibit_id,
                    event_id,
                    seq,
                    "inserted",
                    f"the exhibit records {event_count} events; this one is extra",
                )
            )
        if digest(values, prev_hash) != stored_hash:
            problems.append(
                ChainProblem(
                    reference,
                    exhibit_id,
                    event_id,
                    seq,
                    "altered",
                    "content does not match its hash",
                )
            )
        elif prev_hash != prev and seq == expected_seq:
            problems.append(
                ChainProblem(
                    reference,
                    exhibit_id,
                    event_id,
                    seq,
                    "altered",
                    "does not link to the previous event",
                )
            )
        prev = stored_hash
        expected_seq = seq + 1
    last_seq = expected_seq - 1
    if last_seq < event_count:
        missing = (
            f"event {event_count}"
            if last_seq + 1 == event_count
            else (f"events {last_seq + 1}-{event_count}")
        )
        problems.append(
            ChainProblem(reference, exhibit_id, None, last_seq + 1, "removed", f"{missing} missing")
        )
    elif last_seq == event_count and prev != head_hash:
        problems.append(
            ChainProblem(
                reference,
                exhibit_id,
                None,
                None,
                "altered",
                "the last event is not the one the exhibit recorded",
            )
        )
    derived = _derive_raw(rows)
    for label, stored, actual in (
        ("state", state, derived.state),
        ("holder", holder, derived.holder),
        ("seal number", seal_number, derived.seal_number),
    ):
        if (stored or "") != (actual or ""):
            problems.append(
                ChainProblem(
                    reference,
                    exhibit_id,
                    None,
                    None,
                    "altered",
                    f"exhibit {label} '{stored or ''}' does not follow from its events "
                    f"('{actual or ''}')",
                )
            )


_ROW_INDEX = {name: i for i, name in enumerate(("id", "prev_hash", "hash", *HASHED_FIELDS))}


class _RowView(Mapping[str, Any]):
    __slots__ = ("_row",)

    def __init__(self, row: Any) -> None:
        self._row = row

    def __getitem__(self, key: str) -> Any:
        return self._row[_ROW_INDEX[key]]

    def __iter__(self) -> Any:
        return iter(_ROW_INDEX)

    def __len__(self) -> int:
        return len(_ROW_INDEX)

    def __contains__(self, key: object) -> bool:
        return key in _ROW_INDEX


_I = _ROW_INDEX
_CORRECTION = EventKind.CORRECTION.value
_DESTRUCTION = EventKind.DESTRUCTION.value
_DISSEMINATION = EventKind.DISSEMINATION.value
_RETURN = EventKind.RETURN.value


def _derive_raw(rows: list[Any]) -> Derived:
    """:func:`derive` for stored rows; a fast path for chains without corrections."""
    kind_i = _I["kind"]
    if any(row[kind_i] == _CORRECTION for row in rows):
        return derive(_RowView(row) for row in rows)
    result = Derived()
    to_name_i, to_kind_i = _I["to_name"], _I["to_kind"]
    seal_i, new_seal_i = _I["seal_number"], _I["new_seal_number"]
    for row in rows:
        kind = row[kind_i]
        if row[seal_i] and result.seal_number is None:
            result.seal_number = row[seal_i]
        if row[new_seal_i]:
            result.seal_number = row[new_seal_i]
        if kind == _DESTRUCTION:
            result.state = ExhibitState.DESTROYED
            result.holder = ""
            continue
        result.holder = row[to_name_i] or ""
        holder_kind = row[to_kind_i] or HolderKind.STAFF
        if kind == _DISSEMINATION:
            result.state = ExhibitState.DISSEMINATED
        elif kind == _RETURN:
            result.state = ExhibitState.RETURNED
        else:
            result.state = _STATE_BY_HOLDER.get(holder_kind, ExhibitState.HELD)
    return result
