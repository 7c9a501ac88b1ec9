"""Bulk imports keep the search index right: the triggers are set aside while the rows go in
and every record touched is indexed once before the import commits (cipco.fts.deferred)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, or_, select
from sqlmodel import Session

from cipco import fts
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.exhibit import Exhibit
from cipco.models.mg4d import ChargePapers
from cipco.models.people import Prisoner
from cipco.models.referral import Referral, ReferralUpdate
from cipco.search_docs import DOCS
from cipco.services import search
from cipco.services.paging import PageQuery
from cipco.services.referral_import import ReferralImport
from cipco.services.referrals import referral_page, update_referral
from cipco.spreadsheets.logs import import_log
from tests.due_helpers import WORDS, Made, one_of_each
from tests.import_helpers import workbook

TRACKER = ["Log No.", "NOMIS No.", "Surname, Forename", "Date of Incident", "Offence", "Details"]
EXHIBITS = ["Exhibit No.", "Description", "Date seized", "Time seized", "Seized by", "Seal/Bag No."]
MG4D = ["Prison No.", "Name", "Charge(s)", "Date Rec'd", "Date served", "Time served", "Signed?"]


def _tracker(path: Path, made: Made) -> Path:
    rows: list[list[Any]] = [
        # the referral already in the file: a new description, and its prisoner renamed
        [
            made.referral_ref,
            "A1234BC",
            "SMITHERSON, John",
            "18/11/2026",
            "Assault on staff",
            "Headbutt by the persimmon servery",
        ],
        # a new referral naming the person of interest's prisoner by a new name
        ["L0", "C3456DE", "BROWNLOW, Alex", "10/11/2026", "Drugs", "Parcel thrown over"],
    ]
    rows += [
        [
            f"L{i}",
            f"B{i:04d}CD",
            f"Surname{i}, Pat",
            "01/11/2026",
            "Mobile phone",
            f"Phone {i} found in a gooseberry flask",
        ]
        for i in range(1, 41)
    ]
    return workbook(path, TRACKER, rows)


def _exhibit_log(path: Path) -> Path:
    rows = [
        [f"XB/{i}", f"Blade {i} in a rhubarb loaf", "02/11/2026", "09:30", "SO Bench", f"S{i}"]
        for i in range(1, 31)
    ]
    return workbook(path, EXHIBITS, rows)


def _mg4d_log(path: Path) -> Path:
    rows = [
        [
            f"C{i:04d}DE",
            f"Name{i}, Lee",
            f"Possession of a {'kumquat' if i % 2 else 'medlar'}",
            "02/11/2026",
            "03/11/2026",
            "14:35",
            "Y",
        ]
        for i in range(1, 21)
    ]
    return workbook(path, MG4D, rows)


def _index(engine: Engine) -> list[tuple[int, str]]:
    with engine.connect() as conn:
        rows = conn.exec_driver_sql(f"SELECT rowid, body FROM {fts.INDEX} ORDER BY rowid")
        return [(int(rowid), str(body)) for rowid, body in rows]


def _rebuilt(engine: Engine) -> list[tuple[int, str]]:
    """The index as a full rebuild from the rows makes it (rolled back afterwards)."""
    with engine.connect() as conn, conn.begin() as transaction:
        for doc in DOCS:
            fts.install(conn, doc)
        rows = conn.exec_driver_sql(f"SELECT rowid, body FROM {fts.INDEX} ORDER BY rowid")
        found = [(int(rowid), str(body)) for rowid, body in rows]
        transaction.rollback()
    return found


def _triggers(engine: Engine) -> list[tuple[str, str]]:
    """Every trigger of the file, and any TEMP one left on a pooled connection (on a
    server: every trigger of the database, as the server prints its definition)."""
    with engine.connect() as conn:
        if conn.dialect.name == "postgresql":
            found = conn.exec_driver_sql(
                "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
                "WHERE NOT tgisinternal ORDER BY 1"
            )
            return [(str(name), str(sql)) for name, sql in found]
        rows = conn.exec_driver_sql(
            "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' "
            "UNION ALL SELECT name, sql FROM sqlite_temp_master ORDER BY 1"
        )
        return [(str(name), str(sql)) for name, sql in rows]


def _counts(engine: Engine) -> dict[str, int]:
    with session_scope(engine) as session:
        return {
            model.__name__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (Referral, Prisoner, Exhibit, ChargePapers)
        }


def _found(session: Session, text: str) -> dict[str, set[int]]:
    return {g.log: {h.id for h in g.hits} for g in search.search_everything(session, text)}


def _like_referrals(session: Session, word: str) -> set[int]:
    pattern = f"%{word.lower()}%"
    statement = (
        select(Referral.id)
        .join(Prisoner, Prisoner.id == Referral.prisoner_id)
        .where(
            or_(
                func.lower(Referral.description).like(pattern),
                func.lower(Prisoner.name).like(pattern),
            )
        )
    )
    return set(session.scalars(statement))


def _filter_referrals(session: Session, clock: FixedClock, word: str) -> set[int]:
    return {r.id for r in referral_page(session, PageQuery(text=word, limit=1000), clock).rows}


def _filtered(session: Session, log: str, model: Any, word: str) -> set[int]:
    """The records of ``log`` its list's ``/`` filter finds for ``word``."""
    return set(session.scalars(select(model.id).where(search.clause(session, log, model.id, word))))


