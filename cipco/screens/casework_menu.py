"""``a`` on the referral page: the menu of what can be added to its people and papers,
moved on (a statement's next step, a disclaimer returned, a CPS action done) or corrected (a
statement's due date, a CPS action, a CPS action reopened, a paper added in error removed).

Only what makes sense is offered (no statement step without a statement waiting for one); a
step on one of several papers asks which first. The page shows the tab the chosen entry
belongs to, so what was saved is in view when the form closes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlmodel import Session
from textual.screen import Screen
from textual.widgets import TabbedContent

from cipco.clock import Clock
from cipco.screens import casework_forms as forms
from cipco.screens.casework_view import Casework, Choice, Paper
from cipco.screens.modals import ChoiceScreen, ConfirmScreen
from cipco.screens.record_page import RecordPage
from cipco.services.casework import papers

PEOPLE_TAB = "tab-people"
PAPERS_TAB = "tab-papers"


def _pick(
    page: RecordPage, title: str, choices: list[Choice], open_for: Callable[[int], Screen[Any]]
) -> None:
    """The form for one of ``choices`` (asking which when there are several)."""
    if len(choices) == 1:
        page.open_form(open_for(choices[0][1]))
        return

    def chosen(record_id: int | None) -> None:
        if record_id is not None:
            page.open_form(open_for(record_id))

    page.app.push_screen(ChoiceScreen(title, choices), chosen)


Job = Callable[[Session], str]


def _confirmed(
    page: RecordPage,
    title: str,
    choices: list[tuple[str, Paper]],
    question: Callable[[str], str],
    act: Callable[[Paper], Job],
    *,
    confirm_label: str,
    danger: bool = False,
) -> None:
    """Which paper (asking when there are several), then a yes before ``act`` writes it in
    one transaction (a refusal is shown, and the page re-reads either way)."""

    def run(paper: Paper | None) -> None:
        if paper is None:
            return
        words = next(label for label, value in choices if value == paper)

        def decided(yes: bool | None) -> None:
            if yes:
                page.write(act(paper))

        page.app.push_screen(
            ConfirmScreen(question(words), confirm_label=confirm_label, danger=danger), decided
        )

    if len(choices) == 1:
        run(choices[0][1])
    else:
        page.app.push_screen(ChoiceScreen(title, choices), run)


def _reopen(clock: Clock) -> Callable[[Paper], Job]:
    def act(paper: Paper) -> Job:
        _kind, action_id, version = paper

        def job(session: Session) -> str:
            papers.reopen_cps_action(
                session=session, action_id=action_id, clock=clock, expected_version=version
            )
            return "CPS action reopened"

        return job

    return act


def _remove(paper: Paper) -> Job:
    kind, record_id, version = paper

    def job(session: Session) -> str:
        papers.remove_paper(
            session=session, kind=kind, record_id=record_id, expected_version=version
        )
        return f"Removed: the {kind} added in error"

    return job


Entry = tuple[str, str, Callable[[RecordPage], None]]
SUSPECT = -1  # the choice meaning the referral's prisoner


def _letter(referral_id: int, case: Casework) -> Callable[[RecordPage], None]:
    """Which template, then to whom (the suspect or a person on the case), then the draft to
    read, edit and send."""

    def run(page: RecordPage) -> None:
        def to_whom(template: str | None) -> None:
            if template is None:
                return

            def chosen(person: int | None) -> None:
                if person is not None:
                    party = None if person == SUSPECT else person
                    page.open_form(forms.letter_form(referral_id, template, party))

            whom = [("The suspect (the referral's prisoner)", SUSPECT), *case.people_choices]
            page.app.push_screen(ChoiceScreen("To whom?", whom), chosen)

        page.app.push_screen(ChoiceScreen("Which letter?", case.templates), to_whom)

    return run


def entries(referral_id: int, case: Casework) -> list[Entry]:
    """(words, tab, what it opens) for each entry the menu offers now."""

    def new(form: Callable[[int], Screen[Any]]) -> Callable[[RecordPage], None]:
        return lambda page: page.open_form(form(referral_id))

    def step(
        title: str, choices: list[Choice], form: Callable[[int], Screen[Any]]
    ) -> Callable[[RecordPage], None]:
        return lambda page: _pick(page, title, choices, form)

    cps_words = dict((record_id, label) for label, record_id in case.cps_open)
    statement = step("Which statement?", case.statements, forms.statement_step_form)
    disclaimer = step("Which disclaimer?", case.disclaimers, forms.disclaimer_step_form)
    cps_done = step(
        "Which CPS action is done?",
        case.cps_open,
        lambda action_id: forms.cps_done_form(action_id, cps_words[action_id]),
    )
    meeting = step("Which meeting?", case.meetings_open, forms.meeting_update_form)
    letter = _letter(referral_id, case)

    def reopen(page: RecordPage) -> None:
        _confirmed(
            page,
            "Which CPS action is to be reopened?",
            case.cps_done,
            lambda words: f"Reopen the CPS action '{words}'? It shows as open again.",
            _reopen(page.cipco.clock),
            confirm_label="Reopen",
        )

    def remove(page: RecordPage) -> None:
        _confirmed(
            page,
            "Which paper was added in error?",
            case.removable,
            lambda words: f"Remove {words[0].lower()}{words[1:]}? It was added in error.",
            _remove,
            confirm_label="Remove",
            danger=True,
        )

    people, papers_tab = PEOPLE_TAB, PAPERS_TAB
    # (offered now?, words, the tab it belongs to, what it opens)
    menu: list[tuple[object, str, str, Callable[[RecordPage], None]]] = [
        (True, "A victim or witness on the case", people, new(forms.person_form)),
        (case.has_people, "A contact logged (tells a victim: R7)", people, new(forms.contact_form)),
        (case.has_people, "A statement asked for (MG11)", papers_tab, new(forms.statement_form)),
        (case.statements, "A statement received, checked, returned or sent", papers_tab, statement),
        (
            case.has_people,
            "A statement meeting arranged (release from duty)",
            papers_tab,
            new(forms.meeting_form),
        ),
        (case.meetings_open, "A statement meeting updated or held", papers_tab, meeting),
        (True, "A medical disclaimer issued", papers_tab, new(forms.disclaimer_form)),
        (
            case.disclaimers,
            "A medical disclaimer returned, refused or sent",
            papers_tab,
            disclaimer,
        ),
        (True, "A CPS action", papers_tab, new(forms.cps_form)),
        (case.cps_open, "A CPS action done", papers_tab, cps_done),
        (case.templates, "A letter or e-mail sent (from a template)", papers_tab, letter),
        (True, "A document attached (a file)", papers_tab, new(forms.document_form)),
        (
            case.statements_all,
            "Correct a statement's due date or notes",
            papers_tab,
            step("Which statement?", case.statements_all, forms.statement_edit_form),
        ),
        (
            case.cps_all,
            "Correct a CPS action (what, when, owner)",
            papers_tab,
            step("Which CPS action?", case.cps_all, forms.cps_edit_form),
        ),
        (case.cps_done, "Reopen a CPS action marked done", papers_tab, reopen),
        (case.removable, "Remove a paper added in error", papers_tab, remove),
    ]
    return [(words, tab, run) for offered, words, tab, run in menu if offered]


def add_menu(page: RecordPage, referral_id: int, reference: str, case: Casework) -> None:
    """Ask what to add, then open its form over the page."""
    offered = entries(referral_id, case)

    def chosen(index: int | None) -> None:
        if index is None:
            return
        _words, tab, run = offered[index]
        for tabs in page.query(TabbedContent).results(TabbedContent):
            tabs.active = tab
            break
        run(page)

    page.app.push_screen(
        ChoiceScreen(
            f"{reference}: add to, move on or correct its people and papers",
            [(words, index) for index, (words, _tab, _run) in enumerate(offered)],
        ),
        chosen,
    )
