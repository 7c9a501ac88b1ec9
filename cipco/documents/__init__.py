"""Documents written both as a PDF and as a workbook: the case file, the reports.

Each is built once as a :class:`cipco.content.Document` by its service, then written by
:mod:`cipco.pdf` and :mod:`cipco.spreadsheets.content` through the output contract.
"""
