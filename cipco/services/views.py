"""Saved views: a list's queue, typed filter and sort kept under a name in the data file.

Everyone on the file shares them (they are practice, like the settings). A name is unique
within its list; saving a name again replaces that view. The queue and sort are checked
against the list's own description, so a view never names something the list cannot show.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.views import SavedView
from cipco.services.errors import RecordError
from cipco.services.paging import PageQuery
from cipco.text import clean

NAME_MAX = 60
TEXT_MAX = 200


@dataclass(frozen=True)
class View:
    """A saved view as plain values (safe to hand to the UI thread)."""

    id: int
    log: str
    name: str
    queue: str | None
    text: str
    sort: str | None
    descending: bool

    def query(self) -> PageQuery:
        return PageQuery(
            text=self.text, queue=self.queue, sort=self.sort, descending=self.descending
        )

    @property
    def summary(self) -> str:
        """ "queue Overdue · filter "spice" · sorted by due ▼" in words."""
        parts = [f"queue {self.queue}" if self.queue else "all"]
        if self.text:
            parts.append(f'filter "{self.text}"')
        if self.sort:
            parts.append(f"sorted by {self.sort}{' ▼' if self.descending else ''}")
        return " · ".join(parts)


def _plain(view: SavedView) -> View:
    return View(
        int(view.id),  # type: ignore[arg-type]
        view.log,
        view.name,
        view.queue,
        view.text,
        view.sort,
        view.descending,
    )


def _checked(log: str, name: str, query: PageQuery) -> tuple[str, str]:
    from cipco.services.logspec import LOGS, spec

    if log not in LOGS:
        raise RecordError(f"list: there is no list called '{clean(log)}'", field="log")
    name = " ".join(clean(name).split())
    if not name:
        raise RecordError("name: give the view a name", field="name")
    if len(name) > NAME_MAX:
        raise RecordError(f"name: at most {NAME_MAX} characters", field="name")
    text = clean(query.text).strip()
    if len(text) > TEXT_MAX:
        raise RecordError(f"filter: at most {TEXT_MAX} characters", field="text")
    found = spec(log)
    if query.queue is not None and query.queue not in {q.key for q in found.queues}:
        raise RecordError(
            f"queue: '{clean(query.queue)}' is not a queue of this list", field="queue"
        )
    if query.sort is not None and query.sort not in {c.key for c in found.columns if c.sortable}:
        raise RecordError(
            f"sort: '{clean(query.sort)}' is not a sortable column of this list", field="sort"
        )
    return name, text


def save_view(
    session: Session, log: str, name: str, query: PageQuery, clock: Clock, actor: str = ""
) -> View:
    """Keep ``query``'s queue, filter and sort as ``name`` on ``log`` (replacing that name)."""
    name, text = _checked(log, name, query)
    now = clock.now()
    view = session.scalars(
        select(SavedView).where(SavedView.log == log, SavedView.name == name)
    ).first()
    if view is None:
        view = SavedView(log=log, name=name, created_by=actor, created_at=now, updated_at=now)
    view.queue, view.text, view.sort = query.queue, text, query.sort
    view.descending, view.updated_at = query.descending, now
    session.add(view)
    session.flush()
    return _plain(view)


def list_views(session: Session, log: str | None = None) -> list[View]:
    """Every saved view (of one list), by list then name."""
    statement = select(SavedView).order_by(SavedView.log, SavedView.name)
    if log is not None:
        statement = statement.where(SavedView.log == log)
    return [_plain(view) for view in session.scalars(statement)]


def delete_view(session: Session, view_id: int) -> None:
    view = session.get(SavedView, view_id)
    if view is not None:
        session.delete(view)
        session.flush()
