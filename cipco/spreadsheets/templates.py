"""Empty import workbooks: one per log, built from the log's import fields.

The header row is the log's own column names (what its export writes), with drop-downs where
cipco has a list (categories, statuses, forces...) and an Instructions sheet that names every
column, its kind and the other header words the import recognises.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine

from cipco.clock import Clock
from cipco.db import read_scope
from cipco.outputs import OutputTarget
from cipco.spreadsheets.book import (
    BOLD,
    HEADER_FILL,
    MARKING_FONT,
    WRAP_ALIGNMENT,
    Book,
    get_column_letter,
)
from cipco.spreadsheets.importers import ImportLog
from cipco.spreadsheets.writer import MARKING, About


def write_template(
    engine: Engine, log: ImportLog, target: OutputTarget, *, clock: Clock, actor: str
) -> Path:
    """An empty import workbook for ``log``: its columns, drop-downs and instructions."""
    what = log.name
    fields = log.fields
    choices: dict[str, list[str]] = {}
    if log.choices is not None:
        with read_scope(engine, clock=clock) as session:
            choices = log.choices(session)
    book = Book(
        About(what=f"Import template: {what}", generated_at=clock.now(), generated_by=actor)
    )
    ws = book.sheet(what.capitalize())
    lists = book.sheet("Lists", hidden=True)
    instructions = book.sheet("Instructions", widths=(24, 90))
    used = 0
    for index, spec in enumerate(fields, start=1):
        letter = get_column_letter(index)
        book.put(ws, 1, index, spec.header, font=BOLD, fill=HEADER_FILL)
        ws.column_dimensions[letter].width = max(14, len(spec.header) + 4)
        if spec.kind in ("date", "datetime"):
            fmt = "dd/mm/yyyy" if spec.kind == "date" else "dd/mm/yyyy hh:mm"
            for row in range(2, 502):
                book.put(ws, row, index, None, fmt=fmt)
        if spec.name in choices:
            values = choices[spec.name]
            used += 1
            list_col = get_column_letter(used)
            book.put(lists, 1, used, spec.header)
            for offset, value in enumerate(values, start=2):
                book.put(lists, offset, used, value)
            book.list_validation(
                ws,
                f"{letter}2:{letter}1000",
                f"Lists!${list_col}$2:${list_col}${len(values) + 1}",
                title=spec.header,
                prompt="Pick from the list (other text is kept with a warning).",
            )
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(fields))}1"
    lines: list[tuple[str, str]] = [
        (MARKING, ""),
        (f"How to fill in the {what} import sheet", ""),
        ("1.", "One row per record under the header row. Do not rename the headers."),
        ("2.", "Dates are day first: 03/04/2024 is 3 April 2024. Date cells are fine."),
        ("3.", "Prison numbers look like A1234BC (spaces and case do not matter)."),
        (
            "4.",
            "Columns with a drop-down map to cipco's lists; other words are kept with a warning.",
        ),
        ("5.", f"Import with: cipco import {what} FILE --dry-run, then without --dry-run."),
        ("", ""),
        ("Column", "Meaning"),
    ]
    for spec in fields:
        meaning = spec.kind if spec.kind != "text" else "text"
        extra = " (required)" if spec.required else ""
        also = ", ".join(spec.synonyms[1:4])
        lines.append((spec.header, f"{meaning}{extra}; also recognised: {also}"))
    for row, (left, right) in enumerate(lines, start=1):
        font = MARKING_FONT if row == 1 else BOLD if row == 2 else None
        book.put(instructions, row, 1, left, **({"font": font} if font else {}))
        book.put(instructions, row, 2, right, alignment=WRAP_ALIGNMENT)
    return book.save(target)
