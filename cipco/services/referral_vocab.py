"""Words trackers use for our categories, statuses, outcomes and forces.

Imports (and the referral export's filters) map free text onto cipco's vocabularies through
these tables: lower case, letters and digits only, so "With CPS", "with-cps" and "WITH_CPS"
all match. Text that matches nothing is the caller's to keep with a warning.
"""

from __future__ import annotations

import functools
import re

from sqlalchemy import select
from sqlmodel import Session

from cipco.models.reference import CrimeCategory, Force
from cipco.models.referral import OUTCOME_LABELS, Outcome, Status
from cipco.models.vocab import STATUS_LABELS

_NOT_KEY = re.compile(r"[^0-9a-z]+")


@functools.lru_cache(maxsize=4096)
def _key(text: str) -> str:
    """Vocabulary key: lower case, letters and digits only (cached: trackers repeat words)."""
    return _NOT_KEY.sub("", text.lower())


CATEGORY_SYNONYMS: dict[str, tuple[str, ...]] = {
    "HOMICIDE": ("murder", "attempted murder", "manslaughter", "homicide"),
    "RAPE": ("rape", "attempted rape"),
    "SEXUAL_OFFENCE": ("sexual assault", "sexual offence", "indecent exposure", "sexual"),
    "THREAT_TO_KILL": ("threat to kill", "threats to kill", "ttk"),
    "SERIOUS_VIOLENCE": ("serious violence", "serious assault", "threat of violence"),
    "SERIOUS_INJURY": ("gbh", "abh", "wounding", "serious injury", "section 18", "section 20"),
    "STAFF_ASSAULT": (
        "assault on staff",
        "staff assault",
        "assault staff",
        "assault (staff)",
        "assault on an emergency worker",
        "emergency worker assault",
        "assault on officer",
    ),
    "STAFF_ASSAULT_MINOR": (
        "minor staff assault",
        "staff assault minor",
        "staff assault no injury",
    ),
    "POTTING": ("potting", "spitting", "bodily fluids", "throwing bodily fluids", "fluids"),
    "PRISONER_ASSAULT": (
        "assault on prisoner",
        "prisoner assault",
        "prisoner on prisoner assault",
        "assault (prisoner)",
        "fight",
    ),
    "HOSTAGE": ("hostage", "hostage taking", "false imprisonment"),
    "RIOT_DISORDER": ("riot", "mutiny", "disorder", "concerted indiscipline", "prison mutiny"),
    "ESCAPE": ("escape", "escape from escort"),
    "ABSCOND_24H": ("abscond", "absconded", "unlawfully at large", "ual"),
    "CORRUPTION": ("corruption", "misconduct in public office", "mipo", "staff corruption"),
    "ROBBERY": ("robbery",),
    "DRUGS_SUPPLY": (
        "drugs",
        "drug supply",
        "supply",
        "pwits",
        "possession with intent to supply",
        "psychoactive substances",
        "psychoactive",
        "spice",
        "nps",
    ),
    "DRUGS_VISITOR_STAFF": ("visitor drugs", "drugs visitor", "drugs staff", "visitor conveyance"),
    "CONVEYANCE_LIST_A": ("conveyance", "list a", "conveyance list a", "list a conveyance"),
    "MOBILE_PHONE": (
        "mobile phone",
        "mobile",
        "phone",
        "phones",
        "phone find",
        "sim card",
        "mobile phone find",
        "mobile phones",
    ),
    "CONVEYANCE_LIST_B_C": ("list b", "list c", "list b c", "list b/c", "conveyance list b"),
    "WEAPON_POSSESSION": (
        "weapon",
        "weapons",
        "knife",
        "blade",
        "bladed article",
        "offensive weapon",
        "possession of weapon",
        "possession of a weapon",
        "weapon find",
    ),
    "CRIMINAL_DAMAGE": ("criminal damage", "arson", "damage", "cell damage", "fire setting"),
    "HATE_CRIME": ("hate crime", "hate", "racially aggravated", "racial"),
    "OTHER": ("other",),
}

STATUS_SYNONYMS: dict[str, tuple[str, ...]] = {
    Status.DRAFT: ("draft", "not yet referred", "to refer", "pending", "not referred"),
    Status.REFERRED: ("referred", "open", "sent", "with police", "sent to police", "awaiting"),
    Status.ACKNOWLEDGED: ("acknowledged", "ack", "accepted", "received by police"),
    Status.INVESTIGATING: (
        "investigating",
        "under investigation",
        "investigation",
        "ongoing",
        "live",
        "in progress",
    ),
    Status.WITH_CPS: ("with cps", "cps", "awaiting cps", "file with cps", "cps decision"),
    Status.CHARGED: ("charged", "summonsed", "charged/summonsed"),
    Status.AT_COURT: ("at court", "court", "awaiting trial", "trial", "awaiting court"),
    Status.CONCLUDED: ("concluded", "finalised", "complete", "completed", "convicted", "sentenced"),
    Status.NFA: ("nfa", "no further action", "closed nfa", "nfa police", "nfa'd"),
    Status.OUT_OF_COURT: (
        "out of court",
        "out-of-court disposal",
        "ooc",
        "caution",
        "cautioned",
        "community resolution",
    ),
    Status.RETURNED: (
        "returned",
        "returned to prison",
        "back to prison",
        "refer back",
        "adjudication",
    ),
    Status.WITHDRAWN: ("withdrawn", "victim withdrew", "withdrew"),
    Status.TRANSFERRED: ("transferred", "transferred out"),
}

