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


def entries(
    referral_id: int, case: Casework
) -> list[tuple[str, str, Callable[[RecordPage], None]]]:
    """(words, tab, what it opens) for each entry the menu offers now."""
    found: list[tuple[str, str, Callable[[RecordPage], None]]] = [
        (
            "A victim or witness on the case",
            PEOPLE_TAB,
            lambda page: page.open_form(forms.person_form(referral_id)),
        )
    ]
    if case.has_people:
        found += [
            (
                "A contact logged (tells a victim: R7)",
                PEOPLE_TAB,
                lambda page: page.open_form(forms.contact_form(referral_id)),
            ),
            (
                "A statement asked for (MG11)",
                PAPERS_TAB,
                lambda page: page.open_form(forms.statement_form(referral_id)),
            ),
        ]
    if case.statements:
        found.append(
            (
                "A statement received, checked, returned or sent",
                PAPERS_TAB,
                lambda page: _pick(
                    page, "Which statement?", case.statements, forms.statement_step_form
                ),
            )
        )
    found.append(
        (
            "A medical disclaimer issued",
            PAPERS_TAB,
            lambda page: page.open_form(forms.disclaimer_form(referral_id)),
        )
    )
    if case.disclaimers:
        found.append(
            (
                "A medical disclaimer returned, refused or sent",
                PAPERS_TAB,
                lambda page: _pick(
                    page, "Which disclaimer?", case.disclaimers, forms.disclaimer_step_form
                ),
            )
        )
    found.append(
        (
            "A CPS action",
            PAPERS_TAB,
            lambda page: page.open_form(forms.cps_form(referral_id)),
        )
    )
    if case.cps_open:
        words = dict((record_id, label) for label, record_id in case.cps_open)
        found.append(
            (
                "A CPS action done",
                PAPERS_TAB,
                lambda page: _pick(
                    page,
                    "Which CPS action is done?",
                    case.cps_open,
                    lambda action_id: forms.cps_done_form(action_id, words[action_id]),
                ),
            )
        )
    found.append(
        (
            "A document attached (a file)",
            PAPERS_TAB,
            lambda page: page.open_form(forms.document_form(referral_id)),
        )
    )
    return found


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
