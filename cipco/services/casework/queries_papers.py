"""The lists of a referral's papers: medical disclaimers, the CPS action log, correspondence
and case documents (the people, contacts, statements and meetings are in
:mod:`cipco.services.casework.queries`)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import aliased

from cipco.clock import today
from cipco.dates import format_date
from cipco.models.casework import (
    CHANNEL_LABELS,
    DOCUMENT_KIND_LABELS,
    CaseDocument,
    Correspondence,
    CpsAction,
    MedicalDisclaimer,
)
from cipco.models.people import Prisoner
from cipco.models.referral import (
    Referral,
    ReferralParty,
)
from cipco.services import settings
from cipco.services.casework.queries import (
    CONTACTS_SPEC,
    MEETINGS_SPEC,
    PEOPLE_SPEC,
    STATEMENTS_SPEC,
    _CaseService,
    _flag_settings,
    day_severity,
    marked,
)
from cipco.services.casework.rules import disclaimer_due
from cipco.services.flags import Severity
from cipco.services.logspec import (
    Column,
    Done,
    LogSpec,
    QueryContext,
    Queue,
    Words,
    label_of,
    row_from,
)
from cipco.services.paging import PageQuery

# ---------------------------------------------------------------- medical disclaimers


@dataclass(frozen=True)
class DisclaimerRow:
    id: int
    party_id: int | None
    person: str
    issued_on: date
    returned_on: date | None
    sent_on: date | None
    declined: bool
    due_on: date | None
    notes: str
    severity: Severity
    version: int

    @property
    def state(self) -> str:
        if self.declined:
            return "declined"
        if self.sent_on:
            return "sent"
        return "returned" if self.returned_on else "issued"

    @property
    def state_text(self) -> str:
        if self.declined:
            return f"Refused to sign {format_date(self.returned_on)}"
        if self.sent_on:
            return f"Sent to police {format_date(self.sent_on)}"
        if self.returned_on:
            return f"Returned {format_date(self.returned_on)}, to send"
        return marked(self.severity, f"Issued, due back {format_date(self.due_on)}")


class DisclaimerService(_CaseService[MedicalDisclaimer, DisclaimerRow]):
    name = "disclaimers"
    words = Words("medical disclaimer", "medical disclaimers", "Disclaimers")
    default_sort = (MedicalDisclaimer.returned_on.is_not(None), MedicalDisclaimer.issued_on)  # type: ignore[union-attr]

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        return (
            select(MedicalDisclaimer, ReferralParty.name, Prisoner.name, Prisoner.nomis_number)
            .outerjoin(ReferralParty, ReferralParty.id == MedicalDisclaimer.party_id)
            .join(Referral, Referral.id == MedicalDisclaimer.referral_id)
            .join(Prisoner, Prisoner.id == Referral.prisoner_id)
        )

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[DisclaimerRow]:
        cfg = _flag_settings(ctx)
        days = settings.get_int(ctx.session, "disclaimer_return_days")
        rows = []
        for d, name, suspect, nomis in results:
            due = disclaimer_due(d.issued_on, days)
            severity = day_severity(ctx, cfg, "MED", due if d.returned_on is None else None)
            who = name or f"{suspect or nomis} (suspect)"
            rows.append(row_from(DisclaimerRow, d, person=who, due_on=due, severity=severity))
        return rows


DISCLAIMERS = DisclaimerService()
DISCLAIMERS_SPEC = LogSpec(
    DISCLAIMERS,
    columns=(
        Column("person", "Issued to", 20),
        Column("issued_on", "Issued", 10, grow=False),
        Column("state", "Now", 30, attr="state_text"),
        Column("notes", "Notes", 16),
    ),
    queues=(
        Queue("not_returned", "Not returned", lambda ctx: MedicalDisclaimer.returned_on.is_(None)),  # type: ignore[union-attr]
    ),
    search=(ReferralParty.name, MedicalDisclaimer.notes),
    keys=("new", "move", "remove"),
    done=Done("state", frozenset({"sent", "declined"})),
)


# ---------------------------------------------------------------- the CPS action log


@dataclass(frozen=True)
class CpsRow:
    id: int
    referral_id: int
    reference: str
    action: str
    requested_on: date
    due_on: date | None
    owner: str
    done_on: date | None
    notes: str
    severity: Severity
    version: int

    @property
    def due_text(self) -> str:
        if self.due_on is None:
            return ""
        if self.done_on is not None:
            return format_date(self.due_on)
        return marked(self.severity, format_date(self.due_on)) or format_date(self.due_on)

    @property
    def done(self) -> str:
        return "yes" if self.done_on else ""


class CpsService(_CaseService[CpsAction, CpsRow]):
    name = "cps_actions"
    words = Words("CPS action", "CPS actions", "CPS")
    default_sort = (CpsAction.done_on.is_not(None), CpsAction.due_on.is_(None), CpsAction.due_on)  # type: ignore[union-attr]

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        return select(CpsAction, Referral.reference).join(
            Referral, Referral.id == CpsAction.referral_id
        )

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[CpsRow]:
        cfg = _flag_settings(ctx)
        return [
            row_from(
                CpsRow,
                a,
                reference=reference,
                severity=day_severity(ctx, cfg, "CPS", a.due_on if a.done_on is None else None),
            )
            for a, reference in results
        ]


def _cps_overdue(ctx: QueryContext) -> ColumnElement[bool]:
    return and_(CpsAction.done_on.is_(None), CpsAction.due_on < today(ctx.clock))  # type: ignore[union-attr,operator]


CPS = CpsService()
CPS_SPEC = LogSpec(
    CPS,
    columns=(
        Column("action", "What the CPS asked for", 28),
        Column("requested_on", "Asked", 10, grow=False),
        Column("due", "Due", 12, grow=False, attr="due_text"),
        Column("owner", "Owner", 14),
        Column("done_on", "Done", 10, grow=False),
    ),
    queues=(
        Queue("open", "Open", lambda ctx: CpsAction.done_on.is_(None)),  # type: ignore[union-attr]
        Queue("overdue", "Overdue", _cps_overdue),
    ),
    search=(CpsAction.action, CpsAction.owner, CpsAction.notes, Referral.reference),
    keys=("new", "edit", "done", "reopen"),
    done=Done("done", frozenset({"yes"})),
)


# ---------------------------------------------------------------- correspondence


@dataclass(frozen=True)
class LetterRow:
    id: int
    sent_at: datetime
    recipient: str
    channel: str
    subject: str
    template: str
    document_id: int | None
    actor: str

    channel_text = label_of("channel", CHANNEL_LABELS)


class LetterService(_CaseService[Correspondence, LetterRow]):
    name = "correspondence"
    words = Words("letter", "letters", "Letters")
    default_sort = (Correspondence.sent_at.desc(),)  # type: ignore[attr-defined]

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        return select(Correspondence)

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[LetterRow]:
        return [row_from(LetterRow, c) for (c,) in results]


LETTERS = LetterService()
LETTERS_SPEC = LogSpec(
    LETTERS,
    columns=(
        Column("sent_at", "Sent", 16, grow=False),
        Column("recipient", "To", 18),
        Column("channel", "How", 7, grow=False, attr="channel_text"),
        Column("subject", "Subject", 30),
    ),
    search=(Correspondence.recipient, Correspondence.subject, Correspondence.body),
    keys=("new", "save_copy"),
)


# ---------------------------------------------------------------- case documents


@dataclass(frozen=True)
class DocumentRow:
    id: int
    title: str
    kind: str
    filename: str
    media_type: str
    size: int
    sha256: str
    added_at: datetime
    added_by: str
    supersedes_id: int | None
    superseded_by: int | None

    kind_text = label_of("kind", DOCUMENT_KIND_LABELS)

    @property
    def size_text(self) -> str:
        return size_text(self.size)

    @property
    def title_text(self) -> str:
        suffix = f" (replaced by no. {self.superseded_by})" if self.superseded_by else ""
        return f"{self.title}{suffix}"

    @property
    def current(self) -> str:
        return "" if self.superseded_by else "yes"


def size_text(size: int) -> str:
    if size < 1024:
        return f"{size} bytes"
    if size < 1024 * 1024:
        return f"{size / 1024:.0f} KB"
    return f"{size / (1024 * 1024):.1f} MB"


NEWER = aliased(CaseDocument)


class DocumentService(_CaseService[CaseDocument, DocumentRow]):
    name = "case_documents"
    words = Words("document", "documents", "Documents")
    default_sort = (CaseDocument.added_at.desc(),)  # type: ignore[attr-defined]

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        # Metadata only: the bytes stay in document_chunk, never read by a list.
        newer = select(func.max(NEWER.id)).where(NEWER.supersedes_id == CaseDocument.id)
        return select(
            CaseDocument.id,
            CaseDocument.title,
            CaseDocument.kind,
            CaseDocument.filename,
            CaseDocument.media_type,
            CaseDocument.size,
            CaseDocument.sha256,
            CaseDocument.added_at,
            CaseDocument.added_by,
            CaseDocument.supersedes_id,
            newer.scalar_subquery(),
        )

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[DocumentRow]:
        return [DocumentRow(*r) for r in results]


DOCUMENTS = DocumentService()
DOCUMENTS_SPEC = LogSpec(
    DOCUMENTS,
    columns=(
        Column("title", "Document", 24, attr="title_text"),
        Column("kind", "Kind", 16, attr="kind_text"),
        Column("size", "Size", 8, grow=False, attr="size_text"),
        Column("added_at", "Added", 16, grow=False),
        Column("added_by", "By", 10),
    ),
    search=(CaseDocument.title, CaseDocument.filename, CaseDocument.sha256),
    keys=("new", "save_copy"),
    done=Done("current", frozenset({""})),
)

CASE_SPECS = (
    PEOPLE_SPEC,
    CONTACTS_SPEC,
    STATEMENTS_SPEC,
    MEETINGS_SPEC,
    DISCLAIMERS_SPEC,
    CPS_SPEC,
    LETTERS_SPEC,
    DOCUMENTS_SPEC,
)
"""Every list of a referral's people and papers."""
