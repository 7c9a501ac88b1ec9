"""Referral import rules: vocabularies, matching, and a property test that nothing crashes."""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import Engine

from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.outputs import choose_output
from cipco.services.referral_import import ReferralImport
from cipco.spreadsheets.logs import import_log
from cipco.spreadsheets.reader import CellError, parse_uk_datetime


def test_vocabularies(engine: Engine, clock: FixedClock) -> None:
    with session_scope(engine, clock=clock) as session:
        imp = ReferralImport(session, clock)
        assert imp.map_category("Assault on Staff") == ("STAFF_ASSAULT", None)
        assert imp.map_category("MOBILE PHONE")[0] == "MOBILE_PHONE"
        assert imp.map_category("Mobile phone or components")[0] == "MOBILE_PHONE"
        code, warning = imp.map_category("Stolen cake")
        assert code == "OTHER" and warning and "Stolen cake" in warning
        assert imp.map_status("With CPS") == ("with_cps", None)
        assert imp.map_status("No further action") == ("nfa", None)
        assert imp.map_status("mystery")[0] == "referred"
        assert imp.map_outcome("Not guilty") == ("acquitted", None)
        assert imp.map_outcome("Court: convicted") == ("convicted", None)
        assert imp.map_force("West Yorkshire") == ("west-yorkshire", None)
        assert imp.map_force("west-yorkshire") == ("west-yorkshire", None)
        assert imp.map_force("Gotham")[0] is None


def test_rules_reject_with_field(engine: Engine, clock: FixedClock) -> None:
    with session_scope(engine, clock=clock) as session:
        imp = ReferralImport(session, clock)
        ok = {"nomis_number": "a1234bc", "incident_at": datetime(2026, 1, 2, 0, 0)}
        assert imp.add(2, ok).action == "imported"
        today_later = datetime.combine(date(2026, 11, 18), time(23, 0))
        future = imp.add(3, {"nomis_number": "A1234BC", "incident_at": today_later})
        assert (future.action, future.field) == ("rejected", "incident_at")
        dup = imp.add(4, dict(ok))
        assert dup.reason.startswith("duplicate of row 2")
        imp.finish()


cell = st.one_of(
    st.none(),
    st.text(st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.text(max_size=4),  # control characters too: they must not break the reject workbook
    st.integers(min_value=-(10**6), max_value=10**7),
    st.floats(allow_nan=True, allow_infinity=False, width=32),
    st.booleans(),
    st.dates(min_value=date(1901, 1, 1), max_value=date(2100, 1, 1)),
    st.sampled_from(["31/02/2024", "A1234BC", "a 1234 bc", "=SUM(A1)", "Total", "03-Apr-24"]),
)


def _storable(value: Any) -> Any:
    """openpyxl refuses control characters; Excel files never hold them either."""
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("?", value)
    return value


@given(st.lists(st.lists(cell, min_size=6, max_size=6), min_size=1, max_size=8))
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_importer_never_crashes_and_accounts_for_every_row(
    engine: Engine, clock: FixedClock, tmp_path: Path, rows: list[list[Any]]
) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["Ref", "Prison No", "Name", "Incident Date", "Offence", "Status", "Spare"])
    for row in rows:
        ws.append([_storable(v) for v in row] + ["x"])  # "x": every row exists in the file
        for c in ws[ws.max_row]:
            if isinstance(c.value, str) and c.value.startswith("="):
                c.data_type = "s"
    path = tmp_path / "p.xlsx"
    wb.save(path)
    rejects = choose_output(
        tmp_path / "r.xlsx",
        what="r",
        suffix=".xlsx",
        at=clock.now(),
        default_dir=tmp_path,
        overwrite=True,
    )
    summary = import_log(
        engine, "referrals", path, clock=clock, actor="t", dry_run=True, rejects=rejects
    )
    total = (
        summary.imported + summary.updated + summary.unchanged + summary.skipped + summary.rejected
    )
    assert total == len(rows)
    assert all(r.reason for r in summary.rejects)


@given(st.one_of(st.none(), st.text(max_size=20), st.floats(), st.integers(), st.dates()))
def test_date_parser_returns_or_explains(value: Any) -> None:
    try:
        result = parse_uk_datetime(value)
    except CellError as exc:
        assert str(exc)
    else:
        assert result is None or isinstance(result, datetime)


@given(st.dates(min_value=date(1970, 1, 1), max_value=date(2069, 12, 31)))
def test_every_written_form_reads_back(day: date) -> None:
    for text in (
        f"{day:%d/%m/%Y}",
        f"{day:%d/%m/%y}",
        f"{day.day}.{day.month}.{day.year}",
        f"{day:%Y-%m-%d}",
        f"{day.day} {day:%b %Y}",
        f"{day:%d-%b-%y}",
    ):
        parsed = parse_uk_datetime(text)
        assert parsed is not None and parsed.date() == day, text
