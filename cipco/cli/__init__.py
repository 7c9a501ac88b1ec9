"""The ``cipco`` command. Heavy libraries are imported inside commands so ``--help`` is fast.

:func:`main` is the console script. ``cipco`` alone opens the app without building the
command line (Typer, every command and its options: :mod:`cipco.cli.root`); anything else
runs the Typer app. ``from cipco.cli import app`` (and ``export_app``, ``import_app``,
``report_app``) still finds the apps, loading them when first asked for.
"""

from __future__ import annotations

import gc
import os
import sys
from pathlib import Path
from typing import Any

from cipco.cli.common import state

DEBUG_ENV = "CIPCO_DEBUG"
_APPS = frozenset({"app", "export_app", "import_app", "report_app"})


def fail_cleanly(exc: Exception) -> None:
    from cipco.cli.common import fail
    from cipco.dberrors import exit_code, explain

    try:
        folder: Path | None = state.db_path().absolute().parent
    except SystemExit:
        folder = None
    message = explain(exc, folder=folder)
    if message is not None:
        fail(message, exit_code(exc))
    tb = exc.__traceback__
    while tb is not None and tb.tb_next is not None:
        tb = tb.tb_next
    where = f" at {Path(tb.tb_frame.f_code.co_filename).name}:{tb.tb_lineno}" if tb else ""
    fail(f"unexpected error ({type(exc).__name__}{where}); set {DEBUG_ENV}=1 to see the details")


def open_app() -> None:
    """Open the chosen file and run the app on it (``cipco`` with no command)."""
    from cipco.cli.common import open_engine_or_exit
    from cipco.config import ServerDb

    path = state.db_path()
    if not isinstance(path, ServerDb):
        from cipco.launch import run_plain

        if run_plain(path):  # at head and seeded: read plainly, opened after the first frame
            return
    # Check, create or migrate before the first paint, errors in plain text; the app works on
    # the engine opened here.
    engine = open_engine_or_exit(create=True)
    from cipco.launch import run_app

    run_app(path, engine)  # the first rows are read before the app is loaded


def _open_app_alone() -> None:
    """``cipco`` with no arguments: what the Typer app's root does for it, and its errors
    become one sentence as every command's do (``root._Commands``)."""
    try:
        open_app()
    except Exception as exc:
        if os.environ.get(DEBUG_ENV):
            raise
        fail_cleanly(exc)
    finally:
        state.close()


def main() -> None:
    # Start-up builds hundreds of thousands of long-lived objects (SQLAlchemy, pydantic,
    # Textual, the models); the cyclic collector would walk them again and again while they
    # load. It is switched off until the file is open (see common.startup_done).
    gc.disable()
    import tempfile

    from cipco import private_temp

    try:  # temporary files in a private folder; dead cipcos' folders removed
        private_temp.start()
    except OSError as exc:
        from cipco.cli.common import fail
        from cipco.dberrors import os_reason

        fail(
            f"cannot make a private temporary folder in {tempfile.gettempdir()}: "
            f"{os_reason(exc)}; set TMPDIR to a folder you can write",
            2,
        )
    try:
        if len(sys.argv) <= 1:
            _open_app_alone()
        else:
            from cipco.cli.root import app

            app()
    except KeyboardInterrupt:
        sys.exit(130)


def __getattr__(name: str) -> Any:
    if name in _APPS:
        import importlib

        return getattr(importlib.import_module("cipco.cli.root"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
