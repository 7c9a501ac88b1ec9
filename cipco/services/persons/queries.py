"""The persons-of-interest list: spec, rows with their flags, queues, repeat offenders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any, ClassVar

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlmodel import Session

from cipco.clock import Clock, add_months, london_midnight, today
from cipco.models.people import Prisoner
from cipco.models.person import (
    AncillaryOrder,
    CustodyEvent,
    PersonCreate,
    PersonOfInterest,
    PersonUpdate,
    StartRule,
)
from cipco.models.referral import Referral
from cipco.models.types import UTCDateTime
from cipco.services import settings
from cipco.services.flags import Severity
from cipco.services.logspec import Column, LogService, LogSpec, Queue, Sheets, Words
from cipco.services.paging import Page, PageQuery, first_matching
from cipco.services.persons.rules import (
    RELEASE_NOTICE_MONTHS,
    RELEASED,
    PersonError,
    PersonFlag,
    person_flags,
)
from cipco.services.prisoners import PRISON_NO

if TYPE_CHECKING:
    from cipco.services.logspec import QueryContext


@dataclass(frozen=True)
class PersonRow:
    id: int
    nomis_number: str
    name: str
    location: str
    band: int | None
    alert_codes: tuple[str, ...]
    ocg_name: str
    next_review_on: date | None
    release_date: date | None
    do_not_share: bool
    order_count: int
    flags: tuple[PersonFlag, ...]
    version: int

    @property
    def band_text(self) -> str:
        return str(self.band) if self.band else ""

    @property
    def flags_text(self) -> str:
        return "; ".join(flag.label for flag in self.flags)

    @property
    def severity(self) -> Severity:
        for level in (Severity.OVERDUE, Severity.DUE_SOON):
            if any(f.severity == level for f in self.flags):
                return level
        return Severity.PENDING


def _not_released() -> ColumnElement[bool]:
    return or_(Prisoner.location.is_(None), func.lower(Prisoner.location) != RELEASED)  # type: ignore[union-attr]


def _band(band: int) -> Any:
    return lambda ctx: PersonOfInterest.soc_band == band


def _review_overdue(ctx: QueryContext) -> ColumnElement[bool]:
    return and_(
        PersonOfInterest.soc_band.is_not(None),  # type: ignore[union-attr]
        PersonOfInterest.next_review_on < ctx.today,  # type: ignore[operator]
    )


def _release_soon(ctx: QueryContext) -> ColumnElement[bool]:
    return and_(
        PersonOfInterest.soc_band.is_not(None),  # type: ignore[union-attr]
        PersonOfInterest.release_date >= ctx.today,  # type: ignore[operator]
        PersonOfInterest.release_date <= add_months(ctx.today, RELEASE_NOTICE_MONTHS),  # type: ignore[operator]
        _not_released(),
    )


def _orders_expiring(ctx: QueryContext) -> ColumnElement[bool]:
    warn = settings.get_int(ctx.session, "order_expiry_warn_days")
    return exists().where(
        AncillaryOrder.person_id == PersonOfInterest.id,
        AncillaryOrder.until_further_order.is_(False),  # type: ignore[attr-defined]
        AncillaryOrder.end_on >= ctx.today,  # type: ignore[operator]
        AncillaryOrder.end_on <= ctx.today + timedelta(days=warn),  # type: ignore[operator]
        or_(AncillaryOrder.start_rule != StartRule.ON_RELEASE.value, ~_not_released()),
    )


def _dormant(ctx: QueryContext) -> ColumnElement[bool]:
    return and_(
        _not_released(),
        exists().where(
            AncillaryOrder.person_id == PersonOfInterest.id,
            AncillaryOrder.start_rule == StartRule.ON_RELEASE.value,
        ),
    )


def _notify_due(ctx: QueryContext) -> ColumnElement[bool]:
    return exists().where(
        CustodyEvent.person_id == PersonOfInterest.id,
        CustodyEvent.notified_at.is_(None),  # type: ignore[union-attr]
        CustodyEvent.notify_due_on.is_not(None),  # type: ignore[union-attr]
    )


def _shareable() -> ColumnElement[bool]:
    return PersonOfInterest.do_not_share.is_(False)  # type: ignore[attr-defined,no-any-return]


def _do_not_share(ctx: QueryContext) -> ColumnElement[bool]:
    return PersonOfInterest.do_not_share.is_(True)  # type: ignore[attr-defined,no-any-return]


QUEUE_LIST = (
    Queue("band1", "Band 1", _band(1)),
    Queue("band2", "Band 2", _band(2)),
    Queue("review_overdue", "Review overdue", _review_overdue),
    Queue("release_soon", f"Release < {RELEASE_NOTICE_MONTHS} months", _release_soon),
    Queue("orders_expiring", "Orders expiring", _orders_expiring),
    Queue("dormant", "Dormant orders", _dormant),
    Queue("notify_due", "Notify SOC unit", _notify_due),
    Queue("do_not_share", "Do not share", _do_not_share),
)
QUEUES: dict[str, str] = {queue.key: queue.label for queue in QUEUE_LIST}


class PersonService(LogService[PersonOfInterest, PersonRow]):
    name = "persons"
    words = Words("person", "persons of interest", "Persons")
    error = PersonError
    filters: ClassVar[dict[str, Any]] = {
        "exclude_restricted": lambda on: _shareable() if on else None
    }

    def label(self, record: Any) -> str:
        return "this order" if isinstance(record, AncillaryOrder) else "this person"

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        return select(
            PersonOfInterest, Prisoner.nomis_number, Prisoner.name, Prisoner.location
        ).join(Prisoner, Prisoner.id == PersonOfInterest.prisoner_id)

    def default_order(self, ctx: QueryContext, query: PageQuery) -> tuple[Any, ...]:
        name = Prisoner.name
        return (name.desc() if query.descending else name.asc(),)  # type: ignore[union-attr]

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[PersonRow]:
        return _rows_for(ctx.session, results, ctx.today)


def _rows_for(session: Session, found: Sequence[Any], on: date) -> list[PersonRow]:
    ids = [p.id for p, *_ in found]
    warn = settings.get_int(session, "order_expiry_warn_days")
    orders: dict[int, list[tuple[AncillaryOrder, str]]] = {}
    for order in session.scalars(select(AncillaryOrder).where(AncillaryOrder.person_id.in_(ids))):  # type: ignore[attr-defined]
        orders.setdefault(order.person_id, []).append((order, order.order_type_code))
    events: dict[int, list[tuple[str, date | None]]] = {}
    for person_id, kind, due in session.execute(
        select(CustodyEvent.person_id, CustodyEvent.kind, CustodyEvent.notify_due_on).where(
            CustodyEvent.person_id.in_(ids),  # type: ignore[attr-defined]
            CustodyEvent.notified_at.is_(None),  # type: ignore[union-attr]
            CustodyEvent.notify_due_on.is_not(None),  # type: ignore[union-attr]
        )
    ):
        events.setdefault(person_id, []).append((kind, due))
    rows = []
    for person, nomis, name, location in found:
        assert person.id is not None
        flags = person_flags(
            person,
            location=location,
            orders=orders.get(person.id, []),
            pending_events=events.get(person.id, []),
            on=on,
            warn_days=warn,
        )
        rows.append(
            PersonRow(
                id=person.id,
                nomis_number=nomis,
                name=name or "",
                location=location or "",
                band=person.soc_band,
                alert_codes=tuple(person.alert_codes or ()),
                ocg_name=person.ocg_name or "",
                next_review_on=person.next_review_on,
                release_date=person.release_date,
                do_not_share=person.do_not_share,
                order_count=len(orders.get(person.id, [])),
                flags=tuple(f for f in flags if f.severity != Severity.DONE),
                version=person.version,
            )
        )
    return rows


SERVICE = PersonService()
SPEC = LogSpec(
    SERVICE,
    columns=(
        PRISON_NO,
        Column("name", "Name", 18, sort=Prisoner.name),
        Column("location", "Location", 11, sort=Prisoner.location),
        Column("band", "Band", 5, sort=PersonOfInterest.soc_band, attr="band_text"),
        Column("alerts", "Alerts", 14, sort=PersonOfInterest.alert_codes, attr="alert_codes"),
        Column("ocg_name", "OCG / gang", 14, sort=PersonOfInterest.ocg_name),
        Column("next_review_on", "Next review", 11, sort=PersonOfInterest.next_review_on),
        Column("release_date", "Release", 10, sort=PersonOfInterest.release_date),
        Column("flags", "Flags", 40, attr="flags_text"),
    ),
    queues=QUEUE_LIST,
    search_hint="Filter: prison number, name, OCG, reason or notes",
    schemas=(PersonCreate, PersonUpdate),
    keys=("new", "edit", "open", "remove", "add", "export", "import_file"),
    sheets=Sheets("cipco.spreadsheets.persons_io:COLUMNS", "cipco.spreadsheets.persons_io:FIELDS"),
)


def person_list_page(session: Session, query: PageQuery, clock: Clock) -> Page[PersonRow]:
    """One page of the persons-of-interest list, filtered, sorted and counted in SQL."""
    return SERVICE.page(session, query, clock)


def queue_counts(session: Session, clock: Clock, text: str = "") -> dict[str, int]:
    return SERVICE.counts(session, clock, text)


@dataclass(frozen=True)
class Suggestion:
    prisoner_id: int
    nomis_number: str
    name: str
    referral_count: int
    last_incident_at: datetime


def repeat_offender_suggestions(
    session: Session, clock: Clock, limit: int = 200
) -> list[Suggestion]:
    """Suspects in N or more referrals in the last M months who are not on the list yet."""
    n = settings.get_int(session, "repeat_offender_count")
    months = settings.get_int(session, "repeat_offender_months")
    since = london_midnight(add_months(today(clock), -months))
    counted = func.count(Referral.id)
    statement = (
        select(
            Referral.prisoner_id,
            Prisoner.nomis_number,
            Prisoner.name,
            counted,
            func.max(Referral.incident_at),
        )
        .join(Prisoner, Prisoner.id == Referral.prisoner_id)
        .where(
            Referral.incident_at >= since,
            ~exists().where(PersonOfInterest.prisoner_id == Referral.prisoner_id),
        )
        .group_by(Referral.prisoner_id, Prisoner.nomis_number, Prisoner.name)
        .having(counted >= max(n, 1))
        .order_by(counted.desc(), Prisoner.nomis_number)
        .limit(limit)
    )
    converter = UTCDateTime()
    results = []
    for prisoner_id, nomis, name, count, last in session.execute(statement):
        if isinstance(last, str):  # func.max loses the column type on SQLite
            last = datetime.fromisoformat(last)
        if isinstance(last, datetime) and last.tzinfo is None:
            last = converter.process_result_value(last, None)  # type: ignore[arg-type]
        results.append(Suggestion(prisoner_id, nomis, name or "", int(count), last))
    return results


@dataclass(frozen=True)
class PrisonerHit:
    nomis_number: str
    name: str
    on_list: bool


def find_prisoners(session: Session, text: str, limit: int = 20) -> list[PrisonerHit]:
    """Prisoners whose number or name contains ``text`` (command palette)."""
    statement = (
        select(Prisoner.nomis_number, Prisoner.name, PersonOfInterest.id)
        .outerjoin(PersonOfInterest, PersonOfInterest.prisoner_id == Prisoner.id)
        .order_by(Prisoner.nomis_number)
    )
    rows = first_matching(session, statement, (Prisoner.nomis_number, Prisoner.name), text, limit)
    return [PrisonerHit(n, name or "", pid is not None) for n, name, pid in rows]
