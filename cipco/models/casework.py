"""The people and papers around a referral: the contact log, witness statements (MG11) and
statement meetings, medical disclaimers, the CPS action log, correspondence and case
documents.

The people themselves are :class:`~cipco.models.referral.ReferralParty` rows. Mutable rows
carry ``version`` (stale edits are refused); the contact log and correspondence are records of
what was done and are never edited; case documents and their bytes are never changed once
added (database triggers refuse it, migration 0009).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import AfterValidator, model_validator
from pydantic import Field as PydField
from sqlalchemy import JSON, Column, LargeBinary
from sqlmodel import Field, SQLModel

from cipco.models.fields import BLANK_IS_NONE, Aware, Line, MaybeLine, Notes, required
from cipco.models.labelled import Labelled
from cipco.models.people import validate_nomis
from cipco.models.referral import PartyKind, PartyRole
from cipco.models.site import SiteScoped
from cipco.models.types import Stamped, UTCDateTime
from cipco.models.vocab import STATEMENT_LABELS, StatementState  # noqa: F401


class ContactMethod(Labelled):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    LETTER = "letter", "Letter"
    IN_PERSON = "in_person", "In person"
    VOICEMAIL = "voicemail", "Voicemail left"
    LINE_MANAGER = "line_manager", "Through their line manager"
    OTHER = "other", "Other"


CONTACT_LABELS: dict[str, str] = ContactMethod.labels()


class SupportState(Labelled):
    """Support services offered to a staff victim (employee assistance, trauma support)."""

    OFFERED = "offered", "Offered, answer awaited"
    REFERRED = "referred", "Accepted and referred"
    DECLINED = "declined", "Declined"


SUPPORT_LABELS: dict[str, str] = SupportState.labels()


class ReviewOutcome(Labelled):
    """R8: the outcome of a Victims' Right to Review request."""

    AWAITED = "awaited", "Outcome awaited"
    UPHELD = "upheld", "Upheld: the case is reopened"
    NOT_UPHELD = "not_upheld", "Not upheld: the decision stands"
    WITHDRAWN = "withdrawn", "Withdrawn by the victim"


REVIEW_LABELS: dict[str, str] = ReviewOutcome.labels()


class PartyContact(SiteScoped, table=True):
    """One contact with a victim or witness: when, how, what was said, by whom."""

    __tablename__ = "party_contact"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    party_id: int = Field(foreign_key="referral_party.id", index=True)
    happened_at: datetime = Field(sa_type=UTCDateTime)
    method: str = ContactMethod.PHONE
    said: str
    by: str  # who made the contact
    recorded_at: datetime = Field(sa_type=UTCDateTime)
    actor: str  # who recorded it


QA_PROBLEMS: dict[str, str] = {
    "unsigned": "Not signed",
    "undated": "Not dated",
    "not_first_hand": "Not a first-hand account",
    "no_times": "Times missing",
    "opinion": "Gives opinion",
    "exhibits": "Exhibits not referred to by their references",
}
"""What the coordinator's quality check of an MG11 looks for (domain notes)."""


class Statement(SiteScoped, Stamped, table=True):
    """A witness statement (MG11) asked of a person on the case, through QA to the police."""

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    party_id: int = Field(foreign_key="referral_party.id", index=True)
    state: str = Field(default=StatementState.REQUESTED, index=True)
    requested_on: date
    due_on: date | None = Field(default=None, index=True)
    received_on: date | None = None
    checked_on: date | None = None
    checked_by: str | None = None
    problems: list[str] = Field(default_factory=list, sa_column=Column(JSON))
    qa_note: str = ""
    returned_on: date | None = None
    sent_on: date | None = None
    notes: str = ""


class StatementMeeting(SiteScoped, Stamped, table=True):
    """A meeting for a member of staff to give a statement to police, and their release
    from duty for it (asked of the detail office, then confirmed)."""

    __tablename__ = "statement_meeting"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    party_id: int = Field(foreign_key="referral_party.id", index=True)
    meets_at: datetime = Field(sa_type=UTCDateTime, index=True)
    place: str = ""
    officer: str = ""
    release_requested_on: date | None = None
    release_confirmed_on: date | None = None
    held: bool = False
    notes: str = ""


class MedicalDisclaimer(SiteScoped, Stamped, table=True):
    """A medical disclaimer with the medical record access form: issued, returned, sent.

    ``party_id`` None: issued to the referral's suspect (its prisoner)."""

    __tablename__ = "medical_disclaimer"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    party_id: int | None = Field(default=None, foreign_key="referral_party.id", index=True)
    issued_on: date = Field(index=True)
    returned_on: date | None = None
    sent_on: date | None = None
    declined: bool = False  # the person refused to sign it
    notes: str = ""


class CpsAction(SiteScoped, Stamped, table=True):
    """Something the CPS asked of the prison (further statements, footage, records)."""

    __tablename__ = "cps_action"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    action: str
    requested_on: date
    due_on: date | None = Field(default=None, index=True)
    owner: str = ""
    done_on: date | None = Field(default=None, index=True)
    notes: str = ""


