"""What every command shares: the chosen file, the engine, the clock, errors and progress."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    import sqlite3

    from rich.progress import Progress
    from sqlalchemy import Engine

    from cipco.clock import Clock
    from cipco.db import WaitEvent
    from cipco.outputs import OutputTarget

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


@dataclass
class _State:
    db_option: str | Path | None = None
    clock: Clock | None = None  # tests inject a FixedClock
    # Run when the command ends, whatever happens (cli._Commands): tidy after a read.
    on_close: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        while self.on_close:
            self.on_close.pop()()

    def db_path(self) -> Path:
        """The chosen file; an empty ``--db``/``$CIPCO_DB`` exits 2 with one sentence."""
        from cipco.config import DbPathError, resolve_db_path

        try:
            return resolve_db_path(self.db_option)
        except DbPathError as exc:
            fail(str(exc), EXIT_USAGE)

    def get_clock(self) -> Clock:
        if self.clock is None:
            from cipco.clock import SystemClock

            self.clock = SystemClock()
        return self.clock


state = _State()


def fail(message: str, code: int = EXIT_PROBLEMS) -> NoReturn:
    """One line on stderr, then exit."""
    from rich.console import Console

    from cipco.text import clean

    Console(stderr=True, highlight=False, soft_wrap=True).print(
        f"cipco: {clean(message)}", markup=False
    )
    raise SystemExit(code)


def _print_wait(event: WaitEvent) -> None:
    if event.kind == "waiting":
        from cipco.db import waiting_message

        notice(waiting_message(event.path))


def open_engine_or_exit(*, write: bool = True, create: bool = False) -> Engine:
    """Open the chosen file as the command needs it, or exit with one sentence.

    Every command says what it does to the file: ``write=False`` for commands that only read
    (opened read-only: an archived, read-only copy works and nothing is ever changed; a
    missing file is never created); ``write=True`` to save changes (a read-only or foreign
    file is refused untouched); ``create=True`` (the app, demo, import) may also make a new
    file, in a folder that exists (cipco's own data folder is made 0700), and says so.
    """
    from cipco.config import is_default_db_path
    from cipco.db import DatabaseError
    from cipco.dbfile import Access
    from cipco.services.bootstrap import open_file

    path = state.db_path()
    access = Access.CREATE if create else Access.WRITE if write else Access.READ
    try:
        opened = open_file(path, access, make_folder=is_default_db_path(path), on_wait=_print_wait)
    except DatabaseError as exc:
        fail(str(exc), exc.exit_code)
    except OSError as exc:
        from cipco.dberrors import os_reason

        fail(f"cannot open {path}: {os_reason(exc)}", EXIT_USAGE)
    startup_done()
    if opened.created:
        notice(f"created a new cipco database at {path}")
    if opened.backup is not None:
        notice(f"upgraded {path}; the file as it was is kept as {opened.backup}")
    if opened.tidy:
        from functools import partial

        from cipco.datafile import tidy_after_read

        state.on_close.append(partial(tidy_after_read, opened.engine, path))
    else:
        state.on_close.append(opened.engine.dispose)  # the connections close with the command
    return opened.engine


@contextmanager
def plain_reader_or_exit() -> Iterator[sqlite3.Connection | None]:
    """The chosen data file read over the DB-API in one snapshot, without loading SQLAlchemy
    (:func:`cipco.dbfile.plain_read`: the same checks and errors as a read-only
    :func:`open_engine_or_exit`); None on a server, where the caller opens an engine."""
    from cipco.config import ServerDb

    path = state.db_path()
    if isinstance(path, ServerDb):
        yield None
        return
    from cipco.dberrors import DatabaseError, os_reason
    from cipco.dbfile import plain_read

    stack = ExitStack()
    try:
        connection = stack.enter_context(plain_read(path))
    except DatabaseError as exc:
        fail(str(exc), exc.exit_code)
    except OSError as exc:
        fail(f"cannot open {path}: {os_reason(exc)}", EXIT_USAGE)
    with stack:
        startup_done()
        yield connection


def startup_done() -> None:
    """The libraries are loaded: keep what start-up built out of the cyclic collector's
    reach (``gc.freeze``) and switch it back on (``main`` switched it off)."""
    import gc

    if not gc.isenabled():  # only once, and only in the process `main` started
        gc.freeze()
        gc.enable()


def notice(message: str) -> None:
    """One line on stderr that is not an error (the file was created, cipco is waiting…)."""
    from rich.console import Console

    Console(stderr=True, highlight=False, soft_wrap=True).print(f"cipco: {message}", markup=False)


@contextmanager
def progress_bar(quiet: bool = False) -> Iterator[Progress | None]:
    """A Rich progress bar on a terminal; nothing when piped or ``--quiet``."""
    if quiet or not sys.stderr.isatty():
        yield None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        yield bar


Advance = Callable[[int], None]


@contextmanager
def ticker(quiet: bool, label: str) -> Iterator[tuple[Advance, Advance]]:
    """(advance by n, set the total) for one progress bar, or two no-ops when quiet/piped."""
    with progress_bar(quiet) as bar:
        if bar is None:
            yield (lambda _n: None), (lambda _n: None)
            return
        task = bar.add_task(label, total=None)
        yield (lambda n: bar.advance(task, n)), (lambda n: bar.update(task, total=n))


def actor() -> str:
    """Who the audit trail names for this command: ``$CIPCO_ACTOR`` or the login name."""
    from cipco.config import current_actor

    return current_actor()


def echo(message: str) -> None:
    """One message on stdout: file and user text in it can never act on the terminal."""
    from rich.console import Console

    from cipco.text import clean

    Console(highlight=False, soft_wrap=True).print(clean(message, newlines=True), markup=False)


def output_target(
    out: Path | None,
    *,
    what: str,
    suffix: str,
    overwrite: bool,
    default_dir: Path | None = None,
) -> OutputTarget:
    """Check ``--out`` (or choose the default name) before any work; exit 2 with one sentence.

    Default names go in ``default_dir`` (the exports folder unless given).
    """
    from cipco.config import default_exports_dir
    from cipco.outputs import OutputError, choose_output
    from cipco.prefs import PrefsError

    try:
        return choose_output(
            out,
            what=what,
            suffix=suffix,
            at=state.get_clock().now(),
            default_dir=default_dir or default_exports_dir(),
            overwrite=overwrite,
            database=state.db_path(),
        )
    except (OutputError, PrefsError) as exc:
        fail(str(exc), EXIT_USAGE)