def _like(session: Session, column: Any, word: str) -> set[int]:
    model = column.class_
    return set(session.scalars(select(model.id).where(func.lower(column).like(f"%{word}%"))))


@pytest.fixture
def made(engine: Engine, clock: FixedClock) -> Made:
    with session_scope(engine, actor="t", clock=clock) as session:
        return one_of_each(session, clock)


def _import(engine: Engine, clock: FixedClock, log: str, path: Path, **options: Any) -> Any:
    return import_log(
        engine, log, path, clock=clock, actor="t", rejects=path.with_suffix(".rej.xlsx"), **options
    )


def test_bulk_imports_index_what_they_add_and_change_as_the_triggers_would(
    engine: Engine, clock: FixedClock, made: Made, tmp_path: Path
) -> None:
    triggers = _triggers(engine)
    tracker = _import(engine, clock, "referrals", _tracker(tmp_path / "t.xlsx", made))
    assert (tracker.imported, tracker.updated, tracker.rejected) == (41, 1, 0)
    exhibits = _import(engine, clock, "exhibits", _exhibit_log(tmp_path / "e.xlsx"))
    mg4d = _import(engine, clock, "mg4d", _mg4d_log(tmp_path / "m.xlsx"))
    assert (exhibits.imported, mg4d.imported) == (30, 20)

    # exactly what a full rebuild from the rows gives, and the triggers as they were
    assert _index(engine) == _rebuilt(engine)
    assert _triggers(engine) == triggers
    with session_scope(engine, actor="t", clock=clock) as session:
        # a word from each imported description finds those records, as LIKE does
        for word in ("gooseberry", "persimmon", "smitherson"):
            found = _filter_referrals(session, clock, word)
            assert found == _like_referrals(session, word), word
        assert len(_filter_referrals(session, clock, "gooseberry")) == 40
        assert _filter_referrals(session, clock, "persimmon") == {made.referral_id}
        assert _filter_referrals(session, clock, WORDS["referrals"]) == set()  # replaced
        rhubarb = _filtered(session, "exhibits", Exhibit, "rhubarb")
        assert len(rhubarb) == 30 and rhubarb == _like(session, Exhibit.description, "rhubarb")
        kumquat = _filtered(session, "mg4d", ChargePapers, "kumquat")
        assert len(kumquat) == 10 and kumquat == _like(session, ChargePapers.charges, "kumquat")
        # a renamed prisoner's other records follow the new name
        assert _found(session, "smitherson")["referrals"] == {made.referral_id}
        renamed = _found(session, "brownlow")
        assert renamed["persons"] == {made.person_id} and len(renamed["referrals"]) == 1


def test_a_movement_imported_for_an_exhibit_already_there_indexes_its_new_seal(
    engine: Engine, clock: FixedClock, made: Made, tmp_path: Path
) -> None:
    """New exhibits are indexed whole after the import; one already there is re-indexed
    because its new event was noted as it went in."""
    with session_scope(engine, actor="t", clock=clock) as session:
        holder = session.get(Exhibit, made.exhibit_id).holder  # type: ignore[union-attr]
    log = ["Exhibit", "Description", "Date", "Seized by", "From", "To", "Seal"]
    moved = [made.exhibit_ref, None, f"{clock.now():%d/%m/%Y %H:%M}", None, holder, "SO Quinn"]
    rows = [[*moved, "QUINCE77"], ["QB/1", "Quince jelly jar", "01/11/2026 10:00", "SO Quinn"]]
    summary = _import(engine, clock, "exhibits", workbook(tmp_path / "q.xlsx", log, rows))
    assert (summary.imported, summary.updated, summary.rejected) == (1, 1, 0)
    assert _index(engine) == _rebuilt(engine)
    with session_scope(engine, actor="t", clock=clock) as session:
        assert _filtered(session, "exhibits", Exhibit, "quince77") == {made.exhibit_id}
        assert len(_filtered(session, "exhibits", Exhibit, "quince")) == 2


