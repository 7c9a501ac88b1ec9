"""The Textual app: ``CipcoApp(db_path, clock=...)`` builds everything it needs.

Screens call services inside thread workers: :meth:`CipcoApp.reading` for loads (a snapshot
that never blocks a save), :meth:`CipcoApp.session` for writes. The app polls ``PRAGMA
data_version`` about once a second: when another process (or another window) wrote, the
visible screen's ``refresh_data()`` runs, so a projector screen in a crime clinic follows the
coordinator's edits without a key press. Screens out of view re-read when they come back.

Keys come from :mod:`cipco.screens.keymap`; the number keys go to a log's list (leaving any
page opened above it), never while a form or question is open.
"""

from __future__ import annotations

import gc
import importlib
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from textual.app import App
from textual.notifications import SeverityLevel
from textual.screen import ModalScreen, Screen
from textual.worker import Worker, WorkerState

from cipco.clock import Clock, SystemClock
from cipco.config import as_location, current_actor
from cipco.screens import keymap
from cipco.screens.documents import ReportCommands
from cipco.screens.palette import CipcoCommands
from cipco.screens.registry import HOME_MODE, PLACES
from cipco.text import clean
from cipco.widgets.errors import report_error

POLL_SECONDS = 1.0
# Database workers release the GIL for every row SQLite steps through and must win it back
# from the UI thread; at Python's default 5 ms hand-over a 60-row page waited ~100 ms while
# the screen painted (measured: bench/bench_referrals.py). 0.5 ms makes first paint as fast
# at 50,000 referrals as at 100.
GIL_SWITCH_SECONDS = 0.0005
if TYPE_CHECKING:
    from sqlalchemy import Engine
    from sqlmodel import Session

    from cipco.db import ChangeWatcher, WaitEvent
    from cipco.services.home import DueList
    from cipco.services.views import View

GLOBAL_ACTIONS = (
    *(key.action for key in keymap.KEYS.values() if key.action.startswith("go(")),
    "toggle_help",
    "quit",
    "command_palette",
    "search_everything",
)


def _collector_back_on() -> None:
    """After the first frame: what start-up built stays out of the cyclic collector's reach
    (``gc.freeze``), which ``cipco`` kept off while the libraries loaded."""
    if not gc.isenabled():  # only when the command line switched it off
        gc.freeze()
        gc.enable()


def _screen_factory(path: str) -> Any:
    def build() -> Screen[Any]:
        module_name, _, class_name = path.partition(":")
        return getattr(importlib.import_module(module_name), class_name)()

    return build


