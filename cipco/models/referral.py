"""The police referral tracker: referrals, the people involved, the status timeline, follow-ups.

Tables declare columns only; ``ReferralCreate``/``ReferralUpdate`` validate input.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated

from pydantic import field_validator, model_validator
from sqlalchemy import JSON, Column, Index
from sqlmodel import Field, SQLModel

from cipco.models.fields import BLANK_IS_NONE, Aware, MaybeAware, MaybeLine, required
from cipco.models.labelled import Labelled
from cipco.models.people import PrisonerIn
from cipco.models.site import SiteScoped
from cipco.models.types import Stamped, UTCDateTime, Versioned
from cipco.models.vocab import PartyKind, PartyRole, Status


class Outcome(Labelled):
    CHARGED = "charged", "Charged/summonsed"
    CAUTION = "caution", "Caution"
    COMMUNITY_RESOLUTION = "community_resolution", "Community resolution"
    NFA_EVIDENTIAL_VICTIM_SUPPORTS = (
        "nfa_evidential_victim_supports",
        "NFA - evidential difficulties (victim supports)",
    )
    NFA_EVIDENTIAL_VICTIM_NOT = (
        "nfa_evidential_victim_not",
        "NFA - evidential difficulties (victim does not support)",
    )
    NFA_PUBLIC_INTEREST_POLICE = (
        "nfa_public_interest_police",
        "NFA - not in the public interest (police)",
    )
    NFA_PUBLIC_INTEREST_CPS = "nfa_public_interest_cps", "NFA - not in the public interest (CPS)"
    TIME_LIMIT_EXPIRED = "time_limit_expired", "Time limit expired"
    NO_SUSPECT = "no_suspect", "No suspect identified"
    OTHER_BODY_PRIMACY = "other_body_primacy", "Other body has primacy"
    CONVICTED = "convicted", "Court: convicted"
    ACQUITTED = "acquitted", "Court: acquitted"
    DISCONTINUED = "discontinued", "Court: discontinued"


OUTCOME_LABELS: dict[str, str] = Outcome.labels()


OUTCOMES_FOR_DEMO: tuple[str, ...] = (
    Outcome.NFA_EVIDENTIAL_VICTIM_SUPPORTS,
    Outcome.NFA_EVIDENTIAL_VICTIM_NOT,
    Outcome.NFA_PUBLIC_INTEREST_POLICE,
    Outcome.NO_SUSPECT,
)


class AdjudicationState(StrEnum):
    REFER_POLICE = "REFER_POLICE"
    PROSECUTION = "PROSECUTION"
    NOT_PROCEED = "NOT_PROCEED"
    SCHEDULED = "SCHEDULED"
    REFER_INAD = "REFER_INAD"
    REFER_GOV = "REFER_GOV"


AGGRAVATING_FACTORS: dict[str, str] = {
    "organised_crime": "Links to organised crime",
    "wider_criminality": "Wider criminality",
    "vulnerable_victim": "Vulnerable victim",
    "hate": "Hate motivation",
    "high_harm": "High harm",
    "mirrors_index": "Mirrors index offence",
    "premeditated": "Premeditated",
    "repeat_escalating": "Repeat or escalating",
    "adapting": "Adapting to avoid referral",
}

EVIDENCE_ITEMS: dict[str, str] = {
    "victim_statement": "Victim statement",
    "witness_statements": "Witness statements (MG11)",
    "cctv": "CCTV",
    "bwv": "Body-worn video",
    "pcis": "Prison Community Impact Statement",
    "vps": "Victim Personal Statement offered/taken",
    "use_of_force": "Use-of-force records",
    "medical": "Medical records (disclaimer signed)",
    "adjudication_history": "Adjudication history",
    "exhibits": "Exhibits",
}

OTHER_SYSTEMS: dict[str, str] = {
    "nimu_ref": "NIMU telephone report",
    "irs_ref": "IRS (Incident Reporting System)",
    "pnomis_ref": "PNOMIS incident",
    "mercury_ref": "Mercury/IMS intelligence",
}
"""The other systems a crime is reflected on, and the referral's field for each reference."""


