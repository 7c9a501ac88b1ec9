"""How fast cipco starts, against baselines measured in the same run.

1. Launch → first rows on a real terminal (a pty, 100x30, TERM=xterm-256color): the time
   from starting the process to the first row's text appearing in what it wrote, for
   - a bare Textual app showing one DataTable row (the baseline),
   - ``cipco`` on its start screen, Home (the first due item's reference),
   - the app opened on the referrals list (the first referral's reference),
   each run in turn, RUNS times; medians, the ratio against the bare app, and the peak RSS
   (``/usr/bin/time -v``).
2. CLI commands that open the file (``cipco settings``, ``cipco verify`` on a file with no
   records) against a minimal Typer app's ``--help``; medians and ratio.

Run: ``.venv/bin/python bench/bench_start.py`` (``make bench`` runs it with the others).
``CIPCO_BENCH_BEFORE=/path/to/other/.venv/bin`` also times that installation's ``cipco`` in
the same run (e.g. the main branch's, to show a change's effect under the same load).
"""

from __future__ import annotations

import os
import pty
import re
import select
import shutil
import signal
import statistics
import struct
import subprocess
import sys
import tempfile
import termios
import time
from collections.abc import Sequence
from fcntl import ioctl
from pathlib import Path

RUNS = int(os.environ.get("CIPCO_BENCH_RUNS", "7"))
BEFORE = os.environ.get("CIPCO_BENCH_BEFORE")
TIMEOUT = 30.0
ROWS, COLS = 30, 100
HERE = Path(__file__).resolve().parent
VENV_BIN = Path(sys.executable).parent
ANSI = re.compile(
    rb"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[()][0-9A-Za-z]|\x1b[=>78]"
)
TIME_V = shutil.which("time") and Path("/usr/bin/time").exists()

BARE_APP = """
from textual.app import App
from textual.widgets import DataTable

class Bare(App):
    def compose(self):
        table = DataTable()
        table.add_columns("Reference", "Status")
        table.add_row("BARE-ROW-0001", "open")
        yield table

Bare().run()
"""

START_ON = """
# What `cipco` does with no command, opening on another list.
import gc, sys
gc.disable()
from cipco import private_temp
from cipco.cli.common import open_engine_or_exit, state
private_temp.start()
state.db_option = sys.argv[1]
engine = open_engine_or_exit(create=True)
from cipco.app import CipcoApp
CipcoApp(sys.argv[1], start=sys.argv[2], engine=engine).run()
"""

TYPER_APP = '''
import typer
app = typer.Typer()

@app.command()
def hello(name: str = "world") -> None:
    """Say hello."""
    typer.echo(f"hello {name}")

@app.command()
def bye() -> None:
    """Say bye."""

app()
'''


def _screen_text(raw: bytes) -> str:
    return ANSI.sub(b"", raw).decode("utf-8", "replace")


def time_to_text(
    args: Sequence[str], marker: str, env: dict[str, str] | None = None
) -> tuple[float, float]:
    """Seconds from spawn to ``marker`` in the terminal output, and the peak RSS (MB)."""
    master, slave = pty.openpty()
    ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", ROWS, COLS, 0, 0))
    fd, rss_name = tempfile.mkstemp(prefix="cipco-bench-rss-")
    os.close(fd)
    wrapped = ["/usr/bin/time", "-v", "-o", rss_name, *args] if TIME_V else list(args)
    child_env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": str(COLS), "LINES": str(ROWS)}
    child_env.pop("TEXTUAL", None)
    child_env.update(env or {})
    started = time.perf_counter()
    proc = subprocess.Popen(
        wrapped, stdin=slave, stdout=slave, stderr=slave, env=child_env, start_new_session=True
    )
    os.close(slave)
    seen = b""
    found = float("nan")
    deadline = started + TIMEOUT
    try:
        while time.perf_counter() < deadline:
            ready, _, _ = select.select([master], [], [], 0.05)
            if not ready:
                if proc.poll() is not None:
                    break
                continue
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
            if marker in _screen_text(seen[-200_000:]):
                found = time.perf_counter() - started
                break
        os.write(master, b"\x11")  # ctrl+q: quit as a user would
        _drain(master, proc)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(5)
        os.close(master)
    if found != found:
        tail = _screen_text(seen[-3000:])
        raise SystemExit(f"{marker!r} never appeared for {args}; the terminal showed:\n{tail}")
    return found, _peak_rss(Path(rss_name))


def _drain(master: int, proc: subprocess.Popen[bytes]) -> None:
    end = time.perf_counter() + 10
    while proc.poll() is None and time.perf_counter() < end:
        ready, _, _ = select.select([master], [], [], 0.05)
        if ready:
            try:
                os.read(master, 65536)
            except OSError:
                return


def _peak_rss(path: Path) -> float:
    try:
        for line in path.read_text().splitlines():
            if "Maximum resident set size" in line:
                return int(line.split(":")[1]) / 1024
        return float("nan")
    finally:
        path.unlink(missing_ok=True)


