"""Every table, imported here so ``SQLModel.metadata`` is complete for migrations."""

from cipco.models.audit import AuditEvent
from cipco.models.people import Prisoner
from cipco.models.reference import CrimeCategory, Force, OrderType, Prison
from cipco.models.referral import FollowUp, Referral, ReferralParty, StatusChange
from cipco.models.settings import Setting

__all__ = [
    "AuditEvent",
    "CrimeCategory",
    "FollowUp",
    "Force",
    "OrderType",
    "Prison",
    "Prisoner",
    "Referral",
    "ReferralParty",
    "Setting",
    "StatusChange",
]
