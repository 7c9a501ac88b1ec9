"""Shared pieces of the data-layer tests: a demo file, its fingerprint, the commands by access."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    """Run ``cipco ARGS`` in-process; the exit code and everything it printed."""
    state.db_option = None
    result = runner.invoke(app, list(args))
    state.db_option = None
    return result.exit_code, result.output


def fingerprint(folder: Path) -> dict[str, tuple[int, str]]:
    """Every entry of ``folder``: its mode and content digest (folders: mode only).

    A ``-shm`` file is SQLite's shared-memory index: every reader writes to it, so only its
    presence and mode count.
    """
    found = {}
    for entry in sorted(folder.iterdir()):
        info = entry.lstat()
        hashed = entry.is_file() and not entry.name.endswith("-shm")
        digest = hashlib.sha256(entry.read_bytes()).hexdigest() if hashed else ""
        found[entry.name] = (info.st_mode, digest)
    return found


def copy_db(template: Path, target: Path) -> Path:
    shutil.copyfile(template, target)
    os.chmod(target, 0o600)
    return target


def count(path: Path, table: str = "referral") -> int:
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    finally:
        conn.close()


def read_commands(out: Path) -> dict[str, list[str]]:
    """Commands that only read the file, each with arguments that work on the demo file."""
    commands = {
        "verify": ["verify"],
        "export referrals": ["export", "referrals", "--out", str(out / "r.xlsx")],
        "export persons": ["export", "persons", "--out", str(out / "p.xlsx")],
        "export exhibits": ["export", "exhibits", "--out", str(out / "e.xlsx")],
        "export mg4d": ["export", "mg4d", "--out", str(out / "m.xlsx")],
        "export actions": ["export", "actions", "--out", str(out / "a.xlsx")],
        "report monthly": ["report", "monthly", "--out", str(out / "mo.xlsx")],
        "settings": ["settings"],
        "site": ["site"],
        "backup": ["backup", "--out", str(out / "b.db")],
    }
    if _has_command("ledger"):
        commands["ledger"] = ["ledger"]
    return commands


def write_commands(workbook: Path) -> dict[str, list[str]]:
    """Commands that save changes (the app itself is checked the same way)."""
    return {
        "app": [],
        "demo": ["demo", "--referrals", "1", "--force"],
        "settings KEY VALUE": ["settings", "due_soon_working_days", "3"],
        "site CODE": ["site", "LEI"],
        "import referrals": ["import", "referrals", str(workbook)],
    }


def _has_command(name: str) -> bool:
    import typer.main

    group = typer.main.get_command(app)
    return name in getattr(group, "commands", {})


def tiny_workbook(path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Ref", "Prison No", "Name", "Incident Date", "Crime Type", "Status"])
    ws.append(["ONE-1", "A1234BC", "Smith, J", "01/10/2026", "Mobile phone", "Referred"])
    wb.save(path)
    return path
