"""Exhibit workbooks: the register, one exhibit's continuity record, and importing old logs.

The import reads a continuity sheet kept one row per exhibit or one row per movement. Rows
are grouped by exhibit reference and replayed in date order; the first row of a new exhibit
is its seizure. A row whose giver is not the holder at that moment breaks continuity and is
rejected with the reason; re-importing the same file changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Engine, select
from sqlmodel import Session

from cipco.clock import LONDON, Clock
from cipco.db import session_scope
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
from cipco.services.chain import name_key
from cipco.services.ledger import anchor_line
from cipco.services.paging import PageQuery
from cipco.spreadsheets.importers import ImportSummary, Reject, convert, write_rejects
from cipco.spreadsheets.reader import CellError, FieldSpec, Table, read_table
from cipco.spreadsheets.writer import About, Column, SheetSpec, timestamped_name, write_workbook

REGISTER_COLUMNS = [
    Column("Exhibit", 12),
    Column("Type", 16),
    Column("Description", 40),
    Column("Referrals", 18),
    Column("Current holder", 24),
    Column("Location", 22),
    Column("Seal", 12),
    Column("State", 14),
    Column("Days since movement", 10, "number"),
    Column("Review due", 12, "date"),
    Column("Discrepancies", 10, "number"),
    Column("Hold", 8, "bool"),
    Column("Awaiting collection", 10, "bool"),
]
CONTINUITY_COLUMNS = [
    Column("No", 5, "number"),
    Column("Event", 14),
    Column("Happened", 17, "datetime"),
    Column("Recorded", 17, "datetime"),
    Column("Recorded by", 16),
    Column("From", 24),
    Column("To", 24),
    Column("Receiver details", 28),
    Column("Reason", 16),
    Column("Location", 20),
    Column("Seal on receipt", 14),
    Column("Seal intact", 8),
    Column("Resealed as", 12),
    Column("Discrepancy", 36),
    Column("Corrects", 8, "number"),
    Column("Corrected by", 10),
    Column("Authority", 20),
    Column("Witness", 20),
    Column("Note", 30),
    Column("Hash (SHA-256)", 66),
]


def default_path(what: str, clock: Clock) -> Path:
    return Path("exports") / timestamped_name(what, clock.now())


def export_register(
    session: Session,
    path: Path,
    *,
    clock: Clock,
    actor: str,
    queue: str | None = None,
    text: str = "",
    exhibit_type: str | None = None,
    state: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """The exhibits register with the screen's filters. Returns the rows written.

    ``state="disseminated"`` or ``"destroyed"`` gives the log of everything disposed of.
    """
    extra = {key: value for key, value in (("type", exhibit_type), ("state", state)) if value}
    query = PageQuery(text=text, queue=queue, extra=extra)
    rows = exhibits.all_rows(session, query, clock)
    filters = {}
    if queue:
        filters["Filter"] = exhibits.QUEUES.get(queue, queue)
    if text:
        filters["Search"] = text
    if exhibit_type:
        filters["Type"] = exhibits.type_label(exhibit_type)
    if state:
        filters["State"] = exhibits.state_label(state)
    write_workbook(
        path,
        [
            SheetSpec(
                "Exhibits",
                REGISTER_COLUMNS,
                (
                    [
                        r.reference,
                        exhibits.type_label(r.exhibit_type),
                        r.description,
                        r.referrals,
                        r.holder,
                        r.location,
                        r.seal_number,
                        exhibits.state_label(r.state),
                        r.days_since_movement,
                        r.review_due_on,
                        r.discrepancies,
                        r.hold,
                        r.awaiting_collection,
                    ]
                    for r in rows
                ),
            )
        ],
        About(
            "Exhibit register", clock.now(), actor, filters=filters, notes=[anchor_line(session)]
        ),
        progress=progress,
    )
    return len(rows)


def export_continuity(
    session: Session, path: Path, reference: str, *, clock: Clock, actor: str
) -> int:
    """One exhibit's full chain, ready for the police file. Returns the events written."""
    exhibit = exhibits.exhibit_by_reference(session, reference)
    if exhibit is None or exhibit.id is None:
        raise exhibits.ExhibitError(f"exhibit: {reference} does not exist", field="reference")
    detail = exhibits.exhibit_detail(session, exhibit.id, clock)
    header = [
        ("Exhibit", detail.reference),
        ("Type", exhibits.type_label(detail.exhibit_type)),
        ("Description", detail.description),
        ("Part of", detail.parent_reference or ""),
        ("Referrals", ", ".join(detail.referrals)),
        *detail.fields,
        ("Current holder", detail.holder),
        ("State", exhibits.state_label(detail.state)),
        ("Seal", detail.seal_number),
        ("Location", detail.storage_location),
        ("Discrepancies", str(detail.discrepancy_count)),
        ("Custody ledger", anchor_line(session)),
    ]
    timeline = [
        [
            e.seq,
            e.label,
            e.happened_at,
            e.recorded_at,
            e.recorded_by,
            e.from_name,
            e.to_name,
            e.to_detail,
            e.reason,
            e.location,
            e.seal_number,
            "" if e.seal_intact is None else ("Yes" if e.seal_intact else "No"),
            e.new_seal_number,
            e.discrepancy,
            e.corrects_seq,
            ", ".join(str(s) for s in e.corrected_by),
            e.authority,
            e.witness,
            e.note,
            e.hash,
        ]
        for e in detail.timeline
    ]
    write_workbook(
        path,
        [
            SheetSpec("Continuity", CONTINUITY_COLUMNS, timeline),
            SheetSpec("Exhibit", [Column("Field", 20), Column("Value", 70)], header),
        ],
        About(
            f"Continuity record of exhibit {detail.reference}",
            clock.now(),
            actor,
            filters={"Exhibit": detail.reference},
            notes=[
                "Events are append-only; a correction is a new event pointing at the original.",
                "Each hash covers the event and the previous hash. The custody ledger line is "
                "the anchor: kept outside the file, `cipco verify --against` proves nothing "
                "before it was changed.",
            ],
        ),
    )
    return len(timeline)


