"""Due flags for referrals, from the Crime in Prison Referral Agreement and the Victims' Code.

Each open deadline is a :class:`DueFlag` with the instant it falls due and the instant it
turns amber. The earliest one is stored on the referral (``next_due_*``) on every write, so
queues, "overdue" and sorting run in SQL. Deadlines depend on recorded facts, not on today.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import TYPE_CHECKING

from cipco.clock import add_months, add_working_days, end_of_day, london_midnight, to_london
from cipco.models.vocab import Status

if TYPE_CHECKING:  # the rules read any object with these fields: a model or a plain row
    from cipco.models.reference import CrimeCategory
    from cipco.models.referral import Referral

CLOSED_STATUSES = frozenset(
    {
        Status.CONCLUDED,
        Status.NFA,
        Status.OUT_OF_COURT,
        Status.RETURNED,
        Status.WITHDRAWN,
        Status.TRANSFERRED,
    }
)
POLICE_DECISION_STATUSES = frozenset(
    {Status.CHARGED, Status.NFA, Status.OUT_OF_COURT, Status.CONCLUDED}
)
CHARGED_OR_LATER = frozenset({Status.CHARGED, Status.AT_COURT, Status.CONCLUDED})
POLICE_CONTACT_WITHIN = timedelta(hours=24)  # R1: serious incident, from discovery
ADJUDICATION_WITHIN = timedelta(hours=48)  # R5: charge laid, from discovery


class Severity(StrEnum):
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    PENDING = "pending"
    DONE = "done"


SEVERITY_MARKERS = {
    Severity.OVERDUE: "!",
    Severity.DUE_SOON: "~",
    Severity.PENDING: "",
    Severity.DONE: "",
}


@dataclass(frozen=True)
class DueFlag:
    rule: str
    label: str
    due_at: datetime
    warn_at: datetime

    def severity(self, now: datetime) -> Severity:
        if now > self.due_at:
            return Severity.OVERDUE
        if now >= self.warn_at:
            return Severity.DUE_SOON
        return Severity.PENDING


@dataclass(frozen=True)
class FlagSettings:
    due_soon_working_days: int = 2
    referral_decision_working_days: int = 2
    footage_overwrite_days: int = 28
    footage_warn_days: int = 7
    victim_update_working_days: int = 5
    victim_update_enhanced_working_days: int = 1
    acknowledgement_chase_working_days: int = 5

    @classmethod
    def from_values(cls, values: dict[str, int | str]) -> FlagSettings:
        names = cls.__dataclass_fields__
        return cls(**{k: int(v) for k, v in values.items() if k in names})


def _working_deadline(start: datetime, days: int) -> datetime:
    return end_of_day(add_working_days(to_london(start).date(), days))


def victim_update_due(decided_at: datetime, enhanced: bool, settings: FlagSettings) -> datetime:
    """R7: when victims must have been told of a police decision made at ``decided_at``
    (5 working days, 1 for victims with enhanced rights; both settings)."""
    days = (
        settings.victim_update_enhanced_working_days
        if enhanced
        else settings.victim_update_working_days
    )
    return _working_deadline(decided_at, days)


@dataclass(frozen=True)
class VictimUpdate:
    """R7 for one victim: the first key police decision they have not been told of since
    their last logged contact (``name`` None: the staff victim is not recorded yet)."""

    party_id: int | None
    name: str | None
    enhanced: bool
    decided_at: datetime
    decision: str  # "NFA", "File to CPS", ... in words

    def due_at(self, settings: FlagSettings) -> datetime:
        return victim_update_due(self.decided_at, self.enhanced, settings)

    @property
    def label(self) -> str:
        if self.name is None:
            return f"Record the staff victim and tell them: {self.decision}"
        return f"Tell {self.name}: {self.decision}"


def _flag(rule: str, label: str, due_at: datetime, settings: FlagSettings) -> DueFlag:
    warn_day = add_working_days(to_london(due_at).date(), -settings.due_soon_working_days)
    warn_at = min(london_midnight(warn_day), due_at)
    return DueFlag(rule, label, due_at, warn_at)


def referral_flags(
    referral: Referral,
    category: CrimeCategory | None,
    settings: FlagSettings,
    *,
    has_victims: bool = False,
    victims: Sequence[VictimUpdate] | None = None,
    papers: Sequence[DueFlag] = (),
) -> list[DueFlag]:
    """Every open deadline of one referral, earliest first.

    R7 is due per victim: ``victims`` (from the contact log, :mod:`cipco.services.casework`)
    gives each victim not yet told of a key decision. Bulk paths that have no contact log to
    read (new rows of an import) give ``has_victims`` instead: the referral's own summary
    (``victim_updated_at``, kept by the contact log) then stands for all its victims.
    ``papers``: what is due in its statements, disclaimers, CPS actions and meetings.
    """
    flags: list[DueFlag] = []
    status = Status(referral.status)
    open_case = status not in CLOSED_STATUSES
    serious = bool(category and category.serious_incident)
    mandatory = bool(category and category.mandatory_referral)

    # R1: serious incident -> police contacted within 24 hours of discovery.
    if serious and referral.police_contacted_at is None and status != Status.WITHDRAWN:
        flags.append(
            _flag(
                "R1",
                "Contact police (serious incident, 24 h)",
                referral.discovered_at + POLICE_CONTACT_WITHIN,
                settings,
            )
        )

    # R2-R4: a referral is expected; refer or record why not.
    if status == Status.DRAFT:
        must = []
        if mandatory:
            must.append("mandatory category")
        if referral.staff_victim and referral.victim_wants_police:
            must.append("staff victim asked")
        if referral.staff_victim and referral.terrorism_conviction:
            must.append("terrorism conviction")
        if must:
            rule = "R2" if mandatory else ("R3" if referral.victim_wants_police else "R4")
            flags.append(
                _flag(
                    rule,
                    f"Refer to police or record reason ({', '.join(must)})",
                    _working_deadline(
                        referral.discovered_at, settings.referral_decision_working_days
                    ),
                    settings,
                )
            )

    # R5: adjudication charge laid within 48 hours of discovery (its number or the time it
    # was laid recorded: either says it was laid).
    laid = referral.adjudication_charge or referral.adjudication_laid_at
    if not laid and open_case:
        flags.append(
            _flag(
                "R5",
                "Lay adjudication charge (48 h)",
                referral.discovered_at + ADJUDICATION_WITHIN,
                settings,
            )
        )

    # R6: summary-only offences must be charged within 6 months; warn at 5.
    if referral.summary_only and open_case and status not in CHARGED_OR_LATER:
        incident_day = to_london(referral.incident_at).date()
        limit = end_of_day(add_months(incident_day, 6))
        warn = end_of_day(add_months(incident_day, 5))
        flags.append(
            DueFlag(
                "R6",
                f"Summary-only time limit {add_months(incident_day, 6):%d/%m/%Y}",
                limit,
                warn,
            )
        )

    # R7: tell victims of a police decision within 5 working days (1 if enhanced).
    for victim in victims or ():
        flags.append(_flag("R7", victim.label, victim.due_at(settings), settings))
    if (
        victims is None
        and has_victims
        and referral.police_decision_at is not None
        and (
            referral.victim_updated_at is None
            or referral.victim_updated_at < referral.police_decision_at
        )
    ):
        flags.append(
            _flag(
                "R7",
                "Tell victim of police decision",
                victim_update_due(referral.police_decision_at, referral.enhanced_victim, settings),
                settings,
            )
        )

    # R9: request footage preservation before it is overwritten.
    if referral.footage_requested_on is None and open_case:
        overwrite_day = to_london(referral.incident_at).date() + timedelta(
            days=settings.footage_overwrite_days
        )
        due = end_of_day(overwrite_day)
        warn = end_of_day(overwrite_day - timedelta(days=settings.footage_warn_days))
        flags.append(DueFlag("R9", "Request footage preservation", due, min(warn, due)))

    # Practice: a referral needs a force; police should acknowledge with a crime reference.
    if status not in (Status.DRAFT, *CLOSED_STATUSES) and referral.referred_at is not None:
        if not referral.force_id:
            flags.append(
                _flag("FORCE", "Record which police force", referral.referred_at, settings)
            )
        if status == Status.REFERRED and not referral.crime_ref:
            flags.append(
                _flag(
                    "ACK",
                    "Chase police for crime reference and OIC",
                    _working_deadline(
                        referral.referred_at, settings.acknowledgement_chase_working_days
                    ),
                    settings,
                )
            )

    # The coordinator's own next step.
    if referral.next_step_due is not None and referral.next_step:
        flags.append(
            _flag("NEXT", referral.next_step, end_of_day(referral.next_step_due), settings)
        )

    flags.extend(papers)
    return sorted(flags, key=lambda f: f.due_at)


def review_window_closes(referral: Referral) -> date | None:
    """R8: the last day a victim may ask for a review of an NFA (3 months), or None."""
    if referral.status == Status.NFA and referral.closed_at is not None:
        return add_months(to_london(referral.closed_at).date(), 3)
    return None


def information(referral: Referral, now: datetime, reviews: Sequence[str] = ()) -> list[str]:
    """Windows that are open but are not the coordinator's deadline (R8 and R6 exempt).

    ``reviews``: each victim's R8 request in words (from the people on the case)."""
    notes: list[str] = []
    closes = review_window_closes(referral)
    if closes is not None and now <= end_of_day(closes) and not reviews:
        notes.append(f"Victims' Right to Review window open until {closes:%d/%m/%Y} (R8)")
    notes.extend(reviews)
    return notes


def apply_next_due(referral: Referral, flags: list[DueFlag]) -> None:
    """Store the earliest open deadline on the referral for SQL queues and sorting."""
    if flags:
        first = flags[0]
        referral.next_due_at = first.due_at
        referral.next_warn_at = first.warn_at
        referral.next_due_label = first.label
    else:
        referral.next_due_at = None
        referral.next_warn_at = None
        referral.next_due_label = None


def severity_of(due_at: datetime | None, warn_at: datetime | None, now: datetime) -> Severity:
    if due_at is None:
        return Severity.DONE
    if now > due_at:
        return Severity.OVERDUE
    if warn_at is not None and now >= warn_at:
        return Severity.DUE_SOON
    return Severity.PENDING