class Channel(Labelled):
    LETTER = "letter", "Letter"
    EMAIL = "email", "E-mail"


CHANNEL_LABELS: dict[str, str] = Channel.labels()


class Correspondence(SiteScoped, table=True):
    """A letter or e-mail sent about a case, kept as sent (text, and the PDF as a document)."""

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    party_id: int | None = Field(default=None, foreign_key="referral_party.id", index=True)
    recipient: str
    channel: str = Channel.LETTER
    template: str = ""
    subject: str
    body: str
    sent_at: datetime = Field(sa_type=UTCDateTime)
    actor: str
    document_id: int | None = Field(default=None, foreign_key="case_document.id")
    recorded_at: datetime = Field(sa_type=UTCDateTime)


class DocumentKind(Labelled):
    PCIS = "pcis", "Prison community impact statement"
    STATEMENT = "statement", "Statement (MG11)"
    USE_OF_FORCE = "use_of_force", "Use-of-force form"
    CASE_NOTES = "case_notes", "DPS case notes"
    ADJUDICATION = "adjudication", "Adjudication history"
    MEDICAL = "medical", "Medical disclaimer / record access form"
    LETTER = "letter", "Letter sent"
    PHOTO = "photo", "Photograph"
    OTHER = "other", "Other"


DOCUMENT_KIND_LABELS: dict[str, str] = DocumentKind.labels()


class CaseDocument(SiteScoped, table=True):
    """A file attached to a referral, stored inside the data file. Never changed once added:
    a new version is a new document that names the one it supersedes."""

    __tablename__ = "case_document"

    id: int | None = Field(default=None, primary_key=True)
    referral_id: int = Field(foreign_key="referral.id", index=True)
    kind: str = DocumentKind.OTHER
    title: str
    filename: str
    media_type: str
    size: int
    sha256: str = Field(index=True)
    added_at: datetime = Field(sa_type=UTCDateTime)
    added_by: str
    supersedes_id: int | None = Field(default=None, foreign_key="case_document.id")


class DocumentChunk(SiteScoped, table=True):
    """A document's bytes, in order, a piece at a time (streamed in and out; never changed)."""

    __tablename__ = "document_chunk"

    document_id: int = Field(foreign_key="case_document.id", primary_key=True)
    seq: int = Field(primary_key=True)
    data: bytes = Field(sa_column=Column(LargeBinary, nullable=False))


# ------------------------------------------------------------------ input schemas


class DateRange(SQLModel):
    """Dates a victim or witness cannot attend court (witness care asks)."""

    start: date = PydField(alias="from")
    end: date = PydField(alias="to")
    note: Line = ""

    model_config = {"populate_by_name": True}

    @model_validator(mode="after")
    def _order(self) -> DateRange:
        if self.end < self.start:
            raise ValueError("the range ends before it starts")
        return self


def _email(value: str | None) -> str | None:
    if value and ("@" not in value or value.startswith("@") or value.endswith("@")):
        raise ValueError(f"'{value}' is not an e-mail address")
    return value


def _nomis(value: str | None) -> str | None:
    return validate_nomis(value) if value else None


class PersonIn(SQLModel):
    """A person on a case as a form or an import gives them (new, or the whole edit)."""

    role: PartyRole = PartyRole.VICTIM
    kind: PartyKind = PartyKind.STAFF
    name: Annotated[str, required("a name", message="name: a victim or witness needs a name")]
    nomis_number: Annotated[MaybeLine, AfterValidator(_nomis)] = None
    contact_preference: Annotated[ContactMethod | None, BLANK_IS_NONE] = None
    phone: MaybeLine = None
    email: Annotated[MaybeLine, AfterValidator(_email)] = None
    address: Notes = ""
    do_not_share: bool = False
    enhanced_rights: bool = False
    statement_taken: bool = False
    support: Annotated[SupportState | None, BLANK_IS_NONE] = None
    support_on: date | None = None
    support_note: Notes = ""
    unavailable: list[DateRange] = []
    review_requested_on: date | None = None
    review_outcome: Annotated[ReviewOutcome | None, BLANK_IS_NONE] = None
    review_outcome_on: date | None = None
    notes: Notes = ""


class ContactIn(SQLModel):
    party_id: int
    happened_at: Aware
    method: ContactMethod = ContactMethod.PHONE
    said: Annotated[str, required("", message="what was said: say what they were told", lines=True)]
    by: Line = ""  # blank: whoever records it


class StatementIn(SQLModel):
    party_id: int
    requested_on: date
    due_on: date | None = None  # blank: the setting's working days after the request
    notes: Notes = ""


class MeetingIn(SQLModel):
    party_id: int
    meets_at: Aware
    place: Line = ""
    officer: Line = ""
    release_requested_on: date | None = None
    release_confirmed_on: date | None = None
    held: bool = False
    notes: Notes = ""


class DisclaimerIn(SQLModel):
    party_id: int | None = None  # None: the suspect
    issued_on: date
    notes: Notes = ""


class CpsActionIn(SQLModel):
    action: Annotated[str, required("", message="action: say what the CPS asked for")]
    requested_on: date
    due_on: date | None = None
    owner: Line = ""
    notes: Notes = ""
