"""Temporary files live in a private folder per process; a killed cipco's are removed next start.

Each case runs real processes: the lock that marks a folder as in use is held by a process and
released by the kernel when it dies, even by kill -9.
"""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest

HOLDER = textwrap.dedent(
    """
    import sys, tempfile
    from cipco import private_temp
    folder = private_temp.start()
    print(folder, flush=True)
    print(tempfile.gettempdir(), flush=True)
    sys.stdin.readline()
    """
)

# A long export, stopped (and then killed) while openpyxl's plain-XML temporary copy of the
# sheet and the unfinished workbook beside the target both exist.
EXPORTER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from openpyxl import Workbook
    from cipco import private_temp
    from cipco.outputs import OutputTarget, write_output
    private_temp.start()

    def write(temp: Path) -> None:
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Referrals")
        for i in range(3000):
            ws.append([f"SMITH, John {i}", "assaulted a member of staff on the wing"])
        temp.write_bytes(b"PK unfinished")
        print("writing", flush=True)
        sys.stdin.readline()  # killed here
        wb.save(temp)

    write_output(OutputTarget(Path(sys.argv[1]), explicit=True), write)
    """
)


@pytest.fixture
def tmp_root(tmp_path: Path) -> Path:
    root = tmp_path / "tmp"
    root.mkdir()
    return root


@pytest.fixture
def env(tmp_root: Path) -> dict[str, str]:
    return {**os.environ, "TMPDIR": str(tmp_root)}


@pytest.fixture
def umask_000() -> Iterator[None]:
    old = os.umask(0)
    yield
    os.umask(old)


def _start(script: str, env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", script, *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        env=env,
    )


def _cipco(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cipco", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def _everything(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


def test_each_process_gets_a_private_folder_under_umask_000(
    tmp_root: Path, env: dict[str, str], umask_000: None
) -> None:
    proc = _start(HOLDER, env)
    assert proc.stdout is not None
    folder = Path(proc.stdout.readline().strip())
    tempdir = Path(proc.stdout.readline().strip())
    try:
        assert tempdir == folder
        base = tmp_root / f"cipco-{os.getuid()}"
        assert folder.parent == base
        for path in (base, folder):
            assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
    finally:
        proc.communicate("\n", timeout=30)
    assert proc.returncode == 0
    assert not folder.exists()  # removed at a normal exit


def test_a_running_cipco_keeps_its_folder_a_dead_one_loses_it(
    tmp_root: Path, env: dict[str, str]
) -> None:
    alive = _start(HOLDER, env)
    dead = _start(HOLDER, env)
    assert alive.stdout is not None and dead.stdout is not None
    alive_folder = Path(alive.stdout.readline().strip())
    dead_folder = Path(dead.stdout.readline().strip())
    (dead_folder / "openpyxl.secret").write_text("SMITH, John")
    dead.kill()
    dead.wait()
    assert dead_folder.exists()
    try:
        result = _cipco(env, "--help")
        assert result.returncode == 0
        assert alive_folder.is_dir()  # another window's cipco: left alone
        assert not dead_folder.exists()
    finally:
        alive.communicate("\n", timeout=30)


def test_kill_9_during_an_export_leaves_nothing_after_the_next_start(
    tmp_path: Path, tmp_root: Path, env: dict[str, str]
) -> None:
    exports = tmp_path / "exports"
    exports.mkdir()
    (exports / "mine.txt").write_text("the user's own file")  # never touched
    (exports / ".cipco-keep.txt").write_text("not recorded by any cipco")  # never touched
    proc = _start(EXPORTER, env, str(exports / "referrals.xlsx"))
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "writing"
    private = [p for p in tmp_root.rglob("openpyxl*") if p.is_file()]
    beside = [p for p in exports.iterdir() if p.name.startswith(".cipco-") and p.suffix == ".xlsx"]
    assert private and beside  # the plain-XML copy and the unfinished workbook exist
    assert "SMITH, John 1" in private[0].read_text()  # names, in plain text
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert private[0].exists() and beside[0].exists()

    result = _cipco(env, "--help")
    assert result.returncode == 0, result.stderr
    assert _everything(tmp_root) == [f"cipco-{os.getuid()}"]
    assert sorted(p.name for p in exports.iterdir()) == [".cipco-keep.txt", "mine.txt"]


def test_a_shared_temp_name_owned_by_someone_else_is_not_used(tmp_root: Path) -> None:
    from cipco import private_temp

    trap = tmp_root / f"cipco-{os.getuid()}"
    trap.symlink_to(tmp_root)  # a link planted where cipco's folder would be
    code = textwrap.dedent(
        f"""
        from pathlib import Path
        from cipco import private_temp
        print(private_temp.start(Path({str(tmp_root)!r})))
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout.strip()
    folder = Path(out)
    assert folder.parent != trap and folder.parent.parent == tmp_root
    assert trap.is_symlink()
    assert private_temp.folder() is None  # nothing started in the test process itself


# The real command: stopped by its own watcher once openpyxl's temporary copy of the sheet
# is under way (whatever writes it), then killed.
STOPPED_CLI = textwrap.dedent(
    """
    import os, signal, sys, threading
    from cipco import private_temp
    folder = private_temp.start()

    def watch():
        while True:
            for entry in list(folder.iterdir()):
                try:
                    big = entry.stat().st_size > 20_000
                except OSError:
                    big = False
                if big:
                    print("writing", flush=True)
                    os.kill(os.getpid(), signal.SIGSTOP)
                    return

    threading.Thread(target=watch, daemon=True).start()
    sys.argv = ["cipco", *sys.argv[1:]]
    from cipco.cli import main
    main()
    """
)


def test_kill_9_during_a_real_export_leaves_nothing_after_the_next_start(
    tmp_path: Path, tmp_root: Path, env: dict[str, str], demo_db: Path
) -> None:
    exports = tmp_path / "out"
    exports.mkdir()
    args = ["--db", str(demo_db), "export", "referrals", "--out", str(exports / "r.xlsx")]
    proc = _start(STOPPED_CLI, env, *args)
    assert proc.stdout is not None
    try:
        assert proc.stdout.readline().strip() == "writing"
        left = [p for p in tmp_root.rglob("*") if p.is_file() and p.name != ".lock"]
        assert any(p.stat().st_size > 20_000 for p in left)  # names, in plain XML
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    result = _cipco(env, "--db", str(demo_db), "site")
    assert result.returncode == 0, result.stderr
    assert _everything(tmp_root) == [f"cipco-{os.getuid()}"]
    assert list(exports.iterdir()) == []  # no unfinished workbook either
