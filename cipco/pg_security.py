"""Who may see and change which site's rows on a regional PostgreSQL server.

This module (with :mod:`cipco.db` and the migrations) holds SQL strings: the roles a region
creates and the row-level security every site-owned table carries.

The model, enforced by the database itself:

- an **owner** role owns the tables and runs the migrations (``cipco server migrate``); it is
  the only role that writes the reference lists and the only one with a policy that sees
  every row;
- each site has a NOLOGIN **site role** ``cipco_site_<code>``; a coordinator's login is a
  member of it (and of ``cipco_writer``, which holds the table privileges). A login sees and
  writes only rows whose ``site`` is a site it is a member of;
- a **regional role** is a login that is a member of ``cipco_read_<code>`` for each site
  granted to it (and of ``cipco_reader``, which holds SELECT only): it reads those sites and
  can write nothing.

The site a login works for is therefore its role membership, which only a role with
CREATEROLE (the region's administrator) can change: a coordinator cannot name itself another
site's (there is no session variable to set). Every table with a ``site`` column gets ROW
LEVEL SECURITY with FORCE (so even the table owner goes through the policies) and the same
four policies; :func:`secure_tables` is run by the migration that introduced it and again
after every ``cipco server migrate``, so a table a later migration adds is covered too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, create_engine, event, text

OWNER_DEFAULT = "cipco_owner"
DATABASE_DEFAULT = "cipco"
WRITER = "cipco_writer"
READER = "cipco_reader"
SITE_PREFIX = "cipco_site_"
READ_PREFIX = "cipco_read_"
SITES_FUNCTION = "cipco_sites"
SETUP_LOCK = 0x43495053  # "CIPS": one region set-up at a time on a server
POLICIES = ("cipco_read", "cipco_insert", "cipco_update", "cipco_delete", "cipco_owner")

_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")
_CODE = re.compile(r"^[A-Z0-9]{2,8}$")


class RoleError(ValueError):
    """A role, database or site name that cannot be used; the message says which and why."""


def check_name(name: str, what: str) -> str:
    """``name`` if it is a plain PostgreSQL identifier (lower case, digits, ``_``)."""
    if not _NAME.match(name or ""):
        raise RoleError(
            f"{what} '{name}' is not usable: use lower-case letters, digits and _ "
            "(up to 63, not starting with a digit)"
        )
    return name


def check_code(code: str) -> str:
    code = (code or "").strip().upper()
    if not _CODE.match(code):
        raise RoleError(f"site '{code}' is not a prison code (2 to 8 letters or digits, e.g. LEI)")
    return code


def site_role(code: str) -> str:
    return SITE_PREFIX + check_code(code).lower()


def read_role(code: str) -> str:
    return READ_PREFIX + check_code(code).lower()


# ---------------------------------------------------------------- the region's plan


@dataclass(frozen=True)
class Region:
    """What ``cipco server init`` sets up: a database, its owner, site logins, regional roles."""

    database: str = DATABASE_DEFAULT
    owner: str = OWNER_DEFAULT
    sites: dict[str, tuple[str, ...]] = field(default_factory=dict)  # code -> logins
    regional: dict[str, tuple[str, ...]] = field(default_factory=dict)  # login -> codes

    def check(self) -> None:
        check_name(self.database, "database")
        check_name(self.owner, "owner role")
        seen: dict[str, str] = {self.owner: "the owner"}
        for code, logins in self.sites.items():
            check_code(code)
            if not logins:
                raise RoleError(f"site {code} has no login")
            for login in logins:
                check_name(login, f"login of site {code}")
                if login in seen:
                    raise RoleError(f"login '{login}' is named twice ({seen[login]}, {code})")
                seen[login] = f"site {code}"
        for login, codes in self.regional.items():
            check_name(login, "regional role")
            if login in seen:
                raise RoleError(f"regional role '{login}' is already {seen[login]}")
            seen[login] = "a regional role"
            for code in codes:
                check_code(code)
        for name in seen:
            if name.startswith(("cipco_site_", "cipco_read_")) or name in (WRITER, READER):
                raise RoleError(f"'{name}' is a name cipco keeps for its own roles")


def _create_role(name: str, options: str) -> str:
    return (
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = "
        f"'{name}') THEN CREATE ROLE {name} {options}; END IF; END $$;"
    )


def cluster_sql(region: Region) -> list[str]:
    """Roles (run by a role with CREATEROLE, e.g. the postgres superuser). Safe to re-run."""
    region.check()
    out = [
        "-- Roles: the owner (runs `cipco server migrate`), site roles and logins, readers.",
        _create_role(region.owner, "LOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS"),
        _create_role(WRITER, "NOLOGIN"),
        _create_role(READER, "NOLOGIN"),
    ]
    codes = sorted(set(region.sites) | {c for cs in region.regional.values() for c in cs})
    for code in codes:
        out.append(_create_role(site_role(code), f"NOLOGIN IN ROLE {WRITER}"))
        out.append(_create_role(read_role(code), f"NOLOGIN IN ROLE {READER}"))
    for code, logins in sorted(region.sites.items()):
        for login in logins:
            out.append(_create_role(login, "LOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS"))
            out.append(f"GRANT {site_role(code)} TO {login};")
    for login, granted in sorted(region.regional.items()):
        out.append(_create_role(login, "LOGIN NOSUPERUSER NOCREATEROLE NOBYPASSRLS"))
        out.extend(f"GRANT {read_role(code)} TO {login};" for code in sorted(granted))
    return out


def database_sql(region: Region) -> str:
    """Creates the database (cannot run inside a transaction or a DO block)."""
    return (
        f"CREATE DATABASE {region.database} OWNER {region.owner} "
        "ENCODING 'UTF8' TEMPLATE template0;"
    )


def inside_sql(region: Region) -> list[str]:
    """Run in the new database (as its owner or a superuser), before the migrations."""
    return [
        f"REVOKE ALL ON DATABASE {region.database} FROM PUBLIC;",
        f"GRANT CONNECT ON DATABASE {region.database} TO {WRITER}, {READER};",
        f"ALTER SCHEMA public OWNER TO {region.owner};",
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
    ]


def sites_sql(codes: Iterable[str]) -> list[str]:
    """The site rows (as the owner, after the migrations): each site's name from the list."""
    return [
        "INSERT INTO site (code, name, assigned_at) SELECT "
        f"'{check_code(code)}', coalesce((SELECT name FROM prison WHERE code = "
        f"'{check_code(code)}'), ''), now() ON CONFLICT (code) DO NOTHING;"
        for code in sorted(codes)
    ]


