"""``a`` on the referral page: the menu of what can be added to its people and papers, or
moved on (a statement's next step, a disclaimer returned, a CPS action done).

Only what makes sense is offered (no statement step without a statement waiting for one); a
step on one of several papers asks which first. The page shows the tab the chosen entry
belongs to, so what was saved is in view when the form closes.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from textual.screen import Screen
from textual.widgets import TabbedContent

from cipco.screens import casework_forms as forms
from cipco.screens.casework_view import Casework, Choice
from cipco.screens.modals import ChoiceScreen
from cipco.screens.record_page import RecordPage

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
    people, papers = PEOPLE_TAB, PAPERS_TAB
    # (offered now?, words, the tab it belongs to, what it opens)
    menu: list[tuple[object, str, str, Callable[[RecordPage], None]]] = [
        (True, "A victim or witness on the case", people, new(forms.person_form)),
        (case.has_people, "A contact logged (tells a victim: R7)", people, new(forms.contact_form)),
        (case.has_people, "A statement asked for (MG11)", papers, new(forms.statement_form)),
        (case.statements, "A statement received, checked, returned or sent", papers, statement),
        (
            case.has_people,
            "A statement meeting arranged (release from duty)",
            papers,
            new(forms.meeting_form),
        ),
        (case.meetings_open, "A statement meeting updated or held", papers, meeting),
        (True, "A medical disclaimer issued", papers, new(forms.disclaimer_form)),
        (case.disclaimers, "A medical disclaimer returned, refused or sent", papers, disclaimer),
        (True, "A CPS action", papers, new(forms.cps_form)),
        (case.cps_open, "A CPS action done", papers, cps_done),
        (case.templates, "A letter or e-mail sent (from a template)", papers, letter),
        (True, "A document attached (a file)", papers, new(forms.document_form)),
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
            f"Add to {reference}: people and papers",
            [(words, index) for index, (words, _tab, _run) in enumerate(offered)],
        ),
        chosen,
    )
