"""Where cipco writes a file the user asked for: exports, reports, case files, backups.

The one contract for every output:

- A default name carries the time to the second (``referrals-20261202-100405.xlsx``) and is
  created exclusively: on a clash it becomes ``referrals-20261202-100405-2.xlsx``, never a
  replacement.
- An explicit ``--out`` that exists is refused unless ``--overwrite``; the database, its
  ``-wal``/``-shm``/``-journal`` and any cipco database file (backups) are never a valid output.
- A folder, a missing folder, an unwritable folder or an over-long name each get one sentence
  (:class:`OutputError`), never a traceback.
- The file is written to a private temporary file beside the target (0600) and moved into
  place only when complete, so a crash or a full disk leaves nothing half-written.
"""

from __future__ import annotations

import errno
import os
import shutil
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from cipco import private_temp
from cipco.private_temp import make_private_dir

OWNER_ONLY_FILE = 0o600
OWNER_ONLY_DIR = private_temp.OWNER_ONLY_DIR
SQLITE_HEADER = b"SQLite format 3\x00"
APPLICATION_ID_OFFSET = 68
CIPCO_APPLICATION_ID = 0x43495043  # "CIPC", as db.APPLICATION_ID
DB_COMPANIONS = ("-wal", "-shm", "-journal")
MAX_CLASH_SUFFIX = 999


class OutputError(Exception):
    """The output cannot be written as asked; the message is one sentence for the user."""


def stamp(at: datetime) -> str:
    """``20261202-100405``: the local time of ``at`` to the second, for file names."""
    from cipco.clock import to_london

    local = to_london(at) if at.tzinfo is not None else at
    return f"{local:%Y%m%d-%H%M%S}"


def default_name(what: str, suffix: str, at: datetime) -> str:
    """``referrals-20261202-100405.xlsx``."""
    return f"{what}-{stamp(at)}{suffix}"


def is_cipco_database(path: Path) -> bool:
    """True for a SQLite file whose header carries cipco's application id (db or backup)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(APPLICATION_ID_OFFSET + 4)
    except OSError:
        return False
    if not header.startswith(SQLITE_HEADER) or len(header) < APPLICATION_ID_OFFSET + 4:
        return False
    value = int.from_bytes(header[APPLICATION_ID_OFFSET : APPLICATION_ID_OFFSET + 4], "big")
    return value == CIPCO_APPLICATION_ID


@dataclass(frozen=True)
class OutputTarget:
    """A checked place to write: the path, and whether it may be renamed or replaced."""

    path: Path
    explicit: bool  # the user named it (--out): never renamed on a clash
    overwrite: bool = False
    protected: tuple[Path, ...] = field(default=())


def _protected_paths(database: Path | None) -> tuple[Path, ...]:
    if not isinstance(database, Path):  # none, or a database server (no file to protect)
        return ()
    base = database.expanduser().resolve()
    return (base, *(base.with_name(base.name + tail) for tail in DB_COMPANIONS))


def _name_too_long(path: Path) -> bool:
    try:
        limit = os.pathconf(path.parent if path.parent.exists() else ".", "PC_NAME_MAX")
    except (OSError, ValueError):
        limit = 255
    return len(os.fsencode(path.name)) > limit


def choose_output(
    out: Path | None,
    *,
    what: str,
    suffix: str,
    at: datetime,
    default_dir: Path,
    overwrite: bool = False,
    database: Path | None = None,
) -> OutputTarget:
    """Check where an output goes before any work is done. Raises :class:`OutputError`."""
    protected = _protected_paths(database)
    if out is None:
        folder = default_dir.expanduser()
        nearest = next(p for p in (folder, *folder.parents) if p.exists())
        if not nearest.is_dir():
            raise OutputError(f"{nearest} is a file, not a folder for exports")
        if not os.access(nearest, os.W_OK | os.X_OK):
            raise OutputError(f"cannot create the exports folder {folder}: permission denied")
        # made when the file is written, so a command refused later leaves no folder behind
        return OutputTarget(folder / default_name(what, suffix, at), False, False, protected)
    if str(out).strip() in ("", "."):
        raise OutputError("--out is empty: give a file name")
    path = Path(out).expanduser()
    if _name_too_long(path):
        raise OutputError(f"the file name {path.name[:40]}... is too long")
    try:
        _check_explicit(path, what, suffix, overwrite, protected)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {_reason(exc)}") from None
    return OutputTarget(path, True, overwrite, protected)


def _check_explicit(
    path: Path, what: str, suffix: str, overwrite: bool, protected: tuple[Path, ...]
) -> None:
    if path.is_dir():
        raise OutputError(f"{path} is a folder: give a file name, e.g. {path / (what + suffix)}")
    if not path.parent.exists():
        raise OutputError(f"the folder {path.parent} does not exist")
    if not path.parent.is_dir():
        raise OutputError(f"{path.parent} is not a folder")
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write in {path.parent}: permission denied")
    if path.resolve() in protected or is_cipco_database(path):
        raise OutputError(f"{path} is a cipco database or one of its files; choose another name")
    if path.exists() or path.is_symlink():
        if not overwrite:
            raise OutputError(f"{path} already exists; add --overwrite to replace it")
        if not path.is_file():
            raise OutputError(f"{path} is not a regular file; choose another name")


def _folder_for(target: OutputTarget) -> Path:
    """The target's folder; a default one (the exports folder) is made now, 0700."""
    folder = target.path.parent
    if not target.explicit:
        try:
            make_private_dir(folder)
        except OSError as exc:
            raise OutputError(
                f"cannot create the exports folder {folder}: {_reason(exc)}"
            ) from None
    return folder


