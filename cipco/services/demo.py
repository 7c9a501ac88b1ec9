"""Realistic, deterministic demo data: the data for the TUI, larger tests and benchmarks.

The same ``seed`` and the same clock give the same rows. Rows are bulk-inserted (the audit
trail records one "demo data" event rather than a million field changes). Each log adds its
own generator to ``EXTENSIONS``; they run after the referrals, in order.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, insert, select
from sqlmodel import Session

from cipco.clock import Clock, to_london
from cipco.models.audit import AuditEvent
from cipco.models.people import Prisoner
from cipco.models.reference import CrimeCategory, Force
from cipco.models.referral import (
    AGGRAVATING_FACTORS,
    EVIDENCE_ITEMS,
    OUTCOMES_FOR_DEMO,
    AdjudicationState,
    Referral,
    ReferralParty,
    Status,
    StatusChange,
)
from cipco.services.demo_words import (
    CATEGORY_WEIGHTS,
    DESCRIPTIONS,
    FORENAMES,
    LOCATIONS,
    OFFICERS,
    STAFF,
    SURNAMES,
)
from cipco.services.flags import CLOSED_STATUSES, FlagSettings, apply_next_due, referral_flags
from cipco.services.referrals import flag_settings

PATH = (
    Status.DRAFT,
    Status.REFERRED,
    Status.ACKNOWLEDGED,
    Status.INVESTIGATING,
    Status.WITH_CPS,
    Status.CHARGED,
    Status.AT_COURT,
    Status.CONCLUDED,
)


def insert_keyed(
    session: Session, model: Any, rows: list[dict[str, Any]], key: str
) -> dict[Any, int]:
    """Bulk-insert ``rows`` and return the new ids by each row's ``key`` value."""
    session.execute(insert(model), rows)
    column = getattr(model, key)
    found = select(column, model.id).where(column.in_([row[key] for row in rows]))
    return dict(session.execute(found).all())  # type: ignore[arg-type]


@dataclass
class DemoContext:
    """What the referrals generator made, for the other logs' generators to build on."""

    rng: random.Random
    clock: Clock
    referral_ids: list[int] = field(default_factory=list)
    referral_status: dict[int, str] = field(default_factory=dict)
    referral_prisoner: dict[int, int] = field(default_factory=dict)
    referral_incident: dict[int, datetime] = field(default_factory=dict)
    prisoner_ids: list[int] = field(default_factory=list)
    staff: tuple[str, ...] = tuple(STAFF)
    officers: tuple[str, ...] = tuple(OFFICERS)
    force_id: str = "west-yorkshire"
    seed: int = 1  # for a generator that draws from its own sequence (seed + N)


Extension = Callable[[Session, DemoContext, Callable[[str, int], None]], int]
EXTENSIONS: list[tuple[str, Extension]] = []


def register(name: str) -> Callable[[Extension], Extension]:
    """Decorator for a log's demo generator: ``@demo.register("exhibits")``."""

    def wrap(fn: Extension) -> Extension:
        EXTENSIONS.append((name, fn))
        return fn

    return wrap


def nomis_number(rng: random.Random) -> str:
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    return (
        rng.choice("AGH")
        + f"{rng.randrange(1000, 10000)}"
        + rng.choice(letters)
        + rng.choice(letters)
    )


# How long a referral stays open [ours, for realistic demo data]: most are decided within
# weeks (NFA, withdrawn, returned to the prison), a few run for months (CPS, court). The chance
# that a referral this many days old is still open is a sum of two decaying terms; with a steady
# referral rate the open share is about OPEN_MEAN_DAYS / span (2-3% over three years).
OPEN_SHORT = (0.8, 20.0)  # weight, mean days: the bulk, decided quickly
OPEN_LONG = (0.08, 100.0)  # the long tail: with CPS, charged, at court
OPEN_MEAN_DAYS = OPEN_SHORT[0] * OPEN_SHORT[1] + OPEN_LONG[0] * OPEN_LONG[1]


def still_open_chance(age_days: float) -> float:
    """The chance that a demo referral discovered ``age_days`` ago is still open."""
    (short_w, short_days), (long_w, long_days) = OPEN_SHORT, OPEN_LONG
    return short_w * math.exp(-age_days / short_days) + long_w * math.exp(-age_days / long_days)


