"""A referral's people and papers as lines of text (``cipco case show``), and what is due
across every referral (``cipco case due``). Contact details are never shown here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.dates import format_date, format_datetime
from cipco.models.referral import OTHER_SYSTEMS, Referral
from cipco.models.vocab import PARTY_KIND_LABELS, PARTY_ROLE_LABELS
from cipco.services.casework import queries as lists
from cipco.services.casework import queries_papers as paper_lists
from cipco.services.casework.common import referral
from cipco.services.casework.due import DueItem, due_items, paper_items, r7_items
from cipco.services.casework.papers import problems_text
from cipco.services.flags import SEVERITY_MARKERS


def _due_text(item: DueItem, clock: Clock, reference: str = "") -> str:
    mark = SEVERITY_MARKERS.get(item.severity(clock.now()), "")
    where = f"{reference} " if reference else ""
    return f"{mark} {item.rule} {where}{item.label}: due {format_datetime(item.due_at)}".strip()


def _person_line(p: lists.PersonRow) -> str:
    """``  3 Officer K. Ahmed (Victim, Staff, enhanced rights); last contact: …``."""
    told = format_datetime(p.last_contact_at) if p.last_contact_at else "no contact logged"
    extras = ", enhanced rights" if p.enhanced_rights else ""
    extras += ", do not share" if p.do_not_share else ""
    return (
        f"  {p.id} {p.name} ({PARTY_ROLE_LABELS.get(p.role, p.role)}, "
        f"{PARTY_KIND_LABELS.get(p.kind, p.kind)}{extras}); last contact: {told}"
    )


def _statement_line(s: lists.StatementRow) -> str:
    due = f", due {format_date(s.due_on)}" if s.due_on and not s.sent_on else ""
    problems = f"; problems: {problems_text(list(s.problems))}" if s.problems else ""
    return f"  {s.id} from {s.person}: {s.state_text}{due}{problems}"


def _meeting_line(m: lists.MeetingRow) -> str:
    """``  2 with Officer B. Quinn at 25/11/2026 14:00, Visits hall; release confirmed …``."""
    where = ", ".join(
        part for part in (m.place, f"officer {m.officer}" if m.officer else "") if part
    )
    if m.release_confirmed_on:
        release = f"release confirmed {format_date(m.release_confirmed_on)}"
    elif m.release_requested_on:
        release = f"release asked {format_date(m.release_requested_on)}"
    else:
        release = ""
    said = "; ".join(part for part in (release, "held" if m.held else "") if part)
    return (
        f"  {m.id} with {m.person} at {format_datetime(m.meets_at)}"
        + (f", {where}" if where else "")
        + (f"; {said}" if said else "")
    )


def _disclaimer_line(d: paper_lists.DisclaimerRow) -> str:
    who = d.person if d.party_id is not None else "the suspect"
    return f"  {d.id} to {who}: {d.state} (issued {format_date(d.issued_on)})"


def _cps_line(a: paper_lists.CpsRow) -> str:
    return (
        f"  {a.id} {a.action}"
        + (f", due {format_date(a.due_on)}" if a.due_on else "")
        + (f", owner {a.owner}" if a.owner else "")
        + (f", done {format_date(a.done_on)}" if a.done_on else ", open")
    )


def _letter_line(c: paper_lists.LetterRow) -> str:
    return f"  {format_datetime(c.sent_at)} {c.channel_text} to {c.recipient}: {c.subject}"


def _document_line(d: paper_lists.DocumentRow) -> str:
    return (
        f"  {d.id} {d.title} ({d.kind_text}, {d.filename}, {d.size_text}, added "
        f"{format_datetime(d.added_at)} by {d.added_by}) SHA-256 {d.sha256}"
    )


SECTIONS: tuple[tuple[str, Any, Callable[[Any], str]], ...] = (
    ("People", lists.PEOPLE, _person_line),
    ("Statements", lists.STATEMENTS, _statement_line),
    ("Statement meetings", lists.MEETINGS, _meeting_line),
    ("Medical disclaimers", paper_lists.DISCLAIMERS, _disclaimer_line),
    ("CPS actions", paper_lists.CPS, _cps_line),
    ("Correspondence", paper_lists.LETTERS, _letter_line),
    ("Case documents", paper_lists.DOCUMENTS, _document_line),
)
"""Each part of ``cipco case show``: its title, the list it reads (the rows the case view
shows, in its order) and a row's line."""


def case_lines(session: Session, referral_id: int, clock: Clock) -> list[str]:
    """Every person and paper of the referral, numbered as the ``cipco case`` commands take
    them, then what is due."""
    case = referral(session, referral_id)
    lines = [f"{case.reference}: people and papers"]
    for title, service, line in SECTIONS:
        rows = [line(row) for row in service.rows_of(session, referral_id, clock)]
        lines.append(f"{title}:" if rows else f"{title}: none recorded")
        lines.extend(rows)
    refs = [
        f"{label} {getattr(case, key)}"
        for key, label in OTHER_SYSTEMS.items()
        if getattr(case, key)
    ]
    lines.append("Other systems: " + ("; ".join(refs) if refs else "none recorded"))
    due = sorted(
        r7_items(session, [referral_id]) + paper_items(session, [referral_id]),
        key=lambda i: i.due_at,
    )
    lines.append("Due:" if due else "Due: nothing")
    lines.extend("  " + _due_text(i, clock) for i in due)
    return lines


def due_lines(session: Session, clock: Clock, *, everything: bool = False) -> list[str]:
    """What is due across every open referral (overdue and due soon, or ``everything``)."""
    items = due_items(session, None if everything else clock.now())
    ids = {i.referral_id for i in items}
    refs = dict(
        session.execute(select(Referral.id, Referral.reference).where(Referral.id.in_(ids))).all()  # type: ignore[union-attr]
    )
    return [_due_text(i, clock, refs.get(i.referral_id, "")) for i in items]
