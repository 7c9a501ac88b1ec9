"""Import an old log from the TUI: pick the file, read the dry run, then import on a yes.

``ImportScreen(engine, clock, actor, what="referrals")`` is a ModalScreen returning the
committed :class:`ImportSummary` (or ``None`` when nothing was imported). The log can be
changed on the screen (every log that imports is offered); the file is chosen in a file
picker (``textual-fspicker``: folders and spreadsheets only), never typed. Choosing a file
runs the dry run at once: each column, the field it goes to and how it was found (exact,
synonym, guessed, remembered), columns kept with each record or not imported, the counts and
every rejected row with its reason, all before anything is written. ``ctrl+s`` (Import)
then imports it in one transaction. All DB and file work runs in thread workers.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Static

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from cipco.clock import Clock
    from cipco.spreadsheets.importers import ImportSummary
from cipco.screens import keymap
from cipco.text import clean, make_safe
from cipco.widgets.errors import ReportsWorkerErrors

SPREADSHEETS = (".xlsx", ".xlsm", ".xls", ".ods")
HOW_STYLE = {"guessed": "yellow", "--map": "cyan", "remembered": "cyan"}


def log_choices() -> list[tuple[str, str]]:
    """(title, log name) of every log that imports, in the app's order."""
    from cipco.services.logspec import all_specs
    from cipco.spreadsheets.logs import IMPORTS

    return [
        (spec.words.plural.capitalize(), spec.name) for spec in all_specs() if spec.name in IMPORTS
    ]


def spreadsheet_picker(start: Path, title: str) -> ModalScreen[Path | None]:
    """textual-fspicker's file dialog, showing folders and spreadsheets (or any file), laid
    out to fit 80 columns."""
    from textual_fspicker import FileOpen, Filters

    class SpreadsheetPicker(FileOpen):
        DEFAULT_CSS = """
        SpreadsheetPicker Dialog { width: 96%; height: 92%; }
        SpreadsheetPicker InputBar Input { width: 1fr; }
        SpreadsheetPicker InputBar Select { width: 16; }
        """

    return SpreadsheetPicker(
        start,
        title=title,
        filters=Filters(
            ("Sheets", lambda p: p.suffix.lower() in SPREADSHEETS),
            ("Any file", lambda _p: True),
        ),
    )


def _short(value: str, width: int) -> str:
    text = " ".join(clean(value).split())
    return text if len(text) <= width else text[: width - 1] + "…"


def summary_text(summary: ImportSummary, *, limit: int = 30) -> Text:
    """The dry-run / result report as Rich Text (user text is never markup)."""
    text = Text()
    text.append(f"{summary.path.name}: sheet '{summary.sheet}', header on row ")
    text.append(f"{summary.header_row}\n", style="bold")
    text.append("Columns (header -> field, how it was found)\n", style="bold")
    lost = {column.header: column for column in summary.lost}
    wide = min(28, max((len(c.header) for c in summary.columns), default=10))
    field_wide = max((len(c.field) for c in summary.columns), default=10)
    for column in summary.columns:
        text.append(f"  {_short(column.header, wide):<{wide}} ")
        if column.header in lost:
            problem = lost[column.header]
            text.append(f"NOT IMPORTED: {problem.reason}", style="bold red")
            if problem.remedy:
                text.append(f"; {problem.remedy}", style="red")
        elif column.field:
            text.append(f"-> {column.field:<{field_wide}} ")
            why = f": {column.why}" if column.why else ""
            text.append(f"{column.how}{why}", style=HOW_STYLE.get(column.how, "dim"))
        elif column.how == "kept":
            text.append("kept with each record (original columns)", style="italic")
        elif column.how == "derived":
            text.append("not imported (cipco works it out)", style="dim")
        else:
            text.append("not imported (empty)", style="dim")
        if column.index in summary.hints and column.header not in lost:
            text.append(f"\n  {'':<{wide}} {summary.hints[column.index]}", style="dim")
        text.append("\n")
    text.append("\n")
    text.append(summary.counts_line() + "\n", style="bold")
    if summary.skipped_line():
        text.append(f"({summary.skipped_line()})\n", style="dim")
    if summary.counts_note:
        text.append(f"({summary.counts_note})\n", style="dim")
    if summary.rejects:
        text.append(f"\nRejected rows ({len(summary.rejects)})\n", style="bold red")
    for reject in summary.rejects[:limit]:
        column = f" [{reject.column}]" if reject.column else ""
        text.append(f"  row {reject.row}{column}: {reject.reason}\n", style="red")
    if len(summary.rejects) > limit:
        text.append(f"  ... and {len(summary.rejects) - limit} more rejected rows\n", style="red")
    if summary.warnings:
        text.append(f"\nWarnings ({len(summary.warnings)})\n", style="bold yellow")
    for row, warning in summary.warnings[:limit]:
        text.append(f"  row {row}: {warning}\n", style="yellow")
    if summary.remembered:
        text.append("\nThe column mapping is remembered for this header layout.\n")
    if summary.rejects_path is not None:
        text.append(f"\nRejected rows written to {summary.rejects_path}\n")
    return text