class CipcoApp(App[None]):
    TITLE = "OFFICIAL-SENSITIVE"
    SUB_TITLE = "cipco"
    CSS_PATH = "app.tcss"
    COMMANDS = App.COMMANDS | {CipcoCommands, ReportCommands}
    ENABLE_COMMAND_PALETTE = True
    BINDINGS = keymap.bindings(*GLOBAL_ACTIONS)

    def __init__(
        self,
        db_path: Path | str,
        clock: Clock | None = None,
        *,
        poll_seconds: float = POLL_SECONDS,
        start: str = HOME_MODE,
        engine: Engine | Callable[[], Engine] | None = None,
        first_rows: DueList | None = None,
    ) -> None:
        self.db_path = as_location(db_path)
        self.clock: Clock = clock or SystemClock()
        self.actor = current_actor()
        # The command line opens (checks, creates, migrates) the file before the first paint
        # and hands its engine over, so the file is not opened twice; or, for a file already
        # at head (cipco.launch), how to open it, which happens after the first frame.
        self._engine: Engine | None = None
        self._make_engine: Callable[[], Engine] | None = None
        self._engine_lock = threading.Lock()
        if engine is None:
            from cipco.services.bootstrap import prepare

            self._use_engine(prepare(self.db_path))
        elif hasattr(engine, "dispose"):
            self._use_engine(engine)  # type: ignore[arg-type]
        else:
            self._make_engine = engine
        self.poll_seconds = poll_seconds
        self._watcher: ChangeWatcher | None = None
        self.MODES = {entry.mode: _screen_factory(entry.screen) for entry in PLACES}
        self.start = start if start in self.MODES else HOME_MODE  # the screen it opens on
        # Home's due list read before the app was built (cipco.launch), for its first frame.
        self._first_rows = first_rows if self.start == HOME_MODE else None
        super().__init__()
        self._prefs_problem = self._apply_prefs()

    def _apply_prefs(self) -> str | None:
        """This user's theme (``cipco prefs theme NAME``); a problem is told once mounted."""
        from cipco.prefs import PrefsError, load

        try:
            theme = load().theme
        except PrefsError as exc:
            return f"{exc}; the default theme is used"
        if theme is None:
            return None
        if theme not in self.available_themes:
            return f"the theme {theme!r} in your preferences is not one of the app's themes"
        self.theme = theme
        return None

    def _use_engine(self, engine: Engine) -> None:
        from cipco.db import on_write_wait

        on_write_wait(engine, self._write_waiting)
        self._engine = engine

    @property
    def engine(self) -> Engine:
        """The open database; opened on first use when the app started from plain reads
        (whichever thread asks first opens it, the others wait for it)."""
        if self._engine is None:
            with self._engine_lock:
                if self._engine is None:
                    assert self._make_engine is not None
                    self._use_engine(self._make_engine())
        assert self._engine is not None
        return self._engine

    def take_first_rows(self) -> DueList | None:
        """The due list read at launch, given once (later reads go through workers)."""
        first, self._first_rows = self._first_rows, None
        return first

    @contextmanager
    def session(self) -> Iterator[Session]:
        """One writing unit of work for a worker thread: commit on success, roll back on error."""
        from cipco.db import session_scope

        with session_scope(self.engine, actor=self.actor, clock=self.clock) as session:
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """A read-only unit of work (a snapshot that never blocks another window's save)."""
        from cipco.db import session_scope

        with session_scope(self.engine, actor=self.actor, clock=self.clock, write=False) as session:
            yield session

    def _write_waiting(self, event: WaitEvent) -> None:
        """A save waits for another cipco writing (called from the saving thread)."""
        if event.kind != "waiting":
            return
        from cipco.db import waiting_message

        waiting = waiting_message(event.path)
        message = waiting[0].upper() + waiting[1:]
        try:
            self.call_from_thread(
                self.notify, message, title="Saving", timeout=event.limit, markup=False
            )
        except RuntimeError:  # on the UI thread itself, or the app is not running
            self.notify(message, title="Saving", timeout=event.limit, markup=False)

    def on_mount(self) -> None:
        sys.setswitchinterval(GIL_SWITCH_SECONDS)
        self.switch_mode(self.start)
        self.call_after_refresh(_collector_back_on)
        if self._engine is not None:
            self._watch()
        else:  # opened after the first frame, off the UI thread; then watched
            self.call_after_refresh(self._open_then_watch)
        if self._prefs_problem is not None:
            self.notify(self._prefs_problem, title="Preferences", severity="warning")

    def _open_then_watch(self) -> None:
        def work() -> None:
            self.engine  # noqa: B018 (opens it)
            self.call_from_thread(self._watch)

        self.run_worker(work, thread=True, group="open", exit_on_error=False)

    def _watch(self) -> None:
        from cipco.db import change_watcher

        self._watcher = change_watcher(self.engine)  # data_version, or LISTEN on a server
        self.set_interval(self.poll_seconds, self._poll_data_version, name="data-version")

    def on_unmount(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
        if self._engine is not None:
            self._engine.dispose()

    def _poll_data_version(self) -> None:
        if self._watcher is not None and self._watcher.changed():
            self.refresh_visible()

    def refresh_visible(self) -> None:
        """Ask the visible screen (and any screen under a modal) to re-read its data."""
        for screen in reversed(self.screen_stack):
            refresh = getattr(screen, "refresh_data", None)
            if callable(refresh):
                refresh()

    # ------------------------------------------------------------ keys

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Going to another log never happens under a form or a question (it would hide it)."""
        return not (action == "go" and isinstance(self.screen, ModalScreen))

    def action_go(self, mode: str) -> None:
        """Show a log's list, leaving any record pages opened above it."""
        target = HOME_MODE if mode == "home" else mode
        if isinstance(self.screen, ModalScreen):
            return
        self.switch_mode(target)
        while len(self.screen_stack) > 1:
            self.pop_screen()

    async def action_quit(self) -> None:
        """Leave cipco; a form with typed changes is not dropped without asking."""
        from cipco.screens.modals import ConfirmScreen

        unsaved = [
            screen
            for stack in self._screen_stacks.values()
            for screen in stack
            if getattr(screen, "has_unsaved", lambda: False)()
        ]
        if not unsaved or isinstance(self.screen, ConfirmScreen):
            self.exit()
            return

        def answered(leave: bool | None) -> None:
            if leave:
                self.exit()

        self.push_screen(
            ConfirmScreen(
                "A form has changes that are not saved. Quit and drop them?",
                confirm_label="Quit",
                danger=True,
            ),
            answered,
        )

    def action_search_everything(self) -> None:
        """Search every log (not over a form or a question: it would hide it)."""
        from cipco.screens.search import SearchScreen

        if not isinstance(self.screen, ModalScreen):
            self.push_screen(SearchScreen())

    def action_toggle_help(self) -> None:
        from cipco.screens.help import HelpScreen

        if isinstance(self.screen, HelpScreen):
            self.screen.dismiss(None)
        else:
            self.push_screen(HelpScreen(self.screen))

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        """Every notification shows its text as written: cleaned, never parsed as markup."""
        super().notify(
            clean(message, newlines=True),
            title=clean(title),
            severity=severity,
            timeout=timeout,
            markup=False,
        )

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        """One place where failures in background work become a message, never a crash."""
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            report_error(self, event.worker.error)

    # ------------------------------------------------------------ opening records

    def open_referral(self, referral_id: int) -> None:
        from cipco.screens.referral_detail import ReferralDetailScreen

        self.push_screen(ReferralDetailScreen(referral_id))

    def open_exhibit(self, exhibit_id: int) -> None:
        from cipco.screens.exhibit_detail import ExhibitDetailScreen

        self.push_screen(ExhibitDetailScreen(exhibit_id))

    def open_clinic(self, clinic_id: int) -> None:
        from cipco.screens.clinic_meeting import ClinicScreen

        self.push_screen(ClinicScreen(clinic_id))

    def open_clinic_action(self, action_id: int) -> None:
        """The clinic an action came from, where it is minuted (found off the UI thread)."""
        from cipco.screens.clinic_meeting import ClinicScreen

        self.push_screen(ClinicScreen(None, action_id=action_id))

    def open_papers(self, papers_id: int) -> None:
        from cipco.screens.papers_detail import PapersDetailScreen

        self.push_screen(PapersDetailScreen(papers_id))

    def open_view(self, view: View) -> None:
        """A saved view: its list, with its queue, filter and sort."""
        from cipco.screens.log_screen import LogScreen

        self.action_go(view.log)

        def apply() -> None:
            screen = self.screen
            if isinstance(screen, LogScreen) and screen.spec.name == view.log:
                screen.apply_view(view.query())

        self.call_after_refresh(apply)

    def open_import(self) -> None:
        """The import screen (from the palette), on the log shown if it imports, else on
        referrals (the log can be changed there); what is shown is read again after an
        import."""
        from cipco.screens.import_screen import ImportScreen, log_choices

        if isinstance(self.screen, ModalScreen):
            return
        importing = {name for _title, name in log_choices()}
        what = self.current_mode if self.current_mode in importing else "referrals"
        self.push_screen(
            ImportScreen(self.engine, self.clock, self.actor, what=what),
            lambda summary: self.refresh_visible() if summary else None,
        )

    def open_person(self, nomis_number: str) -> None:
        """The one page per prisoner."""
        from cipco.screens.person_page import PersonPage

        self.push_screen(PersonPage(nomis_number))
