"""Attacks on the custody records, made as someone with the file (and the code) would.

Every change goes straight into the SQLite file with ``sqlite3`` (or into the PostgreSQL
database with ``psycopg``, as its superuser): the append-only triggers are dropped first and
foreign keys are off, as they are for anyone outside cipco.
"""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from typer.testing import CliRunner, Result

from cipco.cli import app
from cipco.clock import Clock
from cipco.config import ServerDb
from cipco.db import session_scope
from cipco.models.exhibit import CorrectionIn
from cipco.services import chain, exhibits, ledger
from tests.exhibit_helpers import make_exhibit, make_referral, move

runner = CliRunner()
FILE_HASH = "ab" * 32


def build_chains(engine: Engine, clock: Clock) -> None:
    """JS/1 (a phone, 4 events), JS/2 (CCTV with a file hash, 4 events, linked to a
    referral) and JS/3 (event 3 corrects event 2), recorded in that order."""
    with session_scope(engine, actor="tester", clock=clock) as session:
        referral = make_referral(session, clock)
        start = clock.now() - timedelta(days=4)
        for ref, extra in (
            ("JS/1", {}),
            (
                "JS/2",
                {
                    "exhibit_type": "cctv",
                    "description": "CCTV export, C wing landing",
                    "file_sha256": FILE_HASH,
                    "clip_start": start - timedelta(days=1),
                    "clip_end": start - timedelta(days=1, minutes=-9),
                    "export_medium": "DVD",
                    "system": "Milestone XProtect",
                    "camera_id": "CAM-7",
                    "found_on": None,
                    "list_class": None,
                    "referral_refs": [referral.reference],
                },
            ),
        ):
            exhibit = make_exhibit(session, clock, reference=ref, **extra)
            move(session, clock, exhibit, "Officer J. Smith", "SO P. Carr", start)
            move(session, clock, exhibit, "SO P. Carr", "CiPCo A. Whitfield", start + timedelta(1))
            move(
                session,
                clock,
                exhibit,
                "CiPCo A. Whitfield",
                "DC Sarah Collins",
                start + timedelta(2),
                to_kind="police",
                to_collar="4321",
                to_force="west-yorkshire",
                seal_number="S100",
                seal_intact=True,
            )
        third = make_exhibit(session, clock, reference="JS/3", description="Letter")
        wrong = move(session, clock, third, "Officer J. Smith", "CiPCo A. Whitfeld", start)
        assert third.id is not None and wrong.id is not None
        exhibits.correct_event(
            session=session,
            exhibit_id=third.id,
            data=CorrectionIn(
                corrects_event_id=wrong.id, note="Name typed wrongly", to_name="CiPCo A. Whitfield"
            ),
            clock=clock,
        )
        move(session, clock, third, "CiPCo A. Whitfield", "SO P. Carr", start + timedelta(1))


class RawConnection:
    """A driver connection to either backend taking SQLite's ``?`` placeholders."""

    def __init__(self, location: Path | ServerDb) -> None:
        self.server = isinstance(location, ServerDb)
        if isinstance(location, ServerDb):
            import psycopg

            self._conn: Any = psycopg.connect(location.url, autocommit=True)
        else:
            self._conn = sqlite3.connect(location)

    def execute(self, sql: str, params: tuple[Any, ...] | list[Any] = ()) -> Any:
        if self.server:
            sql = sql.replace("%", "%%").replace("?", "%s")
        return self._conn.execute(sql, tuple(params))

    def commit(self) -> None:
        if not self.server:
            self._conn.commit()

    def close(self) -> None:
        self._conn.close()


RAW_ERRORS: tuple[type[Exception], ...] = (sqlite3.DatabaseError,)
try:
    import psycopg

    RAW_ERRORS += (psycopg.Error,)
except ImportError:  # pragma: no cover - psycopg is a dependency
    pass


def raw(location: Path | ServerDb) -> RawConnection:
    """A plain driver connection, triggers and foreign keys as the database has them."""
    return RawConnection(location)


def connect(db_path: Path | ServerDb) -> RawConnection:
    conn = RawConnection(db_path)
    if conn.server:
        conn.execute("SET session_replication_role = replica")  # foreign keys off
        for kind in ("update", "delete"):
            conn.execute(f"DROP TRIGGER IF EXISTS exhibit_event_no_{kind} ON exhibit_event")
    else:
        conn.execute("PRAGMA foreign_keys=OFF")
        conn.execute("DROP TRIGGER IF EXISTS exhibit_event_no_update")
        conn.execute("DROP TRIGGER IF EXISTS exhibit_event_no_delete")
    return conn


