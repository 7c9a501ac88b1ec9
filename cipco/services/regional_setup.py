"""Setting up a regional PostgreSQL server: ``cipco server init`` and ``cipco server migrate``.

``init`` creates the roles (owner, site roles and their logins, regional readers) and the
database, then migrates it as the owner; ``migrate`` brings the tables up to this cipco's
schema as the owner, seeds the reference lists, puts row-level security on every
site-owned table and adds a ``site`` row for each site role. Coordinators never migrate:
their logins cannot (they own nothing), and cipco does not try at their start.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlmodel import Session

from cipco import pg_security
from cipco.pg_security import Region


@dataclass(frozen=True)
class Migrated:
    login: str
    revision: str | None
    secured: list[str]  # tables with row-level security (FORCE)
    sites: list[str]  # site codes with a site row


def migrate_engine(engine: Engine) -> Migrated:
    """Migrate, seed, secure and add the sites, as the login ``engine`` connects with."""
    from cipco.datafile import migrate_server as upgrade
    from cipco.services.reference import seed_reference_data

    with engine.connect() as connection:
        problem = pg_security.owner_problem(connection)
    if problem is not None:
        raise pg_security.RoleError(problem)
    _, revision = upgrade(engine)
    with Session(engine) as session:
        seed_reference_data(session)
        session.commit()
    with engine.begin() as connection:
        secured = pg_security.secure_tables(connection)
        sites = pg_security.add_site_rows(connection)
        login = pg_security.current_login(connection)
    return Migrated(login, revision, secured, sites)


def migrate_server(url: str) -> Migrated:
    """``cipco server migrate URL``: ``URL`` logs in as the tables' owner."""
    engine = pg_security.admin_engine(url)
    try:
        return migrate_engine(engine)
    finally:
        engine.dispose()


def init_server(admin_url: str, region: Region) -> tuple[bool, Migrated]:
    """``cipco server init --run URL``: as a superuser, make the roles and the database, then
    migrate it as the owner. Returns whether the database was new, and the migration."""
    region.check()
    engine = pg_security.admin_engine(admin_url, autocommit=True)
    try:
        created = pg_security.run_cluster(engine, region)
    finally:
        engine.dispose()
    inside = pg_security.with_database(admin_url, region.database)
    engine = pg_security.admin_engine(inside)
    try:
        with engine.begin() as connection:
            pg_security.run_inside(connection, region)
    finally:
        engine.dispose()
    engine = pg_security.admin_engine(inside, role=region.owner)
    try:
        return created, migrate_engine(engine)
    finally:
        engine.dispose()
