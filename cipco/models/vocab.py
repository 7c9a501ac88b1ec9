"""The words the due rules read, as plain enumerations (no SQLModel, no tables).

The rules that say what is due (:mod:`cipco.services.flags`, :mod:`cipco.services.due`)
run over plain rows at start-up, before any model is loaded; the values they compare with
live here. Each model module imports its own from here, so ``from cipco.models.referral
import Status`` still works and every value is written once.
"""

from __future__ import annotations

from enum import StrEnum

from cipco.models.labelled import Labelled

RELEASED = "released"
"""A prisoner's location once released from custody."""

# ------------------------------------------------------------------ referrals


class Status(Labelled):
    DRAFT = "draft", "Draft"
    REFERRED = "referred", "Referred"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Investigating"
    WITH_CPS = "with_cps", "With CPS"
    CHARGED = "charged", "Charged"
    AT_COURT = "at_court", "At court"
    CONCLUDED = "concluded", "Concluded"
    NFA = "nfa", "NFA"
    OUT_OF_COURT = "out_of_court", "Out-of-court disposal"
    RETURNED = "returned", "Returned to prison"
    WITHDRAWN = "withdrawn", "Withdrawn"
    TRANSFERRED = "transferred", "Transferred"


STATUS_LABELS: dict[str, str] = Status.labels()


class PartyRole(Labelled):
    VICTIM = "victim", "Victim"
    WITNESS = "witness", "Witness"
    SUSPECT = "suspect", "Suspect"


class PartyKind(Labelled):
    STAFF = "staff", "Staff"
    PRISONER = "prisoner", "Prisoner"
    OTHER = "other", "Other"


PARTY_ROLE_LABELS: dict[str, str] = PartyRole.labels()
PARTY_KIND_LABELS: dict[str, str] = PartyKind.labels()


# ------------------------------------------------------------------ casework


class StatementState(Labelled):
    REQUESTED = "requested", "Requested"
    RECEIVED = "received", "Received, to check"
    RETURNED = "returned", "Returned for correction"
    CHECKED = "checked", "Checked, to send"
    SENT = "sent", "Sent to police"


STATEMENT_LABELS: dict[str, str] = StatementState.labels()


# ------------------------------------------------------------------ clinic


class ActionStatus(StrEnum):
    OPEN = "open"
    DONE = "done"
    DROPPED = "dropped"


# ------------------------------------------------------------------ exhibits


class ExhibitType(Labelled):
    CCTV = "cctv", "CCTV"
    BWV = "bwv", "Body-worn video"
    PHOTO = "photo", "Photo"
    AUDIO = "audio", "Audio (PIN phone)"
    DOCUMENT = "document", "Document"
    DRUGS = "drugs", "Drugs"
    MOBILE_PHONE = "mobile_phone", "Mobile phone"
    SIM_STORAGE = "sim_storage", "SIM / storage"
    WEAPON = "weapon", "Weapon"
    OTHER = "other", "Other physical"


TYPE_LABELS: dict[str, str] = ExhibitType.labels()
FOOTAGE_TYPES = frozenset({ExhibitType.CCTV, ExhibitType.BWV})
DIGITAL_TYPES = frozenset({ExhibitType.CCTV, ExhibitType.BWV, ExhibitType.PHOTO, ExhibitType.AUDIO})


# ------------------------------------------------------------------ MG4D


class PapersState(Labelled):
    # received, not yet served (or an attempt failed for "other")
    AWAITING = "awaiting", "Awaiting service"
    SERVED = "served", "Served"
    NOT_SERVED = "not_served", "Not served"  # released or transferred: nothing left to do here


STATE_LABELS: dict[str, str] = PapersState.labels()


# ------------------------------------------------------------------ persons of interest


class StartRule(Labelled):
    ON_MAKING = "on_making", "On making"
    ON_RELEASE = "on_release", "On release"
    DATE = "date", "On a date"


START_RULE_LABELS: dict[str, str] = StartRule.labels()


class TriggerKind(Labelled):
    CELL_SHARE = "cell_share", "Cell share"
    EMPLOYMENT = "employment", "Employment change"
    IEP = "iep", "IEP change"
    RECATEGORISATION = "recategorisation", "Re-categorisation"
    ROTL = "rotl", "ROTL"
    ESCORT = "escort", "Escort (incl. hospital)"


TRIGGER_LABELS: dict[str, str] = TriggerKind.labels()
