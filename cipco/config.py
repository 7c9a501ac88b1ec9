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


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path:
    """``--db`` wins, then ``$CIPCO_DB``, then the per-user data directory."""
    if explicit:
        return Path(explicit).expanduser()
    from_env = os.environ.get(ENV_DB)
    if from_env:
        return Path(from_env).expanduser()
    return default_db_path()


def default_exports_dir() -> Path:
    return Path.cwd() / "exports"


def current_actor() -> str:
    """Who is making changes: ``$CIPCO_ACTOR`` or the OS login name."""
    configured = os.environ.get(ENV_ACTOR)
    if configured:
        return configured
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
