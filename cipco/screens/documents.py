"""Case files and reports from the app: written in a worker, then a notification naming the
files. The reports are in the command palette (ctrl+p: "Report: …"); the case file is ``c``
on a referral's page.

Both write to the exports folder under the output contract (a new name with the time to the
second, never replacing a file; the workbook beside the PDF with the same name).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from cipco.app import CipcoApp

REPORTS = (
    ("monthly", "Report: monthly figures", "Last complete month, each figure with its basis"),
    ("weekly", "Report: weekly figures", "Last complete week (Monday to Sunday), 8-week trend"),
    (
        "performance",
        "Report: performance return",
        "For the Regional Security Lead: R1, R5, R7, medians, outcomes, 12-month trend",
    ),
)


def write_in_background(app: CipcoApp, job: Callable[[], str], title: str) -> None:
    """Run ``job`` (which writes files and says where) in a worker; notify what it said.

    A refusal (the folder, a name, a record gone) is one sentence in the notification.
    """

    def work() -> None:
        from cipco.outputs import OutputError
        from cipco.services.errors import RecordError

        try:
            message = job()
        except (OutputError, RecordError) as exc:
            message = f"Not written: {exc}"
        app.call_from_thread(app.notify, message, title=title, timeout=12)

    app.notify("Writing…", title=title)
    app.run_worker(work, thread=True, group="documents", exit_on_error=False)


def case_file_job(app: CipcoApp, reference: str) -> Callable[[], str]:
    """Write the case file of ``reference``; returns the sentence naming both files."""

    def job() -> str:
        from cipco.documents.casefile import write_case_file
        from cipco.record_file import RecordFile
        from cipco.spreadsheets.exporting import default_target

        asked = RecordFile("casefile", reference, app.clock, app.actor)
        written = write_case_file(app.engine, asked, default_target(asked.name, app.clock, ".pdf"))
        return f"Case file of {reference} written to {written.pdf} and {written.workbook.name}"

    return job


def report_job(app: CipcoApp, kind: str) -> Callable[[], str]:
    def job() -> str:
        from cipco.documents.reports import write_report
        from cipco.services.measures import Period
        from cipco.spreadsheets.exporting import default_target

        if kind == "weekly":
            period = Period.last_complete_week(app.clock)
            name = f"weekly-{period.start:%Y-%m-%d}"
        else:
            period = Period.last_complete_month(app.clock)
            name = f"{kind}-{period.start:%Y-%m}"
        target = default_target(name, app.clock, suffix=".pdf")
        written = write_report(app.engine, kind, period, target, clock=app.clock, actor=app.actor)
        return f"{written.report.title} written to {written.pdf} and {written.workbook.name}"

    return job


class ReportCommands(Provider):
    """The reports, from the command palette."""

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def _entries(self) -> list[tuple[str, str, Any]]:
        return [
            (name, help_text, partial(self._write, kind, name)) for kind, name, help_text in REPORTS
        ]

    def _write(self, kind: str, name: str) -> None:
        write_in_background(self.cipco, report_job(self.cipco, kind), name.removeprefix("Report: "))

    async def discover(self) -> Hits:
        for name, help_text, callback in self._entries():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._entries():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
