"""The regional view: every site a login may read, side by side.

On a regional PostgreSQL server the regional role reads the sites granted to it (the
database decides which: row-level security); a SQLite file shows its one site. What the
Regional Organised Crime Officer and the Regional Crime in Prison Lead read:

- SOC Band 1 and 2 nominals, each **one person** joined by prison number across the sites
  that know them, with their history at each site (band, where they are, release date,
  referrals at that site, trigger points);
- Band 1 custody trigger points and whether the regional SOC unit has been told (the
  "notify SOC unit" dues, overdue first);
- banded nominals released within 8 months;
- each prison's referral figures and deadlines met, side by side (the measures of
  :mod:`cipco.services.measures`, computed per site), and what is overdue in each log.

Each prison's figures are the measures of its own reports, computed for every site at once
(:func:`cipco.services.measures.figures_by_site`); :func:`at_site` narrows every ORM query of
a session to one site while it is open (the due registry's overdue items, read per site).
"""

from __future__ import annotations

import calendar
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import event, func, or_, select
from sqlalchemy.orm import ORMExecuteState, with_loader_criteria
from sqlmodel import Session

from cipco.clock import Clock, today
from cipco.db import UNASSIGNED
from cipco.models.people import Prisoner
from cipco.models.person import CustodyEvent, PersonOfInterest
from cipco.models.referral import Referral
from cipco.models.site import Site
from cipco.models.vocab import TRIGGER_LABELS
from cipco.services.measures import Figure, Period, figures_by_site
from cipco.services.persons.rules import RELEASED
from cipco.services.returns import WEEKLY

BANDS = (1, 2)
RELEASE_MONTHS = 8
RECENT_EVENT_DAYS = 28
# The figures side by side: the weekly report's (each a measures.Measure), in its order;
# what is overdue now is counted apart (SiteColumn.overdue).
SITE_MEASURES = tuple(key for key in WEEKLY if key != "overdue")
LOG_TITLES = {
    "referrals": "Referrals",
    "exhibits": "Exhibits",
    "mg4d": "MG4D",
    "persons": "Persons",
    "actions": "Clinic actions",
    "clinics": "Clinics",
}


# ---------------------------------------------------------------- one site at a time


@contextmanager
def at_site(session: Session, code: str) -> Iterator[Session]:
    """``session`` with every ORM query narrowed to ``code``'s rows until the block ends."""
    from cipco.services.site import site_tables

    options = [
        with_loader_criteria(model, model.site == code, include_aliases=True)  # type: ignore[attr-defined]
        for model in site_tables()
    ]

    def narrow(state: ORMExecuteState) -> None:
        if state.is_select:
            state.statement = state.statement.options(*options)

    from cipco.services.settings import NARROWED_TO

    event.listen(session, "do_orm_execute", narrow)
    session.info[NARROWED_TO] = code  # what is read without the ORM (settings) narrows too
    try:
        yield session
    finally:
        session.info.pop(NARROWED_TO, None)
        event.remove(session, "do_orm_execute", narrow)


@dataclass(frozen=True)
class SiteInfo:
    code: str
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} ({self.code})" if self.name else self.code


def sites(session: Session) -> list[SiteInfo]:
    """The sites this login reads (a SQLite file: its one site), by code."""
    rows = session.execute(select(Site.code, Site.name).order_by(Site.code))
    return [SiteInfo(str(code), str(name or "")) for code, name in rows if code != UNASSIGNED]


# ---------------------------------------------------------------- nominals


@dataclass(frozen=True)
class SiteHistory:
    """What one site knows of a person."""

    site: str
    band: int | None
    location: str | None
    release_date: date | None
    next_review_on: date | None
    known_since: datetime
    referrals: int
    trigger_points: int

    @property
    def text(self) -> str:
        """``LEI: Band 1, in custody, 2 referrals, 3 trigger points, since 03/2026``."""
        parts = [f"Band {self.band}" if self.band else "not banded"]
        parts.append(_where(self.location))
        if self.referrals:
            parts.append(f"{self.referrals} referral{'s' * (self.referrals != 1)}")
        if self.trigger_points:
            parts.append(f"{self.trigger_points} trigger point{'s' * (self.trigger_points != 1)}")
        parts.append(f"since {self.known_since:%m/%Y}")
        return f"{self.site}: " + ", ".join(parts)


