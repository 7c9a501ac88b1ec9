"""Crime clinic exports: a clinic's agenda and minutes, as a workbook or Markdown.

The "Actions" sheet has the action log's columns (:mod:`cipco.spreadsheets.actions_io`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from sqlmodel import Session

from cipco.clock import Clock, to_london
from cipco.db import read_scope
from cipco.models.clinic import ItemKind, Presence
from cipco.outputs import OutputTarget
from cipco.services import clinic as clinic_service
from cipco.services.ledger import anchor_line
from cipco.services.log_rows import ACTION_FIELDS, action_row
from cipco.services.referrals import status_label as referral_status_label
from cipco.spreadsheets import actions_io
from cipco.spreadsheets.exporting import columns, save_sheets, save_text, sheet, table
from cipco.spreadsheets.writer import MARKING, About
from cipco.text import clean

KIND_LABELS = {
    ItemKind.REFERRAL: "Referral",
    ItemKind.FREE: "Item",
    ItemKind.ACTION: "Action",
    ItemKind.MG4D: "MG4D",
    ItemKind.EXHIBIT: "Exhibit",
}


def _agenda_status(row: clinic_service.AgendaRow) -> str:
    if row.kind == ItemKind.ACTION and row.action_status:
        return row.action_status
    return referral_status_label(row.referral_status) if row.referral_status else ""


AGENDA_COLUMNS = columns(
    """
    No.                   | number             | 6  | number
    Section               | section            | 28
    Kind                  | kind               | 10
    Item                  | title              | 60
    Detail                | detail             | 50
    Referral              | referral_reference | 16
    Referral status (now) | status_now         | 20
    Next due              | due_label          | 36
    Decision / notes      | note               | 60
    Dropped               | dropped            | 9  | bool
    Drop reason           | drop_reason        | 30
    """,
    convert={"kind": lambda kind: KIND_LABELS.get(kind, kind)},
)
ATTENDANCE_COLUMNS = columns(
    """
    Name         | name         | 30
    Role         | role         | 28
    Organisation | organisation | 20
    Attendance   | presence     | 12
    """,
    convert={"presence": lambda p: "Present" if p == Presence.PRESENT else "Apologies"},
)


class _AgendaLine:
    """An agenda row as the Agenda sheet shows it (with its status now, in words)."""

    def __init__(self, row: clinic_service.AgendaRow) -> None:
        self._row = row

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)

    @property
    def status_now(self) -> str:
        return _agenda_status(self._row)


@dataclass(frozen=True)
class Minutes:
    """Everything a clinic's agenda and minutes contain, as plain values."""

    view: clinic_service.ClinicView
    agenda: list[clinic_service.AgendaRow]
    actions: list[clinic_service.ActionRow]
    custody: str = ""  # the custody ledger's anchor line, kept by everyone at the clinic


def load_minutes(session: Session, clinic_id: int, clock: Clock) -> Minutes:
    return Minutes(
        view=clinic_service.clinic_view(session, clinic_id),
        agenda=clinic_service.agenda_rows(session, clinic_id, clock),
        actions=clinic_service.clinic_actions(session, clinic_id, clock),
        custody=anchor_line(session),
    )


def write_clinic_workbook(
    engine: Engine, clinic_id: int, target: OutputTarget, clock: Clock, *, generated_by: str
) -> tuple[Path, dict[str, int]]:
    """The agenda and minutes of one clinic: sheets Agenda, Actions, Attendance, About."""
    with read_scope(engine, clock=clock) as session:
        minutes = load_minutes(session, clinic_id, clock)
    view = minutes.view
    sheets = [
        sheet("Agenda", AGENDA_COLUMNS, [_AgendaLine(r) for r in minutes.agenda]),
        table("Actions", actions_io.COLUMNS, map(action_row, minutes.actions), ACTION_FIELDS),
        sheet("Attendance", ATTENDANCE_COLUMNS, view.attendance),
    ]
    about = About(
        what=f"{view.title}, {clinic_service.uk_date(view.held_on)}: agenda and minutes",
        generated_at=clock.now(),
        generated_by=generated_by,
        filters={"Clinic": clinic_service.uk_date(view.held_on)},
        notes=[
            f"Clinic status: {clinic_service.status_label(view.status)}",
            "Referral and action statuses are as at the time of export.",
            minutes.custody,
        ],
    )
    return save_sheets(target, sheets, about)


