"""The crime clinic's rules: cadence, agenda from live data, the meeting, actions, attendance.

A clinic moves ``draft → open → in progress → closed``. Its agenda is generated from the
tracker when it is drafted: new referrals since the last clinic's agenda, everything overdue
or due before the next clinic, open referrals grouped by status, open actions from earlier
clinics ("carried from <date>"), and items other logs contribute (MG4D papers awaiting
service, exhibits awaiting police collection or due a retention review) through
:func:`register_agenda_source`.
A closed clinic is read-only; its actions stay open until done or dropped with a reason.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, TypeVar

from pydantic import ValidationError
from sqlalchemy import and_, case, delete, func, insert, literal, or_, select
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, SQLModel

from cipco.clock import Clock, london_midnight, to_london, today
from cipco.models.audit import AuditEvent
from cipco.models.clinic import (
    CLINIC_STATUS_LABELS,
    ActionStatus,
    AgendaItem,
    AgendaItemCreate,
    AgendaItemUpdate,
    Attendance,
    AttendanceCreate,
    Clinic,
    ClinicAction,
    ClinicActionCreate,
    ClinicActionUpdate,
    ClinicCreate,
    ClinicStatus,
    ClinicUpdate,
    ItemKind,
    Presence,
)
from cipco.models.exhibit import Exhibit
from cipco.models.people import Prisoner
from cipco.models.reference import CrimeCategory
from cipco.models.referral import Referral, Status
from cipco.models.types import UTCDateTime
from cipco.services import audit, exhibits, mg4d, settings
from cipco.services.flags import CLOSED_STATUSES, Severity, severity_of
from cipco.services.paging import Page, PageQuery, count_of, text_filter

audit.track(Clinic, AgendaItem, ClinicAction, Attendance)

SchemaT = TypeVar("SchemaT", bound=SQLModel)

TRANSITIONS: dict[ClinicStatus, tuple[ClinicStatus, ...]] = {
    ClinicStatus.DRAFT: (ClinicStatus.OPEN, ClinicStatus.IN_PROGRESS),
    ClinicStatus.OPEN: (ClinicStatus.DRAFT, ClinicStatus.IN_PROGRESS),
    ClinicStatus.IN_PROGRESS: (ClinicStatus.OPEN, ClinicStatus.CLOSED),
    ClinicStatus.CLOSED: (),
}

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
POSITION_STEP = 10


class ClinicError(ValueError):
    """A clinic change was refused; the message says why, in the coordinator's words."""

    def __init__(
        self, message: str, *, field: str | None = None, problems: dict[str, str] | None = None
    ) -> None:
        super().__init__(message)
        self.field = field
        self.problems: dict[str, str] = problems or ({field: message} if field else {})


class ClinicReadOnly(ClinicError):
    """The clinic is closed: its agenda, attendance and minutes can no longer change."""


class ClinicStale(ClinicError):
    """Someone saved a newer version since this one was opened."""


class ClinicNotFound(ClinicError):
    pass


# ---------------------------------------------------------------- agenda sources


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


def _exhibit_items(session: Session, clock: Clock) -> list[SourceItem]:
    """Exhibits held at the prison and waiting for police collection, oldest request first.

    The rule ("awaiting") is the exhibit log's own; only the columns the agenda needs are read.
    """
    rows = session.execute(
        select(
            Exhibit.id,
            Exhibit.reference,
            Exhibit.description,
            Exhibit.collection_requested_on,
            Exhibit.holder,
        )
        .where(exhibits.queue_clause("awaiting", clock, Exhibit))
        .order_by(Exhibit.collection_requested_on, Exhibit.reference)  # type: ignore[arg-type]
    )
    return [
        SourceItem(
            source_id=row.id,
            title=f"{row.reference} {row.description}",
            detail=f"Awaiting police collection since {uk_date(row.collection_requested_on)}"
            + (f"; held by {row.holder}" if row.holder else ""),
        )
        for row in rows
    ]


def _retention_items(session: Session, clock: Clock) -> list[SourceItem]:
    """Exhibits whose retention review (or footage overwrite) date has come, earliest first.

    The rule ("retention") is the exhibit log's own, as for :func:`_exhibit_items`.
    """
    rows = session.execute(
        select(
            Exhibit.id,
            Exhibit.reference,
            Exhibit.description,
            Exhibit.review_due_on,
            Exhibit.state,
            Exhibit.holder,
        )
        .where(exhibits.queue_clause("retention", clock, Exhibit))
        .order_by(Exhibit.review_due_on, Exhibit.reference)  # type: ignore[arg-type]
    )
    return [
        SourceItem(
            source_id=row.id,
            title=f"{row.reference} {row.description}",
            detail=f"Retention review due {uk_date(row.review_due_on)}; "
            + exhibits.state_label(row.state)
            + (f" ({row.holder})" if row.holder else ""),
        )
        for row in rows
    ]


SECTION_EXHIBITS_AWAITING = "Exhibits awaiting police collection"
SECTION_EXHIBITS_RETENTION = "Exhibits: retention review due"
_SOURCES: dict[str, AgendaSource] = {
    "mg4d": AgendaSource(ItemKind.MG4D, "MG4D papers awaiting service", _mg4d_items),
    "exhibits": AgendaSource(ItemKind.EXHIBIT, SECTION_EXHIBITS_AWAITING, _exhibit_items),
    "exhibits_retention": AgendaSource(
        ItemKind.EXHIBIT, SECTION_EXHIBITS_RETENTION, _retention_items
    ),
}