def _where(location: str | None) -> str:
    if not location:
        return "in custody"
    if location.strip().lower() == RELEASED:
        return "released"
    return location.strip()


@dataclass(frozen=True)
class Nominal:
    """One person across the region, joined by prison number."""

    nomis_number: str
    name: str
    band: int  # the highest (lowest number) band any site gives
    history: tuple[SiteHistory, ...]  # most recently known first

    @property
    def sites(self) -> list[str]:
        return [h.site for h in self.history]

    @property
    def current(self) -> SiteHistory:
        """The site that knew them most recently and does not record them as released."""
        held = [h for h in self.history if _where(h.location) != "released"]
        return (held or list(self.history))[0]

    @property
    def release_date(self) -> date | None:
        return self.current.release_date

    @property
    def next_review_on(self) -> date | None:
        dates = [h.next_review_on for h in self.history if h.band and h.next_review_on]
        return min(dates) if dates else None


def nominals(session: Session, *, limit: int | None = None) -> list[Nominal]:
    """Every Band 1 and 2 nominal of the sites read, one per prison number, Band 1 first."""
    numbers = (
        select(Prisoner.nomis_number)
        .join(PersonOfInterest, PersonOfInterest.prisoner_id == Prisoner.id)
        .where(PersonOfInterest.soc_band.in_(BANDS))  # type: ignore[union-attr]
        .distinct()
    )
    rows = session.execute(
        select(
            Prisoner.id.label("prisoner_id"),  # type: ignore[union-attr]
            Prisoner.site,
            Prisoner.nomis_number,
            Prisoner.name,
            Prisoner.location,
            Prisoner.created_at,
            PersonOfInterest.id.label("person_id"),  # type: ignore[union-attr]
            PersonOfInterest.soc_band,
            PersonOfInterest.release_date,
            PersonOfInterest.next_review_on,
        )
        .outerjoin(PersonOfInterest, PersonOfInterest.prisoner_id == Prisoner.id)
        .where(Prisoner.nomis_number.in_(numbers))  # type: ignore[attr-defined]
    ).all()
    prisoner_ids = [row.prisoner_id for row in rows]
    person_ids = [row.person_id for row in rows if row.person_id is not None]
    referrals = _counts(session, Referral.prisoner_id, prisoner_ids)
    events = _counts(session, CustodyEvent.person_id, person_ids)
    by_number: dict[str, list[tuple[SiteHistory, str]]] = defaultdict(list)
    for row in rows:
        history = SiteHistory(
            site=str(row.site),
            band=row.soc_band,
            location=row.location,
            release_date=row.release_date,
            next_review_on=row.next_review_on,
            known_since=row.created_at,
            referrals=referrals.get(row.prisoner_id, 0),
            trigger_points=events.get(row.person_id, 0) if row.person_id is not None else 0,
        )
        by_number[str(row.nomis_number)].append((history, str(row.name or "")))
    found = []
    for number, known in by_number.items():
        known.sort(key=lambda pair: pair[0].known_since, reverse=True)
        bands = [h.band for h, _ in known if h.band in BANDS]
        found.append(
            Nominal(
                nomis_number=number,
                name=next((name for _, name in known if name), ""),
                band=min(bands) if bands else 0,
                history=tuple(h for h, _ in known),
            )
        )
    found.sort(key=lambda n: (n.band, n.name.lower(), n.nomis_number))
    return found[:limit] if limit is not None else found


def _counts(session: Session, column: Any, ids: Sequence[int]) -> dict[int, int]:
    if not ids:
        return {}
    found: dict[int, int] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        rows = session.execute(
            select(column, func.count()).where(column.in_(chunk)).group_by(column)
        )
        found.update({int(key): int(count) for key, count in rows})
    return found


# ---------------------------------------------------------------- trigger points and releases


@dataclass(frozen=True)
class TriggerPoint:
    site: str
    nomis_number: str
    name: str
    band: int | None
    what: str
    happened_at: datetime
    notify_due_on: date | None
    notified_at: datetime | None
    state: str  # "overdue", "due", "told"


