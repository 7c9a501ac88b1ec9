"""Ids handed out one at a time to rows a bulk insert writes with their ids given.

A batch (an imported log, the demo data) builds rows in memory that point at each other by
id (an event at its exhibit, papers at their prisoner) before one insert per table writes
them. The ids come from :func:`cipco.db.reserve_ids`, a block at a time, so they are the
table's own on both backends: on PostgreSQL no other site's login can be given them.
"""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from cipco.db import reserve_ids, unreserve_ids


class IdBlock:
    """The next ids of ``model``'s table, reserved ``size`` at a time when first needed.

    Call :meth:`release` once the rows taken so far are written and before anything else
    inserts into the table the ordinary way (on SQLite that insert takes the highest id + 1):
    the next id taken then comes from a new reservation.
    """

    def __init__(self, session: Session, model: Any, size: int = 1000) -> None:
        self.session = session
        self.model = model
        self.size = size
        self._ids: list[int] = []
        self._next = 0

    def take(self) -> int:
        if self._next >= len(self._ids):
            self._ids = reserve_ids(self.session, self.model, self.size)
            self._next = 0
        value = self._ids[self._next]
        self._next += 1
        return value

    def release(self) -> None:
        """Forget the ids reserved and not taken (a gap on PostgreSQL, none on SQLite)."""
        if self._next < len(self._ids):
            unreserve_ids(self.session, self.model, self._ids[self._next :])
        self._ids = []
        self._next = 0
