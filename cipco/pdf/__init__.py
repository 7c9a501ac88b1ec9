"""PDFs: every document cipco prints (case files, reports, letters) is drawn here.

Build a :class:`cipco.content.Document`, then :func:`render_pdf` (bytes) or
:func:`write_pdf` (to an :class:`~cipco.outputs.OutputTarget`: 0600, complete or nothing).
The font ships with cipco (``fonts/``: DejaVu Sans, licence beside it), so Latin with any
diacritics, Greek and Cyrillic print on any machine; other scripts print as ``[?]`` with a
warning on the first page (:mod:`cipco.pdf.glyphs`), never an error.
"""

from cipco.pdf.render import render_pdf, write_pdf

__all__ = ["render_pdf", "write_pdf"]