# ---------------------------------------------------------------- row-level security

_SITES_BODY = f"""
CREATE OR REPLACE FUNCTION {SITES_FUNCTION}(writable boolean) RETURNS text[]
LANGUAGE sql STABLE AS $$
    SELECT coalesce(array_agg(upper(substr(r.rolname, 12)) ORDER BY r.rolname), '{{}}')
    FROM pg_roles r
    WHERE (r.rolname LIKE 'cipco\\_site\\_%'
           OR (NOT writable AND r.rolname LIKE 'cipco\\_read\\_%'))
      AND pg_has_role(current_user, r.oid, 'MEMBER')
$$
"""


def _policies(table: str, column: str) -> list[str]:
    # The sites are worked out once per statement (an InitPlan), not once per row.
    readable = f"{column}::text = ANY ((SELECT {SITES_FUNCTION}(false))::text[])"
    writable = f"{column}::text = ANY ((SELECT {SITES_FUNCTION}(true))::text[])"
    out = [f"DROP POLICY IF EXISTS {name} ON {table}" for name in POLICIES]
    out += [
        f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
        f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY",
        f"CREATE POLICY cipco_read ON {table} FOR SELECT USING ({readable})",
        f"CREATE POLICY cipco_insert ON {table} FOR INSERT WITH CHECK ({writable})",
        f"CREATE POLICY cipco_update ON {table} FOR UPDATE USING ({writable}) "
        f"WITH CHECK ({writable})",
        f"CREATE POLICY cipco_delete ON {table} FOR DELETE USING ({writable})",
        f"CREATE POLICY cipco_owner ON {table} TO CURRENT_USER USING (true) WITH CHECK (true)",
    ]
    return out


