"""Search every log, and each list's typed filter, through one index.

The index is the data layer's (:mod:`cipco.fts`, declared per list in
:mod:`cipco.search_docs`); this module is what services and screens call, and it says
nothing about SQLite:

- :func:`clause` is the condition a list's ``/`` filter adds: every typed word found in the
  record's indexed text (three characters or more anywhere, as "1234" finds A1234BC; a
  shorter word at the start of a word). None when the list is not indexed (the caller keeps
  its LIKE filter) or nothing was typed.
- :func:`search_everything` finds records in every list, grouped by list, each hit worded
  (:class:`Hit`: what to call it, a line about it, where the words were found) with what
  opens it.

What a person types is always taken literally: quotes, ``*``, ``NEAR``, ``AND`` are words.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, select
from sqlmodel import Session

from cipco import fts
from cipco.search_docs import DOCS, doc
from cipco.text import clean

FEW = 2_000  # fewer matches than this: look them up one by one; more: walk the list's order
SNIPPET = 70  # characters of context shown around a match


def indexed(log: str) -> bool:
    return doc(log) is not None


def query_of(text: str) -> str | None:
    return fts.query_text(text)


def clause(
    session: Session, log: str, id_column: Any, text: str, *, page: bool = True
) -> ColumnElement[bool] | None:
    """``id_column`` is one of ``log``'s records whose indexed text has every typed word.

    For a page (``page``), when many records match, the condition is written so the
    database walks the list in its sort order and stops at a page, instead of fetching and
    sorting every match. A count reads every match anyway: each is looked up by its id.
    """
    found = doc(log)
    query = query_of(text)
    if found is None or query is None:
        return None
    ids = fts.matching(found, query)
    few = not page or fts.count_matching(session.connection(), found, query, FEW) < FEW
    target = id_column if few else id_column + 0  # +0: not the id index, the sort's
    return target.in_(ids)  # type: ignore[no-any-return]


def count(session: Session, log: str, text: str) -> int | None:
    """How many of ``log``'s records have every typed word in their indexed text, read from
    the index alone. None when the list is not indexed or nothing searchable was typed."""
    found = doc(log)
    query = query_of(text)
    if not indexed(log) or found is None or query is None:
        return None
    return fts.count_matching(session.connection(), found, query, fts.SPAN)


# ---------------------------------------------------------------- search everything


@dataclass(frozen=True)
class Hit:
    """One record found: its list, its id, what opens it, and how it reads."""

    log: str
    id: int
    key: int | str  # what opens it: the id, or a prison number for a prisoner's page
    title: str  # "REF-2026-0042  A1234BC SMITH, John"
    detail: str  # "Referral · Draft · Staff assault"
    found: str  # "…near the tangerine tub…": where the words are


@dataclass(frozen=True)
class Group:
    log: str
    title: str  # "Referrals"
    hits: tuple[Hit, ...]
    total: int  # how many match (counted up to ``cap``)
    capped: bool  # total is "at least"

    @property
    def total_text(self) -> str:
        return f"{self.total:,}+" if self.capped else f"{self.total:,}"


Describe = Callable[[Session, list[int]], dict[int, tuple[Any, str, str]]]
"""Ids of one list -> {id: (what opens it, title, detail)}."""

TITLES: dict[str, str] = {
    "referrals": "Referrals",
    "exhibits": "Exhibits",
    "mg4d": "MG4D papers",
    "persons": "Persons of interest",
    "actions": "Clinic actions",
    "clinics": "Clinics",
    "prisoners": "Prisoners",
}


def search_everything(
    session: Session, text: str, *, per_log: int = 8, cap: int = 1_000
) -> list[Group]:
    """Records of every list matching ``text`` (best first, ``per_log`` each), grouped by
    list in :data:`cipco.search_docs.DOCS` order; lists with no match are left out."""
    query = query_of(text)
    if query is None:
        return []
    connection = session.connection()
    words = [w for w in text.split() if len(w) >= fts.SHORT] or text.split()
    groups = []
    for found in DOCS:
        describe = DESCRIBE.get(found.log)
        if describe is None:
            continue
        rows = connection.execute(fts.ranked(found, query, per_log)).all()
        if not rows:
            continue
        total = fts.count_matching(connection, found, query, cap + 1)
        ids = [int(row[0]) for row in rows]
        described = describe(session, ids)
        hits = []
        for row in rows:
            record_id = int(row[0])
            if record_id not in described:
                continue  # gone since it was indexed (another window deleted it)
            key, title, detail = described[record_id]
            hits.append(
                Hit(found.log, record_id, key, clean(title), clean(detail), snippet(row[1], words))
            )
        groups.append(
            Group(
                found.log,
                TITLES.get(found.log, found.log),
                tuple(hits),
                min(total, cap),
                total > cap,
            )
        )
    return groups


def snippet(body: str, words: Sequence[str], width: int = SNIPPET) -> str:
    """The indexed text around the first word found, on one line: "…the tangerine tub…"."""
    plain = " ".join(clean(body or "").split())
    lowered = plain.lower()
    for word in words:
        at = lowered.find(word.lower())
        if at < 0:
            continue
        start = max(0, at - width // 3)
        end = min(len(plain), start + width)
        start = max(0, min(start, end - width))
        return ("…" if start > 0 else "") + plain[start:end] + ("…" if end < len(plain) else "")
    return plain[:width] + ("…" if len(plain) > width else "")


# ---------------------------------------------------------------- how each list's hits read


def _hits(model: Any, ids: list[int], *columns: Any, prisoner: bool = False) -> Any:
    """``model``'s id and ``columns`` for ``ids``; ``prisoner``: joined to its prisoner."""
    from cipco.models.people import Prisoner

    query = select(model.id, *columns).where(model.id.in_(ids))
    return query.join(Prisoner, Prisoner.id == model.prisoner_id) if prisoner else query


