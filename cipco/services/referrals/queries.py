"""The referral list: its spec, row type, queues, pages and counts; look-ups by reference."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.dates import format_date
from cipco.models.people import Prisoner
from cipco.models.reference import CrimeCategory
from cipco.models.referral import Referral, ReferralCreate, ReferralUpdate, Status
from cipco.services.flags import CLOSED_STATUSES, SEVERITY_MARKERS, Severity, severity_of
from cipco.services.logspec import Column, Done, LogService, LogSpec, Queue, Sheets, Words, row_from
from cipco.services.paging import Page, PageQuery, equal_to, first_matching
from cipco.services.prisoners import PRISON_NO, PRISONER
from cipco.services.referrals.rules import CLOSED, ReferralError, status_label

if TYPE_CHECKING:
    from cipco.services.logspec import QueryContext


@dataclass(frozen=True)
class ReferralRow:
    """One line of the referrals table: plain values, safe to pass between threads."""

    id: int
    reference: str
    nomis_number: str
    prisoner_name: str
    category: str
    incident_at: datetime
    status: str
    crime_ref: str
    oic: str
    next_due_label: str
    next_due_at: datetime | None
    severity: Severity
    version: int

    @property
    def status_label(self) -> str:
        return status_label(self.status)

    @property
    def closed(self) -> bool:
        return self.status in CLOSED

    @property
    def next_due_text(self) -> str:
        if self.next_due_at is None:
            return ""
        marker = SEVERITY_MARKERS[self.severity]
        return f"{marker} {format_date(self.next_due_at)} {self.next_due_label}".strip()


QUEUE_STATUSES: dict[str, tuple[Status, ...]] = {
    "to_refer": (Status.DRAFT,),
    "awaiting_police": (Status.REFERRED, Status.ACKNOWLEDGED),
    "investigating": (Status.INVESTIGATING,),
    "with_cps": (Status.WITH_CPS,),
    "charged": (Status.CHARGED, Status.AT_COURT),
    "closed": tuple(CLOSED_STATUSES),
}


def _in_statuses(key: str) -> Any:
    values = [status.value for status in QUEUE_STATUSES[key]]
    return lambda ctx: Referral.status.in_(values)  # type: ignore[attr-defined]


def _overdue(ctx: QueryContext) -> ColumnElement[bool]:
    return and_(Referral.next_due_at.is_not(None), Referral.next_due_at < ctx.now)  # type: ignore[union-attr,operator]


QUEUE_LIST = (
    Queue("to_refer", "To refer", _in_statuses("to_refer")),
    Queue("awaiting_police", "Awaiting police", _in_statuses("awaiting_police")),
    Queue("investigating", "Investigating", _in_statuses("investigating")),
    Queue("with_cps", "With CPS", _in_statuses("with_cps")),
    Queue("charged", "Charged/at court", _in_statuses("charged")),
    Queue("closed", "Closed", _in_statuses("closed")),
    Queue("overdue", "Overdue", _overdue),
)
QUEUES: dict[str, str] = {queue.key: queue.label for queue in QUEUE_LIST}


def with_prisoner_and_category(statement: Select[Any]) -> Select[Any]:
    """A select over referrals joined to their prisoner and crime category."""
    return statement.join(Prisoner, Prisoner.id == Referral.prisoner_id).join(
        CrimeCategory, CrimeCategory.code == Referral.category_code
    )


class ReferralService(LogService[Referral, ReferralRow]):
    name = "referrals"
    words = Words("referral", "referrals", "Referrals")
    error = ReferralError
    filters: ClassVar[dict[str, Any]] = equal_to(
        prisoner_id=Referral.prisoner_id, status=Referral.status
    )
    counts_by_index = True  # every referral has its prisoner and category

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        return with_prisoner_and_category(
            select(
                *self.own_columns(),
                Prisoner.nomis_number,
                Prisoner.name.label("prisoner_name"),
                CrimeCategory.label.label("category"),
                Referral.oic_name.label("oic"),
                Referral.next_warn_at,
            )
        )

    def default_order(self, ctx: QueryContext, query: PageQuery) -> tuple[Any, ...]:
        return (Referral.incident_at.desc(),)  # type: ignore[attr-defined]

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[ReferralRow]:
        now = ctx.now
        return [
            row_from(
                ReferralRow,
                r,
                prisoner_name=r.prisoner_name or "",
                crime_ref=r.crime_ref or "",
                oic=r.oic or "",
                next_due_label=r.next_due_label or "",
                severity=severity_of(r.next_due_at, r.next_warn_at, now),
            )
            for r in results
        ]

    def counts(self, session: Session, clock: Clock, text: str = "") -> dict[str, int]:
        """Every queue's count in one scan (from the indexes alone when nothing is typed).

        ``total`` is every referral, ignoring the filter: the M of "N of M referrals".
        """
        from cipco.services import search

        now = clock.now()
        if not text.strip():
            return _unfiltered_counts(session, now)
        clause = None
        if search.indexed(self.spec.name):
            clause = search.clause(session, self.spec.name, Referral.id, text, page=False)
        if clause is not None:
            # The index names referrals by id: no join to the prisoner or category (which
            # never leave a referral out) is needed to count them.
            base = select(Referral.status, Referral.next_due_at).where(clause).subquery()
        else:
            base = self.filtered(self.context(session, clock), PageQuery(text=text)).subquery()
        counted = func.count().filter
        row = session.execute(
            select(
                func.count(),
                *(
                    counted(base.c.status.in_([s.value for s in statuses]))
                    for statuses in QUEUE_STATUSES.values()
                ),
                counted(and_(base.c.next_due_at.is_not(None), base.c.next_due_at < now)),
            )
        ).one()
        counts = dict(zip(["all", *QUEUES], (int(v or 0) for v in row), strict=True))
        counts["total"] = int(session.scalar(select(func.count()).select_from(Referral)) or 0)
        return counts


def _unfiltered_counts(session: Session, now: datetime) -> dict[str, int]:
    """Queue counts straight from the status and due-date indexes (no joins, no scan)."""
    by_status = dict(
        session.execute(select(Referral.status, func.count()).group_by(Referral.status)).all()
    )
    counts = {
        queue: sum(int(by_status.get(s.value, 0)) for s in statuses)
        for queue, statuses in QUEUE_STATUSES.items()
    }
    counts["overdue"] = int(
        session.scalar(
            select(func.count()).select_from(Referral).where(Referral.next_due_at < now)  # type: ignore[operator]
        )
        or 0
    )
    counts["all"] = counts["total"] = sum(int(v) for v in by_status.values())
    return counts


SERVICE = ReferralService()
SPEC = LogSpec(
    SERVICE,
    columns=(
        Column("reference", "Reference", 14, grow=False, sort=Referral.reference),
        PRISON_NO,
        PRISONER,
        Column("category", "Category", 14, sort=CrimeCategory.label),
        Column("incident_at", "Incident", 10, False, Referral.incident_at, date_only=True),
        Column("status", "Status", 13, grow=False, sort=Referral.status, attr="status_label"),
        Column("crime_ref", "Crime ref", 12, sort=Referral.crime_ref),
        Column("oic", "OIC", 11, sort=Referral.oic_name),
        Column("next_due", "Next due", 22, sort=Referral.next_due_at, attr="next_due_text"),
    ),
    queues=QUEUE_LIST,
    search_hint="Filter: reference, prison number, name, crime ref or OIC",
    schemas=(ReferralCreate, ReferralUpdate),
    keys=("new", "edit", "open", "move", "follow_up", "person", "export", "import_file"),
    sheets=Sheets(
        "cipco.spreadsheets.referrals_io:COLUMNS", "cipco.spreadsheets.referrals_io:FIELDS"
    ),
    done=Done("status", CLOSED),
)


def queue_clause(queue: str, now: datetime) -> ColumnElement[bool]:
    """The condition of one queue (other logs' agendas and reports use it)."""
    if queue not in QUEUES:
        raise ReferralError(f"unknown queue '{queue}'", field="queue")
    if queue == "overdue":
        return and_(Referral.next_due_at.is_not(None), Referral.next_due_at < now)  # type: ignore[union-attr,operator]
    return Referral.status.in_([s.value for s in QUEUE_STATUSES[queue]])  # type: ignore[attr-defined]


def referral_page(
    session: Session, query: PageQuery, clock: Clock, *, total: int | None = None
) -> Page[ReferralRow]:
    """One page of referrals, filtered, sorted and counted in SQL (``total`` if known)."""
    return SERVICE.page(session, query, clock, total=total)


def queue_counts(session: Session, clock: Clock, text: str = "") -> dict[str, int]:
    return SERVICE.counts(session, clock, text)


def get_referral(session: Session, referral_id: int) -> Referral:
    return SERVICE.load(session, referral_id)


def referral_by_reference(session: Session, reference: str) -> Referral | None:
    return session.scalars(select(Referral).where(Referral.reference == reference)).first()


def referral_id_for(session: Session, reference: str) -> int | None:
    """The id of the referral with this reference, any letter case (blank: None).

    An unknown reference is refused naming the ``referral`` field.
    """
    reference = (reference or "").strip()
    if not reference:
        return None
    found = session.scalar(
        select(Referral.id).where(func.upper(Referral.reference) == reference.upper())
    )
    if found is None:
        raise ReferralError(f"referral: no referral with reference '{reference}'", field="referral")
    return int(found)


def referral_id_of(session: Session, reference: str) -> int:
    """As :func:`referral_id_for`, and a blank reference is refused too."""
    found = referral_id_for(session, reference)
    if found is None:
        raise ReferralError("referral: give the referral's reference", field="referral")
    return found


@dataclass(frozen=True)
class ReferralHit:
    id: int
    reference: str
    nomis_number: str
    prisoner_name: str
    status: str


def find_referrals(session: Session, text: str, limit: int = 20) -> list[ReferralHit]:
    """Referrals whose reference, prisoner number, name or crime ref contains ``text``."""
    statement = (
        select(
            Referral.id, Referral.reference, Prisoner.nomis_number, Prisoner.name, Referral.status
        )
        .join(Prisoner, Prisoner.id == Referral.prisoner_id)
        .order_by(Referral.incident_at.desc())  # type: ignore[attr-defined]
    )
    columns = (Referral.reference, Prisoner.nomis_number, Prisoner.name, Referral.crime_ref)
    return [ReferralHit(*row) for row in first_matching(session, statement, columns, text, limit)]
