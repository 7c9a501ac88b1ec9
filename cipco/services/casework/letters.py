"""Correspondence about a case: letters and e-mails to staff and prisoners, from template
texts filled from the record, kept as sent (the text, and the PDF as a case document).

The templates are the usual ones [practice]: the crime reference given, a police decision,
the outcome. Their text is drafted from the referral and the person; the coordinator edits
it before sending; what was sent is never changed afterwards (a trigger refuses it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.content import Document, Facts, Paragraph, Section
from cipco.dates import format_date, format_datetime
from cipco.models.casework import CHANNEL_LABELS, Channel, Correspondence
from cipco.models.people import Prisoner
from cipco.models.reference import Force
from cipco.models.referral import (
    OUTCOME_LABELS,
    PartyKind,
    PartyRole,
    Referral,
    ReferralParty,
)
from cipco.models.referral import StatusChange as Move
from cipco.services import audit
from cipco.services.casework.common import CaseworkError, dates_checked, party, referral
from cipco.services.casework.documents import Upload, attach
from cipco.services.flags import review_window_closes
from cipco.services.site import site_label
from cipco.services.victims import decision_label
from cipco.text import clean

audit.track(Correspondence)


@dataclass(frozen=True)
class Template:
    key: str
    label: str
    subject: str


TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template("crime_reference", "Crime reference given", "Police crime reference {ref}"),
        Template("police_decision", "Police decision", "Police decision: {reference}"),
        Template("outcome", "Outcome of the case", "Outcome of the case: {reference}"),
        Template("free", "Free text", "{reference}"),
    )
}


@dataclass(frozen=True)
class Draft:
    recipient: str
    subject: str
    body: str


def _latest_decision(session: Session, referral_id: int) -> tuple[str, datetime] | None:
    for from_status, to_status, at in session.execute(
        select(Move.from_status, Move.to_status, Move.happened_at)
        .where(Move.referral_id == referral_id)
        .order_by(Move.happened_at.desc(), Move.id.desc())  # type: ignore[attr-defined]
    ):
        label = decision_label(from_status, to_status)
        if label:
            return label, at
    return None


def _recipient(person: ReferralParty | None, prisoner: Prisoner | None) -> str:
    if person is None:
        return prisoner.name if prisoner and prisoner.name else "the prisoner"
    if person.kind == PartyKind.PRISONER and person.nomis_number:
        return f"{person.name} ({person.nomis_number})"
    return person.name


def draft_letter(
    session: Session, referral_id: int, party_id: int | None, template: str, clock: Clock
) -> Draft:
    """A template's text filled from the referral and the person (None: the suspect)."""
    case = referral(session, referral_id)
    person = party(session, referral_id, party_id, "party_id") if party_id is not None else None
    chosen = TEMPLATES.get(template)
    if chosen is None:
        raise CaseworkError(f"template: '{template}' is not a template", field="template")
    prisoner = session.get(Prisoner, case.prisoner_id)
    force = session.get(Force, case.force_id) if case.force_id else None
    police = force.name if force else "the police"
    name = person.name if person else (prisoner.name if prisoner else "")
    about = f"the incident at {site_label(session)} on {format_date(case.incident_at)}" + (
        f" ({case.location})" if case.location else ""
    )
    if chosen.key == "crime_reference":
        if not case.crime_ref:
            raise CaseworkError(
                "template: the police have not given a crime reference yet", field="template"
            )
        oic = " ".join(x for x in (case.oic_name, case.oic_collar) if x)
        body = (
            f"I am writing about {about}, which has been reported to {police}.\n\n"
            f"The police crime reference number is {case.crime_ref}. Please quote it if you "
            "contact the police about the incident."
            + (f" The officer in the case is {oic}." if oic else "")
        )
    elif chosen.key == "police_decision":
        found = _latest_decision(session, referral_id)
        if found is None:
            raise CaseworkError(
                "template: the police have not made a decision on this referral yet",
                field="template",
            )
        label, at = found
        words = label.replace("NFA", "no further action (NFA)")
        if not words.startswith("CPS"):
            words = words[0].lower() + words[1:]
        body = (
            f"I am writing about {about}.\n\nOn {format_date(at)} {police} made a decision: "
            f"{words}." + _reason(case) + _review(case, person)
        )
    elif chosen.key == "outcome":
        outcome = OUTCOME_LABELS.get(case.outcome or "", "")
        if not outcome or case.closed_at is None:
            raise CaseworkError("template: the case has no outcome yet", field="template")
        body = (
            f"I am writing about {about}.\n\nThe case ended on {format_date(case.closed_at)}: "
            f"{outcome}."
            + (f" {case.outcome_detail}." if case.outcome_detail else "")
            + _review(case, person)
        )
    else:
        body = f"I am writing about {about}.\n\n"
    greeting = f"Dear {name},\n\n" if name else ""
    closing = (
        "\n\nIf you have any questions, please contact me.\n\nYours sincerely,\n\n"
        f"Crime in Prison Coordinator, {site_label(session)}"
    )
    subject = chosen.subject.format(ref=case.crime_ref or "", reference=case.reference)
    return Draft(_recipient(person, prisoner), subject, greeting + body + closing)


