"""Persons of interest in and out of spreadsheets: list columns, the export.

The rules live in :mod:`cipco.services.person_import`. Entries marked "do not share" are left
out of the export unless asked for.
"""

from __future__ import annotations

from sqlmodel import Session

from cipco.services.person_import import PersonImport, person_export_rows
from cipco.spreadsheets.exporting import ExportLog, columns
from cipco.spreadsheets.importers import ImportLog
from cipco.spreadsheets.reader import FieldSpec, fields

# order_type to order_review_on: an ancillary order on the same row (one row per person,
# or one row per order)
FIELDS: list[FieldSpec] = fields(
    """
    nomis_number     | required       | Prison number; Prison No; NOMIS; NOMIS No; NOMS No
                     |                | Prisoner No; Prisoner Number
    prisoner_name    |                | Name; Prisoner name; Surname, Forename; Prisoner
    pnc              |                | PNC; PNC No; PNC ID; PNC Number
    date_of_birth    | date           | Date of birth; DOB; D.O.B.
    location         |                | Location; Establishment; Current Location
    alert_codes      |                | Alerts; Alert codes; NOMIS Alerts; Alert
    soc_band         |                | SOC band; Band; SOC Banding; Nominal Band
    ocg_name         |                | OCG; OCG name; Gang; Group
    last_review_on   | date           | Last review; Last Reviewed; Reviewed
    next_review_on   | date           | Next review; Review Due; Next Review Date
    release_date     | date           | Release date; EDR; CRD; Release
    do_not_share     | question=share | Do not share; Restricted; DNS
    reason           |                | Reason; Reason for interest; Why
    notes            |                | Notes; Comments; Remarks
    order_type       |                | Order type; Order; Ancillary order; Type of order; Orders
                     |                | Order held
    order_court      |                | Order court; Court; Made at; Sentencing court
    order_made_on    | date           | Order made; Date made; Made; Order date; Made on
                     | event=make     | Date of order
    order_start      | event=start    | Order starts; Starts; Start; Start date; In force from
                     |                | Start rule
    order_end        | event=expire   | Order expires; Expires; Expiry; Expiry date; End date; Ends
                     |                | Until
    order_conditions |                | Conditions; Order conditions; Prohibitions; Requirements
                     |                | Terms
    order_review_on  | date           | Order review; Order review date
    """
)

COLUMNS = columns(
    """
    Prison number | nomis_number   | 13 |        | person
    Name          | prisoner_name  | 26 |        | person
    PNC           | pnc            | 14
    Date of birth | date_of_birth  | 12 | date
    Location      | location       | 14
    Alerts        | alert_codes    | 18
    SOC band      | soc_band       | 9  | number
    OCG           | ocg_name       | 20
    Last review   | last_review_on | 12 | date
    Next review   | next_review_on | 12 | date
    Release date  | release_date   | 12 | date
    Do not share  | do_not_share   | 12 | bool
    Reason        | reason         | 40
    Notes         | notes          | 40 |        | internal
    Original columns | original_columns | 40 |  | internal
    """
)


def _choices(_session: Session) -> dict[str, list[str]]:
    return {"do_not_share": ["Yes", "No"], "soc_band": ["1", "2", "3", "4"]}


IMPORT = ImportLog(
    name="persons",
    fields=FIELDS,
    key_field="nomis_number",
    handler=PersonImport,
    counts_note="imported: new persons or orders; updated: persons or orders changed",
    choices=_choices,
)

EXPORT = ExportLog(
    name="persons",
    sheet="Persons of interest",
    what="Persons of interest export",
    columns=COLUMNS,
    rows=lambda session, _request, _clock: person_export_rows(session),
    restricted_field="do_not_share",
    restricted_values=lambda _session: (True,),
    omit_restricted=True,
)
