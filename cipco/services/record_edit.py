"""One way a write changes a stored record: load it (refused when it is missing, or when
someone changed it since the caller read it), let the caller change it, save it.

    with editing(STATEMENTS, session, statement_id, clock, expected_version) as statement:
        assign(statement, {...})
    return statement
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlmodel import Session

from cipco.clock import Clock
from cipco.services.logspec import LogService, ModelT


@contextmanager
def editing(
    service: LogService[ModelT, Any],
    session: Session,
    record_id: int,
    clock: Clock | None,
    expected_version: int | None = None,
    *,
    check: Callable[[ModelT], object] | None = None,
) -> Iterator[ModelT]:
    """The record to change in the ``with`` block, saved as the block ends (``updated_at``
    moves only when something changed); nothing is saved when the block raises.

    ``check`` refuses a record that may not be changed at all (a closed clinic's item); it is
    asked before the version, so such a record is refused as read-only even when stale.
    """
    record = service.load(session, record_id)
    if check is not None:
        check(record)
    service.check_version(session, record, expected_version)
    yield record
    service.save(session, record, clock)


def remove_unless(
    service: LogService[ModelT, Any],
    session: Session,
    record_id: int,
    expected_version: int | None,
    *,
    kept: Callable[[ModelT], bool],
    why: str,
) -> ModelT:
    """Delete the record (refused as :func:`editing` refuses), unless ``kept`` says it stays
    on the record: then refused with ``why``, in the list's own error. Returns the deleted
    record (its fields still readable), for what must follow its removal."""
    record = service.load(session, record_id, expected_version)
    if kept(record):
        raise service.error(why, field="form")
    session.delete(record)
    session.flush()
    return record
