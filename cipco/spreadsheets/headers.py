"""Which field a column header means: exact, a listed synonym, or guessed from its words.

Old logs name their columns in many ways: ``Rec'd``, ``Exhibit No.``, ``D.O.B.``, ``Time
served``, ``Date destroyed``, ``Signed?``. A header is read as a set of *words*, each put in
one canonical form (abbreviations written out, ``seized``/``seizure`` as one word), and
matched in stages, each stage claiming fields before the next is tried (an exact header in a
later column beats a guess in an earlier one; each field takes at most one column):

1. ``--map`` (what the user said), then a remembered mapping (what the user confirmed for
   this header layout before);
2. **exact**: the header is the field's own column name (what cipco's export writes);
3. **synonym**: one of the header words trackers use, in any order and spelling of the same
   words (``Rec'd date`` is ``Date received``);
4. **guessed**, by meaning:
   - a date or time word with an event word: ``Date seized``, ``Seized on``, ``Destroyed``
     (an event word alone is its date), ``Time served`` (the time of a date-and-time field,
     combined with its date), ``Served date/time``;
   - a question: ``Signed?``, ``Signed (Y/N)`` answered by the field declared for it;
   - every word of a synonym and at most one word more (``Exhibit Ref No.``).

:func:`match_headers` returns, for each column it maps, the field and how it was found.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

# How a column was matched, as the dry run says it.
MAPPED = "--map"
REMEMBERED = "remembered"
EXACT = "exact"
SYNONYM = "synonym"
GUESSED = "guessed"

# Written-out forms of abbreviations and spellings (after lower-casing, apostrophes and dots
# dropped: "rec'd" -> "recd", "d.o.b." -> "dob").
WORDS: dict[str, tuple[str, ...]] = {
    "recd": ("receive",),
    "rcvd": ("receive",),
    "rec": ("receive",),
    "rxd": ("receive",),
    "no": ("number",),
    "nos": ("number",),
    "num": ("number",),
    "nr": ("number",),
    "nbr": ("number",),
    "ref": ("reference",),
    "refs": ("reference",),
    "dob": ("date", "birth"),
    "dt": ("date",),
    "tm": ("time",),
    "desc": ("description",),
    "descr": ("description",),
    "loc": ("location",),
    "exh": ("exhibit",),
    "exhib": ("exhibit",),
    "org": ("organisation",),
    "organization": ("organisation",),
    "orgn": ("organisation",),
    "qty": ("quantity",),
    "auth": ("authority",),
    "wit": ("witness",),
    "coll": ("collect",),
    "colld": ("collect",),
    "svd": ("serve",),
    "sig": ("sign",),
    "noms": ("nomis",),
    "pris": ("prisoner",),
    "inmate": ("prisoner",),
    "offender": ("prisoner",),
    "hrs": ("time",),
    "hours": ("time",),
}
# Inflections of the event words (and a few others) -> one form.
STEMS: dict[str, str] = {
    "seized": "seize",
    "seizure": "seize",
    "seizing": "seize",
    "seizures": "seize",
    "collected": "collect",
    "collection": "collect",
    "collecting": "collect",
    "destroyed": "destroy",
    "destruction": "destroy",
    "destructed": "destroy",
    "served": "serve",
    "service": "serve",
    "serving": "serve",
    "received": "receive",
    "receipt": "receive",
    "receiving": "receive",
    "returned": "return",
    "returning": "return",
    "made": "make",
    "making": "make",
    "expires": "expire",
    "expiry": "expire",
    "expiration": "expire",
    "expiring": "expire",
    "expired": "expire",
    "ends": "expire",
    "signed": "sign",
    "signature": "sign",
    "referred": "refer",
    "witnessed": "witness",
    "authorised": "authority",
    "authorized": "authority",
    "authorisation": "authority",
    "authorization": "authority",
    "disposed": "dispose",
    "disposal": "dispose",
    "raised": "raise",
    "starts": "start",
    "started": "start",
    "commences": "start",
    "commenced": "start",
    "reviewed": "review",
    "found": "find",
    "completed": "complete",
    "charged": "charge",
    "closed": "close",
    "acknowledged": "acknowledge",
    "acknowledgement": "acknowledge",
    "incidents": "incident",
    "occurred": "incident",
}
NOISE = frozenset({"the", "of", "a", "an", "and", "or", "yn", "y", "n"})
DATE_WORDS = frozenset({"date", "dated", "day", "when", "on"})
TIME_WORDS = frozenset({"time", "at"})


def words(header: object) -> tuple[str, ...]:
    """A header as canonical words: ``"Rec'd Date"`` -> ``("receive", "date")``."""
    if header is None:
        return ()
    text = str(header).lower().replace("'", "").replace("’", "")
    # dotted initials (d.o.b.) become one word before splitting on punctuation
    text = re.sub(r"\b(?:[a-z]\.){2,}", lambda m: m.group().replace(".", ""), text)
    text = text.replace("#", " number ")
    out: list[str] = []
    for raw in re.split(r"[^0-9a-z]+", text):
        if not raw:
            continue
        for word in WORDS.get(raw, (raw,)):
            out.append(STEMS.get(word, word))
    return tuple(out)


def meaning(header: object) -> frozenset[str]:
    """The words that carry a header's meaning (noise words left out)."""
    return frozenset(w for w in words(header) if w not in NOISE)


