"""Each figure a report shows, defined once, with its basis printed beside it.

"Charges 2" above "Court: convicted 3" looks wrong until each says what it counts: charges
by the date of the charge, convictions by the date the court outcome closed the referral.
So every figure a report, the home screen's charts or the regional view shows is a
:class:`Measure` here: a key, the words a manager reads, its basis ("referred in the
month") and one function that computes it for any list of periods in one pass over the rows
it needs (a twelve-month trend costs one query, not twelve).

    figures(session, ["referrals_made", "charges"], Period.month(day), clock)
    trend(session, "referrals_made", Period.month(day).series(12), clock)
    figures_by_site(session, ["referrals_made"], Period.month(day), clock, ["LEI", "MDI"])

The same function computes one site's figures (the rows the session reads) or every site's
at once (the regional view): its rows are grouped by site, in SQL where the figure is a
count and in one pass over the rows where a rule has to be applied to each, so each site's
figure is the one its own report shows, however many sites are read.

A :class:`Figure` carries the value, the number it is "of" (a rate's denominator, a median's
sample) and its parts, which always add up to the whole (``Figure.check()``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from functools import partial
from typing import Any

from sqlalchemy import and_, exists, or_, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.reference import CrimeCategory
from cipco.models.referral import OUTCOME_LABELS, Outcome, PartyRole, Referral, ReferralParty
from cipco.services.flags import (
    ADJUDICATION_WITHIN,
    CLOSED_STATUSES,
    POLICE_CONTACT_WITHIN,
    FlagSettings,
    victim_update_due,
)
from cipco.services.periods import RATE_MET, Figure, Measure, Period
from cipco.services.tallies import (
    Buckets,
    Context,
    Grouped,
    Key,
    as_at,
    counts,
    days,
    in_time,
    labelled,
    median,
    tally,
    window,
    within,
)

__all__ = [
    "MEASURES",
    "PERFORMANCE",
    "RATE_MET",
    "Figure",
    "Measure",
    "Period",
    "figures",
    "figures_by_site",
    "measure",
    "trend",
]

Compute = Callable[[Context, Measure, Sequence[Period]], Grouped]
MEASURES: dict[str, Measure] = {}
_COMPUTE: dict[str, Compute] = {}


def _measure(
    key: str, label: str, basis: str, kind: str = "count", rule: str = ""
) -> Callable[[Compute], Compute]:
    def register(fn: Compute) -> Compute:
        MEASURES[key] = Measure(key, label, basis, kind, rule)
        _COMPUTE[key] = fn
        return fn

    return register


def measure(key: str) -> Measure:
    return MEASURES[key]


def figures(session: Session, keys: Iterable[str], period: Period, clock: Clock) -> list[Figure]:
    """The figures ``keys`` for one period, in that order, over every row the session reads
    (one site's, on its own file or login)."""
    ctx = _context(session, clock)
    return [_COMPUTE[key](ctx, MEASURES[key], [period])[None][0] for key in keys]


def figures_by_site(
    session: Session, keys: Iterable[str], period: Period, clock: Clock, sites: Sequence[str]
) -> dict[str, list[Figure]]:
    """Each of ``sites``' figures ``keys`` for one period, each site's as :func:`figures`
    gives them over that site's rows alone: one pass per measure, grouped by site."""
    ctx = _context(session, clock, tuple(sites))
    found: dict[str, list[Figure]] = {site: [] for site in sites}
    for key in keys:
        for site, shown in _COMPUTE[key](ctx, MEASURES[key], [period]).items():
            if site is not None:
                found[site].append(shown[0])
    return found


def trend(session: Session, key: str, periods: Sequence[Period], clock: Clock) -> list[Figure]:
    """One measure for each of ``periods`` (one pass over its rows)."""
    return _COMPUTE[key](_context(session, clock), MEASURES[key], list(periods))[None]


def _context(session: Session, clock: Clock, sites: tuple[str, ...] | None = None) -> Context:
    from cipco.services import settings

    if sites is None:
        one: dict[Key, FlagSettings] = {
            None: FlagSettings.from_values(settings.all_settings(session))
        }
        return Context(session, clock, one)
    stored = settings.settings_by_site(session)
    chosen: dict[Key, FlagSettings] = {
        site: FlagSettings.from_values(stored.get(site) or settings.defaults()) for site in sites
    }
    return Context(session, clock, chosen, sites)


# ---------------------------------------------------------------- the measures


@_measure("referrals_made", "Referrals made", "referred to police in the {p}")
def _referrals_made(ctx: Context, m: Measure, periods: Sequence[Period]) -> Grouped:
    return counts(ctx, m, periods, Referral.referred_at)


@_measure("by_category", "Referrals by category", "referred to police in the {p}", "breakdown")
def _by_category(ctx: Context, m: Measure, periods: Sequence[Period]) -> Grouped:
    labels = dict(ctx.session.execute(select(CrimeCategory.code, CrimeCategory.label)).all())
    tallies = tally(
        ctx,
        within(periods, Referral.referred_at),
        window(periods, Referral.referred_at),
        by=Referral.category_code,
    )
    return labelled(
        m,
        periods,
        tallies,
        labels.get,
        lambda c: tuple(sorted(c.items(), key=lambda kv: (-kv[1], kv[0]))),
    )


@_measure(
    "open_at_end",
    "Open referrals",
    "referred and not closed at the end of the {p} (or now, if it has not ended)",
)
def _open_at_end(ctx: Context, m: Measure, periods: Sequence[Period]) -> Grouped:
    moments = [as_at(p, ctx.now) for p in periods]
    referred, closed = Referral.referred_at, Referral.closed_at
    tallies = tally(
        ctx,
        [and_(referred < at, or_(closed.is_(None), closed >= at)) for at in moments],  # type: ignore[operator, union-attr]
        referred.is_not(None),  # type: ignore[union-attr]
        referred < max(moments),  # type: ignore[operator]
        or_(closed.is_(None), closed >= min(moments)),  # type: ignore[operator, union-attr]
    )
    zeros = [0] * len(periods)
    return {
        key: [
            Figure(m, p, n, as_at=at)
            for p, at, n in zip(periods, moments, found.get(None, zeros), strict=True)
        ]
        for key, found in tallies.items()
    }


@_measure(
    "overdue",
    "Overdue now",
    "open now, with a deadline that passed before the end of the {p}",
)
def _overdue(ctx: Context, m: Measure, periods: Sequence[Period]) -> Grouped:
    closed = [s.value for s in CLOSED_STATUSES]
    due = Referral.next_due_at
    tallies = tally(
        ctx,
        [due < as_at(p, ctx.now) for p in periods],  # type: ignore[operator]
        due.is_not(None),  # type: ignore[union-attr]
        Referral.status.not_in(closed),  # type: ignore[attr-defined]
    )
    zeros = [0] * len(periods)
    return {
        key: [
            Figure(m, p, n, as_at=ctx.now)
            for p, n in zip(periods, found.get(None, zeros), strict=True)
        ]
        for key, found in tallies.items()
    }


@_measure("charges", "Charges", "charged in the {p} (by the date of the charge)")
def _charges(ctx: Context, m: Measure, periods: Sequence[Period]) -> Grouped:
    return counts(ctx, m, periods, Referral.charged_at)


@_measure(
    "convictions",
    "Convictions",
    "court outcome 'convicted' recorded when the referral closed in the {p}",
)
def _convictions(ctx: Context, m: Measure, periods: Sequence[Period]) -> Grouped:
    return counts(ctx, m, periods, Referral.closed_at, Referral.outcome == Outcome.CONVICTED.value)


CHARGED_LABEL = OUTCOME_LABELS[Outcome.CHARGED]


@_measure(
    "outcomes",
    "Outcomes",
    "decided in the {p}: charges by the date of the charge, every other outcome by the date "
    "the referral closed",
    "breakdown",
)
def _outcomes(ctx: Context, m: Measure, periods: Sequence[Period]) -> Grouped:
    charged = {
        key: found.get(None, [0] * len(periods))
        for key, found in tally(
            ctx,
            within(periods, Referral.charged_at),
            window(periods, Referral.charged_at),
        ).items()
    }
    closed = tally(
        ctx,
        within(periods, Referral.closed_at),
        window(periods, Referral.closed_at),
        Referral.outcome.is_not(None),  # type: ignore[union-attr]
        Referral.outcome != "",
        Referral.outcome != Outcome.CHARGED.value,
        by=Referral.outcome,
    )
    order = list(dict.fromkeys(OUTCOME_LABELS.values()))
    return labelled(
        m,
        periods,
        closed,
        lambda outcome: OUTCOME_LABELS.get(outcome, outcome),
        lambda c: tuple((k, c[k]) for k in order if c.get(k)),
        charged,
        CHARGED_LABEL,
    )


def _median_days(
    ctx: Context, m: Measure, periods: Sequence[Period], *, start: Any, end: Any
) -> Grouped:
    buckets = Buckets(ctx, periods)
    pairs: dict[Key, list[list[tuple[datetime, datetime]]]] = {
        key: [[] for _ in periods] for key in ctx.keys
    }
    for key, begun, ended in ctx.session.execute(
        select(ctx.site(), start, end).where(buckets.window(end), start.is_not(None))
    ):
        index = buckets.of(ended)
        if index is not None and key in pairs:
            pairs[key][index].append((begun, ended))
    found: Grouped = {}
    for key, each in pairs.items():
        found[key] = []
        for p, these in zip(periods, each, strict=True):
            values = days(these)
            found[key].append(Figure(m, p, median(values), of=len(values)))
    return found


# The median days from referral to each police step, counted by the day of the step.
for _key, _label, _basis, _step in (
    (
        "days_to_acknowledgement",
        "Median days referral → acknowledgement",
        "acknowledged by police in the {p}: days from referral",
        Referral.acknowledged_at,
    ),
    (
        "days_to_charge",
        "Median days referral → charge",
        "charged in the {p}: days from referral",
        Referral.charged_at,
    ),
):
    _measure(_key, _label, _basis, "days")(
        partial(_median_days, start=Referral.referred_at, end=_step)
    )


# ------------------------------------------------------- the Referral Agreement's rules

R1_PARTS = (RATE_MET, "contacted later", "not contacted (overdue)", "not yet due")


@_measure(
    "r1_police_contact",
    "Police contacted within 24 h of discovery",
    "serious incidents discovered in the {p}",
    "rate",
    "R1",
)
def _r1(ctx: Context, m: Measure, periods: Sequence[Period]) -> Grouped:
    buckets = Buckets(ctx, periods)
    rows = ctx.session.execute(
        select(ctx.site(), Referral.discovered_at, Referral.police_contacted_at)
        .join(CrimeCategory, CrimeCategory.code == Referral.category_code)
        .where(CrimeCategory.serious_incident.is_(True))  # type: ignore[attr-defined]
        .where(buckets.window(Referral.discovered_at))
    )
    for key, started, done in rows:
        due = started + POLICE_CONTACT_WITHIN
        buckets.add(key, started, in_time(R1_PARTS, done, due, ctx.now))
    return buckets.rates(m, R1_PARTS)


R5_PARTS = (RATE_MET, "laid later", "laid, time not recorded", "not laid (overdue)", "not yet due")


@_measure(
    "r5_adjudication",
    "Adjudication charge laid within 48 h of discovery",
    "incidents discovered in the {p}",
    "rate",
    "R5",
)
def _r5(ctx: Context, m: Measure, periods: Sequence[Period]) -> Grouped:
    buckets = Buckets(ctx, periods)
    rows = ctx.session.execute(
        select(
            ctx.site(),
            Referral.discovered_at,
            Referral.adjudication_laid_at,
            Referral.adjudication_charge,
        ).where(buckets.window(Referral.discovered_at))
    )
    for key, discovered, laid, charge in rows:
        due = discovered + ADJUDICATION_WITHIN
        if laid is None and charge:
            buckets.add(key, discovered, "laid, time not recorded")
        else:
            buckets.add(key, discovered, in_time(R5_PARTS, laid, due, ctx.now))
    return buckets.rates(m, R5_PARTS)


R7_PARTS = (RATE_MET, "told late", "not told (overdue)", "not yet due")


@_measure(
    "r7_victims",
    "Victims told of the police decision in time",
    "victims of police decisions in the {p}, each counted once (5 working days; 1 with "
    "enhanced rights)",
    "rate",
    "R7",
)
def _r7(ctx: Context, m: Measure, periods: Sequence[Period]) -> Grouped:
    """Each victim recorded on the case counts once, told when their contact log first has a
    contact at or after the decision; a case whose contact log is not used yet (no contact
    logged for any victim) reads the referral's typed "victim last updated" and "enhanced
    rights" for each; a referral marked "staff victim" with nobody recorded counts once, by
    that typed date. The deadline is the referral's site's setting."""
    from cipco.services.victims import victims_and_contacts

    buckets = Buckets(ctx, periods)
    victim = exists().where(
        ReferralParty.referral_id == Referral.id, ReferralParty.role == PartyRole.VICTIM
    )
    rows = ctx.session.execute(
        select(
            ctx.site(),
            Referral.id,
            Referral.police_decision_at,
            Referral.victim_updated_at,
            Referral.enhanced_victim,
        )
        .where(buckets.window(Referral.police_decision_at))
        .where(or_(Referral.staff_victim.is_(True), victim))  # type: ignore[attr-defined]
    ).all()
    people, contacts = victims_and_contacts(ctx.session, [row[1] for row in rows])
    for key, rid, decided, typed, typed_enhanced in rows:
        settings = ctx.settings.get(key)
        if settings is None:
            continue  # a site not asked for
        summary = typed if typed is not None and typed >= decided else None
        recorded = people.get(rid, [])
        logged = any(contacts.get(pid) for pid, _ in recorded)
        victims = [
            (
                next((at for at in contacts.get(pid, ()) if at >= decided), None)
                if logged
                else summary,
                enhanced if logged else enhanced or bool(typed_enhanced),
            )
            for pid, enhanced in recorded
        ] or [(summary, bool(typed_enhanced))]
        for told, enhanced in victims:
            due = victim_update_due(decided, enhanced, settings)
            buckets.add(key, decided, in_time(R7_PARTS, told, due, ctx.now))
    return buckets.rates(m, R7_PARTS)


# The figures of a performance return, in the order a manager reads them.
PERFORMANCE = (
    "referrals_made",
    "r1_police_contact",
    "r5_adjudication",
    "r7_victims",
    "days_to_acknowledgement",
    "days_to_charge",
    "charges",
    "convictions",
    "open_at_end",
    "overdue",
)
