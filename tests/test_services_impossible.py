"""Values that cannot be real are refused with the field named, and nothing is written."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import FixedClock
from cipco.models.clinic import ClinicActionCreate, ClinicCreate
from cipco.models.mg4d import PapersCreate
from cipco.models.people import PrisonerIn
from cipco.models.person import OrderCreate, PersonCreate, StartRule
from cipco.models.referral import StatusChange
from cipco.services import clinic, mg4d, persons, referrals, settings
from cipco.services.errors import RecordError
from cipco.services.referrals.rules import POLICE_FIELDS
from tests.factories import new_referral

OLD = datetime(1899, 12, 31, 12, 0, tzinfo=UTC)


def refused(exc: pytest.ExceptionInfo[RecordError], field: str, words: str) -> None:
    assert exc.value.field == field, exc.value.fields
    assert words in str(exc.value)


def test_a_move_dated_before_the_incident_is_refused(session: Session, clock: FixedClock) -> None:
    referral = new_referral(session, clock, hours_ago=30)
    assert referral.id is not None
    day_before = referral.incident_at - timedelta(days=1)
    with pytest.raises(referrals.ReferralError) as exc:
        referrals.move_status(
            session=session,
            referral_id=referral.id,
            to_status="referred",
            clock=clock,
            happened_at=day_before,
        )
    refused(exc, "happened_at", "is before the incident")
    assert referrals.get_referral(session, referral.id).status == "draft"


def test_a_move_dated_before_the_previous_move_is_refused(
    session: Session, clock: FixedClock
) -> None:
    referral = new_referral(session, clock, hours_ago=48)
    assert referral.id is not None
    referrals.move_status(
        session=session,
        referral_id=referral.id,
        to_status="referred",
        clock=clock,
        happened_at=clock.now() - timedelta(hours=2),
    )
    with pytest.raises(referrals.ReferralError) as exc:
        referrals.move_status(
            session=session,
            referral_id=referral.id,
            to_status="acknowledged",
            clock=clock,
            happened_at=clock.now() - timedelta(hours=5),
            police={"crime_ref": "13/12345/26"},
        )
    refused(exc, "happened_at", "is before the previous move")
    moves = session.scalars(
        select(StatusChange.to_status).where(StatusChange.referral_id == referral.id)
    ).all()
    assert list(moves) == ["draft", "referred"]


def test_a_move_to_acknowledged_records_the_crime_reference_and_oic(
    session: Session, clock: FixedClock
) -> None:
    referral = new_referral(session, clock)
    assert referral.id is not None
    referrals.move_status(
        session=session, referral_id=referral.id, to_status="referred", clock=clock
    )
    with pytest.raises(referrals.ReferralError) as exc:
        referrals.move_status(
            session=session,
            referral_id=referral.id,
            to_status="acknowledged",
            clock=clock,
            police={"crime_ref": "  ", "oic_name": "DC Ames"},
        )
    refused(exc, "crime_ref", "records the police's crime reference")
    moved = referrals.move_status(
        session=session,
        referral_id=referral.id,
        to_status="acknowledged",
        clock=clock,
        police={"crime_ref": "  13/12345/26 ", "oic_name": "DC Ames", "oic_collar": "4471"},
    )
    assert (moved.crime_ref, moved.oic_name, moved.oic_collar) == ("13/12345/26", "DC Ames", "4471")
    assert moved.acknowledged_at == clock.now()
    assert set(POLICE_FIELDS) >= {"crime_ref", "oic_name"}


def test_dates_before_1900_are_refused_naming_the_field(
    session: Session, clock: FixedClock
) -> None:
    with pytest.raises(referrals.ReferralError) as exc:
        new_referral(session, clock, incident_at=OLD)
    refused(exc, "incident_at", "31/12/1899 is before 1900")
    referral = new_referral(session, clock)
    with pytest.raises(referrals.ReferralError) as exc:
        referrals.update_referral(
            session=session,
            referral_id=referral.id,  # type: ignore[arg-type]
            data=referrals.SPEC.update_schema.model_validate(  # type: ignore[union-attr]
                {"footage_requested_on": date(1850, 1, 1)}
            ),
            clock=clock,
        )
    refused(exc, "footage_requested_on", "before 1900")
    with pytest.raises(mg4d.Mg4dError) as exc:
        mg4d.receive_papers(
            session,
            PapersCreate(
                prisoner=PrisonerIn(nomis_number="A1234BC", name="SMITH, John"),
                charges="Assault on an emergency worker",
                court="Leeds MC",
                received_at=OLD,
                received_from="DC Ames",
            ),
            clock,
        )
    refused(exc, "received_at", "before 1900")
    person = persons.add_person(
        session, PersonCreate(prisoner=PrisonerIn(nomis_number="B2345CD", name="JONES, A")), clock
    )
    with pytest.raises(persons.PersonError) as exc:
        persons.add_order(
            session,
            person.id,  # type: ignore[arg-type]
            OrderCreate(
                order_type_code="SCPO",
                court="Leeds Crown Court",
                made_on=date(1899, 1, 1),
                start_rule=StartRule.ON_MAKING,
            ),
            clock,
        )
    refused(exc, "made_on", "before 1900")
    made = clinic.create_clinic(
        session=session, clock=clock, data=ClinicCreate(held_on=date(2026, 11, 18)), generate=False
    )
    with pytest.raises(clinic.ClinicError) as exc:
        clinic.add_action(
            session=session,
            clinic_id=made.id,  # type: ignore[arg-type]
            data=ClinicActionCreate(text="Chase", owner_name="SO Carr", due_on=date(1066, 10, 14)),
            clock=clock,
        )
    refused(exc, "due_on", "before 1900")


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("footage_overwrite_days", 0, "use 1 to 366"),
        ("footage_overwrite_days", 100_000, "100,000 is not a sensible value"),
        ("clinic_frequency_days", -7, "use 1 to 91"),
        ("repeat_offender_count", 1, "use 2 to 50"),
        ("soc_band1_review_days", "ninety", "'ninety' is not a whole number"),
    ],
)
def test_settings_out_of_a_sane_range_are_refused(
    session: Session, key: str, value: object, words: str
) -> None:
    before = settings.get(session, key)
    with pytest.raises(settings.SettingError) as exc:
        settings.set_value(session, key, value)  # type: ignore[arg-type]
    refused(exc, key, words)
    assert settings.SPECS[key].label in str(exc.value)
    assert settings.get(session, key) == before