# ---------------------------------------------------------------- Markdown


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~!#])")
_AUTOLINK = re.compile(r"(?i)(://|www\.|@)")
_LINK_BREAKS = {"://": ":\\/\\/", "@": "\\@"}  # and "www." -> "www\\."


def _md(value: Any) -> str:
    """One line of user text for Markdown: shown as typed, never a link, image or HTML.

    Control characters and line breaks go; Markdown's punctuation is backslash-escaped
    (``[x](url)``, ``![img]``, ``<script>``, ``*``, ``|``…); bare addresses are broken up so
    no viewer turns them into links.
    """
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{to_london(value):%d/%m/%Y %H:%M}"
    if isinstance(value, date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    text = " ".join(clean(value).split())
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _AUTOLINK.sub(lambda m: _LINK_BREAKS.get(m.group(1), m.group(1)[:3] + "\\."), text)


def _table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> list[str]:
    lines = ["| " + " | ".join(headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(_md(v) for v in row) + " |" for row in rows]
    return lines


def clinic_markdown(minutes: Minutes, *, generated_at: datetime, generated_by: str) -> str:
    view = minutes.view
    out = [
        f"**{MARKING}**",
        "",
        f"# {_md(view.title)}: {clinic_service.uk_date(view.held_on)}",
        "",
        f"Status: {clinic_service.status_label(view.status)}"
        + (f" · Location: {_md(view.location)}" if view.location else ""),
        "",
        "## Attendance",
        "",
    ]
    present = [a for a in view.attendance if a.presence == Presence.PRESENT]
    apologies = [a for a in view.attendance if a.presence == Presence.APOLOGIES]

    def who(a: clinic_service.AttendeeRow) -> str:
        extra = ", ".join(p for p in (a.role, a.organisation) if p)
        return f"- {_md(a.name)}" + (f" ({_md(extra)})" if extra else "")

    out += ["Present:", "", *([who(a) for a in present] or ["- none recorded"]), ""]
    if apologies:
        out += ["Apologies:", "", *[who(a) for a in apologies], ""]
    out += ["## Agenda and notes", ""]
    section = None
    for row in minutes.agenda:
        if row.section != section:
            section = row.section
            out += ["", f"### {_md(section)}", ""]
        title = f"{row.number}. {_md(row.title)}"
        if row.dropped:
            title = f"{row.number}. ~~{_md(row.title)}~~ (dropped: {_md(row.drop_reason)})"
        out.append(title)
        if row.detail:
            out.append(f"   - {_md(row.detail)}")
        if row.referral_status:
            out.append(f"   - Status now: {referral_status_label(row.referral_status)}")
        if row.kind == ItemKind.ACTION and row.action_status:
            out.append(f"   - Action now: {row.action_status}")
        if row.note:
            out.append(f"   - **Decision/notes:** {_md(row.note)}")
    out += ["", "## Actions", ""]
    if minutes.actions:
        out += _table(
            ["No.", "Action", "Owner", "Due", "Status", "Referral", "Raised"],
            [
                [
                    a.id,
                    a.text,
                    f"{a.owner_name} ({a.owner_org})" if a.owner_org else a.owner_name,
                    a.due_on,
                    a.status + (" (overdue)" if a.overdue else ""),
                    a.referral_reference or "",
                    a.clinic_held_on,
                ]
                for a in minutes.actions
            ],
        )
    else:
        out.append("No actions.")
    out += [
        "",
        f"_Generated {to_london(generated_at):%d/%m/%Y %H:%M} by {_md(generated_by)}._",
        f"_{minutes.custody}_" if minutes.custody else "",
        f"_{MARKING}: personal data. Share only with those who need it._",
        "",
    ]
    return "\n".join(out)


def write_clinic_markdown(
    engine: Engine, clinic_id: int, target: OutputTarget, clock: Clock, *, generated_by: str
) -> Path:
    """The agenda and minutes as Markdown for e-mail or Word (0600, written atomically)."""
    with read_scope(engine, clock=clock) as session:
        minutes = load_minutes(session, clinic_id, clock)
    return save_text(
        target, clinic_markdown(minutes, generated_at=clock.now(), generated_by=generated_by)
    )
