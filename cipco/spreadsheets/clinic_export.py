"""Crime clinic exports: agenda and minutes (xlsx or Markdown) and the action log (xlsx)."""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlmodel import Session

from cipco.clock import Clock, to_london
from cipco.models.clinic import ItemKind, Presence
from cipco.services import clinic as clinic_service
from cipco.services.paging import PageQuery
from cipco.services.referrals import status_label as referral_status_label
from cipco.spreadsheets.writer import MARKING, About, Column, SheetSpec, write_workbook
from cipco.text import clean

AGENDA_COLUMNS = (
    Column("No.", 6, "number"),
    Column("Section", 28),
    Column("Kind", 10),
    Column("Item", 60),
    Column("Detail", 50),
    Column("Referral", 16),
    Column("Referral status (now)", 20),
    Column("Next due", 36),
    Column("Decision / notes", 60),
    Column("Dropped", 9),
    Column("Drop reason", 30),
)
ACTION_COLUMNS = (
    Column("Action no.", 10, "number"),
    Column("Action", 50),
    Column("Owner", 24),
    Column("Organisation", 18),
    Column("Due", 12, "date"),
    Column("Status", 10),
    Column("Overdue", 9),
    Column("Referral", 16),
    Column("Raised at clinic", 14, "date"),
    Column("Done / dropped at", 18, "datetime"),
    Column("Note / reason", 40),
)
ATTENDANCE_COLUMNS = (
    Column("Name", 30),
    Column("Role", 28),
    Column("Organisation", 20),
    Column("Attendance", 12),
)
KIND_LABELS = {
    ItemKind.REFERRAL: "Referral",
    ItemKind.FREE: "Item",
    ItemKind.ACTION: "Action",
    ItemKind.MG4D: "MG4D",
    ItemKind.EXHIBIT: "Exhibit",
}


@dataclass(frozen=True)
class Minutes:
    """Everything a clinic's agenda and minutes contain, as plain values."""

    view: clinic_service.ClinicView
    agenda: list[clinic_service.AgendaRow]
    actions: list[clinic_service.ActionRow]


def load_minutes(session: Session, clinic_id: int, clock: Clock) -> Minutes:
    return Minutes(
        view=clinic_service.clinic_view(session, clinic_id),
        agenda=clinic_service.agenda_rows(session, clinic_id, clock),
        actions=clinic_service.clinic_actions(session, clinic_id, clock),
    )


def _agenda_row(row: clinic_service.AgendaRow) -> list[Any]:
    status = referral_status_label(row.referral_status) if row.referral_status else ""
    if row.kind == ItemKind.ACTION and row.action_status:
        status = row.action_status
    return [
        row.number,
        row.section,
        KIND_LABELS.get(row.kind, row.kind),  # type: ignore[call-overload]
        row.title,
        row.detail,
        row.referral_reference or "",
        status,
        row.due_label,
        row.note,
        row.dropped,
        row.drop_reason or "",
    ]


def _action_row(row: clinic_service.ActionRow) -> list[Any]:
    closed_at = row.done_at or row.dropped_at
    return [
        row.id,
        row.text,
        row.owner_name,
        row.owner_org,
        row.due_on,
        row.status,
        row.overdue,
        row.referral_reference or "",
        row.clinic_held_on,
        closed_at,
        row.status_reason or "",
    ]


def _attendance_rows(view: clinic_service.ClinicView) -> list[list[Any]]:
    return [
        [
            a.name,
            a.role,
            a.organisation,
            "Present" if a.presence == Presence.PRESENT else "Apologies",
        ]
        for a in view.attendance
    ]


def default_clinic_name(held_on: date, fmt: str = "xlsx") -> str:
    return f"clinic-{held_on:%Y%m%d}.{fmt}"


def write_clinic_workbook(
    session: Session, clinic_id: int, path: Path, clock: Clock, *, generated_by: str
) -> dict[str, int]:
    """The agenda and minutes of one clinic: sheets Agenda, Actions, Attendance, About."""
    minutes = load_minutes(session, clinic_id, clock)
    view = minutes.view
    sheets = [
        SheetSpec("Agenda", AGENDA_COLUMNS, [_agenda_row(r) for r in minutes.agenda]),
        SheetSpec("Actions", ACTION_COLUMNS, [_action_row(r) for r in minutes.actions]),
        SheetSpec("Attendance", ATTENDANCE_COLUMNS, _attendance_rows(view)),
    ]
    about = About(
        what=f"{view.title}, {clinic_service.uk_date(view.held_on)}: agenda and minutes",
        generated_at=clock.now(),
        generated_by=generated_by,
        filters={"Clinic": clinic_service.uk_date(view.held_on)},
        notes=[
            f"Clinic status: {clinic_service.status_label(view.status)}",
            "Referral and action statuses are as at the time of export.",
        ],
    )
    return write_workbook(Path(path), sheets, about)


def write_actions_workbook(
    session: Session,
    path: Path,
    clock: Clock,
    *,
    generated_by: str,
    open_only: bool = False,
    owner: str = "",
) -> int:
    """The action log across clinics (optionally open only and/or one owner)."""
    query = PageQuery(queue="open" if open_only else None, extra={"owner": owner}, limit=5000)

    def rows() -> Any:
        offset = 0
        while True:
            page = clinic_service.action_page(session, query.with_window(offset, 5000), clock)
            for row in page.rows:
                yield _action_row(row)
            offset += len(page.rows)
            if not page.rows or offset >= page.total:
                return

    filters = {}
    if open_only:
        filters["Status"] = "open only"
    if owner.strip():
        filters["Owner"] = owner.strip()
    about = About(
        what="Crime clinic action log",
        generated_at=clock.now(),
        generated_by=generated_by,
        filters=filters,
    )
    counts = write_workbook(Path(path), [SheetSpec("Actions", ACTION_COLUMNS, rows())], about)
    return counts["Actions"]


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
        f"_{MARKING}: personal data. Share only with those who need it._",
        "",
    ]
    return "\n".join(out)


def write_clinic_markdown(
    session: Session, clinic_id: int, path: Path, clock: Clock, *, generated_by: str
) -> Path:
    """The agenda and minutes as Markdown for e-mail or Word (0600, written atomically)."""
    minutes = load_minutes(session, clinic_id, clock)
    text = clinic_markdown(minutes, generated_at=clock.now(), generated_by=generated_by)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp_name = tempfile.mkstemp(prefix=".cipco-", suffix=".md", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.chmod(temp_name, 0o600)
        os.replace(temp_name, path)
    except BaseException:
        Path(temp_name).unlink(missing_ok=True)
        raise
    return path
