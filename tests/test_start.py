"""Instant start: a file already at head opens without loading the migration machinery."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from cipco import dbfile
from cipco.clock import FixedClock
from cipco.services.bootstrap import prepare

APP_THEN_MODULES = textwrap.dedent(
    """
    import asyncio, sys
    from textual.widgets import DataTable
    from cipco.app import CipcoApp

    async def main():
        app = CipcoApp(sys.argv[1])
        async with app.run_test(size=(100, 30)) as pilot:
            for _ in range(400):
                await pilot.pause(0.05)
                summary = str(app.screen.query_one("#home-summary").render())
                if "overdue" in summary:
                    break
            else:
                raise SystemExit("home never loaded: " + summary)
        loaded = sorted(m for m in sys.modules if m == "alembic" or m.startswith("alembic."))
        print("ALEMBIC:" + ",".join(loaded))

    asyncio.run(main())
    """
)


def _alembic_loaded(path: Path) -> str:
    done = subprocess.run(
        [sys.executable, "-c", APP_THEN_MODULES, str(path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout.strip().rsplit("ALEMBIC:", 1)[1]


def test_app_at_head_starts_without_alembic(tmp_path: Path) -> None:
    path = tmp_path / "cipco.db"
    prepare(path).dispose()
    assert _alembic_loaded(path) == ""


def test_app_on_an_older_file_still_migrates_it(tmp_path: Path) -> None:
    """The shortcut is only for files at head: an older file still loads alembic and is
    upgraded (so the check above can fail)."""
    from alembic import command

    from cipco import datafile
    from cipco.db import make_engine

    path = tmp_path / "cipco.db"
    engine = make_engine(path)
    command.upgrade(datafile._alembic_config(engine), "0001")
    with engine.begin() as conn:  # as an older cipco left it
        conn.exec_driver_sql(f"PRAGMA application_id={dbfile.APPLICATION_ID}")
    engine.dispose()
    assert _alembic_loaded(path) != ""
    assert dbfile.peek(path).revision == dbfile.head_revision()


def test_cheap_revision_read_agrees_with_alembic() -> None:
    config = Config()
    config.set_main_option("script_location", "cipco:migrations")
    script = ScriptDirectory.from_config(config)
    assert dbfile.head_revision() == script.get_current_head()
    assert dbfile.known_revisions() == {rev.revision for rev in script.walk_revisions()}


def test_bank_holiday_table_matches_the_holidays_package() -> None:
    """The table that spares the start-up an import of ``holidays`` says what it says.

    If this fails after updating ``holidays``, rewrite the table from it: for each year
    2000-2060, ``date,name`` of ``holidays.country_holidays("GB", subdiv="ENG", years=y)``.
    """
    import holidays

    from cipco import clock

    table = clock._bank_holiday_table()
    assert set(table) == set(range(2000, 2061))
    for year, days in table.items():
        expected = frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))
        assert days == expected, year
    # Beyond the table the package is asked.
    assert clock._bank_holidays(2070) == frozenset(
        holidays.country_holidays("GB", subdiv="ENG", years=2070)
    )


def test_a_command_that_opens_the_file_switches_the_collector_back_on(tmp_path: Path) -> None:
    """``cipco`` keeps the cyclic collector off only while its libraries load."""
    path = tmp_path / "cipco.db"
    prepare(path).dispose()
    code = (
        "import atexit, gc, sys; atexit.register(lambda: print('GC', gc.isenabled()));"
        "sys.argv = ['cipco', '--db', sys.argv[1], 'settings'];"
        "from cipco.cli import main; main()"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "write_wait_seconds" in done.stdout
    assert done.stdout.strip().endswith("GC True")


COMMAND_THEN_MODULES = (
    "import atexit, sys;"
    "atexit.register(lambda: print('MODULES', ' '.join(sorted(m for m in sys.modules"
    " if m in ('sqlmodel', 'sqlalchemy', 'sqlalchemy.orm') or m.startswith('cipco.models')))));"
    "sys.argv = ['cipco', '--db', *sys.argv[1:]];"
    "from cipco.cli import main; main()"
)


def _run_command(path: Path, *args: str) -> tuple[str, set[str]]:
    done = subprocess.run(
        [sys.executable, "-c", COMMAND_THEN_MODULES, str(path), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    output, _, modules = done.stdout.rpartition("MODULES")
    return output, set(modules.split())


def test_settings_and_verify_on_an_empty_file_read_without_the_models(tmp_path: Path) -> None:
    """`cipco settings` and `cipco verify` on a file with no records read it over the DB-API
    (cipco.dbfile.plain_read, cipco.dbread): what they print is right, and neither
    SQLAlchemy, SQLModel nor a model module is loaded."""
    path = tmp_path / "cipco.db"
    prepare(path).dispose()
    output, modules = _run_command(path, "settings")
    assert "write_wait_seconds = 60" in output
    assert "footage_overwrite_days = 28" in output
    assert modules == set()
    output, modules = _run_command(path, "verify")
    assert "Chain intact: 0 exhibits, 0 events verified" in output
    assert f"Custody ledger 0 events · {'0' * 64} ·" in output
    assert modules == set()


def test_verify_reads_the_chains_as_soon_as_one_exhibit_is_stored(tmp_path: Path) -> None:
    """The shortcut is only for a file with nothing in custody: one exhibit and verify
    loads the models and checks it (so the check above can fail)."""
    from datetime import UTC, datetime

    from cipco.clock import FixedClock
    from cipco.db import session_scope
    from tests.exhibit_helpers import make_exhibit, make_referral

    path = tmp_path / "cipco.db"
    engine = prepare(path)
    clock = FixedClock(datetime(2026, 11, 2, 10, 0, tzinfo=UTC))
    with session_scope(engine, clock=clock) as session:
        make_referral(session, clock)
        make_exhibit(session, clock)
    engine.dispose()
    output, modules = _run_command(path, "verify")
    assert "Chain intact: 1 exhibits, 1 events verified" in output
    assert "cipco.models.exhibit" in modules


def test_a_stored_setting_is_what_settings_prints(tmp_path: Path) -> None:
    path = tmp_path / "cipco.db"
    prepare(path).dispose()
    _run_command(path, "settings", "footage_warn_days", "9")
    output, _ = _run_command(path, "settings")
    assert "footage_warn_days = 9    #" in output


def test_cipco_alone_opens_without_the_command_line_and_fails_in_one_sentence(
    tmp_path: Path,
) -> None:
    """``cipco`` with no arguments goes straight to the app (Typer and the commands are not
    built); a file it cannot open is still one sentence, exit 2, as through the Typer root."""
    code = (
        "import atexit, sys; atexit.register(lambda: print('TYPER', 'typer' in sys.modules));"
        "sys.argv = ['cipco']; from cipco.cli import main; main()"
    )
    missing = tmp_path / "no-such-folder" / "cipco.db"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CIPCO_DB": str(missing)},
    )
    assert done.returncode == 2
    assert done.stderr.strip() == (
        f"cipco: the folder {missing.parent} does not exist; create it first or choose another path"
    )
    assert done.stdout.strip() == "TYPER False"


def test_the_due_list_reads_the_same_on_a_session_core_and_a_plain_sqlite_connection(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    """One implementation of the due rules over plain rows: a session (Home's refresh), a
    Core connection (the first frame) and a DB-API connection give the same items."""
    import sqlite3

    from cipco.db import read_connection, read_scope, session_scope
    from cipco.dbfile import read_uri
    from cipco.services.due import due_items
    from tests.due_helpers import RULES, one_of_each

    with session_scope(engine, actor="t", clock=clock) as session:
        made = one_of_each(session, clock)
    with read_scope(engine) as session:
        through_session = due_items(session, clock)
    with read_connection(engine) as conn:
        through_core = due_items(conn, clock)
    plain = sqlite3.connect(read_uri(db_path), uri=True)
    try:
        through_dbapi = due_items(plain, clock)
    finally:
        plain.close()
    assert through_session == through_core == through_dbapi
    found = {(i.record.log, i.record.id, i.rule) for i in through_dbapi}
    for log, record_id in made.ids().items():
        assert (log, record_id, RULES[log]) in found, log


PLAIN_START_PROBE = textwrap.dedent(
    """
    import asyncio, json, sys
    import cipco.app as A

    first = A.CipcoApp.take_first_rows
    seen = []

    def take(self):
        rows = first(self)
        seen.append(("sqlalchemy" in sys.modules, rows is not None and len(rows.items)))
        return rows

    def run(self, *args, **kwargs):
        async def go():
            async with self.run_test(size=(100, 30)) as pilot:
                for _ in range(400):
                    await pilot.pause(0.05)
                    summary = str(self.screen.query_one("#home-summary").render())
                    if "overdue" in summary and self._watcher is not None:
                        break
                else:
                    raise SystemExit("home never loaded: " + summary)
            print(json.dumps({"first": seen, "opened": self._engine is not None}))

        asyncio.run(go())

    A.CipcoApp.take_first_rows = take
    A.CipcoApp.run = run
    sys.argv = ["cipco"]
    from cipco.cli import main
    main()
    """
)


def test_cipco_paints_home_from_plain_reads_and_opens_the_file_after(
    engine: Engine, db_path: Path, clock: FixedClock
) -> None:
    """On a file at head, ``cipco`` reads Home's due list over the DB-API (the first frame
    is drawn before SQLAlchemy is loaded), then opens the file for the app: Home's counts
    are read and outside changes are watched."""
    from cipco.db import session_scope
    from tests.due_helpers import one_of_each

    with session_scope(engine, actor="t", clock=clock) as session:
        one_of_each(session, clock)
    engine.dispose()
    done = subprocess.run(
        [sys.executable, "-c", PLAIN_START_PROBE],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "CIPCO_DB": str(db_path)},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    [[sqlalchemy_loaded, due_rows]] = probe["first"]
    assert sqlalchemy_loaded is False and due_rows > 0
    assert probe["opened"] is True