def is_question(header: object) -> bool:
    text = str(header or "").strip().lower()
    return text.endswith("?") or bool(re.search(r"\(?\by\s*/\s*n\b", text))


def normalise(text: object) -> str:
    """``' NOMIS No. '`` -> ``'nomisno'``: lower case, letters and digits only."""
    if text is None:
        return ""
    return re.sub(r"[^0-9a-z]+", "", str(text).lower())


def fingerprint(headers: Sequence[object]) -> str:
    """The header layout of a sheet: its normalised headers, in order (trailing blanks left
    out), as a short hash. Remembered mappings are kept per log under it."""
    cells = [normalise(h) for h in headers]
    while cells and not cells[-1]:
        cells.pop()
    digest = hashlib.sha256("\x1f".join(cells).encode()).hexdigest()
    return digest[:24]


@dataclass(frozen=True)
class Meaning:
    """What one field answers to: its own header, synonyms, event word and question."""

    name: str
    header: str
    synonyms: tuple[str, ...]
    kind: str
    event: str = ""
    question: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    field: str
    how: str
    why: str = ""  # for a guess: what it was read from ("time + served")


class Matcher:
    """Header matching for one set of fields (built once per import, used for each row
    scanned for the header)."""

    def __init__(self, fields: Iterable[Meaning]) -> None:
        self.fields = list(fields)
        self.exact: dict[str, str] = {}
        self.synonyms: dict[str, str] = {}
        self.word_sets: dict[frozenset[str], str] = {}
        self.subsets: list[tuple[frozenset[str], str, bool]] = []
        for spec in self.fields:
            # a separate time column's label ("Served (time)") is for messages, not matching
            for text in (spec.name,) if spec.kind == "time" else (spec.header, spec.name):
                self.exact.setdefault(normalise(text), spec.name)
            for text in spec.synonyms:
                self.synonyms.setdefault(normalise(text), spec.name)
                key = meaning(text)
                if key:
                    self.word_sets.setdefault(key, spec.name)
                    dated = spec.kind in ("date", "datetime", "time")
                    self.subsets.append((key, spec.name, dated))
        self.events: dict[tuple[str, str], str] = {}
        for spec in self.fields:
            if spec.event:
                part = "time" if spec.kind == "time" else "date"
                self.events.setdefault((spec.event, part), spec.name)
        self.questions = [(frozenset(s.question), s.name) for s in self.fields if s.question]

    def strong(self, header: object) -> Match | None:
        key = normalise(header)
        if not key:
            return None
        if key in self.exact:
            return Match(self.exact[key], EXACT)
        if key in self.synonyms:
            return Match(self.synonyms[key], SYNONYM)
        found = self.word_sets.get(meaning(header))
        return Match(found, SYNONYM) if found else None

    def guess(self, header: object, taken: set[str]) -> Match | None:
        found = meaning(header)
        if not found:
            return None
        if is_question(header):
            for question, name in self.questions:
                if question <= found and name not in taken:
                    return Match(name, GUESSED, f"question: {' '.join(sorted(question))}?")
        events = [w for w in found if any(key[0] == w for key in self.events)]
        if len(events) == 1:
            (event,) = events
            rest = found - {event}
            if rest <= DATE_WORDS | TIME_WORDS:
                part = "time" if rest & {"time"} and not rest & {"date"} else "date"
                name = self.events.get((event, part))
                if name and name not in taken:
                    word = "time" if part == "time" else "date"
                    return Match(name, GUESSED, f"{word} + {event}")
        best: list[tuple[int, str]] = []
        for words_needed, name, dated in self.subsets:
            extra = found - words_needed
            if not (words_needed < found and len(extra) <= 1 and name not in taken):
                continue
            if not dated and extra & (DATE_WORDS | TIME_WORDS):
                continue  # "Date charged" is not the charges
            best.append((len(words_needed), name))
        if best:
            top = max(size for size, _ in best)
            names = {name for size, name in best if size == top}
            if len(names) == 1:
                return Match(names.pop(), GUESSED, "similar words")
        return None


def match_headers(
    matcher: Matcher,
    row: Sequence[object],
    given: Mapping[str, str] | None = None,
    remembered: Mapping[str, str] | None = None,
) -> dict[int, Match]:
    """{column index: Match} for one candidate header row (see the module docstring)."""
    known = {spec.name for spec in matcher.fields}
    result: dict[int, Match] = {}
    taken: set[str] = set()

    def claim(col: int, match: Match | None) -> None:
        if match is not None and match.field not in taken and col not in result:
            result[col] = match
            taken.add(match.field)

    for source, how in ((given, MAPPED), (remembered, REMEMBERED)):
        table = {normalise(k): v for k, v in (source or {}).items() if v in known}
        for col, cell in enumerate(row):
            name = table.get(normalise(cell)) if normalise(cell) else None
            if name:
                claim(col, Match(name, how))
    strong = {col: matcher.strong(cell) for col, cell in enumerate(row) if col not in result}
    for how in (EXACT, SYNONYM):
        for col, match in strong.items():
            if match is not None and match.how == how:
                claim(col, match)
    for col, cell in enumerate(row):
        if col not in result:
            claim(col, matcher.guess(cell, taken))
    return result
