"""Settings: local-practice thresholds stored in the data file."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Input, Static

from cipco.services import settings as settings_service
from cipco.services.referrals import recompute_all_due
from cipco.widgets.errors import ReportsWorkerErrors
from cipco.widgets.form import field_row, show_errors

if TYPE_CHECKING:
    from cipco.app import CipcoApp


class SettingsScreen(ReportsWorkerErrors, Screen[None]):
    BINDINGS = [Binding("ctrl+s,f2", "save", "Save", priority=True)]

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(classes="form"):
            yield Static(
                "These defaults are local practice, not law. Change them to match your "
                "establishment's agreement with the police. ctrl+s saves.",
                classes="hint",
            )
            for key, spec in settings_service.SPECS.items():
                yield from field_row(spec.label, Input(id=f"setting-{key}", tooltip=spec.help), key)
        yield Static("", classes="status-line", id="settings-status")
        yield Footer()

    def on_mount(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, group="settings", exit_on_error=False)
    def _load(self) -> None:
        with self.cipco.session() as session:
            values = settings_service.all_settings(session)
        self.app.call_from_thread(self._fill, values)

    def _fill(self, values: dict[str, int | str]) -> None:
        for key, value in values.items():
            box = self.query_one(f"#setting-{key}", Input)
            if not box.has_focus:
                box.value = str(value)

    @on(Input.Submitted)
    def action_save(self) -> None:
        values = {
            key: self.query_one(f"#setting-{key}", Input).value for key in settings_service.SPECS
        }
        self._save(values)

    @work(thread=True, exclusive=True, group="settings-save", exit_on_error=False)
    def _save(self, values: dict[str, str]) -> None:
        try:
            with self.cipco.session() as session:
                for key, value in values.items():
                    settings_service.set_value(session, key, value)
                count = recompute_all_due(session)
        except settings_service.SettingError as exc:
            key = next(
                (k for k, s in settings_service.SPECS.items() if str(exc).startswith(s.label)), ""
            )
            self.app.call_from_thread(show_errors, self, {key: str(exc)}, settings_service.SPECS)
            return
        self.app.call_from_thread(
            self.query_one("#settings-status", Static).update,
            Text(f"Saved. Due dates recomputed for {count:,} referrals."),
        )
