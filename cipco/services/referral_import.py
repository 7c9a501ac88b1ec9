"""Rules for bringing tracker rows into the referral log.

The spreadsheet layer turns cells into plain Python values (text, naive London wall-clock
datetimes); this module decides what they mean:

- required values (prison number, incident date), NOMIS validity, no future dates;
- category / status / outcome / force text -> our vocabularies through synonym tables;
  text we cannot map is kept (category OTHER, status referred, original words in the notes)
  with a warning;
- matching a row to an existing referral: on the tracker's reference, else on prisoner
  number + incident date + category; a repeated reference in one file is rejected;
- creating, updating (audited, field by field) or leaving alone.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import LONDON, Clock, to_london
from cipco.db import insert_many
from cipco.models.people import Prisoner, validate_nomis
from cipco.models.referral import Referral, StatusChange
from cipco.services import audit
from cipco.services.flags import CLOSED_STATUSES, apply_next_due, referral_flags
from cipco.services.referral_vocab import Vocabulary
from cipco.services.referrals import flag_settings
from cipco.services.row_import import RowRejected, RowResult, merge_original

audit.track(Referral, Prisoner)

# Fields an imported row may carry (spreadsheet columns map onto these names).
DATETIME_FIELDS = ("incident_at", "referred_at", "acknowledged_at", "charged_at", "closed_at")
FIELD_LABELS: dict[str, str] = {
    "reference": "reference",
    "nomis_number": "prison number",
    "prisoner_name": "prisoner name",
    "category": "category",
    "status": "status",
    "outcome": "outcome",
    "force": "force",
    "crime_ref": "crime reference",
    "oic_name": "OIC",
    "location": "location",
    "description": "description",
    "notes": "notes",
    "incident_at": "incident date",
    "referred_at": "date referred",
    "acknowledged_at": "date acknowledged",
    "charged_at": "date charged",
    "closed_at": "date closed",
}
TEXT_FIELDS = tuple(name for name in FIELD_LABELS if name not in DATETIME_FIELDS)


def london_to_utc(value: datetime) -> datetime:
    """A naive London wall-clock time (as spreadsheets hold it) -> aware UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=LONDON)
    return value.astimezone(UTC)