def register_agenda_source(
    name: str, kind: ItemKind, section: str, items: Callable[[Session, Clock], list[SourceItem]]
) -> None:
    """Let another log put lines on every new agenda: ``items(session, clock)``."""
    _SOURCES[name] = AgendaSource(kind, section, items)


def agenda_sources() -> list[AgendaSource]:
    return list(_SOURCES.values())


# ---------------------------------------------------------------- helpers


def status_label(status: str) -> str:
    return CLINIC_STATUS_LABELS.get(status, status)


def uk_date(day: date | None) -> str:
    return f"{day:%d/%m/%Y}" if day else ""


def validate(schema: type[SchemaT], data: dict[str, Any]) -> SchemaT:
    """Validate user input against a schema; a problem names the field."""
    try:
        return schema.model_validate(data)
    except ValidationError as exc:
        problems = []
        by_field: dict[str, str] = {}
        for error in exc.errors():
            where = ".".join(str(part) for part in error.get("loc", ()) if part != "__root__")
            message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
            problems.append(f"{where}: {message}" if where else message)
            field_name, _, own = message.partition(": ")
            if where:
                by_field.setdefault(where, message)
            elif own and " " not in field_name:
                by_field.setdefault(field_name, own)  # a model check naming its field
        first = exc.errors()[0].get("loc", ()) if exc.errors() else ()
        raise ClinicError(
            "; ".join(problems), field=str(first[0]) if first else None, problems=by_field
        ) from None


def frequency_days(session: Session) -> int:
    return max(1, settings.get_int(session, "clinic_frequency_days"))


def _load_clinic(session: Session, clinic_id: int) -> Clinic:
    clinic = session.get(Clinic, clinic_id)
    if clinic is None:
        raise ClinicNotFound(f"clinic {clinic_id} does not exist (it may have been deleted)")
    return clinic


def _load_item(session: Session, item_id: int) -> AgendaItem:
    item = session.get(AgendaItem, item_id)
    if item is None:
        raise ClinicNotFound(f"agenda item {item_id} does not exist")
    return item


def _load_action(session: Session, action_id: int) -> ClinicAction:
    action = session.get(ClinicAction, action_id)
    if action is None:
        raise ClinicNotFound(f"action {action_id} does not exist")
    return action


def clinic_of_action(session: Session, action_id: int) -> int:
    """The clinic an action was raised in (where it is discussed and minuted)."""
    return _load_action(session, action_id).clinic_id


def _writable(clinic: Clinic) -> None:
    if clinic.status == ClinicStatus.CLOSED:
        raise ClinicReadOnly(
            f"the clinic of {uk_date(clinic.held_on)} is closed and read-only; "
            "open actions can still be marked done or dropped from the actions screen",
            field="status",
        )


def _check_version(
    session: Session, obj: Clinic | AgendaItem | ClinicAction, expected: int | None, what: str
) -> None:
    if expected is None or obj.version == expected:
        return
    assert obj.id is not None
    last = audit.last_change(session, type(obj).__tablename__, obj.id)  # type: ignore[arg-type]
    who = last.actor if last else "someone else"
    when = f"{to_london(last.at):%H:%M}" if last else "a moment ago"
    raise ClinicStale(f"{what} was changed by {who} at {when} — reload?")


def _flush(session: Session, what: str) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise ClinicStale(f"{what} was changed by someone else — reload?") from None


def _check_referral(session: Session, referral_id: int | None) -> None:
    if referral_id is not None and session.get(Referral, referral_id) is None:
        raise ClinicError(f"referral: {referral_id} does not exist", field="referral_id")


def referral_id_for(session: Session, reference: str) -> int | None:
    """The id of the referral with this reference (blank → None); unknown is refused."""
    reference = (reference or "").strip()
    if not reference:
        return None
    found = session.scalar(
        select(Referral.id).where(func.upper(Referral.reference) == reference.upper())
    )
    if found is None:
        raise ClinicError(f"referral: no referral with reference '{reference}'", field="referral")
    return int(found)


def _clinic_label(clinic: Clinic) -> str:
    return f"the clinic of {uk_date(clinic.held_on)}"


# ---------------------------------------------------------------- cadence


def latest_clinic(session: Session) -> Clinic | None:
    return session.scalars(select(Clinic).order_by(Clinic.held_on.desc()).limit(1)).first()  # type: ignore[attr-defined]


def clinic_on(session: Session, day: date) -> Clinic | None:
    return session.scalars(select(Clinic).where(Clinic.held_on == day)).first()


def previous_clinic(session: Session, day: date) -> Clinic | None:
    return session.scalars(
        select(Clinic).where(Clinic.held_on < day).order_by(Clinic.held_on.desc()).limit(1)  # type: ignore[attr-defined]
    ).first()


