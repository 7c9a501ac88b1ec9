"""Referral deadlines (R1…R9 and practice) for the due registry.

The referral stores its earliest open deadline (``next_due_at``, refreshed on every write),
so the candidates are picked in SQL: a referral with any deadline before the horizon has
its earliest one before it. Every open deadline of each candidate is then worded by the one
rule book, :func:`cipco.services.flags.referral_flags`, so a referral with R5 overdue and R9
due this week shows both; R7 per victim from the contact log, and what is due in its papers
(statements MG11, medical disclaimers MED, CPS actions, statement meetings MEET), read in
one pass for every candidate.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from cipco import dbread
from cipco.services.casework.due import bulk_inputs
from cipco.services.due import DueContext, DueItem, RecordRef, Rule
from cipco.services.flags import FlagSettings, referral_flags

AGREEMENT = "Crime in Prison Referral Agreement"
RULES = (
    Rule("R1", "R1 police contact 24 h", "referrals", AGREEMENT),
    Rule("R2", "R2 mandatory referral", "referrals", AGREEMENT),
    Rule("R3", "R3 staff victim asked", "referrals", AGREEMENT),
    Rule("R4", "R4 terrorism conviction", "referrals", AGREEMENT),
    Rule("R5", "R5 adjudication 48 h", "referrals", AGREEMENT),
    Rule("R6", "R6 summary-only limit", "referrals", AGREEMENT),
    Rule("R7", "R7 victim update", "referrals", "Victims' Code"),
    Rule("R9", "R9 footage preservation", "referrals", "practice"),
    Rule("ACK", "Police acknowledgement", "referrals"),
    Rule("FORCE", "Police force missing", "referrals"),
    Rule("NEXT", "Next step", "referrals"),
    Rule("MG11", "Statement awaited", "referrals"),
    Rule("MED", "Medical disclaimer not returned", "referrals"),
    Rule("CPS", "CPS action due", "referrals"),
    Rule("MEET", "Staff release for statement meeting", "referrals"),
)


@dataclass(frozen=True)
class ReferralFacts:
    """What the rule book reads of a referral (:func:`cipco.services.flags.referral_flags`),
    from a plain row: the same fields as the model, read with :mod:`cipco.dbread`."""

    id: int
    reference: str
    status: str
    discovered_at: datetime
    incident_at: datetime
    police_contacted_at: datetime | None
    staff_victim: bool
    victim_wants_police: bool
    terrorism_conviction: bool
    adjudication_charge: str | None
    adjudication_laid_at: datetime | None
    summary_only: bool
    police_decision_at: datetime | None
    victim_updated_at: datetime | None
    enhanced_victim: bool
    footage_requested_on: date | None
    referred_at: datetime | None
    force_id: str | None
    crime_ref: str | None
    next_step_due: date | None
    next_step: str | None

    @classmethod
    def of(cls, row: tuple[Any, ...]) -> ReferralFacts:
        """From a :data:`cipco.dbread.REFERRALS_DUE` row (its first 21 values)."""
        i, f, d = dbread.instant, dbread.flag, dbread.day
        return cls(
            int(row[0]), row[1], row[2], i(row[3]), i(row[4]), i(row[5]),  # type: ignore[arg-type]
            f(row[6]), f(row[7]), f(row[8]), row[9], i(row[10]), f(row[11]), i(row[12]),
            i(row[13]), f(row[14]), d(row[15]), i(row[16]), row[17], row[18], d(row[19]),
            row[20],
        )  # fmt: skip


@dataclass(frozen=True)
class CategoryFacts:
    """What the rule book reads of a crime category."""

    serious_incident: bool
    mandatory_referral: bool


def items(ctx: DueContext) -> Iterator[DueItem]:
    rows = dbread.referrals_due(ctx.session, ctx.until)
    if not rows:
        return
    cfg = FlagSettings.from_values(ctx.settings())
    referrals = [ReferralFacts.of(row) for row in rows]
    inputs = bulk_inputs(ctx.session, referrals, cfg)
    now = ctx.now
    for referral, row in zip(referrals, rows, strict=True):
        category = CategoryFacts(dbread.flag(row[21]), dbread.flag(row[22]))
        victims, papers = inputs.of(referral.id)
        about = f"{row[23]} {row[24] or ''}".strip()
        under_rule: dict[str, int] = {}  # two CPS actions (two victims…) of one referral
        for flag in referral_flags(referral, category, cfg, victims=victims, papers=papers):  # type: ignore[arg-type]
            if flag.due_at > ctx.until:
                break  # earliest first
            nth = under_rule[flag.rule] = under_rule.get(flag.rule, 0) + 1
            yield DueItem(
                RecordRef("referrals", referral.id, referral.reference, row[25] or ""),
                flag.rule,
                flag.label,
                flag.due_at,
                flag.severity(now),
                about=about,
                part=str(nth) if nth > 1 else "",
            )
