"""Commands for the referral tracker and the data file: demo, backup, restore, settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cipco.cli import app
from cipco.cli.common import (
    EXIT_USAGE,
    echo,
    fail,
    open_engine_or_exit,
    output_target,
    plain_reader_or_exit,
    progress_bar,
    state,
)

if TYPE_CHECKING:
    from sqlalchemy import Engine

DEMO_SITE = "LEI"


def ensure_site(engine: Engine, code: str) -> Engine:
    """``engine`` stamped with the file's site, choosing ``code`` if none is set yet."""
    from cipco.db import session_scope, site_of, with_site
    from cipco.services.site import SiteError, assign_site

    if site_of(engine):
        return engine
    try:
        with session_scope(engine, actor="cipco", clock=state.get_clock()) as session:
            chosen = assign_site(session, code, state.get_clock())
    except SiteError as exc:
        fail(str(exc), code=2)
    return with_site(engine, chosen.code)


@app.command("site")
def site_command(
    code: Annotated[
        str | None, typer.Argument(help="Prison code from the reference list, e.g. LEI.")
    ] = None,
) -> None:
    """Show this file's prison, or choose it once: cipco site LEI."""
    from cipco.db import read_scope
    from cipco.services.regional import sites
    from cipco.services.site import file_site

    engine = open_engine_or_exit(write=code is not None)
    with read_scope(engine) as session:
        readable = sites(session)
    if len(readable) > 1:  # a regional login on a server reads several prisons
        if code is not None:
            fail("this login reads several prisons (a regional login); it has none to choose", 2)
        echo(f"This login reads {len(readable)} prisons:")
        for one in readable:
            echo(f"{one.code} {one.name}")
        return
    if code is not None:
        engine = ensure_site(engine, code)
    with read_scope(engine) as session:
        site = file_site(session)
        if site is not None and code is not None and site.code != code.strip().upper():
            fail(f"this file already belongs to {site.code} ({site.name}); it cannot change", 2)
        echo(
            f"{site.code} {site.name}"
            if site is not None
            else "No prison chosen for this file yet: cipco site CODE (e.g. LEI)"
        )


@app.command()
def demo(
    referrals: Annotated[int, typer.Option(help="How many referrals to create.", min=1)] = 300,
    seed: Annotated[int, typer.Option(help="Same seed and day, same data.")] = 1,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    site: Annotated[
        str, typer.Option(help="Prison code for a file whose prison is not set yet.")
    ] = DEMO_SITE,
    force: Annotated[
        bool, typer.Option("--force", help="Add demo data to a file that already holds records.")
    ] = False,
) -> None:
    """Fill the chosen file with realistic, deterministic demo data for every log."""
    from cipco.db import read_scope, session_scope
    from cipco.services import demo as demo_service
    from cipco.services.bootstrap import holds_records

    clock = state.get_clock()
    engine = open_engine_or_exit(create=True)
    with read_scope(engine) as session:
        has_records = holds_records(session)
    if has_records and not force:
        fail(
            f"{state.db_path()} already holds records: demo data would mix with them; use "
            "another file (--db demo.db) or add --force; nothing was changed",
            EXIT_USAGE,
        )
    engine = ensure_site(engine, site)
    with progress_bar(quiet) as bar:
        tasks: dict[str, object] = {}

        def tick(stage: str, n: int) -> None:
            if bar is None:
                return
            if stage not in tasks:
                total = referrals if stage == "referrals" else None
                tasks[stage] = bar.add_task(f"Creating {stage}", total=total)
            bar.advance(tasks[stage], n)  # type: ignore[arg-type]

        with session_scope(engine, actor="cipco demo", clock=clock) as session:
            counts = demo_service.generate(
                session, clock, referrals=referrals, seed=seed, progress=tick
            )
    summary = ", ".join(f"{count} {name}" for name, count in counts.items())
    echo(f"Demo data written to {state.db_path()}: {summary}")


@app.command()
def backup(
    out: Annotated[
        Path | None,
        typer.Option(
            "--out",
            help="Backup file (default: dated to the second, beside the file; for a server, "
            "in the current folder).",
        ),
    ] = None,
    site: Annotated[
        str | None,
        typer.Option(
            "--site",
            help="On a server, the site to back up (needed only by a login that reads several).",
        ),
    ] = None,
) -> None:
    """Copy the database to a new cipco file (safe while the app is open).

    A file is copied with SQLite's online backup. On a PostgreSQL server (--db URL) the
    site's records are written to a new cipco file, verified (counts, chains, the same
    ledger digest): open it with --db FILE; move-to copies it back into a server.
    Works on a read-only copy too; never replaces an existing file.
    """
    from cipco.config import ServerDb
    from cipco.datafile import backup_to, is_cipco_database
    from cipco.outputs import OutputError

    if out is not None and out.is_file() and not is_cipco_database(out):
        fail(f"{out} already exists; a backup never replaces a file: choose another name", 2)
    source = state.db_path()
    if isinstance(source, ServerDb):
        _backup_server(out, site)
        return
    if site is not None:
        fail("--site is for a server (--db postgresql://…): a file holds one site", EXIT_USAGE)
    target = output_target(
        out, what=f"{source.stem}-backup", suffix=".db", overwrite=False, default_dir=source.parent
    )
    engine = open_engine_or_exit(write=False)
    try:
        written = backup_to(engine, target)
    except OutputError as exc:
        fail(str(exc))
    finally:
        engine.dispose()
    echo(f"Backed up to {written}")


