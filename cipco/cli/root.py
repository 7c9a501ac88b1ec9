"""The ``cipco`` command line: the Typer apps every log adds its commands to.

Each log adds its commands in its own module (``cipco/cli/<log>.py``) on the shared
sub-apps below; the modules are imported at the bottom of this file. ``cipco`` with no
command does not build any of it (:func:`cipco.cli.main`).
"""

from __future__ import annotations

import os
from typing import Annotated, Any

import typer
from typer.core import TyperGroup

from cipco.cli import DEBUG_ENV, fail_cleanly
from cipco.cli.common import state


class _Commands(TyperGroup):
    """Every command's database and disk errors become one sentence (no traceback, no SQL,
    no row values); an unexpected error names only its kind and place."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except Exception as exc:
            # Typer's and click's own exits and usage errors (typer vendors click) pass on.
            if type(exc).__module__.split(".")[0] in ("click", "typer") or os.environ.get(
                DEBUG_ENV
            ):
                raise
            fail_cleanly(exc)
        finally:
            state.close()


app = typer.Typer(
    cls=_Commands,
    name="cipco",
    help="Crime in Prison Coordinator: referral tracker, crime clinic, exhibits, MG4D, persons.",
    no_args_is_help=False,
    rich_markup_mode="rich",
    context_settings={"help_option_names": ["-h", "--help"]},
    pretty_exceptions_enable=False,
)
export_app = typer.Typer(help="Write police-ready workbooks (0600, no live formulas).")
import_app = typer.Typer(help="Read old trackers and logs (.xlsx, .xls, .ods).")
report_app = typer.Typer(help="Figures for the Regional Security Lead.")
app.add_typer(export_app, name="export")
app.add_typer(import_app, name="import")
app.add_typer(report_app, name="report")


def _show_version(wanted: bool) -> None:
    if wanted:
        from cipco import __version__

        typer.echo(f"cipco {__version__}")
        raise typer.Exit()


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="The cipco file, or a regional PostgreSQL server as "
            "postgresql://LOGIN@HOST/DATABASE (default: $CIPCO_DB, else cipco.db in the user "
            "data folder).",
        ),
    ] = None,
    version: Annotated[
        bool,
        typer.Option(
            "--version",
            help="Print cipco's version and stop.",
            callback=_show_version,
            is_eager=True,
        ),
    ] = False,
) -> None:
    """Run with no command to open the app."""
    state.db_option = db
    if ctx.invoked_subcommand is None:
        from cipco.cli import open_app

        open_app()


# Each log registers its commands on the apps above.
from cipco.cli import casework as _casework  # noqa: E402,F401
from cipco.cli import clinic as _clinic  # noqa: E402,F401
from cipco.cli import documents as _documents  # noqa: E402,F401
from cipco.cli import exhibits as _exhibits  # noqa: E402,F401
from cipco.cli import mg4d as _mg4d  # noqa: E402,F401
from cipco.cli import prefs as _prefs  # noqa: E402,F401
from cipco.cli import referrals as _referrals  # noqa: E402,F401
from cipco.cli import regional as _regional  # noqa: E402,F401
from cipco.cli import search as _search  # noqa: E402,F401
from cipco.cli import server as _server  # noqa: E402,F401
from cipco.cli import spreadsheets as _spreadsheets  # noqa: E402,F401
