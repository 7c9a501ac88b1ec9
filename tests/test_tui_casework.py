"""The referral page's People and Papers tabs as a coordinator uses them at 80x24: log a
victim contact and see R7 go, take a statement through quality assurance to the police,
attach a document and find it listed (and in the case file's appendix)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, select
from textual.widgets import (
    Checkbox,
    Input,
    OptionList,
    Select,
    SelectionList,
    TabbedContent,
    TextArea,
)

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import read_scope, session_scope
from cipco.models.casework import (
    CaseDocument,
    Correspondence,
    CpsAction,
    CpsActionIn,
    DisclaimerIn,
    MedicalDisclaimer,
    PartyContact,
    PersonIn,
    Statement,
    StatementIn,
    StatementMeeting,
)
from cipco.models.referral import ReferralParty
from cipco.screens.modals import ChoiceScreen, ConfirmScreen
from cipco.screens.record_form import RecordForm
from cipco.screens.referral_detail import ReferralDetailScreen
from cipco.services.casefile import case_file
from cipco.services.casework import papers, people
from cipco.services.referrals import move_status
from tests.factories import new_referral
from tests.tui_helpers import SMALL, screen_text, settle, wait_for, walk_form


def _case(engine: Engine, clock: FixedClock, *, statement: bool = False) -> tuple[int, str]:
    """A referral charged two days ago with one staff victim (R7 due: no contact yet)."""
    with session_scope(engine, actor="tester", clock=clock) as s:
        r = new_referral(s, clock, hours_ago=24 * 7)
        assert r.id is not None
        for i, (status, police) in enumerate(
            [
                ("referred", None),
                ("acknowledged", {"crime_ref": "CR/1"}),
                ("investigating", None),
                ("charged", None),
            ]
        ):
            move_status(
                session=s,
                referral_id=r.id,
                to_status=status,
                clock=clock,
                happened_at=clock.now() - timedelta(days=6 - i if status != "charged" else 2),
                police=police,
            )
        victim = people.add_person(
            session=s,
            referral_id=r.id,
            data=PersonIn(name="Officer [b]Ahmed[/b]", enhanced_rights=True),
            clock=clock,
        )
        s.flush()
        if statement:
            assert victim.id is not None
            papers.request_statement(
                session=s,
                referral_id=r.id,
                data=StatementIn(
                    party_id=victim.id, requested_on=clock.now().date() - timedelta(days=3)
                ),
                clock=clock,
            )
        return r.id, r.reference


async def _open(app: CipcoApp, pilot: Any, referral_id: int, tab: str) -> ReferralDetailScreen:
    await settle(pilot)
    app.open_referral(referral_id)
    await wait_for(pilot, lambda: isinstance(app.screen, ReferralDetailScreen))
    page = app.screen
    assert isinstance(page, ReferralDetailScreen)
    await wait_for(pilot, lambda: page.drawn is not None)
    while page.query_one(TabbedContent).active != tab:
        await pilot.press("right_square_bracket")
    await settle(pilot)
    return page


async def _choose(app: CipcoApp, pilot: Any, words: str) -> None:
    """Pick the menu entry (or choice) that starts with ``words``."""
    await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
    menu = app.screen
    assert isinstance(menu, ChoiceScreen)
    labels = [label for label, _ in menu.choices]
    index = next(i for i, label in enumerate(labels) if label.startswith(words))
    menu.query_one(OptionList).highlighted = index
    await pilot.press("enter")


async def _form(app: CipcoApp, pilot: Any) -> RecordForm:
    await wait_for(pilot, lambda: isinstance(app.screen, RecordForm))
    form = app.screen
    assert isinstance(form, RecordForm)
    await wait_for(pilot, lambda: form.ready)
    return form


async def _save(app: CipcoApp, pilot: Any, form: RecordForm) -> None:
    await pilot.press("ctrl+s")
    await wait_for(pilot, lambda: app.screen is not form)
    await settle(pilot)


async def test_logging_a_victim_contact_answers_r7(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    rid, _ref = _case(engine, clock)
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, rid, "tab-people")
        text = screen_text(app)
        assert "[b]Ahmed[/b]" in text  # markup-looking text shown as typed
        assert "R7 OVERDUE" in text and "No contact logged" in text
        await pilot.press("a")
        await _choose(app, pilot, "A contact logged")
        form = await _form(app, pilot)
        assert form.query_one("#party_id", Select).value is not Select.BLANK  # the victim
        form.query_one("#said", TextArea).text = "Told of the charge; court date to follow"
        await _save(app, pilot, form)
        await wait_for(pilot, lambda: "R7 OVERDUE" not in screen_text(app))
        text = screen_text(app)
        assert "Told of the charge" in text and "No contact logged" not in text
    with read_scope(engine) as s:
        contacts = list(s.scalars(select(PartyContact)))
    assert [c.said for c in contacts] == ["Told of the charge; court date to follow"]
    assert contacts[0].happened_at == clock.now()


async def _step(app: CipcoApp, pilot: Any, step: str, **fields: Any) -> RecordForm:
    await pilot.press("a")
    await _choose(app, pilot, "A statement received")
    form = await _form(app, pilot)
    form.query_one("#step", Select).value = step
    await settle(pilot)
    for name, value in fields.items():
        widget = form.query_one(f"#{name}")
        if isinstance(widget, SelectionList):
            for key in value:
                widget.select(key)
        else:
            assert isinstance(widget, Input)
            widget.value = value
    return form


def _statement(engine: Engine) -> Statement:
    with read_scope(engine) as s:
        return s.scalars(select(Statement)).one()


async def test_a_statement_is_received_and_returned_with_the_problems_found(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    rid, _ref = _case(engine, clock, statement=True)
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, rid, "tab-papers")
        assert "Requested" in screen_text(app)
        await _save(app, pilot, await _step(app, pilot, "receive"))
        await wait_for(pilot, lambda: "Received, to" in screen_text(app))
        # returned with no problem ticked: refused beside the field, nothing saved
        form = await _step(app, pilot, "return")
        assert "Statement from Officer [b]Ahmed[/b]: received" in screen_text(app)
        assert await walk_form(pilot, form) == {"step", "on", "by", "problems", "due_on", "note"}
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "Tick the problems found" in screen_text(app))
        assert _statement(engine).state == "received"
        form.query_one("#problems", SelectionList).select("unsigned")
        await _save(app, pilot, form)
        await wait_for(pilot, lambda: "Returned for" in screen_text(app))
    assert _statement(engine).problems == ["unsigned"]


async def test_a_corrected_statement_is_checked_and_sent_and_takes_no_more_steps(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    rid, _ref = _case(engine, clock, statement=True)
    with session_scope(engine, actor="tester", clock=clock) as s:
        statement_id = s.scalars(select(Statement.id)).one()
        for step in ("receive", "check"):
            papers.step_statement(
                session=s,
                statement_id=statement_id,
                step=step,
                clock=clock,
                problems=["unsigned"] if step == "check" else [],
            )
    engine.dispose()
    assert _statement(engine).state == "returned"
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, rid, "tab-papers")
        await _save(app, pilot, await _step(app, pilot, "receive"))
        await _save(app, pilot, await _step(app, pilot, "check"))
        await wait_for(pilot, lambda: "Checked, to send" in screen_text(app))
        await _save(app, pilot, await _step(app, pilot, "send"))
        await wait_for(pilot, lambda: "Sent to police" in screen_text(app))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        menu = app.screen
        assert isinstance(menu, ChoiceScreen)
        assert not any(label.startswith("A statement received") for label, _ in menu.choices)
        await pilot.press("escape")
    stored = _statement(engine)
    assert stored.state == "sent" and stored.sent_on == clock.now().date()


async def test_a_document_attached_is_listed_and_in_the_case_file(
    engine: Engine, db_path: Path, clock: FixedClock, tmp_path: Path
) -> None:
    rid, ref = _case(engine, clock)
    engine.dispose()
    source = tmp_path / "impact statement.pdf"
    source.write_bytes(b"%PDF-1.4 impact statement\n" * 100)
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, rid, "tab-papers")
        assert "No document attached" in screen_text(app)
        await pilot.press("a")
        await _choose(app, pilot, "A document attached")
        form = await _form(app, pilot)
        form.query_one("#path", Input).value = str(tmp_path / "missing.pdf")
        form.query_one("#kind", Select).value = "pcis"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "missing.pdf does not" in screen_text(app))
        assert app.screen is form
        form.query_one("#path", Input).value = str(source)
        form.query_one("#title", Input).value = "PCIS for court"
        await _save(app, pilot, form)
        page = app.screen
        assert isinstance(page, ReferralDetailScreen)
        page.query_one("#detail-papers").parent.scroll_end(animate=False)  # type: ignore[union-attr]
        await wait_for(pilot, lambda: "PCIS for court" in screen_text(app))
        with read_scope(engine) as s:
            doc = s.scalars(select(CaseDocument)).one()
        assert doc.sha256[:12] in screen_text(app)
        assert doc.size == source.stat().st_size and doc.title == "PCIS for court"
    with read_scope(engine, clock=clock) as s:
        document = case_file(s, ref, clock, actor="tester")
    appendix = next(x for x in document.sections if x.title == "Case documents (appendix)")
    rows = appendix.blocks[0].rows  # type: ignore[attr-defined]
    assert [(r[2], r[3], r[6]) for r in rows] == [
        ("PCIS for court", "impact statement.pdf", doc.sha256)
    ]


async def test_a_prisoner_witness_is_added_with_the_problem_beside_the_field(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    rid, _ref = _case(engine, clock)
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, rid, "tab-summary")
        await pilot.press("a")
        await _choose(app, pilot, "A victim or witness")
        form = await _form(app, pilot)
        assert await walk_form(pilot, form) >= {"role", "kind", "name", "nomis_number"}
        form.query_one("#role", Select).value = "witness"
        form.query_one("#kind", Select).value = "prisoner"
        form.query_one("#name", Input).value = "JONES, Carl"
        form.query_one("#nomis_number", Input).value = "12345"
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "'12345' is not a prison number" in screen_text(app))
        assert app.screen is form and form.focused is form.query_one("#nomis_number")
        form.query_one("#nomis_number", Input).value = "b2345cd"
        await _save(app, pilot, form)
        assert app.screen.query_one(TabbedContent).active == "tab-people"
        await wait_for(pilot, lambda: "JONES, Carl B2345CD" in screen_text(app))
        assert "Witness, prisoner" in screen_text(app)
    with read_scope(engine) as s:
        names = [p.name for p in s.scalars(select(ReferralParty).order_by(ReferralParty.id))]
    assert names == ["Officer [b]Ahmed[/b]", "JONES, Carl"]


async def test_a_disclaimer_comes_back_and_a_cps_action_is_done(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    rid, _ref = _case(engine, clock)
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, rid, "tab-papers")
        await pilot.press("a")
        await _choose(app, pilot, "A medical disclaimer issued")
        form = await _form(app, pilot)
        assert form.query_one("#party_id", Select).value == "suspect"
        form.query_one("#issued_on", Input).value = "01/11/2026"
        await _save(app, pilot, form)
        await wait_for(pilot, lambda: "! Issued, due back" in screen_text(app))
        await pilot.press("a")
        await _choose(app, pilot, "A medical disclaimer returned")
        form = await _form(app, pilot)
        form.query_one("#step", Select).value = "returned"
        await _save(app, pilot, form)
        await wait_for(pilot, lambda: "Returned 18/11/2026" in screen_text(app))
        await pilot.press("a")
        await _choose(app, pilot, "A CPS action")
        form = await _form(app, pilot)
        form.query_one("#action", Input).value = "Landing CCTV"
        form.query_one("#requested_on", Input).value = "02/11/2026"
        form.query_one("#due_on", Input).value = "01/11/2026"  # before it was asked
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "before the request" in screen_text(app))
        form.query_one("#due_on", Input).value = "09/11/2026"
        await _save(app, pilot, form)
        await wait_for(pilot, lambda: "! OVERDUE 09/11/2026" in screen_text(app))
        await pilot.press("a")
        await _choose(app, pilot, "A CPS action done")
        await _save(app, pilot, await _form(app, pilot))
        await wait_for(pilot, lambda: "done 18/11/2026" in screen_text(app))
        assert "OVERDUE" not in screen_text(app)
    with read_scope(engine) as s:
        disclaimer = s.scalars(select(MedicalDisclaimer)).one()
        action = s.scalars(select(CpsAction)).one()
    assert disclaimer.party_id is None and disclaimer.returned_on == clock.now().date()
    assert action.done_on == clock.now().date() and action.due_on is not None


async def test_a_statement_meeting_is_arranged_then_held_and_the_release_is_checked(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    rid, _ref = _case(engine, clock)
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, rid, "tab-papers")
        await pilot.press("a")
        await _choose(app, pilot, "A statement meeting arranged")
        form = await _form(app, pilot)
        assert await walk_form(pilot, form) >= {"party_id", "meets_at", "release_confirmed_on"}
        assert form.query_one("#party_id", Select).value != Select.BLANK  # the staff victim
        assert "Officer [b]Ahmed[/b] (victim)" in screen_text(app)  # as typed, not as markup
        form.query_one("#meets_at", Input).value = "20 Nov 2026 14:30"
        form.query_one("#place", Input).value = "Interview room 2"
        form.query_one("#release_confirmed_on", Input).value = "17/11/2026"
        await pilot.press("ctrl+s")  # confirmed, but never asked for
        await wait_for(pilot, lambda: "Release asked for: give the date" in screen_text(app))
        assert app.screen is form and form.focused is form.query_one("#release_requested_on")
        form.query_one("#release_requested_on", Input).value = "16/11/2026"
        await _save(app, pilot, form)
        await wait_for(pilot, lambda: "Interview room 2" in screen_text(app))
        await pilot.press("a")
        await _choose(app, pilot, "A statement meeting updated")
        form = await _form(app, pilot)
        assert form.query_one("#place", Input).value == "Interview room 2"
        form.query_one("#held", Checkbox).value = True  # the meeting is still to come
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: "The meeting is still to come" in screen_text(app))
        form.query_one("#held", Checkbox).value = False
        form.query_one("#officer", Input).value = "DC Patel"
        await _save(app, pilot, form)
    with read_scope(engine) as s:
        meeting = s.scalars(select(StatementMeeting)).one()
    assert (meeting.place, meeting.officer, meeting.held) == ("Interview room 2", "DC Patel", False)
    assert str(meeting.release_requested_on) == "2026-11-16"
    assert str(meeting.release_confirmed_on) == "2026-11-17"
    assert meeting.meets_at.strftime("%d/%m %H:%M") == "20/11 14:30"


async def test_a_letter_is_drafted_from_a_template_edited_and_kept_as_sent(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    rid, _ref = _case(engine, clock)
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, rid, "tab-papers")
        await pilot.press("a")
        await _choose(app, pilot, "A letter or e-mail sent")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        offered = [label for label, _ in app.screen.choices]  # type: ignore[attr-defined]
        assert "Crime reference given" in offered  # CR/1 given
        assert "Outcome of the case" not in offered  # still open
        await _choose(app, pilot, "Crime reference given")
        await _choose(app, pilot, "Officer [b]Ahmed[/b]")
        form = await _form(app, pilot)
        assert form.query_one("#recipient", Input).value == "Officer [b]Ahmed[/b]"
        body = form.query_one("#body", TextArea)
        assert "The police crime reference number is CR/1" in body.text
        assert "^s Send" in screen_text(app).splitlines()[-1]  # the footer names it as the button
        body.text = body.text.replace("Please quote it", "Please always quote it")
        form.query_one("#channel", Select).value = "email"
        await _save(app, pilot, form)
    with read_scope(engine) as s:
        letter = s.scalars(select(Correspondence)).one()
        document = s.get(CaseDocument, letter.document_id)
    assert letter.channel == "email" and letter.template == "crime_reference"
    assert "Please always quote it" in letter.body and letter.party_id is not None
    assert document is not None and document.kind == "letter"


async def test_a_form_whose_record_has_gone_says_so_instead_of_loading(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    from cipco.screens.casework_forms import meeting_update_form

    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        app.push_screen(meeting_update_form(999))
        await wait_for(
            pilot,
            lambda: "Not loaded: statement meeting 999 does not exist" in screen_text(app),
        )
        assert "Loading…" not in screen_text(app)


def _papers_in_error(engine: Engine, clock: FixedClock, referral_id: int) -> None:
    """A CPS action done last week, and a medical disclaimer issued and returned."""
    with session_scope(engine, actor="tester", clock=clock) as s:
        day = clock.now().date() - timedelta(days=7)
        action = papers.add_cps_action(
            session=s,
            referral_id=referral_id,
            data=CpsActionIn(action="Landing CCTV", requested_on=day, owner="SO Carr"),
            clock=clock,
        )
        assert action.id is not None
        papers.complete_cps_action(session=s, action_id=action.id, clock=clock, on=day)
        disclaimer = papers.issue_disclaimer(
            session=s, referral_id=referral_id, data=DisclaimerIn(issued_on=day), clock=clock
        )
        assert disclaimer.id is not None
        papers.step_disclaimer(
            session=s, disclaimer_id=disclaimer.id, step="returned", clock=clock, on=day
        )


async def test_a_cps_action_is_corrected_and_reopened_after_asking(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    rid, _ref = _case(engine, clock)
    _papers_in_error(engine, clock, rid)
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, rid, "tab-papers")
        await pilot.press("a")
        await _choose(app, pilot, "Correct a CPS action")
        form = await _form(app, pilot)
        assert form.query_one("#owner", Input).value == "SO Carr", "the stored values to correct"
        form.query_one("#owner", Input).value = "SO Rees"
        form.query_one("#due_on", Input).value = "20/11/2026"
        await _save(app, pilot, form)
        await wait_for(pilot, lambda: "SO Rees" in screen_text(app))
        await pilot.press("a")
        await _choose(app, pilot, "Reopen a CPS action")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Reopen the CPS action 'Landing CCTV" in screen_text(app)
        await pilot.press("y")
        await wait_for(pilot, lambda: "~ 20/11/2026" in screen_text(app))  # open, due soon
    with read_scope(engine) as s:
        action = s.scalars(select(CpsAction)).one()
    assert (action.owner, action.done_on) == ("SO Rees", None)
    assert action.due_on is not None and action.due_on.isoformat() == "2026-11-20"


async def test_a_paper_added_in_error_is_removed_only_after_a_yes(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    rid, _ref = _case(engine, clock, statement=True)
    _papers_in_error(engine, clock, rid)
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, poll_seconds=3600)
    async with app.run_test(size=SMALL) as pilot:
        await _open(app, pilot, rid, "tab-papers")
        await pilot.press("a")
        await _choose(app, pilot, "Correct a statement's due date")
        form = await _form(app, pilot)
        form.query_one("#due_on", Input).value = "30/11/2026"
        await _save(app, pilot, form)
        await wait_for(pilot, lambda: "30/11/2026" in screen_text(app))
        assert _statement(engine).due_on.isoformat() == "2026-11-30"  # type: ignore[union-attr]
        # the returned disclaimer stays on the case: only the statement is offered, so the
        # question comes at once; "no" keeps it
        await pilot.press("a")
        await _choose(app, pilot, "Remove a paper added in error")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        assert "Remove statement asked of Officer [b]Ahmed[/b]" in screen_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert _statement(engine).state == "requested"
        await pilot.press("a")
        await _choose(app, pilot, "Remove a paper added in error")
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await pilot.press("y")
        await wait_for(pilot, lambda: "No statement asked for" in screen_text(app))
        await pilot.press("a")
        await wait_for(pilot, lambda: isinstance(app.screen, ChoiceScreen))
        menu = app.screen
        assert isinstance(menu, ChoiceScreen)
        assert not any(label.startswith("Remove") for label, _ in menu.choices)
        await pilot.press("escape")
    with read_scope(engine) as s:
        assert s.scalars(select(Statement)).all() == []
        assert len(s.scalars(select(MedicalDisclaimer)).all()) == 1