def _backup_server(out: Path | None, site: str | None) -> None:
    """``cipco backup`` on a server: the site's records to a new, verified cipco file."""
    from cipco.outputs import OutputError
    from cipco.services.site_backup import BackupRefused, backup_site, choose_site, summary_lines

    engine = open_engine_or_exit(write=False)
    try:
        code = choose_site(engine, site)
    except BackupRefused as exc:
        fail(str(exc), EXIT_USAGE)
    target = output_target(
        out,
        what=f"{state.db_path().stem}-{code.lower()}-backup",
        suffix=".db",
        overwrite=False,
        default_dir=Path.cwd(),
    )
    try:
        result = backup_site(engine, target, site=code, clock=state.get_clock())
    except (BackupRefused, OutputError) as exc:
        fail(str(exc))
    for line in summary_lines(result):
        echo(line)


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A cipco backup file.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database with a backup; a copy of the current file is kept first.

    The backup is checked whole first (a cipco file, SQLite's integrity check, a schema this
    cipco knows); nothing is replaced if any check fails.
    """
    from cipco.config import ServerDb
    from cipco.datafile import backup_to, check_backup
    from cipco.datafile import restore as restore_db
    from cipco.db import DatabaseError
    from cipco.dbfile import Access, check
    from cipco.outputs import OutputError

    target = state.db_path()
    if isinstance(target, ServerDb):
        fail(
            "restore replaces a file; a server is not replaced by a file. To put a site's "
            f"backup back into a server: cipco --db {file} move-to URL (it adds what the site "
            "lacks and refuses, by name, what it already holds); nothing was changed",
            EXIT_USAGE,
        )
    try:
        check_backup(file)
        if file.resolve() == target.resolve():
            fail(f"{file} is the database itself; choose a backup file", EXIT_USAGE)
        exists = check(target, Access.CREATE).exists
    except DatabaseError as exc:
        fail(str(exc), exc.exit_code)
    if not yes and not typer.confirm(f"Replace {target} with {file}?", default=False):
        fail("restore cancelled; nothing was changed")
    engine = None
    if exists:
        engine = open_engine_or_exit(write=True)
        keep = output_target(
            None,
            what=f"{target.stem}-before-restore",
            suffix=".db",
            overwrite=False,
            default_dir=target.parent,
        )
        try:
            kept = backup_to(engine, keep)
        except OutputError as exc:
            fail(f"{exc}; the restore was not started")
        echo(f"Kept the current file as {kept}")
    try:
        restore_db(file, target, wait=engine)
    finally:
        if engine is not None:
            engine.dispose()
    open_engine_or_exit(write=True).dispose()  # migrate if the backup is older
    echo(f"Restored {file} into {target}")


@app.command("settings")
def settings_command(
    key: Annotated[str | None, typer.Argument(help="Setting to show or change.")] = None,
    value: Annotated[str | None, typer.Argument(help="New value.")] = None,
) -> None:
    """List settings (local practice, not law), or set one: cipco settings KEY VALUE."""
    from cipco.services import settings as settings_service

    if value is None:
        with plain_reader_or_exit() as connection:  # a file: no SQLAlchemy, no models
            if connection is not None:
                _print_settings(key, settings_service.all_settings(connection))
                return
    engine = open_engine_or_exit(write=value is not None)
    if key is not None and value is not None:
        from cipco.db import session_scope

        with session_scope(engine, clock=state.get_clock()) as session:
            try:
                settings_service.set_value(session, key, value)
            except settings_service.SettingError as exc:
                fail(str(exc), code=2)
            from cipco.services.referrals import recompute_all_due  # only when one changes

            recompute_all_due(session)
            values = settings_service.all_settings(session)
    else:
        from cipco.db import read_connection

        with read_connection(engine) as conn:  # a server: one plain read, no models loaded
            values = settings_service.all_settings(conn)
    _print_settings(key, values)


def _print_settings(key: str | None, values: dict[str, int | str]) -> None:
    from cipco.services.settings import SPECS

    for name, spec in SPECS.items():
        if key is None or key == name:
            echo(f"{name} = {values[name]}    # {spec.label}")
