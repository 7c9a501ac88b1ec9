"""The lists of a referral's people and papers (the referral page's tabs), each a
:class:`~cipco.services.logspec.LogSpec` filtered by ``PageQuery.extra["referral_id"]``.

They are parts of the referral log, not logs of their own (like a clinic's agenda), so they
are not in the log registry; the home screen and the clinic agenda read their due rules
(:mod:`cipco.services.casework.due`) across every referral.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import ColumnElement, Select, func, select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.dates import format_date, format_datetime
from cipco.models.casework import (
    CONTACT_LABELS,
    REVIEW_LABELS,
    STATEMENT_LABELS,
    SUPPORT_LABELS,
    PartyContact,
    Statement,
    StatementMeeting,
    StatementState,
)
from cipco.models.referral import PartyRole, ReferralParty
from cipco.models.vocab import PARTY_KIND_LABELS, PARTY_ROLE_LABELS
from cipco.services import settings
from cipco.services.casework.common import CaseworkError
from cipco.services.casework.rules import day_flag, instant_flag
from cipco.services.flags import SEVERITY_MARKERS, FlagSettings, Severity
from cipco.services.logspec import (
    Column,
    Done,
    LogService,
    LogSpec,
    ModelT,
    QueryContext,
    Queue,
    RowT,
    Words,
    label_of,
    row_from,
)
from cipco.services.paging import PageQuery, equal_to
from cipco.services.victims import Victim, decisions_of, untold

OUTSTANDING_STATEMENT = (StatementState.REQUESTED, StatementState.RETURNED)
NOT_SENT = (
    StatementState.REQUESTED,
    StatementState.RETURNED,
    StatementState.RECEIVED,
    StatementState.CHECKED,
)


def _flag_settings(ctx: QueryContext) -> FlagSettings:
    return FlagSettings.from_values(settings.all_settings(ctx.session))


def day_severity(ctx: QueryContext, cfg: FlagSettings, rule: str, due_on: date | None) -> Severity:
    """How urgent a paper due by the end of ``due_on`` is now (None: nothing is due)."""
    if due_on is None:
        return Severity.DONE
    return day_flag(rule, "", due_on, cfg).severity(ctx.now)


def marked(severity: Severity, text: str) -> str:
    marker = SEVERITY_MARKERS.get(severity, "")
    return f"{marker} {text}".strip() if text else ""


class _CaseService(LogService[ModelT, RowT]):
    """A list over one table of a referral's papers."""

    error = CaseworkError
    default_sort: ClassVar[tuple[Any, ...]] = ()
    """The list's order when no column is chosen."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "filters" not in cls.__dict__:  # every list is of one referral's records
            cls.filters = equal_to(referral_id=cls.model.referral_id)  # type: ignore[attr-defined]

    def default_order(self, ctx: QueryContext, query: PageQuery) -> tuple[Any, ...]:
        return self.default_sort

    def rows_of(self, session: Session, referral_id: int, clock: Clock) -> list[RowT]:
        """Every row of one referral, in the list's order (as the case view shows them)."""
        return list(self.stream(session, PageQuery(extra={"referral_id": referral_id}), clock))

    def with_person(self, *columns: Any) -> Select[Any]:
        """The list's records, each with the name (and ``columns``) of the person it is of."""
        return select(self.model, ReferralParty.name, *columns).join(
            ReferralParty,
            ReferralParty.id == self.model.party_id,  # type: ignore[attr-defined]
        )

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        """Unless a list says otherwise: its records, each with the person's name."""
        return self.with_person()

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[Any]:
        """Unless a list says otherwise: each record's row, naming its person."""
        return [row_from(self.row_type, record, person=name) for record, name in results]


# ---------------------------------------------------------------- people


@dataclass(frozen=True)
class PersonRow:
    id: int
    referral_id: int
    role: str
    kind: str
    name: str
    nomis_number: str
    contact_preference: str
    do_not_share: bool
    enhanced_rights: bool
    support: str
    review_requested_on: date | None
    review_outcome: str
    contacts: int
    last_contact_at: datetime | None
    r7_due_at: datetime | None
    r7_decision: str
    severity: Severity
    version: int

    @property
    def role_text(self) -> str:
        role = PARTY_ROLE_LABELS.get(self.role, self.role)
        kind = PARTY_KIND_LABELS.get(self.kind, self.kind).lower()
        extra = " (enhanced)" if self.enhanced_rights else ""
        return f"{role}, {kind}{extra}"

    @property
    def name_text(self) -> str:
        parts = [self.name, self.nomis_number]
        return " ".join(p for p in parts if p) + (" [do not share]" if self.do_not_share else "")

    @property
    def contact_text(self) -> str:
        if self.last_contact_at is None:
            return "none logged"
        return f"{format_datetime(self.last_contact_at)} ({self.contacts})"

    @property
    def due_text(self) -> str:
        if self.r7_due_at is None:
            if self.review_requested_on:
                return "R8: " + REVIEW_LABELS.get(self.review_outcome or "awaited", "").lower()
            return ""
        return marked(self.severity, f"R7 {format_date(self.r7_due_at)} {self.r7_decision}")

    support_text = label_of("support", SUPPORT_LABELS)

    @property
    def settled(self) -> str:
        return "yes" if self.severity == Severity.DONE else ""


