"""The MG4D issue log in and out of spreadsheets.

Export for the police: one row per set of papers with the service in force; served and
received times are real date-time cells (London wall time). Import of an existing issue log:
papers, and their service where recorded (rules in :class:`cipco.services.mg4d.Mg4dImport`).
"""

from __future__ import annotations

from cipco.services import mg4d
from cipco.services.log_rows import PAPERS_FIELDS, papers_rows
from cipco.services.person_import import do_not_share_numbers
from cipco.services.row_import import original_text
from cipco.spreadsheets.exporting import ExportLog, columns, paged
from cipco.spreadsheets.importers import ImportLog
from cipco.spreadsheets.reader import FieldSpec, fields

FIELDS: list[FieldSpec] = fields(
    """
    nomis_number       | required       | Prison number; NOMIS; NOMIS number; Prison no
                       |                | Prisoner number; NOMS no
    prisoner_name      |                | Name; Prisoner name; Prisoner; Surname
    referral_reference |                | Referral; Referral ref; Tracker ref; Our ref
    crime_ref          |                | Crime ref; Crime reference; Crime number; Police ref
                       |                | Crime ref no; CRN
    urn                |                | URN; Case number; Case ref
    form_label         |                | Form; Form type; Document
    charges            | required       | Charges; Charge; Offence; Offences; Charge wording
    court              |                | Court
    first_hearing_on   | date           | First hearing; Hearing date; Court date
                       |                | First hearing date
    received_at        | datetime       | Received; Date received; Received at; Received date
                       | event=receive  | Date papers received
    received_from      |                | Received from; From; Sent by
    served_at          | datetime       | Served; Date served; Served at; Served date/time
                       | event=serve    | Date of service
    served             | question=serve | Served (Y/N)
    served_by          |                | Served by; Serving officer
    witnessed_by       |                | Witnessed by; Witness
    response           | question=sign  | Response; Prisoner response; Signed; Outcome
                       |                | Signed/refused
    note               |                | Service note; Reason not served
    copy_returned_at   | datetime       | Copy returned; Returned to police; Copy returned to police
                       | event=return   |
    copy_returned_how  |                | Returned how; Return method
    notes              |                | Notes; Comments; Remarks
    """
)

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
    rows=paged(papers_rows),
    notes=(
        "Served, received and copy-returned times are in UK local time.",
        "Service is the latest recorded event; corrections replace earlier events.",
    ),
    restricted_field="nomis_number",
    restricted_values=do_not_share_numbers,
)