def _reason(exc: OSError) -> str:
    if exc.errno == errno.ENOSPC:
        return "the disk is full"
    if exc.errno in (errno.EACCES, errno.EPERM):
        return "permission denied"
    if exc.errno == errno.ENAMETOOLONG:
        return "the name is too long"
    if exc.errno == errno.EROFS:
        return "the disk is read-only"
    return exc.strerror or type(exc).__name__


def link_into_place(temp: Path, final: Path) -> bool | None:
    """Hard-link ``temp`` as ``final`` unless ``final`` exists: True when linked, False when
    ``final`` exists, None when the file system has no hard links (the caller falls back)."""
    try:
        os.link(temp, final)
    except FileExistsError:
        return False
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.ENOTSUP, errno.EMLINK):
            raise
        return None
    return True


def _candidates(path: Path) -> Iterable[Path]:
    yield path
    for number in range(2, MAX_CLASH_SUFFIX + 1):
        yield path.with_name(f"{path.stem}-{number}{path.suffix}")


def _copy_exclusively(temp: Path, final: Path) -> bool:
    """Make ``final`` hold ``temp``'s bytes only if it does not exist; ``temp`` stays."""
    linked = link_into_place(temp, final)
    if linked is not None:
        return linked
    # A file system without hard links: create exclusively, then copy the bytes.
    try:
        fd = os.open(final, os.O_WRONLY | os.O_CREAT | os.O_EXCL, OWNER_ONLY_FILE)
    except FileExistsError:
        return False
    with os.fdopen(fd, "wb") as target, temp.open("rb") as source:
        shutil.copyfileobj(source, target)
    return True


def _place_exclusively(temp: Path, final: Path) -> bool:
    """Move ``temp`` to ``final`` only if ``final`` does not exist. False if it does."""
    if not _copy_exclusively(temp, final):
        return False
    temp.unlink(missing_ok=True)
    return True


