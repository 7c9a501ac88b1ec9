"""The persons-of-interest forms: a person's entry, an ancillary order, a custody trigger event,
an associate or non-association. Each is a :class:`FormSpec` for the one record form."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.people import PrisonerIn
from cipco.models.person import (
    ALERT_LABELS,
    ASSOCIATION_LABELS,
    AssociationCreate,
    CustodyEventCreate,
    OrderCreate,
    PersonCreate,
    PersonUpdate,
)
from cipco.models.reference import OrderType
from cipco.models.vocab import START_RULE_LABELS, TRIGGER_LABELS
from cipco.screens.record_form import FormSpec, Loaded, RecordForm, Saved
from cipco.services import persons
from cipco.services.referrals import upsert_prisoner
from cipco.widgets.fields import Field

BANDS = [("Band 1 (reviewed quarterly)", "1"), ("Band 2 (reviewed monthly)", "2")]
PRISONER_KEYS = frozenset({"nomis_number", "name", "pnc", "date_of_birth"})
PERSON_FIELDS = [
    Field("nomis_number", "Prison number", required=True),
    Field("name", "Name (SURNAME, Forename)"),
    Field("pnc", "PNC ID"),
    Field("date_of_birth", "Date of birth", "date"),
    Field("location", "Location", placeholder="this prison / prison code / released"),
    Field(
        "soc_band", "SOC band", "select", options=BANDS, placeholder="None", section="On the list"
    ),
    Field("alert_codes", "Alert codes", placeholder=" ".join(ALERT_LABELS)),
    Field("ocg_name", "OCG / gang"),
    Field("last_review_on", "Last SOC review", "date"),
    Field("next_review_on", "Next review (blank: by band)", "date"),
    Field("release_date", "Release date", "date"),
    Field("do_not_share", "Do not share (not in police exports)", "check"),
    Field("reason", "Why on the list"),
    Field("notes", "Notes", "area"),
]


def person_form(nomis_number: str | None) -> RecordForm:
    """Add someone to the list (a prison number given: that prisoner), or edit their entry."""

    def load(session: Session, clock: Clock) -> Loaded:
        data = persons.person_page(session, nomis_number, clock) if nomis_number else None
        if data is None:
            return Loaded({"nomis_number": nomis_number or "", "location": "this prison"})
        values: dict[str, Any] = {
            "nomis_number": data.nomis_number,
            "name": data.name,
            "pnc": data.pnc,
            "date_of_birth": data.date_of_birth,
            "location": data.location or "this prison",
        }
        person = data.person
        if person is None:
            return Loaded(values, title=f"Add {data.nomis_number} to the persons list")
        values |= {
            "soc_band": str(person.band) if person.band else None,
            "alert_codes": ", ".join(person.alert_codes),
            "ocg_name": person.ocg_name,
            "last_review_on": person.last_review_on,
            "next_review_on": person.next_review_on,
            "release_date": person.release_date,
            "do_not_share": person.do_not_share,
            "reason": person.reason,
            "notes": person.notes,
        }
        return Loaded(values, version=person.version, title=f"Edit {data.nomis_number}")

    def save(session: Session, clock: Clock, values: dict[str, Any], version: int | None) -> Saved:
        prisoner = PrisonerIn(
            nomis_number=values["nomis_number"],
            name=values["name"],
            pnc=values["pnc"] or None,
            date_of_birth=values["date_of_birth"],
        )
        entry = {k: v for k, v in values.items() if k not in PRISONER_KEYS}
        existing = persons.person_for_nomis(session, prisoner.nomis_number)
        if existing is None or existing.id is None:
            created = persons.add_person(session, PersonCreate(prisoner=prisoner, **entry), clock)
            return Saved(created.id, f"{prisoner.nomis_number} added to the list")
        upsert_prisoner(session, prisoner, clock)
        persons.update_person(
            session, existing.id, PersonUpdate(**entry), clock, expected_version=version
        )
        return Saved(existing.id, f"{prisoner.nomis_number} saved")

    fields = PERSON_FIELDS
    if nomis_number is not None:  # the page's prisoner: the number is not theirs to change
        fields = [replace(PERSON_FIELDS[0], disabled=True), *PERSON_FIELDS[1:]]
    return RecordForm(
        FormSpec(
            title="Add a person of interest" if nomis_number is None else f"Edit {nomis_number}",
            fields=fields,
            load=load,
            save=save,
        )
    )


ORDER_FIELDS = [
    Field("order_type_code", "Order type", "select", required=True),
    Field("court", "Court"),
    Field("made_on", "Made on", "date", required=True),
    Field(
        "start_rule",
        "Starts",
        "select",
        required=True,
        options=[(label, key) for key, label in START_RULE_LABELS.items()],
    ),
    Field("start_on", "Start date (if on a date)", "date"),
    Field("end_on", "End date", "date"),
    Field("until_further_order", "Until further order", "check"),
    Field("review_on", "Review date", "date"),
    Field("conditions", "Conditions", "area"),
]


def order_form(person_id: int) -> RecordForm:
    def load(session: Session, _clock: Clock) -> Loaded:
        active = OrderType.active.is_(True)  # type: ignore[attr-defined]
        types = [
            (label, code)
            for code, label in session.execute(
                select(OrderType.code, OrderType.label).where(active)
            )
        ]
        return Loaded({"start_rule": "on_making"}, options={"order_type_code": types})

    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        order = persons.add_order(session, person_id, OrderCreate(**values), clock)
        return Saved(order.id, "Order added")

    return RecordForm(
        FormSpec(title="Add an ancillary order", fields=ORDER_FIELDS, load=load, save=save)
    )


TRIGGER_FIELDS = [
    Field(
        "kind",
        "Trigger",
        "select",
        required=True,
        options=[(label, key) for key, label in TRIGGER_LABELS.items()],
    ),
    Field("happened_at", "When", "datetime", required=True),
    Field("detail", "Detail"),
]


def trigger_form(person_id: int, clock: Clock) -> RecordForm:
    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        event = persons.record_custody_event(
            session, person_id, CustodyEventCreate(**values), clock
        )
        return Saved(event.id, "Trigger event recorded")

    return RecordForm(
        FormSpec(
            title="Record a custody trigger event",
            fields=TRIGGER_FIELDS,
            values={"happened_at": clock.now()},
            save=save,
            note="Band 1: the regional SOC unit must be told by the next working day.",
        )
    )


ASSOCIATION_FIELDS = [
    Field("nomis_number", "Other prisoner's number", required=True),
    Field("name", "Name"),
    Field(
        "kind",
        "Link",
        "select",
        required=True,
        options=[(label, key) for key, label in ASSOCIATION_LABELS.items()],
    ),
    Field("note", "Note"),
]


def association_form(prisoner_id: int) -> RecordForm:
    def save(session: Session, clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
        data = AssociationCreate(
            other=PrisonerIn(nomis_number=values["nomis_number"], name=values["name"]),
            kind=values["kind"],
            note=values["note"],
        )
        link = persons.add_association(session, prisoner_id, data, clock)
        return Saved(link.id, "Link added")

    return RecordForm(
        FormSpec(
            title="Add an associate or non-association",
            fields=ASSOCIATION_FIELDS,
            values={"kind": "associate"},
            save=save,
        )
    )
