"""Every list sorts by every column it shows, both ways, on demo data."""

from __future__ import annotations

from pathlib import Path

import pytest

from cipco.clock import FixedClock
from cipco.db import read_scope
from cipco.services import logspec
from cipco.services.bootstrap import prepare
from cipco.services.paging import PageQuery
from tests.tui_helpers import (
    demo_copy_fixture,  # noqa: F401 - a fixture
    demo_template_fixture,  # noqa: F401 - a fixture
)

SCREENS = ("referrals", "clinics", "exhibits", "mg4d", "persons", "actions")
# Worked out in Python from several dates and orders, so not sortable in SQL.
COMPUTED = {("persons", "flags")}


@pytest.mark.parametrize("name", SCREENS)
def test_every_column_sorts_both_ways(name: str, demo_copy: Path, clock: FixedClock) -> None:
    spec = logspec.spec(name)
    engine = prepare(demo_copy)
    with read_scope(engine) as session:
        total = spec.service.page(session, PageQuery(limit=5), clock).total
        for column in spec.columns:
            if (name, column.key) in COMPUTED:
                assert not column.sortable
                continue
            assert column.sortable, f"{name}: {column.label} cannot be sorted"
            for descending in (False, True):
                query = PageQuery(sort=column.key, descending=descending, limit=500)
                page = spec.service.page(session, query, clock)
                assert page.total == total
                assert len(page.rows) == min(total, 500)
                attr = column.attr or column.key
                stored = attr in getattr(spec.row_type, "__dataclass_fields__", {})
                values = [getattr(r, attr, None) for r in page.rows]
                words = [v for v in values if isinstance(v, str) and v]
                if stored and column.text is None and len(words) == len(values):  # in order
                    assert words == sorted(words, reverse=descending), (name, column.key)
    engine.dispose()


def test_every_key_a_log_declares_does_something_on_its_list() -> None:
    import importlib

    from cipco.screens.log_screen import LogScreen
    from cipco.screens.registry import NAV

    for entry in NAV:
        module, _, name = entry.screen.partition(":")
        screen = getattr(importlib.import_module(module), name)
        if not issubclass(screen, LogScreen):
            continue
        for action in screen.VIEW.spec.keys:
            assert callable(getattr(screen, f"action_{action}", None)), (entry.mode, action)
