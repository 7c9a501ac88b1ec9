"""The MG4D issue log in and out of spreadsheets.

Export for the police: one row per set of papers with the service in force; served and
received times are real date-time cells (London wall time). Import of an existing issue log:
papers, and their service where recorded (rules in :class:`cipco.services.mg4d.Mg4dImport`).
"""

from __future__ import annotations

from cipco.services import mg4d
from cipco.services.log_rows import PAPERS_FIELDS, papers_rows
from cipco.services.paging import PageQuery
from cipco.services.person_import import do_not_share_numbers
from cipco.services.row_import import original_text
from cipco.spreadsheets.exporting import ExportLog, columns
from cipco.spreadsheets.importers import ImportLog
from cipco.spreadsheets.reader import FieldSpec

FIELDS: list[FieldSpec] = [
    FieldSpec(
        "nomis_number",
        ("Prison number", "NOMIS", "NOMIS number", "Prison no", "Prisoner number", "NOMS no"),
        required=True,
    ),
    FieldSpec("prisoner_name", ("Name", "Prisoner name", "Prisoner", "Surname")),
    FieldSpec("referral_reference", ("Referral", "Referral ref", "Tracker ref", "Our ref")),
    FieldSpec(
        "crime_ref",
        ("Crime ref", "Crime reference", "Crime number", "Police ref", "Crime ref no", "CRN"),
    ),
    FieldSpec("urn", ("URN", "Case number", "Case ref")),
    FieldSpec("form_label", ("Form", "Form type", "Document")),
    FieldSpec(
        "charges", ("Charges", "Charge", "Offence", "Offences", "Charge wording"), required=True
    ),
    FieldSpec("court", ("Court",)),
    FieldSpec(
        "first_hearing_on",
        ("First hearing", "Hearing date", "Court date", "First hearing date"),
        kind="date",
    ),
    FieldSpec(
        "received_at",
        ("Received", "Date received", "Received at", "Received date", "Date papers received"),
        kind="datetime",
        event="receive",
    ),
    FieldSpec("received_from", ("Received from", "From", "Sent by")),
    FieldSpec(
        "served_at",
        ("Served", "Date served", "Served at", "Served date/time", "Date of service"),
        kind="datetime",
        event="serve",
    ),
    FieldSpec("served", ("Served (Y/N)",), question=("serve",)),
    FieldSpec("served_by", ("Served by", "Serving officer")),
    FieldSpec("witnessed_by", ("Witnessed by", "Witness")),
    FieldSpec(
        "response",
        ("Response", "Prisoner response", "Signed", "Outcome", "Signed/refused"),
        question=("sign",),
    ),
    FieldSpec("note", ("Service note", "Reason not served")),
    FieldSpec(
        "copy_returned_at",
        ("Copy returned", "Returned to police", "Copy returned to police"),
        kind="datetime",
        event="return",
    ),
    FieldSpec("copy_returned_how", ("Returned how", "Return method")),
    FieldSpec("notes", ("Notes", "Comments", "Remarks")),
]

COLUMNS = columns(
    """
    Form          | form_label         | 7
    Prison number | nomis_number       | 13 |          | person
    Name          | prisoner_name      | 24 |          | person
    Referral      | referral_reference | 15
    Crime ref     | crime_ref          | 14
    URN           | urn                | 14
    Charges       | charges            | 50
    Court         | court              | 24
    First hearing | first_hearing_on   | 13 | date
    Received      | received_at        | 17 | datetime
    Received from | received_from      | 20
    State         | state              | 16
    Response      | response           | 24
    Served        | served_at          | 17 | datetime
    Served by     | served_by          | 20
    Witnessed by  | witnessed_by       | 20
    Service note  | note               | 30
    Copy returned | copy_returned_at   | 17 | datetime
    Returned how  | copy_returned_how  | 20
    Original columns | original_columns | 40 |     | internal
    """,
    convert={"original_columns": original_text},
)

IMPORT = ImportLog(
    name="mg4d",
    fields=FIELDS,
    key_field="nomis_number",
    handler=lambda session, clock, source: mg4d.Mg4dImport(session, clock, source),
    derived=("State",),
)

EXPORT = ExportLog(
    name="mg4d",
    sheet="MG4D issue log",
    what="MG4D issue log: charge papers received and served",
    columns=COLUMNS,
    fields=PAPERS_FIELDS,
    rows=lambda session, request, clock: papers_rows(session, request.query or PageQuery(), clock),
    notes=(
        "Served, received and copy-returned times are in UK local time.",
        "Service is the latest recorded event; corrections replace earlier events.",
    ),
    restricted_field="nomis_number",
    restricted_values=do_not_share_numbers,
)
