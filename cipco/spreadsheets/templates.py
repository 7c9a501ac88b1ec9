"""Empty import workbooks: one per log, built from the log's import fields.

The header row is the log's own column names (what its export writes), with drop-downs where
cipco has a list (categories, statuses, forces...) and an Instructions sheet that names every
column, its kind and the other header words the import recognises.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from sqlalchemy import Engine

from cipco.clock import Clock
from cipco.db import read_scope
from cipco.outputs import OutputTarget
from cipco.spreadsheets.exporting import save_book
from cipco.spreadsheets.importers import ImportLog
from cipco.spreadsheets.writer import MARKING, About, write_about_sheet


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
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = what.capitalize()
    lists = wb.create_sheet("Lists")
    used = 0
    instructions = wb.create_sheet("Instructions")
    for index, spec in enumerate(fields, start=1):
        letter = get_column_letter(index)
        cell = ws.cell(row=1, column=index, value=spec.header)
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDE4EE")
        ws.column_dimensions[letter].width = max(14, len(spec.header) + 4)
        if spec.kind in ("date", "datetime"):
            for row in range(2, 502):
                ws.cell(row=row, column=index).number_format = (
                    "dd/mm/yyyy" if spec.kind == "date" else "dd/mm/yyyy hh:mm"
                )
        if spec.name in choices:
            values = choices[spec.name]
            used += 1
            list_col = get_column_letter(used)
            lists[f"{list_col}1"] = spec.header
            for offset, value in enumerate(values, start=2):
                lists[f"{list_col}{offset}"] = value
            validation = DataValidation(
                type="list",
                formula1=f"=Lists!${list_col}$2:${list_col}${len(values) + 1}",
                allow_blank=True,
                showErrorMessage=False,
            )
            validation.promptTitle = spec.header
            validation.prompt = "Pick from the list (other text is kept with a warning)."
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}1000")
    ws.freeze_panes = "A2"
    ws.auto_filter.ref = f"A1:{get_column_letter(len(fields))}1"
    lists.sheet_state = "hidden"
    bold = Font(bold=True)
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
    for left, right in lines:
        instructions.append([left, right])
    instructions["A1"].font = Font(bold=True, color="C00000", size=14)
    instructions["A2"].font = bold
    instructions.column_dimensions["A"].width = 24
    instructions.column_dimensions["B"].width = 90
    for row in instructions.iter_rows(min_row=3):
        row[1].alignment = Alignment(wrap_text=True, vertical="top")
    write_about_sheet(
        wb,
        About(
            what=f"Import template: {what}",
            generated_at=clock.now(),
            generated_by=actor,
        ),
    )
    return save_book(target, wb)
