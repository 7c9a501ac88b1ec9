"""The five logs, described once so a shared behaviour is one test parametrised over them.

Each :class:`LogCase` says how to reach the log's list and its main "new" form from the
keyboard, what to type for a valid record, which field a blank save must point at, and how
to change the log from outside the app (another window) to see the list follow.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Engine, func, select
from textual.app import App

from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.clinic import ClinicAction
from cipco.models.exhibit import Exhibit
from cipco.models.mg4d import ChargePapers
from cipco.models.person import PersonOfInterest
from cipco.models.referral import Referral
from cipco.widgets.record_table import RecordTable


def _count(model: Any) -> Callable[[Engine], int]:
    def count(engine: Engine) -> int:
        with session_scope(engine) as s:
            return int(s.scalar(select(func.count()).select_from(model)) or 0)

    return count


def _newest(model: Any) -> Callable[[Engine], int]:
    def newest(engine: Engine) -> int:
        with session_scope(engine) as s:
            return int(s.scalar(select(func.max(model.id))) or 0)

    return newest


def _outside_referral(engine: Engine, clock: FixedClock) -> str:
    from tests.factories import new_referral

    with session_scope(engine, actor="bob", clock=clock) as s:
        new_referral(s, clock, nomis="Z9999ZZ", name="OUT, Side", hours_ago=0.1)
    return "OUT, Side"


def _outside_exhibit(engine: Engine, clock: FixedClock) -> str:
    from tests.exhibit_helpers import make_exhibit

    with session_scope(engine, actor="bob", clock=clock) as s:
        make_exhibit(s, clock, reference="ZQ/77", description="Seized in another window")
    return "ZQ/77"


def _outside_papers(engine: Engine, clock: FixedClock) -> str:
    from cipco.models.mg4d import PapersCreate
    from cipco.models.people import PrisonerIn
    from cipco.services import mg4d

    with session_scope(engine, actor="bob", clock=clock) as s:
        mg4d.receive_papers(
            s,
            PapersCreate(
                prisoner=PrisonerIn(nomis_number="Z9999ZZ", name="OUTSIDE, Window"),
                charges="Possession of a blade",
                first_hearing_on=date(2026, 12, 1),
                received_at=clock.now() - timedelta(hours=1),
            ),
            clock,
        )
    return "Z9999ZZ"


def _outside_person(engine: Engine, clock: FixedClock) -> str:
    from cipco.models.people import PrisonerIn
    from cipco.models.person import PersonCreate
    from cipco.services import persons

    with session_scope(engine, actor="bob", clock=clock) as s:
        prisoner = PrisonerIn(nomis_number="Z9999ZZ", name="AARON, Outside")
        persons.add_person(s, PersonCreate(prisoner=prisoner), clock)
    return "AARON, Outside"


def _outside_action(engine: Engine, clock: FixedClock) -> str:
    from cipco.models.clinic import ClinicActionCreate
    from cipco.services import clinic as clinic_service

    with session_scope(engine, actor="bob", clock=clock) as s:
        clinic_id = clinic_service.latest_clinic(s).id  # type: ignore[union-attr]
        clinic_service.add_action(
            session=s,
            clinic_id=clinic_id,  # type: ignore[arg-type]
            data=ClinicActionCreate(text="Chase from another window", owner_name="DC Bob"),
            clock=clock,
        )
    return "Chase from another window"


def _records(app: App[Any]) -> RecordTable:
    return app.screen.query_one("#records", RecordTable)


def _clinic_actions(app: App[Any]) -> RecordTable:
    return app.screen.query_one("#clinic-actions", RecordTable)


@dataclass(frozen=True)
class LogCase:
    name: str
    key: str  # the number key of its list
    to_form: tuple[str, ...]  # keys from the list to its main "new" form
    texts: dict[str, str]  # what to type for a valid record (inputs and text areas)
    selects: dict[str, str] = field(default_factory=dict)
    first_required: str = ""  # where the focus goes after saving the blank form
    count: Callable[[Engine], int] = lambda _e: 0
    newest: Callable[[Engine], int] = lambda _e: 0
    table: Callable[[App[Any]], RecordTable] = _records  # where the saved record is highlighted
    list_key: str = ""  # the list that shows an outside change (default: ``key``)
    outside: Callable[[Engine, FixedClock], str] = lambda _e, _c: ""

    def __str__(self) -> str:
        return self.name


LOGS = [
    LogCase(
        "referrals",
        "1",
        ("n",),
        {
            "nomis_number": "a1234bc",
            "prisoner_name": "NEWMAN, Saved",
            "incident_at": "3 Nov 2026 14:05",
            "location": "B wing servery",
        },
        {"category_code": "STAFF_ASSAULT"},
        "nomis_number",
        _count(Referral),
        _newest(Referral),
        outside=_outside_referral,
    ),
    LogCase(
        "clinics",
        "2",
        ("enter", "a"),
        {"text": "Send stills to the OIC", "owner_name": "SO Carr", "due_on": "25 Nov 2026"},
        {},
        "text",
        _count(ClinicAction),
        _newest(ClinicAction),
        table=_clinic_actions,
        list_key="6",
        outside=_outside_action,
    ),
    LogCase(
        "exhibits",
        "3",
        ("n",),
        {
            "reference": "zz/1",
            "description": "Phone [black] Samsung",
            "seized_by": "Officer J. Smith",
            "seal_number": "S100",
        },
        {"exhibit_type": "mobile_phone"},
        "reference",
        _count(Exhibit),
        _newest(Exhibit),
        outside=_outside_exhibit,
    ),
    LogCase(
        "mg4d",
        "4",
        ("n",),
        {"nomis_number": "c3456de", "charges": "Possession of a blade in prison"},
        {},
        "nomis_number",
        _count(ChargePapers),
        _newest(ChargePapers),
        outside=_outside_papers,
    ),
    LogCase(
        "persons",
        "5",
        ("n",),
        {"nomis_number": "c3456de", "name": "AARDVARK, Saved"},
        {},
        "nomis_number",
        _count(PersonOfInterest),
        _newest(PersonOfInterest),
        outside=_outside_person,
    ),
]