def tamper(db_path: Path, *statements: str | tuple[str, tuple[Any, ...]]) -> None:
    conn = connect(db_path)
    for statement in statements:
        if isinstance(statement, tuple):
            conn.execute(*statement)
        else:
            conn.execute(statement)
    conn.commit()
    conn.close()


def query(
    db_path: Path | ServerDb, sql: str, *params: Any, describe: bool = False
) -> list[tuple[Any, ...]]:
    """The rows ``sql`` gives (``describe``: its columns' descriptions instead)."""
    conn = RawConnection(db_path)
    cursor = conn.execute(sql, params)
    rows = [tuple(d) for d in cursor.description] if describe else cursor.fetchall()
    conn.close()
    return rows


def event_id(db_path: Path, ref: str, seq: int) -> int:
    rows = query(
        db_path,
        "SELECT e.id FROM exhibit_event e JOIN exhibit x ON x.id = e.exhibit_id "
        "WHERE x.reference = ? AND e.seq = ?",
        ref,
        seq,
    )
    return int(rows[0][0])


def verify(db_path: Path, *args: str) -> Result:
    return runner.invoke(app, ["--db", str(db_path), "verify", "-q", *args])


def ledger_anchor(db_path: Path) -> str:
    """``COUNT:DIGEST`` as `cipco ledger` prints it."""
    result = runner.invoke(app, ["--db", str(db_path), "ledger"])
    assert result.exit_code == 0, result.output
    return result.output.split("--against ")[1].split()[0]


def listing(db_path: Path, out: Path) -> Path:
    result = runner.invoke(app, ["--db", str(db_path), "ledger", "--out", str(out)])
    assert result.exit_code == 0, result.output
    return out


def _raw_rows(conn: RawConnection, where: str, *params: Any) -> list[list[Any]]:
    columns = ", ".join(f"e.{name}" for name in chain.ROW_FIELDS)
    return [
        list(row)
        for row in conn.execute(
            f"SELECT {columns} FROM exhibit_event e WHERE {where} ORDER BY e.seq", params
        )
    ]


def rechain(db_path: Path, ref: str, *, from_seq: int = 1, fix_ledger: bool = False) -> None:
    """Recompute an exhibit's hashes from ``from_seq`` with cipco's own code, fix its head;
    with ``fix_ledger`` recompute the whole ledger too (someone who knows the code)."""
    conn = connect(db_path)
    exhibit_id = conn.execute("SELECT id FROM exhibit WHERE reference = ?", (ref,)).fetchone()[0]
    rows = _raw_rows(conn, "e.exhibit_id = ?", exhibit_id)
    seq_of = {row[chain.I_ID]: row[chain.I_SEQ] for row in rows}
    prev = chain.GENESIS
    for row in rows:
        if row[chain.I_SEQ] >= from_seq:
            target = row[chain.I_CORRECTS]
            corrects = (ref, seq_of[target]) if target is not None else None
            new = chain.digest(chain.canonical_v2(row, ref, corrects), prev)
            conn.execute(
                "UPDATE exhibit_event SET prev_hash = ?, hash = ? WHERE id = ?",
                (prev, new, row[chain.I_ID]),
            )
            row[chain.I_HASH] = new
        prev = row[chain.I_HASH]
    conn.execute("UPDATE exhibit SET head_hash = ? WHERE id = ?", (prev, exhibit_id))
    if fix_ledger:
        relink_ledger(conn)
    conn.commit()
    conn.close()


def relink_ledger(conn: RawConnection) -> None:
    """Number the ledger again in its present order and recompute every digest."""
    digest, key = chain.GENESIS, None
    rows = conn.execute(
        "SELECT e.id, x.reference, e.seq, e.hash FROM exhibit_event e "
        "JOIN exhibit x ON x.id = e.exhibit_id ORDER BY e.ledger_seq, e.id"
    ).fetchall()
    for position, (row_id, ref, seq, event_hash) in enumerate(rows, start=1):
        digest = ledger.link(digest, ref, seq, event_hash)
        conn.execute(
            "UPDATE exhibit_event SET ledger_seq = ?, ledger_hash = ?, ledger_prev = ? "
            "WHERE id = ?",
            (-position, digest, key, row_id),
        )
        key = ledger.entry_key(ref, seq)
    conn.execute("UPDATE exhibit_event SET ledger_seq = -ledger_seq")


def lines_about(result: Result, ref: str, seq: int | None = None) -> list[str]:
    where = f"{ref} event {seq}:" if seq is not None else f"{ref}:"
    return [line for line in result.output.splitlines() if line.startswith(where)]
