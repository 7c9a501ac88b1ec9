"""Police-ready workbooks: referral and persons exports, import templates, the proforma.

Every data export goes through :func:`cipco.spreadsheets.writer.write_workbook` (bold frozen
header, autofilter, UK date cells, no live formulas, About sheet, print setup, 0600).
Templates and the proforma need normal-mode features (data validation, merged layout) and
are built with :class:`cipco.spreadsheets.book.Book` (the same cell rules and print setup).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

from sqlmodel import Session

from cipco.clock import Clock, to_london
from cipco.spreadsheets.importers import PERSON_FIELDS, REFERRAL_FIELDS
from cipco.spreadsheets.reader import FieldSpec
from cipco.spreadsheets.writer import (
    MARKING,
    About,
    Column,
    SheetSpec,
    timestamped_name,
    write_workbook,
)


def default_path(what: str, clock: Clock, folder: Path | None = None) -> Path:
    """``exports/<what>-<YYYYMMDD-HHMM>.xlsx`` under the current directory."""
    return (folder or Path("exports")) / timestamped_name(what, clock.now())


def export_referrals(
    session: Session,
    path: Path,
    *,
    clock: Clock,
    actor: str,
    status: str | None = None,
    force: str | None = None,
    oic: str | None = None,
    date_from: date | None = None,
    date_to: date | None = None,
    open_only: bool = False,
    text: str = "",
    queue: str | None = None,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Write the referrals matching the filters to ``path``; returns the row count.

    Raises :class:`cipco.services.reports.FilterError` for an unknown status or force.
    """
    from cipco.services.reports import (
        REFERRAL_EXPORT_HEADERS,
        ReferralFilter,
        referral_export_rows,
    )

    flt = ReferralFilter(status, force, oic, date_from, date_to, open_only, text, queue)
    rows = referral_export_rows(session, flt, clock)
    counts = write_workbook(
        path,
        [
            SheetSpec(
                "Referrals",
                [Column(h, w, k) for h, w, k in REFERRAL_EXPORT_HEADERS],
                rows,
            )
        ],
        About(
            what="Police referral tracker export",
            generated_at=clock.now(),
            generated_by=actor,
            filters=flt.describe(),
            notes=["Imports back into cipco with `cipco import referrals FILE`."],
        ),
        progress=progress,
    )
    return counts["Referrals"]


def export_persons(
    session: Session,
    path: Path,
    *,
    clock: Clock,
    actor: str,
    include_restricted: bool = False,
    progress: Callable[[int], None] | None = None,
) -> tuple[int, int]:
    """Write persons of interest; returns (rows written, restricted rows left out)."""
    from cipco.services.person_import import PERSON_EXPORT_HEADERS, person_export_rows

    withheld: list[int] = [0]
    rows = person_export_rows(session, include_restricted=include_restricted, withheld=withheld)
    notes = (
        ["Includes entries marked DO NOT SHARE: handle with particular care."]
        if include_restricted
        else [
            "Entries marked 'do not share' are NOT included in this export "
            "(use --include-restricted to include them)."
        ]
    )
    counts = write_workbook(
        path,
        [
            SheetSpec(
                "Persons of interest", [Column(h, w, k) for h, w, k in PERSON_EXPORT_HEADERS], rows
            )
        ],
        About(
            what="Persons of interest export",
            generated_at=clock.now(),
            generated_by=actor,
            filters={"restricted entries": "included" if include_restricted else "excluded"},
            notes=notes,
        ),
        progress=progress,
    )
    count = counts["Persons of interest"]
    return count, withheld[0]


# ---------------------------------------------------------------- templates


def _template_choices(session: Session, what: str) -> dict[str, list[str]]:
    from cipco.models.referral import OUTCOME_LABELS, STATUS_LABELS
    from cipco.services.reference import categories, forces

    if what == "referrals":
        return {
            "category": [c.label for c in categories(session)],
            "status": list(STATUS_LABELS.values()),
            "outcome": list(OUTCOME_LABELS.values()),
            "force": [f.name for f in forces(session)],
        }
    return {"do_not_share": ["Yes", "No"], "soc_band": ["1", "2", "3", "4"]}


def write_template(session: Session, what: str, path: Path, *, clock: Clock, actor: str) -> Path:
    """An empty import workbook for ``referrals`` or ``persons`` with drop-downs."""
    from cipco.spreadsheets.book import (
        BOLD,
        HEADER_FILL,
        MARKING_FONT,
        WRAP_ALIGNMENT,
        Book,
        get_column_letter,
    )

    fields: list[FieldSpec] = {"referrals": REFERRAL_FIELDS, "persons": PERSON_FIELDS}[what]
    choices = _template_choices(session, what)
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
    return book.save(path)


# ---------------------------------------------------------------- proforma


def write_proforma(session: Session, reference: str, path: Path, *, clock: Clock) -> Path:
    """The police referral proforma for one referral (one sheet). Raises LookupError."""
    from cipco.models.referral import AGGRAVATING_FACTORS, EVIDENCE_ITEMS
    from cipco.services.referrals import (
        outcome_label,
        referral_by_reference,
        referral_detail,
        status_label,
    )
    from cipco.spreadsheets.book import (
        BOLD,
        HEADER_FILL,
        MARKING_FONT,
        WRAP_ALIGNMENT,
        Book,
        Font,
    )

    found = referral_by_reference(session, reference.strip())
    if found is None or found.id is None:
        raise LookupError(f"no referral with reference '{reference}'")
    detail = referral_detail(session, found.id, clock)
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
        put(1, party.name)
        put(2, party.role)
        put(3, party.kind + (f" {party.nomis_number}" if party.nomis_number else ""))
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
    put(1, f"Prepared {to_london(clock.now()):%d/%m/%Y %H:%M}. {MARKING}.")
    return book.save(path, about_sheet=False)
