"""The person page, the persons list and the MG4D log as a coordinator uses them."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select
from textual.widgets import Input, Select, TextArea

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.mg4d import ChargePapers, PapersCreate, ServiceEvent
from cipco.models.people import PrisonerIn
from cipco.models.person import OrderCreate, PersonCreate, PersonOfInterest, StartRule
from cipco.models.referral import PartyIn, Referral, ReferralCreate
from cipco.screens.mg4d import Mg4dScreen
from cipco.screens.modals import ChoiceScreen
from cipco.screens.papers_detail import PapersDetailScreen
from cipco.screens.person_page import PersonPage
from cipco.screens.persons import PersonsScreen
from cipco.screens.record_form import RecordForm
from cipco.services import mg4d, persons, referrals
from cipco.services.bootstrap import prepare
from tests.tui_helpers import (
    demo_copy_fixture,  # noqa: F401 - a fixture
    demo_template_fixture,  # noqa: F401 - a fixture
    screen_text,
    settle,
    wait_for,
)

SIZE = (140, 45)


async def form_ready(app: CipcoApp, pilot) -> RecordForm:  # type: ignore[no-untyped-def]
    form = app.screen
    assert isinstance(form, RecordForm), screen_text(app)
    await wait_for(pilot, lambda: form.ready)
    return form


async def to_section(app: CipcoApp, pilot, key: str) -> None:  # type: ignore[no-untyped-def]
    """``]`` until the section's table has the focus."""
    for _ in range(8):
        focused = app.screen.focused
        if focused is not None and focused.id == key:
            return
        await pilot.press("right_square_bracket")
    raise AssertionError(f"section {key} not reached")


async def add(app: CipcoApp, pilot, what: str) -> RecordForm:  # type: ignore[no-untyped-def]
    await pilot.press("a")
    await settle(pilot)
    chooser = app.screen
    assert isinstance(chooser, ChoiceScreen)
    for _ in range([v for _, v in chooser.choices].index(what)):
        await pilot.press("down")
    await pilot.press("enter")
    await settle(pilot)
    return await form_ready(app, pilot)


def _seed(db_path: Path, clock: FixedClock) -> str:
    engine = prepare(db_path)
    with session_scope(engine, actor="tester", clock=clock) as s:
        own = referrals.create_referral(
            session=s,
            data=ReferralCreate(
                prisoner=PrisonerIn(nomis_number="A1234BC", name="SMITH, [John]"),
                category_code="STAFF_ASSAULT",
                incident_at=clock.now() - timedelta(days=30),
                staff_victim=True,
            ),
            clock=clock,
        )
        victim_of = referrals.create_referral(
            session=s,
            data=ReferralCreate(
                prisoner=PrisonerIn(nomis_number="B2345CD", name="JONES, Tom"),
                category_code="PRISONER_ASSAULT",
                incident_at=clock.now() - timedelta(days=3),
                parties=[
                    PartyIn(role="victim", kind="prisoner", name="SMITH", nomis_number="A1234BC")
                ],
            ),
            clock=clock,
        )
        for days in (5, 9):
            referrals.create_referral(
                session=s,
                data=ReferralCreate(
                    prisoner=PrisonerIn(nomis_number="B2345CD"),
                    category_code="MOBILE_PHONE",
                    incident_at=clock.now() - timedelta(days=days),
                ),
                clock=clock,
            )
        person, _, _ = persons.upsert_person(
            s,
            PersonCreate(
                prisoner=PrisonerIn(nomis_number="A1234BC"),
                soc_band=1,
                do_not_share=True,
                alert_codes=["DOCGM"],
                ocg_name="Chapeltown crew",
            ),
            clock,
        )
        assert person.id is not None
        persons.add_order(
            s,
            person.id,
            OrderCreate(
                order_type_code="KCPO",
                made_on=date(2026, 6, 1),
                start_rule=StartRule.ON_RELEASE,
                end_on=date(2028, 6, 1),
            ),
            clock,
        )
        mg4d.receive_papers(
            s,
            PapersCreate(
                prisoner=PrisonerIn(nomis_number="A1234BC"),
                referral_reference=own.reference,
                charges="Assault on an emergency worker",
                court="Leeds Magistrates",
                first_hearing_on=date(2026, 11, 20),
                received_at=clock.now() - timedelta(days=2),
            ),
            clock,
        )
        refs = f"{own.reference} {victim_of.reference}"
    engine.dispose()
    return refs


