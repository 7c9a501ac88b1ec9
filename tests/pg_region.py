"""A regional PostgreSQL database for the server tests: a throwaway database on the server
named by ``CIPCO_TEST_PG`` (a superuser URL, e.g. postgresql://postgres@/postgres?host=/tmp/pg),
with cipco's roles, tables and row-level security. Tests using it are skipped, saying so,
when no server is given."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from sqlalchemy import Engine

from cipco import pg_security
from cipco.pg_security import Region

PG_ENV = "CIPCO_TEST_PG"


def admin_url() -> str:
    url = os.environ.get(PG_ENV, "")
    if not url:
        pytest.skip(f"PostgreSQL server tests skipped: set {PG_ENV} to a superuser URL")
    return url


@dataclass
class RegionDb:
    admin: str  # superuser URL of the test database
    region: Region

    def url(self, name: str) -> str:
        """The database's URL as login ``name`` (the server trusts its local socket)."""
        from sqlalchemy.engine import make_url

        url = make_url(pg_security.driver_url(self.admin)).set(username=name)
        return url.set(drivername="postgresql").render_as_string(hide_password=False)

    def login(self, name: str) -> Engine:
        """A plain engine as ``name`` (raw SQL)."""
        return pg_security.admin_engine(self.url(name))

    def cipco(self, name: str) -> Engine:
        """cipco's own engine as ``name``, as a coordinator's cipco opens the server."""
        from cipco.config import ServerDb
        from cipco.datafile import open_database
        from cipco.dbfile import Access

        return open_database(ServerDb(self.url(name)), Access.WRITE).engine


def make_region_db(
    sites: dict[str, tuple[str, ...]], regional: dict[str, tuple[str, ...]]
) -> Iterator[RegionDb]:
    """A new database set up as ``cipco server init --run`` does (roles, migrations as the
    owner, row-level security, site rows); dropped afterwards."""
    from cipco.services.regional_setup import init_server

    admin = admin_url()
    name = f"cipco_test_{uuid.uuid4().hex[:10]}"
    region = Region(database=name, owner="cipco_test_owner", sites=sites, regional=regional)
    init_server(admin, region)
    try:
        yield RegionDb(pg_security.with_database(admin, name), region)
    finally:
        root = pg_security.admin_engine(admin, autocommit=True)
        with root.connect() as connection:
            connection.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        root.dispose()
