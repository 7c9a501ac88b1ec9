"""Search everything (ctrl+f): every log's text through one index, results grouped by log."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from cipco.screens import keymap
from cipco.text import clean, literal

if TYPE_CHECKING:
    from cipco.app import CipcoApp
    from cipco.services.search import Group, Hit

TYPING_PAUSE = 0.15  # seconds after the last keystroke before searching


def opener(app: CipcoApp, hit: Hit) -> Any:
    """What opens a hit's record (a callable taking the hit's key)."""
    return {
        "referrals": app.open_referral,
        "exhibits": app.open_exhibit,
        "mg4d": app.open_papers,
        "persons": app.open_person,
        "actions": app.open_clinic_action,
        "clinics": app.open_clinic,
        "prisoners": app.open_person,
    }[hit.log]


def hit_label(hit: Hit) -> Text:
    label = Text(clean(hit.title), style="bold")
    label.append(f"\n  {clean(hit.detail)}", style="dim")
    if hit.found:
        label.append(f"\n  {clean(hit.found)}")
    return label


class SearchScreen(ModalScreen[None]):
    """Type words; every record whose text holds them all, grouped by log; enter opens one."""

    BINDINGS = [keymap.binding("back", label="Close")]
    DEFAULT_CSS = """
    SearchScreen > Vertical { width: 90%; height: 90%; border: thick $primary; padding: 0 1;
        background: $surface; }
    SearchScreen #search-status { height: 1; color: $text-muted; }
    SearchScreen OptionList { height: 1fr; border: none; }
    """

    def __init__(self, text: str = "") -> None:
        super().__init__()
        self.initial = text
        self.hits: dict[str, Hit] = {}
        self._asked = 0

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Static("Search every log", classes="title")
            yield Input(
                value=self.initial,
                placeholder="words, a reference, a name, a prison number, a seal number…",
                id="search-input",
            )
            yield Static("", id="search-status")
            yield OptionList(id="search-results")

    def on_mount(self) -> None:
        self.query_one(Input).focus()
        if self.initial:
            self._ask(self.initial)

    def on_input_changed(self, event: Input.Changed) -> None:
        self._asked += 1
        asked, value = self._asked, event.value

        def ask_if_still() -> None:
            if asked == self._asked:
                self._ask(value)

        self.set_timer(TYPING_PAUSE, ask_if_still)

    def on_input_submitted(self, _event: Input.Submitted) -> None:
        results = self.query_one(OptionList)
        if results.option_count:
            results.focus()
            if results.highlighted is None:
                results.action_first()

    def _ask(self, text: str) -> None:
        self._search(text, self._asked)

    @work(thread=True, exclusive=True, group="search")
    def _search(self, text: str, asked: int) -> None:
        from cipco.services.search import search_everything

        with self.cipco.reading() as session:
            groups = search_everything(session, text)
        self.app.call_from_thread(self._show, text, groups, asked)

    def _show(self, text: str, groups: list[Group], asked: int) -> None:
        if asked != self._asked:
            return  # typed on since
        results = self.query_one(OptionList)
        results.clear_options()
        self.hits = {}
        options: list[Option] = []
        for group in groups:
            heading = Text(f"{group.title} · {group.total_text}", style="bold reverse")
            options.append(Option(heading, disabled=True))
            for number, hit in enumerate(group.hits):
                option_id = f"{hit.log}-{hit.id}-{number}"
                self.hits[option_id] = hit
                options.append(Option(hit_label(hit), id=option_id))
        results.add_options(options)
        status = self.query_one("#search-status", Static)
        if not text.strip():
            status.update("")
        elif not groups:
            status.update(literal(f"Nothing found for {clean(text)}"))
        else:
            found = sum(len(g.hits) for g in groups)
            status.update(f"{found} shown, grouped by log · enter opens one · esc closes")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        hit = self.hits.get(event.option.id or "")
        if hit is None:
            return
        app = self.cipco
        self.dismiss(None)
        opener(app, hit)(hit.key)

    def refresh_data(self) -> None:
        """Another window saved: the results are asked again."""
        self._ask(self.query_one(Input).value)

    def action_back(self) -> None:
        self.dismiss(None)
