"""``cipco server init|migrate``: set up a regional PostgreSQL server (roles, row-level
security, the tables) and bring it up to this cipco's schema as the owner."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from cipco.cli import app
from cipco.cli.common import EXIT_USAGE, echo, fail

if TYPE_CHECKING:
    from cipco.pg_security import Region
    from cipco.services.regional_setup import Migrated

server_app = typer.Typer(help="Set up a regional PostgreSQL server: roles, security, schema.")
app.add_typer(server_app, name="server")


def _pairs(values: list[str], what: str) -> dict[str, tuple[str, ...]]:
    """``NAME=A,B`` options as {NAME: (A, B)}; ``NAME`` alone as {NAME: ()}."""
    found: dict[str, tuple[str, ...]] = {}
    for value in values:
        name, _, rest = value.partition("=")
        items = tuple(part.strip() for part in rest.split(",") if part.strip())
        if not name.strip():
            fail(f"{what} '{value}': expected NAME=A,B", EXIT_USAGE)
        found[name.strip()] = found.get(name.strip(), ()) + items
    return found


def _region(sites: list[str], regional: list[str], database: str, owner: str) -> Region:
    from cipco.pg_security import Region, RoleError

    site_logins = {
        code.upper(): logins or (f"{code.lower()}_coordinator",)
        for code, logins in _pairs(sites, "--site").items()
    }
    readers = {
        login: tuple(code.upper() for code in codes)
        for login, codes in _pairs(regional, "--regional").items()
    }
    region = Region(database=database, owner=owner, sites=site_logins, regional=readers)
    try:
        region.check()
    except RoleError as exc:
        fail(str(exc), EXIT_USAGE)
    return region


SiteOpt = Annotated[
    list[str],
    typer.Option(
        "--site",
        help="A site and its coordinators' logins: LEI=lei_anne,lei_bob (default login "
        "lei_coordinator). Repeat for each prison.",
    ),
]
RegionalOpt = Annotated[
    list[str],
    typer.Option(
        "--regional",
        help="A regional read-only login and the sites it reads: yh_region=LEI,MDI. Repeatable.",
    ),
]


@server_app.command("init")
def server_init(
    site: SiteOpt = [],  # noqa: B006 (typer reads the default)
    regional: RegionalOpt = [],  # noqa: B006
    database: Annotated[str, typer.Option(help="The database's name.")] = "cipco",
    owner: Annotated[str, typer.Option(help="The role that owns the tables.")] = "cipco_owner",
    run: Annotated[
        str | None,
        typer.Option(
            "--run",
            metavar="URL",
            help="Run it now as this superuser (postgresql://postgres@HOST/postgres), then "
            "migrate the new database as the owner. Without it the SQL is printed.",
        ),
    ] = None,
) -> None:
    """The SQL a region needs: an owner, a login per site, regional readers, the database."""
    region = _region(site, regional, database, owner)
    if run is None:
        typer.echo(_script(region), nl=False)
        return
    from cipco.pg_security import RoleError
    from cipco.services.regional_setup import init_server

    try:
        created, migrated = init_server(run, region)
    except RoleError as exc:
        fail(str(exc), EXIT_USAGE)
    echo(f"Database {region.database} {'created' if created else 'already there'}; roles made.")
    _said(migrated)
    echo("Give every login a password: ALTER ROLE name PASSWORD '…' (psql: \\password name).")


def _script(region: Region) -> str:
    from cipco.pg_security import script

    return script(region)


@server_app.command("migrate")
def server_migrate(
    url: Annotated[str, typer.Argument(help="postgresql://OWNER@HOST/DATABASE (the owner).")],
) -> None:
    """Bring the server's tables up to this cipco's schema, as their owner.

    Re-applies the row-level security and adds a site row for each site role."""
    from cipco.pg_security import RoleError
    from cipco.services.regional_setup import migrate_server

    try:
        migrated = migrate_server(url)
    except RoleError as exc:
        fail(str(exc), EXIT_USAGE)
    _said(migrated)


def _said(migrated: Migrated) -> None:
    echo(f"Schema {migrated.revision} as {migrated.login}.")
    echo(
        f"Row-level security (forced) on {len(migrated.secured)} tables; "
        f"sites: {', '.join(migrated.sites) or 'none yet (server init --site CODE)'}."
    )


@app.command("move-to")
def move_to(
    url: Annotated[
        str, typer.Argument(help="The regional server, as this site's login: postgresql://…")
    ],
) -> None:
    """Copy this prison's file (--db / $CIPCO_DB) into the regional server as its site.

    In one transaction, verified there (every chain, every count, both ledger digests
    printed). Again with the same file: nothing changes; with a later copy: only what is
    new."""
    from cipco.cli.common import actor, open_engine_or_exit, state
    from cipco.config import ServerDb, is_server_url
    from cipco.datafile import open_database
    from cipco.db import DatabaseError
    from cipco.dbfile import Access
    from cipco.services.move_to import MoveRefused, summary_lines
    from cipco.services.move_to import move_to as copy_file

    if not is_server_url(url):
        fail("move-to needs the server's address: postgresql://LOGIN@HOST/DATABASE", EXIT_USAGE)
    if isinstance(state.db_path(), ServerDb):
        fail("move-to copies a prison's SQLite file: give it with --db FILE", EXIT_USAGE)
    source = open_engine_or_exit(write=False)
    try:
        target = open_database(ServerDb(url), Access.WRITE).engine
    except DatabaseError as exc:
        fail(str(exc), exc.exit_code)
    try:
        result = copy_file(source, target, clock=state.get_clock(), actor=actor())
    except MoveRefused as exc:
        fail(str(exc))
    finally:
        target.dispose()
    for line in summary_lines(result):
        echo(line)
