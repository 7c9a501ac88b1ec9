"""The logs the app can show: one entry per screen, in the order of their number keys.

Each log adds its entry here. ``factory`` is imported lazily so start-up stays fast.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class NavEntry:
    mode: str  # the app mode name
    key: str  # number key that jumps to it
    title: str
    screen: str  # "module:ClassName" of a Screen taking no arguments
    help: str


NAV: list[NavEntry] = [
    NavEntry(
        "referrals",
        "1",
        "Referrals",
        "cipco.screens.referrals:ReferralsScreen",
        "Police referral tracker",
    ),
    NavEntry(
        "clinics",
        "2",
        "Clinics",
        "cipco.screens.clinics:ClinicsScreen",
        "Crime clinic: agenda, meeting, minutes",
    ),
    NavEntry(
        "exhibits",
        "3",
        "Exhibits",
        "cipco.screens.exhibits:ExhibitsScreen",
        "Exhibit continuity log",
    ),
    NavEntry("mg4d", "4", "MG4D", "cipco.screens.mg4d:Mg4dScreen", "MG4D issue log"),
    NavEntry(
        "persons", "5", "Persons", "cipco.screens.persons:PersonsScreen", "Persons of interest"
    ),
    NavEntry(
        "actions", "6", "Actions", "cipco.screens.actions:ActionsScreen", "Crime clinic action log"
    ),
]
