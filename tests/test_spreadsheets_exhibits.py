"""Exhibit workbooks read back with openpyxl; a messy continuity sheet imported."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from openpyxl import Workbook, load_workbook
from sqlalchemy import Engine, select

from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.exhibit import Exhibit, ExhibitEvent
from cipco.record_file import RecordFile
from cipco.services import chain
from cipco.spreadsheets import exhibits_io
from cipco.spreadsheets.exporting import target_of
from cipco.spreadsheets.logs import export_log, import_log
from tests.exhibit_helpers import make_exhibit, move


def test_register_and_continuity_exports(engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    with session_scope(engine, actor="tester", clock=clock) as session:
        exhibit = make_exhibit(session, clock, description='=HYPERLINK("x") phone')
        move(
            session,
            clock,
            exhibit,
            "Officer J. Smith",
            "SO P. Carr",
            clock.now() - timedelta(days=1),
            seal_number="S999",
        )
    register = tmp_path / "register.xlsx"
    done = export_log(
        engine,
        "exhibits",
        exhibits_io.register_query(),
        clock=clock,
        actor="tester",
        target=target_of(register, "exhibits", clock),
    )
    assert (done.path, done.rows) == (register, 1)
    continuity = tmp_path / "continuity.xlsx"
    path, events = exhibits_io.export_continuity(
        engine, RecordFile("continuity", "JS/1", clock, "tester"), target_of(continuity, "c", clock)
    )
    assert (path, events) == (continuity, 2)
    wb = load_workbook(register)
    ws = wb["Exhibits"]
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:M2"
    cell = ws["C2"]
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")
    assert ws["E2"].value == "SO P. Carr"
    assert ws["K2"].value == 1  # one discrepancy
    assert "About" in wb.sheetnames
    assert register.stat().st_mode & 0o777 == 0o600
    ws = load_workbook(continuity)["Continuity"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[2][13].startswith("seal number on receipt S999")
    assert isinstance(rows[1][2], datetime)
    assert ws.cell(row=2, column=3).number_format == "dd/mm/yyyy hh:mm"
    assert len(rows[1][19]) == 64


def _messy(path: Path) -> Path:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["HMP Leeds - exhibit continuity log 2026"])
    ws.append([])
    ws.append(
        [
            "Exhibit No.",
            "Item description",
            "Date/Time",
            "Seized By",
            "Handed over by",
            "Received by",
            "Collar no",
            "Force",
            "Seal/Bag",
            "Seal intact?",
            "Reason",
            "Comments",
        ]
    )
    rows = [
        # movements listed out of order: the chain is rebuilt by date
        [
            "js/1",
            None,
            "05/11/2026 14:30",
            None,
            "SO P. Carr",
            "DC Collins",
            "4321",
            "WYP",
            "S1",
            "Y",
            "Police collection",
            None,
        ],
        [
            "JS/1",
            "Samsung phone",
            "03/11/2026 09:15",
            "Officer J. Smith",
            None,
            None,
            None,
            None,
            "S1",
            None,
            None,
            None,
        ],
        [
            "JS/1",
            None,
            "04/11/2026",
            None,
            "Officer J. Smith",
            "SO P. Carr",
            None,
            None,
            "S1",
            "yes",
            "storage",
            None,
        ],
        [
            "JS/2",
            "Cannabis wraps",
            "03/11/2026 11:00",
            "Officer K. Ahmed",
            None,
            None,
            None,
            None,
            "S2",
            None,
            None,
            None,
        ],
        [
            "JS/2",
            None,
            "04/11/2026 10:00",
            None,
            "Officer Nobody",
            "SO P. Carr",
            None,
            None,
            "S2",
            "Y",
            None,
            "wrong giver",
        ],
        [
            "JS/2",
            None,
            "31/02/2026",
            None,
            "Officer K. Ahmed",
            "SO P. Carr",
            None,
            None,
            "S2",
            None,
            None,
            "bad date",
        ],
        [
            "JS/2",
            None,
            "06/11/2026 10:00",
            None,
            "Officer K. Ahmed",
            "SO G. Rees",
            None,
            None,
            "S9",
            "N",
            None,
            "seal wrong",
        ],
        [None, None, None, None, None, None, None, None, None, None, None, None],
        [
            "JS/1/1",
            "SIM card from JS/1",
            "05/11/2026 10:00",
            "SO P. Carr",
            None,
            None,
            None,
            None,
            "S3",
            None,
            None,
            None,
        ],
    ]
    for row in rows:
        ws.append(row)
    wb.save(path)
    return path


def test_messy_continuity_sheet_import(engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    path = _messy(tmp_path / "log.xlsx")
    rejects = tmp_path / "rejects.xlsx"
    summary = import_log(engine, "exhibits", path, clock=clock, actor="tester", rejects=rejects)
    assert summary.header_row == 3
    assert (summary.imported, summary.updated, summary.rejected, summary.skipped) == (3, 3, 2, 1)
    reasons = {r.row: (r.column, r.reason) for r in summary.rejects}
    assert "breaks continuity" in reasons[8][1] and "Officer Nobody" in reasons[8][1]
    assert reasons[8][0] == "Handed over by"
    assert "31/02/2026" in reasons[9][1]
    back = list(load_workbook(rejects).worksheets[0].iter_rows(values_only=True))
    assert back[0][-3:] == ("Row", "Column", "Reason")
    assert {row[-3] for row in back[1:]} == {8, 9}
    with session_scope(engine, clock=clock) as session:
        js1 = session.scalars(select(Exhibit).where(Exhibit.reference == "JS/1")).one()
        assert (js1.state, js1.holder, js1.event_count) == ("with_police", "DC Collins", 3)
        kinds = session.scalars(
            select(ExhibitEvent.kind)
            .where(ExhibitEvent.exhibit_id == js1.id)
            .order_by(ExhibitEvent.seq)
        ).all()
        assert kinds == ["seizure", "movement", "movement"]
        js2 = session.scalars(select(Exhibit).where(Exhibit.reference == "JS/2")).one()
        assert js2.holder == "SO G. Rees" and js2.discrepancy_count == 1
        sub = session.scalars(select(Exhibit).where(Exhibit.reference == "JS/1/1")).one()
        assert sub.parent_id == js1.id
        first = session.scalars(
            select(ExhibitEvent.happened_at).where(
                ExhibitEvent.exhibit_id == js1.id, ExhibitEvent.seq == 1
            )
        ).one()
        assert first == datetime(2026, 11, 3, 9, 15, tzinfo=UTC)  # 09:15 GMT
        assert chain.verify(session).ok
    again = import_log(engine, "exhibits", path, clock=clock, actor="tester", dry_run=True)
    assert (again.imported, again.updated) == (0, 0)
    assert again.unchanged == 6
