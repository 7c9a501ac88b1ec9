"""Small builders for test data through the real services."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from cipco.clock import FixedClock
from cipco.models.people import PrisonerIn
from cipco.models.referral import Referral, ReferralCreate
from cipco.services.referrals import create_referral


def new_referral(
    session: Session,
    clock: FixedClock,
    *,
    nomis: str = "A1234BC",
    name: str = "SMITH, John",
    category: str = "STAFF_ASSAULT",
    hours_ago: float = 2,
    **fields: Any,
) -> Referral:
    incident = fields.pop("incident_at", clock.now() - timedelta(hours=hours_ago))
    assert isinstance(incident, datetime)
    data = ReferralCreate(
        prisoner=PrisonerIn(nomis_number=nomis, name=name),
        category_code=category,
        incident_at=incident,
        **fields,
    )
    return create_referral(session=session, data=data, clock=clock)
