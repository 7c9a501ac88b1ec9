"""Prisoners: everyone cipco knows by prison (NOMIS) number."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator
from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from cipco.models.fields import BLANK_IS_NONE, Line
from cipco.models.site import SiteScoped
from cipco.models.types import UTCDateTime

NOMIS_RE = re.compile(r"^[A-Z][0-9]{4}[A-Z]{2}$")
PNC_LETTERS = "ZABCDEFGHJKLMNPQRTUVWXY"
PNC_RE = re.compile(r"^(?P<year>\d{2}|\d{4})/(?P<serial>\d{1,7})(?P<check>[A-Z])$")


def normalise_nomis(value: str) -> str:
    """Upper-case and strip spaces: ' a1234 bc ' -> 'A1234BC'."""
    return re.sub(r"\s+", "", value or "").upper()


def checked_code(value: str, pattern: re.Pattern[str], what: str) -> str:
    """``value`` without spaces, upper-cased, when it matches ``pattern``; else
    ``ValueError("'<value>' is not <what>")`` (prison numbers, exhibit references)."""
    cleaned = normalise_nomis(value)
    if not pattern.match(cleaned):
        raise ValueError(f"'{value}' is not {what}")
    return cleaned


def validate_nomis(value: str) -> str:
    return checked_code(
        value,
        NOMIS_RE,
        "a prison number: expected a letter, four digits and two letters, e.g. A1234BC",
    )


def pnc_check_letter(year: str, serial: str) -> str:
    """The PNC ID check letter for a year (2 or 4 digits) and serial number."""
    two_digit_year = year[-2:]
    number = int(two_digit_year + serial.zfill(7))
    return PNC_LETTERS[number % 23]


def validate_pnc(value: str) -> str:
    cleaned = re.sub(r"\s+", "", value or "").upper()
    match = PNC_RE.match(cleaned)
    if not match:
        raise ValueError(f"'{value}' is not a PNC ID: expected YY/NNNNNNNC or YYYY/NNNNNNNC")
    expected = pnc_check_letter(match["year"], match["serial"])
    if match["check"] != expected:
        raise ValueError(f"PNC ID '{value}' has check letter {match['check']}, expected {expected}")
    return cleaned


class Prisoner(SiteScoped, table=True):
    __table_args__ = (Index("uq_prisoner_site_nomis", "site", "nomis_number", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    nomis_number: str = Field(index=True, max_length=7)
    name: str = ""
    pnc: str | None = None
    date_of_birth: date | None = None
    location: str | None = None  # this prison / other prison code / released
    created_at: datetime = Field(sa_type=UTCDateTime)


def _pnc_or_none(value: str | None) -> str | None:
    return None if value is None else validate_pnc(value)


class PrisonerIn(SQLModel):
    """A prisoner as typed into any form: validated, normalised."""

    nomis_number: Annotated[str, AfterValidator(validate_nomis)]
    name: Line = ""
    pnc: Annotated[str | None, BLANK_IS_NONE, AfterValidator(_pnc_or_none)] = None
    date_of_birth: date | None = None
