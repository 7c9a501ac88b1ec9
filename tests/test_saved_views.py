"""Saved views: a list's queue, filter and sort under a name, kept in the data file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session
from textual.widgets import Input

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import read_scope, session_scope
from cipco.screens.referrals import ReferralsScreen
from cipco.services.errors import RecordError
from cipco.services.paging import PageQuery
from cipco.services.views import delete_view, list_views, save_view
from tests.factories import new_referral
from tests.tui_helpers import SMALL, screen_text, settle, wait_for


def test_a_view_is_kept_replaced_by_name_and_checked(session: Session, clock: FixedClock) -> None:
    query = PageQuery(text="spice", queue="to_refer", sort="next_due", descending=True)
    view = save_view(session, "referrals", "  My   spice ", query, clock, "tester")
    assert (view.name, view.queue, view.text, view.sort, view.descending) == (
        "My spice",
        "to_refer",
        "spice",
        "next_due",
        True,
    )
    again = save_view(session, "referrals", "My spice", PageQuery(text="kettle"), clock)
    assert again.id == view.id and again.queue is None and again.text == "kettle"
    assert [v.name for v in list_views(session, "referrals")] == ["My spice"]
    for log, name, bad, field in (
        ("nowhere", "x", PageQuery(), "log"),
        ("referrals", "   ", PageQuery(), "name"),
        ("referrals", "x", PageQuery(queue="bogus"), "queue"),
        ("referrals", "x", PageQuery(sort="description; DROP"), "sort"),
        ("referrals", "x" * 61, PageQuery(), "name"),
    ):
        with pytest.raises(RecordError) as refused:
            save_view(session, log, name, bad, clock)
        assert refused.value.field == field
    delete_view(session, view.id)
    assert list_views(session) == []


async def test_a_saved_view_restores_queue_filter_and_sort_after_restart(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    with session_scope(engine, actor="t", clock=clock) as session:
        new_referral(session, clock, description="Spice in a kettle")
        new_referral(session, clock, nomis="D4567EF", name="GREEN, Lee", description="Fight")
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, start="referrals")
    async with app.run_test(size=SMALL, notifications=True) as pilot:
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, ReferralsScreen)
        await pilot.press("right_square_bracket", "right_square_bracket")  # the To refer queue
        await pilot.press("slash", *"kettle", "enter")
        await wait_for(pilot, lambda: screen.records.query_state.text == "kettle")
        screen.records.sort_by("next_due")
        await settle(pilot)
        await pilot.press("b")
        await wait_for(pilot, lambda: "Save this view" in screen_text(app))
        await pilot.press(*"Kettles", "enter")
        await wait_for(
            pilot, lambda: any("View 'Kettles' saved" in str(n.message) for n in app._notifications)
        )
        saved = screen.records.query_state
    with read_scope(engine) as session:
        (view,) = list_views(session)
    assert (view.queue, view.text, view.sort) == (saved.queue, "kettle", "next_due")
    assert view.queue == "to_refer"

    app = CipcoApp(db_path, clock=clock)  # a new start: on home
    async with app.run_test(size=SMALL) as pilot:
        await settle(pilot)
        await pilot.press("ctrl+p", *"View Kettles")
        await wait_for(pilot, lambda: "View Kettles · Referrals" in screen_text(app))
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ReferralsScreen))
        screen = app.screen
        assert isinstance(screen, ReferralsScreen)
        await wait_for(pilot, lambda: screen.records.query_state.text == "kettle")
        state = screen.records.query_state
        assert (state.queue, state.sort, state.descending) == ("to_refer", "next_due", False)
        assert screen.query_one("#filter", Input).value == "kettle"
        await wait_for(
            pilot, lambda: "1 of 1" in screen_text(app) or "1 referral" in screen_text(app)
        )
