"""Letters and e-mails sent about a case, drawn as PDF with the case file's machinery.

:func:`send_letter` records the letter as sent (its text, and its PDF stored as a case
document) in the caller's write transaction; the service gets the PDF renderer from here
because services do not lay out paper.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from cipco.clock import Clock
from cipco.models.casework import Channel, Correspondence
from cipco.pdf import render_pdf
from cipco.services.casework import letters


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
) -> Correspondence:
    """:func:`cipco.services.casework.letters.send_letter` with the PDF drawn by fpdf2."""
    return letters.send_letter(
        session=session,
        referral_id=referral_id,
        party_id=party_id,
        recipient=recipient,
        subject=subject,
        body=body,
        clock=clock,
        channel=channel,
        template=template,
        sent_at=sent_at,
        render=render_pdf,
    )