def site_columns(connection: Connection) -> list[tuple[str, str]]:
    """(table, column) for every table of the schema whose rows belong to a site."""
    rows = connection.execute(
        text(
            "SELECT c.table_name, c.column_name FROM information_schema.columns c "
            "JOIN information_schema.tables t ON t.table_schema = c.table_schema "
            "AND t.table_name = c.table_name AND t.table_type = 'BASE TABLE' "
            "WHERE c.table_schema = current_schema() AND "
            "(c.column_name = 'site' OR (c.table_name = 'site' AND c.column_name = 'code')) "
            "ORDER BY c.table_name"
        )
    )
    return [(str(table), str(column)) for table, column in rows]


def secure_tables(connection: Connection) -> list[str]:
    """Row-level security on every site-owned table, and the grants; returns the tables.

    Runs as the tables' owner (their policies give that role every row). Idempotent.
    """
    connection.execute(text(_SITES_BODY))
    secured = site_columns(connection)
    for table, column in secured:
        for statement in _policies(table, column):
            connection.execute(text(statement))
    grants(connection, [table for table, column in secured if table != "site"])
    return [table for table, _ in secured]


def _role_exists(connection: Connection, name: str) -> bool:
    found = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :n"), {"n": name})
    return found.first() is not None


def grants(connection: Connection, site_tables: Sequence[str]) -> None:
    """Readers read every table; writers also write the site-owned ones (RLS decides which
    rows). Skipped for a group role the server does not have yet (``server init`` makes it)."""
    readers = [name for name in (WRITER, READER) if _role_exists(connection, name)]
    if not readers:
        return
    joined = ", ".join(readers)
    statements = [
        f"GRANT USAGE ON SCHEMA public TO {joined}",
        f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {joined}",
        f"GRANT EXECUTE ON FUNCTION {SITES_FUNCTION}(boolean) TO {joined}",
    ]
    if WRITER in readers:
        statements.append(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {WRITER}")
        statements.extend(
            f"GRANT INSERT, UPDATE, DELETE ON {table} TO {WRITER}" for table in site_tables
        )
    for statement in statements:
        connection.execute(text(statement))


def visible_sites(connection: Connection) -> tuple[list[str], list[str]]:
    """(sites this login reads, sites it writes), as the database decides them."""
    read = connection.execute(text(f"SELECT {SITES_FUNCTION}(false)")).scalar_one()
    write = connection.execute(text(f"SELECT {SITES_FUNCTION}(true)")).scalar_one()
    return list(read or []), list(write or [])


def security_report(connection: Connection) -> list[tuple[str, bool, bool, int]]:
    """(table, RLS on, forced, policies) for every site-owned table: what a check prints."""
    rows = connection.execute(
        text(
            "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
            "(SELECT count(*) FROM pg_policy p WHERE p.polrelid = c.oid) "
            "FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
            "AND c.relname = ANY(:names) ORDER BY c.relname"
        ),
        {"names": [table for table, _ in site_columns(connection)]},
    )
    return [(str(a), bool(b), bool(c), int(d)) for a, b, c, d in rows]


# ---------------------------------------------------------------- connecting for set-up


def driver_url(url: str) -> str:
    """``postgresql://…`` as SQLAlchemy's psycopg 3 URL."""
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    raise RoleError("expected a postgresql:// URL, e.g. postgresql://cipco_owner@dbhost/cipco")


def with_database(url: str, database: str) -> str:
    """``url`` pointing at ``database`` instead (same login, host and options)."""
    from sqlalchemy.engine import make_url

    return make_url(driver_url(url)).set(database=database).render_as_string(hide_password=False)


def admin_engine(url: str, *, role: str | None = None, autocommit: bool = False) -> Engine:
    """An engine for setting the server up; ``role`` is taken (SET ROLE) on every connection,
    so a superuser can create the tables as their owner."""
    engine = create_engine(
        driver_url(url),
        hide_parameters=True,
        isolation_level="AUTOCOMMIT" if autocommit else "READ COMMITTED",
    )
    if role is not None:
        name = check_name(role, "role")

        @event.listens_for(engine, "connect")
        def _set_role(dbapi_connection: Any, _record: Any) -> None:
            with dbapi_connection.cursor() as cursor:
                cursor.execute(f"SET ROLE {name}")
            dbapi_connection.commit()

    return engine


def run_cluster(engine: Engine, region: Region) -> bool:
    """The roles and the database (autocommit engine); True if the database was made now."""
    with engine.connect() as connection:
        # Two set-ups at once (or a test run in parallel) would race to create a role.
        connection.execute(text(f"SELECT pg_advisory_lock({SETUP_LOCK})"))
        for statement in cluster_sql(region):
            if not statement.startswith("--"):
                connection.execute(text(statement))
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": region.database}
        ).first()
        if exists is None:
            connection.execute(text(database_sql(region)))
        connection.execute(text(f"SELECT pg_advisory_unlock({SETUP_LOCK})"))
    return exists is None


