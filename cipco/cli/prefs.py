"""``cipco prefs``: this user's preferences (theme, export folder), not the data file's."""

from __future__ import annotations

from typing import Annotated

import typer

from cipco.cli import app
from cipco.cli.common import EXIT_USAGE, echo, fail


def app_themes() -> list[str]:
    """The theme names the app offers (Textual's built-in themes)."""
    from textual.theme import BUILTIN_THEMES

    return sorted(BUILTIN_THEMES)


@app.command("prefs")
def prefs_command(
    key: Annotated[str | None, typer.Argument(help="theme or export_folder.")] = None,
    value: Annotated[str | None, typer.Argument(help="New value.")] = None,
    unset: Annotated[bool, typer.Option("--unset", help="Clear KEY back to its default.")] = False,
) -> None:
    """Show your preferences, or set one: cipco prefs theme nord; cipco prefs export_folder ~/out.

    They live in a small file in your config folder (made 0600 when you first set one); the
    data file's shared settings are `cipco settings`.
    """
    from cipco import prefs

    if key is not None and key not in prefs.KEYS:
        fail(f"there is no preference {key!r}; known: {', '.join(prefs.KEYS)}", EXIT_USAGE)
    if unset and (key is None or value is not None):
        fail("--unset takes a preference name and no value: cipco prefs --unset theme", EXIT_USAGE)
    try:
        if key is not None and (value is not None or unset):
            stored = None if unset else prefs.checked_value(key, value or "", themes=app_themes())
            prefs.save(key, stored)
        current = prefs.load()
    except prefs.PrefsError as exc:
        fail(str(exc), EXIT_USAGE)
    except OSError as exc:
        from cipco.dberrors import os_reason

        fail(f"cannot save the preferences file {prefs.prefs_path()}: {os_reason(exc)}", 1)
    for name in prefs.KEYS:
        if key is None or key == name:
            shown = getattr(current, name)
            shown = shown if shown is not None else "(default)"
            echo(f"{name} = {shown}    # {prefs.LABELS[name]}")
    if key is None:
        echo(f"file: {prefs.prefs_path()}")
