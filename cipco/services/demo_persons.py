"""Demo data for the MG4D issue log and the persons-of-interest list.

Papers are served for charged referrals and waiting for recent ones still with the police;
persons include Band 1 and 2 nominals, do-not-share OCG nominals, expiring and dormant
orders and Band 1 trigger events still to notify.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import insert, select
from sqlmodel import Session

from cipco.clock import add_working_days, to_london, today
from cipco.models.mg4d import ChargePapers, PapersState, Response, ServiceEvent
from cipco.models.people import Prisoner
from cipco.models.person import (
    AncillaryOrder,
    Association,
    CustodyEvent,
    PersonOfInterest,
    StartRule,
    TriggerKind,
)
from cipco.models.referral import Referral, Status
from cipco.services import demo
from cipco.services.demo import DemoContext

COURTS = (
    "Leeds Magistrates' Court",
    "Leeds Crown Court",
    "Bradford and Keighley Magistrates' Court",
    "Wakefield Magistrates' Court",
    "Kirklees Magistrates' Court",
)
CHARGES = {
    "STAFF_ASSAULT": "Assault on an emergency worker, contrary to s.1 Assaults on Emergency "
    "Workers (Offences) Act 2018",
    "STAFF_ASSAULT_MINOR": "Assault on an emergency worker",
    "POTTING": "Assault on an emergency worker (throwing bodily fluid)",
    "PRISONER_ASSAULT": "Assault occasioning actual bodily harm, s.47 OAPA 1861",
    "SERIOUS_INJURY": "Inflicting grievous bodily harm, s.20 OAPA 1861",
    "SERIOUS_VIOLENCE": "Wounding with intent, s.18 OAPA 1861",
    "MOBILE_PHONE": "Possessing an item in prison without authorisation, s.40D Prison Act 1952",
    "DRUGS_SUPPLY": "Possession with intent to supply a controlled drug",
    "CONVEYANCE_LIST_A": "Conveying a List A article into prison, s.40B Prison Act 1952",
    "WEAPON_POSSESSION": "Possession of an offensive weapon in prison, s.40CA Prison Act 1952",
    "CRIMINAL_DAMAGE": "Criminal damage, s.1 Criminal Damage Act 1971",
    "THREAT_TO_KILL": "Threats to kill, s.16 OAPA 1861",
}
OCGS = ("Chapeltown crew", "Harehills OCG", "Bradford Road firm", "M62 county line", "")
CHARGED = {Status.CHARGED.value, Status.AT_COURT.value, Status.CONCLUDED.value}
WAITING = {Status.INVESTIGATING.value, Status.WITH_CPS.value}


@demo.register("mg4d")
def generate_mg4d(session: Session, ctx: DemoContext, tick: Callable[[str, int], None]) -> int:
    rng = ctx.rng
    now = ctx.clock.now()
    categories = dict(
        session.execute(
            select(Referral.id, Referral.category_code).where(
                Referral.id.in_(  # type: ignore[union-attr]
                    [r for r in ctx.referral_ids if ctx.referral_status[r] in CHARGED | WAITING]
                )
            )
        ).all()
    )
    crime_refs = dict(
        session.execute(
            select(Referral.id, Referral.crime_ref).where(Referral.id.in_(list(categories)))  # type: ignore[union-attr]
        ).all()
    )
    papers: list[dict[str, Any]] = []
    events: list[dict[str, Any]] = []
    # One case always has papers just in, to serve before a first hearing this week.
    just_in = next((r for r in categories if ctx.referral_status[r] in WAITING), None)
    for rid, code in categories.items():
        status = ctx.referral_status[rid]
        incident = ctx.referral_incident[rid]
        if status in CHARGED:
            if rng.random() > 0.8:
                continue
            received = incident + timedelta(days=rng.randrange(20, 120), hours=rng.randrange(8, 16))
            if received > now - timedelta(days=2):
                received = now - timedelta(days=2)
            served = min(received + timedelta(days=rng.randrange(0, 4), hours=2), now)
            response = Response.REFUSED if rng.random() < 0.15 else Response.SIGNED
            state = PapersState.SERVED
            if rng.random() < 0.04:
                response = rng.choice(
                    (Response.NOT_SERVED_RELEASED, Response.NOT_SERVED_TRANSFERRED)
                )
                state = PapersState.NOT_SERVED
        else:
            # A few recent cases: papers arrived, not yet served.
            if rid != just_in and (rng.random() > 0.12 or (now - incident).days > 150):
                continue
            received = now - timedelta(days=rng.randrange(0, 12), hours=rng.randrange(1, 8))
            served = None
            response = None
            state = PapersState.AWAITING
        first_hearing = to_london(received).date() + timedelta(days=rng.randrange(3, 35))
        if rid == just_in:
            received = max(now - timedelta(hours=20), incident)
            first_hearing = to_london(now).date() + timedelta(days=3)
        row = {
            "prisoner_id": ctx.referral_prisoner[rid],
            "referral_id": rid,
            "crime_ref": crime_refs.get(rid),
            "urn": f"13{rng.randrange(10, 99)}{rng.randrange(100000, 999999)}",
            "form_label": "MG4D" if rng.random() < 0.9 else "MG4E",
            "charges": CHARGES.get(code, "Offence as detailed on the charge sheet"),
            "court": rng.choice(COURTS),
            "first_hearing_on": first_hearing,
            "received_at": received,
            "received_from": rng.choice(ctx.officers),
            "notes": "",
            "state": state.value,
            "served_at": served if state == PapersState.SERVED else None,
            "response": response.value if response else None,
            "created_at": received,
            "updated_at": served or received,
            "version": 1,
        }
        papers.append(row)
        if served is not None and response is not None:
            events.append(
                {
                    "served_at": served,
                    "served_by": rng.choice(ctx.staff),
                    "witnessed_by": rng.choice(ctx.staff),
                    "response": response.value,
                    "note": "Released before service"
                    if response == Response.NOT_SERVED_RELEASED
                    else "",
                    "copy_returned_at": min(served + timedelta(days=1), now)
                    if rng.random() < 0.8
                    else None,
                    "copy_returned_how": rng.choice(("secure e-mail to OIC", "collected by OIC")),
                    "corrects_event_id": None,
                    "recorded_at": served,
                    "actor": "coordinator",
                    "_rid": rid,
                }
            )
    if papers:
        ids = demo.insert_keyed(session, ChargePapers, papers, "referral_id")
        rows = [
            {k: v for k, v in e.items() if k != "_rid"} | {"papers_id": ids[e["_rid"]]}
            for e in events
        ]
        if rows:
            session.execute(insert(ServiceEvent), rows)
    tick("mg4d", len(papers))
    return len(papers)


def _order(rng: Any, on: date, person_id: int, now: datetime, kind: str) -> dict[str, Any]:
    made = on - timedelta(days=rng.randrange(200, 1500))
    base: dict[str, Any] = {
        "person_id": person_id,
        "court": rng.choice(COURTS),
        "made_on": made,
        "start_rule": StartRule.ON_MAKING.value,
        "start_on": made,
        "end_on": None,
        "until_further_order": False,
        "conditions": "",
        "review_on": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
    }
    if kind == "expiring":
        return base | {
            "order_type_code": "SCPO",
            "end_on": on + timedelta(days=rng.randrange(5, 80)),
            "conditions": "No more than one mobile phone; declare vehicles and bank accounts",
        }
    if kind == "dormant":
        return base | {
            "order_type_code": rng.choice(("KCPO", "TRO")),
            "start_rule": StartRule.ON_RELEASE.value,
            "start_on": None,
            "end_on": on + timedelta(days=rng.randrange(700, 1400)),
            "conditions": "Not to carry a bladed article; curfew 21:00-07:00"
            if rng.random() < 0.5
            else "Not to travel outside the UK",
        }
    if kind == "ufo":
        return base | {
            "order_type_code": "SHPO",
            "until_further_order": True,
            "conditions": "No unsupervised contact with under-18s",
        }
    return base | {
        "order_type_code": rng.choice(("CBO", "RESTRAINING", "GANG_INJUNCTION")),
        "end_on": on + timedelta(days=rng.randrange(200, 1200)),
        "review_on": on + timedelta(days=rng.randrange(-20, 120)),
        "conditions": "Not to contact the named persons",
    }


@demo.register("persons")
def generate_persons(session: Session, ctx: DemoContext, tick: Callable[[str, int], None]) -> int:
    rng = ctx.rng
    now = ctx.clock.now()
    on = today(ctx.clock)
    count = min(len(ctx.prisoner_ids), max(15, len(ctx.prisoner_ids) // 25))
    # Skip the first few prolific prisoners so repeat-offender suggestions have something.
    prolific = max(3, len(ctx.prisoner_ids) // 40)
    pool = ctx.prisoner_ids[prolific // 2 :]
    chosen = rng.sample(pool, k=min(count, len(pool)))
    people: list[dict[str, Any]] = []
    for index, prisoner_id in enumerate(chosen):
        band = rng.choice((1, 2, 2, None, None))
        do_not_share = index % 7 == 0
        codes = sorted(
            {rng.choice(("XGANG", "XPOI", "XSA", "XCOP", "XCO", "XEAN"))}
            | ({"DOCGM"} if do_not_share else set())
        )
        last_review = on - timedelta(days=rng.randrange(5, 120)) if band else None
        interval = 91 if band == 1 else 30
        release = on + timedelta(days=rng.randrange(30, 1500)) if rng.random() < 0.7 else None
        if index == 0:  # one Band 1 nominal always near release (the SOC unit to be told)
            band, release = 1, on + timedelta(days=45)
            last_review, interval = on - timedelta(days=20), 91
        people.append(
            {
                "prisoner_id": prisoner_id,
                "alert_codes": codes,
                "soc_band": band,
                "last_review_on": last_review,
                "next_review_on": last_review + timedelta(days=interval) if last_review else None,
                "ocg_name": rng.choice(OCGS) or None,
                "release_date": release,
                "do_not_share": do_not_share,
                "reason": rng.choice(
                    ("SOC nominal", "Corruption intelligence", "Staff assaulter", "Gang member")
                ),
                "notes": "",
                "created_at": now - timedelta(days=rng.randrange(30, 700)),
                "updated_at": now,
                "version": 1,
            }
        )
    if not people:
        return 0
    session.execute(insert(PersonOfInterest), people)
    ids = dict(
        session.execute(
            select(PersonOfInterest.prisoner_id, PersonOfInterest.id).where(
                PersonOfInterest.prisoner_id.in_(chosen)  # type: ignore[attr-defined]
            )
        ).all()
    )
    bands = {ids[p["prisoner_id"]]: p["soc_band"] for p in people}
    orders: list[dict[str, Any]] = []
    triggers: list[dict[str, Any]] = []
    links: list[dict[str, Any]] = []
    first_band1 = next((person for person, band in bands.items() if band == 1), None)
    for person_id, band in bands.items():
        roll = rng.random()
        # The first two nominals always carry an expiring and a dormant order.
        if person_id == ids[chosen[0]]:
            roll = 0.0
        elif len(chosen) > 1 and person_id == ids[chosen[1]]:
            roll = 0.2
        if roll < 0.15:
            orders.append(_order(rng, on, person_id, now, "expiring"))
        elif roll < 0.3:
            orders.append(_order(rng, on, person_id, now, "dormant"))
        elif roll < 0.36:
            orders.append(_order(rng, on, person_id, now, "ufo"))
        elif roll < 0.5:
            orders.append(_order(rng, on, person_id, now, "other"))
        if band == 1 and (rng.random() < 0.6 or person_id == first_band1):
            happened = now - timedelta(days=rng.randrange(0, 20), hours=rng.randrange(0, 8))
            happened_on = to_london(happened).date()
            triggers.append(
                {
                    "person_id": person_id,
                    "kind": rng.choice(list(TriggerKind)).value,
                    "happened_at": happened,
                    "recorded_at": happened,
                    "actor": "coordinator",
                    "detail": "",
                    "notify_due_on": add_working_days(happened_on, 1),
                    "notified_at": None
                    if rng.random() < 0.4 or person_id == first_band1
                    else happened + timedelta(hours=20),
                    "notified_how": None,
                }
            )
    by_person = {v: k for k, v in ids.items()}
    prisoners = list(ids)
    for person_id in list(bands)[: max(2, len(bands) // 5)]:
        other = rng.choice(ctx.prisoner_ids)
        if other != by_person[person_id]:
            links.append(
                {
                    "prisoner_id": by_person[person_id],
                    "other_prisoner_id": other if rng.random() < 0.5 else rng.choice(prisoners),
                    "kind": rng.choice(("associate", "non_association")),
                    "note": "",
                    "created_at": now,
                }
            )
    links = [link for link in links if link["prisoner_id"] != link["other_prisoner_id"]]
    if orders:
        session.execute(insert(AncillaryOrder), orders)
    if triggers:
        session.execute(insert(CustodyEvent), triggers)
    if links:
        session.execute(insert(Association), links)
    released = [p for p in chosen[1:] if rng.random() < 0.05]
    for prisoner in session.scalars(
        select(Prisoner).where(Prisoner.id.in_(released))  # type: ignore[union-attr]
    ):
        prisoner.location = "released"
    session.flush()
    tick("persons", len(people))
    return len(people)