OUTCOME_SYNONYMS: dict[str, tuple[str, ...]] = {
    Outcome.CHARGED: ("charged", "summonsed", "charged/summonsed", "charge"),
    Outcome.CAUTION: ("caution", "cautioned", "simple caution", "conditional caution"),
    Outcome.COMMUNITY_RESOLUTION: ("community resolution", "cr"),
    Outcome.NFA_EVIDENTIAL_VICTIM_SUPPORTS: (
        "insufficient evidence",
        "evidential difficulties",
        "nfa evidential",
        "nfa insufficient evidence",
        "outcome 15",
    ),
    Outcome.NFA_EVIDENTIAL_VICTIM_NOT: (
        "victim does not support",
        "victim withdrew support",
        "victim unsupportive",
        "outcome 16",
    ),
    Outcome.NFA_PUBLIC_INTEREST_POLICE: (
        "not in public interest",
        "not in the public interest",
        "public interest",
        "outcome 21",
    ),
    Outcome.NFA_PUBLIC_INTEREST_CPS: ("cps public interest", "cps not in public interest"),
    Outcome.TIME_LIMIT_EXPIRED: ("time expired", "out of time", "time limit expired"),
    Outcome.NO_SUSPECT: ("no suspect", "no suspect identified", "outcome 18"),
    Outcome.OTHER_BODY_PRIMACY: ("other body primacy", "other agency"),
    Outcome.CONVICTED: ("convicted", "guilty", "guilty plea", "found guilty"),
    Outcome.ACQUITTED: ("acquitted", "not guilty", "found not guilty"),
    Outcome.DISCONTINUED: ("discontinued", "dropped by cps", "case discontinued"),
}


def _vocabulary(labels: dict[str, str], synonyms: dict[str, tuple[str, ...]]) -> dict[str, str]:
    table: dict[str, str] = {}
    for code, label in labels.items():
        table[_key(str(code))] = str(code)
        table[_key(label)] = str(code)
    for code, words in synonyms.items():
        for word in words:
            table.setdefault(_key(word), str(code))
    return table


STATUS_VOCAB = _vocabulary(dict(STATUS_LABELS), STATUS_SYNONYMS)
OUTCOME_VOCAB = _vocabulary(dict(OUTCOME_LABELS), OUTCOME_SYNONYMS)


_FORCE_WORDS = re.compile(r"\b(police|constabulary|service)\b")


class Vocabulary:
    """The file's categories and forces plus the fixed status and outcome words."""

    def __init__(self, session: Session) -> None:
        self.categories = {c.code: c for c in session.scalars(select(CrimeCategory))}
        self.category_vocab: dict[str, str] = {}
        for code, words in CATEGORY_SYNONYMS.items():
            if code in self.categories:
                for word in words:
                    self.category_vocab.setdefault(_key(word), code)
        for code, category in self.categories.items():
            self.category_vocab[_key(code)] = code
            self.category_vocab[_key(category.label)] = code
        self.forces: dict[str, str] = {}
        for force in session.scalars(select(Force)):
            self.forces[_key(force.id)] = force.id
            self.forces[_key(force.name)] = force.id
            self.forces.setdefault(_key(_FORCE_WORDS.sub("", force.name.lower())), force.id)

    def map_category(self, text: str) -> tuple[str, str | None]:
        """(category code, warning or None). Unknown text -> OTHER with a warning."""
        if not text:
            return "OTHER", "no category given; stored as Other"
        code = self.category_vocab.get(_key(text))
        if code:
            return code, None
        return "OTHER", f"category '{text}' not recognised; stored as Other"

    @staticmethod
    def map_status(text: str) -> tuple[str, str | None]:
        if not text:
            return Status.REFERRED.value, None
        code = STATUS_VOCAB.get(_key(text))
        if code:
            return code, None
        return Status.REFERRED.value, f"status '{text}' not recognised; stored as Referred"

    @staticmethod
    def map_outcome(text: str) -> tuple[str | None, str | None]:
        if not text:
            return None, None
        code = OUTCOME_VOCAB.get(_key(text))
        if code:
            return code, None
        return None, f"outcome '{text}' not recognised; kept in the notes"

    def map_force(self, text: str) -> tuple[str | None, str | None]:
        if not text:
            return None, None
        found = self.forces.get(_key(text)) or self.forces.get(
            _key(_FORCE_WORDS.sub("", text.lower()))
        )
        if found:
            return found, None
        return None, f"force '{text}' not recognised; kept in the notes"