def next_clinic_date(session: Session, clock: Clock) -> date:
    """The next date on the cadence: last clinic + frequency, rolled forward to today or later."""
    now_day = today(clock)
    last = latest_clinic(session)
    if last is None:
        return now_day
    step = timedelta(days=frequency_days(session))
    day = last.held_on + step
    while day < now_day:
        day += step
    return day


# ---------------------------------------------------------------- agenda generation


def _new_since(session: Session, clinic: Clinic) -> datetime:
    previous = previous_clinic(session, clinic.held_on)
    if previous is not None and previous.agenda_at is not None:
        return previous.agenda_at
    if previous is not None:
        return london_midnight(previous.held_on)
    return london_midnight(clinic.held_on - timedelta(days=frequency_days(session)))


def _referral_title(reference: str, nomis: str, name: str, category: str) -> str:
    return f"{reference} {nomis} {name} — {category}"


def _carried_lines(session: Session, clinic: Clinic, base: dict[str, Any]) -> list[dict[str, Any]]:
    """Agenda lines for every action still open from an earlier clinic."""
    lines: list[dict[str, Any]] = []
    carried = session.execute(
        select(
            ClinicAction.id,
            ClinicAction.text,
            ClinicAction.owner_name,
            ClinicAction.owner_org,
            ClinicAction.due_on,
            ClinicAction.referral_id,
            Clinic.held_on,
        )
        .join(Clinic, Clinic.id == ClinicAction.clinic_id)
        .where(ClinicAction.status == ActionStatus.OPEN, Clinic.held_on < clinic.held_on)
        .order_by(Clinic.held_on, ClinicAction.id)
    )
    for action_id, text, owner, org, due_on, referral_id, held_on in carried:
        who = f"{owner} ({org})" if org else owner
        due = f", due {uk_date(due_on)}" if due_on else ""
        lines.append(
            base
            | {
                "kind": ItemKind.ACTION.value,
                "section": SECTION_CARRIED,
                "title": text,
                "detail": f"{who}{due} — carried from {uk_date(held_on)}",
                "referral_id": referral_id,
                "action_id": action_id,
            }
        )
    return lines


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
        .join(Prisoner, Prisoner.id == Referral.prisoner_id)
        .join(CrimeCategory, CrimeCategory.code == Referral.category_code)
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
    clinic = _load_clinic(session, clinic_id)
    _writable(clinic)
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
        line for line in _carried_lines(session, clinic, base) if line["action_id"] not in on_agenda
    ]
    return _insert_lines(session, lines, _max_position(session, clinic_id))


