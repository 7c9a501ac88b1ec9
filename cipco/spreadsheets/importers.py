"""Import machinery shared by every log, and the referrals and persons importers.

:func:`run_import` reads a sheet with :func:`cipco.spreadsheets.reader.read_table`, converts
each cell by its :class:`FieldSpec` kind, hands rows to a log's row handler (a service
object with ``set_columns``, ``add(row, values) -> result`` and ``finish``), and

- runs everything in ONE transaction: committed unless ``dry_run`` or (``strict`` and any
  row was rejected);
- counts imported / updated / unchanged / skipped (blank and totals rows) / rejected;
- writes rejected rows to a reject workbook: the original columns plus "Row", "Column" and
  "Reason", so the user can fix them and import that file again.

Other logs reuse it like this::

    summary = run_import(
        engine, path, EXHIBIT_FIELDS, lambda session: ExhibitImport(session, clock),
        clock=clock, actor=actor, what="exhibits", key_field="seal_number",
        dry_run=dry_run, strict=strict, rejects_path=rejects,
    )
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import Engine
from sqlmodel import Session

from cipco.clock import Clock
from cipco.db import session_scope
from cipco.spreadsheets.reader import (
    CellError,
    FieldSpec,
    ReadError,
    Table,
    clean_text,
    parse_uk_date,
    parse_uk_datetime,
    read_table,
)
from cipco.spreadsheets.writer import About, Column, SheetSpec, timestamped_name, write_workbook

__all__ = [
    "PERSON_FIELDS",
    "REFERRAL_FIELDS",
    "ImportSummary",
    "ReadError",
    "Reject",
    "import_persons",
    "import_referrals",
    "run_import",
]

REFERRAL_FIELDS: list[FieldSpec] = [
    FieldSpec(
        "reference",
        ("Reference", "Ref", "Our Ref", "Log No", "Log Number", "Ref No", "CIPCO Ref", "ID"),
    ),
    FieldSpec(
        "nomis_number",
        (
            "Prison number",
            "Prison No",
            "NOMIS",
            "NOMIS No",
            "NOMIS Number",
            "NOMS No",
            "NOMS Number",
            "Prisoner No",
            "Prisoner Number",
            "Prison Num",
        ),
        required=True,
    ),
    FieldSpec(
        "prisoner_name",
        ("Prisoner name", "Name", "Surname, Forename", "Prisoner", "Full Name", "Offender"),
    ),
    FieldSpec(
        "incident_at",
        ("Incident date", "Date of Incident", "DOI", "Incident Date/Time", "Date of Offence"),
        required=True,
        kind="datetime",
    ),
    FieldSpec(
        "category",
        ("Category", "Offence", "Crime Type", "Offence Type", "Incident Type", "Type"),
    ),
    FieldSpec("status", ("Status", "Current Status", "Stage")),
    FieldSpec("outcome", ("Outcome", "Result", "Police Outcome", "Disposal")),
    FieldSpec("force", ("Force", "Police Force", "Constabulary")),
    FieldSpec(
        "crime_ref",
        (
            "Crime ref",
            "Crime Ref No",
            "Crime Reference",
            "Crime Number",
            "Crime No",
            "CRN",
            "Police Ref",
            "Police Reference",
        ),
    ),
    FieldSpec("oic_name", ("OIC", "Officer in Case", "Officer in Charge", "Investigating Officer")),
    FieldSpec(
        "referred_at",
        ("Date referred", "Referral Date", "Referred", "Date Referred to Police"),
        kind="datetime",
    ),
    FieldSpec(
        "acknowledged_at", ("Date acknowledged", "Acknowledged", "Ack Date"), kind="datetime"
    ),
    FieldSpec("charged_at", ("Date charged", "Charge Date", "Charged On"), kind="datetime"),
    FieldSpec(
        "closed_at", ("Date closed", "Closed", "Closed On", "Date Finalised"), kind="datetime"
    ),
    FieldSpec("location", ("Location", "Wing", "Where")),
    FieldSpec("description", ("Description", "Details", "Summary", "Circumstances")),
    FieldSpec("notes", ("Notes", "Comments", "Comment", "Remarks", "Update", "Updates")),
]

PERSON_FIELDS: list[FieldSpec] = [
    FieldSpec(
        "nomis_number",
        (
            "Prison number",
            "Prison No",
            "NOMIS",
            "NOMIS No",
            "NOMS No",
            "Prisoner No",
            "Prisoner Number",
        ),
        required=True,
    ),
    FieldSpec("prisoner_name", ("Name", "Prisoner name", "Surname, Forename", "Prisoner")),
    FieldSpec("pnc", ("PNC", "PNC No", "PNC ID", "PNC Number")),
    FieldSpec("date_of_birth", ("Date of birth", "DOB", "D.O.B."), kind="date"),
    FieldSpec("location", ("Location", "Establishment", "Current Location")),
    FieldSpec("alert_codes", ("Alerts", "Alert codes", "NOMIS Alerts", "Alert")),
    FieldSpec("soc_band", ("SOC band", "Band", "SOC Banding", "Nominal Band")),
    FieldSpec("ocg_name", ("OCG", "OCG name", "Gang", "Group")),
    FieldSpec("last_review_on", ("Last review", "Last Reviewed", "Reviewed"), kind="date"),
    FieldSpec("next_review_on", ("Next review", "Review Due", "Next Review Date"), kind="date"),
    FieldSpec("release_date", ("Release date", "EDR", "CRD", "Release"), kind="date"),
    FieldSpec("do_not_share", ("Do not share", "Restricted", "DNS")),
    FieldSpec("reason", ("Reason", "Reason for interest", "Why")),
    FieldSpec("notes", ("Notes", "Comments", "Remarks")),
]


class RowOutcome(Protocol):
    row: int
    action: str
    field: str
    reason: str
    warnings: list[str]


class RowHandler(Protocol):
    def set_columns(self, fields: set[str]) -> None: ...
    def add(self, row: int, values: dict[str, Any]) -> RowOutcome: ...
    def finish(self) -> None: ...


@dataclass
class Reject:
    row: int
    column: str
    reason: str
    cells: list[Any]


@dataclass
class ImportSummary:
    path: Path
    sheet: str = ""
    header_row: int = 0
    mapping: list[str] = field(default_factory=list)
    unmapped: list[str] = field(default_factory=list)
    imported: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    rejected: int = 0
    rejects: list[Reject] = field(default_factory=list)
    warnings: list[tuple[int, str]] = field(default_factory=list)
    dry_run: bool = False
    committed: bool = False
    rejects_path: Path | None = None

    def counts_line(self) -> str:
        verb = "would be " if not self.committed else ""
        return (
            f"{verb}imported {self.imported}, {verb}updated {self.updated}, "
            f"unchanged {self.unchanged}, skipped {self.skipped}, rejected {self.rejected}"
        )


class _Rollback(Exception):
    pass


def _text_value(raw: Any) -> str:
    return raw.strip() if isinstance(raw, str) else clean_text(raw)


def converter(spec: FieldSpec) -> Callable[[Any], Any]:
    """The cell converter for a field kind, chosen once per column (not once per cell)."""
    if spec.kind == "datetime":
        return parse_uk_datetime
    if spec.kind == "date":
        return parse_uk_date
    return _text_value


def convert(spec: FieldSpec, raw: Any) -> Any:
    """A raw cell -> the value the service expects for this field kind (raises CellError)."""
    return converter(spec)(raw)


def _label(table: Table, name: str, specs: Mapping[str, FieldSpec]) -> str:
    return table.column_of(name) or specs[name].header if name in specs else name


def run_import(
    engine: Engine,
    path: Path,
    fields: Sequence[FieldSpec],
    make_handler: Callable[[Session], RowHandler],
    *,
    clock: Clock,
    actor: str,
    what: str,
    key_field: str | None = None,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    dry_run: bool = False,
    strict: bool = False,
    rejects_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import one sheet (see module docstring). Raises ReadError if the file is unusable."""
    path = Path(path)
    table = read_table(path, fields, sheet=sheet, overrides=overrides, key_field=key_field)
    specs = {spec.name: spec for spec in fields}
    converters = {spec.name: converter(spec) for spec in fields}
    summary = ImportSummary(
        path=path,
        sheet=table.sheet,
        header_row=table.header_row,
        mapping=table.mapping_text(),
        unmapped=list(table.unmapped),
        dry_run=dry_run,
    )
    present = set(table.mapping.values())
    missing = [s.header for s in fields if s.required and s.name not in present]
    if missing:
        raise ReadError(
            f"{path}: no column for {', '.join(missing)} (headers found: "
            f"{', '.join(table.headers)}; use --map 'Header=field')"
        )
    try:
        with session_scope(engine, actor=actor, clock=clock) as session:
            handler = make_handler(session)
            handler.set_columns(present)
            done = 0
            for source in table.rows:
                done += 1
                if progress is not None and done % 500 == 0:
                    progress(500)
                if source.blank or source.totals:
                    summary.skipped += 1
                    continue
                values: dict[str, Any] = {}
                problem: Reject | None = None
                for name, raw in source.values.items():
                    try:
                        values[name] = converters[name](raw)
                    except CellError as exc:
                        problem = Reject(
                            source.number, _label(table, name, specs), str(exc), source.cells
                        )
                        break
                    except Exception as exc:  # never crash on a strange cell
                        problem = Reject(
                            source.number,
                            _label(table, name, specs),
                            f"cannot read '{raw}': {exc}",
                            source.cells,
                        )
                        break
                if problem is None:
                    result = handler.add(source.number, values)
                    for warning in result.warnings:
                        summary.warnings.append((source.number, warning))
                    if result.action == "rejected":
                        problem = Reject(
                            source.number,
                            _label(table, result.field, specs) if result.field else "",
                            result.reason,
                            source.cells,
                        )
                    else:
                        setattr(summary, result.action, getattr(summary, result.action) + 1)
                if problem is not None:
                    summary.rejected += 1
                    summary.rejects.append(problem)
            if progress is not None:
                progress(done % 500)
            handler.finish()
            if dry_run or (strict and summary.rejected):
                raise _Rollback
            summary.committed = True
    except _Rollback:
        summary.committed = False
    if summary.rejects and (rejects_path is not None or not dry_run):
        target = rejects_path or Path("exports") / timestamped_name(f"rejects-{what}", clock.now())
        summary.rejects_path = write_rejects(target, table, summary, clock=clock, actor=actor)
    return summary


