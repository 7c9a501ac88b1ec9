"""Persons of interest in and out of spreadsheets: row rules and the export listing.

Built on :func:`cipco.services.persons.upsert_person` (matched on prison number; re-applying
the same values changes nothing) and :func:`cipco.services.persons.add_order`. A list may
carry ancillary orders in either shape:

- one row per person, with order columns (type, made, start, expiry, conditions);
- one row per order: the same prison number on several rows, each with its order. The
  person's details are taken from every row; two rows that disagree (band 1 and band 2) are
  refused, naming the row that said otherwise.

An order is the same order when the person, its type and the date it was made match; its
other details are updated from the row. The type is read from the order types list (code,
name or the words of the name: ``SCPO``, ``Serious crime prevention order``); an unknown
type is kept as "Other order" with the words in its conditions (and a warning). The start
is "on release", "on making" or a date; the expiry a date or "until further order".
Restricted ("do not share") entries are left out of exports unless asked for.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.dates import DateError, parse_date
from cipco.models.people import Prisoner
from cipco.models.person import AncillaryOrder, OrderCreate, PersonCreate, PersonOfInterest
from cipco.services import persons
from cipco.services.persons import PersonError, upsert_person
from cipco.services.reference import order_types
from cipco.services.row_import import (
    RowRejected,
    RowResult,
    merge_original,
    original_text,
    refused,
    rejected,
)

YES = frozenset({"yes", "y", "true", "1", "x", "restricted", "dns"})
PERSON_FIELDS = (
    "location",
    "alert_codes",
    "soc_band",
    "ocg_name",
    "last_review_on",
    "next_review_on",
    "release_date",
    "reason",
    "notes",
)
PERSON_LABELS = {
    "prisoner_name": "name",
    "pnc": "PNC",
    "date_of_birth": "date of birth",
    "location": "location",
    "alert_codes": "alerts",
    "soc_band": "SOC band",
    "ocg_name": "OCG",
    "last_review_on": "last review",
    "next_review_on": "next review",
    "release_date": "release date",
    "do_not_share": "do not share",
    "reason": "reason",
    "notes": "notes",
}
ORDER_FIELDS = (
    "order_type",
    "order_court",
    "order_made_on",
    "order_start",
    "order_end",
    "order_conditions",
    "order_review_on",
)
ON_RELEASE = re.compile(r"\brelease", re.I)
ON_MAKING = re.compile(r"\b(on making|immediate(ly)?|made|on sentence|forthwith|now)\b", re.I)
UNTIL_FURTHER = re.compile(r"\b(until further( order)?|ufo|indefinite(ly)?|no end|life)\b", re.I)


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
    original_columns: str = ""


def _words(value: Any) -> str:
    return " ".join(str(value or "").split())


def _key(text: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", text.lower())


class OrderTypes:
    """The order types list, read once per import, matched by code, name or words."""

    def __init__(self, session: Session) -> None:
        self.codes: dict[str, str] = {}
        self.words: list[tuple[frozenset[str], str]] = []
        for order_type in order_types(session):
            self.codes[_key(order_type.code)] = order_type.code
            self.codes[_key(order_type.label)] = order_type.code
            name = re.sub(r"\(.*?\)", " ", order_type.label.lower())
            self.words.append((frozenset(re.findall(r"[a-z]+", name)) - {"order"}, order_type.code))

    def find(self, text: str) -> str | None:
        """The code for ``text`` ("SCPO", "Serious crime prevention order"), or None."""
        key = _key(text)
        if key in self.codes:
            return self.codes[key]
        for part in re.findall(r"\(([^)]*)\)", text):  # "Knife crime prevention (KCPO)"
            if _key(part) in self.codes:
                return self.codes[_key(part)]
        given = frozenset(re.findall(r"[a-z]+", text.lower())) - {"order", "orders"}
        found = {code for words, code in self.words if words and words <= given}
        if len(found) == 1:
            return found.pop()
        return None


def _date_of(value: Any, field: str, label: str) -> date | None:
    if value is None or value == "":
        return None
    if isinstance(value, date):
        return value
    try:
        return parse_date(value)
    except DateError as exc:
        raise RowRejected(field, f"{label}: {exc}") from None


class PersonImport:
    """Row handler for the import pipeline (see :mod:`cipco.services.row_import`)."""

    def __init__(self, session: Session, clock: Clock, source: str = "import") -> None:
        self.session = session
        self.clock = clock
        self.source = source
        self.seen: dict[str, tuple[int, dict[str, Any]]] = {}
        self.columns: set[str] = set()
        self.types = OrderTypes(session)

    def set_columns(self, fields: set[str]) -> None:
        self.columns = fields

    # ------------------------------------------------------------------ the person

    def _person_values(self, text: dict[str, Any]) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name in ("prisoner_name", "pnc", "date_of_birth", *PERSON_FIELDS):
            value = text.get(name)
            if value not in (None, ""):
                values[name] = value
        if "do_not_share" in self.columns and text.get("do_not_share") not in (None, ""):
            values["do_not_share"] = str(text["do_not_share"]).strip().lower() in YES
        return values

    def _create(self, nomis: str, values: dict[str, Any]) -> PersonCreate:
        prisoner: dict[str, Any] = {"nomis_number": nomis, "name": values.get("prisoner_name", "")}
        for name in ("pnc", "date_of_birth"):
            if name in values:
                prisoner[name] = values[name]
        data: dict[str, Any] = {"prisoner": prisoner}
        data.update({k: v for k, v in values.items() if k in PERSON_FIELDS})
        if "do_not_share" in values:
            data["do_not_share"] = values["do_not_share"]
        return PersonCreate.model_validate(data)

    # ------------------------------------------------------------------ the order

    def _order(self, text: dict[str, Any], warnings: list[str]) -> OrderCreate | None:
        given = {name: text.get(name) for name in ORDER_FIELDS}
        if all(value in (None, "") for value in given.values()):
            return None
        type_text = _words(given["order_type"])
        if not type_text:
            raise RowRejected("order_type", "order type: the row has order details but no type")
        code = self.types.find(type_text)
        conditions = _words(given["order_conditions"])
        if code is None:
            code = "OTHER"
            warnings.append(f"order type '{type_text}' is not in the order types list: Other")
            conditions = f"Order type given: {type_text}" + (
                f"; {conditions}" if conditions else ""
            )
        made_on = _date_of(given["order_made_on"], "order_made_on", "order made")
        if made_on is None:
            raise RowRejected("order_made_on", "order made: the date the order was made is missing")
        start_text = _words(given["order_start"])
        start: dict[str, Any] = {"start_rule": "on_making"}
        if start_text and ON_RELEASE.search(start_text):
            start = {"start_rule": "on_release"}
        elif start_text and not ON_MAKING.search(start_text):
            start_on = _date_of(start_text, "order_start", "order starts")
            start = {"start_rule": "date", "start_on": start_on}
        end_text = _words(given["order_end"])
        end: dict[str, Any] = {}
        if end_text and UNTIL_FURTHER.search(end_text):
            end = {"until_further_order": True}
        elif end_text:
            end = {"end_on": _date_of(given["order_end"], "order_end", "order expires")}
        return OrderCreate(
            order_type_code=code,
            court=_words(given["order_court"]),
            made_on=made_on,
            conditions=conditions,
            review_on=_date_of(given["order_review_on"], "order_review_on", "order review"),
            **start,
            **end,
        )

    def _apply_order(self, person_id: int, order: OrderCreate) -> str:
        existing = self.session.scalars(
            select(AncillaryOrder).where(
                AncillaryOrder.person_id == person_id,
                AncillaryOrder.order_type_code == order.order_type_code,
                AncillaryOrder.made_on == order.made_on,
            )
        ).first()
        if existing is None:
            persons.add_order(self.session, person_id, order, self.clock)
            return "imported"
        wanted = order.model_dump()
        if all(getattr(existing, key) == value for key, value in wanted.items()):
            return "unchanged"
        assert existing.id is not None
        persons.update_order(self.session, existing.id, order, self.clock)
        return "updated"

    # ------------------------------------------------------------------ a row

    def add(self, row: int, values: dict[str, Any]) -> RowResult:
        text = {k: v.strip() if isinstance(v, str) else v for k, v in values.items()}
        nomis = str(text.get("nomis_number") or "").upper().replace(" ", "")
        if not nomis:
            return rejected(row, "nomis_number", "prison number is missing")
        warnings: list[str] = []
        try:
            given = self._person_values(text)
            order = self._order(text, warnings)
            first = self.seen.get(nomis)
            if first is not None:
                earlier_row, earlier = first
                if order is None:
                    return rejected(row, "nomis_number", f"duplicate of row {earlier_row}")
                for name, value in given.items():
                    if name in earlier and earlier[name] != value:
                        raise RowRejected(
                            name,
                            f"{PERSON_LABELS.get(name, name)} differs from row {earlier_row} "
                            f"for {nomis}",
                        )
                given = {**earlier, **given}
            create = self._create(nomis, given)
        except RowRejected as exc:
            return rejected(row, exc.field, str(exc))
        except ValidationError as exc:
            return refused(row, exc, {"name": "prisoner_name", "order_type_code": "order_type"})
        self.seen[nomis] = (first[0] if first else row, given)
        try:
            with self.session.begin_nested():
                person, created, changed = upsert_person(self.session, create, self.clock)
                kept = values.get("original_columns")
                if kept:
                    merged = merge_original(person.original_columns, kept)
                    if merged != (person.original_columns or []):
                        person.original_columns = merged
                        person.updated_at = self.clock.now()
                        changed = True
                action = "imported" if created else ("updated" if changed else "unchanged")
                if order is not None:
                    assert person.id is not None
                    done = self._apply_order(person.id, order)
                    if done != "unchanged" and action == "unchanged":
                        action = done
        except PersonError as exc:
            return refused(row, exc, {"order_type_code": "order_type", "made_on": "order_made_on"})
        return RowResult(row, action, warnings=warnings)

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
            original_columns=original_text(person.original_columns),
        )
