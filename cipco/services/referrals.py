"""The police referral tracker's rules: create, edit, status workflow, follow-ups, queues."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, func, or_, select
from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session

from cipco.clock import Clock, to_london
from cipco.models.people import Prisoner, PrisonerIn
from cipco.models.reference import CrimeCategory, Force
from cipco.models.referral import (
    OUTCOME_LABELS,
    STATUS_LABELS,
    FollowUp,
    Outcome,
    PartyIn,
    PartyRole,
    Referral,
    ReferralCreate,
    ReferralParty,
    ReferralUpdate,
    Status,
    StatusChange,
)
from cipco.services import audit, settings
from cipco.services.flags import (
    CLOSED_STATUSES,
    POLICE_DECISION_STATUSES,
    DueFlag,
    FlagSettings,
    Severity,
    apply_next_due,
    information,
    referral_flags,
    severity_of,
)
from cipco.services.paging import Page, PageQuery, count_of, text_filter

audit.track(Referral, ReferralParty, Prisoner)

TRANSITIONS: dict[Status, tuple[Status, ...]] = {
    Status.DRAFT: (Status.REFERRED, Status.WITHDRAWN),
    Status.REFERRED: (
        Status.ACKNOWLEDGED,
        Status.NFA,
        Status.RETURNED,
        Status.WITHDRAWN,
        Status.TRANSFERRED,
    ),
    Status.ACKNOWLEDGED: (
        Status.INVESTIGATING,
        Status.NFA,
        Status.OUT_OF_COURT,
        Status.RETURNED,
        Status.WITHDRAWN,
        Status.TRANSFERRED,
    ),
    Status.INVESTIGATING: (
        Status.WITH_CPS,
        Status.CHARGED,
        Status.NFA,
        Status.OUT_OF_COURT,
        Status.RETURNED,
        Status.WITHDRAWN,
        Status.TRANSFERRED,
    ),
    Status.WITH_CPS: (Status.CHARGED, Status.NFA, Status.OUT_OF_COURT, Status.RETURNED),
    Status.CHARGED: (Status.AT_COURT, Status.CONCLUDED),
    Status.AT_COURT: (Status.CONCLUDED,),
    Status.CONCLUDED: (),
    Status.NFA: (Status.INVESTIGATING,),  # reopened after a Victims' Right to Review
    Status.OUT_OF_COURT: (),
    Status.RETURNED: (),
    Status.WITHDRAWN: (),
    Status.TRANSFERRED: (),
}
REASON_REQUIRED = frozenset({Status.NFA, Status.WITHDRAWN})
# What the police give when they acknowledge a referral, recorded with the move.
POLICE_FIELDS = ("crime_ref", "oic_name", "oic_collar", "oic_phone", "oic_email")
POLICE_ASKED_ON = frozenset({Status.ACKNOWLEDGED})
OUTCOMES_FOR: dict[Status, tuple[Outcome, ...]] = {
    Status.NFA: (
        Outcome.NFA_EVIDENTIAL_VICTIM_SUPPORTS,
        Outcome.NFA_EVIDENTIAL_VICTIM_NOT,
        Outcome.NFA_PUBLIC_INTEREST_POLICE,
        Outcome.NFA_PUBLIC_INTEREST_CPS,
        Outcome.TIME_LIMIT_EXPIRED,
        Outcome.NO_SUSPECT,
        Outcome.OTHER_BODY_PRIMACY,
    ),
    Status.OUT_OF_COURT: (Outcome.CAUTION, Outcome.COMMUNITY_RESOLUTION),
    Status.CHARGED: (Outcome.CHARGED,),
    Status.CONCLUDED: (Outcome.CONVICTED, Outcome.ACQUITTED, Outcome.DISCONTINUED),
}

QUEUES: dict[str, str] = {
    "to_refer": "To refer",
    "awaiting_police": "Awaiting police",
    "investigating": "Investigating",
    "with_cps": "With CPS",
    "charged": "Charged/at court",
    "closed": "Closed",
    "overdue": "Overdue",
}


class ReferralError(ValueError):
    """A referral change was refused; the message says why, in the coordinator's words."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class StaleEdit(ReferralError):
    """Someone saved a newer version since this one was opened."""


class NotFound(ReferralError):
    pass


# ---------------------------------------------------------------- helpers


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status, status)


def outcome_label(outcome: str | None) -> str:
    return OUTCOME_LABELS.get(outcome, outcome or "") if outcome else ""


