"""One referral with everything a case file shows, built through the real services.

Used by ``make preview`` (the case file police will print), the case-file bench and tests:
a staff assault whose suspect, victim and witnesses carry names in Polish, Turkish,
Hungarian, Spanish, Greek and Cyrillic spelling; ``exhibits`` linked exhibits (CCTV first)
of ``events`` continuity events each; status moves with follow-ups; MG4D papers served.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.exhibit import EventIn, ExhibitCreate
from cipco.models.mg4d import PapersCreate, ServiceCreate
from cipco.models.people import PrisonerIn
from cipco.models.referral import PartyIn, Referral, ReferralCreate, Status

SUSPECT = ("ŁUKASZEWICZ, Óscar", "G4821KT")
VICTIM = "Şahin ÖZTÜRK"
WITNESSES = (
    ("Ődön KOVÁCS", "H2218LD"),
    ("Αλέξανδρος ΠΑΠΑΔΌΠΟΥΛΟΣ", None),
    ("Дмитрий ИВАНОВ", None),
)
EXHIBIT_KINDS = (
    (
        "cctv",
        "CCTV of B wing landing 2, 14:02 to 14:20",
        {"system": "Genetec", "camera_id": "B2-07"},
    ),
    ("bwv", "Body-worn video, Officer Nuñez", {"officer": "Officer Nuñez"}),
    ("weapon", "Improvised blade, toothbrush handle", {"where_found": "Cell B2-14"}),
    ("photo", "Photographs of the officer's injuries", {}),
)
HOLDERS = ("Security evidence safe", "Officer K. Brennan", "PC 4471 Hughes")


def casefile_referral(
    session: Session,
    clock: Clock,
    *,
    reference: str = "REF-2026-9001",
    exhibits: int = 4,
    events: int = 6,
    initials: str = "JB",
) -> Referral:
    """The referral (see the module docstring). ``events`` counts each exhibit's seizure."""
    from cipco.services import exhibits as custody
    from cipco.services.mg4d import receive_papers, record_service
    from cipco.services.referrals import add_follow_up, create_referral, move_status

    now = clock.now()
    start = now - timedelta(days=40)
    referral = create_referral(
        session=session,
        data=ReferralCreate(
            reference=reference,
            prisoner=PrisonerIn(nomis_number=SUSPECT[1], name=SUSPECT[0]),
            category_code="STAFF_ASSAULT",
            incident_at=start,
            discovered_at=start + timedelta(minutes=5),
            location="B wing landing 2",
            description=(
                "Officer struck twice with an improvised blade while unlocking cell B2-14; "
                "treated at hospital for a 4 cm cut to the forearm."
            ),
            aggravating_factors=["high_harm", "premeditated"],
            staff_victim=True,
            victim_wants_police=True,
            adjudication_charge="LEI-26-0412",
            adjudication_state="REFER_POLICE",
            adjudication_laid_at=start + timedelta(hours=20),
            footage_requested_on=(start + timedelta(days=1)).date(),
            evidence={"victim_statement": True, "use_of_force": True, "medical": True},
            parties=[
                PartyIn(role="victim", kind="staff", name=VICTIM, statement_taken=True),
                *(
                    PartyIn(
                        role="witness",
                        kind="prisoner" if nomis else "staff",
                        name=name,
                        nomis_number=nomis,
                        statement_taken=index == 0,
                    )
                    for index, (name, nomis) in enumerate(WITNESSES)
                ),
            ],
        ),
        clock=clock,
    )
    assert referral.id is not None
    referral_id = referral.id

    def move(to_status: Status, after: timedelta, police: dict[str, str] | None = None) -> None:
        move_status(
            session=session,
            referral_id=referral_id,
            to_status=to_status,
            clock=clock,
            happened_at=start + after,
            police=police,
        )

    move(Status.REFERRED, timedelta(hours=2))
    add_follow_up(
        session=session,
        referral_id=referral_id,
        note="Chased the crime desk for a reference",
        clock=clock,
        method="phone",
        happened_at=start + timedelta(days=2),
    )
    police = {"crime_ref": "13/26/004471", "oic_name": "DC Ana Muñoz", "oic_collar": "4471"}
    move(Status.ACKNOWLEDGED, timedelta(days=3), police)
    move(Status.INVESTIGATING, timedelta(days=5))
    for number in range(exhibits):
        kind, description, extra = EXHIBIT_KINDS[number % len(EXHIBIT_KINDS)]
        seized = start + timedelta(hours=1, minutes=10 * number)
        exhibit = custody.create_exhibit(
            session=session,
            data=ExhibitCreate.model_validate(
                {
                    "reference": f"{initials}/{number + 1}",
                    "exhibit_type": kind,
                    "description": description,
                    "seized_by": "Officer J. Brennan",
                    "seized_at": seized,
                    "seal_number": f"S{7100 + number}",
                    "storage_location": "Security evidence safe",
                    "referral_refs": [reference],
                    **extra,
                }
            ),
            clock=clock,
        )
        assert exhibit.id is not None
        holder = "Officer J. Brennan"
        for step in range(1, events):
            to = HOLDERS[step % len(HOLDERS)]
            custody.record_event(
                session=session,
                exhibit_id=exhibit.id,
                data=EventIn.model_validate(
                    {
                        "from_name": holder,
                        "to_name": to,
                        "happened_at": seized + timedelta(days=2 * step, hours=number),
                        "reason": "police_collection" if to.startswith("PC") else "storage",
                        "seal_number": f"S{7100 + number}",
                        "seal_intact": True,
                        "location": "Security office",
                    }
                ),
                clock=clock,
            )
            holder = to
    papers = receive_papers(
        session,
        PapersCreate(
            prisoner=PrisonerIn(nomis_number=SUSPECT[1], name=SUSPECT[0]),
            referral_reference=reference,
            crime_ref="13/26/004471",
            urn="13AB0447126",
            charges="Assault occasioning actual bodily harm on an emergency worker",
            court="Leeds Magistrates' Court",
            first_hearing_on=(now + timedelta(days=14)).date(),
            received_at=start + timedelta(days=30),
            received_from="DC Ana Muñoz",
        ),
        clock,
    )
    assert papers.id is not None
    record_service(
        session,
        papers.id,
        ServiceCreate(
            served_at=start + timedelta(days=31),
            served_by="Officer K. Brennan",
            witnessed_by="Officer P. Ng",
            response="signed",
        ),
        clock,
    )
    session.flush()
    return referral


def add_to(path: str, reference: str = "REF-2026-9001") -> str:
    """Add the referral to the cipco file at ``path`` (``make preview``); its reference."""
    from pathlib import Path

    from cipco.clock import SystemClock
    from cipco.config import current_actor
    from cipco.db import session_scope
    from cipco.services.bootstrap import prepare

    engine = prepare(Path(path))
    clock = SystemClock()
    try:
        with session_scope(engine, actor=current_actor(), clock=clock) as session:
            casefile_referral(session, clock, reference=reference)
    finally:
        engine.dispose()
    return reference


if __name__ == "__main__":  # python -m cipco.services.demo_casefile FILE
    import sys

    print(add_to(sys.argv[1]))