def time_command(args: Sequence[str], env: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    subprocess.run(args, capture_output=True, check=True, env={**os.environ, **(env or {})})
    return time.perf_counter() - started


def _first_references(db: Path) -> tuple[str, str]:
    """The first due item's reference on Home and the first referral in the default list."""
    from cipco.clock import SystemClock
    from cipco.db import read_scope
    from cipco.services.bootstrap import prepare
    from cipco.services.home import home

    engine = prepare(db)
    clock = SystemClock()
    with read_scope(engine, clock=clock) as session:
        found = home(session, clock)
    engine.dispose()
    if not found.items:
        raise SystemExit("the demo file has nothing due today: Home shows no rows to time")
    return found.items[0].record.reference, ""


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="cipco-bench-start-"))
    try:
        _run(work)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _run(work: Path) -> None:
    python = sys.executable
    cipco = str(VENV_BIN / "cipco")
    bare = work / "bare.py"
    bare.write_text(BARE_APP)
    start_on = work / "start_on.py"
    start_on.write_text(START_ON)
    typer_app = work / "typer_app.py"
    typer_app.write_text(TYPER_APP)
    db = work / "demo.db"
    empty = work / "empty.db"
    env = {"CIPCO_DB": str(db), "TMPDIR": str(work)}
    subprocess.run(
        [cipco, "demo", "-q", "--referrals", "300"],
        env={**os.environ, **env},
        check=True,
        capture_output=True,
    )
    from cipco.services.bootstrap import prepare

    prepare(empty).dispose()  # a cipco file with no records
    home_ref, _ = _first_references(db)
    referral_ref = _first_referral_row(db)
    print(f"markers: Home {home_ref!r}, referrals {referral_ref!r}")

    launches = {
        "bare Textual app, one DataTable row": ([python, str(bare)], "BARE-ROW-0001", {}),
        "cipco → Home, first due row": ([cipco], home_ref, env),
        "cipco → Referrals, first row": (
            [python, str(start_on), str(db), "referrals"],
            referral_ref,
            env,
        ),
    }
    if BEFORE:
        launches["before: cipco → Home"] = ([str(Path(BEFORE) / "cipco")], home_ref, env)
    samples: dict[str, list[float]] = {name: [] for name in launches}
    rss: dict[str, list[float]] = {name: [] for name in launches}
    for args, marker, extra in launches.values():  # warm the page cache, not timed
        time_to_text(args, marker, extra)
    for _ in range(RUNS):
        for name, (args, marker, extra) in launches.items():
            seconds, peak = time_to_text(args, marker, extra)
            samples[name].append(seconds)
            rss[name].append(peak)
    print(f"Launch → first rows on a {COLS}x{ROWS} pty, median of {RUNS} runs (300 referrals):")
    base = statistics.median(samples["bare Textual app, one DataTable row"])
    for name, times in samples.items():
        median = statistics.median(times)
        print(
            f"  {name:38} {median:6.3f} s  max {max(times):6.3f} s  "
            f"×{median / base:4.2f}  peak RSS {statistics.median(rss[name]):5.0f} MB"
        )

    commands = {
        "minimal Typer app --help": ([python, str(typer_app), "--help"], {}),
        "cipco --version": ([cipco, "--version"], {}),
        "cipco --help": ([cipco, "--help"], {}),
        "cipco settings": ([cipco, "settings"], {"CIPCO_DB": str(empty)}),
        "cipco verify (no records)": ([cipco, "verify", "-q"], {"CIPCO_DB": str(empty)}),
        "cipco prefs": ([cipco, "prefs"], {"XDG_CONFIG_HOME": str(work / "config")}),
    }
    if BEFORE:
        before = str(Path(BEFORE) / "cipco")
        commands["before: cipco settings"] = ([before, "settings"], {"CIPCO_DB": str(empty)})
        commands["before: cipco verify"] = ([before, "verify", "-q"], {"CIPCO_DB": str(empty)})
    cli: dict[str, list[float]] = {name: [] for name in commands}
    for args, extra in commands.values():
        time_command(args, extra)
    for _ in range(RUNS):
        for name, (args, extra) in commands.items():
            cli[name].append(time_command(args, extra))
    print(f"CLI start, median of {RUNS} runs:")
    base = statistics.median(cli["minimal Typer app --help"])
    for name, times in cli.items():
        median = statistics.median(times)
        print(f"  {name:38} {median:6.3f} s  max {max(times):6.3f} s  ×{median / base:4.2f}")


def _first_referral_row(db: Path) -> str:
    """The reference in the first row of the referrals list as it opens."""
    import asyncio

    from textual.widgets import DataTable

    from cipco.app import CipcoApp

    async def first() -> str:
        app = CipcoApp(db, start="referrals")
        async with app.run_test(size=(COLS, ROWS)) as pilot:
            for _ in range(200):
                await pilot.pause(0.05)
                tables = list(app.screen.query(DataTable))
                if tables and tables[0].row_count:
                    table = tables[0]
                    for cell in table.get_row_at(0):
                        text = str(cell)
                        if re.search(r"\d", text) and len(text) >= 6:
                            return text
            raise SystemExit("the referrals list showed no rows")
        raise AssertionError

    return asyncio.run(first())


if __name__ == "__main__":
    main()
