"""Exhibits in and out of spreadsheets: the register, one exhibit's continuity record, and
the columns of an old continuity log.

The rules for importing a continuity log (chains replayed in date order, a giver who is not
the holder breaks continuity) live in :mod:`cipco.services.exhibit_import`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from cipco.clock import Clock
from cipco.db import read_scope
from cipco.outputs import OutputTarget
from cipco.record_file import RecordFile
from cipco.services import exhibits
from cipco.services.exhibit_import import ExhibitImport
from cipco.services.ledger import anchor_line
from cipco.services.logspec import spec
from cipco.services.paging import PageQuery
from cipco.services.person_import import do_not_share_numbers
from cipco.spreadsheets.exporting import (
    WITHHELD,
    ExportLog,
    ExportRequest,
    columns,
    save_sheets,
    sheet,
)
from cipco.spreadsheets.importers import ImportLog
from cipco.spreadsheets.reader import FieldSpec, fields
from cipco.spreadsheets.writer import About, Column, SheetSpec

# collected_at to witness: what happened to an exhibit after its seizure (one row each)
FIELDS: list[FieldSpec] = fields(
    """
    reference    | required      | Exhibit; Exhibit ref; Exhibit reference; Exhibit No
                 |               | Exhibit Number; Ref
    exhibit_type |               | Type; Exhibit type; Item type; Category
    description  |               | Description; Item; Details; Item description
    action       |               | Event; Action; Movement type; Movement
    happened_at  | datetime      | Date; Date/time; Date and time; When; Date of movement; Seized at
                 | required      | Date seized; Seized on; Happened; Date found
                 | event=seize   |
                 | time          | Time
    seized_by    |               | Seized by; Seizing officer; Found by; Producer
    from_name    |               | From; Handed over by; Released by; Given by; Handed by
    to_name      |               | To; Received by; Handed to; Recipient; Receiver
    to_collar    |               | Collar; Collar number; Collar no; Shoulder number
    to_force     |               | Force; Police force
    to_org       |               | Lab; Organisation; Courier; Receiving organisation
    reason       |               | Reason; Purpose
    seal_number  |               | Seal; Seal no; Seal number; Bag no; Bag number; Seal/bag
                 |               | Seal on receipt
    seal_intact  | question=seal | Seal intact; Intact; Seal OK
    location     |               | Location; Storage location; Stored at; Store; Stored
    referral     |               | Referral; Referral ref; Our ref; Tracker ref
    found_on     |               | Found on; Prisoner; Prison number; NOMIS; Found on prisoner
    where_found  |               | Where found; Found at; Location found; Place found
    collected_at | datetime      | Date collected; Collected; Collected on; Collection date
                 | event=collect | Police collection date; Date collected by police
    collected_by |               | Collected by; Collecting officer; Officer collecting
                 |               | Collected by officer
    destroyed_at | datetime      | Date destroyed; Destroyed; Destroyed on; Destruction date
                 | event=destroy |
    returned_at  | datetime      | Date returned; Returned; Returned on; Return date
                 | event=return  |
    returned_to  |               | Returned to; Return to; Owner
    disposal     |               | Disposal; Disposal method; Method of disposal; Disposed how
    disposed_at  | datetime      | Date disposed; Disposal date; Disposed; Disposed on
                 | event=dispose |
    authority    |               | Authority; Authorised by; Destruction authorised by
                 |               | Authorising officer
    witness      |               | Witness; Witnessed by; Destruction witnessed by
    note         |               | Notes; Note; Comments; Remarks
    """
)

COLUMNS = columns(
    """
    Exhibit             | reference           | 12
    Type                | exhibit_type        | 16
    Description         | description         | 40
    Referrals           | referrals           | 18
    Current holder      | holder              | 24
    Location            | location            | 22
    Seal                | seal_number         | 12
    State               | state               | 14
    Days since movement | days_since_movement | 10 | number
    Review due          | review_due_on       | 12 | date
    Discrepancies       | discrepancies       | 10 | number
    Hold                | hold                | 8  | bool
    Awaiting collection | awaiting_collection | 10 | bool
    """,
    convert={"exhibit_type": exhibits.type_label, "state": exhibits.state_label},
)
CONTINUITY_COLUMNS = columns(
    """
    No               | seq             | 5  | number
    Event            | label           | 14
    Happened         | happened_at     | 17 | datetime
    Recorded         | recorded_at     | 17 | datetime
    Recorded by      | recorded_by     | 16
    From             | from_name       | 24
    To               | to_name         | 24
    Receiver details | to_detail       | 28
    Reason           | reason          | 16
    Location         | location        | 20
    Seal on receipt  | seal_number     | 14
    Seal intact      | seal_intact     | 8  | bool
    Resealed as      | new_seal_number | 12
    Discrepancy      | discrepancy     | 36
    Corrects         | corrects_seq    | 8  | number
    Corrected by     | corrected_by    | 10
    Authority        | authority       | 20
    Witness          | witness         | 20
    Note             | note            | 30
    Hash (SHA-256)   | hash            | 66
    """,
    convert={"corrected_by": lambda seqs: ", ".join(map(str, seqs))},
)
FOUND_ON = "Found on"

IMPORT = ImportLog(
    name="exhibits",
    fields=FIELDS,
    key_field="reference",
    handler=ExhibitImport,
    counts_note="imported: new exhibits; updated: movements added to a chain",
)


def register_query(
    queue: str | None = None,
    text: str = "",
    exhibit_type: str | None = None,
    state: str | None = None,
) -> ExportRequest:
    """The register's filter (the screen's queue and search, a type or a state) in words.

    ``state="disseminated"`` or ``"destroyed"`` gives the log of everything disposed of.
    """
    extra = {key: value for key, value in (("type", exhibit_type), ("state", state)) if value}
    filters = {}
    if queue:
        filters["Filter"] = exhibits.QUEUES.get(queue, queue)
    if text:
        filters["Search"] = text
    if exhibit_type:
        filters["Type"] = exhibits.type_label(exhibit_type)
    if state:
        filters["State"] = exhibits.state_label(state)
    return ExportRequest(PageQuery(text=text, queue=queue, extra=extra), filters)


EXPORT = ExportLog(
    name="exhibits",
    sheet="Exhibits",
    what="Exhibit register",
    columns=COLUMNS,
    rows=lambda session, request, clock: spec("exhibits").service.stream(
        session, request.query or PageQuery(), clock
    ),
    about_notes=lambda session: [anchor_line(session)],
)


def _exhibit_sheet(detail: exhibits.ExhibitDetail, hidden: frozenset[str]) -> SheetSpec:
    fields = [
        (label, WITHHELD if label == FOUND_ON and value.split()[0] in hidden else value)
        for label, value in detail.fields
    ]
    rows = [
        ("Exhibit", detail.reference),
        ("Type", exhibits.type_label(detail.exhibit_type)),
        ("Description", detail.description),
        ("Part of", detail.parent_reference or ""),
        ("Referrals", ", ".join(detail.referrals)),
        *fields,
        ("Current holder", detail.holder),
        ("State", exhibits.state_label(detail.state)),
        ("Seal", detail.seal_number),
        ("Location", detail.storage_location),
        ("Discrepancies", str(detail.discrepancy_count)),
    ]
    return SheetSpec("Exhibit", [Column("Field", 20), Column("Value", 70)], rows)


def continuity_detail(session: Session, reference: str, clock: Clock) -> exhibits.ExhibitDetail:
    """One exhibit's detail by reference; refused in one sentence if there is none."""
    exhibit = exhibits.exhibit_by_reference(session, reference)
    if exhibit is None or exhibit.id is None:
        raise exhibits.ExhibitError(f"exhibit: {reference} does not exist", field="reference")
    return exhibits.exhibit_detail(session, exhibit.id, clock)


