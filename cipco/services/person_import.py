"""Persons of interest in and out of spreadsheets: row rules and the export listing.

Built on :func:`cipco.services.persons.upsert_person` (matched on prison number; re-applying
the same values changes nothing). Restricted ("do not share") entries are left out of
exports unless asked for.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.people import Prisoner
from cipco.models.person import PersonCreate, PersonOfInterest
from cipco.services.persons import PersonError, upsert_person

PERSON_EXPORT_HEADERS: tuple[tuple[str, int, str], ...] = (
    ("Prison number", 13, "text"),
    ("Name", 26, "text"),
    ("PNC", 14, "text"),
    ("Date of birth", 12, "date"),
    ("Location", 14, "text"),
    ("Alerts", 18, "text"),
    ("SOC band", 9, "number"),
    ("OCG", 20, "text"),
    ("Last review", 12, "date"),
    ("Next review", 12, "date"),
    ("Release date", 12, "date"),
    ("Do not share", 12, "text"),
    ("Reason", 40, "text"),
    ("Notes", 40, "text"),
)
YES = frozenset({"yes", "y", "true", "1", "x", "restricted", "dns"})


@dataclass
class PersonRowResult:
    row: int
    action: str
    field: str = ""
    reason: str = ""
    warnings: list[str] = dataclasses.field(default_factory=list)


class PersonImport:
    """Row handler for :func:`cipco.spreadsheets.importers.run_import`."""

    def __init__(self, session: Session, clock: Clock) -> None:
        self.session = session
        self.clock = clock
        self.seen: dict[str, int] = {}
        self.columns: set[str] = set()

    def set_columns(self, fields: set[str]) -> None:
        self.columns = fields

    def add(self, row: int, values: dict[str, Any]) -> PersonRowResult:
        text = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
        nomis = str(text.get("nomis_number") or "")
        if not nomis:
            return PersonRowResult(row, "rejected", "nomis_number", "prison number is missing")
        prisoner: dict[str, Any] = {"nomis_number": nomis, "name": text.get("prisoner_name") or ""}
        if text.get("pnc"):
            prisoner["pnc"] = text["pnc"]
        if text.get("date_of_birth"):
            prisoner["date_of_birth"] = text["date_of_birth"]
        data: dict[str, Any] = {"prisoner": prisoner}
        for name in (
            "location",
            "alert_codes",
            "soc_band",
            "ocg_name",
            "last_review_on",
            "next_review_on",
            "release_date",
            "reason",
            "notes",
        ):
            value = text.get(name)
            if value not in (None, ""):
                data[name] = value
        if "do_not_share" in text:
            data["do_not_share"] = str(text["do_not_share"] or "").strip().lower() in YES
        try:
            create = PersonCreate.model_validate(data)
        except ValidationError as exc:
            error = exc.errors()[0]
            loc = [str(part) for part in error["loc"]]
            field = "nomis_number" if loc[:1] == ["prisoner"] and len(loc) > 1 else loc[0]
            if loc[:1] == ["prisoner"] and len(loc) > 1:
                field = {"name": "prisoner_name"}.get(loc[1], loc[1])
            message = str(error["msg"]).removeprefix("Value error, ")
            return PersonRowResult(row, "rejected", field, message)
        earlier = self.seen.get(create.prisoner.nomis_number)
        if earlier is not None:
            return PersonRowResult(row, "rejected", "nomis_number", f"duplicate of row {earlier}")
        self.seen[create.prisoner.nomis_number] = row
        try:
            with self.session.begin_nested():
                _person, created, changed = upsert_person(self.session, create, self.clock)
        except PersonError as exc:
            return PersonRowResult(row, "rejected", getattr(exc, "field", "") or "", str(exc))
        action = "imported" if created else ("updated" if changed else "unchanged")
        return PersonRowResult(row, action)

    def finish(self) -> None:
        self.session.flush()


def person_export_rows(
    session: Session, *, include_restricted: bool, withheld: list[int] | None = None
) -> Iterator[tuple[Any, ...]]:
    """Rows in :data:`PERSON_EXPORT_HEADERS` order; ``withheld[0]`` counts restricted rows."""
    statement = (
        select(PersonOfInterest, Prisoner)
        .join(Prisoner, Prisoner.id == PersonOfInterest.prisoner_id)
        .order_by(Prisoner.name, PersonOfInterest.id)
    )
    for person, prisoner in session.execute(statement):
        if person.do_not_share and not include_restricted:
            if withheld is not None:
                withheld[0] += 1
            continue
        yield (
            prisoner.nomis_number,
            prisoner.name,
            prisoner.pnc,
            prisoner.date_of_birth,
            prisoner.location,
            ", ".join(person.alert_codes or []),
            person.soc_band,
            person.ocg_name,
            person.last_review_on,
            person.next_review_on,
            person.release_date,
            "Yes" if person.do_not_share else "No",
            person.reason,
            person.notes,
        )