class Referral(SiteScoped, Stamped, table=True):
    __table_args__ = (Index("uq_referral_site_reference", "site", "reference", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    reference: str = Field(index=True)
    prisoner_id: int = Field(foreign_key="prisoner.id", index=True)
    category_code: str = Field(foreign_key="crime_category.code", index=True)
    incident_at: datetime = Field(sa_type=UTCDateTime, index=True)
    discovered_at: datetime = Field(sa_type=UTCDateTime)
    location: str = ""
    description: str = ""
    aggravating_factors: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    staff_victim: bool = False
    victim_wants_police: bool = False
    terrorism_conviction: bool = False
    summary_only: bool = False
    force_id: str | None = Field(default=None, foreign_key="force.id", index=True)
    crime_ref: str | None = Field(default=None, index=True)
    oic_name: str | None = Field(default=None, index=True)
    oic_collar: MaybeLine = None
    oic_phone: MaybeLine = None
    oic_email: MaybeLine = None
    adjudication_charge: MaybeLine = None
    adjudication_state: str | None = None
    adjudication_laid_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    footage_requested_on: date | None = None
    evidence: dict[str, bool] = Field(default_factory=dict, sa_column=Column(JSON))
    # The same crime on other systems (searchable): NIMU telephone report, Incident Reporting
    # System, the PNOMIS incident and the Mercury/IMS intelligence report.
    nimu_ref: str | None = Field(default=None, index=True)
    irs_ref: str | None = Field(default=None, index=True)
    pnomis_ref: str | None = Field(default=None, index=True)
    mercury_ref: str | None = Field(default=None, index=True)
    notes: str = ""
    next_step: MaybeLine = None
    next_step_due: date | None = None
    status: str = Field(default=Status.DRAFT, index=True)
    outcome: str | None = None
    outcome_number: int | None = None
    outcome_detail: MaybeLine = None
    status_reason: str | None = None
    police_contacted_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    referred_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    acknowledged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    police_decision_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    charged_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    closed_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    # Kept by the contact log (services.casework): the latest contact with any victim, and
    # whether any victim has enhanced rights. Never typed; the referral-level summary reports
    # read.
    victim_updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    enhanced_victim: bool = False
    # Denormalised by services.flags on every write so queues and sorting run in SQL.
    next_due_at: datetime | None = Field(default=None, sa_type=UTCDateTime, index=True)
    next_warn_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    next_due_label: str | None = None
    original_columns: list[list[str]] | None = Field(default=None, sa_column=Column(JSON))


class ReferralParty(SiteScoped, Versioned, table=True):
    """A person on a case: a victim or witness (staff, prisoner or other), or a further
    suspect. Their contact log, statements and disclaimers hang off this row
    (:mod:`cipco.models.casework`)."""

    __tablename__ = "referral_party"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True, ondelete="CASCADE")
    role: str = PartyRole.VICTIM
    kind: str = PartyKind.STAFF
    name: str
    nomis_number: str | None = Field(default=None, index=True)
    statement_taken: bool = False  # also ticked when a statement from them is received
    enhanced_rights: bool = False  # Victims' Code enhanced rights: told within 1 working day
    contact_preference: str | None = None  # casework.ContactMethod
    phone: str | None = None  # contact details: withheld from exports unless asked
    email: str | None = None
    address: str = ""
    do_not_share: bool = False  # name and contact details withheld from exports
    support: str | None = None  # casework.SupportState: support services offered/accepted
    support_on: date | None = None
    support_note: str = ""
    # Dates they cannot attend court: [{"from": "2026-12-01", "to": "2026-12-05", "note": ""}]
    unavailable: list[dict[str, str]] = Field(default_factory=list, sa_column=Column(JSON))
    review_requested_on: date | None = None  # R8: Victims' Right to Review asked for
    review_outcome: str | None = None  # casework.ReviewOutcome
    review_outcome_on: date | None = None
    notes: str = ""
    created_at: datetime | None = Field(default=None, sa_type=UTCDateTime)
    updated_at: datetime | None = Field(default=None, sa_type=UTCDateTime)


class StatusChange(SiteScoped, table=True):
    """One move in a referral's workflow. Append-only: the referral's timeline."""

    __tablename__ = "status_change"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True, ondelete="CASCADE")
    from_status: str | None = None
    to_status: str
    happened_at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    actor: str
    reason: str | None = None
    outcome: str | None = None


