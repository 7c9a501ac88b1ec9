"""A referral's people and papers as lines of text (``cipco case show``), and what is due
across every referral (``cipco case due``). Contact details are never shown here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.dates import format_date, format_datetime
from cipco.models.casework import (
    CHANNEL_LABELS,
    DOCUMENT_KIND_LABELS,
    STATEMENT_LABELS,
    CaseDocument,
    Correspondence,
    CpsAction,
    MedicalDisclaimer,
    PartyContact,
    Statement,
    StatementMeeting,
)
from cipco.models.referral import OTHER_SYSTEMS, Referral
from cipco.models.vocab import PARTY_KIND_LABELS, PARTY_ROLE_LABELS
from cipco.services.casework.common import of_referral, people_of
from cipco.services.casework.due import DueItem, due_items, paper_items, r7_items
from cipco.services.casework.papers import disclaimer_state, problems_text
from cipco.services.casework.queries_papers import size_text
from cipco.services.flags import SEVERITY_MARKERS


def _due_text(item: DueItem, clock: Clock, reference: str = "") -> str:
    mark = SEVERITY_MARKERS.get(item.severity(clock.now()), "")
    where = f"{reference} " if reference else ""
    return f"{mark} {item.rule} {where}{item.label}: due {format_datetime(item.due_at)}".strip()


def _meeting_line(meeting: StatementMeeting, names: dict[int | None, str]) -> str:
    """``  2 with Officer B. Quinn at 25/11/2026 14:00, Visits hall; release confirmed …``."""
    where = ", ".join(
        part
        for part in (meeting.place, f"officer {meeting.officer}" if meeting.officer else "")
        if part
    )
    if meeting.release_confirmed_on:
        release = f"release confirmed {format_date(meeting.release_confirmed_on)}"
    elif meeting.release_requested_on:
        release = f"release asked {format_date(meeting.release_requested_on)}"
    else:
        release = ""
    said = "; ".join(part for part in (release, "held" if meeting.held else "") if part)
    name = names.get(meeting.party_id, "?")
    return (
        f"  {meeting.id} with {name} at {format_datetime(meeting.meets_at)}"
        + (f", {where}" if where else "")
        + (f"; {said}" if said else "")
    )


def case_lines(session: Session, referral_id: int, clock: Clock) -> list[str]:
    """Every person and paper of the referral, numbered as the ``cipco case`` commands take
    them, then what is due."""
    case = session.get(Referral, referral_id)
    assert case is not None
    lines = [f"{case.reference}: people and papers"]
    last = dict(
        session.execute(
            select(PartyContact.party_id, func.max(PartyContact.happened_at))
            .where(PartyContact.referral_id == referral_id)
            .group_by(PartyContact.party_id)
        ).all()
    )
    people = people_of(session, referral_id)
    names = {p.id: p.name for p in people}
    lines.append("People:" if people else "People: none recorded")
    for p in people:
        told = format_datetime(last[p.id]) if p.id in last else "no contact logged"
        extras = ", enhanced rights" if p.enhanced_rights else ""
        extras += ", do not share" if p.do_not_share else ""
        lines.append(
            f"  {p.id} {p.name} ({PARTY_ROLE_LABELS.get(p.role, p.role)}, "
            f"{PARTY_KIND_LABELS.get(p.kind, p.kind)}{extras}); last contact: {told}"
        )
    sections: list[tuple[str, Any, Callable[[Any], str]]] = [
        (
            "Statements",
            Statement,
            lambda s: (
                f"  {s.id} from {names.get(s.party_id, '?')}: "
                f"{STATEMENT_LABELS.get(s.state, s.state)}"
                + (f", due {format_date(s.due_on)}" if s.due_on and not s.sent_on else "")
                + (f"; problems: {problems_text(s.problems)}" if s.problems else "")
            ),
        ),
        (
            "Statement meetings",
            StatementMeeting,
            lambda m: _meeting_line(m, names),
        ),
        (
            "Medical disclaimers",
            MedicalDisclaimer,
            lambda d: (
                f"  {d.id} to "
                f"{names.get(d.party_id, '?') if d.party_id else 'the suspect'}: "
                f"{disclaimer_state(d)} (issued {format_date(d.issued_on)})"
            ),
        ),
        (
            "CPS actions",
            CpsAction,
            lambda a: (
                f"  {a.id} {a.action}"
                + (f", due {format_date(a.due_on)}" if a.due_on else "")
                + (f", owner {a.owner}" if a.owner else "")
                + (f", done {format_date(a.done_on)}" if a.done_on else ", open")
            ),
        ),
        (
            "Correspondence",
            Correspondence,
            lambda c: (
                f"  {format_datetime(c.sent_at)} {CHANNEL_LABELS.get(c.channel, c.channel)} "
                f"to {c.recipient}: {c.subject}"
            ),
        ),
        (
            "Case documents",
            CaseDocument,
            lambda d: (
                f"  {d.id} {d.title} ({DOCUMENT_KIND_LABELS.get(d.kind, d.kind)}, "
                f"{d.filename}, {size_text(d.size)}, added {format_datetime(d.added_at)} by "
                f"{d.added_by}) SHA-256 {d.sha256}"
            ),
        ),
    ]
    for title, model, line in sections:
        rows = [line(record) for record in of_referral(session, model, referral_id)]
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
