"""A list's `/` filter paints its rows first and its queue counts after: the totals read from
the search index and the counts without joins agree with the list's own query, and the
status line and tabs follow (the log's size too, when another window adds a record)."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input, Tab

from cipco.app import CipcoApp
from cipco.clock import FixedClock
from cipco.db import read_scope, session_scope
from cipco.services.logspec import spec
from cipco.services.paging import PageQuery, count_of
from cipco.widgets.record_table import RecordTable
from tests.factories import new_referral
from tests.tui_helpers import (
    demo_copy_fixture,  # noqa: F401 - a fixture
    demo_template_fixture,  # noqa: F401 - a fixture
    screen_text,
    settle,
    wait_for,
)

SIZE = (140, 45)
TEXTS = ("a", "a1", "smith", "REF-2026-0", "phone charger", 'say "no"', "zzz-nothing", "  ")


def _listed(session: object, text: str, queue: str | None, clock: FixedClock) -> int:
    """How many rows the list's own query (joins and all) holds for this filter and queue."""
    service = spec("referrals").service
    query = PageQuery(text=text, queue=queue)
    return count_of(session, service.filtered(service.context(session, clock), query))  # type: ignore[arg-type]


def test_index_totals_and_joinless_queue_counts_match_the_list(
    demo_copy: Path, clock: FixedClock
) -> None:
    app = CipcoApp(demo_copy, clock=clock)
    service = spec("referrals").service
    with read_scope(app.engine, clock=clock) as session:
        for text in TEXTS:
            counts = service.counts(session, clock, text)
            assert counts["all"] == _listed(session, text, None, clock), text
            for queue in service.spec.queues:
                assert counts[queue.key] == _listed(session, text, queue.key, clock), (text, queue)
            quick = service.indexed_count(session, PageQuery(text=text))
            if text.strip():
                assert quick == counts["all"], text
            else:
                assert quick is None  # nothing typed: the counts give the total
        assert service.indexed_count(session, PageQuery(text="a", queue="closed")) is None
    app.engine.dispose()


def _tab(app: CipcoApp, key: str) -> str:
    return str(app.screen.query_one(f"#q-{key}", Tab).label)


async def test_the_tabs_and_the_log_size_follow_a_filter_and_another_windows_record(
    demo_copy: Path, clock: FixedClock
) -> None:
    app = CipcoApp(demo_copy, clock=clock, start="referrals", poll_seconds=0.2)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        await pilot.press("slash", *"smith")
        await wait_for(pilot, lambda: table.query_state.text == "smith")
        await settle(pilot)
        with read_scope(app.engine, clock=clock) as session:
            counts = spec("referrals").service.counts(session, clock, "smith")
        assert table.total == counts["all"]
        await wait_for(pilot, lambda: _tab(app, "all") == f"All ({counts['all']:,})")
        assert _tab(app, "closed") == f"Closed ({counts['closed']:,})"
        assert f"{counts['all']:,} of 300 referrals" in screen_text(app)
        app.screen.query_one("#filter", Input).value = "quentinzz"  # a name no one has yet
        await wait_for(pilot, lambda: table.query_state.text == "quentinzz")
        await wait_for(pilot, lambda: "0 of 300 referrals" in screen_text(app))
        with session_scope(app.engine, actor="other", clock=clock) as session:
            new_referral(session, clock, nomis="Q1234ZZ", name="QUENTINZZ, Ada")
        await wait_for(pilot, lambda: "1 of 301 referrals" in screen_text(app))
        await wait_for(pilot, lambda: _tab(app, "all") == "All (1)")
        assert [row.nomis_number for row in table.rows] == ["Q1234ZZ"]
