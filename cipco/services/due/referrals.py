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

from sqlalchemy import select

from cipco.models.people import Prisoner
from cipco.models.reference import CrimeCategory
from cipco.models.referral import Referral
from cipco.services.due import DueContext, DueItem, RecordRef, Rule
from cipco.services.flags import FlagSettings, referral_flags
from cipco.services.referrals.rules import bulk_inputs

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


def _settings(ctx: DueContext) -> FlagSettings:
    from cipco.services import settings

    return FlagSettings.from_values(settings.all_settings(ctx.session))


def items(ctx: DueContext) -> Iterator[DueItem]:
    session = ctx.session
    rows = session.execute(
        select(Referral, CrimeCategory, Prisoner.nomis_number, Prisoner.name)
        .join(CrimeCategory, CrimeCategory.code == Referral.category_code)
        .join(Prisoner, Prisoner.id == Referral.prisoner_id)
        .where(Referral.next_due_at.is_not(None), Referral.next_due_at <= ctx.until)  # type: ignore[union-attr,operator]
    ).all()
    if not rows:
        return
    cfg = _settings(ctx)
    inputs = bulk_inputs(session, [row[0] for row in rows], cfg)
    now = ctx.now
    for referral, category, nomis, name in rows:
        victims, papers = inputs.of(referral.id)
        about = f"{nomis} {name or ''}".strip()
        for flag in referral_flags(referral, category, cfg, victims=victims, papers=papers):
            if flag.due_at > ctx.until:
                break  # earliest first
            yield DueItem(
                RecordRef("referrals", int(referral.id), referral.reference),
                flag.rule,
                flag.label,
                flag.due_at,
                flag.severity(now),
                about=about,
            )
