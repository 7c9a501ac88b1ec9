"""Persons of interest: upsert, orders (expiry, dormant), band reviews, triggers, suggestions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session

from cipco.clock import FixedClock
from cipco.models.people import PrisonerIn
from cipco.models.person import (
    AssociationCreate,
    CustodyEventCreate,
    OrderCreate,
    PersonCreate,
    PersonUpdate,
    StartRule,
    TriggerKind,
)
from cipco.models.referral import PartyIn, PartyRole, ReferralCreate
from cipco.services import persons, referrals, settings
from cipco.services.paging import PageQuery


def _person(session: Session, clock: FixedClock, nomis: str = "A1234BC", **kw: object) -> int:
    data = PersonCreate.model_validate(
        {"prisoner": {"nomis_number": nomis, "name": "SMITH, John"}} | kw
    )
    person, created, changed = persons.upsert_person(session, data, clock)
    assert created and changed and person.id is not None
    return person.id


def test_upsert_is_idempotent_and_validates(session: Session, clock: FixedClock) -> None:
    data = PersonCreate.model_validate(
        {
            "prisoner": {"nomis_number": "a1234bc", "name": "SMITH, John"},
            "alert_codes": "XGANG; docgm",
            "soc_band": "Band 1",
            "location": "released",
        }
    )
    person, created, changed = persons.upsert_person(session, data, clock)
    assert created and changed
    assert person.alert_codes == ["DOCGM", "XGANG"]
    # Band 1 reviewed quarterly (91 days by default) from when added.
    assert person.next_review_on == date(2026, 11, 18) + timedelta(days=91)
    again = persons.upsert_person(session, data, clock)
    assert again[1:] == (False, False)
    moved = data.model_copy(update={"ocg_name": "Chapeltown crew"})
    assert persons.upsert_person(session, moved, clock)[1:] == (False, True)
    with pytest.raises(ValueError, match="unknown alert code XYZ"):
        PersonCreate.model_validate({"prisoner": {"nomis_number": "A1234BC"}, "alert_codes": "XYZ"})
    with pytest.raises(ValueError, match="not a SOC band"):
        PersonCreate.model_validate({"prisoner": {"nomis_number": "A1234BC"}, "soc_band": 3})
    with pytest.raises(persons.PersonError, match="already on the list"):
        persons.add_person(session, data, clock)


def test_band_review_dates_and_overdue(session: Session, clock: FixedClock) -> None:
    band2 = _person(session, clock, soc_band=2, last_review_on=date(2026, 9, 1))
    person = persons.SERVICE.load(session, band2)
    assert person.next_review_on == date(2026, 10, 1)  # monthly: 30 days
    row = persons.person_list_page(session, PageQuery(queue="review_overdue"), clock).rows
    assert [r.id for r in row] == [band2]
    assert row[0].flags[0].rule == "review_overdue"
    persons.record_review(session, band2, clock)
    assert persons.SERVICE.load(session, band2).next_review_on == date(2026, 12, 18)
    persons.update_person(session, band2, PersonUpdate(soc_band=1), clock)
    assert persons.SERVICE.load(session, band2).next_review_on == date(2026, 11, 18) + timedelta(
        days=91
    )
    settings.set_value(session, "soc_band1_review_days", 60)
    persons.record_review(session, band2, clock, reviewed_on=date(2026, 11, 1))
    assert persons.SERVICE.load(session, band2).next_review_on == date(2026, 12, 31)


def test_order_expiring_dormant_and_ended(session: Session, clock: FixedClock) -> None:
    pid = _person(session, clock, soc_band=2)
    expiring = OrderCreate(
        order_type_code="scpo", made_on=date(2021, 12, 1), end_on=date(2027, 1, 10)
    )
    later = OrderCreate(order_type_code="SCPO", made_on=date(2024, 1, 1), end_on=date(2028, 1, 1))
    dormant = OrderCreate(
        order_type_code="KCPO",
        made_on=date(2026, 6, 1),
        start_rule=StartRule.ON_RELEASE,
        end_on=date(2028, 6, 1),
    )
    ended = OrderCreate(order_type_code="CBO", made_on=date(2020, 1, 1), end_on=date(2026, 1, 1))
    for order in (expiring, later, dormant, ended):
        persons.add_order(session, pid, order, clock)
    row = persons.person_list_page(session, PageQuery(), clock).rows[0]
    rules = sorted(f.rule for f in row.flags)
    assert rules == ["dormant", "order_expiring"]  # ended orders are not shown as flags
    assert any("dormant — starts on release" in f.label for f in row.flags)
    assert persons.person_list_page(session, PageQuery(queue="dormant"), clock).total == 1
    assert persons.person_list_page(session, PageQuery(queue="orders_expiring"), clock).total == 1
    # Released: the order is live, no longer dormant.
    persons.update_person(session, pid, PersonUpdate(location="released"), clock)
    assert persons.person_list_page(session, PageQuery(queue="dormant"), clock).total == 0
    # Later the expiry window has passed the end date.
    clock.set(datetime(2027, 2, 1, 10, tzinfo=UTC))
    row = persons.person_list_page(session, PageQuery(), clock).rows[0]
    assert "order_expiring" not in [f.rule for f in row.flags]
    # any order type may start on release: the court decides (an SCPO often does)
    scpo = persons.add_order(
        session,
        pid,
        OrderCreate(order_type_code="SCPO", made_on=date(2026, 1, 1), start_rule="on_release"),
        clock,
    )
    assert (scpo.start_rule, scpo.start_on) == ("on_release", None)
    with pytest.raises(persons.PersonError, match="order type: 'NOPE'"):
        persons.add_order(
            session, pid, OrderCreate(order_type_code="NOPE", made_on=date(2026, 1, 1)), clock
        )
    with pytest.raises(ValueError, match="ends before it starts"):
        OrderCreate(order_type_code="SCPO", made_on=date(2026, 1, 1), end_on=date(2025, 1, 1))
    with pytest.raises(ValueError, match="until further order has no end date"):
        OrderCreate(
            order_type_code="SHPO",
            made_on=date(2026, 1, 1),
            end_on=date(2031, 1, 1),
            until_further_order=True,
        )


def test_release_within_eight_months_for_banded(session: Session, clock: FixedClock) -> None:
    banded = _person(session, clock, soc_band=1, release_date=date(2027, 6, 1))
    _person(session, clock, nomis="B2345CD", release_date=date(2027, 1, 1))
    _person(session, clock, nomis="C3456DE", soc_band=2, release_date=date(2027, 9, 1))
    page = persons.person_list_page(session, PageQuery(queue="release_soon"), clock)
    assert [r.id for r in page.rows] == [banded]
    assert any(f.rule == "release_soon" for f in page.rows[0].flags)


def test_band1_trigger_events_need_notifying(session: Session, clock: FixedClock) -> None:
    band1 = _person(session, clock, soc_band=1)
    band2 = _person(session, clock, nomis="B2345CD", soc_band=2)
    when = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)  # Friday
    event = persons.record_custody_event(
        session, band1, CustodyEventCreate(kind=TriggerKind.CELL_SHARE, happened_at=when), clock
    )
    assert event.notify_due_on == date(2026, 11, 23)  # next working day
    other = persons.record_custody_event(
        session, band2, CustodyEventCreate(kind=TriggerKind.ROTL, happened_at=when), clock
    )
    assert other.notify_due_on is None
    page = persons.person_list_page(session, PageQuery(queue="notify_due"), clock)
    assert [r.id for r in page.rows] == [band1]
    assert event.id is not None
    persons.mark_notified(session, event.id, clock, "phoned regional SOC unit")
    assert persons.person_list_page(session, PageQuery(queue="notify_due"), clock).total == 0
    with pytest.raises(persons.PersonError, match="already told"):
        persons.mark_notified(session, event.id, clock)


def _referral(session: Session, clock: FixedClock, nomis: str, days_ago: int) -> str:
    return referrals.create_referral(
        session=session,
        data=ReferralCreate(
            prisoner=PrisonerIn(nomis_number=nomis, name="JONES, Tom"),
            category_code="MOBILE_PHONE",
            incident_at=clock.now() - timedelta(days=days_ago),
            parties=[
                PartyIn(role=PartyRole.VICTIM, kind="prisoner", name="X", nomis_number="D4567EF")
            ],
        ),
        clock=clock,
    ).reference


def test_repeat_offender_suggestions(session: Session, clock: FixedClock) -> None:
    for days in (10, 100, 300):
        _referral(session, clock, "A1111AA", days)
    for days in (10, 100, 400):  # the third is outside 12 months
        _referral(session, clock, "B2222BB", days)
    for days in (1, 2, 3, 4):
        _referral(session, clock, "C3333CC", days)
    _person(session, clock, nomis="C3333CC")  # already on the list
    found = persons.repeat_offender_suggestions(session, clock)
    assert [(s.nomis_number, s.referral_count) for s in found] == [("A1111AA", 3)]
    assert found[0].last_incident_at.tzinfo is not None
    settings.set_value(session, "repeat_offender_count", 2)
    assert [s.nomis_number for s in persons.repeat_offender_suggestions(session, clock)] == [
        "A1111AA",
        "B2222BB",
    ]
    person = persons.add_suggested(session, found[0].prisoner_id, clock)
    assert "Repeat offender" in person.reason
    assert [s.nomis_number for s in persons.repeat_offender_suggestions(session, clock)] == [
        "B2222BB"
    ]


def test_person_page_gathers_everything(session: Session, clock: FixedClock) -> None:
    ref = _referral(session, clock, "A1111AA", 5)
    _referral(session, clock, "D4567EF", 6)  # suspect (and named victim) in their own
    pid = _person(session, clock, nomis="A1111AA", soc_band=1, do_not_share=True)
    persons.add_association(
        session,
        persons.SERVICE.load(session, pid).prisoner_id,
        AssociationCreate(other=PrisonerIn(nomis_number="D4567EF"), kind="non_association"),
        clock,
    )
    page = persons.person_page(session, "a1111aa", clock)
    assert page is not None and page.person is not None
    assert page.person.do_not_share and page.person.band == 1
    assert [(r.reference, r.role) for r in page.referrals] == [(ref, "suspect")]
    assert [a.nomis_number for a in page.associations] == ["D4567EF"]
    victim_page = persons.person_page(session, "D4567EF", clock)
    assert victim_page is not None and victim_page.person is None
    roles = sorted(r.role for r in victim_page.referrals)
    assert roles == ["suspect", "victim"]  # one line per referral, suspect wins
    assert [a.nomis_number for a in victim_page.associations] == ["A1111AA"]
    assert persons.person_page(session, "Z9999ZZ", clock) is None


def test_person_page_lists_exhibits_and_clinic_actions(session: Session, clock: FixedClock) -> None:
    from cipco.models.clinic import ClinicActionCreate, ClinicCreate
    from cipco.services import clinic
    from tests.exhibit_helpers import make_exhibit, make_referral

    referral = make_referral(session, clock)
    make_exhibit(session, clock)  # found on A1234BC
    held = clinic.create_clinic(
        session=session, clock=clock, data=ClinicCreate(held_on=date(2026, 11, 18))
    )
    assert held.id is not None
    clinic.add_action(
        session=session,
        clinic_id=held.id,
        data=ClinicActionCreate(
            text="Chase OIC for the interview date",
            owner_name="DC Collins",
            referral_id=referral.id,
            due_on=date(2026, 11, 25),
        ),
        clock=clock,
    )
    page = persons.person_page(session, "A1234BC", clock)
    assert page is not None
    assert [(x.reference, x.description) for x in page.exhibits] == [
        ("JS/1", "Black Samsung phone")
    ]
    assert [(a.referral_reference, a.owner) for a in page.actions] == [
        ("REF-2026-0001", "DC Collins")
    ]