async def test_person_page_shows_everything_and_serves_papers(
    db_path: Path, clock: FixedClock
) -> None:
    own_ref, victim_ref = _seed(db_path, clock).split()
    app = CipcoApp(db_path, clock=clock, start="referrals", poll_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(PersonPage("a1234bc"))
        await settle(pilot)
        text = screen_text(app)
        assert "A1234BC  SMITH, [John]" in text
        assert "DO NOT SHARE" in text and "SOC Band 1" in text
        assert "dormant — starts on release" in text
        assert own_ref in text and victim_ref in text
        assert "suspect" in text and "victim" in text
        assert "Assault on an emergency worker" in text
        await to_section(app, pilot, "papers")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, PapersDetailScreen)
        assert "first hearing soon and not served" in screen_text(app)
        await pilot.press("v")
        form = await form_ready(app, pilot)
        assert "Serve papers: A1234BC SMITH, [John]" in screen_text(app)  # names the papers
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.focused is form.query_one("#served_by")  # the first problem
        assert form.query_one("#error-response").has_class("-shown")
        form.query_one("#response", Select).value = "refused"
        form.query_one("#served_by", Input).value = "Officer K. Ahmed"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, PapersDetailScreen)
        assert "Served: refused to sign" in screen_text(app)
        await pilot.press("e")
        edit = await form_ready(app, pilot)
        edit.query_one("#court", Input).value = "Leeds Crown Court"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await wait_for(pilot, lambda: "Court: Leeds Crown Court" in screen_text(app))
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, PersonPage)
    with session_scope(app.engine) as s:
        assert len(list(s.scalars(select(ServiceEvent)))) == 1
        assert s.scalars(select(ChargePapers)).one().court == "Leeds Crown Court"
        referral = s.scalars(select(Referral).where(Referral.reference == own_ref)).one()
        assert referral.status == "charged"


