"""Commands for the referral tracker and the data file: demo, backup, restore, settings."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from cipco.cli import app
from cipco.cli.common import echo, fail, open_engine_or_exit, progress_bar, state

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
    from cipco.services.site import file_site

    engine = open_engine_or_exit()
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
) -> None:
    """Fill the chosen file with realistic, deterministic demo data for every log."""
    from cipco.db import session_scope
    from cipco.services import demo as demo_service

    clock = state.get_clock()
    engine = ensure_site(open_engine_or_exit(), site)
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
        Path | None, typer.Option(help="Backup file (default: dated, beside the db).")
    ] = None,
) -> None:
    """Copy the database with SQLite's online backup (safe while the app is open)."""
    from cipco.clock import to_london
    from cipco.db import DatabaseError
    from cipco.db import backup as backup_db

    engine = open_engine_or_exit()
    source = state.db_path()
    target = out or source.with_name(
        f"{source.stem}-backup-{to_london(state.get_clock().now()):%Y%m%d-%H%M%S}.db"
    )
    try:
        backup_db(engine, target)
    except DatabaseError as exc:
        fail(str(exc))
    echo(f"Backed up to {target}")


@app.command()
def restore(
    file: Annotated[Path, typer.Argument(help="A cipco backup file.", exists=True, dir_okay=False)],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Replace the database with a backup; a copy of the current file is kept first."""
    from cipco.clock import to_london
    from cipco.db import backup as backup_db
    from cipco.db import is_cipco_database, make_engine
    from cipco.db import restore as restore_db

    if not is_cipco_database(file):
        fail(f"{file} is not a cipco database; nothing was changed")
    target = state.db_path()
    if not yes and not typer.confirm(f"Replace {target} with {file}?", default=False):
        fail("restore cancelled; nothing was changed")
    if target.exists():
        keep = target.with_name(
            f"{target.stem}-before-restore-{to_london(state.get_clock().now()):%Y%m%d-%H%M%S}.db"
        )
        backup_db(make_engine(target, create=False), keep)
        echo(f"Kept the current file as {keep}")
    restore_db(file, target)
    open_engine_or_exit()  # migrate if the backup is older
    echo(f"Restored {file} into {target}")


@app.command("settings")
def settings_command(
    key: Annotated[str | None, typer.Argument(help="Setting to show or change.")] = None,
    value: Annotated[str | None, typer.Argument(help="New value.")] = None,
) -> None:
    """List settings (local practice, not law), or set one: cipco settings KEY VALUE."""
    from cipco.db import session_scope
    from cipco.services import settings as settings_service
    from cipco.services.referrals import recompute_all_due

    engine = open_engine_or_exit()
    with session_scope(engine, clock=state.get_clock()) as session:
        if key is not None and value is not None:
            try:
                settings_service.set_value(session, key, value)
            except settings_service.SettingError as exc:
                fail(str(exc), code=2)
            recompute_all_due(session)
        values = settings_service.all_settings(session)
    for name, spec in settings_service.SPECS.items():
        if key is None or key == name:
            echo(f"{name} = {values[name]}    # {spec.label}")
