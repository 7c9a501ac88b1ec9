"""Input validation: prison numbers, PNC check letters, dates in order, field names in errors."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from cipco.clock import parse_uk_date, parse_uk_datetime
from cipco.models.people import (
    PrisonerIn,
    normalise_nomis,
    pnc_check_letter,
    validate_nomis,
    validate_pnc,
)
from cipco.models.referral import PartyIn, ReferralCreate


def test_nomis_is_upper_cased_and_spaces_removed() -> None:
    assert validate_nomis(" a1234 bc ") == "A1234BC"


@pytest.mark.parametrize("bad", ["", "A123BC", "11234BC", "A1234B1", "AB1234C", "A12345BC"])
def test_bad_nomis_numbers_are_refused_with_the_value(bad: str) -> None:
    with pytest.raises(ValueError, match="not a prison number"):
        validate_nomis(bad)


def test_pnc_check_letter_matches_the_published_example() -> None:
    assert validate_pnc("2012/0052494Q") == "2012/0052494Q"
    assert validate_pnc("12/52494Q") == "12/52494Q"


def test_pnc_with_the_wrong_check_letter_names_the_right_one() -> None:
    with pytest.raises(ValueError, match="expected Q"):
        validate_pnc("2012/0052494A")


@given(st.integers(0, 99), st.integers(0, 9_999_999))
def test_pnc_check_letter_round_trips(year: int, serial: int) -> None:
    letter = pnc_check_letter(f"{year:02d}", str(serial))
    assert validate_pnc(f"{year:02d}/{serial:07d}{letter}")


@given(st.text(max_size=12))
def test_nomis_normalisation_never_crashes(text: str) -> None:
    cleaned = normalise_nomis(text)
    assert " " not in cleaned


def test_referral_needs_discovery_after_incident() -> None:
    with pytest.raises(ValidationError, match="discovered before the incident"):
        ReferralCreate(
            prisoner=PrisonerIn(nomis_number="A1234BC"),
            category_code="STAFF_ASSAULT",
            incident_at=datetime(2026, 11, 10, 12, tzinfo=UTC),
            discovered_at=datetime(2026, 11, 10, 11, tzinfo=UTC),
        )


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValidationError, match="time zone"):
        ReferralCreate(
            prisoner=PrisonerIn(nomis_number="A1234BC"),
            category_code="STAFF_ASSAULT",
            incident_at=datetime(2026, 11, 10, 12),
        )


def test_error_location_names_the_field() -> None:
    with pytest.raises(ValidationError) as info:
        ReferralCreate(
            prisoner=PrisonerIn(nomis_number="A1234BC"),
            category_code="STAFF_ASSAULT",
            incident_at=datetime(2026, 11, 10, 12, tzinfo=UTC),
            oic_email="not-an-address",
            aggravating_factors=["made_up"],
        )
    fields = {e["loc"][0] for e in info.value.errors()}
    assert fields == {"oic_email", "aggravating_factors"}


def test_party_needs_a_name() -> None:
    with pytest.raises(ValidationError, match="needs a name"):
        PartyIn(name="  ")


def test_uk_dates_are_day_first() -> None:
    assert parse_uk_date("03/04/2024").month == 4
    assert parse_uk_date("3 Apr 2024").day == 3
    at = parse_uk_datetime("01/07/2026 14:05")  # BST: 13:05 UTC
    assert at == datetime(2026, 7, 1, 13, 5, tzinfo=UTC)
    with pytest.raises(ValueError, match=r"not a (real )?date"):
        parse_uk_date("31/02/2024")
    with pytest.raises(ValueError, match="not a time"):
        parse_uk_datetime("01/07/2026 25:00")