class ImportScreen(ReportsWorkerErrors, ModalScreen["ImportSummary | None"]):
    """Log and file -> dry run (columns, counts, rejects) -> Import -> summary."""

    BINDINGS = [
        keymap.binding("back", label="Close"),
        keymap.binding("choose_file"),
        keymap.binding("save", label="Import"),
    ]
    DEFAULT_CSS = """
    ImportScreen { align: center middle; }
    ImportScreen > Vertical { width: 96%; max-width: 120; height: 96%; border: thick $primary;
                              padding: 0 1; background: $surface; }
    ImportScreen #top { height: auto; }
    ImportScreen #log { width: 30; }
    ImportScreen #file { width: 1fr; padding: 1 1 0 1; }
    ImportScreen #report { height: 1fr; border: round $panel; }
    ImportScreen .buttons { height: auto; }
    """
    last_folder: ClassVar[Path | None] = None  # where the picker opened a file last time

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        actor: str,
        *,
        what: str = "referrals",
        path: str = "",
    ) -> None:
        super().__init__()
        self.engine = engine
        self.clock = clock
        self.actor = actor
        self.what = what
        self.path: Path | None = Path(path).expanduser() if path else None
        self.checked: Path | None = None
        self.result: ImportSummary | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            with Horizontal(id="top"):
                yield Select(log_choices(), value=self.what, allow_blank=False, id="log")
                yield Label(self._file_text(), id="file")
            with VerticalScroll(id="report"):
                yield Static(
                    Text("Choose the spreadsheet (o): cipco reads it and shows what it would do."),
                    id="report-text",
                )
            with Horizontal(classes="buttons"):
                yield Button("Choose file… (o)", id="choose", variant="primary")
                yield Button("Check again", id="check")
                yield Button("Import (ctrl+s)", id="commit", variant="success", disabled=True)
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#choose", Button).focus()
        self.query_one("#check", Button).disabled = self.path is None
        if self.path is not None:
            self._check()

    def _file_text(self) -> Text:
        if self.path is None:
            return Text("No file chosen (.xlsx, .xls, .ods)", style="dim")
        return Text(clean(str(self.path)))

    def _show(self, text: Text | str) -> None:
        self.query_one("#report-text", Static).update(make_safe(text))

    def _busy(self, busy: bool) -> None:
        for button_id in ("#check", "#commit", "#choose"):
            self.query_one(button_id, Button).disabled = busy
        if not busy:
            self.query_one("#commit", Button).disabled = self.checked is None
            self.query_one("#check", Button).disabled = self.path is None

    # ------------------------------------------------------------------ choosing

    def on_select_changed(self, event: Select.Changed) -> None:
        if event.select.id != "log" or event.value == self.what or event.value is Select.BLANK:
            return
        self.what = str(event.value)
        if self.path is not None:
            self._check()

    def action_choose_file(self) -> None:
        """The file picker: folders and spreadsheets, starting where the last file was."""
        start = self.path.parent if self.path else (ImportScreen.last_folder or Path.cwd())
        picker = spreadsheet_picker(
            start if start.is_dir() else Path.cwd(), f"Import {self.what}: choose the spreadsheet"
        )
        self.app.push_screen(picker, self._chosen)

    def _chosen(self, path: Path | None) -> None:
        if path is None:
            return
        self.path = Path(path)
        ImportScreen.last_folder = self.path.parent
        self.query_one("#file", Label).update(self._file_text())
        self._check()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "choose":
            self.action_choose_file()
        elif event.button.id == "check":
            self._check()
        elif event.button.id == "commit":
            self.action_save()
        elif event.button.id == "close":
            self.dismiss(self.result)

    def action_save(self) -> None:
        """Import the file the dry run was shown for."""
        if self.checked is None:
            self.notify("Choose a file and read its dry run first", severity="warning")
            return
        self._busy(True)
        self._show("Importing…")
        self._run(self.checked, self.what, dry_run=False)

    def action_back(self) -> None:
        self.dismiss(self.result)

    def _check(self) -> None:
        if self.path is None:
            self._show("Choose the spreadsheet to import (o).")
            return
        self.checked = None
        self._busy(True)
        self._show(f"Reading {clean(self.path.name)}…")
        self._run(self.path, self.what, dry_run=True)

    # ------------------------------------------------------------------ the work

    @work(thread=True, exit_on_error=False, exclusive=True)
    def _run(self, path: Path, what: str, dry_run: bool) -> None:
        from cipco.spreadsheets.logs import import_log
        from cipco.spreadsheets.reader import ReadError

        try:
            summary = import_log(
                self.engine, what, path, clock=self.clock, actor=self.actor, dry_run=dry_run
            )
        except ReadError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except (OSError, ValueError) as exc:  # the file or its rows, not a bug: say why
            self.app.call_from_thread(self._failed, f"Import failed: {exc}")
            return
        self.app.call_from_thread(self._done, path, what, summary, dry_run)

    def _failed(self, message: str) -> None:
        self.checked = None
        self._busy(False)
        self._show(Text(message, style="red"))

    def _done(self, path: Path, what: str, summary: Any, dry_run: bool) -> None:
        if what != self.what or path != self.path:
            return  # the log or file changed while this was running: a new check follows
        report = summary_text(summary)
        if dry_run:
            self.checked = path
            intro = "Dry run: nothing has changed yet. ctrl+s imports it.\n\n"
            report = Text(intro, style="bold") + report
        else:
            self.checked = None
            self.result = summary
            report = Text("Imported.\n\n", style="bold green") + report
            self.app.notify(f"Import of {clean(path.name)}: {summary.counts_line()}")
        self._busy(False)
        self._show(report)
