"""The referral page's "People" and "Papers" tabs: victims and witnesses (role, enhanced
rights, R7, support, R8) with the contact log; statements, statement meetings, medical
disclaimers, CPS actions, correspondence and case documents.

:func:`load_casework` runs in the page's worker and returns ready-made Rich renderables and
the plain choices the ``a`` menu needs (never ORM objects). Every piece of user text is drawn
with :func:`cipco.text.literal` and the page cleans the whole renderable again when it puts it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from sqlmodel import Session

from cipco.clock import Clock
from cipco.dates import format_date, format_datetime
from cipco.models.casework import REVIEW_LABELS
from cipco.models.referral import PartyRole
from cipco.services.casework.letters import ready_templates
from cipco.services.casework.papers import (
    disclaimer_stays,
    meeting_stays,
    statement_stays,
    statement_steps,
)
from cipco.services.casework.queries import (
    CONTACTS,
    MEETINGS,
    PEOPLE,
    STATEMENTS,
    ContactRow,
    MeetingRow,
    PersonRow,
    StatementRow,
)
from cipco.services.casework.queries_papers import (
    CPS,
    DISCLAIMERS,
    DOCUMENTS,
    LETTERS,
    CpsRow,
    DisclaimerRow,
    DocumentRow,
    LetterRow,
)
from cipco.services.flags import Severity
from cipco.services.paging import PageQuery
from cipco.text import literal

STYLE = {
    Severity.OVERDUE: "bold red",
    Severity.DUE_SOON: "bold dark_orange",
    Severity.PENDING: "",
    Severity.DONE: "",
}
UNBROKEN = {"Due", "Issued", "When", "Sent", "How"}
"""Columns holding a date ("! 09/11/2026") or one word ("Letter") keep it on one line."""
LIMIT = 500  # a referral never has this many of one paper; the heading says if it did

Choice = tuple[str, int]
Paper = tuple[str, int, int]
"""A paper as a menu value: its kind ("statement", "meeting", "disclaimer", "cps"), its id
and the version the page read (so a change made meanwhile is refused, not overwritten)."""


@dataclass(frozen=True)
class Casework:
    """The two tabs, drawn, and what the ``a`` menu may choose from."""

    people: Group
    papers: Group
    statements: list[Choice]  # statements that can take a step
    disclaimers: list[Choice]  # disclaimers that can take a step
    cps_open: list[Choice]  # CPS actions not done
    has_people: bool
    meetings_open: list[Choice] = field(default_factory=list)  # meetings not yet held
    people_choices: list[Choice] = field(default_factory=list)  # who a letter can go to
    templates: list[tuple[str, str]] = field(default_factory=list)  # letters draftable now
    statements_all: list[Choice] = field(default_factory=list)  # every statement (to correct)
    cps_all: list[Choice] = field(default_factory=list)  # every CPS action (to correct)
    cps_done: list[tuple[str, Paper]] = field(default_factory=list)  # done: can be reopened
    removable: list[tuple[str, Paper]] = field(default_factory=list)  # added in error


def _rows(service: Any, session: Session, referral_id: int, clock: Clock) -> list[Any]:
    query = PageQuery(limit=LIMIT, extra={"referral_id": referral_id})
    return list(service.page(session, query, clock).rows)


def _table(title: str, *columns: tuple[str, int | None]) -> Table:
    table = Table(
        title=title,
        title_justify="left",
        title_style="bold",
        expand=True,
        box=box.SIMPLE_HEAD,
        padding=(0, 1),
        show_edge=False,
    )
    for label, ratio in columns:
        if label in UNBROKEN:  # as wide as its widest value, never broken
            table.add_column(label, no_wrap=True)
        else:
            table.add_column(label, ratio=ratio, overflow="fold")
    return table


def _empty(title: str, words: str) -> RenderableType:
    return Group(Text(title, style="bold"), Text(f"  {words}", style="dim"))


def _short(sha256: str) -> str:
    return sha256[:12]


# ---------------------------------------------------------------- people


def _r7(row: PersonRow) -> Text:
    if row.role != PartyRole.VICTIM:
        return Text("—", style="dim")
    if row.r7_due_at is None:
        return Text("told", style="dim") if row.contacts else Text("nothing due", style="dim")
    overdue = row.severity == Severity.OVERDUE
    words = "! R7 OVERDUE since" if overdue else "R7 due"
    when = format_datetime(row.r7_due_at)
    return literal(f"{words} {when} ({row.r7_decision.lower()})", STYLE[row.severity])


def _r8(row: PersonRow) -> str:
    if not row.review_requested_on:
        return ""
    outcome = REVIEW_LABELS.get(row.review_outcome or "awaited", row.review_outcome)
    return f"R8 asked {format_date(row.review_requested_on)}: {outcome}"


def people_table(rows: list[PersonRow]) -> RenderableType:
    if not rows:
        return _empty(
            "Victims and witnesses",
            "No one recorded on this referral yet. Press a to add a victim or witness.",
        )
    table = _table(
        "Victims and witnesses", ("Who", 4), ("Last contact", 2), ("R7 / R8", 3), ("Support", 2)
    )
    for row in rows:
        who = literal(row.name_text)
        who.append("\n")
        who.append(literal(row.role_text, "dim"))
        if row.contact_preference:
            who.append(literal(f", by {row.contact_preference.lower()}", "dim"))
        r7 = _r7(row)
        r8 = _r8(row)
        if r8:
            r7.append("\n" + r8)
        table.add_row(who, literal(row.contact_text), r7, literal(row.support_text or "—"))
    return table


def contacts_table(rows: list[ContactRow]) -> RenderableType:
    if not rows:
        return _empty("Contact log", "No contact logged. Press a to log one (it answers R7).")
    table = _table("Contact log", ("When", 2), ("With", 2), ("How", 2), ("What was said", 5))
    for row in rows:
        table.add_row(
            format_datetime(row.happened_at),
            literal(row.person),
            literal(row.method_text),
            literal(f"{row.said} ({row.by})" if row.by else row.said),
        )
    return table


# ---------------------------------------------------------------- papers


def statements_table(rows: list[StatementRow]) -> RenderableType:
    if not rows:
        return _empty("Statements (MG11)", "No statement asked for. Press a to ask for one.")
    table = _table("Statements (MG11)", ("From", 3), ("State", 3), ("Due", 2), ("Quality check", 4))
    for row in rows:
        style = STYLE[row.severity]
        state = row.state_text + (f" {format_date(row.sent_on)}" if row.sent_on else "")
        table.add_row(
            literal(row.person),
            literal(state),
            literal(row.due_text or "—", style),
            literal(row.qa_text + (f" ({row.qa_note})" if row.qa_note else "")),
        )
    return table


def meetings_table(rows: list[MeetingRow]) -> RenderableType | None:
    if not rows:
        return None  # arranged from the CLI; shown only when there are any
    table = _table("Statement meetings", ("When", 2), ("Who", 2), ("Where", 2), ("Release", 2))
    for row in rows:
        table.add_row(
            format_datetime(row.meets_at),
            literal(row.person),
            literal(" · ".join(p for p in (row.place, row.officer) if p) or "—"),
            literal(row.release_text or ("held" if row.held else "—"), STYLE[row.severity]),
        )
    return table


def disclaimers_table(rows: list[DisclaimerRow]) -> RenderableType:
    if not rows:
        return _empty("Medical disclaimers", "None issued. Press a to record one issued.")
    table = _table("Medical disclaimers", ("Issued to", 3), ("Issued", 2), ("Now", 4))
    for row in rows:
        table.add_row(
            literal(row.person),
            format_date(row.issued_on),
            literal(row.state_text, STYLE[row.severity]),
        )
    return table


def cps_table(rows: list[CpsRow]) -> RenderableType:
    if not rows:
        return _empty("CPS actions", "Nothing asked by the CPS. Press a to add an action.")
    table = _table("CPS actions", ("What the CPS asked for", 4), ("Due", 2), ("Owner", 2))
    for row in rows:
        style = STYLE[row.severity] if row.done_on is None else "dim"
        due = row.due_text or "—"
        if row.done_on is None and row.severity == Severity.OVERDUE:
            due = f"! OVERDUE {format_date(row.due_on)}"
        if row.done_on is not None:
            due = f"done {format_date(row.done_on)}"
        table.add_row(literal(row.action, style), literal(due, style), literal(row.owner or "—"))
    return table


def letters_table(rows: list[LetterRow]) -> RenderableType:
    if not rows:
        return _empty("Correspondence", "No letter or e-mail sent (a: A letter or e-mail sent).")
    table = _table("Correspondence", ("Sent", 2), ("To", 3), ("How", 1), ("Subject", 4))
    for row in rows:
        table.add_row(
            format_datetime(row.sent_at),
            literal(row.recipient),
            literal(row.channel_text),
            literal(row.subject),
        )
    return table


def documents_table(rows: list[DocumentRow]) -> RenderableType:
    if not rows:
        return _empty("Case documents", "No document attached. Press a to attach a file.")
    table = _table(
        "Case documents", ("Title", 3), ("Kind", 2), ("Size", 1), ("SHA-256", 2), ("Added", 2)
    )
    for row in rows:
        added = literal(format_datetime(row.added_at))
        added.append("\n")
        added.append(literal(row.added_by, "dim"))
        table.add_row(
            literal(row.title_text, "dim" if row.superseded_by else ""),
            literal(row.kind_text),
            row.size_text,
            _short(row.sha256),
            added,
        )
    return table


def _gap(parts: list[RenderableType | None]) -> Group:
    shown: list[RenderableType] = []
    for part in parts:
        if part is None:
            continue
        if shown:
            shown.append(Text(""))
        shown.append(part)
    return Group(*shown)


def load_casework(session: Session, referral_id: int, clock: Clock) -> Casework:
    """Both tabs of one referral, read in the page's snapshot."""
    people = _rows(PEOPLE, session, referral_id, clock)
    contacts = _rows(CONTACTS, session, referral_id, clock)
    statements = _rows(STATEMENTS, session, referral_id, clock)
    meetings = _rows(MEETINGS, session, referral_id, clock)
    disclaimers = _rows(DISCLAIMERS, session, referral_id, clock)
    actions = _rows(CPS, session, referral_id, clock)
    letters = _rows(LETTERS, session, referral_id, clock)
    documents = _rows(DOCUMENTS, session, referral_id, clock)
    return Casework(
        people=_gap([people_table(people), contacts_table(contacts)]),
        papers=_gap(
            [
                statements_table(statements),
                meetings_table(meetings),
                disclaimers_table(disclaimers),
                cps_table(actions),
                letters_table(letters),
                documents_table(documents),
            ]
        ),
        statements=[
            (f"{s.person}: {s.state_text}", s.id) for s in statements if statement_steps(s.state)
        ],
        disclaimers=[
            (f"{d.person}: {d.state_text.lstrip('!~ ')}", d.id)
            for d in disclaimers
            if d.state in ("issued", "returned")
        ],
        cps_open=[(_cps_words(a), a.id) for a in actions if a.done_on is None],
        has_people=bool(people),
        meetings_open=[
            (f"{m.person}: {format_datetime(m.meets_at)}", m.id) for m in meetings if not m.held
        ],
        people_choices=[(f"{p.name_text}: {p.role_text}", p.id) for p in people],
        templates=[(t.label, t.key) for t in ready_templates(session, referral_id, clock)],
        statements_all=[(f"{s.person}: {s.state_text}", s.id) for s in statements],
        cps_all=[(_cps_words(a), a.id) for a in actions],
        cps_done=[(_cps_words(a), ("cps", a.id, a.version)) for a in actions if a.done_on],
        removable=_removable(statements, meetings, disclaimers),
    )


def _cps_words(action: CpsRow) -> str:
    return f"{action.action} (due {format_date(action.due_on)})" if action.due_on else action.action


def _removable(
    statements: list[StatementRow], meetings: list[MeetingRow], disclaimers: list[DisclaimerRow]
) -> list[tuple[str, Paper]]:
    """The papers that may still be removed as added in error (the services' rules say which
    stay on the case: a statement received, a meeting held, a disclaimer returned)."""
    return [
        *(
            (
                f"Statement asked of {s.person} on {format_date(s.requested_on)}",
                ("statement", s.id, s.version),
            )
            for s in statements
            if not statement_stays(s)
        ),
        *(
            (
                f"Statement meeting with {m.person} at {format_datetime(m.meets_at)}",
                ("meeting", m.id, m.version),
            )
            for m in meetings
            if not meeting_stays(m)
        ),
        *(
            (
                f"Medical disclaimer to {d.person} issued {format_date(d.issued_on)}",
                ("disclaimer", d.id, d.version),
            )
            for d in disclaimers
            if not disclaimer_stays(d)
        ),
    ]
