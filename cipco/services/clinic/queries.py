"""The clinic log's lists: clinics, one clinic's agenda, the action log; their specs.

The clinics log has two lists in the registry: ``clinics`` (:data:`SPEC`) and the action
log ``actions`` (:data:`ACTIONS_SPEC`). A clinic's agenda is a third, paged the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.dates import format_datetime
from cipco.models.clinic import (
    CLINIC_STATUS_LABELS,
    ITEM_KIND_LABELS,
    ActionStatus,
    AgendaItem,
    AgendaItemCreate,
    AgendaItemUpdate,
    Attendance,
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
from cipco.models.referral import Referral
from cipco.services.clinic.common import (
    OPEN_ACTION,
    TRANSITIONS,
    ClinicError,
    clinic_label,
    load_clinic,
    next_held_on,
    previous_clinic,
)
from cipco.services.flags import SEVERITY_MARKERS, Severity, severity_of
from cipco.services.logspec import (
    Column,
    Done,
    LogService,
    LogSpec,
    Queue,
    Sheets,
    Words,
    label_of,
    row_from,
)
from cipco.services.paging import Page, PageQuery, contains, equal_to
from cipco.services.referrals import status_label as referral_status_label

if TYPE_CHECKING:
    from cipco.services.logspec import QueryContext


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

    status_label = label_of("status", CLINIC_STATUS_LABELS)


def _count(model: Any, *conditions: Any) -> Any:
    return select(func.count()).where(model.clinic_id == Clinic.id, *conditions).scalar_subquery()


# A clinic's counts: columns of the list, and what it sorts by.
ITEMS = _count(AgendaItem, AgendaItem.dropped.is_(False))  # type: ignore[attr-defined]
DROPPED = _count(AgendaItem, AgendaItem.dropped.is_(True))  # type: ignore[attr-defined]
OPEN_ACTIONS = _count(ClinicAction, ClinicAction.status == ActionStatus.OPEN)
PRESENT = _count(Attendance, Attendance.presence == Presence.PRESENT)


def _clinic_status(status: ClinicStatus) -> Any:
    return lambda ctx: Clinic.status == status.value


class ClinicService(LogService[Clinic, ClinicRow]):
    name = "clinics"
    words = Words("clinic", "clinics", "Clinics")
    error = ClinicError

    def label(self, record: Any) -> str:
        return clinic_label(record)

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        return select(
            Clinic.id,
            Clinic.held_on,
            Clinic.title,
            Clinic.status,
            ITEMS,
            DROPPED,
            OPEN_ACTIONS,
            PRESENT,
            Clinic.version,
        )

    def default_order(self, ctx: QueryContext, query: PageQuery) -> tuple[Any, ...]:
        return (Clinic.held_on.desc(),)  # type: ignore[attr-defined]

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[ClinicRow]:
        return [ClinicRow(*row) for row in results]


class ItemService(LogService[AgendaItem, "AgendaRow"]):
    """A clinic's agenda: ``PageQuery.extra["clinic_id"]`` chooses the clinic."""

    name = "agenda"
    words = Words("agenda item", "agenda items", "Agenda")
    error = ClinicError
    filters: ClassVar[dict[str, Any]] = {
        **equal_to(clinic_id=AgendaItem.clinic_id),
        "show_dropped": lambda shown: None if shown else AgendaItem.dropped.is_(False),  # type: ignore[attr-defined]
    }

    named_by = "title"

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        return (
            select(
                *self.own_columns(),
                Referral.reference.label("referral_reference"),
                Referral.status.label("referral_status"),
                Referral.version.label("referral_version"),
                Referral.next_due_label,
                Referral.next_due_at,
                Referral.next_warn_at,
                ClinicAction.status.label("action_status"),
                ClinicAction.owner_name.label("action_owner"),
            )
            .outerjoin(Referral, Referral.id == AgendaItem.referral_id)
            .outerjoin(ClinicAction, ClinicAction.id == AgendaItem.action_id)
        )

    def order(self, ctx: QueryContext, query: PageQuery) -> tuple[Any, ...]:
        return (AgendaItem.position, AgendaItem.id)

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[AgendaRow]:
        now = ctx.now
        return [
            row_from(
                AgendaRow,
                r,
                number=index,
                dropped=bool(r.dropped),
                due_label=r.next_due_label or "",
                severity=(
                    severity_of(r.next_due_at, r.next_warn_at, now)
                    if r.next_due_at
                    else Severity.PENDING
                ),
            )
            for index, r in enumerate(results, start=1)
        ]


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
    clinic = load_clinic(session, clinic_id)
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
    return row_from(
        ClinicView,
        clinic,
        items=int(counts[0] or 0),
        dropped=int(counts[1] or 0),
        discussed=int(counts[2] or 0),
        actions_raised=int(action_counts[0] or 0),
        open_actions=int(action_counts[1] or 0),
        previous_held_on=previous.held_on if previous else None,
        next_held_on=next_held_on(session, clinic),
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

    @property
    def now_text(self) -> str:
        """The live state of what the item is about (referral status, action status)."""
        if self.kind == ItemKind.ACTION and self.action_status:
            return f"action {self.action_status}"
        if self.referral_status:
            marker = SEVERITY_MARKERS.get(self.severity, "")
            return f"{marker} {referral_status_label(self.referral_status)}".strip()
        return ""

    @property
    def title_text(self) -> str:
        return f"✗ {self.title}" if self.dropped else self.title

    @property
    def note_text(self) -> str:
        return f"dropped: {self.drop_reason}" if self.dropped else self.note

    @property
    def settled(self) -> bool:
        """Dropped, or an action already done or dropped: the agenda shows it dimmed."""
        return self.dropped or (
            self.kind == ItemKind.ACTION and self.action_status not in (None, OPEN_ACTION)
        )


def agenda_page(
    session: Session, clinic_id: int, query: PageQuery, clock: Clock
) -> Page[AgendaRow]:
    """One page of a clinic's agenda in order, with live referral and action state."""
    scoped = replace(query, extra={**query.extra, "clinic_id": clinic_id})
    page = ITEMS_SERVICE.page(session, scoped, clock)
    if query.offset:  # item numbers run on across pages
        rows = [replace(row, number=row.number + query.offset) for row in page.rows]
        page = Page(rows=rows, total=page.total, offset=page.offset)
    return page


def agenda_rows(session: Session, clinic_id: int, clock: Clock) -> list[AgendaRow]:
    """The whole agenda (exports); screens use :func:`agenda_page`."""
    load_clinic(session, clinic_id)
    return list(ITEMS_SERVICE.stream(session, PageQuery(extra={"clinic_id": clinic_id}), clock))


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
    original: str = ""  # columns an import kept ("Header: value" lines)

    @property
    def open(self) -> bool:
        return self.status == OPEN_ACTION

    @property
    def status_label(self) -> str:
        return self.status + (" ! overdue" if self.overdue else "")

    @property
    def closed_text(self) -> str:
        """When it was done or dropped, and the note or reason given."""
        closed_at = self.done_at or self.dropped_at
        return f"{format_datetime(closed_at)} {self.status_reason or ''}".strip()


def _open(ctx: QueryContext) -> ColumnElement[bool]:
    return ClinicAction.status == OPEN_ACTION  # type: ignore[return-value]


def _overdue(ctx: QueryContext) -> ColumnElement[bool]:
    return and_(
        ClinicAction.status == OPEN_ACTION,
        ClinicAction.due_on.is_not(None),  # type: ignore[union-attr]
        ClinicAction.due_on < ctx.today,  # type: ignore[operator]
    )


def _action_status(status: ActionStatus) -> Any:
    return lambda ctx: ClinicAction.status == status.value


ACTION_QUEUE_LIST = (
    Queue("open", "Open", _open),
    Queue("overdue", "Overdue", _overdue),
    Queue("done", "Done", _action_status(ActionStatus.DONE)),
    Queue("dropped", "Dropped", _action_status(ActionStatus.DROPPED)),
)
ACTION_QUEUES: dict[str, str] = {queue.key: queue.label for queue in ACTION_QUEUE_LIST}
CLOSED_AT = func.coalesce(ClinicAction.done_at, ClinicAction.dropped_at)


def _owned_by(owner: str) -> ColumnElement[bool]:
    return or_(contains(ClinicAction.owner_name, owner), contains(ClinicAction.owner_org, owner))


def _raised_or_carried(clinic_id: int) -> ColumnElement[bool]:
    """Actions raised at this clinic, or carried onto its agenda."""
    carried = select(AgendaItem.action_id).where(
        AgendaItem.clinic_id == clinic_id,
        AgendaItem.action_id.is_not(None),  # type: ignore[union-attr]
    )
    return or_(ClinicAction.clinic_id == clinic_id, ClinicAction.id.in_(carried))  # type: ignore[union-attr]


class ActionService(LogService[ClinicAction, ActionRow]):
    name = "actions"
    words = Words("action", "actions", "Actions")
    error = ClinicError
    filters: ClassVar[dict[str, Any]] = {
        "owner": lambda owner: _owned_by(str(owner).strip()) if str(owner).strip() else None,
        **equal_to(clinic_id=ClinicAction.clinic_id, referral_id=ClinicAction.referral_id),
        "for_clinic": lambda value: _raised_or_carried(value),
        "raised_before": lambda day: Clinic.held_on < day,
    }

    named_by = "text"

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        return (
            select(
                *self.own_columns(),
                ClinicAction.original_columns,
                Referral.reference.label("referral_reference"),
                Clinic.held_on.label("clinic_held_on"),
            )
            .join(Clinic, Clinic.id == ClinicAction.clinic_id)
            .outerjoin(Referral, Referral.id == ClinicAction.referral_id)
        )

    def default_order(self, ctx: QueryContext, query: PageQuery) -> tuple[Any, ...]:
        """Open first, then by due date (undated last), then the newest clinic."""
        return (
            (ClinicAction.status != OPEN_ACTION),
            ClinicAction.due_on.is_(None),  # type: ignore[union-attr]
            ClinicAction.due_on,
            Clinic.held_on.desc(),  # type: ignore[attr-defined]
        )

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[ActionRow]:
        day = ctx.today
        return [
            row_from(
                ActionRow,
                r,
                overdue=r.status == OPEN_ACTION and r.due_on is not None and r.due_on < day,
                original="; ".join(f"{h}: {v}" if h else v for h, v in r.original_columns or []),
            )
            for r in results
        ]


CLINIC_SERVICE = ClinicService()
ITEMS_SERVICE = ItemService()
ACTIONS_SERVICE = ActionService()
CLINIC_QUEUE_LIST = tuple(
    Queue(status.value, CLINIC_STATUS_LABELS[status], _clinic_status(status))
    for status in ClinicStatus
)
ItemService.row_type = AgendaRow  # declared below the service, beside the agenda's reads
AGENDA_SPEC = LogSpec(
    ITEMS_SERVICE,
    columns=(
        Column("number", "No.", 3, grow=False),
        Column("section", "Section", 14),
        Column("title", "Item", 36, attr="title_text"),
        Column("now", "Now", 16, attr="now_text"),
        Column("note", "Notes", 18, attr="note_text"),
    ),
    queues=tuple(
        Queue(kind.value, ITEM_KIND_LABELS[kind], lambda ctx, k=kind.value: AgendaItem.kind == k)
        for kind in ItemKind
    ),
    search=(AgendaItem.title, AgendaItem.detail, AgendaItem.note, AgendaItem.section),
    search_hint="Filter the agenda",
    schemas=(AgendaItemCreate, AgendaItemUpdate),
    keys=("new", "edit", "move", "referral", "add", "remove", "reopen", "move_up", "move_down"),
    done=Done("settled", frozenset({"True"})),
)
"""A clinic's agenda (``PageQuery.extra["clinic_id"]``): not a log of its own."""
SPEC = LogSpec(
    CLINIC_SERVICE,
    columns=(
        Column("held_on", "Date", 11, sort=Clinic.held_on),
        Column("title", "Clinic", 24, sort=Clinic.title),
        Column("status", "Status", 12, sort=Clinic.status, attr="status_label"),
        Column("items", "Items", 6, grow=False, sort=ITEMS),
        Column("dropped", "Dropped", 8, grow=False, sort=DROPPED),
        Column("open_actions", "Open actions", 13, grow=False, sort=OPEN_ACTIONS),
        Column("attendees", "Present", 8, grow=False, sort=PRESENT),
    ),
    queues=CLINIC_QUEUE_LIST,
    search_hint="Filter: title, location or notes",
    schemas=(ClinicCreate, ClinicUpdate),
    keys=("new", "open", "export"),
    sheets=Sheets("cipco.spreadsheets.clinic_export:AGENDA_COLUMNS"),
    done=Done("status", frozenset({ClinicStatus.CLOSED.value})),
    related=("actions",),
)
ACTIONS_SPEC = LogSpec(
    ACTIONS_SERVICE,
    columns=(
        Column("id", "No.", 5, grow=False, sort=ClinicAction.id),
        Column("text", "Action", 40, sort=ClinicAction.text),
        Column("owner", "Owner", 20, sort=ClinicAction.owner_name, attr="owner_name"),
        Column("org", "Organisation", 14, sort=ClinicAction.owner_org, attr="owner_org"),
        Column("due_on", "Due", 11, sort=ClinicAction.due_on),
        Column("status", "Status", 16, sort=ClinicAction.status, attr="status_label"),
        Column("referral", "Referral", 15, sort=Referral.reference, attr="referral_reference"),
        Column("clinic", "Raised at", 11, sort=Clinic.held_on, attr="clinic_held_on"),
        Column("closed", "Done/dropped", 24, sort=CLOSED_AT, attr="closed_text"),
        Column("original", "Original columns", 20, sort=ClinicAction.original_columns),
    ),
    queues=ACTION_QUEUE_LIST,
    search_hint="Filter: action, owner, organisation or referral",
    schemas=(ClinicActionCreate, ClinicActionUpdate),
    keys=("open", "done", "remove", "reopen", "referral", "export"),
    sheets=Sheets("cipco.spreadsheets.actions_io:COLUMNS", "cipco.spreadsheets.actions_io:FIELDS"),
    done=Done("status", frozenset({ActionStatus.DONE.value, ActionStatus.DROPPED.value})),
)


def clinic_page(session: Session, query: PageQuery, clock: Clock) -> Page[ClinicRow]:
    """One page of clinics, newest first, with counts computed in SQL."""
    return CLINIC_SERVICE.page(session, query, clock)


def action_page(session: Session, query: PageQuery, clock: Clock) -> Page[ActionRow]:
    """One page of the action log (all clinics), filtered by owner/open/overdue in SQL."""
    return ACTIONS_SERVICE.page(session, query, clock)


def action_counts(session: Session, clock: Clock, owner: str = "") -> dict[str, int]:
    """How many actions each filter holds (for one owner when given)."""
    result = {}
    for key in ("all", *ACTION_QUEUES):
        query = PageQuery(queue=None if key == "all" else key, extra={"owner": owner})
        result[key] = ACTIONS_SERVICE.count(session, query, clock)
    return result


def clinic_actions(session: Session, clinic_id: int, clock: Clock) -> list[ActionRow]:
    """Actions raised at this clinic and those carried onto its agenda (for the minutes)."""
    query = PageQuery(extra={"for_clinic": clinic_id}, sort="clinic")
    return list(ACTIONS_SERVICE.stream(session, query, clock))
