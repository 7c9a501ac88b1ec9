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

from sqlalchemy import and_, exists, not_, or_, select
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
    Counted,
    Grouped,
    Key,
    as_at,
    counted,
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
_COUNTED: dict[str, Counted] = {}


def _measure(
    key: str, label: str, basis: str, kind: str = "count", rule: str = ""
) -> Callable[[Compute], Compute]:
    def register(fn: Compute) -> Compute:
        MEASURES[key] = Measure(key, label, basis, kind, rule)
        _COMPUTE[key] = fn
        return fn

    return register


def _counted(key: str, label: str, basis: str, spec: Counted) -> None:
    """Register a count measure the database counts (several are counted in one read)."""
    _COUNTED[key] = spec
    _measure(key, label, basis)(
        lambda ctx, m, periods: counted(ctx, {key: (m, spec, periods)})[key]
    )


def _dated(column: Any, *also: Any) -> Counted:
    """Count the referrals whose ``column`` falls in each period (and that meet ``also``)."""
    return Counted(
        lambda ctx, periods: within(periods, column),
        lambda ctx, periods: [window(periods, column), *also],
    )


Ask = tuple[str, Period]  # a measure's key and the period it is asked for


def _compute(ctx: Context, asks: Sequence[Ask]) -> dict[Ask, dict[Key, Figure]]:
    """Each measure asked for, for its period: the count measures in one read together."""
    together = {
        ask: (MEASURES[ask[0]], _COUNTED[ask[0]], [ask[1]])
        for ask in dict.fromkeys(asks)
        if ask[0] in _COUNTED
    }
    found = counted(ctx, together) if len(together) > 1 else {}
    for key, period in asks:
        if (key, period) not in found:
            found[key, period] = _COMPUTE[key](ctx, MEASURES[key], [period])
    return {ask: {group: shown[0] for group, shown in found[ask].items()} for ask in asks}


def measure(key: str) -> Measure:
    return MEASURES[key]


def figures(session: Session, keys: Iterable[str], period: Period, clock: Clock) -> list[Figure]:
    """The figures ``keys`` for one period, in that order, over every row the session reads
    (one site's, on its own file or login)."""
    asks = [(key, period) for key in keys]
    found = _compute(_context(session, clock), asks)
    return [found[ask][None] for ask in asks]


def figures_by_site(
    session: Session,
    keys: Iterable[str],
    period: Period,
    clock: Clock,
    sites: Sequence[str],
    *,
    also: Sequence[Ask] = (),
) -> dict[str, list[Figure]]:
    """Each of ``sites``' figures ``keys`` for one period (then the figures ``also`` asks
    for, each for its own period), each site's as :func:`figures` gives them over that
    site's rows alone: one pass per measure, grouped by site."""
    asks = [(key, period) for key in keys] + list(also)
    found = _compute(_context(session, clock, tuple(sites)), asks)
    return {site: [found[ask][site] for ask in asks] for site in sites}


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


_counted(
    "referrals_made",
    "Referrals made",
    "referred to police in the {p}",
    _dated(Referral.referred_at),
)


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


_counted(
    "open_at_end",
    "Open referrals",
    "referred and not closed at the end of the {p} (or now, if it has not ended)",
    Counted(
        lambda ctx, periods: [
            and_(
                Referral.referred_at < at,  # type: ignore[operator]
                or_(Referral.closed_at.is_(None), Referral.closed_at >= at),  # type: ignore[operator, union-attr]
            )
            for at in (as_at(p, ctx.now) for p in periods)
        ],
        lambda ctx, periods: [
            Referral.referred_at.is_not(None),  # type: ignore[union-attr]
            Referral.referred_at < max(as_at(p, ctx.now) for p in periods),  # type: ignore[operator]
            or_(
                Referral.closed_at.is_(None),  # type: ignore[union-attr]
                Referral.closed_at >= min(as_at(p, ctx.now) for p in periods),  # type: ignore[operator]
            ),
        ],
        lambda ctx, period: as_at(period, ctx.now),
    ),
)
_counted(
    "overdue",
    "Overdue now",
    "open now, with a deadline that passed before the end of the {p}",
    Counted(
        lambda ctx, periods: [Referral.next_due_at < as_at(p, ctx.now) for p in periods],  # type: ignore[operator]
        lambda ctx, periods: [
            Referral.next_due_at.is_not(None),  # type: ignore[union-attr]
            Referral.status.not_in([s.value for s in CLOSED_STATUSES]),  # type: ignore[attr-defined]
        ],
        lambda ctx, period: ctx.now,
    ),
)
_counted(
    "charges",
    "Charges",
    "charged in the {p} (by the date of the charge)",
    _dated(Referral.charged_at),
)
_counted(
    "convictions",
    "Convictions",
    "court outcome 'convicted' recorded when the referral closed in the {p}",
    _dated(Referral.closed_at, Referral.outcome == Outcome.CONVICTED.value),
)


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
    """A charge not laid is counted by the database (its part needs only the discovery and
    now); a charge laid is read to compare its time with the discovery's."""
    buckets = Buckets(ctx, periods)
    discovered, laid = Referral.discovered_at, Referral.adjudication_laid_at
    charge = Referral.adjudication_charge
    recorded = and_(charge.is_not(None), charge != "")  # type: ignore[union-attr]
    passed = discovered < ctx.now - ADJUDICATION_WITHIN  # type: ignore[operator]
    unlaid = {
        "laid, time not recorded": recorded,
        "not laid (overdue)": and_(not_(recorded), passed),
        "not yet due": and_(not_(recorded), not_(passed)),
    }
    found = tally(
        ctx,
        [and_(part, span) for part in unlaid.values() for span in within(periods, discovered)],
        buckets.window(discovered),
        laid.is_(None),  # type: ignore[union-attr]
    )
    buckets.put(found, list(unlaid))
    rows = ctx.session.execute(
        select(ctx.site(), discovered, laid).where(
            buckets.window(discovered),
            laid.is_not(None),  # type: ignore[union-attr]
        )
    )
    for key, at, done in rows:
        buckets.add(key, at, in_time(R5_PARTS, done, at + ADJUDICATION_WITHIN, ctx.now))
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
