"""One record in each of the five logs with something due this week, made through the
services, each carrying a word of its own in its description (for search tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlmodel import Session

from cipco.clock import FixedClock, today
from cipco.models.clinic import ClinicActionCreate, ClinicCreate
from cipco.models.exhibit import ExhibitCreate
from cipco.models.mg4d import PapersCreate
from cipco.models.people import PrisonerIn
from cipco.models.person import PersonCreate
from cipco.models.referral import ReferralCreate
from cipco.services import clinic, exhibits, mg4d, persons
from cipco.services.referrals import create_referral

# A word of each log's own, found nowhere else in the file.
WORDS = {
    "referrals": "tangerine",
    "exhibits": "marmalade",
    "mg4d": "quillwort",
    "persons": "bergamot",
    "actions": "juniper",
}
RULES = {
    "referrals": "R5",
    "exhibits": "retention",
    "mg4d": "hearing",
    "persons": "soc_review",
    "actions": "action",
}


@dataclass(frozen=True)
class Made:
    referral_id: int
    referral_ref: str
    exhibit_id: int
    exhibit_ref: str
    papers_id: int
    person_id: int
    person_nomis: str
    action_id: int
    clinic_id: int

    def ids(self) -> dict[str, int]:
        return {
            "referrals": self.referral_id,
            "exhibits": self.exhibit_id,
            "mg4d": self.papers_id,
            "persons": self.person_id,
            "actions": self.action_id,
        }


def one_of_each(session: Session, clock: FixedClock) -> Made:
    now, day = clock.now(), today(clock)
    referral = create_referral(
        session=session,
        data=ReferralCreate(
            reference="REF-2026-0042",
            prisoner=PrisonerIn(nomis_number="A1234BC", name="SMITH, John"),
            category_code="STAFF_ASSAULT",
            incident_at=now - timedelta(hours=3),
            description=f"Officer punched on the landing near the {WORDS['referrals']} tub",
        ),
        clock=clock,
    )
    exhibit = exhibits.create_exhibit(
        session=session,
        data=ExhibitCreate.model_validate(
            {
                "reference": "JS/77",
                "exhibit_type": "mobile_phone",
                "description": f"Phone in a {WORDS['exhibits']} jar",
                "seized_by": "Officer J. Smith",
                "seized_at": now - timedelta(days=88),  # review 90 days after: this week
                "seal_number": "SEAL-5521",
                "storage_location": "Security safe",
            }
        ),
        clock=clock,
    )
    papers = mg4d.receive_papers(
        session,
        PapersCreate(
            prisoner=PrisonerIn(nomis_number="B2345CD", name="JONES, Sam"),
            charges=f"Possession of a {WORDS['mg4d']} blade",
            court="Leicester Magistrates",
            first_hearing_on=day + timedelta(days=3),
            received_at=now - timedelta(days=1),
        ),
        clock,
    )
    person = persons.add_person(
        session,
        PersonCreate(
            prisoner=PrisonerIn(nomis_number="C3456DE", name="BROWN, Alex"),
            soc_band=2,
            next_review_on=day + timedelta(days=2),
            reason=f"Runs the {WORDS['persons']} network",
        ),
        clock,
    )
    meeting = clinic.create_clinic(
        session=session, clock=clock, data=ClinicCreate(held_on=day), generate=False
    )
    action = clinic.add_action(
        session=session,
        clinic_id=int(meeting.id),  # type: ignore[arg-type]
        data=ClinicActionCreate(
            text=f"Ask police about the {WORDS['actions']} statement",
            owner_name="DS Patel",
            due_on=day + timedelta(days=1),
        ),
        clock=clock,
    )
    session.flush()
    return Made(
        referral_id=int(referral.id),  # type: ignore[arg-type]
        referral_ref=referral.reference,
        exhibit_id=int(exhibit.id),  # type: ignore[arg-type]
        exhibit_ref=exhibit.reference,
        papers_id=int(papers.id),  # type: ignore[arg-type]
        person_id=int(person.id),  # type: ignore[arg-type]
        person_nomis="C3456DE",
        action_id=int(action.id),  # type: ignore[arg-type]
        clinic_id=int(meeting.id),  # type: ignore[arg-type]
    )
