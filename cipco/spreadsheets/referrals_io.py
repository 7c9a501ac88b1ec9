"""The referral log in and out of spreadsheets: tracker columns, the police export.

Everything about how referrals look in a workbook is here, once: the fields an old tracker
may carry (and the header words used for them), the export's columns, and the template's
drop-downs. The rules live in :mod:`cipco.services.referral_import` (rows in) and
:mod:`cipco.services.reports` (rows out).
"""

from __future__ import annotations

from sqlmodel import Session

from cipco.services import reports
from cipco.services.person_import import do_not_share_numbers
from cipco.services.referral_import import ReferralImport
from cipco.services.row_import import original_text
from cipco.spreadsheets.exporting import ExportLog, ExportRequest, columns
from cipco.spreadsheets.importers import ImportLog
from cipco.spreadsheets.reader import FieldSpec, fields

FIELDS: list[FieldSpec] = fields(
    """
    reference       |                   | Reference; Ref; Our Ref; Log No; Log Number; Ref No
                    |                   | CIPCO Ref; ID
    nomis_number    | required          | Prison number; Prison No; NOMIS; NOMIS No; NOMIS Number
                    |                   | NOMS No; NOMS Number; Prisoner No; Prisoner Number
                    |                   | Prison Num
    prisoner_name   |                   | Prisoner name; Name; Surname, Forename; Prisoner
                    |                   | Full Name; Offender
    incident_at     | datetime required | Incident date; Date of Incident; DOI; Incident Date/Time
                    | event=incident    | Date of Offence
                    | time              | Time; Time of offence; TOI
    category        |                   | Category; Offence; Crime Type; Offence Type; Incident Type
                    |                   | Type
    status          |                   | Status; Current Status; Stage
    outcome         |                   | Outcome; Result; Police Outcome; Disposal
    force           |                   | Force; Police Force; Constabulary
    crime_ref       |                   | Crime ref; Crime Ref No; Crime Reference; Crime Number
                    |                   | Crime No; CRN; Police Ref; Police Reference
    oic_name        |                   | OIC; Officer in Case; Officer in Charge
                    |                   | Investigating Officer
    referred_at     | datetime          | Date referred; Referral Date; Referred
                    | event=refer       | Date Referred to Police
    acknowledged_at | datetime          | Date acknowledged; Acknowledged; Ack Date
                    | event=acknowledge |
    charged_at      | datetime          | Date charged; Charge Date; Charged On
                    | event=charge      |
    closed_at       | datetime          | Date closed; Closed; Closed On; Date Finalised
                    | event=close       |
    location        |                   | Location; Wing; Where
    description     |                   | Description; Details; Summary; Circumstances
    notes           |                   | Notes; Comments; Comment; Remarks; Update; Updates
    """
)

COLUMNS = columns(
    """
    Reference         | reference       | 16
    Prison number     | nomis_number    | 13 |          | person
    Prisoner name     | prisoner_name   | 24 |          | person
    Incident date     | incident_at     | 17 | datetime
    Category          | category        | 34
    Status            | status          | 16
    Outcome           | outcome         | 30
    Force             | force           | 26
    Crime ref         | crime_ref       | 16
    OIC               | oic_name        | 20
    Date referred     | referred_at     | 17 | datetime
    Date acknowledged | acknowledged_at | 17 | datetime
    Date charged      | charged_at      | 17 | datetime
    Date closed       | closed_at       | 17 | datetime
    Location          | location        | 18
    Description       | description     | 40
    Notes             | notes           | 40 |          | internal
    Next due          | next_due        | 34 |          | internal
    Next due by       | next_due_at     | 17 | datetime | internal
    Original columns  | original_columns | 40 |         | internal
    """,
    convert={"original_columns": original_text},
)


def _filter(request: ExportRequest) -> reports.ReferralFilter:
    return request.query if request.query is not None else reports.ReferralFilter()


def _choices(session: Session) -> dict[str, list[str]]:
    from cipco.models.referral import OUTCOME_LABELS
    from cipco.models.vocab import STATUS_LABELS
    from cipco.services.reference import categories, forces

    return {
        "category": [c.label for c in categories(session)],
        "status": list(STATUS_LABELS.values()),
        "outcome": list(OUTCOME_LABELS.values()),
        "force": [f.name for f in forces(session)],
    }


IMPORT = ImportLog(
    name="referrals",
    fields=FIELDS,
    key_field="nomis_number",
    derived=("Next due", "Next due by"),
    handler=lambda session, clock, source: ReferralImport(session, clock, source=source),
    choices=_choices,
)


EXPORT = ExportLog(
    name="referrals",
    sheet="Referrals",
    what="Police referral tracker export",
    columns=COLUMNS,
    fields=reports.REFERRAL_EXPORT_FIELDS,
    rows=lambda session, request, clock: reports.referral_export_rows(
        session, _filter(request), clock
    ),
    count=lambda session, request, clock: reports.count_referrals_for_export(
        session, _filter(request), clock
    ),
    notes=("Imports back into cipco with `cipco import referrals FILE`.",),
    restricted_field="nomis_number",
    restricted_values=do_not_share_numbers,
)
