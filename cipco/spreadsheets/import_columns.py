"""How an import reads columns beyond matching them: cell converters, a separate time put
into its date, the kept ("original") columns, columns that would be lost, and the mapping
remembered for a header layout. Used by :mod:`cipco.spreadsheets.importers`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError, ProgrammingError
from sqlmodel import Session

from cipco.clock import Clock
from cipco.dates import wall_clock
from cipco.db import read_scope
from cipco.services import import_mappings
from cipco.spreadsheets import headers as header_words
from cipco.spreadsheets.reader import (
    FieldSpec,
    Table,
    clean_text,
    matcher_for,
    parse_uk_date,
    parse_uk_datetime,
    parse_uk_time,
)
from cipco.text import clean

if TYPE_CHECKING:
    from cipco.spreadsheets.importers import ImportLog

ORIGINAL = "original_columns"  # the kept columns' cells, handed to the handler
ORIGINAL_FIELD = FieldSpec(ORIGINAL, ("Original columns",), kind="original")


@dataclass(frozen=True)
class LostColumn:
    """A column with values that nothing will store, and the ``--map`` that would help."""

    header: str
    reason: str
    remedy: str = ""


def shown(header: Any, limit: int = 40) -> str:
    """A header as a message names it: one line, cleaned, cut short."""
    text = " ".join(clean(header).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def text_value(raw: Any) -> str:
    return raw.strip() if isinstance(raw, str) else clean_text(raw)


def parse_original(raw: Any) -> list[list[str]]:
    """An "Original columns" cell as cipco exports it (``Header: value`` lines) -> pairs."""
    pairs: list[list[str]] = []
    for line in text_value(raw).splitlines():
        header, sep, value = line.partition(":")
        if sep and header.strip():
            pairs.append([header.strip(), value.strip()])
        elif line.strip():
            pairs.append(["", line.strip()])
    return pairs


def converter(spec: FieldSpec) -> Callable[[Any], Any]:
    """The cell converter for a field kind, chosen once per column (not once per cell)."""
    if spec.kind == "datetime":
        return parse_uk_datetime
    if spec.kind == "date":
        return parse_uk_date
    if spec.kind == "time":
        return parse_uk_time
    if spec.kind == "original":
        return parse_original
    return text_value


def combine(
    values: dict[str, Any], time_name: str, date_name: str, label: Callable[[str], str]
) -> str:
    """Put a separate time cell into its date's value; the reason if they cannot be combined.

    A date cell that already has a time keeps it when the time cell agrees (or is blank).
    """
    at = values.pop(time_name, None)
    if at is None:
        return ""
    day = values.get(date_name)
    if not isinstance(day, datetime):
        return (
            f"{label(time_name)} is {at:%H:%M} but {label(date_name)} is empty: "
            "a time needs its date"
        )
    has_time = day.time() != time.min
    combined = wall_clock(day.date(), at)
    if has_time and (day.hour, day.minute) != (combined.hour, combined.minute):
        return (
            f"{label(date_name)} says {day:%H:%M} but {label(time_name)} says {at:%H:%M}; "
            "keep one time"
        )
    values[date_name] = combined if not has_time else day
    return ""


def remembered_layouts(engine: Engine, log: ImportLog) -> dict[str, dict[str, str]]:
    """The mappings remembered for ``log``'s header layouts (none if the file has no table
    for them yet, e.g. a file made by an older cipco that only reads)."""
    try:
        with read_scope(engine) as session:
            return import_mappings.layouts(session, log.name)
    except (OperationalError, ProgrammingError):  # no table yet is no reason to refuse an import
        return {}


def set_derived(log: ImportLog, table: Table) -> None:
    """Columns of cipco's own export that it works out itself are neither imported nor kept."""
    derived = {header_words.normalise(h) for h in log.derived}
    for index in [i for i in table.kept if header_words.normalise(table.headers[i]) in derived]:
        table.kept.remove(index)
        table.derived.append(index)


def _quoted(header: str) -> str:
    """A header as it goes inside ``--map '...'`` on a shell line."""
    return shown(header, 60).replace("'", "'\\''")


def review_columns(log: ImportLog, table: Table) -> tuple[list[LostColumn], dict[int, str]]:
    """Columns whose values would be lost, and for kept columns the ``--map`` that would
    import them as a field (when a field's words fit the header)."""
    fields = {spec.name: spec for spec in log.read_fields}
    present = set(table.mapping.values())
    lost: list[LostColumn] = []
    for index, name in sorted(table.mapping.items()):
        spec = fields.get(name)
        if spec is not None and spec.time_of and spec.time_of not in present:
            date_spec = fields[spec.time_of]
            lost.append(
                LostColumn(
                    table.headers[index],
                    f"a time with no {date_spec.header} column to go with it",
                    f"--map '<date column>={spec.time_of}' brings it in",
                )
            )
    hints: dict[int, str] = {}
    matcher = matcher_for(log.read_fields)
    for index in table.kept:
        header = table.headers[index]
        match = matcher.strong(header) or matcher.guess(header, set())
        if match is not None:
            other = table.column_of(match.field)
            instead = f" instead of '{shown(other)}'" if other else ""
            hints[index] = f"--map '{_quoted(header)}={match.field}' imports it{instead}"
        if not log.keeps_columns:
            lost.append(
                LostColumn(
                    header,
                    f"the {log.name} log keeps no original columns",
                    hints.get(index, "--map 'Header=field' names its field"),
                )
            )
    return lost, hints


def remember_mapping(
    session: Session, log: ImportLog, table: Table, path: Path, actor: str, clock: Clock
) -> bool:
    confirmed = {
        table.headers[index]: match.field
        for index, match in table.how.items()
        if match.how in (header_words.MAPPED, header_words.GUESSED, header_words.REMEMBERED)
    }
    if not confirmed:
        return False
    return import_mappings.remember(
        session,
        log=log.name,
        fingerprint=table.fingerprint,
        headers=table.headers,
        mapping=confirmed,
        file_name=path.name,
        actor=actor,
        clock=clock,
    )
