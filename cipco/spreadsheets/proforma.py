"""The police referral proforma: one referral on one sheet, ready to e-mail."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from cipco.clock import Clock, to_london
from cipco.db import read_scope
from cipco.models.referral import AGGRAVATING_FACTORS
from cipco.models.vocab import PARTY_KIND_LABELS, PARTY_ROLE_LABELS, TYPE_LABELS
from cipco.outputs import OutputTarget
from cipco.record_file import RecordFile
from cipco.services.casefile import checklist, linked_exhibits
from cipco.services.person_import import do_not_share_numbers
from cipco.services.referrals import (
    adjudication_label,
    outcome_label,
    referral_detail,
    referral_id_of,
    status_label,
)
from cipco.spreadsheets.book import BOLD, HEADER_FILL, MARKING_FONT, WRAP_ALIGNMENT, Book, Font
from cipco.spreadsheets.exporting import WITHHELD
from cipco.spreadsheets.writer import MARKING, About


def write_proforma(engine: Engine, asked: RecordFile, target: OutputTarget) -> Path:
    """The police referral proforma for one referral (one sheet). Raises ``ReferralError``
    naming an unknown reference.

    People marked "do not share" (the suspect, a victim or a witness) are withheld unless
    ``asked.include_restricted``.
    """
    clock = asked.clock
    with read_scope(engine, clock=clock) as session:
        referral_id = referral_id_of(session, asked.reference)
        detail = referral_detail(session, referral_id, clock)
        hidden = frozenset() if asked.include_restricted else do_not_share_numbers(session)
        exhibits = linked_exhibits(session, referral_id)
        book = _proforma(detail, exhibits, hidden, clock)
    return book.save(target, about_sheet=False)


def _proforma(detail: Any, exhibits: list[Any], hidden: frozenset[str], clock: Clock) -> Book:
    r = detail.referral
    p = detail.prisoner
    book = Book(
        About(
            what=f"Referral proforma {r.reference}",
            generated_at=clock.now(),
            generated_by="cipco",
        )
    )
    ws = book.sheet(
        "Referral proforma", widths=(34, 26, 22, 22), title_rows=2, one_page=True, landscape=False
    )
    bold = BOLD
    section_fill = HEADER_FILL
    row = 1
    withheld = False

    def put(col: int, value: Any, *, font: Font | None = None, fmt: str | None = None) -> None:
        style: dict[str, Any] = {"alignment": WRAP_ALIGNMENT}
        if font is not None:
            style["font"] = font
        if fmt:
            style["fmt"] = fmt
        book.put(ws, row, col, value, **style)

    def field(label: str, value: Any, fmt: str | None = None) -> None:
        nonlocal row
        put(1, label, font=bold)
        put(2, value if value not in (None, "") else "", fmt=fmt)
        if isinstance(value, str) and len(value) > 26:
            book.merge(ws, row, 2, 4)
        row += 1

    def section(title: str) -> None:
        nonlocal row
        row += 1
        for col in range(1, 5):
            book.put(ws, row, col, None, fill=section_fill)
        put(1, title, font=Font(bold=True, size=12))
        row += 1

    put(1, MARKING, font=MARKING_FONT)
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
    field("Adjudication state", adjudication_label(r.adjudication_state))
    field("Adjudication charge laid", r.adjudication_laid_at, dt)
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
        put(2, PARTY_ROLE_LABELS.get(party.role, party.role))
        kind = PARTY_KIND_LABELS.get(party.kind, party.kind)
        put(3, kind + (f" {party.nomis_number}" if party.nomis_number and not secret else ""))
        put(4, "Yes" if party.statement_taken else "No")
        row += 1
    if not detail.parties and not r.staff_victim:
        put(1, "none recorded")
        row += 1
    field("Victim wants police involvement", "Yes" if r.victim_wants_police else "No")
    section("Evidence checklist")
    for item in checklist(r, exhibits, detail.parties, hidden=hidden):
        field(
            item.label, ("Held: " if item.held else "Outstanding") + (item.how if item.held else "")
        )
    field("Footage requested on", r.footage_requested_on, "dd/mm/yyyy")
    field(
        "Linked exhibits",
        "; ".join(
            f"{e.reference} ({TYPE_LABELS.get(e.exhibit_type, e.exhibit_type)}): {e.description}"
            for e in exhibits
        )
        or "none",
    )
    row += 1
    if withheld:
        put(1, "People marked 'do not share' are withheld (--include-restricted includes them).")
        row += 1
    put(1, f"Prepared {to_london(clock.now()):%d/%m/%Y %H:%M}. {MARKING}.")
    return book