class PeopleService(_CaseService[ReferralParty, PersonRow]):
    name = "case_people"
    words = Words("person", "people", "People")
    default_sort = (ReferralParty.role != PartyRole.VICTIM, ReferralParty.id)

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        contacts = (
            select(
                PartyContact.party_id,
                func.count().label("n"),
                func.max(PartyContact.happened_at).label("last"),
            )
            .group_by(PartyContact.party_id)
            .subquery()
        )
        return select(ReferralParty, func.coalesce(contacts.c.n, 0), contacts.c.last).outerjoin(
            contacts, contacts.c.party_id == ReferralParty.id
        )

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[PersonRow]:
        referral_ids = {r[0].referral_id for r in results}
        decisions = decisions_of(ctx.session, referral_ids) if referral_ids else {}
        cfg = _flag_settings(ctx)
        rows = []
        for person, count, last in results:
            due_at, decision, severity = None, "", Severity.DONE
            if person.role == PartyRole.VICTIM:
                victim = Victim(
                    person.id, person.referral_id, person.name, person.enhanced_rights, last
                )
                pending = untold(victim, decisions.get(person.referral_id, []))
                if pending is not None:
                    from cipco.services.flags import victim_update_due

                    due = victim_update_due(pending.at, person.enhanced_rights, cfg)
                    flag = instant_flag("R7", pending.label, due, cfg)
                    due_at, decision, severity = due, pending.label, flag.severity(ctx.now)
            rows.append(
                row_from(
                    PersonRow,
                    person,
                    nomis_number=person.nomis_number or "",
                    contact_preference=CONTACT_LABELS.get(person.contact_preference or "", ""),
                    support=person.support or "",
                    review_outcome=person.review_outcome or "",
                    contacts=int(count),
                    last_contact_at=last,
                    r7_due_at=due_at,
                    r7_decision=decision,
                    severity=severity,
                )
            )
        return rows


PEOPLE = PeopleService()
PEOPLE_SPEC = LogSpec(
    PEOPLE,
    columns=(
        Column("role", "Role", 14, attr="role_text"),
        Column("name", "Name", 18, attr="name_text"),
        Column("contact", "Last contact", 17, attr="contact_text"),
        Column("due", "Due", 22, attr="due_text"),
        Column("preference", "Contact by", 10, attr="contact_preference"),
    ),
    search=(ReferralParty.name, ReferralParty.nomis_number),
    keys=("new", "edit", "contact", "remove", "person"),
)


# ---------------------------------------------------------------- the contact log


@dataclass(frozen=True)
class ContactRow:
    id: int
    party_id: int
    person: str
    happened_at: datetime
    method: str
    said: str
    by: str
    recorded_at: datetime
    actor: str

    method_text = label_of("method", CONTACT_LABELS)


class ContactService(_CaseService[PartyContact, ContactRow]):
    name = "case_contacts"
    words = Words("contact", "contacts", "Contacts")
    default_sort = (PartyContact.happened_at.desc(),)  # type: ignore[attr-defined]
    filters: ClassVar[dict[str, Any]] = equal_to(
        referral_id=PartyContact.referral_id, party_id=PartyContact.party_id
    )


CONTACTS = ContactService()
CONTACTS_SPEC = LogSpec(
    CONTACTS,
    columns=(
        Column("happened_at", "When", 16),
        Column("person", "With", 16),
        Column("method", "How", 10, attr="method_text"),
        Column("said", "What was said", 30),
        Column("by", "By", 12),
    ),
    search=(PartyContact.said, PartyContact.by, ReferralParty.name),
    keys=("contact",),
)


# ---------------------------------------------------------------- statements


