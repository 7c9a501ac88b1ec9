"""Import a tracker from the TUI: pick a file, see the dry run, then commit on confirmation.

``ImportScreen(engine, clock, actor, what="referrals")`` is a ModalScreen returning the
committed :class:`ImportSummary` (or ``None`` when cancelled). All DB and file work runs in
thread workers; results come back with ``call_from_thread``.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

if TYPE_CHECKING:
    from sqlalchemy import Engine

    from cipco.clock import Clock
    from cipco.spreadsheets.importers import ImportSummary
from cipco.screens import keymap
from cipco.text import make_safe
from cipco.widgets.errors import ReportsWorkerErrors


def summary_text(summary: ImportSummary, *, limit: int = 30) -> Text:
    """The dry-run / result report as Rich Text (user text is never markup)."""
    text = Text()
    text.append(f"{summary.path.name}: sheet '{summary.sheet}', header on row ")
    text.append(f"{summary.header_row}\n", style="bold")
    text.append("Columns\n", style="bold")
    for line in summary.mapping:
        text.append(f"  {line}\n", style="dim" if "(not imported)" in line else "")
    text.append("\n")
    text.append(summary.counts_line() + "\n", style="bold")
    for reject in summary.rejects[:limit]:
        column = f" [{reject.column}]" if reject.column else ""
        text.append(f"  row {reject.row}{column}: {reject.reason}\n", style="red")
    if len(summary.rejects) > limit:
        text.append(f"  ... and {len(summary.rejects) - limit} more rejected rows\n", style="red")
    for row, warning in summary.warnings[:limit]:
        text.append(f"  row {row}: {warning}\n", style="yellow")
    if summary.rejects_path is not None:
        text.append(f"\nRejected rows written to {summary.rejects_path}\n")
    return text


class ImportScreen(ReportsWorkerErrors, ModalScreen["ImportSummary | None"]):
    """File path -> dry run (mapping, counts, rejects) -> Import -> summary."""

    BINDINGS = [keymap.binding("back", label="Close")]
    DEFAULT_CSS = """
    ImportScreen { align: center middle; }
    ImportScreen > Vertical { width: 100; height: 80%; border: thick $primary; padding: 1 2;
                              background: $surface; }
    ImportScreen #report { height: 1fr; border: round $panel; }
    ImportScreen .buttons { height: auto; }
    """

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
        self.initial_path = path
        self.checked: Path | None = None
        self.result: ImportSummary | None = None

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label(Text(f"Import {self.what} from a spreadsheet (.xlsx, .xls, .ods)"))
            yield Input(value=self.initial_path, placeholder="path/to/tracker.xlsx", id="path")
            with VerticalScroll(id="report"):
                yield Static(Text("Enter a file and press Check (a dry run)."), id="report-text")
            with Horizontal(classes="buttons"):
                yield Button("Check", id="check", variant="primary")
                yield Button("Import", id="commit", variant="success", disabled=True)
                yield Button("Close", id="close")

    def on_mount(self) -> None:
        self.query_one("#path", Input).focus()

    def _show(self, text: Text | str) -> None:
        self.query_one("#report-text", Static).update(make_safe(text))

    def _busy(self, busy: bool) -> None:
        for button_id in ("#check", "#commit"):
            self.query_one(button_id, Button).disabled = busy
        if not busy:
            self.query_one("#commit", Button).disabled = self.checked is None

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        self._check()

    def on_input_changed(self, _event: Input.Changed) -> None:
        self.checked = None
        self.query_one("#commit", Button).disabled = True

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "check":
            self._check()
        elif event.button.id == "commit" and self.checked is not None:
            self._busy(True)
            self._show("Importing…")
            self._run(self.checked, dry_run=False)
        elif event.button.id == "close":
            self.dismiss(self.result)

    def action_back(self) -> None:
        self.dismiss(self.result)

    def _check(self) -> None:
        raw = self.query_one("#path", Input).value.strip()
        if not raw:
            self._show("Enter the path of a spreadsheet.")
            return
        self.checked = None
        self._busy(True)
        self._show("Reading…")
        self._run(Path(raw).expanduser(), dry_run=True)

    @work(thread=True, exit_on_error=False, exclusive=True)
    def _run(self, path: Path, dry_run: bool) -> None:
        from cipco.spreadsheets.logs import import_log
        from cipco.spreadsheets.reader import ReadError

        try:
            summary = import_log(
                self.engine, self.what, path, clock=self.clock, actor=self.actor, dry_run=dry_run
            )
        except ReadError as exc:
            self.app.call_from_thread(self._failed, str(exc))
            return
        except (OSError, ValueError) as exc:  # the file or its rows, not a bug: say why
            self.app.call_from_thread(self._failed, f"Import failed: {exc}")
            return
        self.app.call_from_thread(self._done, path, summary, dry_run)

    def _failed(self, message: str) -> None:
        self.checked = None
        self._busy(False)
        self._show(Text(message, style="red"))

    def _done(self, path: Path, summary: Any, dry_run: bool) -> None:
        report = summary_text(summary)
        if dry_run:
            self.checked = path
            report = Text("Dry run: nothing has changed yet.\n\n", style="bold") + report
        else:
            self.checked = None
            self.result = summary
            report = Text("Imported.\n\n", style="bold green") + report
            self.app.notify(f"Import of {path.name}: {summary.counts_line()}")
        self._busy(False)
        self._show(report)
