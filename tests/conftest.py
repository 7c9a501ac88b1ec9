"""Shared fixtures: a frozen clock, a fresh 0600 SQLite file per test, no real home dir.

Backends: the modules in :data:`BOTH_BACKENDS` run every test that uses ``engine`` (or
``session``) twice, on a SQLite file and on a fresh PostgreSQL database (a copy of a migrated
template: ``CREATE DATABASE … TEMPLATE``). The server is the one ``$CIPCO_TEST_PG`` names
(``make test`` starts a throwaway one with ``scripts/pg-test-server``); without it the
PostgreSQL runs are skipped, saying so.
"""

from __future__ import annotations

import itertools
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

ENV_PG = "CIPCO_TEST_PG"
# Data layer, services, import/export (services and commands), custody chain and concurrency:
# the same modules on both backends (the TUI's run on SQLite only: the screens read through
# the same services).
BOTH_BACKENDS = frozenset(
    {
        "test_backends",
        "test_chain_ledger",
        "test_chain_verify",
        "test_services_clinic",
        "test_services_exhibits",
        "test_services_flags",
        "test_services_impossible",
        "test_services_logspec",
        "test_services_mg4d",
        "test_services_persons",
        "test_services_referral_import",
        "test_services_referrals",
        "test_services_search",
        "test_services_due",
        "test_site",
        "test_spreadsheets_import",
        "test_spreadsheets_columns",
        "test_spreadsheets_exhibits",
        "test_measures",
        "test_saved_views",
        "test_regional",
        # Imports and exports, through the services and through the commands.
        "test_import_columns",
        "test_import_exhibit_batch",
        "test_import_exhibit_log",
        "test_import_mg4d_log",
        "test_import_persons_actions",
        "test_import_search_index",
        "test_spreadsheets_export",
        "test_spreadsheets_pipeline",
        "test_cli_spreadsheets",
        "test_cli_output_contract",
        "test_cli_clinic",
        "test_cli_exhibits",
        "test_cli_mg4d",
        "test_adversarial_import",
        "test_adversarial_export",
    }
)
_NO_SERVER = (
    f"no PostgreSQL server for the server tests (${ENV_PG} unset; make test starts one "
    "with scripts/pg-test-server when PostgreSQL is installed)"
)


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "backend" in metafunc.fixturenames:
        module = metafunc.module.__name__.rsplit(".", 1)[-1]
        chosen = any(
            "backend" in str(mark.args[0])
            for mark in metafunc.definition.iter_markers("parametrize")
        )
        if module in BOTH_BACKENDS and not chosen:
            metafunc.parametrize("backend", ["sqlite", "postgresql"], indirect=True)


def pytest_report_header(config: pytest.Config) -> str:
    url = os.environ.get(ENV_PG)
    return f"PostgreSQL tests: {'on ' + url if url else 'SKIPPED - ' + _NO_SERVER}"


@pytest.fixture
def backend(request: pytest.FixtureRequest) -> str:
    """ "sqlite", or "postgresql" for a module in BOTH_BACKENDS (skipped with no server)."""
    name = str(getattr(request, "param", "sqlite"))
    if name == "postgresql" and not os.environ.get(ENV_PG):
        pytest.skip(_NO_SERVER)
    return name


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
def db_path(tmp_path: Path, backend: str, request: pytest.FixtureRequest) -> Path:
    """The SQLite file, or (on the postgresql backend) the test's server database: a
    :class:`cipco.config.ServerDb` that stands where the path stands (``--db``, messages)."""
    if backend == "postgresql":
        from cipco.config import ServerDb

        return ServerDb(request.getfixturevalue("pg_database"))  # type: ignore[return-value]
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


class PgServer:
    """The test server: databases made from a migrated, seeded template, dropped after."""

    def __init__(self, url: str, worker: str) -> None:
        from sqlalchemy.engine import make_url

        self.base = make_url(url)
        self.prefix = f"cipco_{worker}_{os.getpid()}"
        self.template = f"{self.prefix}_template"
        self._numbers = itertools.count(1)

    def url(self, database: str) -> str:
        return self.base.set(database=database).render_as_string(hide_password=False)

    def _admin(self, sql: str) -> None:
        import psycopg

        with psycopg.connect(self.url(self.base.database or "postgres"), autocommit=True) as c:
            c.execute(sql)

    def build_template(self) -> None:
        from cipco.config import ServerDb
        from cipco.datafile import migrate_server

        self._admin(f'DROP DATABASE IF EXISTS "{self.template}"')
        self._admin(f'CREATE DATABASE "{self.template}"')
        migrate_server(self.url(self.template))
        engine = prepare(ServerDb(self.url(self.template)))
        with session_scope(engine, actor="cipco") as session:
            assign_site(session, TEST_SITE, FixedClock(FROZEN_AT))
        engine.dispose()

    def new_database(self) -> str:
        name = f"{self.prefix}_{next(self._numbers)}"
        self._admin(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"')
        return name

    def drop(self, name: str) -> None:
        self._admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def pg_server() -> Iterator[PgServer]:
    url = os.environ.get(ENV_PG)
    if not url:
        pytest.skip(_NO_SERVER)
    server = PgServer(url, os.environ.get("PYTEST_XDIST_WORKER", "main"))
    server.build_template()
    yield server
    server.drop(server.template)


@pytest.fixture
def pg_database(pg_server: PgServer) -> Iterator[str]:
    """The URL of a fresh database at this cipco's schema, seeded, site LEI."""
    name = pg_server.new_database()
    yield pg_server.url(name)
    pg_server.drop(name)


@pytest.fixture
def engine(backend: str, db_path: Path, request: pytest.FixtureRequest) -> Iterator[Engine]:
    if backend == "postgresql":
        engine = prepare(db_path)
    else:
        template = request.getfixturevalue("_template_db")
        shutil.copyfile(template, db_path)
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
