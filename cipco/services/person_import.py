"""Persons of interest in and out of spreadsheets: row rules and the export listing.

Built on :func:`cipco.services.persons.upsert_person` (matched on prison number; re-applying
the same values changes nothing). Restricted ("do not share") entries are left out of
exports unless asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.people import Prisoner
from cipco.models.person import PersonCreate, PersonOfInterest
from cipco.services.persons import PersonError, upsert_person
from cipco.services.row_import import RowResult, refused, rejected

YES = frozenset({"yes", "y", "true", "1", "x", "restricted", "dns"})


@dataclass(frozen=True)
class PersonExportRow:
    """One person of interest as the export lists them."""

    nomis_number: str
    prisoner_name: str
    pnc: str | None
    date_of_birth: date | None
    location: str | None
    alert_codes: str
    soc_band: int | None
    ocg_name: str | None
    last_review_on: date | None
    next_review_on: date | None
    release_date: date | None
    do_not_share: bool
    reason: str | None
    notes: str | None


class PersonImport:
    """Row handler for the import pipeline (see :mod:`cipco.services.row_import`)."""

    def __init__(self, session: Session, clock: Clock, source: str = "import") -> None:
        self.session = session
        self.clock = clock
        self.seen: dict[str, int] = {}
        self.columns: set[str] = set()

    def set_columns(self, fields: set[str]) -> None:
        self.columns = fields

    def add(self, row: int, values: dict[str, Any]) -> RowResult:
        text = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
        nomis = str(text.get("nomis_number") or "")
        if not nomis:
            return rejected(row, "nomis_number", "prison number is missing")
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
            return refused(row, exc, {"name": "prisoner_name"})
        earlier = self.seen.get(create.prisoner.nomis_number)
        if earlier is not None:
            return rejected(row, "nomis_number", f"duplicate of row {earlier}")
        self.seen[create.prisoner.nomis_number] = row
        try:
            with self.session.begin_nested():
                _person, created, changed = upsert_person(self.session, create, self.clock)
        except PersonError as exc:
            return refused(row, exc)
        action = "imported" if created else ("updated" if changed else "unchanged")
        return RowResult(row, action)

    def finish(self) -> None:
        self.session.flush()


def do_not_share_numbers(session: Session) -> frozenset[str]:
    """Prison numbers of the persons of interest marked "do not share"."""
    return frozenset(
        session.scalars(
            select(Prisoner.nomis_number)
            .join(PersonOfInterest, PersonOfInterest.prisoner_id == Prisoner.id)
            .where(PersonOfInterest.do_not_share.is_(True))  # type: ignore[attr-defined]
        )
    )


def person_export_rows(session: Session) -> Iterator[PersonExportRow]:
    """Every person of interest, by name."""
    statement = (
        select(PersonOfInterest, Prisoner)
        .join(Prisoner, Prisoner.id == PersonOfInterest.prisoner_id)
        .order_by(Prisoner.name, PersonOfInterest.id)
    )
    for person, prisoner in session.execute(statement):
        yield PersonExportRow(
            nomis_number=prisoner.nomis_number,
            prisoner_name=prisoner.name,
            pnc=prisoner.pnc,
            date_of_birth=prisoner.date_of_birth,
            location=prisoner.location,
            alert_codes=", ".join(person.alert_codes or []),
            soc_band=person.soc_band,
            ocg_name=person.ocg_name,
            last_review_on=person.last_review_on,
            next_review_on=person.next_review_on,
            release_date=person.release_date,
            do_not_share=person.do_not_share,
            reason=person.reason,
            notes=person.notes,
        )