@dataclass(frozen=True)
class StatementRow:
    id: int
    referral_id: int
    party_id: int
    person: str
    state: str
    requested_on: date
    due_on: date | None
    received_on: date | None
    checked_on: date | None
    checked_by: str
    problems: tuple[str, ...]
    qa_note: str
    returned_on: date | None
    sent_on: date | None
    notes: str
    severity: Severity
    version: int

    state_text = label_of("state", STATEMENT_LABELS)

    @property
    def due_text(self) -> str:
        if self.state not in OUTSTANDING_STATEMENT or self.due_on is None:
            return ""
        return marked(self.severity, format_date(self.due_on)) or format_date(self.due_on)

    @property
    def qa_text(self) -> str:
        if self.checked_on is None:
            return ""
        from cipco.models.casework import QA_PROBLEMS

        found = "; ".join(QA_PROBLEMS.get(p, p) for p in self.problems) or "no problems"
        return f"{format_date(self.checked_on)} {self.checked_by}: {found}"


class StatementService(_CaseService[Statement, StatementRow]):
    name = "statements"
    words = Words("statement", "statements", "Statements")
    default_sort = (
        Statement.state == StatementState.SENT,
        Statement.due_on,
        Statement.requested_on,
    )

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[StatementRow]:
        cfg = _flag_settings(ctx)
        return [
            row_from(
                StatementRow,
                s,
                person=name,
                checked_by=s.checked_by or "",
                problems=tuple(s.problems or ()),
                severity=day_severity(
                    ctx, cfg, "MG11", s.due_on if s.state in OUTSTANDING_STATEMENT else None
                ),
            )
            for s, name in results
        ]


def _statement_outstanding(ctx: QueryContext) -> ColumnElement[bool]:
    return Statement.state.in_([s.value for s in NOT_SENT])  # type: ignore[attr-defined]


STATEMENTS = StatementService()
STATEMENTS_SPEC = LogSpec(
    STATEMENTS,
    columns=(
        Column("person", "From", 16),
        Column("state", "State", 16, attr="state_text"),
        Column("requested_on", "Asked", 10, grow=False),
        Column("due", "Due", 12, grow=False, attr="due_text"),
        Column("qa", "Quality check", 24, attr="qa_text"),
        Column("sent_on", "Sent", 10, grow=False),
    ),
    queues=(Queue("outstanding", "Not yet sent", _statement_outstanding),),
    search=(ReferralParty.name, Statement.notes, Statement.qa_note),
    keys=("new", "edit", "move", "remove"),
    done=Done("state", frozenset({StatementState.SENT.value})),
)


# ---------------------------------------------------------------- statement meetings


@dataclass(frozen=True)
class MeetingRow:
    id: int
    party_id: int
    person: str
    meets_at: datetime
    place: str
    officer: str
    release_requested_on: date | None
    release_confirmed_on: date | None
    held: bool
    notes: str
    severity: Severity
    version: int

    @property
    def release_text(self) -> str:
        if self.release_confirmed_on:
            return f"confirmed {format_date(self.release_confirmed_on)}"
        if self.release_requested_on:
            return marked(self.severity, f"asked {format_date(self.release_requested_on)}")
        return marked(self.severity, "not asked") if not self.held else ""

    @property
    def settled(self) -> str:
        return "yes" if self.held else ""


class MeetingService(_CaseService[StatementMeeting, MeetingRow]):
    name = "statement_meetings"
    words = Words("statement meeting", "statement meetings", "Meetings")
    default_sort = (StatementMeeting.meets_at.desc(),)  # type: ignore[attr-defined]

    def select(self, ctx: QueryContext, query: PageQuery) -> Select[Any]:
        return self.with_person(ReferralParty.kind)

    def build_rows(self, ctx: QueryContext, results: Sequence[Any]) -> list[MeetingRow]:
        from cipco.services.casework.due import meeting_flag

        cfg = _flag_settings(ctx)
        rows = []
        for m, name, kind in results:
            flag = meeting_flag(m, kind, cfg, ctx.now)
            severity = flag.severity(ctx.now) if flag else Severity.DONE
            rows.append(row_from(MeetingRow, m, person=name, severity=severity))
        return rows


MEETINGS = MeetingService()
MEETINGS_SPEC = LogSpec(
    MEETINGS,
    columns=(
        Column("meets_at", "When", 16, grow=False),
        Column("person", "Who", 16),
        Column("place", "Where", 14),
        Column("officer", "Officer", 14),
        Column("release", "Released from duty", 18, attr="release_text"),
    ),
    search=(ReferralParty.name, StatementMeeting.place, StatementMeeting.officer),
    keys=("new", "edit", "remove"),
    done=Done("settled", frozenset({"yes"})),
)