def run_inside(connection: Connection, region: Region) -> None:
    for statement in inside_sql(region):
        connection.execute(text(statement))


def add_site_rows(connection: Connection) -> list[str]:
    """A ``site`` row for every site role the server has (names from the prison list)."""
    codes = [
        str(name)[len(SITE_PREFIX) :].upper()
        for (name,) in connection.execute(
            text("SELECT rolname FROM pg_roles WHERE rolname LIKE 'cipco\\_site\\_%'")
        )
    ]
    for statement in sites_sql(codes):
        connection.execute(text(statement))
    return sorted(codes)


def owner_problem(connection: Connection) -> str | None:
    """Why this login cannot run the migrations (None: it owns the tables, or may own them).

    Only the tables' owner (or a superuser) changes the schema; a coordinator's login is
    told so before anything is tried."""
    row = connection.execute(
        text(
            "SELECT current_user, (SELECT rolsuper FROM pg_roles WHERE rolname = current_user), "
            "(SELECT tableowner FROM pg_tables WHERE schemaname = current_schema() "
            "AND tablename = 'alembic_version')"
        )
    ).one()
    login, superuser, owner = str(row[0]), bool(row[1]), row[2]
    if superuser or owner is None or owner == login:
        return None
    return (
        f"{login} does not own the tables ({owner} does): run cipco server migrate as "
        f"postgresql://{owner}@…; coordinators' logins never change the schema"
    )


def current_login(connection: Connection) -> str:
    return str(connection.execute(text("SELECT current_user")).scalar_one())


def script(region: Region) -> str:
    """The set-up as one psql script (run as a superuser: ``psql -f``)."""
    lines = [
        "-- cipco regional server set-up. Run as a superuser (or a role with CREATEROLE and",
        "-- CREATEDB): psql -v ON_ERROR_STOP=1 -d postgres -f this-file.sql",
        *cluster_sql(region),
        "",
        "-- The database, owned by the owner role (skipped if it exists).",
        "SELECT '" + database_sql(region)[:-1].replace("'", "''") + "' WHERE NOT EXISTS "
        f"(SELECT FROM pg_database WHERE datname = '{region.database}')\\gexec",
        f"\\connect {region.database}",
        *inside_sql(region),
        "",
        "-- Then create the tables and their row-level security as the owner:",
        f"--   cipco server migrate postgresql://{region.owner}@HOST/{region.database}",
        "-- and give every login a password: ALTER ROLE name PASSWORD '…' (or \\password name).",
    ]
    return "\n".join(lines) + "\n"