def _nfa(rng: random.Random) -> tuple[Status, str | None, str | None]:
    outcome = rng.choice(OUTCOMES_FOR_DEMO)
    return (Status.NFA, "Police decision: " + outcome.replace("_", " "), outcome)


def _open_walk(rng: random.Random, age_days: int) -> list[tuple[Status, str | None, str | None]]:
    """An open referral's path so far: further along the older it is."""
    if age_days < 14 and rng.random() < (0.8 if age_days < 2 else 0.5):
        return []  # still a draft: the coordinator has not decided yet
    if age_days < 7:
        depth = rng.choice((1, 1, 2, 2, 3))
    elif age_days < 30:
        depth = rng.choice((1, 2, 2, 3, 3, 3))
    elif age_days < 90:
        depth = rng.choice((2, 3, 3, 3, 4, 5))
    else:
        depth = rng.choice((3, 4, 5, 5, 6, 6))
    moves: list[tuple[Status, str | None, str | None]] = []
    for step in PATH[1 : depth + 1]:
        if step == Status.WITH_CPS and depth > 4 and rng.random() < 0.4:
            continue  # police charged directly
        moves.append((step, None, None))
    return moves


# Open work in every queue [ours, for demo data]: the first referrals generated are open
# ones at each stage (how far along the workflow, how many days old), so the TUI, the tests'
# larger cases and the benchmarks always have something to refer, chase, investigate and
# take to court. The random draws are made as before, so every other record stays the same.
OPEN_IN_EVERY_QUEUE = (
    (0, 1),
    (0, 4),
    (1, 2),
    (1, 9),
    (2, 12),
    (3, 25),
    (3, 50),
    (4, 80),
    (5, 120),
    (6, 160),
)


def _seeded_open_walk(index: int) -> list[tuple[Status, str | None, str | None]]:
    """The path of the ``index``-th seeded open referral (see OPEN_IN_EVERY_QUEUE)."""
    depth = OPEN_IN_EVERY_QUEUE[index][0]
    return [(step, None, None) for step in PATH[1 : depth + 1]]


# How decided referrals ended [ours, for demo data]: NFA before or after investigation,
# out-of-court disposal, returned to the prison, or charged and through court. Court takes
# months, so referrals under COURT_AFTER_DAYS old end without it.
ENDINGS_OLD = (("nfa_early", 15), ("nfa", 40), ("out_of_court", 8), ("returned", 7), ("court", 30))
ENDINGS_YOUNG = (("nfa_early", 20), ("nfa", 55), ("out_of_court", 10), ("returned", 15))
COURT_AFTER_DAYS = 90


def _closed_walk(rng: random.Random, age_days: int) -> list[tuple[Status, str | None, str | None]]:
    """A decided referral's path; only older ones can have reached a court result."""
    if rng.random() < 0.05:
        return [(Status.WITHDRAWN, "Victim declined and evidence insufficient to refer", None)]
    endings = ENDINGS_OLD if age_days >= COURT_AFTER_DAYS else ENDINGS_YOUNG
    ending = rng.choices([e for e, _ in endings], [w for _, w in endings])[0]
    moves: list[tuple[Status, str | None, str | None]] = [
        (Status.REFERRED, None, None),
        (Status.ACKNOWLEDGED, None, None),
    ]
    if ending == "nfa_early":
        moves.append(_nfa(rng))
        return moves
    moves.append((Status.INVESTIGATING, None, None))
    if ending == "nfa":
        moves.append(_nfa(rng))
    elif ending == "out_of_court":
        moves.append((Status.OUT_OF_COURT, None, "caution"))
    elif ending == "returned":
        moves.append((Status.RETURNED, "Police declined; adjudication resumed", None))
    else:
        if rng.random() < 0.6:
            moves.append((Status.WITH_CPS, None, None))
        moves.append((Status.CHARGED, None, None))
        moves.append((Status.AT_COURT, None, None))
        result = rng.choice(["convicted", "convicted", "convicted", "acquitted"])
        moves.append((Status.CONCLUDED, None, result))
    return moves