def _max_position(session: Session, clinic_id: int) -> int:
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
    clinic = _load_clinic(session, clinic_id)
    _writable(clinic)
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
    position = _max_position(session, clinic_id)
    # 1. Open actions from earlier clinics, 2-4. referrals, 5. other logs' lines.
    carried = [
        line
        for line in _carried_lines(session, clinic, base)
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
    _flush(session, _clinic_label(clinic))
    return count


# ---------------------------------------------------------------- clinics


def create_clinic(
    *,
    session: Session,
    clock: Clock,
    data: ClinicCreate | None = None,
    generate: bool = True,
) -> Clinic:
    """A new draft clinic (on the next date of the cadence unless given), agenda generated."""
    held_on = data.held_on if data else next_clinic_date(session, clock)
    if clinic_on(session, held_on) is not None:
        raise ClinicError(f"date: there is already a clinic on {uk_date(held_on)}", field="held_on")
    now = clock.now()
    clinic = Clinic(
        held_on=held_on,
        title=(data.title if data else "") or "Crime clinic",
        location=data.location if data else "",
        status=ClinicStatus.DRAFT,
        created_at=now,
        updated_at=now,
    )
    session.add(clinic)
    session.flush()
    if generate:
        assert clinic.id is not None
        generate_agenda(session=session, clinic_id=clinic.id, clock=clock)
    return clinic


def update_clinic(
    *,
    session: Session,
    clinic_id: int,
    data: ClinicUpdate,
    clock: Clock,
    expected_version: int | None = None,
) -> Clinic:
    clinic = _load_clinic(session, clinic_id)
    _writable(clinic)
    _check_version(session, clinic, expected_version, _clinic_label(clinic))
    changes = data.model_dump(exclude_unset=True)
    if "held_on" in changes:
        if changes["held_on"] is None:
            raise ClinicError("date: a clinic needs a date", field="held_on")
        other = clinic_on(session, changes["held_on"])
        if other is not None and other.id != clinic.id:
            raise ClinicError(
                f"date: there is already a clinic on {uk_date(changes['held_on'])}",
                field="held_on",
            )
    for key, value in changes.items():
        if value is None and key in ("title", "location", "notes"):
            value = ""
        if getattr(clinic, key) != value:
            setattr(clinic, key, value)
    if session.is_modified(clinic):
        clinic.updated_at = clock.now()
    _flush(session, _clinic_label(clinic))
    return clinic


def move_clinic(
    *,
    session: Session,
    clinic_id: int,
    to_status: ClinicStatus | str,
    clock: Clock,
    expected_version: int | None = None,
) -> Clinic:
    """Move a clinic along draft → open → in progress → closed, or refuse naming the allowed."""
    clinic = _load_clinic(session, clinic_id)
    _check_version(session, clinic, expected_version, _clinic_label(clinic))
    try:
        target = ClinicStatus(to_status)
    except ValueError:
        raise ClinicError(f"status: '{to_status}' is not a clinic status", field="status") from None
    current = ClinicStatus(clinic.status)
    allowed = TRANSITIONS[current]
    if target not in allowed:
        if current == ClinicStatus.CLOSED:
            _writable(clinic)
        names = ", ".join(status_label(s) for s in allowed)
        raise ClinicError(
            f"status: cannot move from {status_label(current)} to {status_label(target)}; "
            f"allowed: {names}",
            field="status",
        )
    now = clock.now()
    clinic.status = target
    if target == ClinicStatus.IN_PROGRESS and clinic.started_at is None:
        clinic.started_at = now
    if target == ClinicStatus.CLOSED:
        clinic.closed_at = now
    clinic.updated_at = now
    _flush(session, _clinic_label(clinic))
    return clinic


# ---------------------------------------------------------------- agenda items


def add_item(
    *, session: Session, clinic_id: int, data: AgendaItemCreate, clock: Clock
) -> AgendaItem:
    """Add a free item (or a referral to discuss) at the end of the agenda."""
    clinic = _load_clinic(session, clinic_id)
    _writable(clinic)
    _check_referral(session, data.referral_id)
    now = clock.now()
    item = AgendaItem(
        clinic_id=clinic_id,
        position=_max_position(session, clinic_id) + POSITION_STEP,
        kind=ItemKind.REFERRAL if data.referral_id else ItemKind.FREE,
        section=data.section,
        title=data.title,
        detail=data.detail,
        referral_id=data.referral_id,
        created_at=now,
        updated_at=now,
    )
    session.add(item)
    session.flush()
    return item


def _item_clinic(session: Session, item: AgendaItem) -> Clinic:
    clinic = _load_clinic(session, item.clinic_id)
    _writable(clinic)
    return clinic


def update_item(
    *,
    session: Session,
    item_id: int,
    data: AgendaItemUpdate,
    clock: Clock,
    expected_version: int | None = None,
) -> AgendaItem:
    """Change an item's title, detail or discussion note (saved at once)."""
    item = _load_item(session, item_id)
    _item_clinic(session, item)
    _check_version(session, item, expected_version, f"agenda item '{item.title}'")
    for key, value in data.model_dump(exclude_unset=True).items():
        value = "" if value is None else value
        if isinstance(value, str) and key != "note":
            value = value.strip()
        if getattr(item, key) != value:
            setattr(item, key, value)
    if session.is_modified(item):
        item.updated_at = clock.now()
    _flush(session, f"agenda item '{item.title}'")
    return item


def set_note(
    *,
    session: Session,
    item_id: int,
    note: str,
    clock: Clock,
    expected_version: int | None = None,
) -> AgendaItem:
    return update_item(
        session=session,
        item_id=item_id,
        data=AgendaItemUpdate(note=(note or "").strip()),
        clock=clock,
        expected_version=expected_version,
    )


def move_item(*, session: Session, item_id: int, delta: int, clock: Clock) -> AgendaItem:
    """Move an item up (negative) or down (positive) the agenda by ``delta`` places."""
    item = _load_item(session, item_id)
    _item_clinic(session, item)
    ordered = list(
        session.scalars(
            select(AgendaItem.id)
            .where(AgendaItem.clinic_id == item.clinic_id)
            .order_by(AgendaItem.position, AgendaItem.id)
        )
    )
    index = ordered.index(item_id)
    target = max(0, min(len(ordered) - 1, index + delta))
    if target == index:
        return item
    neighbours = ordered[min(index, target) : max(index, target) + 1]
    rows = {
        r.id: r
        for r in session.scalars(select(AgendaItem).where(AgendaItem.id.in_(neighbours)))  # type: ignore[union-attr]
    }
    positions = sorted(r.position for r in rows.values())
    if len(set(positions)) != len(positions):  # repair duplicate positions first
        _renumber(session, item.clinic_id)
        positions = sorted(rows[i].position for i in neighbours)
    ids = list(neighbours)
    ids.remove(item_id)
    ids.insert(0 if target < index else len(ids), item_id)
    now = clock.now()
    for item_key, position in zip(ids, positions, strict=True):
        if rows[item_key].position != position:
            rows[item_key].position = position
            rows[item_key].updated_at = now
    _flush(session, f"agenda item '{item.title}'")
    return item


def _renumber(session: Session, clinic_id: int) -> None:
    items = session.scalars(
        select(AgendaItem)
        .where(AgendaItem.clinic_id == clinic_id)
        .order_by(AgendaItem.position, AgendaItem.id)
    )
    for index, item in enumerate(items, start=1):
        item.position = index * POSITION_STEP
    session.flush()


def drop_item(
    *,
    session: Session,
    item_id: int,
    reason: str,
    clock: Clock,
    expected_version: int | None = None,
) -> AgendaItem:
    """Take an item off the agenda, with a reason (it stays in the minutes as dropped)."""
    item = _load_item(session, item_id)
    _item_clinic(session, item)
    _check_version(session, item, expected_version, f"agenda item '{item.title}'")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ClinicError("reason: say why the item is dropped", field="reason")
    item.dropped = True
    item.drop_reason = reason
    item.updated_at = clock.now()
    _flush(session, f"agenda item '{item.title}'")
    return item


def restore_item(*, session: Session, item_id: int, clock: Clock) -> AgendaItem:
    item = _load_item(session, item_id)
    _item_clinic(session, item)
    if item.dropped:
        item.dropped = False
        item.drop_reason = None
        item.updated_at = clock.now()
    _flush(session, f"agenda item '{item.title}'")
    return item


# ---------------------------------------------------------------- actions


def add_action(
    *, session: Session, clinic_id: int, data: ClinicActionCreate, clock: Clock
) -> ClinicAction:
    """Record an action agreed at a clinic (the clinic must not be closed)."""
    clinic = _load_clinic(session, clinic_id)
    _writable(clinic)
    _check_referral(session, data.referral_id)
    now = clock.now()
    action = ClinicAction(
        clinic_id=clinic_id,
        referral_id=data.referral_id,
        text=data.text,
        owner_name=data.owner_name,
        owner_org=data.owner_org,
        due_on=data.due_on,
        status=ActionStatus.OPEN,
        created_at=now,
        updated_at=now,
    )
    session.add(action)
    session.flush()
    return action


def update_action(
    *,
    session: Session,
    action_id: int,
    data: ClinicActionUpdate,
    clock: Clock,
    expected_version: int | None = None,
) -> ClinicAction:
    action = _load_action(session, action_id)
    _check_version(session, action, expected_version, f"action '{action.text}'")
    if action.status != ActionStatus.OPEN:
        raise ClinicError(
            f"status: the action is {action.status}; reopen it before editing", field="status"
        )
    changes = data.model_dump(exclude_unset=True)
    if "referral_id" in changes:
        _check_referral(session, changes["referral_id"])
    for key, value in changes.items():
        if key in ("text", "owner_name") and value is None:
            continue
        if key == "owner_org" and value is None:
            value = ""
        if getattr(action, key) != value:
            setattr(action, key, value)
    if session.is_modified(action):
        action.updated_at = clock.now()
    _flush(session, f"action '{action.text}'")
    return action


def complete_action(
    *,
    session: Session,
    action_id: int,
    clock: Clock,
    note: str | None = None,
    expected_version: int | None = None,
) -> ClinicAction:
    """Mark an open action done (from any clinic, even a closed one)."""
    action = _load_action(session, action_id)
    _check_version(session, action, expected_version, f"action '{action.text}'")
    if action.status != ActionStatus.OPEN:
        raise ClinicError(f"status: the action is already {action.status}", field="status")
    now = clock.now()
    action.status = ActionStatus.DONE
    action.status_reason = " ".join((note or "").split()) or None
    action.done_at = now
    action.updated_at = now
    _flush(session, f"action '{action.text}'")
    return action


def drop_action(
    *,
    session: Session,
    action_id: int,
    reason: str,
    clock: Clock,
    expected_version: int | None = None,
) -> ClinicAction:
    """Drop an open action; a reason is required."""
    action = _load_action(session, action_id)
    _check_version(session, action, expected_version, f"action '{action.text}'")
    if action.status != ActionStatus.OPEN:
        raise ClinicError(f"status: the action is already {action.status}", field="status")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ClinicError("reason: say why the action is dropped", field="reason")
    now = clock.now()
    action.status = ActionStatus.DROPPED
    action.status_reason = reason
    action.dropped_at = now
    action.updated_at = now
    _flush(session, f"action '{action.text}'")
    return action


def reopen_action(
    *, session: Session, action_id: int, clock: Clock, expected_version: int | None = None
) -> ClinicAction:
    action = _load_action(session, action_id)
    _check_version(session, action, expected_version, f"action '{action.text}'")
    if action.status == ActionStatus.OPEN:
        return action
    action.status = ActionStatus.OPEN
    action.status_reason = None
    action.done_at = None
    action.dropped_at = None
    action.updated_at = clock.now()
    _flush(session, f"action '{action.text}'")
    return action


# ---------------------------------------------------------------- attendance


def add_attendee(
    *, session: Session, clinic_id: int, data: AttendanceCreate, clock: Clock
) -> Attendance:
    clinic = _load_clinic(session, clinic_id)
    _writable(clinic)
    duplicate = session.scalar(
        select(Attendance.id).where(
            Attendance.clinic_id == clinic_id,
            func.lower(Attendance.name) == data.name.lower(),
        )
    )
    if duplicate is not None:
        raise ClinicError(f"name: {data.name} is already on the attendance list", field="name")
    attendee = Attendance(
        clinic_id=clinic_id,
        name=data.name,
        role=data.role,
        organisation=data.organisation,
        presence=data.presence,
    )
    session.add(attendee)
    clinic.updated_at = clock.now()
    session.flush()
    return attendee


def set_presence(
    *, session: Session, attendee_id: int, presence: Presence | str, clock: Clock
) -> Attendance:
    attendee = session.get(Attendance, attendee_id)
    if attendee is None:
        raise ClinicNotFound(f"attendee {attendee_id} does not exist")
    clinic = _load_clinic(session, attendee.clinic_id)
    _writable(clinic)
    try:
        attendee.presence = Presence(presence)
    except ValueError:
        raise ClinicError(
            f"presence: '{presence}' is not present or apologies", field="presence"
        ) from None
    clinic.updated_at = clock.now()
    session.flush()
    return attendee


def remove_attendee(*, session: Session, attendee_id: int, clock: Clock) -> None:
    attendee = session.get(Attendance, attendee_id)
    if attendee is None:
        raise ClinicNotFound(f"attendee {attendee_id} does not exist")
    clinic = _load_clinic(session, attendee.clinic_id)
    _writable(clinic)
    session.delete(attendee)
    clinic.updated_at = clock.now()
    session.flush()


# ---------------------------------------------------------------- reads


@dataclass(frozen=True)
class ClinicRow:
    id: int
    held_on: date
    title: str
    status: str
    items: int
    dropped: int
    open_actions: int
    attendees: int
    version: int


def clinic_page(session: Session, query: PageQuery, clock: Clock) -> Page[ClinicRow]:
    """One page of clinics, newest first, with counts computed in SQL."""
    items = (
        select(func.count())
        .where(AgendaItem.clinic_id == Clinic.id, AgendaItem.dropped.is_(False))  # type: ignore[attr-defined]
        .scalar_subquery()
    )
    dropped = (
        select(func.count())
        .where(AgendaItem.clinic_id == Clinic.id, AgendaItem.dropped.is_(True))  # type: ignore[attr-defined]
        .scalar_subquery()
    )
    open_actions = (
        select(func.count())
        .where(ClinicAction.clinic_id == Clinic.id, ClinicAction.status == ActionStatus.OPEN)
        .scalar_subquery()
    )
    attendees = (
        select(func.count())
        .where(Attendance.clinic_id == Clinic.id, Attendance.presence == Presence.PRESENT)
        .scalar_subquery()
    )
    statement = select(
        Clinic.id,
        Clinic.held_on,
        Clinic.title,
        Clinic.status,
        items,
        dropped,
        open_actions,
        attendees,
        Clinic.version,
    )
    if query.queue:
        statement = statement.where(Clinic.status == query.queue)
    clause = text_filter([Clinic.title, Clinic.location, Clinic.notes], query.text)
    if clause is not None:
        statement = statement.where(clause)
    total = count_of(session, statement)
    ordering = Clinic.held_on.asc() if query.sort == "held_on" and not query.descending else None  # type: ignore[attr-defined]
    statement = statement.order_by(
        ordering if ordering is not None else Clinic.held_on.desc()  # type: ignore[attr-defined]
    )
    rows = [
        ClinicRow(*row)
        for row in session.execute(statement.offset(query.offset).limit(query.limit))
    ]
    return Page(rows=rows, total=total, offset=query.offset)


@dataclass(frozen=True)
class AttendeeRow:
    id: int
    name: str
    role: str
    organisation: str
    presence: str


@dataclass(frozen=True)
class ClinicView:
    id: int
    held_on: date
    title: str
    location: str
    status: str
    notes: str
    version: int
    agenda_at: datetime | None
    started_at: datetime | None
    closed_at: datetime | None
    items: int
    dropped: int
    discussed: int
    actions_raised: int
    open_actions: int
    previous_held_on: date | None
    next_held_on: date
    attendance: list[AttendeeRow]
    allowed_moves: tuple[ClinicStatus, ...]

    @property
    def read_only(self) -> bool:
        return self.status == ClinicStatus.CLOSED


def attendance_rows(session: Session, clinic_id: int) -> list[AttendeeRow]:
    return [
        AttendeeRow(a.id, a.name, a.role, a.organisation, a.presence)  # type: ignore[arg-type]
        for a in session.scalars(
            select(Attendance)
            .where(Attendance.clinic_id == clinic_id)
            .order_by(Attendance.presence.desc(), Attendance.name)  # type: ignore[attr-defined]
        )
    ]


def clinic_view(session: Session, clinic_id: int) -> ClinicView:
    """Everything the clinic screen's header and attendance panel show."""
    clinic = _load_clinic(session, clinic_id)
    counts = session.execute(
        select(
            func.count().filter(AgendaItem.dropped.is_(False)),  # type: ignore[attr-defined]
            func.count().filter(AgendaItem.dropped.is_(True)),  # type: ignore[attr-defined]
            func.count().filter(AgendaItem.note != ""),
        ).where(AgendaItem.clinic_id == clinic_id)
    ).one()
    action_counts = session.execute(
        select(
            func.count(),
            func.count().filter(ClinicAction.status == ActionStatus.OPEN),
        ).where(ClinicAction.clinic_id == clinic_id)
    ).one()
    previous = previous_clinic(session, clinic.held_on)
    assert clinic.id is not None
    return ClinicView(
        id=clinic.id,
        held_on=clinic.held_on,
        title=clinic.title,
        location=clinic.location,
        status=clinic.status,
        notes=clinic.notes,
        version=clinic.version,
        agenda_at=clinic.agenda_at,
        started_at=clinic.started_at,
        closed_at=clinic.closed_at,
        items=int(counts[0] or 0),
        dropped=int(counts[1] or 0),
        discussed=int(counts[2] or 0),
        actions_raised=int(action_counts[0] or 0),
        open_actions=int(action_counts[1] or 0),
        previous_held_on=previous.held_on if previous else None,
        next_held_on=clinic.held_on + timedelta(days=frequency_days(session)),
        attendance=attendance_rows(session, clinic_id),
        allowed_moves=TRANSITIONS[ClinicStatus(clinic.status)],
    )


@dataclass(frozen=True)
class AgendaRow:
    id: int
    number: int
    position: int
    kind: str
    section: str
    title: str
    detail: str
    note: str
    dropped: bool
    drop_reason: str | None
    version: int
    referral_id: int | None
    referral_reference: str | None
    referral_status: str | None  # live, from the tracker
    referral_version: int | None
    due_label: str
    severity: Severity
    action_id: int | None
    action_status: str | None  # live, from the action log
    action_owner: str | None


def _agenda_statement(clinic_id: int, query: PageQuery) -> Any:
    statement = (
        select(
            AgendaItem.id,
            AgendaItem.position,
            AgendaItem.kind,
            AgendaItem.section,
            AgendaItem.title,
            AgendaItem.detail,
            AgendaItem.note,
            AgendaItem.dropped,
            AgendaItem.drop_reason,
            AgendaItem.version,
            AgendaItem.referral_id,
            Referral.reference,
            Referral.status,
            Referral.version,
            Referral.next_due_label,
            Referral.next_due_at,
            Referral.next_warn_at,
            AgendaItem.action_id,
            ClinicAction.status,
            ClinicAction.owner_name,
        )
        .outerjoin(Referral, Referral.id == AgendaItem.referral_id)
        .outerjoin(ClinicAction, ClinicAction.id == AgendaItem.action_id)
        .where(AgendaItem.clinic_id == clinic_id)
    )
    if not query.extra.get("show_dropped", True):
        statement = statement.where(AgendaItem.dropped.is_(False))  # type: ignore[attr-defined]
    if query.queue:
        statement = statement.where(AgendaItem.kind == query.queue)
    clause = text_filter(
        [AgendaItem.title, AgendaItem.detail, AgendaItem.note, AgendaItem.section], query.text
    )
    if clause is not None:
        statement = statement.where(clause)
    return statement


def agenda_page(
    session: Session, clinic_id: int, query: PageQuery, clock: Clock
) -> Page[AgendaRow]:
    """One page of a clinic's agenda in order, with live referral and action state."""
    now = clock.now()
    statement = _agenda_statement(clinic_id, query)
    total = count_of(session, statement)
    statement = (
        statement.order_by(AgendaItem.position, AgendaItem.id)
        .offset(query.offset)
        .limit(query.limit)
    )
    rows = []
    for index, r in enumerate(session.execute(statement), start=query.offset + 1):
        rows.append(
            AgendaRow(
                id=r[0],
                number=index,
                position=r[1],
                kind=r[2],
                section=r[3],
                title=r[4],
                detail=r[5],
                note=r[6],
                dropped=bool(r[7]),
                drop_reason=r[8],
                version=r[9],
                referral_id=r[10],
                referral_reference=r[11],
                referral_status=r[12],
                referral_version=r[13],
                due_label=r[14] or "",
                severity=severity_of(r[15], r[16], now) if r[15] else Severity.PENDING,
                action_id=r[17],
                action_status=r[18],
                action_owner=r[19],
            )
        )
    return Page(rows=rows, total=total, offset=query.offset)


def agenda_rows(session: Session, clinic_id: int, clock: Clock) -> list[AgendaRow]:
    """The whole agenda (exports); screens use :func:`agenda_page`."""
    _load_clinic(session, clinic_id)
    page = agenda_page(session, clinic_id, PageQuery(limit=1_000_000), clock)
    return page.rows


def agenda_item_index(session: Session, clinic_id: int, item_id: int) -> int:
    """The 0-based place of an item in the agenda order (to keep the cursor on it)."""
    item = _load_item(session, item_id)
    return int(
        session.scalar(
            select(func.count()).where(
                AgendaItem.clinic_id == clinic_id,
                or_(
                    AgendaItem.position < item.position,
                    and_(AgendaItem.position == item.position, AgendaItem.id < item.id),  # type: ignore[operator]
                ),
            )
        )
        or 0
    )


@dataclass(frozen=True)
class ActionRow:
    id: int
    text: str
    owner_name: str
    owner_org: str
    due_on: date | None
    status: str
    status_reason: str | None
    referral_id: int | None
    referral_reference: str | None
    clinic_id: int
    clinic_held_on: date
    done_at: datetime | None
    dropped_at: datetime | None
    overdue: bool
    version: int


ACTION_QUEUES: dict[str, str] = {
    "open": "Open",
    "overdue": "Overdue",
    "done": "Done",
    "dropped": "Dropped",
}
ACTION_SORTS: dict[str, Any] = {
    "due_on": ClinicAction.due_on,
    "owner": ClinicAction.owner_name,
    "clinic": Clinic.held_on,
    "status": ClinicAction.status,
    "text": ClinicAction.text,
}


def _action_statement(query: PageQuery, clock: Clock) -> Any:
    statement = (
        select(
            ClinicAction.id,
            ClinicAction.text,
            ClinicAction.owner_name,
            ClinicAction.owner_org,
            ClinicAction.due_on,
            ClinicAction.status,
            ClinicAction.status_reason,
            ClinicAction.referral_id,
            Referral.reference,
            ClinicAction.clinic_id,
            Clinic.held_on,
            ClinicAction.done_at,
            ClinicAction.dropped_at,
            ClinicAction.version,
        )
        .join(Clinic, Clinic.id == ClinicAction.clinic_id)
        .outerjoin(Referral, Referral.id == ClinicAction.referral_id)
    )
    day = today(clock)
    if query.queue == "open":
        statement = statement.where(ClinicAction.status == ActionStatus.OPEN)
    elif query.queue == "overdue":
        statement = statement.where(
            ClinicAction.status == ActionStatus.OPEN,
            ClinicAction.due_on.is_not(None),  # type: ignore[union-attr]
            ClinicAction.due_on < day,  # type: ignore[operator]
        )
    elif query.queue in ("done", "dropped"):
        statement = statement.where(ClinicAction.status == query.queue)
    elif query.queue:
        raise ClinicError(f"filter: unknown action filter '{query.queue}'", field="queue")
    owner = (query.extra.get("owner") or "").strip()
    if owner:
        statement = statement.where(
            or_(
                ClinicAction.owner_name.ilike(f"%{owner}%"),  # type: ignore[attr-defined]
                ClinicAction.owner_org.ilike(f"%{owner}%"),  # type: ignore[attr-defined]
            )
        )
    if query.extra.get("clinic_id") is not None:
        statement = statement.where(ClinicAction.clinic_id == query.extra["clinic_id"])
    if query.extra.get("for_clinic") is not None:
        clinic_id = query.extra["for_clinic"]
        carried = select(AgendaItem.action_id).where(
            AgendaItem.clinic_id == clinic_id,
            AgendaItem.action_id.is_not(None),  # type: ignore[union-attr]
        )
        statement = statement.where(
            or_(ClinicAction.clinic_id == clinic_id, ClinicAction.id.in_(carried))  # type: ignore[union-attr]
        )
    if query.extra.get("referral_id") is not None:
        statement = statement.where(ClinicAction.referral_id == query.extra["referral_id"])
    clause = text_filter(
        [ClinicAction.text, ClinicAction.owner_name, ClinicAction.owner_org, Referral.reference],
        query.text,
    )
    if clause is not None:
        statement = statement.where(clause)
    return statement


def action_page(session: Session, query: PageQuery, clock: Clock) -> Page[ActionRow]:
    """One page of the action log (all clinics), filtered by owner/open/overdue in SQL."""
    day = today(clock)
    statement = _action_statement(query, clock)
    total = count_of(session, statement)
    column = ACTION_SORTS.get(query.sort or "")
    if column is None:  # open first, then by due date (undated last), then newest clinic
        ordering: tuple[Any, ...] = (
            (ClinicAction.status != ActionStatus.OPEN),
            ClinicAction.due_on.is_(None),  # type: ignore[union-attr]
            ClinicAction.due_on,
            Clinic.held_on.desc(),  # type: ignore[attr-defined]
        )
    else:
        ordering = (column.desc() if query.descending else column.asc(),)
    statement = (
        statement.order_by(*ordering, ClinicAction.id).offset(query.offset).limit(query.limit)
    )
    rows = [
        ActionRow(
            id=r[0],
            text=r[1],
            owner_name=r[2],
            owner_org=r[3],
            due_on=r[4],
            status=r[5],
            status_reason=r[6],
            referral_id=r[7],
            referral_reference=r[8],
            clinic_id=r[9],
            clinic_held_on=r[10],
            done_at=r[11],
            dropped_at=r[12],
            overdue=r[5] == ActionStatus.OPEN and r[4] is not None and r[4] < day,
            version=r[13],
        )
        for r in session.execute(statement)
    ]
    return Page(rows=rows, total=total, offset=query.offset)


def action_counts(session: Session, clock: Clock, owner: str = "") -> dict[str, int]:
    """How many actions each filter holds."""
    result = {"all": count_of(session, _action_statement(PageQuery(extra={"owner": owner}), clock))}
    for queue in ACTION_QUEUES:
        result[queue] = count_of(
            session, _action_statement(PageQuery(queue=queue, extra={"owner": owner}), clock)
        )
    return result


def clinic_actions(session: Session, clinic_id: int, clock: Clock) -> list[ActionRow]:
    """Actions raised at this clinic and those carried onto its agenda (for the minutes)."""
    query = PageQuery(extra={"for_clinic": clinic_id}, sort="clinic", limit=1_000_000)
    return action_page(session, query, clock).rows


def action_owners(session: Session) -> list[str]:
    return [
        name
        for name in session.scalars(
            select(ClinicAction.owner_name).distinct().order_by(ClinicAction.owner_name)
        )
    ]


def clinic_id_for(session: Session, day: date | None = None) -> int:
    """The clinic held on ``day``, or the latest one; refused with a clear message."""
    clinic = latest_clinic(session) if day is None else clinic_on(session, day)
    if clinic is None or clinic.id is None:
        if day is None:
            raise ClinicNotFound("there are no clinics yet")
        raise ClinicNotFound(f"date: there is no clinic on {uk_date(day)}")
    return clinic.id
