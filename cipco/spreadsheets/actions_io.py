"""The crime clinic action log in and out of spreadsheets.

The export is the action log across clinics (also the "Actions" sheet of a clinic's minutes);
an old action log imports back (rules in :mod:`cipco.services.action_import`), so the same
file goes out and comes in with the same columns.
"""

from __future__ import annotations

from cipco.services.action_import import ActionImport
from cipco.services.log_rows import ACTION_FIELDS, action_rows
from cipco.services.paging import PageQuery
from cipco.services.row_import import original_text
from cipco.spreadsheets.exporting import ExportLog, ExportRequest, columns, paged
from cipco.spreadsheets.importers import ImportLog
from cipco.spreadsheets.reader import FieldSpec, fields

FIELDS: list[FieldSpec] = fields(
    """
    text           | required       | Action; Action text; Task; What
    owner_name     | required       | Owner; Action owner; Who; Responsible; Assigned to; Lead
    owner_org      |                | Organisation; Org; Agency; Department
    due_on         | date event=due | Due; Due date; Target date; Deadline; By; Due by; Complete by
    status         |                | Status; Progress; State; Open/closed
    referral       |                | Referral; Referral ref; Our ref; Tracker ref; Ref
    clinic_held_on | date required  | Raised at clinic; Clinic; Clinic date; Date raised; Raised
                   | event=raise    | Raised on; Meeting date; Date of clinic; Clinic held
    closed_at      | datetime       | Done / dropped at; Date done; Date completed; Completed on
                   | event=complete | Date closed
    note           |                | Note / reason; Note; Notes; Update; Comments; Reason
    """
)

COLUMNS = columns(
    """
    Action no.        | id                 | 10 | number
    Action            | text               | 50
    Owner             | owner_name         | 24
    Organisation      | owner_org          | 18
    Due               | due_on             | 12 | date
    Status            | status             | 10
    Overdue           | overdue            | 9  | bool
    Referral          | referral_reference | 16
    Raised at clinic  | clinic_held_on     | 14 | date
    Done / dropped at | closed_at          | 18 | datetime
    Note / reason     | status_reason      | 40
    Original columns  | original_columns   | 40 |  | internal
    """,
    convert={"status": str.capitalize, "original_columns": original_text},
)

IMPORT = ImportLog(
    name="actions",
    fields=FIELDS,
    key_field="text",
    handler=ActionImport,
    derived=("Action no.", "Overdue"),
    counts_note="a clinic date with no clinic gets one, closed once the import is done",
    choices=lambda _session: {"status": ["Open", "Done", "Dropped"]},
)


def actions_request(open_only: bool = False, owner: str = "") -> ExportRequest:
    """The action log (optionally open only and/or one owner), with its filters in words."""
    filters = {}
    if open_only:
        filters["Status"] = "open only"
    if owner.strip():
        filters["Owner"] = owner.strip()
    query = PageQuery(queue="open" if open_only else None, extra={"owner": owner.strip()})
    return ExportRequest(query, filters)


EXPORT = ExportLog(
    name="actions",
    sheet="Actions",
    what="Crime clinic action log",
    columns=COLUMNS,
    fields=ACTION_FIELDS,
    rows=paged(action_rows),
)