def paired(out: Path | None, suffixes: tuple[str, ...]) -> Path | None:
    """``--out`` for files written side by side (``case.pdf`` and ``case.xlsx``): the path
    with the first suffix. A name ending in another of them, or in none, takes the first;
    any other ending is refused with one sentence."""
    if out is None:
        return None
    path = Path(out)
    suffix = path.suffix.lower()
    if suffix in suffixes or not suffix:
        return path.with_suffix(suffixes[0]) if suffix else path.with_name(path.name + suffixes[0])
    names = " and ".join(f"NAME{s}" for s in suffixes)
    raise OutputError(f"--out {path.name}: this writes {names}; give a name ending {suffixes[0]}")


def write_pair(target: OutputTarget, writers: dict[str, Callable[[Path], None]]) -> list[Path]:
    """Write files of one name and several extensions side by side (a case file's PDF and
    its workbook): all of them or none. ``writers`` maps each suffix to what writes it.

    Each is written complete to a private temporary file first. A default name takes the
    first ``-2``, ``-3``… free for every extension; an explicit one is refused (nothing
    written) if any of the files exists, unless ``overwrite``.
    """
    import tempfile

    folder = _folder_for(target)
    temps: dict[str, Path] = {}
    try:
        for suffix, write in writers.items():
            try:
                fd, name = tempfile.mkstemp(prefix=".cipco-", suffix=suffix, dir=folder)
            except OSError as exc:
                raise OutputError(f"cannot write in {folder}: {_reason(exc)}") from None
            os.close(fd)
            temps[suffix] = private_temp.track(Path(name))
            os.chmod(temps[suffix], OWNER_ONLY_FILE)
            write(temps[suffix])
            os.chmod(temps[suffix], OWNER_ONLY_FILE)
        stems = [target.path] if target.explicit else list(_candidates(target.path))
        for stem in stems:
            finals = [stem.with_suffix(suffix) for suffix in writers]
            if target.explicit and target.overwrite:
                for suffix, final in zip(writers, finals, strict=True):
                    os.replace(temps[suffix], final)
                return finals
            placed: list[Path] = []
            for suffix, final in zip(writers, finals, strict=True):
                if not _copy_exclusively(temps[suffix], final):
                    break
                placed.append(final)
            if len(placed) == len(finals):
                return finals
            for done in placed:  # ours, just made: removed so the names stay together
                done.unlink(missing_ok=True)
            if target.explicit:
                clash = finals[len(placed)]
                raise OutputError(f"{clash} already exists; add --overwrite to replace it")
        raise OutputError(f"too many files named like {target.path.name} in {folder}")
    except OSError as exc:
        raise OutputError(f"nothing was written to {target.path}: {_reason(exc)}") from None
    finally:
        for temp in temps.values():
            temp.unlink(missing_ok=True)


def write_output(target: OutputTarget, write: Callable[[Path], None]) -> Path:
    """Call ``write(temp_path)``, then move the finished file into place. Returns its path.

    The temporary file sits beside the target (same file system), is 0600 and is removed on
    any failure. A default name that appeared meanwhile gets a ``-2`` (``-3``…) suffix.
    """
    import tempfile

    folder = _folder_for(target)
    try:
        fd, temp_name = tempfile.mkstemp(prefix=".cipco-", suffix=target.path.suffix, dir=folder)
    except OSError as exc:
        raise OutputError(f"cannot write in {folder}: {_reason(exc)}") from None
    os.close(fd)
    temp = private_temp.track(Path(temp_name))  # if cipco is killed, removed at next start
    try:
        os.chmod(temp, OWNER_ONLY_FILE)
        write(temp)
        os.chmod(temp, OWNER_ONLY_FILE)
        if target.explicit:
            if target.overwrite:
                os.replace(temp, target.path)
                return target.path
            if not _place_exclusively(temp, target.path):
                raise OutputError(f"{target.path} already exists; add --overwrite to replace it")
            return target.path
        for candidate in _candidates(target.path):
            if _place_exclusively(temp, candidate):
                return candidate
        raise OutputError(f"too many files named like {target.path.name} in {folder}")
    except OSError as exc:
        raise OutputError(f"nothing was written to {target.path}: {_reason(exc)}") from None
    finally:
        temp.unlink(missing_ok=True)
