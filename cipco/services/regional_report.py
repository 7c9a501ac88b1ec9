"""``cipco report regional``: the regional view as a printed document (PDF and workbook).

Built from :func:`cipco.services.regional.regional_view` (one snapshot); every figure is a
measure of :mod:`cipco.services.measures`, its basis printed under the table.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from cipco.content import Document, Facts, Paragraph, Section, Table
from cipco.dates import format_date, format_datetime
from cipco.services.measures import MEASURES
from cipco.services.regional import (
    LOG_TITLES,
    RELEASE_MONTHS,
    SITE_MEASURES,
    RegionalView,
    region_total,
)

# Column headings for the figures side by side (the full words and basis are printed below).
SHORT = {
    "referrals_made": "Referred",
    "r1_police_contact": "R1 police 24 h",
    "r5_adjudication": "R5 charge 48 h",
    "r7_victims": "R7 victims told",
    "charges": "Charged",
    "convictions": "Convicted",
    "open_at_end": "Open",
}


def regional_document(view: RegionalView, *, produced_at: datetime, actor: str) -> Document:
    period = view.period
    last = period.end - timedelta(days=1)
    cover = [
        Facts(
            [
                ("Period", f"{period.label} ({format_date(period.start)} to {format_date(last)})"),
                ("Prisons", ", ".join(site.label for site in view.sites) or "none"),
                ("Nominals", f"{len(view.nominals):,} SOC Band 1 and 2 (one per prison number)"),
                ("Produced", f"{format_datetime(produced_at)} by {actor}"),
            ]
        ),
        Paragraph(
            "Each prison's figures come from its own records, counted the same way as its "
            "monthly report. A prisoner known at several prisons is one person here, joined "
            "by prison number, with what each prison knows of them.",
            "note",
        ),
    ]
    return Document(
        title=f"Regional report: {period.label}",
        subject=f"Regional report {period.label}",
        produced_at=produced_at,
        produced_by=actor,
        cover=cover,
        sections=[
            _figures(view),
            _overdue(view),
            _nominals(view),
            _trigger_points(view),
            _releases(view),
        ],
        notes=["OFFICIAL-SENSITIVE: for the region's SOC and crime in prison leads."],
    )


def _figures(view: RegionalView) -> Section:
    headers = ["Prison", *(SHORT[key] for key in SITE_MEASURES)]
    rows: list[list[object]] = [
        [column.site.code, *(figure.text for figure in column.figures)] for column in view.columns
    ]
    if len(view.columns) > 1:
        rows.append(["Region", *(region_total(view.columns, i) for i in range(len(SITE_MEASURES)))])
    bases = "; ".join(
        f"{SHORT[key]}: {MEASURES[key].label.lower()}, "
        + MEASURES[key].basis.replace("{p}", view.period.noun)
        for key in SITE_MEASURES
    )
    return Section(
        "Figures by prison",
        [
            Table(headers, rows, widths=(8, 10, 14, 14, 14, 10, 11, 8)),
            Paragraph(f"What each column counts: {bases}.", "note"),
        ],
        sheet="Figures",
    )


def _overdue(view: RegionalView) -> Section:
    logs = [log for log in LOG_TITLES if any(c.overdue.get(log) for c in view.columns)]
    rows: list[list[object]] = [
        [column.site.code, *(column.overdue.get(log, 0) for log in logs), column.overdue_total]
        for column in view.columns
    ]
    return Section(
        "Overdue now",
        [
            Paragraph(
                f"Deadlines passed and not met at {format_datetime(view.as_at)}: referrals past "
                "their next deadline (each referral once), and every other log's items past "
                "their deadline as the home screen lists them.",
                "note",
            ),
            Table(["Prison", *(LOG_TITLES[log] for log in logs), "All"], rows),
        ],
        sheet="Overdue",
    )


def _nominals(view: RegionalView) -> Section:
    rows = [
        [
            n.nomis_number,
            n.name,
            n.band,
            n.current.site,
            n.release_date,
            n.next_review_on,
            "\n".join(h.text for h in n.history),
        ]
        for n in view.nominals
    ]
    return Section(
        "SOC Band 1 and 2 nominals",
        [
            Table(
                ["Prison no.", "Name", "Band", "Now at", "Release", "Next review", "By prison"],
                rows,
                widths=(11, 16, 6, 8, 11, 11, 37),
                empty="no Band 1 or 2 nominals",
            )
        ],
        sheet="Nominals",
        new_page=True,
    )


STATE_WORDS = {"overdue": "OVERDUE: not told", "due": "to tell", "told": "told"}


def _trigger_points(view: RegionalView) -> Section:
    rows = [
        [
            t.site,
            t.nomis_number,
            t.name,
            t.band,
            t.what,
            t.happened_at,
            t.notify_due_on,
            t.notified_at if t.notified_at is not None else STATE_WORDS[t.state],
        ]
        for t in view.trigger_points
    ]
    return Section(
        "Trigger points: SOC unit notifications",
        [
            Paragraph(
                "Band 1 custody trigger points the regional SOC unit is still to be told of "
                "(overdue first), then those of the last four weeks it was told of.",
                "note",
            ),
            Table(
                ["Prison", "Prison no.", "Name", "Band", "Event", "Happened", "Tell by", "Told"],
                rows,
                widths=(8, 11, 17, 6, 16, 15, 11, 16),
                empty="no trigger points to report",
            ),
        ],
        sheet="Trigger points",
    )


def _releases(view: RegionalView) -> Section:
    rows = [[r.site, r.nomis_number, r.name, r.band, r.release_date, r.days] for r in view.releases]
    return Section(
        f"Releases within {RELEASE_MONTHS} months",
        [
            Table(
                ["Prison", "Prison no.", "Name", "Band", "Release", "Days"],
                rows,
                widths=(10, 14, 32, 8, 16, 10),
                empty=f"no Band 1 or 2 releases within {RELEASE_MONTHS} months",
            )
        ],
        sheet="Releases",
    )