def trigger_points(session: Session, clock: Clock) -> list[TriggerPoint]:
    """Trigger points the SOC unit is still to be told of (overdue first), then those of
    the last four weeks it was told of."""
    day = today(clock)
    since = clock.now() - timedelta(days=RECENT_EVENT_DAYS)
    rows = session.execute(
        select(
            CustodyEvent.site,
            Prisoner.nomis_number,
            Prisoner.name,
            PersonOfInterest.soc_band,
            CustodyEvent.kind,
            CustodyEvent.happened_at,
            CustodyEvent.notify_due_on,
            CustodyEvent.notified_at,
        )
        .join(PersonOfInterest, PersonOfInterest.id == CustodyEvent.person_id)
        .join(Prisoner, Prisoner.id == PersonOfInterest.prisoner_id)
        .where(
            or_(
                CustodyEvent.notified_at.is_(None),  # type: ignore[union-attr]
                CustodyEvent.happened_at >= since,  # type: ignore[operator]
            )
        )
    )
    found = []
    for site, number, name, band, kind, happened, due, told in rows:
        if told is not None:
            state = "told"
        elif due is not None and due < day:
            state = "overdue"
        else:
            state = "due"
        found.append(
            TriggerPoint(
                str(site),
                str(number),
                str(name or ""),
                band,
                TRIGGER_LABELS.get(kind, str(kind)),
                happened,
                due,
                told,
                state,
            )
        )
    order = {"overdue": 0, "due": 1, "told": 2}
    found.sort(key=lambda t: (order[t.state], t.notify_due_on or date.max, t.site, t.nomis_number))
    return found


@dataclass(frozen=True)
class Release:
    site: str
    nomis_number: str
    name: str
    band: int
    release_date: date
    days: int


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it is shorter)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def releases(session: Session, clock: Clock) -> list[Release]:
    """Band 1 and 2 nominals in custody whose release date falls within 8 months."""
    day = today(clock)
    until = months_after(day, RELEASE_MONTHS)
    rows = session.execute(
        select(
            Prisoner.site,
            Prisoner.nomis_number,
            Prisoner.name,
            PersonOfInterest.soc_band,
            PersonOfInterest.release_date,
        )
        .join(Prisoner, Prisoner.id == PersonOfInterest.prisoner_id)
        .where(
            PersonOfInterest.soc_band.in_(BANDS),  # type: ignore[union-attr]
            PersonOfInterest.release_date >= day,  # type: ignore[operator]
            PersonOfInterest.release_date <= until,  # type: ignore[operator]
            or_(Prisoner.location.is_(None), func.lower(Prisoner.location) != RELEASED),  # type: ignore[union-attr]
        )
        .order_by(PersonOfInterest.release_date, Prisoner.site, Prisoner.nomis_number)
    )
    return [
        Release(str(site), str(number), str(name or ""), int(band), on, (on - day).days)
        for site, number, name, band, on in rows
    ]


# ---------------------------------------------------------------- figures per prison


@dataclass(frozen=True)
class SiteColumn:
    """One prison's figures for the period, and what is overdue now in each log."""

    site: SiteInfo
    figures: list[Figure]
    overdue: dict[str, int] = field(default_factory=dict)  # log -> items overdue now

    @property
    def overdue_total(self) -> int:
        return sum(self.overdue.values())


def site_columns(
    session: Session, period: Period, clock: Clock, chosen: Sequence[SiteInfo] | None = None
) -> list[SiteColumn]:
    """Each site's figures (the same measures as its own reports) and what is overdue now.

    The figures are computed for every site at once (one pass per measure, grouped by
    site), each site's the same as its own report's. Overdue now: referrals past their next
    deadline (the ``overdue`` measure, as at now: each referral once, however many of its
    rules are late), and every other log's items past their deadline from the due registry
    (the home screen's list, read site by site: each site's own settings and rules)."""
    from cipco.services.due import SOURCES, due_items

    read = list(chosen if chosen is not None else sites(session))
    codes = [site.code for site in read]
    current = Period.month(today(clock))  # ends after now: its "overdue" is as at now
    shown = figures_by_site(
        session, SITE_MEASURES, period, clock, codes, also=[("overdue", current)]
    )
    others = [name for name in SOURCES if name != "referrals"]
    found = []
    for site in read:
        with at_site(session, site.code):
            overdue = [
                item
                for item in due_items(session, clock, until=clock.now(), sources=others)
                if item.overdue
            ]
            late = Counter(item.record.log for item in _of_this_site(session, overdue))
        *figures, late_now = shown[site.code]
        late["referrals"] = int(late_now.value or 0)
        found.append(SiteColumn(site, figures, {log: n for log, n in late.items() if n}))
    return found


