"""Every main screen at 80x24 and 160x48, on demo data, asserting what a user reads there:
the header's marking, the log bar, the footer's keys, the record's own text; every field of
every form reachable and drawn."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlmodel import Session

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.clinic import AgendaItem, Clinic
from cipco.models.exhibit import Exhibit
from cipco.models.mg4d import ChargePapers, ServiceEvent
from cipco.models.people import Prisoner
from cipco.models.person import PersonOfInterest
from cipco.models.referral import Referral
from cipco.screens.record_form import RecordForm
from tests.tui_helpers import (
    LARGE,
    SMALL,
    demo_copy_fixture,  # noqa: F401 - a fixture
    demo_template_fixture,  # noqa: F401 - a fixture
    screen_text,
    settle,
    wait_for,
    walk_form,
)

SIZES = [SMALL, LARGE]
# every log and Home by its key at 80 columns; Region too from 96
LOG_BAR = "0 Home 1 Referrals 2 Clinics 3 Exhibits 4 MG4D 5 Persons 6 Actions 9 Settings"
WIDE_LOG_BAR = (
    "0 Home  1 Referrals  2 Clinics  3 Exhibits  4 MG4D  5 Persons  6 Actions  7 Region  9 Settings"
)


def app_for(path: Path, clock: FixedClock) -> CipcoApp:
    return CipcoApp(path, clock=clock, start="referrals", poll_seconds=3600)


def assert_frame(text: str, *, export: bool = False) -> None:
    first = text.splitlines()[0]
    assert "OFFICIAL-SENSITIVE" in first, first
    assert (WIDE_LOG_BAR if len(text.splitlines()[0]) >= 96 else LOG_BAR) in text
    footer = text.splitlines()[-1]
    assert "? Help" in footer and "^q Quit" in footer, footer
    if export:
        assert "x Export" in footer, footer


# ---------------------------------------------------------------- lists


@dataclass(frozen=True)
class ListCase:
    key: str
    where: str
    must_show: tuple[str, ...]  # headers, tabs, status words that must be on screen at any size
    export: bool = True

    def __str__(self) -> str:
        return self.where


LISTS = [
    ListCase(
        "1", "Referrals", ("Reference", "Status", "Next due", "Overdue (", "of 300 referrals")
    ),
    ListCase("2", "Clinics", ("Date", "Clinic", "Status", "Next clinic on the cadence")),
    ListCase("3", "Exhibits", ("Exhibit", "Holder", "State", " exhibits  ")),
    ListCase("4", "MG4D", ("Prison no", "State", "1st hearing", "awaiting service")),
    ListCase("5", "Persons", ("Prison no", "Name", "Flags", "persons")),
    ListCase("6", "Actions", ("Action", "Owner", "Status", "shown", "Overdue (")),
    ListCase("9", "Settings", ("These defaults are local practice", "CCTV/BWV"), export=False),
]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("case", LISTS, ids=str)
async def test_each_list_at_each_size(
    case: ListCase, size: tuple[int, int], demo_copy: Path, clock: FixedClock
) -> None:
    app = app_for(demo_copy, clock)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        await pilot.press(case.key)
        await settle(pilot)
        text = screen_text(app)
        assert f"OFFICIAL-SENSITIVE — cipco · {case.where}" in text
        assert_frame(text, export=case.export)
        for words in case.must_show:
            assert words in text, (words, text)
        records = app.screen.query("#records")
        if records:
            table: Any = records.first()
            if table.rows:  # the first row's own text is on screen
                cells = table._row_cells(table.rows[0])
                assert cells[table.shown[0]].plain[:6] in text
            else:
                assert table.empty_message[:30] in text


# ---------------------------------------------------------------- record pages


@dataclass(frozen=True)
class Ids:
    referral: int
    reference: str
    nomis: str
    exhibit: int
    exhibit_ref: str
    holder: str
    papers: int
    served_papers: int
    person: int
    person_nomis: str
    prisoner: int
    clinic: int
    item: int


def ids_of(path: Path) -> Ids:
    from cipco.services.bootstrap import prepare

    engine = prepare(path)
    with session_scope(engine) as s:
        referral = s.scalars(select(Referral).order_by(Referral.id)).first()
        exhibit = s.scalars(select(Exhibit).where(Exhibit.state == "held")).first()
        served = s.scalar(select(ServiceEvent.papers_id))
        papers = s.scalars(select(ChargePapers).order_by(ChargePapers.id.desc())).first()
        person = s.scalars(select(PersonOfInterest)).first()
        assert referral and exhibit and served and papers and person
        prisoner = _get(s, Prisoner, person.prisoner_id)
        clinic = s.scalars(select(Clinic).where(Clinic.status != "closed")).first()
        assert clinic is not None
        item = s.scalars(select(AgendaItem).where(AgendaItem.clinic_id == clinic.id)).first()
        assert item is not None
        ids = Ids(
            referral.id,  # type: ignore[arg-type]
            referral.reference,
            _get(s, Prisoner, referral.prisoner_id).nomis_number,
            exhibit.id,  # type: ignore[arg-type]
            exhibit.reference,
            exhibit.holder,
            papers.id,  # type: ignore[arg-type]
            served,
            person.id,  # type: ignore[arg-type]
            prisoner.nomis_number,
            prisoner.id,  # type: ignore[arg-type]
            clinic.id,  # type: ignore[arg-type]
            item.id,  # type: ignore[arg-type]
        )
    engine.dispose()
    return ids


def _get(session: Session, model: Any, key: Any) -> Any:
    found = session.get(model, key)
    assert found is not None
    return found


@dataclass(frozen=True)
class PageCase:
    name: str
    open: Callable[[CipcoApp, Ids], None]
    must_show: Callable[[Ids], tuple[str, ...]]

    def __str__(self) -> str:
        return self.name


PAGES = [
    PageCase(
        "referral",
        lambda app, ids: app.open_referral(ids.referral),
        lambda ids: (ids.reference, "Summary", "Timeline", "History", "Category"),
    ),
    PageCase(
        "exhibit",
        lambda app, ids: app.open_exhibit(ids.exhibit),
        lambda ids: (ids.exhibit_ref, "State:", "SEIZED"),
    ),
    PageCase(
        "papers",
        lambda app, ids: app.open_papers(ids.served_papers),
        lambda ids: ("Charges:", "Court:", "Service events"),
    ),
    PageCase(
        "person",
        lambda app, ids: app.open_person(ids.person_nomis),
        lambda ids: (ids.person_nomis, "Person of interest", "Referrals"),
    ),
    PageCase(
        "clinic",
        lambda app, ids: app.open_clinic(ids.clinic),
        lambda ids: ("Crime clinic ·", "agenda items", "actions", "Present:"),
    ),
]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
@pytest.mark.parametrize("case", PAGES, ids=str)
async def test_each_record_page_at_each_size(
    case: PageCase, size: tuple[int, int], demo_copy: Path, clock: FixedClock
) -> None:
    ids = ids_of(demo_copy)
    app = app_for(demo_copy, clock)
    async with app.run_test(size=size) as pilot:
        await settle(pilot)
        case.open(app, ids)
        await settle(pilot)
        text = screen_text(app)
        assert_frame(text)
        assert "esc Back" in text.splitlines()[-1]
        for words in case.must_show(ids):
            assert words in text, (words, text)


# ---------------------------------------------------------------- forms


def _forms() -> list[tuple[str, Callable[[CipcoApp, Ids], RecordForm]]]:
    from cipco.screens import (
        clinic_forms,
        exhibit_forms,
        mg4d_forms,
        person_forms,
        referral_forms,
        settings,
    )

    return [
        ("referral new", lambda app, ids: referral_forms.referral_form(None)),
        ("referral edit", lambda app, ids: referral_forms.referral_form(ids.referral)),
        ("referral move", lambda app, ids: referral_forms.move_form(ids.referral)),
        ("referral follow-up", lambda app, ids: referral_forms.follow_up_form(ids.referral)),
        ("exhibit new", lambda app, ids: exhibit_forms.exhibit_form(app.clock)),
        *(
            (
                f"exhibit {kind}",
                lambda app, ids, kind=kind: exhibit_forms.event_form(
                    ids.exhibit, ids.exhibit_ref, ids.holder, kind, app.clock
                ),
            )
            for kind in exhibit_forms.EVENT_TITLES
        ),
        (
            "exhibit correction",
            lambda app, ids: exhibit_forms.correction_form(
                ids.exhibit, ids.exhibit_ref, [("1: seized", 1)]
            ),
        ),
        ("exhibit hold", lambda app, ids: exhibit_forms.flags_form(ids.exhibit)),
        ("mg4d papers", lambda app, ids: mg4d_forms.papers_form(clock=app.clock)),
        ("mg4d edit", lambda app, ids: mg4d_forms.papers_form(ids.papers, clock=app.clock)),
        ("mg4d serve", lambda app, ids: mg4d_forms.service_form(ids.papers)),
        (
            "mg4d correct",
            lambda app, ids: mg4d_forms.service_form(ids.served_papers, correcting=True),
        ),
        ("person new", lambda app, ids: person_forms.person_form(None)),
        ("person edit", lambda app, ids: person_forms.person_form(ids.person_nomis)),
        ("person order", lambda app, ids: person_forms.order_form(ids.person)),
        ("person trigger", lambda app, ids: person_forms.trigger_form(ids.person, app.clock)),
        ("person link", lambda app, ids: person_forms.association_form(ids.prisoner)),
        ("clinic item", lambda app, ids: clinic_forms.item_form(ids.clinic)),
        ("clinic note", lambda app, ids: clinic_forms.note_form(ids.clinic, ids.item, "Item")),
        ("clinic action", lambda app, ids: clinic_forms.action_form(ids.clinic)),
        ("clinic attendee", lambda app, ids: clinic_forms.attendee_form(ids.clinic)),
        ("settings", lambda app, ids: settings.settings_form()),
    ]


FORMS = _forms()


# The shared tests (test_tui_shared.py) already walk these five at 80x24.
SHARED = {"referral new", "exhibit new", "mg4d papers", "person new", "clinic action"}


@pytest.mark.parametrize("name,make", FORMS, ids=[name for name, _ in FORMS])
async def test_every_field_of_every_form_is_reachable_and_drawn(
    name: str,
    make: Callable[[CipcoApp, Ids], RecordForm],
    demo_copy: Path,
    clock: FixedClock,
) -> None:
    """At 80x24 and at 160x48: tab reaches every field, each drawn with its label."""
    ids = ids_of(demo_copy)
    app = app_for(demo_copy, clock)
    sizes = [LARGE] if name in SHARED else [SMALL, LARGE]
    async with app.run_test(size=sizes[0]) as pilot:
        await settle(pilot)
        form = make(app, ids)
        app.push_screen(form)
        await wait_for(pilot, lambda: form.ready)
        for size in sizes:
            await pilot.resize_terminal(*size)
            form.focus_first()
            await settle(pilot)
            text = screen_text(app)
            assert "OFFICIAL-SENSITIVE" in text.splitlines()[0]
            footer = text.splitlines()[-1]
            saves = f"^s {form.spec.save_label}"  # Save, Move, Record… as its button says
            assert saves in footer and "esc Cancel" in footer, footer
            await walk_form(pilot, form)
