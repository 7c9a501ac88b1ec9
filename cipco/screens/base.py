"""What every cipco screen shares: the frame (header, log bar, footer) and database work.

:class:`Works` runs database work off the UI thread: :meth:`Works.read` in a read-only
snapshot (``CipcoApp.reading``), :meth:`Works.write` in a writing unit of work
(``CipcoApp.session``). The job gets the session and must return plain values (rows,
dataclasses, ids, a message): never an ORM object, which belongs to the worker's thread.
A refused write (a service's ``RecordError``, a pydantic ``ValidationError``, a ``DateError``
- all ``ValueError``) comes back as a message; anything else is a bug and reaches the app's
one error handler as a notification.

:class:`CipcoScreen` is a full screen: the header always carries OFFICIAL-SENSITIVE, the
log bar names every log with its key, the footer follows the keymap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, ClassVar, TypeVar

from textual.app import ComposeResult
from textual.screen import Screen
from textual.widgets import Header
from textual.worker import Worker, get_current_worker

from cipco.screens.chrome import KeyFooter, LogBar
from cipco.widgets.errors import ReportsWorkerErrors
from cipco.widgets.problems import message_of

if TYPE_CHECKING:
    from sqlmodel import Session

    from cipco.app import CipcoApp

T = TypeVar("T")
MARKING = "OFFICIAL-SENSITIVE"


def mark(screen: Any, where: str) -> None:
    """Put the marking and where we are in a screen's header."""
    screen.title = MARKING
    screen.sub_title = f"cipco · {where}" if where else "cipco"


class Works(ReportsWorkerErrors):
    """Database reads and writes in thread workers, results delivered on the UI thread."""

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[attr-defined,no-any-return]

    def read(
        self, job: Callable[[Session], T], then: Callable[[T], None], *, group: str = "read"
    ) -> Worker[None]:
        """Run ``job`` in a snapshot; a newer read in the same group supersedes it."""
        app = self.cipco

        def work() -> None:
            with app.reading() as session:
                result = job(session)
            if not get_current_worker().is_cancelled:
                app.call_from_thread(self._deliver, then, result)

        return self.run_worker(  # type: ignore[attr-defined,no-any-return]
            work, thread=True, group=group, exclusive=True, exit_on_error=False
        )

    def write(
        self,
        job: Callable[[Session], T],
        then: Callable[[T], None] | None = None,
        *,
        refused: Callable[[ValueError], None] | None = None,
        group: str = "write",
    ) -> Worker[None]:
        """Run ``job`` in one transaction; ``refused`` gets the service's refusal."""
        app = self.cipco

        def work() -> None:
            try:
                with app.session() as session:
                    result = job(session)
            except ValueError as refusal:  # the service said no: nothing was written
                app.call_from_thread(self._deliver, refused or self.refused, refusal)
                return
            app.call_from_thread(self._deliver, then or self.written, result)

        return self.run_worker(  # type: ignore[attr-defined,no-any-return]
            work, thread=True, group=group, exit_on_error=False
        )

    def _deliver(self, then: Callable[[Any], None], result: Any) -> None:
        if self.is_attached:  # type: ignore[attr-defined]
            then(result)

    def written(self, result: object) -> None:
        """After a write: say what was done (a returned sentence) and re-read."""
        if isinstance(result, str) and result:
            self.notify(result, markup=False)  # type: ignore[attr-defined]
        self.refresh_data()

    def refused(self, refusal: ValueError) -> None:
        self.notify(  # type: ignore[attr-defined]
            message_of(refusal), title="Not saved", severity="error", markup=False, timeout=8
        )
        self.refresh_data()

    def refresh_data(self) -> None:
        """Re-read what the screen shows (another window wrote, or a form saved)."""

    def export(self, job: Callable[[], str]) -> None:
        """Write an export in a worker; ``job`` opens its own snapshot, writes under the
        output contract (a private temporary moved into place) and says where it went."""
        app = self.cipco

        def work() -> None:
            from cipco.outputs import OutputError

            try:
                message = job()
            except OutputError as exc:  # the folder or the name: one sentence
                message = f"Not exported: {exc}"
            app.call_from_thread(self._deliver, self._exported, message)

        self.notify("Exporting…", title="Export")  # type: ignore[attr-defined]
        self.run_worker(  # type: ignore[attr-defined]
            work, thread=True, group="export", exclusive=True, exit_on_error=False
        )

    def _exported(self, message: str) -> None:
        self.notify(message, title="Export")  # type: ignore[attr-defined]


class CipcoScreen(Works, Screen[Any]):
    """A full screen with cipco's frame. Subclasses give ``compose_body``."""

    WHERE: ClassVar[str] = ""

    def compose(self) -> ComposeResult:
        yield Header()
        yield LogBar()
        yield from self.compose_body()
        yield KeyFooter()

    def compose_body(self) -> ComposeResult:
        yield from ()

    @property
    def where(self) -> str:
        return self.WHERE

    def on_mount(self) -> None:
        self.set_where(self.where)

    def set_where(self, where: str) -> None:
        """The header: ``OFFICIAL-SENSITIVE — cipco · <where>`` on every screen (the marking
        first, so a narrow terminal never cuts it off)."""
        mark(self, where)

    def on_screen_resume(self) -> None:
        for bar in self.query(LogBar):
            bar.refresh()