class FollowUp(SiteScoped, table=True):
    """A chase or contact about a referral: "chased OIC by phone"."""

    __tablename__ = "follow_up"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True, ondelete="CASCADE")
    happened_at: datetime = Field(sa_type=UTCDateTime)
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    actor: str
    method: str = "phone"
    note: str


# ------------------------------------------------------------------ input schemas


class PartyIn(SQLModel):
    role: PartyRole = PartyRole.VICTIM
    kind: PartyKind = PartyKind.STAFF
    name: Annotated[str, required("", message="a victim or witness needs a name")]
    nomis_number: str | None = None
    statement_taken: bool = False
    enhanced_rights: bool = False


class _ReferralFields(SQLModel):
    """Fields shared by create and update, all validated."""

    location: str = ""
    description: str = ""
    aggravating_factors: list[str] = []
    staff_victim: bool = False
    victim_wants_police: bool = False
    terrorism_conviction: bool = False
    summary_only: bool = False
    force_id: MaybeLine = None
    crime_ref: MaybeLine = None
    oic_name: MaybeLine = None
    oic_collar: str | None = None
    oic_phone: str | None = None
    oic_email: str | None = None
    adjudication_charge: str | None = None
    adjudication_state: Annotated[AdjudicationState | None, BLANK_IS_NONE] = None
    adjudication_laid_at: MaybeAware = None
    footage_requested_on: date | None = None
    evidence: dict[str, bool] = {}
    notes: str = ""
    next_step: str | None = None
    next_step_due: date | None = None
    police_contacted_at: MaybeAware = None
    # Typed "victim last updated" and enhanced rights: kept for a referral whose victims are
    # not recorded as people (a staff victim, old trackers); a victim's logged contact is the
    # later of the two (services.victims.summary).
    victim_updated_at: MaybeAware = None
    enhanced_victim: bool = False
    nimu_ref: MaybeLine = None
    irs_ref: MaybeLine = None
    pnomis_ref: MaybeLine = None
    mercury_ref: MaybeLine = None
    outcome_number: int | None = None
    outcome_detail: str | None = None

    @field_validator("aggravating_factors")
    @classmethod
    def _factors(cls, value: list[str]) -> list[str]:
        unknown = [f for f in value if f not in AGGRAVATING_FACTORS]
        if unknown:
            raise ValueError(f"unknown aggravating factor: {', '.join(unknown)}")
        return sorted(set(value))

    @field_validator("evidence")
    @classmethod
    def _evidence(cls, value: dict[str, bool]) -> dict[str, bool]:
        unknown = [k for k in value if k not in EVIDENCE_ITEMS]
        if unknown:
            raise ValueError(f"unknown evidence item: {', '.join(unknown)}")
        return {k: bool(v) for k, v in value.items()}

    @field_validator("oic_email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value and ("@" not in value or value.startswith("@") or value.endswith("@")):
            raise ValueError(f"'{value}' is not an e-mail address")
        return value


class ReferralCreate(_ReferralFields):
    reference: MaybeLine = None  # generated when not given
    prisoner: PrisonerIn
    category_code: str
    incident_at: Aware
    discovered_at: MaybeAware = None  # defaults to the incident time
    parties: list[PartyIn] = []

    @model_validator(mode="after")
    def _order(self) -> ReferralCreate:
        if self.discovered_at is None:
            self.discovered_at = self.incident_at
        if self.discovered_at < self.incident_at:
            raise ValueError("discovered_at: discovered before the incident happened")
        return self


class ReferralUpdate(_ReferralFields):
    """Only the fields set are changed (``model_dump(exclude_unset=True)``)."""

    prisoner: PrisonerIn | None = None
    category_code: str | None = None
    incident_at: MaybeAware = None
    discovered_at: MaybeAware = None
    parties: list[PartyIn] | None = None

    @model_validator(mode="after")
    def _order(self) -> ReferralUpdate:
        if self.incident_at and self.discovered_at and self.discovered_at < self.incident_at:
            raise ValueError("discovered_at: discovered before the incident happened")
        return self