def _referrals(session: Session, ids: list[int]) -> dict[int, tuple[Any, str, str]]:
    from cipco.models.people import Prisoner
    from cipco.models.reference import CrimeCategory
    from cipco.models.referral import Referral
    from cipco.services.referrals.rules import status_label

    rows = session.execute(
        _hits(
            Referral,
            ids,
            Referral.reference,
            Prisoner.nomis_number,
            Prisoner.name,
            Referral.status,
            CrimeCategory.label,
            prisoner=True,
        ).join(CrimeCategory, CrimeCategory.code == Referral.category_code)
    )
    return {
        r[0]: (r[0], f"{r[1]}  {r[2]} {r[3] or ''}", f"Referral · {status_label(r[4])} · {r[5]}")
        for r in rows
    }


def _exhibits(session: Session, ids: list[int]) -> dict[int, tuple[Any, str, str]]:
    from cipco.models.exhibit import Exhibit
    from cipco.services.exhibits import state_label

    rows = session.execute(
        _hits(
            Exhibit, ids, Exhibit.reference, Exhibit.description, Exhibit.state, Exhibit.seal_number
        )
    )
    return {
        r[0]: (
            r[0],
            f"{r[1]}  {r[2]}",
            f"Exhibit · {state_label(r[3])}" + (f" · seal {r[4]}" if r[4] else ""),
        )
        for r in rows
    }


def _mg4d(session: Session, ids: list[int]) -> dict[int, tuple[Any, str, str]]:
    from cipco.models.mg4d import STATE_LABELS, ChargePapers
    from cipco.models.people import Prisoner

    rows = session.execute(
        _hits(
            ChargePapers,
            ids,
            ChargePapers.form_label,
            Prisoner.nomis_number,
            Prisoner.name,
            ChargePapers.state,
            ChargePapers.charges,
            prisoner=True,
        )
    )
    return {
        r[0]: (
            r[0],
            f"{r[1]}  {r[2]} {r[3] or ''}",
            f"MG4D · {STATE_LABELS.get(r[4], r[4])} · {' '.join((r[5] or '').split())[:60]}",
        )
        for r in rows
    }


def _persons(session: Session, ids: list[int]) -> dict[int, tuple[Any, str, str]]:
    from cipco.models.people import Prisoner
    from cipco.models.person import PersonOfInterest

    rows = session.execute(
        _hits(
            PersonOfInterest,
            ids,
            Prisoner.nomis_number,
            Prisoner.name,
            PersonOfInterest.soc_band,
            PersonOfInterest.ocg_name,
            prisoner=True,
        )
    )
    found = {}
    for r in rows:
        band = f" · Band {r[3]}" if r[3] else ""
        ocg = f" · {r[4]}" if r[4] else ""
        found[r[0]] = (r[1], f"{r[1]}  {r[2] or ''}", f"Person of interest{band}{ocg}")
    return found


def _actions(session: Session, ids: list[int]) -> dict[int, tuple[Any, str, str]]:
    from cipco.models.clinic import ClinicAction

    rows = session.execute(
        _hits(
            ClinicAction,
            ids,
            ClinicAction.text,
            ClinicAction.owner_name,
            ClinicAction.status,
            ClinicAction.due_on,
        )
    )
    found = {}
    for r in rows:
        due = f" · due {r[4]:%d/%m/%Y}" if r[4] else ""
        text = " ".join((r[1] or "").split())
        found[r[0]] = (r[0], text[:80], f"Clinic action · {r[3]} · {r[2]}{due}")
    return found


def _clinics(session: Session, ids: list[int]) -> dict[int, tuple[Any, str, str]]:
    from cipco.models.clinic import Clinic
    from cipco.services.clinic.common import status_label

    rows = session.execute(_hits(Clinic, ids, Clinic.title, Clinic.held_on, Clinic.status))
    return {r[0]: (r[0], f"{r[1]} {r[2]:%d/%m/%Y}", f"Clinic · {status_label(r[3])}") for r in rows}


def _prisoners(session: Session, ids: list[int]) -> dict[int, tuple[Any, str, str]]:
    from cipco.models.people import Prisoner

    rows = session.execute(_hits(Prisoner, ids, Prisoner.nomis_number, Prisoner.name))
    return {r[0]: (r[1], f"{r[1]}  {r[2] or ''}", "Prisoner page") for r in rows}


DESCRIBE: dict[str, Describe] = {
    "referrals": _referrals,
    "exhibits": _exhibits,
    "mg4d": _mg4d,
    "persons": _persons,
    "actions": _actions,
    "clinics": _clinics,
    "prisoners": _prisoners,
}
"""How each searchable list's hits read (a list added to ``search_docs.DOCS`` adds one)."""
