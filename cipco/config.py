"""Where cipco keeps its files. Nothing here touches the disk at import time."""

from __future__ import annotations

import getpass
import os
from pathlib import Path

ENV_DB = "CIPCO_DB"
ENV_ACTOR = "CIPCO_ACTOR"


def default_db_path() -> Path:
    import platformdirs

    return Path(platformdirs.user_data_dir("cipco", appauthor=False)) / "cipco.db"


class DbPathError(ValueError):
    """``--db`` or ``$CIPCO_DB`` is set but names no file (one sentence for the user)."""


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` wins, then ``$CIPCO_DB``, then the per-user data directory.

    An empty ``--db`` or ``$CIPCO_DB`` is refused (:class:`DbPathError`), never taken as the
    current folder or quietly replaced by the default file.
    """
    if explicit is not None:
        if not os.fspath(explicit).strip():
            raise DbPathError("--db is empty: give the database file, e.g. --db cipco.db")
        return Path(explicit).expanduser()
    from_env = os.environ.get(ENV_DB)
    if from_env is not None:
        if not from_env.strip():
            raise DbPathError(
                f"${ENV_DB} is set but empty: give the database file, or unset it to use "
                f"{default_db_path()}"
            )
        return Path(from_env).expanduser()
    return default_db_path()


def is_default_db_path(path: Path) -> bool:
    """True for cipco's own file in the per-user data folder (its folder may be created)."""
    return path == default_db_path()


def default_exports_dir() -> Path:
    """Where exports go when not given a file: this user's ``export_folder`` preference, or
    ``exports`` in the current folder. A broken preferences file raises
    :class:`cipco.prefs.PrefsError` (one sentence), never a silent other folder."""
    from cipco.prefs import load

    return load().export_folder or Path.cwd() / "exports"


def current_actor() -> str:
    """Who is making changes: ``$CIPCO_ACTOR`` or the OS login name."""
    configured = os.environ.get(ENV_ACTOR)
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
