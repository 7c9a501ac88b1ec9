"""What the referral export contains: its filter and its rows (labels, not codes).

Plain data only (no spreadsheet or UI code). The reports a manager reads (monthly, weekly,
the performance return) are :mod:`cipco.services.returns`, their figures
:mod:`cipco.services.measures`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session

from cipco.clock import Clock, london_midnight
from cipco.models.people import Prisoner
from cipco.models.reference import CrimeCategory, Force
from cipco.models.referral import OUTCOME_LABELS, Referral, Status
from cipco.models.vocab import STATUS_LABELS
from cipco.services.errors import RecordError
from cipco.services.flags import CLOSED_STATUSES
from cipco.services.paging import contains, text_filter
from cipco.services.referral_vocab import STATUS_VOCAB, _key


class FilterError(RecordError):
    """A report or export filter names something that does not exist."""


@dataclass(frozen=True)
class ReferralFilter:
    status: str | None = None
    force: str | None = None
    oic: str | None = None
    date_from: date | None = None
    date_to: date | None = None
    open_only: bool = False
    text: str = ""
    queue: str | None = None

    def describe(self) -> dict[str, str]:
        shown: dict[str, str] = {}
        if self.status:
            shown["status"] = STATUS_LABELS.get(self.status, self.status)
        if self.force:
            shown["force"] = self.force
        if self.oic:
            shown["OIC contains"] = self.oic
        if self.date_from:
            shown["incident from"] = f"{self.date_from:%d/%m/%Y}"
        if self.date_to:
            shown["incident to"] = f"{self.date_to:%d/%m/%Y}"
        if self.open_only:
            shown["open only"] = "yes"
        if self.text:
            shown["text"] = self.text
        if self.queue:
            shown["queue"] = self.queue
        return shown


def resolve_status(text: str) -> str:
    """'With CPS', 'with_cps', 'cps' -> 'with_cps'; unknown text raises FilterError."""
    code = STATUS_VOCAB.get(_key(text))
    if code is None:
        raise FilterError(
            f"status: '{text}' is not a status; use one of "
            + ", ".join(STATUS_LABELS[s] for s in Status)
        )
    return code


def resolve_force(session: Session, text: str) -> str:
    wanted = _key(text)
    for force in session.scalars(select(Force)):
        if wanted in (_key(force.id), _key(force.name)):
            return force.id
    raise FilterError(f"force: '{text}' is not a police force")


# What each row of :func:`referral_export_rows` holds, in order (labels, not codes).
_EXPORTED = (
    Referral.reference,
    Prisoner.nomis_number,
    Prisoner.name.label("prisoner_name"),  # type: ignore[attr-defined]
    Referral.incident_at,
    CrimeCategory.label.label("category"),  # type: ignore[attr-defined]
    Referral.status,
    Referral.outcome,
    Force.name.label("force"),  # type: ignore[attr-defined]
    Referral.crime_ref,
    Referral.oic_name,
    Referral.referred_at,
    Referral.acknowledged_at,
    Referral.charged_at,
    Referral.closed_at,
    Referral.location,
    Referral.description,
    Referral.notes,
    Referral.next_due_label.label("next_due"),  # type: ignore[union-attr]
    Referral.next_due_at,
    Referral.original_columns,  # type: ignore[arg-type]
)
REFERRAL_EXPORT_FIELDS = tuple(str(column.key) for column in _EXPORTED)  # type: ignore[attr-defined]


def _export_statement(session: Session, flt: ReferralFilter, clock: Clock) -> Any:
    statement = (
        select(*_EXPORTED)
        .join(Prisoner, Prisoner.id == Referral.prisoner_id)
        .join(CrimeCategory, CrimeCategory.code == Referral.category_code)
        .outerjoin(Force, Force.id == Referral.force_id)
    )
    if flt.status:
        statement = statement.where(Referral.status == resolve_status(flt.status))
    if flt.force:
        statement = statement.where(Referral.force_id == resolve_force(session, flt.force))
    if flt.oic:
        statement = statement.where(contains(Referral.oic_name, flt.oic.strip()))
    if flt.date_from:
        statement = statement.where(Referral.incident_at >= london_midnight(flt.date_from))
    if flt.date_to:
        from datetime import timedelta

        statement = statement.where(
            Referral.incident_at < london_midnight(flt.date_to + timedelta(days=1))
        )
    if flt.open_only:
        statement = statement.where(
            Referral.status.not_in([s.value for s in CLOSED_STATUSES])  # type: ignore[attr-defined]
        )
    clause = text_filter(
        [
            Referral.reference,
            Prisoner.nomis_number,
            Prisoner.name,
            Referral.crime_ref,
            Referral.oic_name,
        ],
        flt.text,
    )
    if clause is not None:
        statement = statement.where(clause)
    if flt.queue:
        from cipco.services.referrals import queue_clause

        statement = statement.where(queue_clause(flt.queue, clock.now()))
    return statement.order_by(Referral.incident_at, Referral.id)


def count_referrals_for_export(session: Session, flt: ReferralFilter, clock: Clock) -> int:
    statement = _export_statement(session, flt, clock)
    return int(
        session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    )


def referral_export_rows(
    session: Session, flt: ReferralFilter, clock: Clock
) -> Iterator[tuple[Any, ...]]:
    """Rows in :data:`REFERRAL_EXPORT_FIELDS` order; labels, not codes (importable back)."""
    statement = _export_statement(session, flt, clock)
    status_labels = dict(STATUS_LABELS)
    outcome_labels = dict(OUTCOME_LABELS)
    # Core execution (plain rows, no ORM result machinery), streamed in batches.
    result = session.connection().execute(statement.execution_options(yield_per=2000))
    for row in result:
        values = list(row)
        values[5] = status_labels.get(values[5], values[5])
        values[6] = outcome_labels.get(values[6], values[6]) if values[6] else None
        yield tuple(values)
