"""The reports a manager reads: monthly, weekly and the performance return.

Every number comes from :mod:`cipco.services.measures` and is printed with its basis, so a
table of outcomes and a summary line of charges can be checked against each other: the
outcome table's "Charged/summonsed" row is the summary's "Charges", its "Court: convicted"
row the "Convictions", and the category table adds up to "Referrals made".

Each report is plain data (:class:`Report`) and a printable :class:`~cipco.content.Document`
(:func:`report_document`), written as a PDF and a workbook with native charts by
:mod:`cipco.documents.reports`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlmodel import Session

from cipco.clock import Clock
from cipco.content import Chart, Document, Facts, Paragraph, Section, Table
from cipco.dates import format_datetime
from cipco.services.measures import PERFORMANCE, Figure, Period, figures, trend

KINDS = ("monthly", "weekly", "performance")

MONTHLY = (
    "referrals_made",
    "open_at_end",
    "overdue",
    "days_to_acknowledgement",
    "days_to_charge",
    "charges",
    "convictions",
)
WEEKLY = (
    "referrals_made",
    "r1_police_contact",
    "r5_adjudication",
    "r7_victims",
    "charges",
    "convictions",
    "open_at_end",
    "overdue",
)
SUMMARY = {"monthly": MONTHLY, "weekly": WEEKLY, "performance": PERFORMANCE}
TREND_LENGTH = {"monthly": 12, "weekly": 8, "performance": 12}
# What the trend shows: counts drawn together, then the rules' rates (percent in time).
TREND_COUNTS = ("referrals_made", "charges", "convictions")
TREND_RATES = ("r1_police_contact", "r5_adjudication", "r7_victims")
TITLES = {
    "monthly": "Police referrals, {label}",
    "weekly": "Police referrals, {label}",
    "performance": "Crime in prison performance return, {label}",
}


@dataclass
class Report:
    kind: str
    period: Period
    title: str
    summary: list[Figure]
    by_category: Figure
    outcomes: Figure
    trend: dict[str, list[Figure]] = field(default_factory=dict)
    trend_periods: list[Period] = field(default_factory=list)

    def figure(self, key: str) -> Figure:
        return next(f for f in self.summary if f.key == key)

    @property
    def rules(self) -> list[Figure]:
        return [f for f in self.summary if f.measure.rule]


def build_report(session: Session, kind: str, period: Period, clock: Clock) -> Report:
    """The ``kind`` report for ``period`` (figures read in the session's one snapshot)."""
    keys = SUMMARY[kind]
    summary = figures(session, [*keys, "by_category", "outcomes"], period, clock)
    by_category, outcomes = summary[-2], summary[-1]
    periods = period.series(TREND_LENGTH[kind])
    wanted = TREND_COUNTS + (TREND_RATES if kind != "monthly" else ())
    series = {key: trend(session, key, periods, clock) for key in wanted}
    return Report(
        kind=kind,
        period=period,
        title=TITLES[kind].format(label=period.label),
        summary=summary[:-2],
        by_category=by_category,
        outcomes=outcomes,
        trend=series,
        trend_periods=periods,
    )


def short(figure: Figure) -> str:
    """A figure in a trend table's cell: ``12``, ``78%``, ``3.5`` or ``–`` (nothing)."""
    kind = figure.measure.kind
    if kind == "rate":
        return f"{round(100 * (figure.value or 0) / figure.of)}%" if figure.of else "–"
    if kind == "days":
        return f"{figure.value:.1f}" if figure.value is not None else "–"
    return f"{figure.value:,}"


def cell(figure: Figure) -> object:
    """A trend table's cell: a count as a number (sums in a workbook), else :func:`short`."""
    return figure.value if figure.measure.kind == "count" else short(figure)


def percent(figure: Figure) -> float:
    return round(100 * (figure.value or 0) / figure.of, 1) if figure.of else 0.0


def report_document(report: Report, *, prison: str, produced_at: datetime, actor: str) -> Document:
    """The report as a printable document: summary with bases, tables, trend with charts."""
    period = report.period
    cover = [
        Facts(
            [
                ("Period", f"{period.label} ({period.start:%d/%m/%Y} to {_last_day(period)})"),
                ("Prison", prison),
                ("Produced", f"{format_datetime(produced_at)} by {actor}"),
            ]
        ),
        Paragraph(
            "Each figure says what it counts (its basis). Charges are counted by the date of "
            "the charge and court results by the date the referral closed, so a month can "
            "show more convictions than charges.",
            "note",
        ),
    ]
    summary = Table(
        ["Figure", "Value", "Basis"],
        [
            [f.label + (f" ({f.measure.rule})" if f.measure.rule else ""), f.text, f.basis]
            for f in report.summary
        ],
        widths=(34, 18, 48),
    )
    sections = [Section("Summary", [summary], sheet="Summary")]  # on the first sheet
    sections.append(_breakdown("Referrals by category", report.by_category, "Category"))
    sections.append(_breakdown("Outcomes", report.outcomes, "Outcome"))
    if report.rules:
        sections.append(_rules(report.rules))
    sections.append(_trend(report))
    return Document(
        title=report.title,
        subject=report.title,
        produced_at=produced_at,
        produced_by=actor,
        cover=cover,
        sections=sections,
        notes=["OFFICIAL-SENSITIVE: figures for the Regional Security Lead."],
    )


def _last_day(period: Period) -> str:
    return f"{period.end - timedelta(days=1):%d/%m/%Y}"


def _breakdown(title: str, figure: Figure, what: str) -> Section:
    rows: list[list[object]] = [[label, count] for label, count in figure.parts]
    rows.append(["Total", figure.value])
    return Section(
        title,
        [
            Paragraph(f"Basis: {figure.basis}.", "note"),
            Table([what, "Number"], rows, widths=(70, 30)),
        ],
        sheet=title[:31],
    )


def _rules(rules: list[Figure]) -> Section:
    blocks: list[Facts | Table | Paragraph | Chart] = []
    for figure in rules:
        rows: list[list[object]] = [[label, count] for label, count in figure.parts]
        rows.append(["Total", figure.of or 0])
        blocks.append(
            Table(
                ["What happened", "Number"],
                rows,
                widths=(70, 30),
                title=f"{figure.measure.rule}: {figure.label} — {figure.text}; "
                f"basis: {figure.basis}",
            )
        )
    return Section("The Referral Agreement's time limits", blocks, sheet="Time limits")


def _trend(report: Report) -> Section:
    periods = report.trend_periods
    labels = [p.short for p in periods]
    counts = [k for k in TREND_COUNTS if k in report.trend]
    rates = [k for k in TREND_RATES if k in report.trend]
    blocks: list[Facts | Table | Paragraph | Chart] = [
        Chart(
            f"Referrals, charges and convictions by {report.period.noun}",
            labels,
            [(report.trend[k][0].label, [f.number for f in report.trend[k]]) for k in counts],
            axis_title="Number",
        )
    ]
    if rates:
        blocks.append(
            Chart(
                "Time limits met (% in time)",
                labels,
                [
                    (
                        f"{report.trend[k][0].measure.rule} in time %",
                        [percent(f) for f in report.trend[k]],
                    )
                    for k in rates
                ],
                axis_title="% in time",
            )
        )
    rows = [[report.trend[k][0].label, *(cell(f) for f in report.trend[k])] for k in counts + rates]
    blocks.append(
        Table(["Figure", *labels], rows, widths=(28, *([72 / len(labels)] * len(labels))))
    )
    return Section(f"Trend, last {len(periods)} {report.period.noun}s", blocks, sheet="Trend")
