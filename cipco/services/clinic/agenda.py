"""The clinic agenda, generated from live data.

When a clinic is drafted its agenda is generated from the tracker: new referrals since the
last clinic's agenda, everything overdue or due before the next clinic, open referrals
grouped by status, open actions from earlier clinics ("carried from <date>"), and items
other logs contribute (MG4D papers awaiting service, exhibits awaiting police collection or
due a retention review) through :func:`register_agenda_source`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import and_, case, delete, func, insert, literal, or_, select
from sqlmodel import Session

from cipco.clock import Clock, london_midnight, to_london
from cipco.models.audit import AuditEvent
from cipco.models.clinic import (
    AgendaItem,
    Clinic,
    ClinicAction,
    ClinicStatus,
    ItemKind,
)
from cipco.models.exhibit import Exhibit
from cipco.models.people import Prisoner
from cipco.models.reference import CrimeCategory
from cipco.models.referral import Referral, Status
from cipco.models.types import UTCDateTime
from cipco.services import audit, exhibits, mg4d
from cipco.services.clinic.common import (
    POSITION_STEP,
    ClinicError,
    frequency_days,
    load_clinic,
    previous_clinic,
    uk_date,
    writable,
)
from cipco.services.clinic.queries import ACTIONS_SERVICE, CLINIC_SERVICE
from cipco.services.flags import CLOSED_STATUSES
from cipco.services.paging import PageQuery
from cipco.services.referrals.queries import with_prisoner_and_category

SECTION_CARRIED = "Actions carried forward"
SECTION_NEW = "New referrals since {since}"
SECTION_DUE = "Overdue or due before the next clinic"
SECTION_OTHER = "Other business"
STATUS_GROUPS: tuple[tuple[str, tuple[Status, ...]], ...] = (
    ("To refer (drafts)", (Status.DRAFT,)),
    ("Awaiting police", (Status.REFERRED, Status.ACKNOWLEDGED)),
    ("Investigating", (Status.INVESTIGATING,)),
    ("With CPS", (Status.WITH_CPS,)),
    ("Charged / at court", (Status.CHARGED, Status.AT_COURT)),
)


@dataclass(frozen=True)
class SourceItem:
    """One agenda line another log contributes (an MG4D paper, an exhibit)."""

    source_id: int
    title: str
    detail: str = ""
    referral_id: int | None = None


@dataclass(frozen=True)
class AgendaSource:
    kind: ItemKind
    section: str
    items: Callable[[Session, Clock], list[SourceItem]]


def _mg4d_items(session: Session, clock: Clock) -> list[SourceItem]:
    """MG4D charge papers received and not yet served on the prisoner."""
    items = []
    for p in mg4d.awaiting_service(session, clock):
        hearing = f", first hearing {uk_date(p.first_hearing_on)}" if p.first_hearing_on else ""
        soon = " — HEARING SOON" if p.hearing_soon else ""
        items.append(
            SourceItem(
                source_id=p.id,
                title=f"{p.nomis_number} {p.prisoner_name} — {p.form_label or 'charge papers'}",
                detail=f"Awaiting service {p.days_waiting} days{hearing}{soon}"
                + (f"; {p.referral_reference}" if p.referral_reference else ""),
                referral_id=p.referral_id,
            )
        )
    return items


def _exhibits_in_queue(
    session: Session, clock: Clock, queue: str, date_column: Any, detail: Callable[[Any], str]
) -> list[SourceItem]:
    """One agenda line per exhibit in one of the exhibit log's queues (its own rule), by
    ``date_column`` then reference; only the columns the agenda needs are read."""
    rows = session.execute(
        select(
            Exhibit.id,
            Exhibit.reference,
            Exhibit.description,
            Exhibit.holder,
            Exhibit.state,
            date_column.label("due"),
        )
        .where(exhibits.queue_clause(queue, clock, Exhibit))
        .order_by(date_column, Exhibit.reference)
    )
    return [
        SourceItem(source_id=row.id, title=f"{row.reference} {row.description}", detail=detail(row))
        for row in rows
    ]


def _exhibit_items(session: Session, clock: Clock) -> list[SourceItem]:
    """Exhibits held at the prison and waiting for police collection, oldest request first."""
    return _exhibits_in_queue(
        session, clock, "awaiting", Exhibit.collection_requested_on, _awaiting
    )


def _awaiting(row: Any) -> str:
    held = f"; held by {row.holder}" if row.holder else ""
    return f"Awaiting police collection since {uk_date(row.due)}{held}"


def _retention_items(session: Session, clock: Clock) -> list[SourceItem]:
    """Exhibits whose retention review (or footage overwrite) date has come, earliest first."""
    return _exhibits_in_queue(session, clock, "retention", Exhibit.review_due_on, _review)


def _review(row: Any) -> str:
    holder = f" ({row.holder})" if row.holder else ""
    return f"Retention review due {uk_date(row.due)}; {exhibits.state_label(row.state)}{holder}"


def _casework(name: str) -> Callable[[Session, Clock], list[SourceItem]]:
    """Lines from the people and papers of the referrals (statements outstanding, medical
    disclaimers not returned, CPS actions due): ``cipco.services.casework.view``."""

    def items(session: Session, clock: Clock) -> list[SourceItem]:
        from cipco.services.casework import view

        lines = getattr(view, name)(session, clock)
        return [SourceItem(x.source_id, x.title, x.detail, x.referral_id) for x in lines]

    return items


SECTION_EXHIBITS_AWAITING = "Exhibits awaiting police collection"
SECTION_EXHIBITS_RETENTION = "Exhibits: retention review due"
_SOURCES: dict[str, AgendaSource] = {
    "mg4d": AgendaSource(ItemKind.MG4D, "MG4D papers awaiting service", _mg4d_items),
    "exhibits": AgendaSource(ItemKind.EXHIBIT, SECTION_EXHIBITS_AWAITING, _exhibit_items),
    "exhibits_retention": AgendaSource(
        ItemKind.EXHIBIT, SECTION_EXHIBITS_RETENTION, _retention_items
    ),
    "statements": AgendaSource(
        ItemKind.STATEMENT, "Statements outstanding", _casework("statement_lines")
    ),
    "disclaimers": AgendaSource(
        ItemKind.DISCLAIMER, "Medical disclaimers not returned", _casework("disclaimer_lines")
    ),
    "cps": AgendaSource(ItemKind.CPS, "CPS actions due", _casework("cps_lines")),
}


def register_agenda_source(
    name: str, kind: ItemKind, section: str, items: Callable[[Session, Clock], list[SourceItem]]
) -> None:
    """Let another log put lines on every new agenda: ``items(session, clock)``."""
    _SOURCES[name] = AgendaSource(kind, section, items)


def unregister_agenda_source(name: str) -> None:
    _SOURCES.pop(name, None)


def agenda_sources() -> list[AgendaSource]:
    return list(_SOURCES.values())


def _new_since(session: Session, clinic: Clinic) -> datetime:
    previous = previous_clinic(session, clinic.held_on)
    if previous is not None and previous.agenda_at is not None:
        return previous.agenda_at
    if previous is not None:
        return london_midnight(previous.held_on)
    return london_midnight(clinic.held_on - timedelta(days=frequency_days(session)))


def _carried_line(base: dict[str, Any], action: Any, raised_on: date) -> dict[str, Any]:
    """The agenda line of an action carried from the clinic of ``raised_on``."""
    who = f"{action.owner_name} ({action.owner_org})" if action.owner_org else action.owner_name
    due = f", due {uk_date(action.due_on)}" if action.due_on else ""
    return base | {
        "kind": ItemKind.ACTION.value,
        "section": SECTION_CARRIED,
        "title": action.text,
        "detail": f"{who}{due} — carried from {uk_date(raised_on)}",
        "referral_id": action.referral_id,
        "action_id": action.id,
    }


def _carried_lines(
    session: Session, clinic: Clinic, clock: Clock, base: dict[str, Any]
) -> list[dict[str, Any]]:
    """Agenda lines for every action still open from an earlier clinic, oldest first."""
    query = PageQuery(queue="open", sort="clinic", extra={"raised_before": clinic.held_on})
    return [
        _carried_line(base, action, action.clinic_held_on)
        for action in ACTIONS_SERVICE.stream(session, query, clock)
    ]


def carry_actions_open_then(*, session: Session, clinic_id: int, clock: Clock) -> int:
    """Carry onto a clinic's agenda every action raised at an earlier clinic that was still
    open on the clinic's day (done or dropped on it or later, or still open): what the app
    would have carried had the meeting been held in it. For clinics made when importing an
    old action log. Returns the lines added."""
    clinic = load_clinic(session, clinic_id)
    writable(clinic)
    day_start = london_midnight(clinic.held_on)
    on_agenda = select(AgendaItem.action_id).where(
        AgendaItem.clinic_id == clinic_id,
        AgendaItem.action_id.is_not(None),  # type: ignore[union-attr]
    )
    rows = session.execute(
        select(ClinicAction, Clinic.held_on)
        .join(Clinic, Clinic.id == ClinicAction.clinic_id)
        .where(
            Clinic.held_on < clinic.held_on,
            or_(ClinicAction.done_at.is_(None), ClinicAction.done_at >= day_start),  # type: ignore[union-attr,operator]
            or_(ClinicAction.dropped_at.is_(None), ClinicAction.dropped_at >= day_start),  # type: ignore[union-attr,operator]
            ClinicAction.id.not_in(on_agenda),  # type: ignore[union-attr]
        )
        .order_by(Clinic.held_on, ClinicAction.id)
    ).all()
    base = _base_line(clinic, clock.now())
    lines = [_carried_line(base, action, raised_on) for action, raised_on in rows]
    return _insert_lines(session, lines, max_position(session, clinic_id))


def _base_line(clinic: Clinic, now: datetime) -> dict[str, Any]:
    return {
        "clinic_id": clinic.id,
        "note": "",
        "dropped": False,
        "drop_reason": None,
        "created_at": now,
        "updated_at": now,
        "version": 1,
        "source_id": None,
    }


def _source_lines(
    session: Session, clinic: Clinic, clock: Clock, base: dict[str, Any]
) -> list[dict[str, Any]]:
    """Lines other logs contribute (MG4D papers, exhibits to collect or to review).

    A record listed by two sources (an exhibit awaiting collection whose review is also due)
    appears once, under the first source's section.
    """
    lines = []
    seen: set[tuple[str, int]] = set()
    for source in agenda_sources():
        for item in source.items(session, clock):
            if (source.kind.value, item.source_id) in seen:
                continue
            seen.add((source.kind.value, item.source_id))
            lines.append(
                base
                | {
                    "kind": source.kind.value,
                    "section": source.section,
                    "title": item.title,
                    "detail": item.detail,
                    "referral_id": item.referral_id,
                    "action_id": None,
                    "source_id": item.source_id,
                }
            )
    return lines


def _insert_referral_lines(
    session: Session, clinic: Clinic, clock: Clock, start: int, exclude: Any
) -> int:
    """Referral lines, inserted in one INSERT … SELECT (fast at any size). Returns the count.

    Each referral appears once, in the first section that fits: new since the last agenda,
    then overdue or due before the next clinic, then open referrals grouped by status.
    The detail column stays empty: the agenda shows the referral's live status and due flag.
    """
    now = clock.now()
    since = _new_since(session, clinic)
    horizon = london_midnight(clinic.held_on + timedelta(days=frequency_days(session)))
    new_section = SECTION_NEW.format(since=f"{to_london(since):%d/%m/%Y %H:%M}")
    closed = [s.value for s in CLOSED_STATUSES]
    is_new = Referral.created_at > since
    is_due = and_(Referral.next_due_at.is_not(None), Referral.next_due_at < horizon)  # type: ignore[union-attr,operator]
    group_whens = [
        (Referral.status.in_([s.value for s in statuses]), index + 2)  # type: ignore[attr-defined]
        for index, (_label, statuses) in enumerate(STATUS_GROUPS)
    ]
    rank = case((is_new, 0), (is_due, 1), *group_whens, else_=len(STATUS_GROUPS) + 2)
    section = case(
        (is_new, literal(new_section)),
        (is_due, literal(SECTION_DUE)),
        *[
            (Referral.status.in_([s.value for s in statuses]), literal(label))  # type: ignore[attr-defined]
            for label, statuses in STATUS_GROUPS
        ],
        else_=literal(SECTION_OTHER),
    )
    order = func.row_number().over(
        order_by=[
            rank,
            case((is_new, Referral.created_at)),
            Referral.next_due_at.is_(None),  # type: ignore[union-attr]
            Referral.next_due_at,
            Referral.incident_at,
            Referral.id,
        ]
    )
    title = (
        Referral.reference
        + literal(" ")
        + Prisoner.nomis_number
        + literal(" ")
        + func.coalesce(Prisoner.name, literal(""))
        + literal(" — ")
        + CrimeCategory.label
    )
    rows = (
        with_prisoner_and_category(
            select(
                literal(clinic.id),
                literal(start) + order * POSITION_STEP,
                literal(ItemKind.REFERRAL.value),
                section,
                title,
                literal(""),
                Referral.id,
                literal(""),
                literal(False),
                literal(now, UTCDateTime()),
                literal(now, UTCDateTime()),
                literal(1),
            )
        )
        .where(or_(Referral.status.not_in(closed), is_new))  # type: ignore[attr-defined]
        .where(Referral.id.not_in(exclude))  # type: ignore[union-attr]
    )
    columns = [
        "clinic_id",
        "position",
        "kind",
        "section",
        "title",
        "detail",
        "referral_id",
        "note",
        "dropped",
        "created_at",
        "updated_at",
        "version",
    ]
    result = session.execute(insert(AgendaItem).from_select(columns, rows))
    return int(result.rowcount or 0)  # type: ignore[attr-defined]


def carry_open_actions(*, session: Session, clinic_id: int, clock: Clock) -> int:
    """Add a line for every open action from earlier clinics not yet on this agenda."""
    clinic = load_clinic(session, clinic_id)
    writable(clinic)
    on_agenda = set(
        session.scalars(
            select(AgendaItem.action_id).where(
                AgendaItem.clinic_id == clinic_id,
                AgendaItem.action_id.is_not(None),  # type: ignore[union-attr]
            )
        )
    )
    base = _base_line(clinic, clock.now())
    lines = [
        line
        for line in _carried_lines(session, clinic, clock, base)
        if line["action_id"] not in on_agenda
    ]
    return _insert_lines(session, lines, max_position(session, clinic_id))


def max_position(session: Session, clinic_id: int) -> int:
    return int(
        session.scalar(
            select(func.max(AgendaItem.position)).where(AgendaItem.clinic_id == clinic_id)
        )
        or 0
    )


def _insert_lines(session: Session, lines: list[dict[str, Any]], start: int) -> int:
    for index, line in enumerate(lines, start=1):
        line["position"] = start + index * POSITION_STEP
    if lines:  # Core executemany: no per-row ORM bookkeeping (thousands of lines at scale)
        session.connection().execute(insert(AgendaItem.__table__), lines)  # type: ignore[attr-defined]
    return len(lines)


def generate_agenda(*, session: Session, clinic_id: int, clock: Clock) -> int:
    """(Re)build the generated part of a draft or open clinic's agenda. Returns items added.

    Free items, items with a discussion note and dropped items are kept; other generated
    lines are replaced by fresh ones from the live data.
    """
    clinic = load_clinic(session, clinic_id)
    writable(clinic)
    if clinic.status == ClinicStatus.IN_PROGRESS:
        raise ClinicError(
            "agenda: the meeting is in progress; add or drop items instead of regenerating",
            field="status",
        )
    session.execute(
        delete(AgendaItem).where(
            AgendaItem.clinic_id == clinic_id,
            AgendaItem.kind != ItemKind.FREE.value,
            AgendaItem.note == "",
            AgendaItem.dropped.is_(False),  # type: ignore[attr-defined]
        )
    )
    kept = session.execute(
        select(AgendaItem.action_id, AgendaItem.kind, AgendaItem.source_id).where(
            AgendaItem.clinic_id == clinic_id
        )
    ).all()
    kept_actions = {r.action_id for r in kept if r.action_id}
    kept_sources = {(r.kind, r.source_id) for r in kept if r.source_id is not None}
    kept_referrals = select(AgendaItem.referral_id).where(
        AgendaItem.clinic_id == clinic_id,
        AgendaItem.kind == ItemKind.REFERRAL.value,
        AgendaItem.referral_id.is_not(None),  # type: ignore[union-attr]
    )
    now = clock.now()
    base = _base_line(clinic, now)
    position = max_position(session, clinic_id)
    # 1. Open actions from earlier clinics, 2-4. referrals, 5. other logs' lines.
    carried = [
        line
        for line in _carried_lines(session, clinic, clock, base)
        if line["action_id"] not in kept_actions
    ]
    count = _insert_lines(session, carried, position)
    position += count * POSITION_STEP
    referral_count = _insert_referral_lines(session, clinic, clock, position, kept_referrals)
    position += referral_count * POSITION_STEP
    sources = [
        line
        for line in _source_lines(session, clinic, clock, base)
        if (line["kind"], line["source_id"]) not in kept_sources
    ]
    count += referral_count + _insert_lines(session, sources, position)
    # Bulk inserts bypass the audit listener: one event records the generation instead.
    session.execute(
        insert(AuditEvent),
        [
            {
                "table_name": "clinic",
                "record_id": clinic.id,
                "action": "update",
                "field": "agenda",
                "old": None,
                "new": f"agenda generated: {count} items",
                "actor": audit.actor_of(session),
                "at": now,
            }
        ],
    )
    clinic.agenda_at = now
    clinic.updated_at = now
    CLINIC_SERVICE.save(session, clinic)
    return count