def _minute(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    value = value.astimezone(UTC) if value.tzinfo else value.replace(tzinfo=UTC)
    return (value + timedelta(seconds=30)).replace(second=0, microsecond=0)


_NULL_REFERRAL: dict[str, Any] = {
    c.name: None
    for c in Referral.__table__.columns  # type: ignore[attr-defined]
    if c.name != "id"
}


# One shared empty value for every created row, so the bulk insert serialises it once.
# These dicts only ever go to the INSERT and never get mutated.
_NO_FACTORS: list[str] = []
_NO_EVIDENCE: dict[str, bool] = {}


@dataclass
class _Pending:
    referral: dict[str, Any]
    nomis: str
    name: str
    result: RowResult
    happened_at: datetime


class ReferralImport:
    """One import run: feed rows with :meth:`add`, then :meth:`finish` (all in one session).

    ``source`` (e.g. the file name) is written on status-change records as the reason.
    """

    BATCH = 2000

    def __init__(self, session: Session, clock: Clock, *, source: str = "import") -> None:
        self.session = session
        self.clock = clock
        self.source = source
        self.now = clock.now()
        self.today = to_london(self.now).date()
        self.cfg = flag_settings(session)
        vocab = Vocabulary(session)
        self.categories = vocab.categories
        self.map_category = vocab.map_category
        self.map_status = vocab.map_status
        self.map_outcome = vocab.map_outcome
        self.map_force = vocab.map_force
        self.prisoners: dict[str, int] = dict(
            session.execute(select(Prisoner.nomis_number, Prisoner.id)).all()  # type: ignore[arg-type]
        )
        self.by_reference: dict[str, int] = {}
        self.by_key: dict[tuple[str, date, str], int] = {}
        rows = session.execute(
            select(
                Referral.id,
                Referral.reference,
                Prisoner.nomis_number,
                Referral.incident_at,
                Referral.category_code,
            ).join(Prisoner, Prisoner.id == Referral.prisoner_id)
        )
        for rid, reference, nomis, incident_at, code in rows:
            self.by_reference[reference] = rid
            self.by_key.setdefault((nomis, to_london(incident_at).date(), code), rid)
        self.seen_references: dict[str, int] = {}
        self.seen_keys: dict[tuple[str, date, str], int] = {}
        self.pending: list[_Pending] = []
        self._next_number: dict[int, int] = {}

    # ------------------------------------------------------------ rows

    def _checked(self, values: dict[str, Any]) -> dict[str, Any]:
        """Validated, mapped values; raises :class:`RowRejected`."""
        text = dict.fromkeys(TEXT_FIELDS, "")
        for k, raw in values.items():
            if raw and k in text:
                text[k] = " ".join(str(raw).split())
        if not text["nomis_number"]:
            raise RowRejected("nomis_number", "prison number is missing")
        try:
            nomis = validate_nomis(text["nomis_number"])
        except ValueError as exc:
            raise RowRejected("nomis_number", str(exc)) from None
        stamps: dict[str, datetime | None] = {}
        for name in DATETIME_FIELDS:
            raw = values.get(name)
            if raw is None or raw == "":
                stamps[name] = None
                continue
            if not isinstance(raw, datetime):
                raise RowRejected(name, f"{FIELD_LABELS[name]}: '{raw}' is not a date")
            if raw.date() > self.today or (
                raw.time() != datetime.min.time() and london_to_utc(raw) > self.now
            ):
                raise RowRejected(name, f"{FIELD_LABELS[name]} {raw:%d/%m/%Y} is in the future")
            stamps[name] = london_to_utc(raw)
        if stamps["incident_at"] is None:
            raise RowRejected("incident_at", "incident date is missing")
        notes_extra: list[str] = []
        warnings: list[str] = []
        category, warn = self.map_category(text["category"])
        if warn:
            warnings.append(warn)
            if text["category"]:
                notes_extra.append(f"Imported category: {text['category']}")
        status, warn = self.map_status(text["status"])
        if warn:
            warnings.append(warn)
            notes_extra.append(f"Imported status: {text['status']}")
        outcome, warn = self.map_outcome(text["outcome"])
        if warn:
            warnings.append(warn)
            notes_extra.append(f"Imported outcome: {text['outcome']}")
        force, warn = self.map_force(text["force"])
        if warn:
            warnings.append(warn)
            notes_extra.append(f"Imported force: {text['force']}")
        notes = str(values.get("notes") or "").strip()
        for extra in notes_extra:
            if extra not in notes:
                notes = f"{notes}\n{extra}" if notes else extra
        return {
            "reference": text["reference"],
            "nomis": nomis,
            "name": text["prisoner_name"],
            "category_code": category,
            "status": status,
            "outcome": outcome,
            "force_id": force,
            "crime_ref": text["crime_ref"] or None,
            "oic_name": text["oic_name"] or None,
            "location": text["location"],
            "description": str(values.get("description") or "").strip(),
            "notes": notes,
            "warnings": warnings,
            "original": [list(pair) for pair in values.get("original_columns") or []],
            **stamps,
        }

    def add(self, row: int, values: dict[str, Any]) -> RowResult:
        """Apply one row (creations are batched until :meth:`finish`)."""
        try:
            data = self._checked(values)
        except RowRejected as exc:
            return RowResult(row, "rejected", field=exc.field, reason=str(exc))
        reference = data["reference"]
        incident_day = to_london(data["incident_at"]).date()
        key = (data["nomis"], incident_day, data["category_code"])
        if reference:
            earlier = self.seen_references.get(reference)
            if earlier is not None:
                return RowResult(
                    row, "rejected", reference, "reference", f"duplicate of row {earlier}"
                )
            self.seen_references[reference] = row
            existing = self.by_reference.get(reference)
        else:
            earlier = self.seen_keys.get(key)
            if earlier is not None:
                return RowResult(
                    row,
                    "rejected",
                    "",
                    "nomis_number",
                    f"duplicate of row {earlier} (same prison number, incident date and category)",
                )
            existing = self.by_key.get(key)
        self.seen_keys.setdefault(key, row)
        if existing is not None:
            return self._update(row, existing, data)
        return self._create(row, data)

    def _reference(self, incident_at: datetime) -> str:
        year = to_london(self.now).year
        if year not in self._next_number:
            prefix = f"REF-{year}-"
            numbers = [
                int(r.rsplit("-", 1)[1])
                for r in self.by_reference
                if r.startswith(prefix) and r.rsplit("-", 1)[1].isdigit()
            ]
            self._next_number[year] = max(numbers, default=0)
        while True:
            self._next_number[year] += 1
            candidate = f"REF-{year}-{self._next_number[year]:04d}"
            if candidate not in self.by_reference and candidate not in self.seen_references:
                return candidate

    def _create(self, row: int, data: dict[str, Any]) -> RowResult:
        reference = data["reference"] or self._reference(data["incident_at"])
        self.by_reference[reference] = -1
        status = data["status"]
        closed_at = data["closed_at"]
        if closed_at is None and status in CLOSED_STATUSES:
            closed_at = data["referred_at"] or data["incident_at"]
        values: dict[str, Any] = {
            "reference": reference,
            "prisoner_id": 0,
            "category_code": data["category_code"],
            "incident_at": data["incident_at"],
            "discovered_at": data["incident_at"],
            "location": data["location"],
            "description": data["description"],
            "aggravating_factors": _NO_FACTORS,
            "staff_victim": False,
            "victim_wants_police": False,
            "terrorism_conviction": False,
            "summary_only": False,
            "force_id": data["force_id"],
            "crime_ref": data["crime_ref"],
            "oic_name": data["oic_name"],
            "evidence": _NO_EVIDENCE,
            "notes": data["notes"],
            "status": status,
            "outcome": data["outcome"],
            "referred_at": data["referred_at"],
            "police_contacted_at": data["referred_at"],
            "acknowledged_at": data["acknowledged_at"],
            "police_decision_at": None,
            "charged_at": data["charged_at"],
            "closed_at": closed_at,
            "victim_updated_at": None,
            "enhanced_victim": False,
            "original_columns": data["original"] or None,
            "created_at": self.now,
            "updated_at": self.now,
            "version": 1,
        }
        values = _NULL_REFERRAL | values
        result = RowResult(row, "imported", reference, warnings=data["warnings"])
        self.pending.append(
            _Pending(values, data["nomis"], data["name"], result, data["incident_at"])
        )
        if len(self.pending) >= self.BATCH:
            self.flush()
        return result

    def _audit_inserts(self, table: str, ids: list[int]) -> None:
        audit.bulk_inserted(self.session, table, ids, self.now)

    def flush(self) -> None:
        """Write the batched creations (Core bulk inserts; audit rows written here too)."""
        if not self.pending:
            return
        new_prisoners: dict[str, dict[str, Any]] = {}
        for item in self.pending:
            if item.nomis not in self.prisoners and item.nomis not in new_prisoners:
                new_prisoners[item.nomis] = {
                    "nomis_number": item.nomis,
                    "name": item.name,
                    "pnc": None,
                    "date_of_birth": None,
                    "location": None,
                    "created_at": self.now,
                }
        if new_prisoners:
            insert_many(
                self.session.connection(),
                Prisoner.__table__,  # type: ignore[attr-defined]
                list(new_prisoners.values()),
            )
            found = dict(
                self.session.execute(
                    select(Prisoner.nomis_number, Prisoner.id).where(
                        Prisoner.nomis_number.in_(list(new_prisoners))  # type: ignore[attr-defined]
                    )
                ).all()  # type: ignore[arg-type]
            )
            self.prisoners.update(found)
            self._audit_inserts("prisoner", sorted(found.values()))
        names: dict[str, str] = {}
        for item in self.pending:
            values = item.referral
            values["prisoner_id"] = self.prisoners[item.nomis]
            if item.name and item.nomis not in new_prisoners:
                names[item.nomis] = item.name
            shadow = SimpleNamespace(**values)
            flags = referral_flags(
                shadow,  # type: ignore[arg-type]
                self.categories.get(values["category_code"]),
                self.cfg,
                has_victims=False,
            )
            apply_next_due(shadow, flags)  # type: ignore[arg-type]
            values["next_due_at"] = shadow.next_due_at
            values["next_warn_at"] = shadow.next_warn_at
            values["next_due_label"] = shadow.next_due_label
        self._update_names(names)
        insert_many(
            self.session.connection(),
            Referral.__table__,  # type: ignore[attr-defined]
            [item.referral for item in self.pending],
        )
        references = [item.referral["reference"] for item in self.pending]
        ids: dict[str, int] = {}
        for start in range(0, len(references), 500):
            chunk = references[start : start + 500]
            ids.update(
                self.session.connection()
                .execute(  # Core: no ORM result machinery
                    select(Referral.reference, Referral.id).where(
                        Referral.reference.in_(chunk)  # type: ignore[attr-defined]
                    )
                )
                .all()  # type: ignore[arg-type]
            )
        self.by_reference.update(ids)
        self._audit_inserts("referral", [ids[r] for r in references])
        actor = audit.actor_of(self.session)
        changes = [
            {
                "referral_id": ids[item.referral["reference"]],
                "from_status": None,
                "to_status": item.referral["status"],
                "happened_at": item.referral["referred_at"] or item.happened_at,
                "recorded_at": self.now,
                "actor": actor,
                "reason": f"imported from {self.source}",
                "outcome": item.referral["outcome"],
            }
            for item in self.pending
        ]
        insert_many(self.session.connection(), StatusChange.__table__, changes)  # type: ignore[attr-defined]
        self.pending.clear()

    def _update_names(self, names: dict[str, str]) -> None:
        if not names:
            return
        ids = {self.prisoners[n]: name for n, name in names.items()}
        for prisoner in self.session.scalars(
            select(Prisoner).where(Prisoner.id.in_(list(ids)))  # type: ignore[union-attr]
        ):
            wanted = ids[prisoner.id]  # type: ignore[index]
            if prisoner.name != wanted:
                prisoner.name = wanted

    def _update(self, row: int, referral_id: int, data: dict[str, Any]) -> RowResult:
        self.flush()
        referral = self.session.get(Referral, referral_id)
        assert referral is not None
        result = RowResult(row, "unchanged", referral.reference, warnings=data["warnings"])
        changed = False
        prisoner_id = self.prisoners.get(data["nomis"])
        if prisoner_id is None:
            prisoner = Prisoner(nomis_number=data["nomis"], name=data["name"], created_at=self.now)
            self.session.add(prisoner)
            self.session.flush()
            assert prisoner.id is not None
            prisoner_id = self.prisoners[data["nomis"]] = prisoner.id
        else:
            prisoner = self.session.get(Prisoner, prisoner_id)
            assert prisoner is not None
            if data["name"] and prisoner.name != data["name"]:
                prisoner.name = data["name"]
                changed = True
        if referral.prisoner_id != prisoner_id:
            referral.prisoner_id = prisoner_id
            changed = True
        provided = self._provided
        plain = {
            "category_code": data["category_code"],
            "force_id": data["force_id"],
            "crime_ref": data["crime_ref"],
            "oic_name": data["oic_name"],
            "location": data["location"] or None,
            "description": data["description"] or None,
            "notes": data["notes"] or None,
            "outcome": data["outcome"],
        }
        for name, value in plain.items():
            if value is None or not provided(name):
                continue
            if getattr(referral, name) != value:
                setattr(referral, name, value)
                changed = True
        for name in DATETIME_FIELDS:
            value = data[name]
            if value is None:
                continue
            if _minute(getattr(referral, name)) != _minute(value):
                setattr(referral, name, value)
                changed = True
        if data["original"]:
            merged = merge_original(referral.original_columns, data["original"])
            if merged != (referral.original_columns or []):
                referral.original_columns = merged
                changed = True
        if provided("status") and data["status"] != referral.status:
            old = referral.status
            referral.status = data["status"]
            if data["status"] in CLOSED_STATUSES and referral.closed_at is None:
                referral.closed_at = self.now
            if data["status"] not in CLOSED_STATUSES:
                referral.closed_at = None
            self.session.add(
                StatusChange(
                    referral_id=referral_id,
                    from_status=old,
                    to_status=referral.status,
                    happened_at=self.now,
                    recorded_at=self.now,
                    actor=audit.actor_of(self.session),
                    reason=f"imported from {self.source}",
                    outcome=referral.outcome,
                )
            )
            changed = True
        if changed:
            if referral.discovered_at < referral.incident_at:
                referral.discovered_at = referral.incident_at
            apply_next_due(
                referral,
                referral_flags(
                    referral,
                    self.categories.get(referral.category_code),
                    self.cfg,
                    has_victims=referral.staff_victim,
                ),
            )
            referral.updated_at = self.now
            result.action = "updated"
        return result

    # Which fields the file actually has (set by the caller; default: all).
    _provided: Callable[[str], bool] = staticmethod(lambda _name: True)  # type: ignore[assignment]

    def set_columns(self, fields: set[str]) -> None:
        """Tell the importer which fields the file has; others are never touched on update."""
        mapping = {
            "category_code": "category",
            "force_id": "force",
        }
        self._provided = lambda name: mapping.get(name, name) in fields  # type: ignore[method-assign]

    def finish(self) -> None:
        self.flush()
        self.session.flush()
