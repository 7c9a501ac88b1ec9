"""Text from files and users never acts on the terminal, and markup in it stays literal.

A name holding ``ESC[2J`` wiped the screen's header; ``SMITH, [John]`` lost ``[John]`` in
the command palette (read as markup). Here such text goes through the CLI, the tables, the
palette, the detail screens and notifications, and what reaches the screen is checked.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rich.console import Console, Group
from rich.table import Table
from rich.text import Text
from sqlalchemy import Engine
from typer.testing import CliRunner

from cipco.app import CipcoApp
from cipco.cli import app as cli_app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.text import clean, escape_markup, literal, make_safe
from tests import hostile_files as hf
from tests.factories import new_referral
from tests.tui_helpers import screen_text, settle

HOSTILE_NAME = "SMITH, [John] [bold]x[/bold]\x1b[2J\x1b]52;c;ZXZpbA==\x07\x08\u202egnp.exe"
SHOWN_NAME = "SMITH, [John] [bold]x[/bold]gnp.exe"


@pytest.mark.parametrize(
    ("raw", "shown"),
    [
        ("plain text", "plain text"),
        ("wipe\x1b[2Jscreen", "wipescreen"),
        ("title\x1b]0;owned\x07 after", "title after"),
        ("link \x1b]8;;http://evil.example\x1b\\here\x1b]8;;\x1b\\", "link here"),
        ("clipboard\x1b]52;c;ZXZpbA==\x07!", "clipboard!"),
        ("c1 csi \x9b2J done", "c1 csi  done"),
        ("bell\x07 back\x08space del\x7f", "bell backspace del"),
        ("right-to-left \u202eexe.txt", "right-to-left exe.txt"),
        ("tab\tand\nnewline\r\n", "tab and newline "),
        ("keeps [John] and é, Ł, Ω, Ж", "keeps [John] and é, Ł, Ω, Ж"),
        ("lone ESC at the end \x1b", "lone ESC at the end "),
    ],
)
def test_clean_removes_what_acts_on_a_terminal(raw: str, shown: str) -> None:
    assert clean(raw) == shown


def test_clean_keeps_line_breaks_when_asked() -> None:
    assert clean("one\r\ntwo\x1b[1A\tthree", newlines=True) == "one\ntwo\tthree"


def test_literal_and_escaped_markup_stay_as_typed() -> None:
    console = Console(width=80, record=True, color_system=None)
    console.print(literal(HOSTILE_NAME))
    console.print(escape_markup("[red]SMITH, [John][/red]"))
    out = console.export_text()
    assert SHOWN_NAME in out
    assert "[red]SMITH, [John][/red]" in out
    assert "\x1b" not in out


def test_make_safe_cleans_tables_and_groups_in_place() -> None:
    table = Table("Name")
    table.add_column(Text("Role\x1b[31m"))
    table.add_row(HOSTILE_NAME, Text("witness\x07", style="bold"))
    group = make_safe(Group(Text("head \x1b[2J"), table))
    console = Console(width=120, record=True, color_system=None)
    console.print(group)
    out = console.export_text()
    assert "\x1b" not in out and "\x07" not in out
    assert "SMITH, [John] [bold]x[/bold]" in out  # a str cell is not parsed as markup


@pytest.fixture
def _cli(clock: FixedClock) -> object:
    state.clock = clock
    yield None
    state.clock = None
    state.db_option = None


def test_cli_never_prints_escapes_from_a_file(
    _cli: object, engine: Engine, db_path: Path, tmp_path: Path
) -> None:
    cells = b"".join(
        hf.label(0, c, h)
        for c, h in enumerate(
            ["Ref", "Prison No", "Name", "Incident Date", "Evil\x1b[2J\x1b]0;pwned\x07 header"]
        )
    )
    cells += hf.label(1, 0, "R1") + hf.label(1, 1, "BAD\x1b[31m") + hf.label(1, 2, HOSTILE_NAME)
    cells += hf.label(1, 3, "01/10/2026\x1b[2J")
    source = hf.xls(tmp_path / "tracker.xls", [("Sheet\x1b[2J", cells)])
    result = CliRunner().invoke(
        cli_app, ["--db", str(db_path), "import", "referrals", str(source), "--dry-run"]
    )
    assert result.exit_code == 1
    assert "'Evil header' -> not imported (empty)" in result.output
    assert "\x1b" not in result.output and "\x07" not in result.output
    missing = CliRunner().invoke(
        cli_app, ["--db", str(db_path), "export", "proforma", "REF\x1b[2J\x1b]0;x\x07"]
    )
    assert missing.exit_code != 0
    assert "\x1b" not in missing.output and "REF" in missing.output


async def test_screens_show_hostile_names_literally(db_path: Path, clock: FixedClock) -> None:
    from cipco.screens.referral_detail import ReferralDetailScreen
    from cipco.services.bootstrap import prepare

    engine = prepare(db_path)
    with session_scope(engine, actor="tester", clock=clock) as session:
        referral = new_referral(session, clock, name=HOSTILE_NAME, location="Wing\x1b[2J [b]B[/b]")
        referral_id = referral.id
    engine.dispose()
    app = CipcoApp(db_path, clock=clock, start="referrals", poll_seconds=0.2)
    async with app.run_test(size=(140, 45), notifications=True) as pilot:
        await settle(pilot)
        listed = screen_text(app)
        assert "SMITH, [John]" in listed  # the referrals table (the column cuts the rest)
        assert "\x1b" not in listed and "\x07" not in listed
        await pilot.press("ctrl+p")
        await pilot.pause()
        for ch in "smith":
            await pilot.press(ch)
        for _ in range(40):
            await pilot.pause(0.1)
            if "[John]" in screen_text(app):
                break
        palette = screen_text(app)
        assert "SMITH, [John] [bold]x[/bold]" in palette  # not read as markup
        assert "\x1b" not in palette
        await pilot.press("escape")
        await settle(pilot)
        assert referral_id is not None
        app.open_referral(referral_id)
        await settle(pilot)
        assert isinstance(app.screen, ReferralDetailScreen)
        detail = screen_text(app)
        assert "SMITH, [John] [bold]x[/bold]" in detail and "Wing" in detail
        assert "[b]B[/b]" in detail
        assert "\x1b" not in detail and "\x07" not in detail
        app.notify(f"Saved {HOSTILE_NAME}", title="Hello\x1b[2J")
        await pilot.pause()
        note = app._notifications
        messages = [n.message for n in note] + [n.title for n in note]
        assert all("\x1b" not in m for m in messages)
        assert any("SMITH, [John] [bold]x[/bold]" in m for m in messages)