def test_an_edit_after_a_bulk_import_is_indexed_by_the_triggers(
    engine: Engine, clock: FixedClock, made: Made, tmp_path: Path
) -> None:
    _import(engine, clock, "referrals", _tracker(tmp_path / "t.xlsx", made))
    with session_scope(engine, actor="t", clock=clock) as session:
        imported = session.scalar(select(Referral.id).where(Referral.description.like("Phone 7 %")))  # type: ignore[union-attr]
        assert imported is not None
        update_referral(
            session=session,
            referral_id=imported,
            data=ReferralUpdate(description="Phone found in a damson tin"),
            clock=clock,
        )
    with session_scope(engine, actor="t", clock=clock) as session:
        assert _filter_referrals(session, clock, "damson") == {imported}
        assert len(_filter_referrals(session, clock, "gooseberry")) == 39
    assert _index(engine) == _rebuilt(engine)


def test_an_import_that_fails_half_way_leaves_rows_index_and_triggers_as_before(
    engine: Engine, clock: FixedClock, made: Made, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _tracker(tmp_path / "t.xlsx", made)
    before = (_index(engine), _triggers(engine), _counts(engine))
    real_add = ReferralImport.add

    def add_then_fail(self: ReferralImport, row: int, values: dict[str, Any]) -> Any:
        if row == 30:  # after the first batch was written (flush below) and the update
            raise RuntimeError("the disk went away")
        if row == 20:
            self.flush()
        return real_add(self, row, values)

    monkeypatch.setattr(ReferralImport, "add", add_then_fail)
    with pytest.raises(RuntimeError):
        _import(engine, clock, "referrals", path)
    assert (_index(engine), _triggers(engine), _counts(engine)) == before

    # the reject workbook cannot be written: refused after the index was brought in step
    monkeypatch.setattr(ReferralImport, "add", real_add)
    bad = _tracker(tmp_path / "bad.xlsx", made)
    workbook(bad, TRACKER, [["L1", "B0001CD", "Surname1, Pat", "not a date", "Drugs", "x"]])
    (tmp_path / "taken").mkdir()
    with pytest.raises(Exception, match="taken"):
        import_log(engine, "referrals", bad, clock=clock, actor="t", rejects=tmp_path / "taken")
    assert (_index(engine), _triggers(engine), _counts(engine)) == before

    with session_scope(engine, actor="t", clock=clock) as session:
        update_referral(
            session=session,
            referral_id=made.referral_id,
            data=ReferralUpdate(description="Kicked near the apricot stores"),
            clock=clock,
        )
    with session_scope(engine, actor="t", clock=clock) as session:
        assert _filter_referrals(session, clock, "apricot") == {made.referral_id}
        assert "referrals" not in _found(session, "gooseberry")
    assert _index(engine) == _rebuilt(engine)


def test_a_dry_run_and_a_second_import_change_nothing(
    engine: Engine, clock: FixedClock, made: Made, tmp_path: Path
) -> None:
    logs = {
        "referrals": _tracker(tmp_path / "t.xlsx", made),
        "exhibits": _exhibit_log(tmp_path / "e.xlsx"),
        "mg4d": _mg4d_log(tmp_path / "m.xlsx"),
    }
    before = (_index(engine), _triggers(engine), _counts(engine))
    for log, path in logs.items():
        assert _import(engine, clock, log, path, dry_run=True).imported > 0
    assert (_index(engine), _triggers(engine), _counts(engine)) == before
    for log, path in logs.items():
        _import(engine, clock, log, path)
    after = (_index(engine), _triggers(engine), _counts(engine))
    assert after != before
    for log, path in logs.items():
        again = _import(engine, clock, log, path)
        assert again.imported == 0 and again.rejected == 0, log
    assert (_index(engine), _triggers(engine), _counts(engine)) == after
