"""A private temporary folder per cipco process, and the clean-up of dead processes' folders.

Temporary files can hold OFFICIAL-SENSITIVE data in plain text (openpyxl writes each sheet of
a big export as plain XML before zipping it). They never go to the shared temporary folder:

- :func:`start` (called once when the CLI or the app starts) makes
  ``<tmp>/cipco-<uid>/<pid>-<random>/`` (0700, in a 0700 folder owned by this user), holds an
  exclusive lock on a file inside it for as long as the process lives, and points
  :mod:`tempfile` at it, so openpyxl's and every other temporary file lands there.
- On start, the folders of cipco processes that no longer run are removed: their lock is free
  (the kernel releases it when a process dies, even by ``kill -9``). A folder whose lock is
  held belongs to a cipco still running in another window and is left alone.
- :func:`track` records a temporary file cipco writes elsewhere (beside an export, so it can
  be moved into place atomically); if the process dies, the next start removes it.

Nothing here imports anything heavy, so ``cipco --help`` stays fast.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import stat
import tempfile
import time
from pathlib import Path
from typing import IO

LOCK_NAME = ".lock"
MANIFEST_NAME = ".outside"
TRACKED_PREFIX = ".cipco-"  # only files named like this are ever removed from outside
NEW_PREFIX = ".new-"
STALE_NEW_SECONDS = 3600  # a folder still being set up after an hour is a dead start
OWNER_ONLY_DIR = 0o700

_state: dict[str, object] = {}


def make_private_dir(path: Path) -> Path:
    """Create ``path`` (and missing parents) as 0700 whatever the umask; leave existing ones."""
    missing = []
    current = path
    while not current.exists():
        missing.append(current)
        current = current.parent
    for folder in reversed(missing):
        try:
            folder.mkdir(mode=OWNER_ONLY_DIR)
        except FileExistsError:
            continue
        os.chmod(folder, OWNER_ONLY_DIR)  # mkdir's mode is masked by the umask
    return path


def _lock(handle: IO[str], *, wait: bool = False) -> bool:
    """Take the exclusive lock on ``handle``; False if another process holds it."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - not POSIX: locks are not available
        return True
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except BlockingIOError:
        return False
    return True


def _private_base(root: Path) -> Path:
    """``root/cipco-<uid>``: created 0700, or a fresh private folder if that name is unsafe."""
    uid = os.getuid() if hasattr(os, "getuid") else 0
    base = root / f"cipco-{uid}"
    with contextlib.suppress(FileExistsError):
        base.mkdir(mode=OWNER_ONLY_DIR)
    info = os.lstat(base)
    if stat.S_ISLNK(info.st_mode) or not stat.S_ISDIR(info.st_mode) or info.st_uid != uid:
        # Someone else made this name (or a link): never use it.
        return Path(tempfile.mkdtemp(prefix=f"cipco-{uid}-", dir=root))
    if stat.S_IMODE(info.st_mode) != OWNER_ONLY_DIR:
        os.chmod(base, OWNER_ONLY_DIR)  # cipco's own folder; mkdir's mode obeys the umask
    return base


def _remove_tracked(folder: Path) -> None:
    manifest = folder / MANIFEST_NAME
    try:
        lines = manifest.read_text(encoding="utf-8").splitlines()
    except OSError:
        return
    for line in lines:
        path = Path(line)
        if path.name.startswith(TRACKED_PREFIX) and path.is_absolute():
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
                for tail in ("-wal", "-shm", "-journal"):
                    path.with_name(path.name + tail).unlink(missing_ok=True)


def _remove_if_dead(folder: Path) -> bool:
    """Remove ``folder`` (and what it tracked) if its process no longer runs."""
    if folder.name.startswith(NEW_PREFIX):
        try:
            if time.time() - folder.stat().st_mtime < STALE_NEW_SECONDS:
                return False
        except OSError:
            return False
    try:
        handle = (folder / LOCK_NAME).open("r+", encoding="utf-8")
    except FileNotFoundError:
        handle = None  # a folder without a lock: left by a process killed while starting
    except OSError:
        return False
    try:
        if handle is not None and not _lock(handle):
            return False  # a cipco running in another window
        if handle is None and not folder.name.startswith(NEW_PREFIX):
            try:
                if time.time() - folder.stat().st_mtime < STALE_NEW_SECONDS:
                    return False
            except OSError:
                return False
        _remove_tracked(folder)
        shutil.rmtree(folder, ignore_errors=True)
        return True
    finally:
        if handle is not None:
            handle.close()


def clean_up(base: Path) -> list[Path]:
    """Remove the folders of cipco processes that no longer run. Returns what was removed."""
    removed = []
    try:
        entries = list(base.iterdir())
    except OSError:
        return removed
    own = _state.get("folder")
    for entry in entries:
        if entry == own or entry.is_symlink() or not entry.is_dir():
            continue
        if _remove_if_dead(entry):
            removed.append(entry)
    return removed


def start(root: Path | None = None) -> Path:
    """Make this process's private temporary folder and point :mod:`tempfile` at it.

    Called once at process start; later calls return the same folder.
    """
    existing = _state.get("folder")
    if isinstance(existing, Path) and existing.is_dir():
        return existing
    base = _private_base(Path(root) if root is not None else Path(tempfile.gettempdir()))
    clean_up(base)
    setup = Path(tempfile.mkdtemp(prefix=f"{NEW_PREFIX}{os.getpid()}-", dir=base))
    handle = (setup / LOCK_NAME).open("w", encoding="utf-8")
    _lock(handle, wait=True)
    folder = base / setup.name.removeprefix(NEW_PREFIX)
    os.rename(setup, folder)  # visible under its final name only once locked
    _state.update(folder=folder, lock=handle, base=base)
    tempfile.tempdir = str(folder)
    atexit.register(finish)
    return folder


def folder() -> Path | None:
    """This process's private temporary folder, if :func:`start` ran."""
    found = _state.get("folder")
    return found if isinstance(found, Path) else None


def finish() -> None:
    """Remove this process's folder (at normal exit; a killed process is cleaned next start)."""
    found = _state.pop("folder", None)
    handle = _state.pop("lock", None)
    if isinstance(found, Path):
        _remove_tracked(found)
        shutil.rmtree(found, ignore_errors=True)
        if tempfile.tempdir == str(found):
            tempfile.tempdir = None
    if handle is not None:
        with contextlib.suppress(OSError):
            handle.close()  # type: ignore[attr-defined]


def track(path: Path) -> Path:
    """Note a temporary file written outside the private folder, named ``.cipco-…``.

    If the process dies before the file is moved into place or removed, the next cipco to
    start removes it. Without :func:`start` (a library caller), nothing is recorded.
    """
    own = folder()
    if own is not None and path.name.startswith(TRACKED_PREFIX):
        with contextlib.suppress(OSError), (own / MANIFEST_NAME).open("a", encoding="utf-8") as f:
            f.write(f"{path.absolute()}\n")
    return path
