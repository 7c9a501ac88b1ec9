"""New exhibits of an imported log are written in batches (cipco/services/exhibit_batch.py):
the result is the one the services give one row at a time, and `cipco verify` accepts it."""

from __future__ import annotations

import dataclasses
import itertools
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlmodel import Session

from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.audit import AuditEvent
from cipco.models.exhibit import Exhibit as ExhibitModel
from cipco.models.exhibit import (
    ExhibitCreate,
    ExhibitEvent,
    ExhibitReferral,
    ExhibitType,
)
from cipco.models.people import Prisoner
from cipco.services import chain, exhibits
from cipco.services.bootstrap import prepare
from cipco.services.exhibit_import import ExhibitImport
from cipco.spreadsheets.importers import ImportSummary, run_import
from cipco.spreadsheets.logs import IMPORTS, import_log
from tests.import_helpers import cli, workbook

HEADER = [
    "Exhibit No.",
    "Description",
    "Date seized",
    "Time seized",
    "Seized by",
    "Handed over by",
    "Received by",
    "Seal/Bag No.",
    "Found on",
    "Referral",
    "Date collected",
    "Collected by",
    "Collar no",
    "Force",
    "Date destroyed",
    "Authorised by",
    "Witnessed by",
    "Property no",
]


def _row(ref: str, seized: str, at: str | None = "09:00", **rest: Any) -> list[Any]:
    values = {
        "Exhibit No.": ref,
        "Description": f"Item {ref}",
        "Date seized": seized,
        "Time seized": at,
        "Seized by": "SO Smith",
        "Seal/Bag No.": f"SEAL-{ref}",
        **rest,
    }
    return [values.get(h) for h in HEADER]


POLICE = {"Collected by": "DC Collins", "Collar no": "1234", "Force": "West Yorkshire"}
ROWS = [
    # a hand-over of an exhibit already in the file (the one-at-a-time path)
    _row(
        "AA/1",
        "03/11/2026",
        "10:00",
        **{"Handed over by": "SO Smith", "Received by": "SO Carr", "Seized by": None},
    ),
    _row(
        "AB/1",
        "01/11/2026",
        "09:15",
        **{"Found on": "A1234BC", "Date collected": "05/11/2026 10:30", "Property no": "P-1"},
        **POLICE,
    ),
    _row("AB/1/1", "05/11/2026", "09:00"),  # a sub-exhibit of one earlier in the same file
    _row(
        "AC/1",
        "02/11/2026",
        "1400",
        **{
            "Referral": "T2",
            "Date destroyed": "10/11/2026",
            "Authorised by": "Gov Price",
            "Witnessed by": "OSG Tran",
        },
    ),
    _row(  # linked to an open referral: destruction must wait
        "AD/1",
        "02/11/2026",
        **{
            "Referral": "T1",
            "Date destroyed": "10/11/2026",
            "Authorised by": "Gov Price",
            "Witnessed by": "OSG Tran",
        },
    ),
    _row("AE/1", "03/11/2026", "14:15", **{"Date collected": "01/11/2026"}, **POLICE),
    _row("AF/1", "04/11/2026", **{"Date destroyed": "12/11/2026", "Witnessed by": "OSG Tran"}),
    _row(  # the witness held it
        "AG/1",
        "04/11/2026",
        **{
            "Date destroyed": "12/11/2026",
            "Authorised by": "Gov Price",
            "Witnessed by": "SO Smith",
        },
    ),
    _row("AH/1", "04/11/2026", "08:00", **{"Found on": "Z9999ZZ", "Property no": "P-8"}),
    # a second row of an exhibit the batch holds: written first, then one at a time
    _row(
        "AH/1",
        "07/11/2026",
        "11:00",
        **{
            "Handed over by": "SO Smith",
            "Received by": "SO Rees",
            "Seized by": None,
            "Seal/Bag No.": "S-WRONG",
        },
    ),
    _row("AJ/1", "06/11/2026", "16:45"),  # new again after that: the ledger is read again
    _row("AK/1/1", "06/11/2026"),  # its parent is nowhere
    ["Total items: 12"],
]


_RUNS = itertools.count()


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


def _prepared(path: Path, template: Path, tmp_path: Path, clock: FixedClock) -> Engine:
    """A data file with referral T1 (open), T2 (closed), prisoner A1234BC and exhibit AA/1."""
    shutil.copyfile(template, path)
    engine = prepare(path)
    tracker = workbook(
        tmp_path / "tracker.xlsx",
        ["Ref", "Prison No", "Incident date", "Crime type", "Status"],
        [
            ["T1", "C3456DE", "01/11/2026", "Mobile phone", "Referred"],
            ["T2", "A1234BC", "01/11/2026", "Drugs", "NFA"],
        ],
    )
    summary = import_log(engine, "referrals", tracker, clock=clock, actor="tester")
    assert summary.imported == 2, summary.counts_line()
    with session_scope(engine, actor="tester", clock=clock) as session:
        exhibits.create_exhibit(
            session=session,
            data=ExhibitCreate(
                reference="AA/1",
                exhibit_type=ExhibitType.OTHER,
                description="Clothing",
                seized_by="SO Smith",
                seized_at=datetime(2026, 11, 1, 8, 0, tzinfo=UTC),
            ),
            clock=clock,
        )
    return engine


