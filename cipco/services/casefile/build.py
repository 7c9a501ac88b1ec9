"""The police case file of one referral, as a :class:`~cipco.content.Document`.

Everything the police receive about a referral in one document: the cover (referral,
prison, force, OIC, crime reference, status, marking, the custody ledger line, who produced
it and when), the proforma in words, the suspect, victims and witnesses, the adjudication,
the evidence checklist (held and outstanding), the timeline, each linked exhibit with its
seals and full continuity record (every event's hash), and the MG4D papers with their
service. Written as a PDF and a workbook by :mod:`cipco.documents.casefile`.

Like every police export it withholds people marked "do not share" and victims' contact
details unless ``include_restricted``; the cover says what was withheld.

Other parts add their sections with :func:`register_section` (a source is called with the
:class:`CaseContext` and returns sections; ``order`` places them among the built-in ones:
10 referral, 20 suspect, 30 victims and witnesses, 40 adjudication, 50 evidence, 60
timeline, 70 exhibits, 80 MG4D papers).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.content import MARKING, Document, Facts, Paragraph, Section, Table, Value
from cipco.dates import format_datetime
from cipco.models.exhibit import STATE_LABELS
from cipco.models.mg4d import STATE_LABELS as PAPERS_STATE_LABELS
from cipco.models.mg4d import ChargePapers
from cipco.models.referral import AGGRAVATING_FACTORS, FollowUp, Referral
from cipco.models.vocab import PARTY_KIND_LABELS, PARTY_ROLE_LABELS, TYPE_LABELS
from cipco.services.casefile.evidence import LinkedExhibit, checklist, linked_exhibits
from cipco.services.flags import ADJUDICATION_WITHIN
from cipco.services.person_import import do_not_share_numbers
from cipco.services.referrals import (
    ReferralDetail,
    adjudication_label,
    outcome_label,
    referral_detail,
    referral_id_of,
    status_label,
)
from cipco.services.site import site_label

WITHHELD = "withheld (do not share)"
RESTRICTED_NOTE = (
    "People marked 'do not share' and victims' contact details are withheld "
    "(--include-restricted includes them)."
)
INCLUDED_NOTE = (
    "Includes people marked 'do not share' and victims' contact details: handle with "
    "particular care."
)


@dataclass
class CaseContext:
    """What every section source is given."""

    session: Session
    clock: Clock
    referral: Referral
    detail: ReferralDetail
    exhibits: list[LinkedExhibit]
    hidden: frozenset[str]  # prison numbers of people marked "do not share" (if withheld)
    include_restricted: bool
    withheld: list[str] = field(default_factory=list)  # what was left out, said on the cover

    def shown(self, nomis: str | None, value: Value) -> Value:
        """``value`` about the person with prison number ``nomis``, or the withheld mark."""
        if nomis and nomis in self.hidden:
            return WITHHELD
        return value


SectionSource = Callable[[CaseContext], list[Section]]
_SOURCES: list[tuple[int, str, SectionSource]] = []


def register_section(order: int, name: str, source: SectionSource) -> None:
    """Add sections to every case file (again with the same ``name``: replaced)."""
    _SOURCES[:] = [entry for entry in _SOURCES if entry[1] != name]
    _SOURCES.append((order, name, source))
    _SOURCES.sort(key=lambda entry: entry[0])


def case_file(
    session: Session,
    reference: str,
    clock: Clock,
    *,
    actor: str,
    include_restricted: bool = False,
) -> Document:
    """The case file of the referral ``reference`` (any letter case).

    Raises :class:`~cipco.services.referrals.ReferralError` for an unknown reference.
    """
    from cipco.services.ledger import anchor

    referral_id = referral_id_of(session, reference)
    detail = referral_detail(session, referral_id, clock)
    hidden = frozenset() if include_restricted else do_not_share_numbers(session)
    ctx = CaseContext(
        session=session,
        clock=clock,
        referral=detail.referral,
        detail=detail,
        exhibits=linked_exhibits(session, referral_id),
        hidden=hidden,
        include_restricted=include_restricted,
    )
    sections = [section for _, _, source in _SOURCES for section in source(ctx)]
    r = detail.referral
    produced_at = clock.now()
    cover = Facts(
        [
            ("Referral", r.reference),
            ("Prison", site_label(session)),
            ("Police force", detail.force_name or "not recorded"),
            ("Officer in case", _oic(r) or "not recorded"),
            ("Crime reference", r.crime_ref or "not given yet"),
            ("Status", status_label(r.status)),
            ("Protective marking", MARKING),
            ("Custody ledger", anchor(session).line()),
            ("Produced", f"{format_datetime(produced_at)} by {actor}"),
        ]
    )
    notes = [INCLUDED_NOTE if include_restricted else RESTRICTED_NOTE]
    if ctx.withheld:
        notes.append("Withheld here: " + "; ".join(ctx.withheld) + ".")
    return Document(
        title=f"Police case file {r.reference}",
        subject=f"Police case file {r.reference}",
        produced_at=produced_at,
        produced_by=actor,
        cover=[
            cover,
            Paragraph(
                "The custody ledger line fixes every exhibit's continuity record as it stood "
                "when this file was produced; cipco verify --against checks it later.",
                "note",
            ),
        ],
        sections=sections,
        notes=notes,
    )


def _oic(r: Referral) -> str:
    return " · ".join(x for x in (r.oic_name, r.oic_collar, r.oic_phone, r.oic_email) if x)


def _yes(value: bool) -> str:
    return "Yes" if value else "No"


# ---------------------------------------------------------------- the built-in sections


def _referral(ctx: CaseContext) -> list[Section]:
    d, r = ctx.detail, ctx.referral
    category = d.category.label
    if d.category.mandatory_referral:
        category += " (mandatory referral)"
    if d.category.serious_incident:
        category += " (serious incident)"
    factors = "; ".join(AGGRAVATING_FACTORS.get(f, f) for f in r.aggravating_factors or [])
    outcome = outcome_label(r.outcome)
    if outcome and r.outcome_number:
        outcome += f" (Home Office outcome {r.outcome_number})"
    if outcome and r.outcome_detail:
        outcome += f": {r.outcome_detail}"
    rows: list[tuple[str, Value]] = [
        ("Category", category),
        ("Incident", r.incident_at),
        ("Discovered", r.discovered_at),
        ("Location", r.location or "not recorded"),
        ("Description", r.description or "not recorded"),
        ("Aggravating factors", factors or "none recorded"),
        ("Staff victim", _yes(r.staff_victim)),
        ("Victim wants police involvement", _yes(r.victim_wants_police)),
        ("Suspect has a terrorism conviction", _yes(r.terrorism_conviction)),
        ("Summary-only offence", _yes(r.summary_only)),
        ("Police first contacted", r.police_contacted_at or "not recorded"),
        ("Referred to police", r.referred_at or "not referred yet"),
        ("Acknowledged by police", r.acknowledged_at or "not yet"),
        ("Police decision", r.police_decision_at or "not yet"),
        ("Charged", r.charged_at or "not charged"),
        ("Closed", r.closed_at or "open"),
        ("Outcome", outcome or "none yet"),
        ("Reason for the last move", r.status_reason or "none given"),
        ("CCTV/BWV preservation requested", r.footage_requested_on or "not recorded"),
    ]
    return [Section("Referral", [Facts(rows)], sheet="Referral")]


def _suspect(ctx: CaseContext) -> list[Section]:
    p = ctx.detail.prisoner
    if p.nomis_number in ctx.hidden:
        ctx.withheld.append("the suspect's details (marked 'do not share')")
        rows: list[tuple[str, Value]] = [("Name", WITHHELD)]
    else:
        rows = [
            ("Name", p.name),
            ("Prison (NOMIS) number", p.nomis_number),
            ("PNC ID", p.pnc or "not recorded"),
            ("Date of birth", p.date_of_birth or "not recorded"),
        ]
    return [Section("Suspect", [Facts(rows)], sheet="Referral")]


def _people(ctx: CaseContext) -> list[Section]:
    rows: list[list[Value]] = []
    hidden = 0
    for party in ctx.detail.parties:
        secret = (party.do_not_share and not ctx.include_restricted) or (
            party.nomis_number in ctx.hidden if party.nomis_number else False
        )
        hidden += secret
        rows.append(
            [
                PARTY_ROLE_LABELS.get(party.role, party.role),
                PARTY_KIND_LABELS.get(party.kind, party.kind),
                WITHHELD if secret else party.name,
                WITHHELD if secret else party.nomis_number or "",
                _yes(party.statement_taken),
                _yes(party.enhanced_rights),
            ]
        )
    if hidden:
        ctx.withheld.append(f"{hidden} victim(s) or witness(es) marked 'do not share'")
    blocks: list[Facts | Table | Paragraph] = [
        Table(
            ["Role", "Kind", "Name", "Prison number", "Statement taken", "Enhanced rights"],
            rows,
            widths=(12, 10, 30, 16, 14, 14),
        )
    ]
    if ctx.referral.staff_victim and not any(p.role == "victim" for p in ctx.detail.parties):
        blocks.append(Paragraph("A member of staff is the victim (details held by the prison)."))
    return [Section("Victims and witnesses", blocks, sheet="Referral")]


def _adjudication(ctx: CaseContext) -> list[Section]:
    r = ctx.referral
    laid: Value = r.adjudication_laid_at or ("time not recorded" if r.adjudication_charge else "")
    within = ""
    if r.adjudication_laid_at is not None:
        hours = (r.adjudication_laid_at - r.discovered_at).total_seconds() / 3600
        limit = ADJUDICATION_WITHIN.total_seconds() / 3600
        within = f"{hours:.0f} h after discovery ({'within' if hours <= limit else 'after'} 48 h)"
    rows: list[tuple[str, Value]] = [
        ("Charge number", r.adjudication_charge or "not laid"),
        ("State", adjudication_label(r.adjudication_state) or "not recorded"),
        ("Charge laid", laid or "not laid"),
    ]
    if within:
        rows.append(("Laid", within))
    return [Section("Adjudication", [Facts(rows)], sheet="Referral")]


def _evidence(ctx: CaseContext) -> list[Section]:
    items = checklist(ctx.referral, ctx.exhibits, ctx.detail.parties, hidden=ctx.hidden)
    held = [i for i in items if i.held]
    table = Table(
        ["Item", "Held", "How we know / what is outstanding"],
        [[i.label, "Held" if i.held else "Outstanding", i.how] for i in items],
        widths=(34, 14, 52),
    )
    summary = Paragraph(
        f"{len(held)} of {len(items)} items held; {len(items) - len(held)} outstanding."
    )
    return [Section("Evidence checklist", [summary, table], sheet="Evidence")]


def _timeline(ctx: CaseContext) -> list[Section]:
    rows: list[tuple[datetime, datetime, str, str, str]] = [
        (e.happened_at, e.recorded_at, e.actor, "Status", e.text)
        for e in ctx.detail.timeline
        if e.kind == "status"
    ]
    methods = {"phone": "phone", "email": "e-mail", "meeting": "meeting", "other": "other"}
    for f in ctx.session.scalars(select(FollowUp).where(FollowUp.referral_id == ctx.referral.id)):
        how = methods.get(f.method, f.method)
        rows.append((f.happened_at, f.recorded_at, f.actor, f"Follow-up ({how})", f.note))
    rows.sort(key=lambda row: (row[0], row[1]))
    table = Table(
        ["Happened", "Recorded", "By", "Kind", "What"],
        [list(row) for row in rows],
        widths=(16, 16, 13, 13, 42),
    )
    return [Section("Timeline", [table], sheet="Timeline")]


def _exhibits(ctx: CaseContext) -> list[Section]:
    from cipco.services.exhibit_record import exhibit_detail

    details = [exhibit_detail(ctx.session, e.id, ctx.clock) for e in ctx.exhibits]
    summary = Table(
        ["Reference", "Type", "Description", "Seal", "Held by now", "State"],
        [
            [
                x.reference,
                TYPE_LABELS.get(x.exhibit_type, x.exhibit_type),
                x.description,
                x.seal_number,
                x.holder,
                STATE_LABELS.get(x.state, x.state),
            ]
            for x in details
        ],
        widths=(12, 12, 34, 12, 16, 14),
        empty="No exhibits are linked to this referral.",
    )
    sections = [Section("Exhibits", [summary], sheet="Exhibits", new_page=bool(details))]
    for x in details:
        sections.append(_exhibit(ctx, x))
    return sections


def _exhibit(ctx: CaseContext, x: object) -> Section:
    from cipco.services.exhibit_record import ExhibitDetail

    assert isinstance(x, ExhibitDetail)
    facts: list[tuple[str, Value]] = [
        ("Reference", x.reference),
        ("Type", TYPE_LABELS.get(x.exhibit_type, x.exhibit_type)),
        ("Description", x.description),
    ]
    if x.parent_reference:
        facts.append(("Part of exhibit", x.parent_reference))
    for label, value in x.fields:
        if label == "Found on":
            nomis = value.split(" ", 1)[0]
            if nomis in ctx.hidden:
                ctx.withheld.append(f"who exhibit {x.reference} was found on")
            value = str(ctx.shown(nomis, value))
        facts.append((label, value))
    facts += [
        ("Seal number now", x.seal_number or "not sealed"),
        ("Storage location", x.storage_location or "not recorded"),
        ("Held by now", x.holder or "not recorded"),
        ("State", STATE_LABELS.get(x.state, x.state)),
        ("Linked referrals", ", ".join(x.referrals) or "none"),
        ("Hold", f"Yes: {x.hold_reason}" if x.hold else "No"),
        ("Seal discrepancies", x.discrepancy_count),
    ]
    rows = []
    for e in x.timeline:
        what = e.label + (f" ({e.reason})" if e.reason else "")
        seal = e.seal_number
        if e.seal_intact is not None and seal:
            seal += " intact" if e.seal_intact else " NOT intact"
        if e.new_seal_number:
            seal += f"; resealed {e.new_seal_number}"
        details = [
            f"at {e.location}" if e.location else "",
            f"discrepancy: {e.discrepancy}" if e.discrepancy else "",
            f"corrects event {e.corrects_seq}" if e.corrects_seq else "",
            "corrected by event " + ", ".join(map(str, e.corrected_by)) if e.corrected_by else "",
            f"authority: {e.authority}" if e.authority else "",
            f"witness: {e.witness}" if e.witness else "",
            e.note,
        ]
        to = e.to_name + (f" ({e.to_detail})" if e.to_detail else "")
        rows.append(
            [
                e.seq,
                what,
                e.happened_at,
                e.recorded_at,
                e.recorded_by,
                e.from_name,
                to,
                seal,
                "; ".join(part for part in details if part),
                e.hash,
            ]
        )
    record = Table(
        ["No.", "Event", "Happened", "Recorded", "By", "From", "To", "Seal", "Details", "Hash"],
        rows,
        widths=(5, 11, 11, 11, 9, 11, 13, 10, 19),
        below=9,
        title="Continuity record",
    )
    return Section(f"Exhibit {x.reference}", [Facts(facts), record], sheet="Continuity", level=1)


def _papers(ctx: CaseContext) -> list[Section]:
    from cipco.services.mg4d.queries import papers_detail_events
    from cipco.services.mg4d.writes import response_label

    found = list(
        ctx.session.scalars(
            select(ChargePapers)
            .where(ChargePapers.referral_id == ctx.referral.id)
            .order_by(ChargePapers.received_at)
        )
    )
    blocks: list[Facts | Table | Paragraph] = []
    if not found:
        blocks.append(Paragraph("No charge papers are recorded for this referral."))
    for papers in found:
        blocks.append(
            Facts(
                [
                    (
                        "Papers",
                        f"{papers.form_label} received {format_datetime(papers.received_at)}",
                    ),
                    ("Received from", papers.received_from or "not recorded"),
                    (
                        "Crime reference / URN",
                        " / ".join(x for x in (papers.crime_ref, papers.urn) if x)
                        or "not recorded",
                    ),
                    ("Charges", papers.charges),
                    ("Court", papers.court or "not recorded"),
                    ("First hearing", papers.first_hearing_on or "not recorded"),
                    ("Service", PAPERS_STATE_LABELS.get(papers.state, papers.state)),
                ]
            )
        )
        events = papers_detail_events(ctx.session, papers.id or 0)
        corrected = {e.corrects_event_id for e in events if e.corrects_event_id}
        blocks.append(
            Table(
                ["Served (or tried)", "By", "Witnessed by", "Response", "Copy to police", "Note"],
                [
                    [
                        e.served_at,
                        e.served_by,
                        e.witnessed_by,
                        response_label(e.response)
                        + (" (corrected by a later entry)" if e.id in corrected else "")
                        + (" (a correction)" if e.corrects_event_id else ""),
                        e.copy_returned_at or "",
                        e.note,
                    ]
                    for e in events
                ],
                widths=(15, 14, 14, 19, 15, 23),
                empty="not served yet",
            )
        )
    return [Section("MG4D papers and their service", blocks, sheet="MG4D")]


register_section(10, "referral", _referral)
register_section(20, "suspect", _suspect)
register_section(30, "people", _people)
register_section(40, "adjudication", _adjudication)
register_section(50, "evidence", _evidence)
register_section(60, "timeline", _timeline)
register_section(70, "exhibits", _exhibits)
register_section(80, "papers", _papers)