# ---------------------------------------------------------------- import

EXHIBIT_FIELDS: list[FieldSpec] = [
    FieldSpec(
        "reference",
        ("Exhibit", "Exhibit ref", "Exhibit reference", "Exhibit No", "Exhibit Number", "Ref"),
        required=True,
    ),
    FieldSpec("exhibit_type", ("Type", "Exhibit type", "Item type", "Category")),
    FieldSpec("description", ("Description", "Item", "Details", "Item description")),
    FieldSpec("action", ("Event", "Action", "Movement type", "Movement")),
    FieldSpec(
        "happened_at",
        (
            "Date",
            "Date/time",
            "Date and time",
            "When",
            "Date of movement",
            "Seized at",
            "Date seized",
            "Happened",
        ),
        required=True,
        kind="datetime",
    ),
    FieldSpec("seized_by", ("Seized by", "Seizing officer", "Found by", "Producer")),
    FieldSpec("from_name", ("From", "Handed over by", "Released by", "Given by", "Handed by")),
    FieldSpec("to_name", ("To", "Received by", "Handed to", "Recipient", "Receiver")),
    FieldSpec("to_collar", ("Collar", "Collar number", "Collar no", "Shoulder number")),
    FieldSpec("to_force", ("Force", "Police force")),
    FieldSpec("to_org", ("Lab", "Organisation", "Courier", "Receiving organisation")),
    FieldSpec("reason", ("Reason", "Purpose")),
    FieldSpec(
        "seal_number",
        ("Seal", "Seal no", "Seal number", "Bag no", "Bag number", "Seal/bag", "Seal on receipt"),
    ),
    FieldSpec("seal_intact", ("Seal intact", "Intact", "Seal OK")),
    FieldSpec("location", ("Location", "Storage location", "Stored at", "Store")),
    FieldSpec("referral", ("Referral", "Referral ref", "Our ref", "Tracker ref")),
    FieldSpec("found_on", ("Found on", "Prisoner", "Prison number", "NOMIS")),
    FieldSpec("where_found", ("Where found", "Found at", "Location found")),
    FieldSpec("authority", ("Authority", "Authorised by")),
    FieldSpec("witness", ("Witness", "Witnessed by")),
    FieldSpec("note", ("Notes", "Note", "Comments", "Remarks")),
]

