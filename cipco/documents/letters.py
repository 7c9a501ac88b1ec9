"""Letters and e-mails sent about a case, drawn as PDF with the case file's machinery.

:func:`send_letter` records the letter as sent (its text, and its PDF stored as a case
document) in the caller's write transaction; the service gets the PDF renderer from here
because services do not lay out paper.
"""

from __future__ import annotations

from functools import partial

from cipco.pdf import render_pdf
from cipco.services.casework import letters

send_letter = partial(letters.send_letter, render=render_pdf)
""":func:`cipco.services.casework.letters.send_letter` with the PDF drawn by fpdf2 (the
same keyword arguments but ``render``)."""