def allowed_moves(status: str) -> tuple[Status, ...]:
    return TRANSITIONS[Status(status)]


def flag_settings(session: Session) -> FlagSettings:
    return FlagSettings.from_values(settings.all_settings(session))


def upsert_prisoner(session: Session, data: PrisonerIn, clock: Clock) -> Prisoner:
    """The prisoner with this NOMIS number, created or with name/PNC/DOB filled in."""
    prisoner = session.scalars(
        select(Prisoner).where(Prisoner.nomis_number == data.nomis_number)
    ).first()
    if prisoner is None:
        prisoner = Prisoner(
            nomis_number=data.nomis_number,
            name=data.name,
            pnc=data.pnc,
            date_of_birth=data.date_of_birth,
            created_at=clock.now(),
        )
        session.add(prisoner)
        session.flush()
        return prisoner
    if data.name and data.name != prisoner.name:
        prisoner.name = data.name
    if data.pnc and data.pnc != prisoner.pnc:
        prisoner.pnc = data.pnc
    if data.date_of_birth and data.date_of_birth != prisoner.date_of_birth:
        prisoner.date_of_birth = data.date_of_birth
    return prisoner


def next_reference(session: Session, clock: Clock) -> str:
    """The next tracker reference for this year: REF-2026-0001, REF-2026-0002, ..."""
    prefix = f"REF-{to_london(clock.now()).year}-"
    last = session.scalar(
        select(func.max(Referral.reference)).where(Referral.reference.startswith(prefix))  # type: ignore[union-attr]
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last and last.rsplit("-", 1)[1].isdigit() else 1
    return f"{prefix}{number:04d}"


def _category(session: Session, code: str) -> CrimeCategory:
    category = session.get(CrimeCategory, code)
    if category is None:
        raise ReferralError(f"category: '{code}' is not a crime category", field="category_code")
    return category


def _check_force(session: Session, force_id: str | None) -> None:
    if force_id and session.get(Force, force_id) is None:
        raise ReferralError(f"force: '{force_id}' is not a police force", field="force_id")


def _check_not_future(value: datetime | None, clock: Clock, field: str, label: str) -> None:
    if value is not None and value > clock.now():
        raise ReferralError(
            f"{label}: {to_london(value):%d/%m/%Y %H:%M} is in the future", field=field
        )


def _parties(session: Session, referral_id: int) -> list[ReferralParty]:
    return list(
        session.scalars(
            select(ReferralParty)
            .where(ReferralParty.referral_id == referral_id)
            .order_by(ReferralParty.id)
        )
    )


def _replace_parties(session: Session, referral: Referral, parties: list[PartyIn]) -> None:
    assert referral.id is not None
    for old in _parties(session, referral.id):
        session.delete(old)
    for party in parties:
        session.add(ReferralParty(referral_id=referral.id, **party.model_dump()))
    session.flush()


def _has_victims(session: Session, referral: Referral) -> bool:
    if referral.staff_victim:
        return True
    if referral.id is None:
        return False
    return bool(
        session.scalar(
            select(func.count())
            .select_from(ReferralParty)
            .where(
                ReferralParty.referral_id == referral.id,
                ReferralParty.role == PartyRole.VICTIM,
            )
        )
    )


def refresh_due(session: Session, referral: Referral, flag_cfg: FlagSettings | None = None) -> None:
    """Recompute and store the referral's earliest deadline."""
    cfg = flag_cfg or flag_settings(session)
    category = session.get(CrimeCategory, referral.category_code)
    flags = referral_flags(referral, category, cfg, has_victims=_has_victims(session, referral))
    apply_next_due(referral, flags)


def recompute_all_due(session: Session) -> int:
    """After a settings change: every referral's next deadline again. Returns the count."""
    cfg = flag_settings(session)
    count = 0
    for referral in session.scalars(select(Referral)):
        refresh_due(session, referral, cfg)
        count += 1
    session.flush()
    return count


def _load(session: Session, referral_id: int) -> Referral:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound(f"referral {referral_id} does not exist (it may have been deleted)")
    return referral


def _check_version(session: Session, referral: Referral, expected: int | None) -> None:
    if expected is None or referral.version == expected:
        return
    assert referral.id is not None
    last = audit.last_change(session, "referral", referral.id)
    who = last.actor if last else "someone else"
    when = f"{to_london(last.at):%H:%M}" if last else "a moment ago"
    raise StaleEdit(f"{referral.reference} was changed by {who} at {when} — reload?")


def _flush(session: Session, referral: Referral) -> None:
    try:
        session.flush()
    except StaleDataError:
        raise StaleEdit(f"{referral.reference} was changed by someone else — reload?") from None


# ---------------------------------------------------------------- writes


def create_referral(*, session: Session, data: ReferralCreate, clock: Clock) -> Referral:
    """Add a referral (status draft) with its prisoner and victims/witnesses."""
    category = _category(session, data.category_code)
    _check_force(session, data.force_id)
    _check_not_future(data.incident_at, clock, "incident_at", "incident date")
    _check_not_future(data.discovered_at, clock, "discovered_at", "discovered date")
    reference = data.reference or next_reference(session, clock)
    if session.scalars(select(Referral.id).where(Referral.reference == reference)).first():
        raise ReferralError(f"reference: {reference} is already used", field="reference")
    prisoner = upsert_prisoner(session, data.prisoner, clock)
    fields = data.model_dump(exclude={"prisoner", "parties", "reference"})
    now = clock.now()
    referral = Referral(
        **fields,
        reference=reference,
        prisoner_id=prisoner.id,
        status=Status.DRAFT,
        created_at=now,
        updated_at=now,
    )
    session.add(referral)
    session.flush()
    session.add(
        StatusChange(
            referral_id=referral.id,
            from_status=None,
            to_status=Status.DRAFT,
            happened_at=data.discovered_at or data.incident_at,
            recorded_at=now,
            actor=audit.actor_of(session),
            reason="created",
        )
    )
    if data.parties:
        _replace_parties(session, referral, data.parties)
    referral.category_code = category.code
    refresh_due(session, referral)
    session.flush()
    return referral


def update_referral(
    *,
    session: Session,
    referral_id: int,
    data: ReferralUpdate,
    clock: Clock,
    expected_version: int | None = None,
) -> Referral:
    """Change the fields set in ``data``. Refused if the referral changed since it was read."""
    referral = _load(session, referral_id)
    _check_version(session, referral, expected_version)
    changes = data.model_dump(exclude_unset=True)
    if "category_code" in changes:
        if changes["category_code"] is None:
            raise ReferralError("category: a referral needs a category", field="category_code")
        _category(session, changes["category_code"])
    if "force_id" in changes:
        _check_force(session, changes["force_id"])
    for key, label in (("incident_at", "incident date"), ("discovered_at", "discovered date")):
        if key in changes:
            if changes[key] is None:
                raise ReferralError(f"{label}: required", field=key)
            _check_not_future(changes[key], clock, key, label)
    incident = changes.get("incident_at", referral.incident_at)
    discovered = changes.get("discovered_at", referral.discovered_at)
    if discovered < incident:
        raise ReferralError(
            "discovered date: discovered before the incident happened", field="discovered_at"
        )
    prisoner_in = changes.pop("prisoner", None)
    if prisoner_in is not None:
        prisoner = upsert_prisoner(session, PrisonerIn.model_validate(prisoner_in), clock)
        if prisoner.id != referral.prisoner_id:
            referral.prisoner_id = prisoner.id  # type: ignore[assignment]
    parties = changes.pop("parties", None)
    for key, value in changes.items():
        if getattr(referral, key) != value:
            setattr(referral, key, value)
    if parties is not None:
        _replace_parties(session, referral, [PartyIn.model_validate(p) for p in parties])
    refresh_due(session, referral)
    if session.is_modified(referral):
        referral.updated_at = clock.now()
    _flush(session, referral)
    return referral


def move_status(
    *,
    session: Session,
    referral_id: int,
    to_status: Status | str,
    clock: Clock,
    reason: str | None = None,
    outcome: Outcome | str | None = None,
    happened_at: datetime | None = None,
    expected_version: int | None = None,
    police: Mapping[str, str | None] | None = None,
) -> Referral:
    """Move a referral along the workflow, or refuse naming the moves that are allowed.

    ``police`` (crime_ref, oic_name, oic_collar, oic_phone, oic_email) records what the
    police gave with the move; a person moving to Acknowledged gives the crime reference
    (``POLICE_ASKED_ON``), which is what that status records.
    """
    referral = _load(session, referral_id)
    _check_version(session, referral, expected_version)
    try:
        target = Status(to_status)
    except ValueError:
        raise ReferralError(f"status: '{to_status}' is not a status", field="status") from None
    current = Status(referral.status)
    allowed = TRANSITIONS[current]
    if target not in allowed:
        names = ", ".join(status_label(s) for s in allowed) or "none (this status is final)"
        raise ReferralError(
            f"status: cannot move from {status_label(current)} to {status_label(target)}; "
            f"allowed: {names}",
            field="status",
        )
    reason = (reason or "").strip() or None
    if target in REASON_REQUIRED and not reason:
        raise ReferralError(
            f"reason: a move to {status_label(target)} needs a reason", field="reason"
        )
    outcome_value: Outcome | None = None
    if outcome:
        try:
            outcome_value = Outcome(outcome)
        except ValueError:
            raise ReferralError(
                f"outcome: '{outcome}' is not an outcome", field="outcome"
            ) from None
    choices = OUTCOMES_FOR.get(target)
    if choices and target != Status.CHARGED:
        if outcome_value is None:
            raise ReferralError(
                f"outcome: {status_label(target)} needs an outcome: "
                + ", ".join(outcome_label(o) for o in choices),
                field="outcome",
            )
        if outcome_value not in choices:
            raise ReferralError(
                f"outcome: {outcome_label(outcome_value)} does not fit {status_label(target)}",
                field="outcome",
            )
    if target == Status.CHARGED and outcome_value is None:
        outcome_value = Outcome.CHARGED
    if police is not None:
        given = ReferralUpdate.model_validate({k: police.get(k) for k in POLICE_FIELDS})
        for name in POLICE_FIELDS:
            if getattr(given, name):
                setattr(referral, name, getattr(given, name))
        if target in POLICE_ASKED_ON and not referral.crime_ref:
            raise ReferralError(
                f"crime_ref: {status_label(target)} records the police's crime reference; type it",
                field="crime_ref",
            )
    now = clock.now()
    when = happened_at or now
    if when > now:
        raise ReferralError("when: a status move cannot be in the future", field="happened_at")
    referral.status = target
    referral.status_reason = reason
    if outcome_value is not None:
        referral.outcome = outcome_value
    if target == Status.REFERRED and referral.referred_at is None:
        referral.referred_at = when
        if referral.police_contacted_at is None:
            referral.police_contacted_at = when
    if target == Status.ACKNOWLEDGED and referral.acknowledged_at is None:
        referral.acknowledged_at = when
    if target == Status.CHARGED:
        referral.charged_at = when
    if target in POLICE_DECISION_STATUSES:
        referral.police_decision_at = when
    referral.closed_at = when if target in CLOSED_STATUSES else None
    referral.updated_at = now
    session.add(
        StatusChange(
            referral_id=referral.id,
            from_status=current,
            to_status=target,
            happened_at=when,
            recorded_at=now,
            actor=audit.actor_of(session),
            reason=reason,
            outcome=outcome_value,
        )
    )
    refresh_due(session, referral)
    _flush(session, referral)
    return referral


def add_follow_up(
    *,
    session: Session,
    referral_id: int,
    note: str,
    clock: Clock,
    method: str = "phone",
    happened_at: datetime | None = None,
) -> FollowUp:
    """Log a chase or contact ("chased OIC by phone")."""
    _load(session, referral_id)
    note = " ".join((note or "").split())
    if not note:
        raise ReferralError("note: say what was done", field="note")
    now = clock.now()
    follow_up = FollowUp(
        referral_id=referral_id,
        happened_at=happened_at or now,
        recorded_at=now,
        actor=audit.actor_of(session),
        method=method,
        note=note,
    )
    session.add(follow_up)
    session.flush()
    return follow_up


# ---------------------------------------------------------------- reads


@dataclass(frozen=True)
class ReferralRow:
    """One line of the referrals table: plain values, safe to pass between threads."""

    id: int
    reference: str
    nomis_number: str
    prisoner_name: str
    category: str
    incident_at: datetime
    status: str
    crime_ref: str
    oic: str
    next_due_label: str
    next_due_at: datetime | None
    severity: Severity
    version: int


SORT_COLUMNS: dict[str, Any] = {
    "reference": Referral.reference,
    "nomis_number": Prisoner.nomis_number,
    "prisoner_name": Prisoner.name,
    "category": CrimeCategory.label,
    "incident_at": Referral.incident_at,
    "status": Referral.status,
    "crime_ref": Referral.crime_ref,
    "oic": Referral.oic_name,
    "next_due": Referral.next_due_at,
}


def queue_clause(queue: str, now: datetime) -> ColumnElement[bool]:
    statuses: dict[str, tuple[Status, ...]] = {
        "to_refer": (Status.DRAFT,),
        "awaiting_police": (Status.REFERRED, Status.ACKNOWLEDGED),
        "investigating": (Status.INVESTIGATING,),
        "with_cps": (Status.WITH_CPS,),
        "charged": (Status.CHARGED, Status.AT_COURT),
        "closed": tuple(CLOSED_STATUSES),
    }
    if queue == "overdue":
        return and_(Referral.next_due_at.is_not(None), Referral.next_due_at < now)  # type: ignore[union-attr,operator]
    if queue not in statuses:
        raise ReferralError(f"unknown queue '{queue}'")
    return Referral.status.in_([s.value for s in statuses[queue]])  # type: ignore[attr-defined]


def _filtered(query: PageQuery, now: datetime) -> Any:
    statement = (
        select(
            Referral.id,
            Referral.reference,
            Prisoner.nomis_number,
            Prisoner.name,
            CrimeCategory.label,
            Referral.incident_at,
            Referral.status,
            Referral.crime_ref,
            Referral.oic_name,
            Referral.next_due_label,
            Referral.next_due_at,
            Referral.next_warn_at,
            Referral.version,
        )
        .join(Prisoner, Prisoner.id == Referral.prisoner_id)
        .join(CrimeCategory, CrimeCategory.code == Referral.category_code)
    )
    clause = text_filter(
        [
            Referral.reference,
            Prisoner.nomis_number,
            Prisoner.name,
            Referral.crime_ref,
            Referral.oic_name,
        ],
        query.text,
    )
    if clause is not None:
        statement = statement.where(clause)
    if query.queue:
        statement = statement.where(queue_clause(query.queue, now))
    for key, value in query.extra.items():
        if key == "prisoner_id":
            statement = statement.where(Referral.prisoner_id == value)
        elif key == "status":
            statement = statement.where(Referral.status == value)
    return statement


def referral_page(
    session: Session, query: PageQuery, clock: Clock, *, total: int | None = None
) -> Page[ReferralRow]:
    """One page of referrals for the table, filtered, sorted and counted in SQL.

    Pass ``total`` when it is already known (from :func:`queue_counts`) to skip a count.
    """
    now = clock.now()
    statement = _filtered(query, now)
    if total is None:
        total = count_of(session, statement)
    column = SORT_COLUMNS.get(query.sort or "", Referral.incident_at)
    default_desc = query.sort is None
    descending = query.descending or default_desc
    ordering = column.desc() if descending else column.asc()
    if query.sort == "next_due":
        ordering = column.is_(None), ordering  # undated last
        statement = statement.order_by(*ordering, Referral.id.desc())  # type: ignore[union-attr]
    else:
        statement = statement.order_by(ordering, Referral.id.desc())  # type: ignore[union-attr]
    statement = statement.offset(query.offset).limit(query.limit)
    rows = [
        ReferralRow(
            id=r[0],
            reference=r[1],
            nomis_number=r[2],
            prisoner_name=r[3] or "",
            category=r[4],
            incident_at=r[5],
            status=r[6],
            crime_ref=r[7] or "",
            oic=r[8] or "",
            next_due_label=r[9] or "",
            next_due_at=r[10],
            severity=severity_of(r[10], r[11], now),
            version=r[12],
        )
        for r in session.execute(statement)
    ]
    return Page(rows=rows, total=total, offset=query.offset)


def queue_counts(session: Session, clock: Clock, text: str = "") -> dict[str, int]:
    """How many referrals each quick filter holds (with the free-text filter applied).

    ``total`` is every referral, ignoring the filter: the M of "N of M referrals".
    """
    now = clock.now()
    if not text.strip():
        return _unfiltered_queue_counts(session, now)
    base = _filtered(PageQuery(text=text), now).subquery()
    statuses = func.count().filter
    closed = [s.value for s in CLOSED_STATUSES]
    row = session.execute(
        select(
            func.count(),
            statuses(base.c.status == Status.DRAFT.value),
            statuses(base.c.status.in_([Status.REFERRED.value, Status.ACKNOWLEDGED.value])),
            statuses(base.c.status == Status.INVESTIGATING.value),
            statuses(base.c.status == Status.WITH_CPS.value),
            statuses(base.c.status.in_([Status.CHARGED.value, Status.AT_COURT.value])),
            statuses(base.c.status.in_(closed)),
            statuses(and_(base.c.next_due_at.is_not(None), base.c.next_due_at < now)),
        )
    ).one()
    keys = ["all", *QUEUES.keys()]
    counts = {key: int(value or 0) for key, value in zip(keys, row, strict=True)}
    counts["total"] = (
        counts["all"]
        if not text.strip()
        else int(session.scalar(select(func.count()).select_from(Referral)) or 0)
    )
    return counts


QUEUE_STATUSES: dict[str, tuple[Status, ...]] = {
    "to_refer": (Status.DRAFT,),
    "awaiting_police": (Status.REFERRED, Status.ACKNOWLEDGED),
    "investigating": (Status.INVESTIGATING,),
    "with_cps": (Status.WITH_CPS,),
    "charged": (Status.CHARGED, Status.AT_COURT),
    "closed": tuple(CLOSED_STATUSES),
}


def _unfiltered_queue_counts(session: Session, now: datetime) -> dict[str, int]:
    """Queue counts straight from the status and due-date indexes (no joins, no scan)."""
    by_status = dict(
        session.execute(select(Referral.status, func.count()).group_by(Referral.status)).all()
    )
    counts = {
        queue: sum(int(by_status.get(s.value, 0)) for s in statuses)
        for queue, statuses in QUEUE_STATUSES.items()
    }
    counts["overdue"] = int(
        session.scalar(
            select(func.count()).select_from(Referral).where(Referral.next_due_at < now)  # type: ignore[operator]
        )
        or 0
    )
    counts["all"] = counts["total"] = sum(int(v) for v in by_status.values())
    return counts


@dataclass(frozen=True)
class FlagView:
    rule: str
    label: str
    due_at: datetime
    severity: Severity


@dataclass(frozen=True)
class TimelineEntry:
    happened_at: datetime
    recorded_at: datetime
    actor: str
    kind: str  # status | follow-up
    text: str


@dataclass(frozen=True)
class HistoryEntry:
    """One audited change, in words: field label and values as a coordinator reads them."""

    at: datetime
    actor: str
    field: str
    old: str
    new: str
    action: str


FIELD_LABELS: dict[str, str] = {
    "category_code": "Category",
    "prisoner_id": "Prisoner",
    "incident_at": "Incident",
    "discovered_at": "Discovered",
    "aggravating_factors": "Aggravating factors",
    "force_id": "Force",
    "crime_ref": "Crime reference",
    "oic_name": "OIC name",
    "oic_collar": "OIC collar number",
    "oic_phone": "OIC phone",
    "oic_email": "OIC e-mail",
    "adjudication_charge": "Adjudication charge",
    "adjudication_state": "Adjudication state",
    "footage_requested_on": "Footage requested",
    "police_contacted_at": "Police contacted",
    "referred_at": "Referred",
    "acknowledged_at": "Acknowledged",
    "police_decision_at": "Police decision",
    "charged_at": "Charged",
    "closed_at": "Closed",
    "victim_updated_at": "Victim last updated",
    "status_reason": "Reason",
    "next_step_due": "Next step due",
    "outcome_number": "Home Office outcome number",
}
ADJUDICATION_LABELS: dict[str, str] = {
    "REFER_POLICE": "Referred to police",
    "PROSECUTION": "Prosecution",
    "NOT_PROCEED": "Not proceeded with",
    "SCHEDULED": "Hearing scheduled (resumed)",
    "REFER_INAD": "Referred to independent adjudicator",
    "REFER_GOV": "Referred to governor",
}


def adjudication_label(state: str | None) -> str:
    return ADJUDICATION_LABELS.get(state, state or "") if state else ""


def field_label(field: str | None) -> str:
    if not field:
        return ""
    return FIELD_LABELS.get(field, field.replace("_", " ").capitalize())


def value_text(field: str | None, value: str | None) -> str:
    """An audited value as the coordinator would type or read it."""
    if value is None or value == "":
        return "—"
    if field == "status":
        return status_label(value)
    if field == "outcome":
        return outcome_label(value)
    if field == "adjudication_state":
        return adjudication_label(value)
    if value in ("True", "False"):
        return "yes" if value == "True" else "no"
    if field and field.endswith("_at"):
        try:
            return f"{to_london(datetime.fromisoformat(value)):%d/%m/%Y %H:%M}"
        except ValueError:
            return value
    if field and field.endswith(("_on", "_due")):
        try:
            return f"{date.fromisoformat(value):%d/%m/%Y}"
        except ValueError:
            return value
    return value


@dataclass(frozen=True)
class ReferralDetail:
    referral: Referral
    prisoner: Prisoner
    category: CrimeCategory
    force_name: str
    parties: list[ReferralParty]
    flags: list[FlagView]
    information: list[str]
    timeline: list[TimelineEntry]
    history: list[HistoryEntry]
    allowed_moves: tuple[Status, ...]


def referral_detail(session: Session, referral_id: int, clock: Clock) -> ReferralDetail:
    """Everything the detail screen shows about one referral."""
    referral = _load(session, referral_id)
    now = clock.now()
    category = _category(session, referral.category_code)
    prisoner = session.get(Prisoner, referral.prisoner_id)
    assert prisoner is not None
    force = session.get(Force, referral.force_id) if referral.force_id else None
    flags: list[DueFlag] = referral_flags(
        referral, category, flag_settings(session), has_victims=_has_victims(session, referral)
    )
    timeline = [
        TimelineEntry(
            c.happened_at,
            c.recorded_at,
            c.actor,
            "status",
            (
                f"{status_label(c.from_status)} → {status_label(c.to_status)}"
                if c.from_status
                else f"Created as {status_label(c.to_status)}"
            )
            + (f" ({outcome_label(c.outcome)})" if c.outcome else "")
            + (f": {c.reason}" if c.reason and c.reason != "created" else ""),
        )
        for c in session.scalars(
            select(StatusChange).where(StatusChange.referral_id == referral_id)
        )
    ] + [
        TimelineEntry(f.happened_at, f.recorded_at, f.actor, "follow-up", f"[{f.method}] {f.note}")
        for f in session.scalars(select(FollowUp).where(FollowUp.referral_id == referral_id))
    ]
    timeline.sort(key=lambda e: (e.happened_at, e.recorded_at))
    history = [
        HistoryEntry(
            e.at,
            e.actor,
            field_label(e.field) or {"insert": "Created", "delete": "Deleted"}.get(e.action, ""),
            value_text(e.field, e.old) if e.field else "",
            value_text(e.field, e.new) if e.field else "",
            e.action,
        )
        for e in audit.history(session, "referral", referral_id)
    ]
    return ReferralDetail(
        referral=referral,
        prisoner=prisoner,
        category=category,
        force_name=force.name if force else "",
        parties=_parties(session, referral_id),
        flags=[FlagView(f.rule, f.label, f.due_at, f.severity(now)) for f in flags],
        information=information(referral, now),
        timeline=timeline,
        history=history,
        allowed_moves=TRANSITIONS[Status(referral.status)],
    )


@dataclass(frozen=True)
class ReferralHit:
    id: int
    reference: str
    nomis_number: str
    prisoner_name: str
    status: str


def find_referrals(session: Session, text: str, limit: int = 20) -> list[ReferralHit]:
    """Referrals whose reference, prisoner number or name contains ``text`` (palette)."""
    pattern = f"%{text.strip()}%"
    statement = (
        select(
            Referral.id, Referral.reference, Prisoner.nomis_number, Prisoner.name, Referral.status
        )
        .join(Prisoner, Prisoner.id == Referral.prisoner_id)
        .where(
            or_(
                Referral.reference.ilike(pattern),  # type: ignore[attr-defined]
                Prisoner.nomis_number.ilike(pattern),  # type: ignore[attr-defined]
                Prisoner.name.ilike(pattern),  # type: ignore[attr-defined]
                Referral.crime_ref.ilike(pattern),  # type: ignore[union-attr]
            )
        )
        .order_by(Referral.incident_at.desc())  # type: ignore[attr-defined]
        .limit(limit)
    )
    return [ReferralHit(*row) for row in session.execute(statement)]


def get_referral(session: Session, referral_id: int) -> Referral:
    return _load(session, referral_id)


def referral_by_reference(session: Session, reference: str) -> Referral | None:
    return session.scalars(select(Referral).where(Referral.reference == reference)).first()


def prisoner_by_nomis(session: Session, nomis_number: str) -> Prisoner | None:
    return session.scalars(select(Prisoner).where(Prisoner.nomis_number == nomis_number)).first()
