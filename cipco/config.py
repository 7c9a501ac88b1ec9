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


SERVER_SCHEMES = ("postgresql", "postgres")


def is_server_url(text: object) -> bool:
    """True for ``postgresql://…`` (or ``postgres://``, ``postgresql+psycopg://``)."""
    if not isinstance(text, str) or "://" not in text:
        return False
    return text.split(":", 1)[0].lower().split("+", 1)[0] in SERVER_SCHEMES


class ServerDb:
    """A PostgreSQL database given as ``--db``/``$CIPCO_DB`` (a ``postgresql://`` URL).

    Stands where a data file's :class:`~pathlib.Path` stands: printed, it shows the URL with
    any password hidden; it "exists" (the server says otherwise when connected to); it has no
    folder of its own (``parent`` is the current folder, where exports go by default).
    """

    def __init__(self, url: str) -> None:
        self.url = url

    def __str__(self) -> str:
        from sqlalchemy.engine import make_url
        from sqlalchemy.exc import ArgumentError

        try:
            parsed = make_url(self.url)
        except (ArgumentError, ValueError):  # not a URL SQLAlchemy can read: say nothing of it
            return "the server database"
        return parsed.render_as_string(hide_password=True)

    def __repr__(self) -> str:
        return f"ServerDb({str(self)!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ServerDb) and other.url == self.url

    def __hash__(self) -> int:
        return hash(self.url)

    @property
    def name(self) -> str:
        return str(self)

    @property
    def stem(self) -> str:
        tail = self.url.split("?", 1)[0].rsplit("/", 1)[-1]
        return tail or "cipco"

    @property
    def parent(self) -> Path:
        return Path.cwd()

    def absolute(self) -> ServerDb:
        return self

    def resolve(self) -> ServerDb:
        return self

    def expanduser(self) -> ServerDb:
        return self

    def exists(self) -> bool:
        return True

    def is_symlink(self) -> bool:
        return False


DbLocation = Path | ServerDb


def as_location(value: str | os.PathLike[str] | ServerDb) -> Path | ServerDb:
    """A file path, or the server a ``postgresql://`` URL names."""
    if isinstance(value, ServerDb | Path):
        return value
    text = os.fspath(value)
    return ServerDb(text) if is_server_url(text) else Path(text)


def other_scheme(text: str) -> str | None:
    """The scheme of an address cipco cannot use (``mysql``, ``sqlite``…), else None."""
    scheme, found, _rest = text.partition("://")
    if not found or is_server_url(text) or len(scheme) < 2 or not scheme.replace("+", "").isalpha():
        return None
    return scheme


EXAMPLES = "e.g. cipco.db, or postgresql://LOGIN@HOST/DATABASE for a regional server"


class DbPathError(ValueError):
    """``--db`` or ``$CIPCO_DB`` is set but names no file or server (one sentence)."""


def resolve_db_path(explicit: str | os.PathLike[str] | None = None) -> Path | ServerDb:
    """``--db`` wins, then ``$CIPCO_DB``, then the per-user data directory. Each may be a
    file's path or a ``postgresql://`` URL.

    An empty ``--db`` or ``$CIPCO_DB`` is refused (:class:`DbPathError`), never taken as the
    current folder or quietly replaced by the default file; so is another database's address
    (``mysql://…``, ``sqlite:///…``), never taken as a file's name.
    """
    if explicit is not None:
        if not os.fspath(explicit).strip():
            raise DbPathError(f"--db is empty: give the database file or server, {EXAMPLES}")
        return _location("--db", explicit)
    from_env = os.environ.get(ENV_DB)
    if from_env is not None:
        if not from_env.strip():
            raise DbPathError(
                f"${ENV_DB} is set but empty: give the database file or server ({EXAMPLES}), "
                f"or unset it to use {default_db_path()}"
            )
        return _location(f"${ENV_DB}", from_env)
    return default_db_path()


def _location(where: str, value: str | os.PathLike[str]) -> Path | ServerDb:
    text = os.fspath(value)
    scheme = other_scheme(text) if isinstance(value, str) else None
    if scheme is not None:
        raise DbPathError(
            f"{where} is a {scheme}:// address: cipco works on a SQLite file or a PostgreSQL "
            f"server, {EXAMPLES}"
        )
    return as_location(value).expanduser()


def is_default_db_path(path: Path | ServerDb) -> bool:
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
