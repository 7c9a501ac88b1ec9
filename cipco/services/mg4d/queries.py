"""The MG4D issue log's list: spec, rows, queues, pages, counts, and one papers' detail."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlmodel import Session

from cipco.clock import Clock, to_london, today
from cipco.models.mg4d import STATE_LABELS, ChargePapers, PapersCreate, PapersState, ServiceEvent
from cipco.models.people import Prisoner
from cipco.models.referral import Referral
from cipco.services import settings
from cipco.services.errors import NotFoundError
from cipco.services.flags import Severity
from cipco.services.logspec import Column, Done, LogService, LogSpec, Queue, Sheets, Words, row_from
from cipco.services.mg4d.writes import Mg4dError, response_label
from cipco.services.paging import Page, PageQuery, contains, equal_to
from cipco.services.prisoners import PRISON_NO, PRISONER

if TYPE_CHECKING:
    from cipco.services.logspec import QueryContext


@dataclass(frozen=True)
class PapersRow:
    id: int
    nomis_number: str
    prisoner_name: str
    referral_id: int | None
    referral_reference: str
    crime_ref: str
    urn: str
    form_label: str
    charges: str
    court: str
    first_hearing_on: date | None
    received_at: datetime
    received_from: str
    state: str
    response: str
    served_at: datetime | None
    hearing_soon: bool
    days_waiting: int
    version: int

    @property
    def state_label(self) -> str:
        return STATE_LABELS.get(self.state, self.state)

    @property
    def response_label(self) -> str:
        return response_label(self.response)

    @property
    def state_text(self) -> str:
        """ "Awaiting (3d)", "! Awaiting (9d)" near the hearing, else the response."""
        if self.state == PapersState.AWAITING:
            return f"{'! ' if self.hearing_soon else ''}Awaiting ({self.days_waiting}d)"
        return self.response_label or self.state_label

    @property
    def severity(self) -> Severity:
        if self.state != PapersState.AWAITING:
            return Severity.DONE
        return Severity.OVERDUE if self.hearing_soon else Severity.PENDING


def warn_limit(session: Session, clock: Clock) -> date:
    """Unserved papers whose first hearing is on or before this date are "hearing soon"."""
    return today(clock) + timedelta(days=settings.get_int(session, "mg4d_hearing_warn_days"))


def _state(state: PapersState) -> Any:
    return lambda ctx: ChargePapers.state == state.value


def _hearing_soon(ctx: QueryContext) -> ColumnElement[bool]:
    return and_(
        ChargePapers.state == PapersState.AWAITING.value,
        ChargePapers.first_hearing_on.is_not(None),  # type: ignore[union-attr]
        ChargePapers.first_hearing_on <= warn_limit(ctx.session, ctx.clock),  # type: ignore[operator]
    )


QUEUE_LIST = (
    Queue("awaiting", "Awaiting service", _state(PapersState.AWAITING)),
    Queue("hearing_soon", "Hearing soon", _hearing_soon),
    Queue("served", "Served", _state(PapersState.SERVED)),
    Queue("not_served", "Not served", _state(PapersState.NOT_SERVED)),
)
QUEUES: dict[str, str] = {queue.key: queue.label for queue in QUEUE_LIST}
OLDEST_FIRST = frozenset({"awaiting", "hearing_soon"})


class Mg4dService(LogService[ChargePapers, PapersRow]):
    name = "mg4d"
    words = Words("papers", "charge papers", "MG4D")
    error = Mg4dError
    filters: ClassVar[dict[str, Any]] = {
        **equal_to(papers_id=ChargePapers.id, prisoner_id=ChargePapers.prisoner_id),
        "received_from_date": lambda value: ChargePapers.received_at >= value,
        "received_to_date": lambda value: ChargePapers.received_at <= value,
        "court": lambda value: contains(ChargePapers.court, str(value)),
    }

    def label(self, record: Any) -> str:
        return "these papers"

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        return (
            select(ChargePapers, Prisoner.nomis_number, Prisoner.name, Referral.reference)
            .join(Prisoner, Prisoner.id == ChargePapers.prisoner_id)
            .outerjoin(Referral, Referral.id == ChargePapers.referral_id)
        )

    def default_order(self, ctx: QueryContext, query: PageQuery) -> tuple[Any, ...]:
        """The queues to work oldest first; the whole log newest first."""
        received = ChargePapers.received_at
        oldest_first = query.queue in OLDEST_FIRST and not query.descending
        return (received.asc() if oldest_first else received.desc(),)  # type: ignore[attr-defined]

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[PapersRow]:
        on, limit = ctx.today, warn_limit(ctx.session, ctx.clock)
        return [_row(papers, *rest, on, limit) for papers, *rest in results]

    def counts(self, session: Session, clock: Clock, text: str = "") -> dict[str, int]:
        if text.strip():
            return super().counts(session, clock, text)
        ctx = self.context(session, clock)
        counted = func.count().filter
        row = session.execute(
            select(func.count(), *(counted(queue.where(ctx)) for queue in QUEUE_LIST)).select_from(
                ChargePapers
            )
        ).one()
        return dict(zip(["all", *QUEUES], (int(v or 0) for v in row), strict=True))


def _row(
    papers: ChargePapers, nomis: str, name: str | None, reference: str | None, on: date, limit: date
) -> PapersRow:
    awaiting = papers.state == PapersState.AWAITING
    return row_from(
        PapersRow,
        papers,
        nomis_number=nomis,
        prisoner_name=name or "",
        referral_reference=reference or "",
        crime_ref=papers.crime_ref or "",
        urn=papers.urn or "",
        response=papers.response or "",
        hearing_soon=bool(
            awaiting and papers.first_hearing_on and papers.first_hearing_on <= limit
        ),
        days_waiting=(on - to_london(papers.received_at).date()).days if awaiting else 0,
    )


SERVICE = Mg4dService()
SPEC = LogSpec(
    SERVICE,
    columns=(
        Column("received_at", "Received", 16, sort=ChargePapers.received_at),
        PRISON_NO,
        PRISONER,
        Column("state", "State", 20, sort=ChargePapers.state, attr="state_text"),
        Column("first_hearing_on", "1st hearing", 11, sort=ChargePapers.first_hearing_on),
        Column("court", "Court", 14, sort=ChargePapers.court),
        Column("charges", "Charges", 18, sort=ChargePapers.charges),
        Column("referral", "Referral", 13, sort=Referral.reference, attr="referral_reference"),
        Column("served_at", "Served", 16, sort=ChargePapers.served_at),
    ),
    queues=QUEUE_LIST,
    search_hint="Filter: prison number, name, crime ref, URN, court, charges",
    schemas=(PapersCreate, PapersCreate),
    keys=("new", "edit", "open", "serve", "person", "referral", "export", "import_file"),
    sheets=Sheets("cipco.spreadsheets.mg4d_io:COLUMNS", "cipco.spreadsheets.mg4d_io:FIELDS"),
    done=Done("state", frozenset({PapersState.SERVED.value, PapersState.NOT_SERVED.value})),
)


def papers_page(session: Session, query: PageQuery, clock: Clock) -> Page[PapersRow]:
    """One page of the issue log. The queues sort oldest first, the whole log newest first."""
    return SERVICE.page(session, query, clock)


def queue_counts(session: Session, clock: Clock, text: str = "") -> dict[str, int]:
    return SERVICE.counts(session, clock, text)


def awaiting_service(session: Session, clock: Clock) -> list[PapersRow]:
    """Papers received and not yet served, oldest first (for the clinic agenda)."""
    return list(SERVICE.stream(session, PageQuery(queue="awaiting"), clock))


@dataclass(frozen=True)
class EventView:
    id: int
    served_at: datetime
    served_by: str
    witnessed_by: str
    response: str
    note: str
    copy_returned_at: datetime | None
    copy_returned_how: str
    corrects_event_id: int | None
    recorded_at: datetime
    actor: str
    superseded: bool

    @property
    def response_label(self) -> str:
        return response_label(self.response)


@dataclass(frozen=True)
class PapersDetail:
    row: PapersRow
    notes: str
    events: list[EventView]


def papers_detail(session: Session, papers_id: int, clock: Clock) -> PapersDetail:
    page = SERVICE.page(session, PageQuery(extra={"papers_id": papers_id}, limit=1), clock)
    if not page.rows:
        raise NotFoundError(f"papers {papers_id} do not exist (they may have been deleted)")
    row = page.rows[0]
    papers = SERVICE.load(session, papers_id)
    return PapersDetail(
        row=row, notes=papers.notes, events=papers_detail_events(session, papers_id)
    )


def papers_detail_events(session: Session, papers_id: int) -> list[EventView]:
    events = list(
        session.scalars(
            select(ServiceEvent)
            .where(ServiceEvent.papers_id == papers_id)
            .order_by(ServiceEvent.id)  # type: ignore[arg-type]
        )
    )
    latest_id = events[-1].id if events else None
    return [
        row_from(
            EventView,
            e,
            copy_returned_how=e.copy_returned_how or "",
            superseded=e.id != latest_id,
        )
        for e in events
    ]
