"""The police referral tracker's service: rules, writes, the list and the detail read model.

- :mod:`~cipco.services.referrals.rules`: the workflow's facts (moves, reasons, outcomes,
  closed statuses, labels) and the deadline refresh;
- :mod:`~cipco.services.referrals.writes`: create, edit, move, follow up;
- :mod:`~cipco.services.referrals.queries`: the list's :data:`SPEC`, rows, queues and counts;
- :mod:`~cipco.services.referrals.detail`: one referral as the detail screen shows it.
"""

from cipco.services.errors import NotFoundError as NotFound
from cipco.services.errors import StaleEditError as StaleEdit
from cipco.services.prisoners import prisoner_by_nomis, upsert_prisoner
from cipco.services.referrals.detail import (
    ADJUDICATION_LABELS,
    FIELD_LABELS,
    FlagView,
    HistoryEntry,
    ReferralDetail,
    TimelineEntry,
    adjudication_label,
    field_label,
    referral_detail,
    value_text,
)
from cipco.services.referrals.queries import (
    QUEUE_LIST,
    QUEUES,
    SERVICE,
    SPEC,
    ReferralHit,
    ReferralRow,
    find_referrals,
    get_referral,
    queue_clause,
    queue_counts,
    referral_by_reference,
    referral_id_for,
    referral_id_of,
    referral_page,
)
from cipco.services.referrals.rules import (
    ReferralError,
    allowed_moves,
    flag_settings,
    is_closed,
    needs_reason,
    outcome_label,
    outcomes_for,
    recompute_all_due,
    refresh_due,
    status_label,
)
from cipco.services.referrals.writes import (
    add_follow_up,
    create_referral,
    last_move_at,
    move_status,
    next_reference,
    update_referral,
)

__all__ = [
    "ADJUDICATION_LABELS",
    "FIELD_LABELS",
    "QUEUES",
    "QUEUE_LIST",
    "SERVICE",
    "SPEC",
    "FlagView",
    "HistoryEntry",
    "NotFound",
    "ReferralDetail",
    "ReferralError",
    "ReferralHit",
    "ReferralRow",
    "StaleEdit",
    "TimelineEntry",
    "add_follow_up",
    "adjudication_label",
    "allowed_moves",
    "create_referral",
    "field_label",
    "find_referrals",
    "flag_settings",
    "get_referral",
    "is_closed",
    "last_move_at",
    "move_status",
    "needs_reason",
    "next_reference",
    "outcome_label",
    "outcomes_for",
    "prisoner_by_nomis",
    "queue_clause",
    "queue_counts",
    "recompute_all_due",
    "referral_by_reference",
    "referral_detail",
    "referral_id_for",
    "referral_id_of",
    "referral_page",
    "refresh_due",
    "status_label",
    "update_referral",
    "upsert_prisoner",
    "value_text",
]
