"""Settings: the local-practice thresholds stored in the data file; e edits them in a form."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text
from sqlmodel import Session
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Static

from cipco.clock import Clock
from cipco.screens import keymap
from cipco.screens.base import CipcoScreen
from cipco.screens.record_form import FormSpec, Loaded, RecordForm, Saved
from cipco.services import settings as settings_service
from cipco.services.errors import RecordError
from cipco.services.referrals import recompute_all_due
from cipco.text import make_safe
from cipco.widgets.fields import Field

# The numbers must be given; a text setting (the force for exports) may stay blank.
FIELDS = [
    Field(key, spec.label, required=isinstance(spec.default, int))
    for key, spec in settings_service.SPECS.items()
]
INTRO = (
    "These defaults are local practice, not law. Change them to match your establishment's "
    "agreement with the police: press e."
)


def _load(session: Session, _clock: Clock) -> Loaded:
    return Loaded(settings_service.all_settings(session))


def _save(session: Session, _clock: Clock, values: dict[str, Any], _v: int | None) -> Saved:
    for key, value in values.items():
        try:
            settings_service.set_value(session, key, value)
        except settings_service.SettingError as exc:
            raise RecordError(str(exc), field=key) from None
    count = recompute_all_due(session)
    return Saved(None, f"Settings saved. Due dates recomputed for {count:,} referrals.")


def settings_form() -> RecordForm:
    return RecordForm(FormSpec(title="Settings", fields=FIELDS, load=_load, save=_save))


class SettingsScreen(CipcoScreen):
    WHERE = "Settings"
    BINDINGS = keymap.bindings("edit")

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(classes="detail"):
            yield Static(INTRO, classes="hint")
            yield Static("Loading…", id="settings-table")

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def refresh_data(self) -> None:
        self.read(settings_service.all_settings, self._show, group="settings")

    def _show(self, values: dict[str, int | str]) -> None:
        table = Table(expand=True, show_edge=False)
        table.add_column("Setting", ratio=2)
        table.add_column("Value", no_wrap=True)
        table.add_column("Why", ratio=3)
        for key, spec in settings_service.SPECS.items():
            table.add_row(Text(spec.label), Text(str(values.get(key, ""))), Text(spec.help))
        self.query_one("#settings-table", Static).update(make_safe(table))

    def action_edit(self) -> None:
        self.app.push_screen(
            settings_form(),
            lambda saved: self.notify(saved.message) if isinstance(saved, Saved) else None,
        )
