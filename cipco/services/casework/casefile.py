"""The people and papers' sections of the police case file (registered with
:func:`cipco.services.casefile.register_section`; imported by :mod:`cipco.services.casefile`).

- 15 "Other systems": the crime's references on NIMU, IRS, PNOMIS and Mercury/IMS;
- 35 "Statements and medical disclaimers": each statement's state and QA, statement
  meetings, each disclaimer's issue and return;
- 55 "CPS actions": what the CPS asked for, by when, done;
- 85 "Correspondence" and "Case documents (appendix)": letters sent (no contact details),
  and every stored document with its size and SHA-256 (the files themselves go out with
  ``cipco case documents-out``).

A person marked "do not share" is named as withheld; no contact details are ever printed.
"""

from __future__ import annotations

from cipco.content import Facts, Section, Table, Value
from cipco.models.casework import (
    CHANNEL_LABELS,
    DOCUMENT_KIND_LABELS,
    STATEMENT_LABELS,
    CaseDocument,
    Correspondence,
    CpsAction,
    MedicalDisclaimer,
    Statement,
    StatementMeeting,
)
from cipco.models.referral import OTHER_SYSTEMS, ReferralParty
from cipco.services.casefile.build import WITHHELD, CaseContext, register_section
from cipco.services.casework.common import of_referral
from cipco.services.casework.papers import disclaimer_state, problems_text
from cipco.services.casework.queries_papers import size_text


def _names(ctx: CaseContext) -> dict[int, Value]:
    """Each person on the case by id, withheld if marked "do not share" (unless asked)."""
    names: dict[int, Value] = {}
    for p in of_referral(ctx.session, ReferralParty, ctx.referral.id):
        secret = not ctx.include_restricted and (
            p.do_not_share or (p.nomis_number or "") in ctx.hidden
        )
        names[p.id or 0] = WITHHELD if secret else p.name
    return names


def _other_systems(ctx: CaseContext) -> list[Section]:
    rows = [
        (label, getattr(ctx.referral, key) or "not recorded")
        for key, label in OTHER_SYSTEMS.items()
    ]
    return [Section("Other systems", [Facts(rows)], sheet="Referral")]


def _statements(ctx: CaseContext) -> list[Section]:
    session, rid = ctx.session, ctx.referral.id
    names = _names(ctx)
    suspect = "the suspect"
    statements = [
        [
            names.get(s.party_id, ""),
            STATEMENT_LABELS.get(s.state, s.state),
            s.requested_on,
            s.due_on,
            s.received_on,
            " ".join(x for x in (s.checked_by or "", problems_text(s.problems)) if x),
            s.sent_on,
        ]
        for s in of_referral(session, Statement, rid, Statement.id)
    ]
    meetings = [
        [names.get(m.party_id, ""), m.meets_at, m.place, m.officer, m.release_confirmed_on, m.held]
        for m in of_referral(session, StatementMeeting, rid, StatementMeeting.meets_at)
    ]
    disclaimers = [
        [
            names.get(d.party_id, "") if d.party_id else suspect,
            disclaimer_state(d),
            d.issued_on,
            d.returned_on,
            d.sent_on,
        ]
        for d in of_referral(session, MedicalDisclaimer, rid, MedicalDisclaimer.id)
    ]
    blocks = [
        Table(
            ["From", "State", "Asked", "Due", "Received", "Checked by, problems", "Sent"],
            statements,
            widths=(20, 14, 11, 11, 11, 22, 11),
            title="Witness statements (MG11)",
        ),
        Table(
            ["Who", "Meets", "Place", "Officer", "Release confirmed", "Held"],
            meetings,
            widths=(22, 16, 18, 18, 14, 8),
            title="Statement meetings with police",
        ),
        Table(
            ["Given to", "State", "Issued", "Returned", "Sent to police"],
            disclaimers,
            widths=(28, 22, 14, 14, 14),
            title="Medical disclaimers",
        ),
    ]
    return [Section("Statements and medical disclaimers", blocks, sheet="Statements")]


def _cps(ctx: CaseContext) -> list[Section]:
    rows = [
        [a.action, a.requested_on, a.due_on, a.owner, a.done_on, a.notes]
        for a in of_referral(
            ctx.session, CpsAction, ctx.referral.id, CpsAction.requested_on, CpsAction.id
        )
    ]
    table = Table(
        ["Action", "Asked", "Due", "Owner", "Done", "Notes"],
        rows,
        widths=(30, 11, 11, 14, 11, 23),
    )
    return [Section("CPS actions", [table], sheet="CPS")]


def _papers(ctx: CaseContext) -> list[Section]:
    names = _names(ctx)
    letters = [
        [
            c.sent_at,
            CHANNEL_LABELS.get(c.channel, c.channel),
            names.get(c.party_id, WITHHELD) if c.party_id else c.recipient,
            c.subject,
        ]
        for c in of_referral(ctx.session, Correspondence, ctx.referral.id, Correspondence.sent_at)
    ]
    documents = [
        [
            d.id,
            DOCUMENT_KIND_LABELS.get(d.kind, d.kind),
            d.title,
            d.filename,
            size_text(d.size),
            d.added_at,
            d.sha256,
        ]
        for d in of_referral(ctx.session, CaseDocument, ctx.referral.id, CaseDocument.id)
    ]
    return [
        Section(
            "Correspondence",
            [Table(["Sent", "How", "To", "Subject"], letters, widths=(16, 10, 30, 44))],
            sheet="Papers",
        ),
        Section(
            "Case documents (appendix)",
            [
                Table(
                    ["No.", "Kind", "Title", "File", "Size", "Added", "SHA-256"],
                    documents,
                    widths=(6, 14, 28, 24, 10, 18),
                    small=(6,),
                    below=6,
                )
            ],
            sheet="Documents",
        ),
    ]


register_section(15, "other_systems", _other_systems)
register_section(35, "statements", _statements)
register_section(55, "cps", _cps)
register_section(85, "casework_papers", _papers)
