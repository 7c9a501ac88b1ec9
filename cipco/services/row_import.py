"""What every log's importer shares: the result of one row, and a refusal in one sentence.

Each log has a row handler in ``cipco/services/<log>_import.py`` (referrals, persons,
exhibits, clinic actions; MG4D's lives in :mod:`cipco.services.mg4d`). The one import pipeline
(:func:`cipco.spreadsheets.importers.run_import`) reads cells, converts them, and calls::

    handler.set_columns({"nomis_number", "incident_at", ...})   # what the file has
    handler.add(row_number, {"nomis_number": "A1234BC", ...}) -> RowResult
    handler.finish()                                              # flush batched writes

all inside one unit of work, within :func:`indexed_in_bulk` (the search index is brought in
step once, at the end, not row by row). A handler that must see rows in another order than the
file's (an exhibit's chain is replayed in date order) also has ``order_key(row, values)``.
"""

from __future__ import annotations

import dataclasses
import gc
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from sqlmodel import Session

from cipco import fts
from cipco.search_docs import DOCS

ACTIONS = ("imported", "updated", "unchanged", "rejected")
Schema = TypeVar("Schema", bound=BaseModel)


@dataclass
class RowResult:
    """What happened to one row: imported, updated, unchanged or rejected (with why)."""

    row: int
    action: str
    reference: str = ""
    field: str = ""
    reason: str = ""
    warnings: list[str] = dataclasses.field(default_factory=list)


@contextmanager
def indexed_in_bulk(session: Session) -> Iterator[None]:
    """Write many records with the search index brought in step once, at the end.

    The index triggers rebuild a record's searchable text for every row written (and again
    for each event, party or prisoner it draws text from): most of a big import's time.
    Inside this block they are set aside (:func:`cipco.fts.suspend`); when it ends, the
    session is flushed and every record added, changed or deleted is indexed again in one
    statement per list, and the triggers are back, all before the unit of work commits.
    An error inside leaves the file as it was before the block (a savepoint is rolled back:
    rows, index and triggers), and goes on to the caller.
    """
    with session.begin_nested(), fts.deferred(session.connection(), DOCS):
        yield
        session.flush()


@contextmanager
def fewer_full_collections() -> Iterator[None]:
    """Run a big import with fewer full passes of the garbage collector.

    A full pass walks every object the program holds: the sheet just read (a list per row)
    and every imported module's objects; a 50,000-row import paid about a tenth of its time
    for them. Here a full pass comes after ten times as many younger ones (young objects are
    collected as usual), and the objects that were there before the import are frozen for
    its length (:func:`gc.freeze`; those start-up froze stay frozen).
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(thresholds[0], thresholds[1], max(thresholds[2], 100))
    # what the program held before the import (modules, caches) is not walked again
    freeze = gc.get_freeze_count() == 0  # else start-up froze it already: leave that be
    if freeze:
        gc.freeze()
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)
        if freeze:
            gc.unfreeze()


class RowRejected(ValueError):
    """A row cannot be imported; ``field`` names the field of the column at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def validated(schema: type[Schema], data: Mapping[str, Any]) -> Schema:
    """``schema.model_validate(data)`` for an input schema (not a table model), as pydantic
    does it: a row handler validates a few schemas per row, and SQLModel's own
    ``model_validate`` adds table-model bookkeeping such a schema has no use for."""
    found = schema.__new__(schema)
    schema.__pydantic_validator__.validate_python(data, self_instance=found)
    return found


def rejected(row: int, field: str, reason: str) -> RowResult:
    return RowResult(row, "rejected", field=field, reason=reason)


def refusal(exc: Exception, aliases: Mapping[str, str] | None = None) -> tuple[str, str]:
    """(field, one sentence) for a schema's ValidationError or a service's refusal.

    ``aliases`` renames schema fields to import field names (``{"name": "prisoner_name"}``);
    the last part of a nested location (``prisoner.name``) is the one looked up.
    """
    if isinstance(exc, ValidationError):
        error = exc.errors()[0]
        loc = [str(part) for part in error.get("loc", ()) if part != "__root__"]
        name = loc[-1] if loc else ""
        message = str(error.get("msg", "invalid")).removeprefix("Value error, ")
        return (aliases or {}).get(name, name), message
    field = str(getattr(exc, "field", "") or "")
    return (aliases or {}).get(field, field), str(exc)


def refused(row: int, exc: Exception, aliases: Mapping[str, str] | None = None) -> RowResult:
    """A rejected :class:`RowResult` for ``exc`` (see :func:`refusal`)."""
    field, message = refusal(exc, aliases)
    return rejected(row, field, message)


YES_WORDS = frozenset({"y", "yes", "true", "1", "x", "✓", "✔", "ok", "done", "signed"})
NO_WORDS = frozenset({"n", "no", "false", "0", "not signed", "unsigned", "nil", "none"})
REFUSED_WORDS = frozenset(
    {"r", "ref", "refused", "refused to sign", "declined", "would not sign", "refusal"}
)


def answer(text: object) -> str | None:
    """A yes / no / refused cell: ``"yes"``, ``"no"``, ``"refused"``, or None (blank or other
    words, which the caller reads in its own context)."""
    cleaned = " ".join(str(text or "").lower().strip(" .!").split())
    if cleaned in YES_WORDS:
        return "yes"
    if cleaned in NO_WORDS:
        return "no"
    if cleaned in REFUSED_WORDS:
        return "refused"
    return None


def merge_original(
    existing: Sequence[Sequence[str]] | None, new: Sequence[Sequence[str]]
) -> list[list[str]]:
    """A record's original columns with a new import's cells: a header already there takes
    the new value, other headers are added (so importing the same file again changes
    nothing)."""
    result = [list(pair) for pair in existing or []]
    index = {pair[0]: i for i, pair in enumerate(result)}
    for header, value in new:
        if header in index:
            result[index[header]] = [header, value]
        else:
            index[header] = len(result)
            result.append([header, value])
    return result


def original_text(pairs: Sequence[Sequence[str]] | None) -> str:
    """Original columns as shown and exported: one ``Header: value`` line each."""
    return "\n".join(f"{h}: {v}" if h else v for h, v in pairs or [])


def originals_of(session: Any, model: Any, ids: Sequence[int]) -> dict[int, list[list[str]]]:
    """{id: original columns} of the records of ``model`` with these ids that have any."""
    if not ids:
        return {}
    from sqlalchemy import select

    rows = session.execute(
        select(model.id, model.original_columns).where(
            model.id.in_(list(ids)), model.original_columns.is_not(None)
        )
    )
    return {rid: pairs for rid, pairs in rows if pairs}
