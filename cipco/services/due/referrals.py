"""Referral deadlines (R1…R9 and practice) for the due registry.

The referral stores its earliest open deadline (``next_due_at``, refreshed on every write),
so the candidates are picked in SQL: a referral with any deadline before the horizon has
its earliest one before it. Every open deadline of each candidate is then worded by the one
rule book, :func:`cipco.services.flags.referral_flags`, so a referral with R5 overdue and R9
due this week shows both.
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from cipco.models.people import Prisoner
from cipco.models.reference import CrimeCategory
from cipco.models.referral import PartyRole, Referral, ReferralParty
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
    ids = [row[0].id for row in rows]
    with_victims: set[int] = set()
    for start in range(0, len(ids), 500):  # SQLite's bound-parameter limit
        chunk = ids[start : start + 500]
        with_victims.update(
            session.scalars(
                select(ReferralParty.referral_id).where(
                    ReferralParty.referral_id.in_(chunk),  # type: ignore[attr-defined]
                    ReferralParty.role == PartyRole.VICTIM.value,
                )
            )
        )
    cfg = _settings(ctx)
    now = ctx.now
    for referral, category, nomis, name in rows:
        victims = bool(referral.staff_victim) or referral.id in with_victims
        about = f"{nomis} {name or ''}".strip()
        for flag in referral_flags(referral, category, cfg, has_victims=victims):
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
