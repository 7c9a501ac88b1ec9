"""The one keymap: every key means one thing on every screen.

Screens never spell a key themselves: they take their bindings from here with
:func:`bindings`, so the footer, the help panel and the README table agree, and a key cannot
mean "done" on one screen and "correction" on another. A screen that needs a new action adds
a :class:`Key` here first (a test checks that no key has two meanings and that every screen's
bindings come from this table).

``rank`` orders the footer: at 80 columns the lowest ranks stay visible (help, quit, export,
then the screen's main actions); every key stays reachable from the help panel (``?``).
The number keys are shown in the log bar under the header.

``RESERVED`` holds keys kept free for planned work (none today). ``0`` is the start screen
(home: what is due), ``ctrl+f`` searches every log, ``c`` writes a referral's case file.
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding

from cipco.screens.registry import NAV


@dataclass(frozen=True)
class Key:
    action: str  # the Textual action this key runs (without the "action_" prefix)
    keys: str  # Textual key names, comma-separated ("ctrl+s,f2")
    label: str  # footer text
    help: str  # one sentence for the help panel and README
    scope: str  # anywhere | lists | records | forms (how the help and README group it)
    display: str | None = None  # what the footer shows instead of the key name
    rank: int = 50  # footer priority: lower stays visible on narrow terminals
    show: bool = True
    priority: bool = False

    @property
    def shown_keys(self) -> str:
        """``ctrl+s / f2`` for people (``?`` for question_mark…)."""
        names = [NICE_NAMES.get(k, k) for k in self.keys.split(",")]
        return " / ".join(names)


NICE_NAMES = {
    "question_mark": "?",
    "slash": "/",
    "left_square_bracket": "[",
    "right_square_bracket": "]",
    "enter": "enter",
    "escape": "esc",
}
RESERVED: dict[str, str] = {}
SCOPES = ("anywhere", "lists", "records", "forms")


def _go_keys() -> tuple[Key, ...]:
    home = Key(
        "go('home')",
        "0",
        "Home",
        "Home: what is due today and this week across every log.",
        "anywhere",
        rank=19,
        show=False,
    )
    return (
        home,
        *(
            Key(f"go('{e.mode}')", e.key, e.title, e.help, "anywhere", rank=20 + i, show=False)
            for i, e in enumerate(NAV)
        ),
    )


# fmt: off
_KEYS: tuple[Key, ...] = (
    # -- anywhere
    *_go_keys(),
    Key("toggle_help", "question_mark,f1", "Help", "Every key of this screen.", "anywhere", "?", rank=1),
    Key("quit", "ctrl+q", "Quit", "Leave cipco (everything is already saved).", "anywhere", "^q", rank=2, priority=True),
    Key("command_palette", "ctrl+p", "Go to", "Any screen or record by reference, name or number.", "anywhere", "^p", rank=7),
    Key("search_everything", "ctrl+f", "Search", "Search every log's text: references, names, prison numbers, descriptions, notes, seals, charges, actions.", "anywhere", "^f", rank=20),
    Key("back", "escape", "Back", "Back out: clear the filter, leave a page, close a form (asking before it drops what you typed).", "anywhere", "esc", rank=4),
    Key("app.focus_next", "tab", "Next field", "Next field, list or button.", "anywhere", show=False),
    Key("app.focus_previous", "shift+tab", "Prev field", "Previous field, list or button.", "anywhere", show=False),
    Key("screen.copy_text", "ctrl+c,super+c", "Copy", "Copy the text selected with the mouse.", "anywhere", show=False),
    Key("next_tab", "right_square_bracket", "Next tab", "Next tab: a list's queue, a page's section.", "anywhere", "]", rank=45, show=False),
    Key("previous_tab", "left_square_bracket", "Prev tab", "Previous tab: a list's queue, a page's section.", "anywhere", "[", rank=46, show=False),
    # -- lists
    Key("filter", "slash", "Filter", "Filter this list as you type.", "lists", "/", rank=8),
    Key("scroll_top", "home", "First row", "The first row of this list.", "lists", show=False),
    Key("scroll_bottom", "end", "Last row", "The last row loaded (the next rows are then fetched: end again goes further).", "lists", show=False),
    Key("sort", "s", "Sort", "Choose the column to sort by; choose it again to reverse.", "lists", rank=9),
    Key("open", "enter", "Open", "Open the highlighted record.", "lists", show=False),
    Key("new", "n", "New", "Add a record to this list.", "lists", rank=10),
    Key("export", "x", "Export", "Export what is shown (a list as filtered, or this record) to a workbook.", "lists", rank=3),
    Key("import_file", "i", "Import", "Import a spreadsheet into this log.", "lists", rank=42),
    Key("save_view", "b", "Save view", "Keep this list's queue, filter and sort under a name; ctrl+p recalls it.", "lists", rank=43),
    Key("remove", "delete", "Remove", "Remove or drop the highlighted entry (asks first).", "lists", "del", rank=40),
    # -- records (a record's page, or the highlighted row of a list)
    Key("edit", "e", "Edit", "Edit the highlighted record.", "records", rank=11),
    Key("move", "m", "Move", "Move the record on: a referral's status, an exhibit's hand-over.", "records", rank=12),
    Key("add", "a", "Add", "Add to this record: an action, an order, a link (a menu where there is a choice).", "records", rank=13),
    Key("done", "d", "Done", "Mark done: an action done, the SOC unit told.", "records", rank=14),
    Key("correct", "k", "Correct", "Record a correction; the original stays visible.", "records", rank=15),
    Key("serve", "v", "Serve", "Record service of charge papers.", "records", rank=16),
    Key("follow_up", "f", "Follow-up", "Log a chase or contact.", "records", rank=17),
    Key("case_file", "c", "Case file", "Write the police case file of this referral: a PDF and the same content as a workbook.", "records", rank=18),
    Key("person", "p", "Prisoner", "The prisoner's page.", "records", rank=30),
    Key("referral", "r", "Referral", "The referral this record is about.", "records", rank=31),
    Key("reopen", "u", "Reopen", "Reopen or restore what was done or dropped.", "records", rank=35),
    Key("attendance", "w", "Attendance", "Who attended the clinic, who sent apologies.", "records", rank=36),
    Key("clinic_status", "t", "Clinic status", "Open, start or close the clinic.", "records", rank=37),
    Key("regenerate", "g", "Regenerate", "Rebuild the clinic agenda from the tracker (notes kept).", "records", rank=47),
    Key("move_up", "shift+up", "Item up", "Move the agenda item up.", "records", show=False),
    Key("move_down", "shift+down", "Item down", "Move the agenda item down.", "records", show=False),
    # -- forms
    Key("save", "ctrl+s,f2", "Save", "Save the form.", "forms", "^s", rank=1, priority=True),
    Key("reload", "ctrl+r", "Reload", "After someone else saved: their values in, your changes kept.", "forms", "^r", rank=3),
    Key("confirm", "y", "Yes", "Yes, in a question.", "forms", show=False),
    Key("choose_file", "o", "Choose file", "Pick the spreadsheet to import from the folders.", "forms", rank=5),
)
# fmt: on

KEYS: dict[str, Key] = {key.action: key for key in _KEYS}


def binding(action: str, *, label: str | None = None, show: bool | None = None) -> Binding:
    """The Textual binding for ``action`` as the keymap defines it (``label`` may say it
    in this screen's words: "Cancel" for back in a form)."""
    key = KEYS[action]
    return Binding(
        key.keys,
        key.action,
        label or key.label,
        show=key.show if show is None else show,
        key_display=key.display,
        priority=key.priority,
        tooltip=key.help,
        id=key.action,
    )


def bindings(*actions: str) -> list[Binding]:
    return [binding(action) for action in actions]


def rank(action: str) -> int:
    key = KEYS.get(action)
    return key.rank if key is not None else 99


def markdown_table() -> str:
    """The README's keys table, generated from this keymap."""
    lines = ["| key | where | does | how |", "| --- | --- | --- | --- |"]
    for scope in SCOPES:
        for key in _KEYS:
            if key.scope == scope:
                shown = " / ".join(f"`{name}`" for name in key.shown_keys.split(" / "))
                lines.append(f"| {shown} | {scope} | {key.label} | {key.help} |")
    return "\n".join(lines)


if __name__ == "__main__":  # python -m cipco.screens.keymap prints the README table
    print(markdown_table())