def _of_this_site(session: Session, items: Sequence[Any]) -> list[Any]:
    """The items whose record the narrowed ``session`` sees: the due list reads plain rows,
    which :func:`at_site` does not narrow (it narrows ORM queries and settings), so each
    log's ids are checked once through its model."""
    from cipco.services.logspec import spec

    ids: dict[str, set[int]] = defaultdict(set)
    for item in items:
        ids[item.record.log].add(item.record.id)
    seen: set[tuple[str, int]] = set()
    for log, wanted in ids.items():
        model: Any = spec(log).service.model
        found = session.scalars(select(model.id).where(model.id.in_(wanted)))
        seen.update((log, int(i)) for i in found)
    return [item for item in items if (item.record.log, item.record.id) in seen]


def region_total(columns: Sequence[SiteColumn], index: int) -> str:
    """The region's figure of ``SITE_MEASURES[index]``: counts add up, rates pool their
    cases; a median cannot be added ("")."""
    cells = [column.figures[index] for column in columns]
    if not cells:
        return ""
    kind = cells[0].measure.kind
    if kind in ("count", "breakdown"):
        return f"{sum(int(c.value or 0) for c in cells):,}"
    if kind == "rate":
        met, of = sum(int(c.value or 0) for c in cells), sum(int(c.of or 0) for c in cells)
        return f"{met} of {of} ({round(100 * met / of)}%)" if of else "n/a (none)"
    return ""


def region_overdue(columns: Sequence[SiteColumn]) -> int:
    """Everything overdue now across the region's prisons, every log."""
    return sum(column.overdue_total for column in columns)


# ---------------------------------------------------------------- the whole view


@dataclass(frozen=True)
class Summary:
    """The counts the Region screen and ``cipco report regional`` open with."""

    nominals: int
    band1: int
    notifications_overdue: int  # SOC unit not told of a trigger point by its deadline
    releases: int  # within RELEASE_MONTHS

    @property
    def parts(self) -> tuple[str, str, str]:
        """The words of each count: nominals, overdue notifications, releases."""
        return (
            f"{self.nominals:,} SOC nominals ({self.band1:,} Band 1)",
            f"{self.notifications_overdue:,} SOC unit notification(s) overdue",
            f"{self.releases:,} release(s) within {RELEASE_MONTHS} months",
        )

    @property
    def text(self) -> str:
        return " · ".join(self.parts)


@dataclass(frozen=True)
class People:
    """The Region screen's first read: the nominals, trigger points and releases."""

    nominals: list[Nominal]
    trigger_points: list[TriggerPoint]
    releases: list[Release]

    @property
    def summary(self) -> Summary:
        return Summary(
            nominals=len(self.nominals),
            band1=sum(1 for n in self.nominals if n.band == 1),
            notifications_overdue=sum(1 for t in self.trigger_points if t.state == "overdue"),
            releases=len(self.releases),
        )


def people(session: Session, clock: Clock) -> People:
    """The nominals (one per prison number), the trigger points and releases within 8 months."""
    return People(nominals(session), trigger_points(session, clock), releases(session, clock))


@dataclass(frozen=True)
class RegionalView(People):
    period: Period
    as_at: datetime
    sites: list[SiteInfo]
    columns: list[SiteColumn]


def regional_view(session: Session, period: Period, clock: Clock) -> RegionalView:
    """Everything the regional report shows, read in one snapshot."""
    read = sites(session)
    first = people(session, clock)
    return RegionalView(
        nominals=first.nominals,
        trigger_points=first.trigger_points,
        releases=first.releases,
        period=period,
        as_at=clock.now(),
        sites=read,
        columns=site_columns(session, period, clock, read),
    )
