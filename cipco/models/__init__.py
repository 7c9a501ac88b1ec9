"""Every table, imported here so ``SQLModel.metadata`` is complete for migrations."""

from cipco.models.audit import AuditEvent
from cipco.models.casework import (
    CaseDocument,
    Correspondence,
    CpsAction,
    DocumentChunk,
    MedicalDisclaimer,
    PartyContact,
    Statement,
    StatementMeeting,
)
from cipco.models.clinic import AgendaItem, Attendance, Clinic, ClinicAction
from cipco.models.exhibit import Exhibit, ExhibitEvent, ExhibitReferral
from cipco.models.imports import ImportMapping
from cipco.models.mg4d import ChargePapers, ServiceEvent
from cipco.models.moves import MovedRow
from cipco.models.people import Prisoner
from cipco.models.person import AncillaryOrder, Association, CustodyEvent, PersonOfInterest
from cipco.models.reference import CrimeCategory, Force, OrderType, Prison
from cipco.models.referral import FollowUp, Referral, ReferralParty, StatusChange
from cipco.models.settings import Setting
from cipco.models.site import Site
from cipco.models.views import SavedView

__all__ = [
    "AgendaItem",
    "AncillaryOrder",
    "Association",
    "Attendance",
    "AuditEvent",
    "CaseDocument",
    "ChargePapers",
    "Clinic",
    "ClinicAction",
    "Correspondence",
    "CpsAction",
    "CrimeCategory",
    "CustodyEvent",
    "DocumentChunk",
    "Exhibit",
    "ExhibitEvent",
    "ExhibitReferral",
    "FollowUp",
    "Force",
    "ImportMapping",
    "MedicalDisclaimer",
    "MovedRow",
    "OrderType",
    "PartyContact",
    "PersonOfInterest",
    "Prison",
    "Prisoner",
    "Referral",
    "ReferralParty",
    "SavedView",
    "ServiceEvent",
    "Setting",
    "Site",
    "Statement",
    "StatementMeeting",
    "StatusChange",
]
