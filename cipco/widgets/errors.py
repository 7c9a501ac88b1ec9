"""One error handler for background work.

Textual sends ``Worker.StateChanged`` only to the node that started the worker (it does not
bubble), so every screen and widget that starts workers mixes this in. A failed worker
becomes a notification, never a traceback; the text is plain (never read as markup).
"""

from __future__ import annotations

from typing import Any

from textual.worker import Worker, WorkerState


def report_error(node: Any, error: BaseException) -> None:
    message = str(error) or error.__class__.__name__
    node.app.log.error(repr(error))
    node.app.notify(
        message, title="Something went wrong", severity="error", markup=False, timeout=10
    )


class ReportsWorkerErrors:
    """Mixin for Screens and Widgets that run ``@work`` jobs."""

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            report_error(self, event.worker.error)
