"""Per-user preferences: a small TOML file in the platform's config folder.

Only this user's choices live here (the app's colour theme, the folder exports go to by
default); practice settings shared by everyone on a data file stay in that file
(``cipco settings``). The file is read with :mod:`tomllib` (no import cost before the first
paint) and written with ``tomli_w``; it is created, 0600 in a 0700 folder, only when the
user sets something (``cipco prefs KEY VALUE``). Nothing here touches the disk at import.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from pathlib import Path

from cipco.private_temp import make_private_dir

ENV_PREFS = "CIPCO_PREFS"  # another file (tests, a shared login): rarely needed
OWNER_ONLY_FILE = 0o600
_MAX_BYTES = 64 * 1024


class PrefsError(ValueError):
    """The preferences file or a new value is refused (one sentence for the user)."""


@dataclass(frozen=True)
class Prefs:
    theme: str | None = None  # a Textual theme name; None: the app's default
    export_folder: Path | None = None  # None: ./exports beside where cipco runs


LABELS = {
    "theme": "colour theme of the app (cipco prefs theme NAME; one of the app's themes)",
    "export_folder": "folder for exports that are not given --out (an existing folder)",
}
KEYS = tuple(f.name for f in fields(Prefs))


def prefs_path() -> Path:
    configured = os.environ.get(ENV_PREFS)
    if configured:
        return Path(configured).expanduser()
    import platformdirs

    return Path(platformdirs.user_config_dir("cipco", appauthor=False)) / "prefs.toml"


def load(path: Path | None = None) -> Prefs:
    """This user's preferences; the defaults when there is no file. Raises
    :class:`PrefsError` for a file that cannot be read or holds values cipco cannot use."""
    path = path or prefs_path()
    try:
        with path.open("rb") as handle:
            raw = handle.read(_MAX_BYTES + 1)
    except FileNotFoundError:
        return Prefs()
    except OSError as exc:
        raise PrefsError(f"cannot read the preferences file {path}: {_why(exc)}") from None
    if len(raw) > _MAX_BYTES:
        raise PrefsError(
            f"the preferences file {path} is too large to be cipco's; fix or remove it"
        )
    try:
        data = tomllib.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise PrefsError(
            f"the preferences file {path} is not valid TOML ({_first_line(exc)}); fix or remove it"
        ) from None
    return _from_table(data, path)


def _from_table(data: dict[str, object], path: Path) -> Prefs:
    unknown = sorted(set(data) - set(KEYS))
    if unknown:
        raise PrefsError(
            f"the preferences file {path} has an unknown key {unknown[0]!r} "
            f"(known: {', '.join(KEYS)}); fix or remove it"
        )
    theme = data.get("theme")
    folder = data.get("export_folder")
    for key, value in (("theme", theme), ("export_folder", folder)):
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise PrefsError(f"{key} in the preferences file {path} must be a non-empty text value")
    return Prefs(
        theme=theme if isinstance(theme, str) else None,
        export_folder=Path(folder).expanduser() if isinstance(folder, str) else None,
    )


def checked_value(key: str, value: str, *, themes: Iterable[str]) -> str:
    """``value`` as it will be stored for ``key``, or :class:`PrefsError` naming the problem."""
    if key not in KEYS:
        raise PrefsError(f"there is no preference {key!r}; known: {', '.join(KEYS)}")
    value = value.strip()
    if key == "theme":
        known = sorted(themes)
        if value not in known:
            raise PrefsError(f"theme {value!r} is not one of the app's themes: {', '.join(known)}")
        return value
    if not value:
        raise PrefsError("export_folder is empty: give a folder, e.g. ~/exports")
    folder = Path(value).expanduser()
    if not folder.is_absolute():
        folder = Path.cwd() / folder
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        raise PrefsError(f"export_folder {folder} {what}; give an existing folder")
    return str(folder)


def save(key: str, value: str | None, path: Path | None = None) -> Path:
    """Set (``value``) or clear (``None``) one preference and write the file.

    Values are checked with :func:`checked_value` first. The folder is made 0700 if cipco
    creates it, the file is written whole beside its place and moved in (0600).
    """
    path = path or prefs_path()
    current = load(path)  # a broken file is refused, not overwritten
    table = {
        name: str(getattr(current, name))
        for name in KEYS
        if getattr(current, name) is not None and name != key
    }
    if value is not None:
        table[key] = value
    import tomli_w

    text = tomli_w.dumps(table)
    make_private_dir(path.parent)
    fd, temp = tempfile.mkstemp(prefix=".prefs-", suffix=".toml", dir=path.parent)
    try:
        os.fchmod(fd, OWNER_ONLY_FILE)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.replace(temp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
    return path


def _why(exc: OSError) -> str:
    return (exc.strerror or type(exc).__name__).lower()


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