def _walk(rng: random.Random, age_days: int) -> list[tuple[Status, str | None, str | None]]:
    """A plausible path through the workflow for a referral this old.

    Old referrals are almost all decided; only recent ones (and a few long-running cases at
    CPS or court) are still open.
    """
    if rng.random() < still_open_chance(age_days):
        return _open_walk(rng, age_days)
    return _closed_walk(rng, age_days)


def _prisoners(session: Session, rng: random.Random, count: int, clock: Clock) -> list[int]:
    seen: set[str] = set(session.scalars(select(Prisoner.nomis_number)))
    rows = []
    while len(rows) < count:
        number = nomis_number(rng)
        if number in seen:
            continue
        seen.add(number)
        rows.append(
            {
                "nomis_number": number,
                "name": f"{rng.choice(SURNAMES)}, {rng.choice(FORENAMES)}",
                "pnc": None,
                "location": "this prison",
                "created_at": clock.now(),
            }
        )
    session.execute(insert(Prisoner), rows)
    return list(
        session.scalars(
            select(Prisoner.id).where(Prisoner.nomis_number.in_([r["nomis_number"] for r in rows]))  # type: ignore[attr-defined]
        )
    )


def generate(
    session: Session,
    clock: Clock,
    *,
    referrals: int = 300,
    seed: int = 1,
    progress: Callable[[str, int], None] | None = None,
    years: float = 3.0,
) -> dict[str, int]:
    """Fill the database with demo data. Returns counts per kind of record."""
    rng = random.Random(seed)
    tick = progress or (lambda _stage, _n: None)
    now = clock.now()
    categories = {c.code: c for c in session.scalars(select(CrimeCategory))}
    weights = [(code, w) for code, w in CATEGORY_WEIGHTS.items() if code in categories]
    codes = [c for c, _ in weights]
    cum = [w for _, w in weights]
    force_ids = set(session.scalars(select(Force.id)))
    force = "west-yorkshire" if "west-yorkshire" in force_ids else sorted(force_ids)[0]
    ctx = DemoContext(rng=rng, clock=clock, force_id=force, seed=seed)
    cfg: FlagSettings = flag_settings(session)

    prisoner_count = max(20, referrals // 3)
    ctx.prisoner_ids = _prisoners(session, rng, prisoner_count, clock)
    # A few prolific prisoners feature in many referrals (repeat offenders).
    prolific = ctx.prisoner_ids[: max(3, prisoner_count // 40)]
    year_prefix_count: dict[int, int] = {}
    existing = session.scalar(select(func.count()).select_from(Referral)) or 0
    span_days = int(365 * years)

    batch: list[dict[str, Any]] = []
    changes: list[tuple[int, list[dict[str, Any]]]] = []
    parties: list[tuple[int, list[dict[str, Any]]]] = []

    def flush() -> None:
        if not batch:
            return
        first_ref = batch[0]["reference"]
        ids = insert_keyed(session, Referral, batch, "reference")
        change_rows = [row | {"referral_id": ids[ref]} for ref, rows in changes for row in rows]
        party_rows = [row | {"referral_id": ids[ref]} for ref, rows in parties for row in rows]
        if change_rows:
            session.execute(insert(StatusChange), change_rows)
        if party_rows:
            session.execute(insert(ReferralParty), party_rows)
        for b in batch:
            rid = ids[b["reference"]]
            ctx.referral_ids.append(rid)
            ctx.referral_status[rid] = b["status"]
            ctx.referral_prisoner[rid] = b["prisoner_id"]
            ctx.referral_incident[rid] = b["incident_at"]
        tick("referrals", len(batch))
        del first_ref
        batch.clear()
        changes.clear()
        parties.clear()

    # A steady referral rate over the span (a tracker's intake hardly changes month to month);
    # which of them are still open depends on age (see ``_walk``).
    # a file of a few referrals keeps its random mix; a larger one starts with the seeded ones
    seeded_open = len(OPEN_IN_EVERY_QUEUE) if referrals >= 4 * len(OPEN_IN_EVERY_QUEUE) else 0
    for index in range(referrals):
        age_days = int(rng.uniform(0, span_days))
        if index < seeded_open:
            age_days = OPEN_IN_EVERY_QUEUE[index][1]
        incident_at = (now - timedelta(days=age_days, hours=rng.randrange(0, 14))).replace(
            minute=rng.choice((0, 5, 10, 15, 20, 30, 40, 45, 50)), second=0, microsecond=0
        )
        if incident_at > now:
            incident_at = now - timedelta(hours=1)
        discovered_at = incident_at + timedelta(minutes=rng.choice((0, 0, 10, 30, 90, 240)))
        if discovered_at > now:
            discovered_at = incident_at
        code = rng.choices(codes, cum)[0]
        category = categories[code]
        year = to_london(incident_at).year
        year_prefix_count[year] = year_prefix_count.get(year, 0) + 1
        reference = f"REF-{year}-{year_prefix_count[year] + existing:05d}"
        prisoner_id = rng.choice(prolific) if rng.random() < 0.12 else rng.choice(ctx.prisoner_ids)
        staff_victim = code.startswith("STAFF") or code in ("POTTING", "THREAT_TO_KILL")
        staff_name = rng.choice(STAFF)
        moves = _walk(rng, age_days)
        if index < seeded_open:
            moves = _seeded_open_walk(index)
        status = moves[-1][0] if moves else Status.DRAFT
        when = discovered_at
        change_rows = [
            {
                "from_status": None,
                "to_status": Status.DRAFT.value,
                "happened_at": discovered_at,
                "recorded_at": discovered_at,
                "actor": "coordinator",
                "reason": "created",
                "outcome": None,
            }
        ]
        stamps: dict[str, datetime] = {}
        previous = Status.DRAFT
        outcome = None
        reason = None
        for step, step_reason, step_outcome in moves:
            gap = (
                timedelta(hours=rng.randrange(2, 30))
                if step == Status.REFERRED
                else timedelta(days=rng.randrange(3, 40))
            )
            when = min(when + gap, now)
            stamps[step.value] = when
            change_rows.append(
                {
                    "from_status": previous.value,
                    "to_status": step.value,
                    "happened_at": when,
                    "recorded_at": when,
                    "actor": "coordinator",
                    "reason": step_reason,
                    "outcome": step_outcome or ("charged" if step == Status.CHARGED else None),
                }
            )
            previous = step
            reason = step_reason
            outcome = step_outcome or ("charged" if step == Status.CHARGED else outcome)
        acknowledged = "acknowledged" in stamps
        decision_at = None
        for key in ("concluded", "nfa", "out_of_court", "charged"):
            if key in stamps:
                decision_at = stamps[key]
                break
        officer = rng.choice(OFFICERS) if acknowledged else None
        laid = rng.random() < 0.9 or age_days > 30  # old gaps have long been put right
        row: dict[str, Any] = {
            "reference": reference,
            "prisoner_id": prisoner_id,
            "category_code": code,
            "incident_at": incident_at,
            "discovered_at": discovered_at,
            "location": rng.choice(LOCATIONS),
            "description": DESCRIPTIONS.get(code, "Incident referred.").format(staff=staff_name),
            "aggravating_factors": sorted(
                rng.sample(list(AGGRAVATING_FACTORS), k=rng.choice((0, 0, 1, 1, 2)))
            ),
            "staff_victim": staff_victim,
            "victim_wants_police": staff_victim and rng.random() < 0.8,
            "terrorism_conviction": rng.random() < 0.01,
            "summary_only": bool(category.summary_only_possible and rng.random() < 0.5),
            "force_id": force if status != Status.DRAFT else None,
            "crime_ref": (f"13{to_london(incident_at):%y}{rng.randrange(100000, 999999)}")
            if acknowledged
            else None,
            "oic_name": officer,
            "oic_collar": str(rng.randrange(1000, 9999)) if officer else None,
            "oic_phone": f"01132 {rng.randrange(100000, 999999)}" if officer else None,
            "oic_email": (officer.split()[-1].lower() + "@police.example") if officer else None,
            "adjudication_charge": f"{rng.randrange(100000, 999999)}" if laid else None,
            "adjudication_state": AdjudicationState.REFER_POLICE.value if laid else None,
            # 4 to 63 hours after discovery (from the reference, so the random sequence and
            # every other demo value stay as they were): mostly within R5's 48 hours
            "adjudication_laid_at": min(
                discovered_at + timedelta(hours=4 + int(reference[-2:]) % 60), now
            )
            if laid
            else None,
            "footage_requested_on": (to_london(discovered_at).date() + timedelta(days=1))
            if rng.random() < 0.9 or age_days > 40
            else None,
            "evidence": {k: rng.random() < 0.6 for k in EVIDENCE_ITEMS},
            "notes": "",
            "next_step": None,
            "next_step_due": None,
            "status": status.value,
            "outcome": outcome,
            "outcome_number": None,
            "outcome_detail": None,
            "status_reason": reason,
            "police_contacted_at": stamps.get("referred"),
            "referred_at": stamps.get("referred"),
            "acknowledged_at": stamps.get("acknowledged"),
            "police_decision_at": decision_at,
            "charged_at": stamps.get("charged"),
            "closed_at": when if status in CLOSED_STATUSES else None,
            "victim_updated_at": (decision_at + timedelta(days=rng.randrange(0, 4)))
            if decision_at and (rng.random() < 0.85 or age_days > 60)
            else None,
            "enhanced_victim": False,
            "created_at": discovered_at,
            "updated_at": when,
            "version": 1,
        }
        if row["victim_updated_at"] and row["victim_updated_at"] > now:
            row["victim_updated_at"] = now
        if status not in CLOSED_STATUSES and rng.random() < 0.3:
            row["next_step"] = rng.choice(
                (
                    "Chase OIC for interview date",
                    "Send CCTV stills to OIC",
                    "Obtain victim statement",
                    "Confirm CPS file submission",
                    "Check adjudication adjourned",
                )
            )
            row["next_step_due"] = to_london(now).date() + timedelta(days=rng.randrange(-6, 15))
        transient = Referral(**row)
        flags = referral_flags(transient, category, cfg, has_victims=staff_victim)
        apply_next_due(transient, flags)
        row["next_due_at"] = transient.next_due_at
        row["next_warn_at"] = transient.next_warn_at
        row["next_due_label"] = transient.next_due_label
        batch.append(row)
        changes.append((reference, change_rows))
        party_rows = []
        if staff_victim:
            party_rows.append(
                {
                    "role": "victim",
                    "kind": "staff",
                    "name": staff_name,
                    "nomis_number": None,
                    "statement_taken": acknowledged,
                    "enhanced_rights": False,
                }
            )
        if rng.random() < 0.5:
            witness = rng.choice(STAFF)
            if staff_victim and witness == staff_name:  # the next colleague, not the victim
                witness = STAFF[(STAFF.index(witness) + 1) % len(STAFF)]
            party_rows.append(
                {
                    "role": "witness",
                    "kind": "staff",
                    "name": witness,
                    "nomis_number": None,
                    "statement_taken": rng.random() < 0.7,
                    "enhanced_rights": False,
                }
            )
        parties.append((reference, party_rows))
        if len(batch) >= 2000 or index == referrals - 1:
            flush()
    flush()

    counts = {"prisoners": len(ctx.prisoner_ids), "referrals": len(ctx.referral_ids)}
    # The clinic agenda is drawn from every other log, so its generator runs last.
    for name, extension in sorted(EXTENSIONS, key=lambda entry: entry[0] == "clinics"):
        counts[name] = extension(session, ctx, tick)
    session.execute(
        insert(AuditEvent),
        [
            {
                "table_name": "demo",
                "record_id": 0,
                "action": "insert",
                "field": None,
                "old": None,
                "new": f"demo data seed={seed} " + ", ".join(f"{k}={v}" for k, v in counts.items()),
                "actor": session.info.get("actor") or "cipco demo",
                "at": now,
            }
        ],
    )
    return counts


from cipco.services import demo_casework as _demo_casework  # noqa: E402,F401
from cipco.services import demo_clinic as _demo_clinic  # noqa: E402,F401
from cipco.services import demo_exhibits as _demo_exhibits  # noqa: E402,F401
from cipco.services import demo_persons as _demo_persons  # noqa: E402,F401
