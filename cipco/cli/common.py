"""What every command shares: the chosen file, the engine, the clock, errors and progress."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

if TYPE_CHECKING:
    from rich.progress import Progress
    from sqlalchemy import Engine

    from cipco.clock import Clock
    from cipco.outputs import OutputTarget

EXIT_OK = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2


@dataclass
class _State:
    db_option: Path | None = None
    clock: Clock | None = None  # tests inject a FixedClock

    def db_path(self) -> Path:
        from cipco.config import resolve_db_path

        return resolve_db_path(self.db_option)

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
        f"cipco: {clean(message, newlines=True)}", markup=False
    )
    raise SystemExit(code)


def open_engine_or_exit() -> Engine:
    from cipco.db import DatabaseError
    from cipco.services.bootstrap import prepare

    try:
        return prepare(state.db_path())
    except DatabaseError as exc:
        fail(str(exc))
    except OSError as exc:
        fail(f"cannot open {state.db_path()}: {exc.strerror or exc}")


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


def actor() -> str:
    """Who the audit trail names for this command: ``$CIPCO_ACTOR`` or the login name."""
    from cipco.config import current_actor

    return current_actor()


def echo(message: str) -> None:
    """One message on stdout: file and user text in it can never act on the terminal."""
    from rich.console import Console

    from cipco.text import clean

    Console(highlight=False, soft_wrap=True).print(clean(message, newlines=True), markup=False)


def output_target(out: Path | None, *, what: str, suffix: str, overwrite: bool) -> OutputTarget:
    """Check ``--out`` (or choose the default name) before any work; exit 2 with one sentence."""
    from cipco.config import default_exports_dir
    from cipco.outputs import OutputError, choose_output

    try:
        return choose_output(
            out,
            what=what,
            suffix=suffix,
            at=state.get_clock().now(),
            default_dir=default_exports_dir(),
            overwrite=overwrite,
            database=state.db_path(),
        )
    except OutputError as exc:
        fail(str(exc), EXIT_USAGE)
