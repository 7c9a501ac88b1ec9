"""The places the app can show: one entry per log (and Settings), in the order of their keys.

A new log adds its entry here; the keymap gives it its number key and the log bar shows it.
``screen`` is imported lazily so start-up stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavEntry:
    mode: str  # the app mode name
    key: str  # the number key that goes there
    title: str  # the log bar and footer label
    screen: str  # "module:ClassName" of a Screen taking no arguments
    help: str  # one sentence for the help panel, README and command palette
    narrow: bool = True  # named on an 80-column log bar too (its key works regardless)


NAV: list[NavEntry] = [
    NavEntry(
        "referrals",
        "1",
        "Referrals",
        "cipco.screens.referrals:ReferralsScreen",
        "Police referrals.",
    ),
    NavEntry(
        "clinics", "2", "Clinics", "cipco.screens.clinics:ClinicsScreen", "Crime clinic meetings."
    ),
    NavEntry(
        "exhibits", "3", "Exhibits", "cipco.screens.exhibits:ExhibitsScreen", "Exhibit continuity."
    ),
    NavEntry("mg4d", "4", "MG4D", "cipco.screens.mg4d:Mg4dScreen", "MG4D charge papers."),
    NavEntry(
        "persons", "5", "Persons", "cipco.screens.persons:PersonsScreen", "Persons of interest."
    ),
    NavEntry(
        "actions", "6", "Actions", "cipco.screens.actions:ActionsScreen", "Clinic action log."
    ),
    NavEntry(
        "regional",
        "7",
        "Region",
        "cipco.screens.regional:RegionalScreen",
        "The region: SOC nominals across prisons, trigger points, releases, figures side by side.",
        narrow=False,
    ),
    NavEntry(
        "settings", "9", "Settings", "cipco.screens.settings:SettingsScreen", "Local thresholds."
    ),
]
HOME = NavEntry(
    "home",
    "0",
    "Home",
    "cipco.screens.home:HomeScreen",
    "What is due today and this week across every log, each log's queues, the next clinic.",
)
"""``0``, the start screen (the app opens on it)."""
HOME_MODE = HOME.mode
PLACES: list[NavEntry] = [HOME, *NAV]
"""Every place, the start screen first (the log bar and the command palette)."""
