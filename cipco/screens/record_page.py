"""What every record's page shares (a referral, an exhibit, charge papers, a clinic, a person).

The page reads its record in a snapshot (:meth:`RecordPage.load`, in a worker: it returns
plain values or ready-made Rich renderables, never ORM objects), draws it
(:meth:`RecordPage.show`), and reads it again whenever it comes back into view (after a form,
or a page opened from it) and when another window writes. ``[`` and ``]`` step through its
tabs; ``esc`` goes back.
"""

from __future__ import annotations

from typing import Any, ClassVar

from sqlmodel import Session
from textual.binding import BindingType
from textual.screen import Screen
from textual.widgets import Static, TabbedContent

from cipco.screens import keymap
from cipco.screens.base import CipcoScreen
from cipco.screens.record_form import Saved
from cipco.text import make_safe


class RecordPage(CipcoScreen):
    """A record's page. Subclasses give ``load`` (worker) and ``show`` (UI thread)."""

    BINDINGS: ClassVar[list[BindingType]] = keymap.bindings("back", "next_tab", "previous_tab")

    def load(self, session: Session) -> Any:
        raise NotImplementedError

    def show(self, loaded: Any) -> None:
        raise NotImplementedError

    def refresh_data(self) -> None:
        self.read(self.load, self.show, group="page")

    def put(self, selector: str, renderable: Any) -> None:
        """Show a drawn part of the record, every piece of text in it cleaned first."""
        self.query_one(selector, Static).update(make_safe(renderable))

    def on_screen_resume(self) -> None:
        self.refresh_data()

    def action_back(self) -> None:
        self.dismiss(None)

    def open_form(self, form: Screen[Any]) -> None:
        """A form over this page; the page re-reads when the form closes."""
        self.app.push_screen(form, self.after_form)

    def after_form(self, result: Any) -> None:
        if isinstance(result, Saved) and result.message:
            self.notify(result.message, markup=False)
        elif isinstance(result, str) and result:
            self.notify(result, markup=False)

    def _step_tab(self, step: int) -> None:
        for tabs in self.query(TabbedContent).results(TabbedContent):
            panes = [pane.id for pane in tabs.query("TabPane") if pane.id]
            if tabs.active in panes:
                tabs.active = panes[(panes.index(tabs.active) + step) % len(panes)]
            return

    def action_next_tab(self) -> None:
        self._step_tab(1)

    def action_previous_tab(self) -> None:
        self._step_tab(-1)