def ready_templates(session: Session, referral_id: int, clock: Clock) -> list[Template]:
    """The templates that can be drafted for this referral now (no crime reference yet: not
    "Crime reference given"; no police decision: not "Police decision"; open: no outcome)."""
    ready = []
    for template in TEMPLATES.values():
        try:
            draft_letter(session, referral_id, None, template.key, clock)
        except CaseworkError as exc:
            if "template" not in exc.fields:
                raise
            continue
        ready.append(template)
    return ready


def _reason(case: Referral) -> str:
    outcome = OUTCOME_LABELS.get(case.outcome or "", "")
    return f" The outcome recorded is: {outcome}." if outcome else ""


def _review(case: Referral, person: ReferralParty | None) -> str:
    closes = review_window_closes(case)
    if closes is None or person is None or person.role != PartyRole.VICTIM:
        return ""
    return (
        "\n\nIf you disagree with the decision to take no further action you may ask for it "
        f"to be reviewed (the Victims' Right to Review scheme) by {format_date(closes)}."
    )


def letter_document(
    case: Referral,
    recipient: str,
    channel: str,
    subject: str,
    body: str,
    sent_at: datetime,
    actor: str,
    prison: str,
) -> Document:
    """The letter as a printed document (the PDF kept as sent)."""
    facts = Facts(
        [
            ("To", recipient),
            ("Sent", f"{format_datetime(sent_at)} by {CHANNEL_LABELS.get(channel, channel)}"),
            ("From", f"{actor}, Crime in Prison Coordinator, {prison}"),
            ("Our reference", case.reference),
            ("Crime reference", case.crime_ref or "not given yet"),
        ]
    )
    paragraphs = [Paragraph(part.strip()) for part in body.split("\n\n") if part.strip()]
    return Document(
        title=subject,
        subject=f"{CHANNEL_LABELS.get(channel, channel)} {case.reference}",
        produced_at=sent_at,
        produced_by=actor,
        cover=[facts],
        sections=[Section("Letter", paragraphs)],
        page_list=False,
    )


def send_letter(
    *,
    session: Session,
    referral_id: int,
    party_id: int | None,
    recipient: str,
    subject: str,
    body: str,
    clock: Clock,
    channel: str = Channel.LETTER,
    template: str = "",
    sent_at: datetime | None = None,
    render: Callable[[Document], bytes],
) -> Correspondence:
    """Record a letter or e-mail as sent: its text, and its PDF (``render`` draws it:
    :func:`cipco.pdf.render_pdf`, passed in by :mod:`cipco.documents.letters`) as a case
    document."""
    case = referral(session, referral_id)
    if party_id is not None:
        party(session, referral_id, party_id, "party_id")
    # what is kept is what the PDF shows: no escape sequences or control characters
    recipient, subject = " ".join(clean(recipient).split()), " ".join(clean(subject).split())
    body = clean(body, newlines=True).strip()
    for field, value, what in (
        ("recipient", recipient, "say who it went to"),
        ("subject", subject, "give the subject"),
        ("body", body, "the letter has no text"),
    ):
        if not value:
            raise CaseworkError(f"{field}: {what}", field=field)
    if channel not in CHANNEL_LABELS:
        raise CaseworkError(f"how: '{channel}' is not a letter or an e-mail", field="channel")
    when = sent_at or clock.now()
    dates_checked(clock, {"sent_at": when}, {"sent_at": "sent"})
    actor = audit.actor_of(session)
    doc = letter_document(case, recipient, channel, subject, body, when, actor, site_label(session))
    stamp = f"{when:%Y%m%d-%H%M}"
    stored = attach(
        session=session,
        referral_id=referral_id,
        upload=Upload.made(render(doc), f"letter-{case.reference}-{stamp}.pdf"),
        title=f"{CHANNEL_LABELS[channel]} to {recipient}: {subject}",
        kind="letter",
        clock=clock,
    )
    letter = Correspondence(
        referral_id=referral_id,
        party_id=party_id,
        recipient=recipient,
        channel=channel,
        template=template,
        subject=subject,
        body=body,
        sent_at=when,
        actor=actor,
        document_id=stored.id,
        recorded_at=clock.now(),
    )
    session.add(letter)
    session.flush()
    return letter
