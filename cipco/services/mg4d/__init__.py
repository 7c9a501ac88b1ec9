"""The MG4D issue log's service: papers and their service events, the list, the import.

- :mod:`~cipco.services.mg4d.writes`: receive, correct, serve (append-only events), delete;
- :mod:`~cipco.services.mg4d.queries`: the list's :data:`SPEC`, rows, queues, detail;
- :mod:`~cipco.services.mg4d.importing`: one row of an old issue log at a time.
"""

from cipco.services.mg4d.importing import (
    RESPONSE_WORDS,
    ImportRowResult,
    Mg4dImport,
    parse_response,
)
from cipco.services.mg4d.queries import (
    OLDEST_FIRST,
    QUEUE_LIST,
    QUEUES,
    SERVICE,
    SPEC,
    EventView,
    Mg4dService,
    PapersDetail,
    PapersRow,
    awaiting_service,
    papers_detail,
    papers_detail_events,
    papers_page,
    queue_counts,
    warn_limit,
)
from cipco.services.mg4d.writes import (
    PATH_TO_CHARGED,
    Mg4dError,
    ServiceResult,
    delete_papers,
    latest_event,
    move_referral_to_charged,
    receive_papers,
    record_copy_returned,
    record_service,
    response_label,
    state_for,
    update_papers,
)

__all__ = [
    "OLDEST_FIRST",
    "PATH_TO_CHARGED",
    "QUEUES",
    "QUEUE_LIST",
    "RESPONSE_WORDS",
    "SERVICE",
    "SPEC",
    "EventView",
    "ImportRowResult",
    "Mg4dError",
    "Mg4dImport",
    "Mg4dService",
    "PapersDetail",
    "PapersRow",
    "ServiceResult",
    "awaiting_service",
    "delete_papers",
    "latest_event",
    "move_referral_to_charged",
    "papers_detail",
    "papers_detail_events",
    "papers_page",
    "parse_response",
    "queue_counts",
    "receive_papers",
    "record_copy_returned",
    "record_service",
    "response_label",
    "state_for",
    "update_papers",
    "warn_limit",
]
