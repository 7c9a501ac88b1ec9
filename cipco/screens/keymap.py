"""The one keymap: every key means one thing on every screen.

Screens never spell a key themselves: they take their bindings from here with
:func:`bindings`, so the footer, the help panel and the README table agree, and a key cannot
mean "done" on one screen and "correction" on another. A screen that needs a new action adds
a :class:`Key` here first (a test checks that no key has two meanings).

``rank`` orders the footer: at 80 columns the lowest ranks stay visible (help, quit, export,
the log tabs), the rest remain reachable from the help panel (``?``).
"""

from __future__ import annotations

from dataclasses import dataclass

from textual.binding import Binding


@dataclass(frozen=True)
class Key:
    action: str  # the Textual action this key runs (without the "action_" prefix)
    keys: str  # Textual key names, comma-separated ("ctrl+s,f2")
    label: str  # footer text
    help: str  # one sentence for the help panel and README
    scope: str  # global | list | form | record
    display: str | None = None  # what the footer shows instead of the key name
    rank: int = 50  # footer priority: lower stays visible on narrow terminals
    show: bool = True
    priority: bool = False


# fmt: off
_KEYS: tuple[Key, ...] = (
    # -- anywhere
    Key("switch_mode('home')", "0", "Home", "What is due today across every log.", "global", rank=20),
    Key("switch_mode('referrals')", "1", "Referrals", "Police referral tracker.", "global", rank=21),
    Key("switch_mode('clinics')", "2", "Clinics", "Crime clinic agenda and minutes.", "global", rank=22),
    Key("switch_mode('exhibits')", "3", "Exhibits", "Exhibit continuity log.", "global", rank=23),
    Key("switch_mode('mg4d')", "4", "MG4D", "MG4D issue log.", "global", rank=24),
    Key("switch_mode('persons')", "5", "Persons", "Persons of interest.", "global", rank=25),
    Key("switch_mode('actions')", "6", "Actions", "Crime clinic action log.", "global", rank=26),
    Key("switch_mode('settings')", "9", "Settings", "Local practice settings.", "global", rank=29),
    Key("toggle_help", "question_mark,f1", "Help", "Every key of this screen.", "global", "?", rank=1),
    Key("quit", "ctrl+q", "Quit", "Leave cipco (everything is already saved).", "global", "^q", rank=2, priority=True),
    Key("command_palette", "ctrl+p", "Go to", "Any screen or record by reference, name or number.", "global", "^p", rank=5),
    Key("search", "ctrl+f,f3", "Search", "Search every log's text.", "global", "^f", rank=6),
    # -- lists
    Key("filter", "slash", "Filter", "Filter this list as you type.", "list", "/", rank=10),
    Key("clear_filter", "escape", "Clear", "Clear the filter.", "list", show=False),
    Key("next_queue", "right_square_bracket", "Next queue", "Next queue tab.", "list", "]", show=False),
    Key("previous_queue", "left_square_bracket", "Prev queue", "Previous queue tab.", "list", "[", show=False),
    Key("sort", "s", "Sort", "Choose the column to sort by (again to reverse).", "list", rank=30),
    Key("new", "n", "New", "Add a record.", "list", rank=11),
    Key("edit", "e", "Edit", "Edit the highlighted record.", "list", rank=12),
    Key("open", "enter", "Open", "Open the highlighted record.", "list", show=False),
    Key("export", "x", "Export", "Export what is shown to a workbook.", "list", rank=3),
    Key("remove", "delete", "Remove", "Remove or drop the highlighted entry (asks first).", "list", "del", rank=40),
    Key("import_file", "i", "Import", "Import a spreadsheet into this log.", "list", rank=41),
    # -- forms
    Key("save", "ctrl+s,f2", "Save", "Save the form.", "form", "^s", rank=1, priority=True),
    Key("cancel", "escape", "Cancel", "Close the form (asks before dropping what you typed).", "form", "esc", rank=2),
    # -- a record (a detail screen, or the highlighted row of a list)
    Key("back", "escape", "Back", "Back to the previous screen.", "record", "esc", rank=4),
    Key("person", "p", "Prisoner", "The prisoner's page.", "record", rank=31),
    Key("move", "m", "Move", "Move the record on: status, or an exhibit hand-over.", "record", rank=13),
    Key("follow_up", "f", "Follow-up", "Log a chase or contact.", "record", rank=32),
    Key("case_file", "c", "Case file", "Build the police case file (PDF and workbook).", "record", rank=33),
    Key("add_action", "a", "Action", "Add a clinic action.", "record", rank=34),
    Key("done", "d", "Done", "Mark the action done.", "record", rank=35),
    Key("reopen", "u", "Reopen", "Reopen or restore what was done or dropped.", "record", rank=36),
)
# fmt: on

KEYS: dict[str, Key] = {key.action: key for key in _KEYS}


def binding(action: str, *, show: bool | None = None) -> Binding:
    """The Textual binding for ``action`` as the keymap defines it."""
    key = KEYS[action]
    return Binding(
        key.keys,
        key.action,
        key.label,
        show=key.show if show is None else show,
        key_display=key.display,
        priority=key.priority,
        tooltip=key.help,
        id=key.action,
    )


def bindings(*actions: str) -> list[Binding]:
    return [binding(action) for action in actions]
