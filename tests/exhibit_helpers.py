"""Small builders shared by the exhibit tests."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.exhibit import EventIn, Exhibit, ExhibitCreate
from cipco.models.referral import ReferralCreate
from cipco.services import exhibits
from cipco.services.referrals import create_referral


def make_referral(session: Session, clock: Clock, reference: str = "REF-2026-0001") -> Any:
    data = ReferralCreate(
        reference=reference,
        prisoner={"nomis_number": "A1234BC", "name": "John SMITH"},
        category_code="MOBILE_PHONE",
        incident_at=clock.now() - timedelta(days=10),
    )
    return create_referral(session=session, data=data, clock=clock)


def make_exhibit(session: Session, clock: Clock, **overrides: Any) -> Exhibit:
    fields: dict[str, Any] = {
        "reference": "JS/1",
        "exhibit_type": "mobile_phone",
        "description": "Black Samsung phone",
        "where_found": "C wing cell 3-14",
        "found_on": "A1234BC",
        "list_class": "A",
        "seized_by": "Officer J. Smith",
        "seized_at": clock.now() - timedelta(days=5),
        "seal_number": "S100",
        "storage_location": "Security evidence safe",
    }
    fields.update(overrides)
    return exhibits.create_exhibit(
        session=session, data=ExhibitCreate.model_validate(fields), clock=clock
    )


def move(
    session: Session,
    clock: Clock,
    exhibit: Exhibit,
    from_name: str,
    to_name: str,
    at: datetime,
    **extra: Any,
) -> Any:
    data = EventIn.model_validate(
        {"from_name": from_name, "to_name": to_name, "happened_at": at, **extra}
    )
    assert exhibit.id is not None
    return exhibits.record_event(session=session, exhibit_id=exhibit.id, data=data, clock=clock)