def _import(engine: Engine, path: Path, clock: FixedClock, *, batched: bool) -> ImportSummary:
    log = dataclasses.replace(
        IMPORTS["exhibits"],
        handler=lambda session, clk, name: ExhibitImport(session, clk, name, batched=batched),
    )
    rejects = path.parent / f"rejects-{batched}-{next(_RUNS)}.xlsx"
    return run_import(engine, log, path, clock=clock, actor="tester", rejects=rejects)


def _snapshot(session: Session) -> dict[str, Any]:
    """Every row of the exhibit tables and prisoners; the audit trail's inserts.

    Not compared: an exhibit's ``version`` (how many times the row was written: once in a
    batch, after every event one at a time) and the field changes the one-at-a-time path
    audits while an import replays a new exhibit's events (the events record them).
    """
    exhibit_columns = [c for c in ExhibitModel.__table__.columns if c.name != "version"]  # type: ignore[attr-defined]
    return {
        "exhibits": session.execute(select(*exhibit_columns).order_by(ExhibitModel.id)).all(),
        "events": session.execute(
            select(ExhibitEvent.__table__).order_by(ExhibitEvent.id)  # type: ignore[arg-type]
        ).all(),
        "links": session.execute(select(ExhibitReferral.__table__)).all(),  # type: ignore[arg-type]
        "prisoners": session.execute(select(Prisoner.__table__).order_by(Prisoner.id)).all(),  # type: ignore[arg-type]
        "inserts": sorted(
            session.execute(
                select(AuditEvent.table_name, AuditEvent.record_id, AuditEvent.actor).where(
                    AuditEvent.action == "insert"
                )
            ).all()
        ),
    }


def _outcome(summary: ImportSummary) -> tuple[Any, ...]:
    return (
        summary.counts_line(),
        [(r.row, r.column, r.reason) for r in summary.rejects],
        summary.warnings,
    )


def test_batched_and_one_at_a_time_imports_write_the_same_records(
    tmp_path: Path, _template_db: Path, clock: FixedClock
) -> None:
    path = workbook(tmp_path / "exhibits.xlsx", HEADER, ROWS)
    engines = {
        batched: _prepared(tmp_path / f"{batched}.db", _template_db, tmp_path, clock)
        for batched in (True, False)
    }
    summaries = {b: _import(e, path, clock, batched=b) for b, e in engines.items()}
    assert summaries[True].counts_line() == (
        "imported 5, updated 2, unchanged 0, skipped 1, rejected 5"
    )
    assert _outcome(summaries[True]) == _outcome(summaries[False])
    reasons = {r.row: r.reason for r in summaries[True].rejects}
    assert "linked to open referral T1" in reasons[8]
    assert "before the previous movement" in reasons[9]
    assert "destruction needs an authority" in reasons[10]
    assert "SO Smith is in this exhibit's chain" in reasons[11]
    assert "sub-exhibit AK/1/1 needs exhibit AK/1 first" in reasons[15]
    snapshots = {}
    for batched, engine in engines.items():
        with session_scope(engine, clock=clock) as session:
            snapshots[batched] = _snapshot(session)
            assert chain.verify(session).ok
    assert snapshots[True] == snapshots[False]
    # the batch wrote AB/1 once (audited as one insert); one at a time, each event of the
    # import updated the row again (audited field by field)
    updates = {}
    for batched, engine in engines.items():
        with session_scope(engine, clock=clock) as session:
            ab1 = session.scalars(
                select(ExhibitModel.id).where(ExhibitModel.reference == "AB/1")
            ).one()
            updates[batched] = session.execute(
                select(AuditEvent.field).where(
                    AuditEvent.table_name == "exhibit",
                    AuditEvent.record_id == ab1,
                    AuditEvent.action == "update",
                )
            ).all()
    assert not updates[True] and updates[False]
    events = snapshots[True]["events"]
    assert len(events) == 1 + 1 + 2 + 1 + 2 + 2 + 1  # AA/1, AB/1, AB/1/1 ... in file order
    assert [e.ledger_seq for e in events] == list(range(1, len(events) + 1))

    # a second import changes nothing, on either path
    for batched, engine in engines.items():
        again = _import(engine, path, clock, batched=batched)
        assert again.counts_line() == "imported 0, updated 0, unchanged 7, skipped 1, rejected 5"
        with session_scope(engine, clock=clock) as session:
            assert _snapshot(session) == snapshots[batched]
        engine.dispose()


def test_imported_log_verifies_clean(
    engine: Engine, db_path: Path, tmp_path: Path, clock: FixedClock, backend: str
) -> None:
    engine.dispose()
    path = workbook(tmp_path / "exhibits.xlsx", HEADER, ROWS[1:3] + ROWS[8:11])
    code, output = cli(db_path, "import", "exhibits", str(path))
    assert code == 0, output
    assert "Done: imported 4, updated 1, unchanged 0, skipped 0, rejected 0" in output
    code, output = cli(db_path, "verify")
    assert code == 0, output
    assert ("The database" if backend == "postgresql" else "The file") in output
    assert "agrees with itself" in output
    with session_scope(engine, clock=clock) as session:
        ab1 = session.scalars(select(ExhibitModel).where(ExhibitModel.reference == "AB/1")).one()
        assert (ab1.state, ab1.holder, ab1.event_count) == ("with_police", "DC Collins", 2)
