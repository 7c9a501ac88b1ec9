"""The police referral proforma: one referral on one sheet, ready to e-mail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from sqlalchemy import Engine

from cipco.clock import Clock, to_london
from cipco.db import read_scope
from cipco.models.referral import AGGRAVATING_FACTORS, EVIDENCE_ITEMS
from cipco.outputs import OutputTarget
from cipco.services.person_import import do_not_share_numbers
from cipco.services.referrals import (
    outcome_label,
    referral_by_reference,
    referral_detail,
    status_label,
)
from cipco.spreadsheets.exporting import WITHHELD, save_book
from cipco.spreadsheets.writer import MARKING, is_formula_like


def write_proforma(
    engine: Engine,
    reference: str,
    target: OutputTarget,
    *,
    clock: Clock,
    include_restricted: bool = False,
) -> Path:
    """The police referral proforma for one referral (one sheet). Raises LookupError.

    People marked "do not share" (the suspect, a victim or a witness) are withheld unless
    ``include_restricted``.
    """
    with read_scope(engine, clock=clock) as session:
        found = referral_by_reference(session, reference.strip())
        if found is None or found.id is None:
            raise LookupError(f"no referral with reference '{reference}'")
        detail = referral_detail(session, found.id, clock)
        hidden = frozenset() if include_restricted else do_not_share_numbers(session)
        book = _proforma(detail, hidden, clock)
    return save_book(target, book)


def _proforma(detail: Any, hidden: frozenset[str], clock: Clock) -> Workbook:
    r = detail.referral
    p = detail.prisoner
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = "Referral proforma"
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 26
    ws.column_dimensions["C"].width = 22
    ws.column_dimensions["D"].width = 22
    bold = Font(bold=True)
    section_fill = PatternFill("solid", fgColor="DDE4EE")
    row = 1
    withheld = False

    def put(col: int, value: Any, *, font: Font | None = None, fmt: str | None = None) -> None:
        if hasattr(value, "tzinfo") and getattr(value, "tzinfo", None) is not None:
            value = to_london(value).replace(tzinfo=None)
        cell = ws.cell(row=row, column=col, value=value)
        if isinstance(value, str) and is_formula_like(value):
            cell.data_type = "s"
        if font is not None:
            cell.font = font
        if fmt:
            cell.number_format = fmt
        cell.alignment = Alignment(wrap_text=True, vertical="top")

    def field(label: str, value: Any, fmt: str | None = None) -> None:
        nonlocal row
        put(1, label, font=bold)
        put(2, value if value not in (None, "") else "", fmt=fmt)
        if isinstance(value, str) and len(value) > 26:
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=4)
        row += 1

    def section(title: str) -> None:
        nonlocal row
        row += 1
        for col in range(1, 5):
            ws.cell(row=row, column=col).fill = section_fill
        put(1, title, font=Font(bold=True, size=12))
        row += 1

    put(1, MARKING, font=Font(bold=True, color="C00000", size=14))
    row += 1
    put(1, "Crime in prison: referral to police", font=Font(bold=True, size=16))
    row += 1
    section("Referral")
    dt = "dd/mm/yyyy hh:mm"
    field("Our reference", r.reference)
    field("Status", status_label(r.status))
    field("Police force", detail.force_name)
    field("Crime reference", r.crime_ref)
    field("Officer in case", r.oic_name)
    field(
        "OIC collar / phone / e-mail",
        " / ".join(x for x in (r.oic_collar, r.oic_phone, r.oic_email) if x),
    )
    field("Date referred", r.referred_at, dt)
    section("Suspect")
    if p.nomis_number in hidden:
        field("Name", WITHHELD)
        withheld = True
    else:
        field("Name", p.name)
        field("Prison (NOMIS) number", p.nomis_number)
        field("PNC ID", p.pnc)
        field("Date of birth", p.date_of_birth, "dd/mm/yyyy")
    field("Terrorism conviction", "Yes" if r.terrorism_conviction else "No")
    section("Offence")
    field("Category", detail.category.label)
    field("Date and time of incident", r.incident_at, dt)
    field("Discovered", r.discovered_at, dt)
    field("Location", r.location)
    field("Description", r.description)
    field(
        "Aggravating factors",
        "; ".join(AGGRAVATING_FACTORS.get(f, f) for f in r.aggravating_factors) or "none recorded",
    )
    field("Adjudication charge", r.adjudication_charge)
    field("Adjudication state", r.adjudication_state)
    if r.outcome:
        field("Outcome", outcome_label(r.outcome))
    section("Victims and witnesses")
    for col, header in enumerate(("Name", "Role", "Kind", "Statement taken"), start=1):
        put(col, header, font=bold)
    row += 1
    if r.staff_victim and not detail.parties:
        put(1, "Staff victim (details held by the prison)")
        row += 1
    for party in detail.parties:
        secret = party.nomis_number in hidden
        withheld = withheld or secret
        put(1, WITHHELD if secret else party.name)
        put(2, party.role)
        put(3, party.kind + (f" {party.nomis_number}" if party.nomis_number and not secret else ""))
        put(4, "Yes" if party.statement_taken else "No")
        row += 1
    if not detail.parties and not r.staff_victim:
        put(1, "none recorded")
        row += 1
    field("Victim wants police involvement", "Yes" if r.victim_wants_police else "No")
    section("Evidence checklist")
    for key, label in EVIDENCE_ITEMS.items():
        field(label, "Yes" if r.evidence.get(key) else "No")
    field("Footage requested on", r.footage_requested_on, "dd/mm/yyyy")
    row += 1
    if withheld:
        put(1, "People marked 'do not share' are withheld (--include-restricted includes them).")
        row += 1
    put(1, f"Prepared {to_london(clock.now()):%d/%m/%Y %H:%M}. {MARKING}.")
    ws.print_title_rows = "1:2"
    ws.page_setup.fitToWidth = 1
    return wb
