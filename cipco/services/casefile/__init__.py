"""The police case file of a referral and its evidence checklist (see :mod:`.build`)."""

from cipco.services.casefile.build import (
    WITHHELD,
    CaseContext,
    SectionSource,
    case_file,
    register_section,
)
from cipco.services.casefile.evidence import (
    OUTSTANDING,
    EvidenceItem,
    LinkedExhibit,
    checklist,
    linked_exhibits,
    referral_checklist,
)

# The people and papers' sections (issue 14) register themselves with the builder.
from cipco.services.casework import casefile as _casework_sections  # noqa: F401

__all__ = [
    "OUTSTANDING",
    "WITHHELD",
    "CaseContext",
    "EvidenceItem",
    "LinkedExhibit",
    "SectionSource",
    "case_file",
    "checklist",
    "linked_exhibits",
    "referral_checklist",
    "register_section",
]