def write_rejects(
    path: Path, table: Table, summary: ImportSummary, *, clock: Clock, actor: str
) -> Path:
    """The reject workbook: original headers + Row, Column, Reason; re-importable."""
    width = max([len(table.headers)] + [len(r.cells) for r in summary.rejects])
    headers = table.headers + [f"Column {i + 1}" for i in range(len(table.headers), width)]
    columns = [Column(h, max(10, min(40, len(h) + 4))) for h in headers]
    columns += [Column("Row", 6, "number"), Column("Column", 18), Column("Reason", 60)]

    def rows() -> Any:
        for reject in summary.rejects:
            cells = list(reject.cells) + [None] * (width - len(reject.cells))
            yield [*cells, reject.row, reject.column, reject.reason]

    write_workbook(
        path,
        [SheetSpec("Rejected rows", columns, rows())],
        About(
            what=f"Rows rejected when importing {summary.path.name} (sheet '{summary.sheet}')",
            generated_at=clock.now(),
            generated_by=actor,
            notes=[
                "Fix the rows on the first sheet and import this file again.",
                "Row is the row number in the original file.",
            ],
        ),
    )
    return path


# ---------------------------------------------------------------- the two logs of issue 4


def import_referrals(
    engine: Engine,
    path: Path,
    *,
    clock: Clock,
    actor: str,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    dry_run: bool = False,
    strict: bool = False,
    rejects_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a referral tracker. See :class:`cipco.services.referral_import.ReferralImport`."""
    from cipco.services.referral_import import ReferralImport

    return run_import(
        engine,
        path,
        REFERRAL_FIELDS,
        lambda session: ReferralImport(session, clock, source=Path(path).name),
        clock=clock,
        actor=actor,
        what="referrals",
        key_field="nomis_number",
        sheet=sheet,
        overrides=overrides,
        dry_run=dry_run,
        strict=strict,
        rejects_path=rejects_path,
        progress=progress,
    )


def import_persons(
    engine: Engine,
    path: Path,
    *,
    clock: Clock,
    actor: str,
    sheet: str | None = None,
    overrides: Mapping[str, str] | None = None,
    dry_run: bool = False,
    strict: bool = False,
    rejects_path: Path | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportSummary:
    """Import a persons-of-interest list (matched on prison number)."""
    from cipco.services.person_import import PersonImport

    return run_import(
        engine,
        path,
        PERSON_FIELDS,
        lambda session: PersonImport(session, clock),
        clock=clock,
        actor=actor,
        what="persons",
        key_field="nomis_number",
        sheet=sheet,
        overrides=overrides,
        dry_run=dry_run,
        strict=strict,
        rejects_path=rejects_path,
        progress=progress,
    )
