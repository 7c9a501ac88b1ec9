"""Shared fixtures: a frozen clock, a fresh 0600 SQLite file per test, no real home dir."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlmodel import Session

from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.services.bootstrap import prepare
from cipco.services.site import assign_site

# Wednesday 18 November 2026, 10:00 UTC (10:00 in London).
FROZEN_AT = datetime(2026, 11, 18, 10, 0, tzinfo=UTC)
TEST_SITE = "LEI"


@pytest.fixture(autouse=True)
def _isolated_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing a test does touches the real user's data, config or exports."""
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("XDG_DATA_HOME", str(home / "data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / "config"))
    monkeypatch.setenv("CIPCO_ACTOR", "tester")
    monkeypatch.delenv("CIPCO_DB", raising=False)
    monkeypatch.chdir(tmp_path)


@pytest.fixture
def clock() -> FixedClock:
    return FixedClock(FROZEN_AT)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "cipco.db"


@pytest.fixture(scope="session")
def _template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One migrated, seeded file per test run; each test gets its own copy."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = prepare(path)
    with session_scope(engine, actor="cipco") as session:
        assign_site(session, TEST_SITE, FixedClock(FROZEN_AT))
    engine.dispose()
    return path


@pytest.fixture
def engine(db_path: Path, _template_db: Path) -> Iterator[Engine]:
    shutil.copyfile(_template_db, db_path)
    os.chmod(db_path, 0o600)
    engine = prepare(db_path)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine, clock: FixedClock) -> Iterator[Session]:
    """One unit of work, committed at the end of the test (like a real save)."""
    with session_scope(engine, actor="tester", clock=clock) as session:
        yield session


@pytest.fixture
def demo_db(tmp_path: Path, clock: FixedClock) -> Path:
    """A file with 300 demo referrals (and every log's demo data)."""
    from cipco.services import demo

    path = tmp_path / "demo.db"
    engine = prepare(path)
    with session_scope(engine, actor="cipco") as s:
        assign_site(s, TEST_SITE, clock)
    engine.dispose()  # every connection closed: the file alone holds the data when copied
    engine = prepare(path)
    with session_scope(engine, actor="cipco demo", clock=clock) as s:
        demo.generate(s, clock, referrals=300, seed=7)
    engine.dispose()
    return path
