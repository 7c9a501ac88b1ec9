"""Every table, each in its own module, loaded when first named.

``import cipco.models`` loads none of them: a command that reads the settings needs three
tables, not thirty (each model module costs start-up time). ``from cipco.models import
Referral`` imports the module that defines it; :func:`load_all` imports every model module,
so ``SQLModel.metadata`` is complete (migrations, stamping a site, ``holds_records``).
"""

from __future__ import annotations

import importlib
from typing import Any

WHERE: dict[str, str] = {
    "AgendaItem": "clinic",
    "AncillaryOrder": "person",
    "Association": "person",
    "Attendance": "clinic",
    "AuditEvent": "audit",
    "CaseDocument": "casework",
    "ChargePapers": "mg4d",
    "Clinic": "clinic",
    "ClinicAction": "clinic",
    "Correspondence": "casework",
    "CpsAction": "casework",
    "CrimeCategory": "reference",
    "CustodyEvent": "person",
    "DocumentChunk": "casework",
    "Exhibit": "exhibit",
    "ExhibitEvent": "exhibit",
    "ExhibitReferral": "exhibit",
    "FollowUp": "referral",
    "Force": "reference",
    "ImportMapping": "imports",
    "MedicalDisclaimer": "casework",
    "OrderType": "reference",
    "PartyContact": "casework",
    "PersonOfInterest": "person",
    "Prison": "reference",
    "Prisoner": "people",
    "Referral": "referral",
    "ReferralParty": "referral",
    "SavedView": "views",
    "ServiceEvent": "mg4d",
    "Setting": "settings",
    "Site": "site",
    "Statement": "casework",
    "StatementMeeting": "casework",
    "StatusChange": "referral",
}
"""Each model class by the module (in this package) that defines it."""

__all__ = sorted(WHERE)


def load_all() -> None:
    """Import every model module: every table is then in ``SQLModel.metadata``."""
    for module in sorted(set(WHERE.values())):
        importlib.import_module(f"cipco.models.{module}")


def __getattr__(name: str) -> Any:
    module = WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'cipco.models' has no attribute {name!r}")
    return getattr(importlib.import_module(f"cipco.models.{module}"), name)