_TYPE_WORDS: list[tuple[tuple[str, ...], ExhibitType]] = [
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
_REASONS = {
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


def guess_type(text: str) -> ExhibitType:
    lowered = text.lower()
    for words, kind in _TYPE_WORDS:
        if any(word in lowered for word in words):
            return kind
    return ExhibitType.OTHER


def _reason(text: str | None) -> Reason | None:
    if not text:
        return None
    lowered = text.lower()
    for word, reason in _REASONS.items():
        if word in lowered:
            return reason
    return Reason.OTHER


def _kind(action: str | None) -> EventKind:
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


def _yes_no(text: str | None) -> bool | None:
    if not text:
        return None
    lowered = text.strip().lower()
    if lowered in ("y", "yes", "true", "intact", "ok", "1"):
        return True
    if lowered in ("n", "no", "false", "broken", "0", "not intact"):
        return False
    return None


def _text(values: Mapping[str, Any], name: str) -> str | None:
    value = values.get(name)
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


class _Importer:
    def __init__(
        self, session: Session, clock: Clock, summary: ImportSummary, table: Table
    ) -> None:
        self.table = table
        self.session = session
        self.clock = clock
        self.summary = summary

    def reject(self, row: int, column: str, reason: str, cells: list[Any]) -> None:
        self.summary.rejected += 1
        self.summary.rejects.append(Reject(row, column, reason, cells))

    def run(self, rows: list[tuple[int, dict[str, Any], list[Any]]]) -> None:
        groups: dict[str, list[tuple[int, dict[str, Any], list[Any]]]] = {}
        for number, values, cells in rows:
            reference = normalise_reference(_text(values, "reference") or "")
            groups.setdefault(reference, []).append((number, values, cells))
        # parents before sub-exhibits, then each chain in date order
        for reference in sorted(groups, key=lambda r: (r.count("/"), r)):
            chain = sorted(groups[reference], key=lambda item: (item[1]["happened_at"], item[0]))
            for number, values, cells in chain:
                savepoint = self.session.begin_nested()
                try:
                    action = self.row(values)
                except (exhibits.ExhibitError, ValidationError) as exc:
                    savepoint.rollback()
                    if isinstance(exc, ValidationError):
                        field = str(exc.errors()[0]["loc"][0]) if exc.errors()[0]["loc"] else ""
                        message = exhibits.validation_message(exc)
                    else:
                        field, message = exc.field or "", str(exc)
                    column = self.table.column_of(field) or field
                    self.reject(number, column, message, cells)
                    continue
                savepoint.commit()
                setattr(self.summary, action, getattr(self.summary, action) + 1)

    def row(self, values: dict[str, Any]) -> str:
        reference = _text(values, "reference")
        if not reference:
            raise exhibits.ExhibitError("exhibit: no exhibit reference", field="reference")
        happened_at: datetime = values["happened_at"]
        existing = exhibits.exhibit_by_reference(self.session, reference)
        kind = _kind(_text(values, "action"))
        if existing is None:
            description = _text(values, "description")
            seized_by = _text(values, "seized_by") or _text(values, "to_name")
            raw_type = _text(values, "exhibit_type") or description or ""
            data = ExhibitCreate.model_validate(
                {
                    "reference": reference,
                    "exhibit_type": guess_type(raw_type),
                    "description": description,
                    "seized_by": seized_by,
                    "seized_at": happened_at,
                    "seal_number": _text(values, "seal_number"),
                    "storage_location": _text(values, "location"),
                    "where_found": _text(values, "where_found"),
                    "found_on": _text(values, "found_on"),
                    "referral_refs": _text(values, "referral") or [],
                }
            )
            exhibits.create_exhibit(session=self.session, data=data, clock=self.clock)
            return "imported"
        assert existing.id is not None
        to_name = _text(values, "to_name")
        # idempotent: the same movement (or the seizure) already recorded changes nothing
        same = self.session.scalars(
            select(ExhibitEvent.id).where(
                ExhibitEvent.exhibit_id == existing.id,
                ExhibitEvent.happened_at == happened_at,
            )
        ).first()
        if same is not None or kind == EventKind.SEIZURE:
            return "unchanged"
        from_name = _text(values, "from_name")
        if from_name is None:
            raise exhibits.ExhibitError(
                f"from: who handed {existing.reference} over is missing (held by "
                f"{existing.holder})",
                field="from_name",
            )
        if name_key(from_name) != name_key(existing.holder):
            raise exhibits.ExhibitError(
                f"breaks continuity: handed over by {from_name}, but {existing.reference} was "
                f"held by {existing.holder} at that time",
                field="from_name",
            )
        collar = _text(values, "to_collar")
        to_kind = HolderKind.STAFF
        if collar or _text(values, "to_force"):
            to_kind = HolderKind.POLICE
        elif _text(values, "to_org"):
            org = (_text(values, "to_org") or "").lower()
            to_kind = HolderKind.COURIER if "courier" in org else HolderKind.LAB
        data_in = EventIn.model_validate(
            {
                "kind": kind,
                "from_name": from_name,
                "to_name": to_name,
                "to_kind": to_kind,
                "to_collar": collar,
                "to_force": _text(values, "to_force"),
                "to_org": _text(values, "to_org"),
                "happened_at": happened_at,
                "reason": _reason(_text(values, "reason")),
                "location": _text(values, "location"),
                "seal_number": _text(values, "seal_number"),
                "seal_intact": _yes_no(_text(values, "seal_intact")),
                "authority": _text(values, "authority"),
                "witness": _text(values, "witness"),
                "note": _text(values, "note"),
            }
        )
        exhibits.record_event(
            session=self.session, exhibit_id=existing.id, data=data_in, clock=self.clock
        )
        return "updated"


def import_exhibits(
    engine: Engine,
    path: Path,
    *,
    clock: Clock,
    actor: str,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    dry_run: bool = False,
    rejects_path: Path | None = None,
) -> ImportSummary:
    """Import a continuity sheet in one transaction (see module docstring).

    ``imported`` counts new exhibits, ``updated`` movements added to a chain.
    """
    path = Path(path)
    table = read_table(
        path, EXHIBIT_FIELDS, sheet=sheet, overrides=overrides, key_field="reference"
    )
    specs = {spec.name: spec for spec in EXHIBIT_FIELDS}
    summary = ImportSummary(
        path=path,
        sheet=table.sheet,
        header_row=table.header_row,
        mapping=table.mapping_text(),
        unmapped=list(table.unmapped),
        dry_run=dry_run,
    )
    present = set(table.mapping.values())
    missing = [s.header for s in EXHIBIT_FIELDS if s.required and s.name not in present]
    if missing:
        from cipco.spreadsheets.reader import ReadError

        raise ReadError(
            f"{path}: no column for {', '.join(missing)} (headers found: "
            f"{', '.join(table.headers)}; use --map 'Header=field')"
        )
    rows: list[tuple[int, dict[str, Any], list[Any]]] = []
    with session_scope(engine, actor=actor, clock=clock) as session:
        importer = _Importer(session, clock, summary, table)
        for source in table.rows:
            if source.blank or source.totals:
                summary.skipped += 1
                continue
            values: dict[str, Any] = {}
            problem = None
            for name, raw in source.values.items():
                try:
                    values[name] = convert(specs[name], raw)
                except (CellError, ValueError) as exc:
                    problem = (table.column_of(name) or name, str(exc))
                    break
            when = values.get("happened_at")
            if isinstance(when, datetime) and when.tzinfo is None:
                values["happened_at"] = when.replace(tzinfo=LONDON).astimezone(UTC)
            if problem is None and values.get("happened_at") is None:
                problem = (table.column_of("happened_at"), "no date: the chain needs a date")
            if problem is not None:
                importer.reject(source.number, problem[0], problem[1], source.cells)
                continue
            rows.append((source.number, values, source.cells))
        importer.run(rows)
        summary.rejects.sort(key=lambda r: r.row)
        if dry_run:
            session.rollback()
        else:
            summary.committed = True
    if summary.rejects and (rejects_path is not None or not dry_run):
        target = rejects_path or default_path("rejects-exhibits", clock)
        summary.rejects_path = write_rejects(target, table, summary, clock=clock, actor=actor)
    return summary