def export_continuity(engine: Engine, asked: RecordFile, target: OutputTarget) -> tuple[Path, int]:
    """One exhibit's full chain, ready for the police file: (where it went, events written).

    The prisoner it was found on is withheld if marked "do not share", unless asked for.
    """
    clock = asked.clock
    with read_scope(engine, clock=clock) as session:
        detail = continuity_detail(session, asked.reference, clock)
        hidden = frozenset() if asked.include_restricted else do_not_share_numbers(session)
        notes = [
            "Events are append-only; a correction is a new event pointing at the original.",
            "Each hash covers the event and the previous hash. The custody ledger line is the "
            "anchor: kept outside the file, `cipco verify --against` proves nothing before it "
            "was changed.",
            anchor_line(session),
        ]
        found_on: Any = dict(detail.fields).get(FOUND_ON, "")
        if found_on and found_on.split()[0] in hidden:
            notes.append(
                "Found on: the prisoner is marked 'do not share' and is withheld "
                "(--include-restricted includes them)."
            )
        path, counts = save_sheets(
            target,
            [
                sheet("Continuity", CONTINUITY_COLUMNS, detail.timeline),
                _exhibit_sheet(detail, hidden),
            ],
            About(
                f"Continuity record of exhibit {detail.reference}",
                clock.now(),
                asked.actor,
                filters={"Exhibit": detail.reference},
                notes=notes,
            ),
        )
    return path, counts["Continuity"]