async def test_unknown_prison_number_says_so(db_path: Path, clock: FixedClock) -> None:
    app = CipcoApp(db_path, clock=clock, start="referrals", poll_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        app.push_screen(PersonPage("Z9999ZZ"))
        await settle(pilot)
        assert "Z9999ZZ is not known to cipco" in screen_text(app)


async def test_persons_list_and_one_key_suggestion(db_path: Path, clock: FixedClock) -> None:
    _seed(db_path, clock)
    app = CipcoApp(db_path, clock=clock, start="referrals", poll_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        await pilot.press("5")
        await settle(pilot)
        assert isinstance(app.screen, PersonsScreen)
        text = screen_text(app)
        assert "A1234BC" in text and "DNS DOCGM" in text, text
        assert "· KCPO: dormant" in text
        await pilot.press("left_square_bracket")  # the last tab: Suggestions
        await wait_for(pilot, lambda: "B2345CD" in screen_text(app))
        await pilot.press("a")
        await wait_for(pilot, lambda: "No repeat offenders to suggest" in screen_text(app))
        await pilot.press("4")
        await settle(pilot)
        assert isinstance(app.screen, Mg4dScreen)
        text = screen_text(app)
        assert "A1234BC" in text and "! Awaiting (2d)" in text
        await pilot.press("n")
        form = await form_ready(app, pilot)
        form.query_one("#nomis_number", Input).value = "c3456de"
        form.query_one("#court", Input).value = "Leeds Crown Court"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert form.focused is form.query_one("#charges")
        form.query_one("#charges", TextArea).text = "Possession of a blade in prison"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, Mg4dScreen)
        await wait_for(pilot, lambda: "C3456DE" in screen_text(app))
    with session_scope(app.engine) as s:
        people = list(s.scalars(select(PersonOfInterest)))
        assert len(people) == 2
        assert any("Repeat offender" in p.reason for p in people)
        papers = s.scalars(select(ChargePapers).order_by(ChargePapers.id.desc())).first()
        assert papers is not None and papers.court == "Leeds Crown Court"


async def test_forms_on_the_person_page(db_path: Path, clock: FixedClock) -> None:
    _seed(db_path, clock)
    app = CipcoApp(db_path, clock=clock, start="referrals", poll_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        page = PersonPage("B2345CD")
        app.push_screen(page)
        await settle(pilot)
        assert "Not on the persons-of-interest list" in screen_text(app)
        await pilot.press("e")
        form = await form_ready(app, pilot)
        form.query_one("#alert_codes", Input).value = "xgang, nonsense"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert "Unknown alert code NONSENSE" in screen_text(app)
        form.query_one("#alert_codes", Input).value = "xgang"
        form.query_one("#soc_band", Select).value = "1"
        form.query_one("#release_date", Input).value = "01/02/2027"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is page
        await wait_for(pilot, lambda: "SOC Band 1" in screen_text(app))
        assert "notify SOC community team" in screen_text(app)
        trigger = await add(app, pilot, "trigger")
        trigger.query_one("#kind", Select).value = "escort"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await wait_for(
            pilot, lambda: "Notify SOC unit: Escort (incl. hospital)" in screen_text(app)
        )
        await to_section(app, pilot, "events")
        await pilot.press("d")
        await settle(pilot)
        order = await add(app, pilot, "order")
        order.query_one("#order_type_code", Select).value = "SCPO"
        order.query_one("#made_on", Input).value = "31/02/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is order  # an impossible date is refused
        order.query_one("#made_on", Input).value = "1 Dec 2021"
        order.query_one("#end_on", Input).value = "01/12/2026"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is page
        await wait_for(
            pilot, lambda: "Serious Crime Prevention Order: ends 01/12/2026" in screen_text(app)
        )
        await to_section(app, pilot, "orders")
        await pilot.press("delete")
        await settle(pilot)
        await pilot.press("y")
        await wait_for(pilot, lambda: "No ancillary orders." in screen_text(app))
    with session_scope(app.engine) as s:
        person = persons.person_for_nomis(s, "B2345CD")
        assert person is not None and person.soc_band == 1 and person.alert_codes == ["XGANG"]
        view = persons.person_page(s, "B2345CD", clock)
        assert view is not None and view.person is not None
        assert view.person.events[0].notified_at is not None


async def test_person_page_opens_their_exhibits_and_clinic_actions(
    demo_copy: Path, clock: FixedClock
) -> None:
    from sqlalchemy import select

    from cipco.models.clinic import ClinicAction
    from cipco.models.exhibit import Exhibit
    from cipco.models.people import Prisoner
    from cipco.models.referral import Referral
    from cipco.screens.clinic_meeting import ClinicScreen
    from cipco.screens.exhibit_detail import ExhibitDetailScreen

    app = CipcoApp(demo_copy, clock=clock, start="referrals", poll_seconds=0.2)
    with session_scope(app.engine) as s:
        action_nomis = s.scalars(
            select(Prisoner.nomis_number)
            .join(Referral, Referral.prisoner_id == Prisoner.id)
            .join(ClinicAction, ClinicAction.referral_id == Referral.id)
        ).first()
        exhibit_nomis = s.scalars(
            select(Prisoner.nomis_number).join(Exhibit, Exhibit.found_on_prisoner_id == Prisoner.id)
        ).first()
    assert action_nomis and exhibit_nomis
    async with app.run_test(size=(140, 45)) as pilot:
        await settle(pilot)
        app.push_screen(PersonPage(action_nomis))
        await settle(pilot)
        await to_section(app, pilot, "actions")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ClinicScreen)
        await pilot.press("escape")
        await settle(pilot)
        app.push_screen(PersonPage(exhibit_nomis))
        await settle(pilot)
        await to_section(app, pilot, "exhibits")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ExhibitDetailScreen)
