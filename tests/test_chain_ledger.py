"""The custody ledger and the canonical form: anchors, copies, sites, the upgrade from form 1.

What these prove a user would notice: `cipco ledger` prints one line to keep outside the
file; a copy of the records into another database (other row ids) gives the same digests and
still verifies; choosing the file's prison after events were recorded breaks nothing; a file
made by the cipco before this one (hash form 1) upgrades without rewriting a single hash, so
what was printed before still verifies; holds and referral links are in the chain and the
continuity record shows only what the chain holds.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import sqlite3
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.config import ServerDb
from cipco.db import APPLICATION_ID, make_engine, read_scope, session_scope
from cipco.models.exhibit import CorrectionIn, Exhibit
from cipco.services import chain, exhibits, ledger
from cipco.services.bootstrap import prepare
from cipco.services.chain_verify import verify as verify_chains
from cipco.services.site import assign_site
from tests.chain_helpers import (
    build_chains,
    connect,
    ledger_anchor,
    listing,
    query,
    runner,
    tamper,
    verify,
)
from tests.conftest import TEST_SITE
from tests.exhibit_helpers import make_exhibit, make_referral

LEGACY = Path(__file__).parent / "data" / "legacy-0005.sql"
LINE = re.compile(r"^Custody ledger [\d,]+ events? · [0-9a-f]{64} · \d\d/\d\d/\d{4} \d\d:\d\d$")


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


@pytest.fixture
def chains(engine: Engine, clock: FixedClock, db_path: Path) -> Path:
    build_chains(engine, clock)
    engine.dispose()
    return db_path


def hashes(db_path: Path) -> list[tuple[str, int, str, int, str]]:
    """(reference, number, hash, ledger position, ledger digest) of every event, by key."""
    return sorted(
        query(
            db_path,
            "SELECT x.reference, e.seq, e.hash, e.ledger_seq, e.ledger_hash FROM exhibit_event e "
            "JOIN exhibit x ON x.id = e.exhibit_id",
        )
    )


# ------------------------------------------------------------------ the anchor


def test_ledger_prints_one_line_to_keep(chains: Path) -> None:
    result = runner.invoke(app, ["--db", str(chains), "ledger"])
    assert result.exit_code == 0, result.output
    first, second = result.output.splitlines()[:2]
    assert LINE.match(first), first
    assert first.startswith("Custody ledger 12 events · ")
    assert first.endswith(" · 18/11/2026 10:00")  # the time it was read (London)
    digest = first.split(" · ")[1]
    assert second == f"Short form {digest[:12]} · check later: cipco verify --against 12:{digest}"


def test_anchor_is_the_ledger_digest_over_every_event_in_order(
    chains: Path, clock: FixedClock
) -> None:
    engine = prepare(chains)
    with read_scope(engine, clock=clock) as session:
        anchor = ledger.anchor(session)
    engine.dispose()
    rows = query(
        chains,
        "SELECT x.reference, e.seq, e.hash FROM exhibit_event e JOIN exhibit x "
        "ON x.id = e.exhibit_id ORDER BY e.ledger_seq",
    )
    digest = chain.GENESIS
    for reference, seq, event_hash in rows:
        digest = ledger.link(digest, reference, seq, event_hash)
    assert (anchor.count, anchor.digest) == (12, digest)
    assert anchor.line() == f"Custody ledger 12 events · {digest} · 18/11/2026 10:00"
    assert anchor.at == clock.now() and anchor.site == TEST_SITE
    # recorded order: JS/1's events, then JS/2's, then JS/3's
    assert [(r, s) for r, s, _h in rows][:5] == [("JS/1", n) for n in (1, 2, 3, 4)] + [("JS/2", 1)]


def test_listing_follows_the_output_contract(chains: Path, tmp_path: Path) -> None:
    out = listing(chains, tmp_path / "ledger.txt")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600
    lines = out.read_text().splitlines()
    assert lines[0].startswith("# cipco custody ledger listing")
    assert LINE.match(lines[1].removeprefix("# "))
    entries = [line.split() for line in lines if not line.startswith("#")]
    assert [e[:3] for e in entries[:2]] == [["1", "JS/1", "1"], ["2", "JS/1", "2"]]
    assert len(entries) == 12
    again = runner.invoke(app, ["--db", str(chains), "ledger", "--out", str(out)])
    assert again.exit_code == 2 and "already exists" in again.output
    replaced = runner.invoke(app, ["--db", str(chains), "ledger", "--out", str(out), "--overwrite"])
    assert replaced.exit_code == 0
    folder = runner.invoke(app, ["--db", str(chains), "ledger", "--out", str(tmp_path)])
    assert folder.exit_code == 2 and "folder" in folder.output


def test_verify_against_an_anchor_line_pasted_as_printed(chains: Path) -> None:
    line = runner.invoke(app, ["--db", str(chains), "ledger"]).output.splitlines()[0]
    result = verify(chains, "--against", line)
    assert result.exit_code == 0, result.output
    assert "still begins with the anchored 12 events" in result.output
    digest_only = verify(chains, "--against", line.split(" · ")[1])
    assert digest_only.exit_code == 0 and "12 events" in digest_only.output


# ------------------------------------------------------------------ copies


def copy_into(source: Path, target: Path, offset: int) -> None:
    """Copy the custody records into a fresh file, every row id moved by ``offset``."""
    shifted = {"prisoner", "referral", "exhibit", "exhibit_event"}
    src = sqlite3.connect(source)
    dst = connect(target)
    for table in ("prisoner", "referral", "exhibit", "exhibit_referral", "exhibit_event"):
        columns = [row[1] for row in src.execute(f"PRAGMA table_info({table})")]
        keys = {row[3]: row[2] for row in src.execute(f"PRAGMA foreign_key_list({table})")}
        rows = src.execute(f"SELECT {', '.join(columns)} FROM {table} ORDER BY rowid DESC")
        for row in rows:
            values = [
                value + offset
                if value is not None
                and ((name == "id" and table in shifted) or keys.get(name) in shifted)
                else value
                for name, value in zip(columns, row, strict=True)
            ]
            marks = ", ".join("?" for _ in columns)
            dst.execute(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", values)
    dst.commit()
    dst.close()
    src.close()


def fresh(path: Path, clock: FixedClock, site: str | None = TEST_SITE) -> Path:
    engine = prepare(path)
    if site is not None:
        with session_scope(engine, actor="cipco") as session:
            assign_site(session, site, clock)
    engine.dispose()
    return path


def test_a_copy_with_other_row_ids_gives_the_same_digests(
    chains: Path, clock: FixedClock, tmp_path: Path
) -> None:
    if isinstance(chains, ServerDb):
        pytest.skip("copies a SQLite file row by row; both backends' digests: test_backends")
    copy = fresh(tmp_path / "copy.db", clock)
    copy_into(chains, copy, offset=1000)
    assert query(copy, "SELECT min(id) FROM exhibit_event")[0][0] > 1000
    assert hashes(copy) == hashes(chains)
    result = verify(copy)
    assert result.exit_code == 0, result.output
    assert ledger_anchor(copy) == ledger_anchor(chains)
    # and the copy proves itself against the original's anchor
    assert verify(copy, "--against", listing(chains, tmp_path / "l.txt").as_posix()).exit_code == 0


def test_events_recorded_before_the_site_was_chosen_still_verify(
    clock: FixedClock, tmp_path: Path
) -> None:
    path = fresh(tmp_path / "unassigned.db", clock, site=None)
    engine = prepare(path)
    build_chains(engine, clock)
    engine.dispose()
    before = hashes(path)
    assert {row[0] for row in query(path, "SELECT DISTINCT hash_site FROM exhibit_event")} == {""}
    anchor = ledger_anchor(path)
    engine = prepare(path)
    with session_scope(engine, actor="cipco") as session:
        assign_site(session, TEST_SITE, clock)
    engine.dispose()
    engine = prepare(path)  # the file's site is LEI from now on
    with session_scope(engine, actor="tester", clock=clock) as session:
        one = exhibits.exhibit_by_reference(session, "JS/1")
        assert one is not None and one.id is not None
        exhibits.set_hold(
            session=session, exhibit_id=one.id, hold=True, reason="Appeal", clock=clock
        )
    engine.dispose()
    assert query(path, "SELECT DISTINCT site FROM exhibit_event") == [(TEST_SITE,)]
    assert sorted(query(path, "SELECT hash_site FROM exhibit_event")) == [("",)] * 12 + [("LEI",)]
    assert set(before) <= set(hashes(path))  # nothing recorded before was rehashed
    result = verify(path, "--against", anchor)
    assert result.exit_code == 0, result.output
    copy = fresh(tmp_path / "copy.db", clock)
    copy_into(path, copy, offset=500)
    assert hashes(copy) == hashes(path)
    assert verify(copy, "--against", anchor).exit_code == 0


def test_an_event_hashed_without_a_site_after_it_was_chosen_is_named(chains: Path) -> None:
    last = query(chains, "SELECT max(id) FROM exhibit_event")[0][0]
    tamper(chains, f"UPDATE exhibit_event SET hash_site = '' WHERE id = {last}")
    result = verify(chains)
    assert result.exit_code == 1
    assert "JS/3 event 4: edit" in result.output


# ------------------------------------------------------------------ form 1 -> form 2


@pytest.fixture
def legacy(tmp_path: Path) -> Path:
    """The file cipco b27e719 made (revision 0005, hash form 1), loaded as it was."""
    path = tmp_path / "legacy.db"
    conn = sqlite3.connect(path)
    conn.executescript(LEGACY.read_text())
    conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    conn.commit()
    conn.close()
    os.chmod(path, 0o600)
    return path


def test_upgrade_appends_and_keeps_every_form1_hash(legacy: Path, tmp_path: Path) -> None:
    printed = query(legacy, "SELECT id, exhibit_id, seq, hash FROM exhibit_event ORDER BY id")
    heads = dict(query(legacy, "SELECT reference, head_hash FROM exhibit"))
    # an anchor over the old events, in the order the upgrade enters them in the ledger
    digest = chain.GENESIS
    for _id, exhibit_id, seq, event_hash in printed:
        (ref,) = query(legacy, "SELECT reference FROM exhibit WHERE id = ?", exhibit_id)[0]
        digest = ledger.link(digest, ref, seq, event_hash)
    engine = prepare(legacy)  # migrates 0005 -> 0006, backup first
    engine.dispose()
    after = query(legacy, "SELECT id, exhibit_id, seq, hash, form FROM exhibit_event ORDER BY id")
    assert [row[:4] for row in after[: len(printed)]] == printed  # not one hash rewritten
    assert {row[4] for row in after[: len(printed)]} == {1}
    upgrades = query(
        legacy,
        "SELECT x.reference, e.prev_hash, e.form, e.kind FROM exhibit_event e "
        "JOIN exhibit x ON x.id = e.exhibit_id WHERE e.kind = 'upgrade'",
    )
    assert len(upgrades) == 3
    for reference, prev_hash, form, _kind in upgrades:
        assert (prev_hash, form) == (heads[reference], 2)  # commits to the form-1 head
    result = verify(legacy)
    assert result.exit_code == 0, result.output
    assert verify(legacy, "--against", f"{len(printed)}:{digest}").exit_code == 0
    # a copy with renumbered rows: form-1 hashes were made with row ids, and still verify
    copy = fresh(tmp_path / "copy.db", FixedClock(datetime(2026, 11, 18, 10, tzinfo=UTC)))
    copy_into(legacy, copy, offset=700)
    assert hashes(copy) == hashes(legacy)
    assert verify(copy).exit_code == 0


def test_upgraded_record_covers_hold_and_links_set_before(legacy: Path, clock: FixedClock) -> None:
    engine = prepare(legacy)
    with read_scope(engine, clock=clock) as session:
        two = exhibits.exhibit_by_reference(session, "JS/2")
        assert two is not None and two.id is not None
        detail = exhibits.exhibit_detail(session, two.id, clock)
    engine.dispose()
    # old cipco set this hold and link without an event; the upgrade put them in the chain
    assert (detail.hold, detail.hold_reason) == (True, "Appeal pending")
    assert detail.referrals == ["REF-2026-0002"]
    assert detail.timeline[-1].label == "Record upgraded"
    tamper(legacy, "UPDATE exhibit SET hold = 0, hold_reason = NULL WHERE reference = 'JS/2'")
    result = verify(legacy)
    assert result.exit_code == 1 and "JS/2 event 2: header mismatch" in result.output


def test_form1_events_edited_after_the_upgrade_are_named(legacy: Path) -> None:
    prepare(legacy).dispose()
    tamper(legacy, "UPDATE exhibit_event SET to_name = 'Officer Bent' WHERE id = 2")
    result = verify(legacy)
    assert result.exit_code == 1 and "JS/1 event 2: edit" in result.output


# ------------------------------------------------------------------ what the record shows


def test_hold_and_link_are_events_in_the_chain(engine: Engine, clock: FixedClock) -> None:
    with session_scope(engine, actor="tester", clock=clock) as session:
        make_referral(session, clock, reference="REF-2026-0009")
        exhibit = make_exhibit(session, clock)
        assert exhibit.id is not None
        exhibits.set_hold(
            session=session, exhibit_id=exhibit.id, hold=True, reason="CPS asked", clock=clock
        )
        exhibits.set_hold(
            session=session, exhibit_id=exhibit.id, hold=True, reason="CPS asked", clock=clock
        )  # no change, no event
        exhibits.link_referral(
            session=session, exhibit_id=exhibit.id, referral_ref="REF-2026-0009", clock=clock
        )
        detail = exhibits.exhibit_detail(session, exhibit.id, clock)
        assert [e.label for e in detail.timeline] == ["Seized", "Hold", "Referral linked"]
        assert detail.timeline[1].note == "Hold set: CPS asked"
        assert detail.timeline[2].note == "Linked to referral REF-2026-0009"
        assert (detail.hold, detail.referrals) == (True, ["REF-2026-0009"])
        assert not detail.timeline[1].correctable
        with pytest.raises(exhibits.ExhibitError, match="not corrected"):
            exhibits.correct_event(
                session=session,
                exhibit_id=exhibit.id,
                data=CorrectionIn(corrects_event_id=detail.timeline[1].id, note="x", location="y"),
                clock=clock,
            )
        exhibits.set_hold(
            session=session, exhibit_id=exhibit.id, hold=False, reason=None, clock=clock
        )
        assert session.get(Exhibit, exhibit.id).hold is False  # type: ignore[union-attr]
    with read_scope(engine) as session:
        assert verify_chains(session).ok


def test_continuity_record_prints_the_chain_not_an_edited_row(chains: Path, tmp_path: Path) -> None:
    tamper(chains, "UPDATE exhibit SET description = 'Empty packet' WHERE reference = 'JS/2'")
    out = tmp_path / "continuity.xlsx"
    result = runner.invoke(
        app, ["--db", str(chains), "export", "continuity", "JS/2", "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    book = load_workbook(out)
    values = [str(c.value) for ws in book.worksheets for row in ws.iter_rows() for c in row]
    assert "CCTV export, C wing landing" in values and "Empty packet" not in values
    assert any(LINE.match(v) for v in values)  # the anchor line travels with the record


def test_canonical_form_is_pinned() -> None:
    """Form 2 never changes: a digest recorded today must verify in ten years."""
    at = datetime(2026, 11, 14, 10, 0, tzinfo=UTC)
    row = chain.event_row(
        {
            "seq": 2,
            "form": 2,
            "hash_site": "LEI",
            "kind": "movement",
            "from_name": "Officer J. Smith",
            "from_kind": "staff",
            "to_name": "SO P. Carr",
            "to_kind": "staff",
            "happened_at": at,
            "recorded_at": at + timedelta(minutes=5),
            "recorded_by": "coordinator",
            "seal_intact": True,
            "details": None,
        }
    )
    text = chain.canonical_v2(row, "JS/1", None)
    assert text == (
        '["cipco-custody/2","LEI","JS/1",2,"movement","Officer J. Smith","staff",'
        '"SO P. Carr","staff",null,null,null,"2026-11-14T10:00:00.000000Z",'
        '"2026-11-14T10:05:00.000000Z","coordinator",null,null,null,true,null,null,null,'
        "null,null,null,null,null]"
    )
    # the same instant given as stored text, naive, or in another zone: the same form
    from zoneinfo import ZoneInfo

    tokyo = at.astimezone(ZoneInfo("Asia/Tokyo"))
    for same in ("2026-11-14 10:00:00.000000", at.replace(tzinfo=None), tokyo):
        assert chain.utc_text(same) == "2026-11-14T10:00:00.000000Z"
    assert chain.digest(text, chain.GENESIS) == chain.event_hash(row, "JS/1", None, chain.GENESIS)
    expected = hashlib.sha256((chain.GENESIS + "JS/1\n2\n" + "a" * 64).encode()).hexdigest()
    assert ledger.link(chain.GENESIS, "JS/1", 2, "a" * 64) == expected


def test_demo_data_verifies(demo_db: Path) -> None:
    engine = make_engine(demo_db, create=False)
    with read_scope(engine) as session:
        report = verify_chains(session)
        anchor = ledger.anchor(session)
    engine.dispose()
    assert report.ok, report.problems[:5]
    assert report.exhibits > 200
    assert 3 <= report.events / report.exhibits <= 5
    assert anchor.count == report.events
    kinds = {row[0] for row in query(demo_db, "SELECT DISTINCT kind FROM exhibit_event")}
    assert {"seizure", "movement", "hold"} <= kinds
    assert query(demo_db, "SELECT DISTINCT form FROM exhibit_event") == [(2,)]


def test_clinic_minutes_carry_the_anchor(chains: Path, clock: FixedClock, tmp_path: Path) -> None:
    from cipco.outputs import OutputTarget
    from cipco.services import clinic as clinic_service
    from cipco.spreadsheets.clinic_export import write_clinic_markdown, write_clinic_workbook

    engine = prepare(chains)
    with session_scope(engine, actor="tester", clock=clock) as session:
        clinic = clinic_service.create_clinic(session=session, clock=clock)
        clinic_id = clinic.id
    assert clinic_id is not None
    markdown = write_clinic_markdown(
        engine, clinic_id, OutputTarget(tmp_path / "minutes.md", True), clock, generated_by="t"
    )
    workbook, _counts = write_clinic_workbook(
        engine, clinic_id, OutputTarget(tmp_path / "minutes.xlsx", True), clock, generated_by="t"
    )
    with read_scope(engine, clock=clock) as session:
        line = ledger.anchor(session).line()
    engine.dispose()
    assert line.startswith("Custody ledger 12 events · ")
    assert f"_{line}_" in markdown.read_text().splitlines()
    about = load_workbook(workbook)["About"]
    assert line in [cell.value for row in about.iter_rows() for cell in row]


def test_exhibit_register_carries_the_anchor(chains: Path, tmp_path: Path) -> None:
    out = tmp_path / "register.xlsx"
    result = runner.invoke(app, ["--db", str(chains), "export", "exhibits", "--out", str(out)])
    assert result.exit_code == 0, result.output
    about = load_workbook(out)["About"]
    assert any(LINE.match(str(cell.value)) for row in about.iter_rows() for cell in row)


def test_detail_stored_in_another_json_layout_still_verifies(chains: Path) -> None:
    """The detail is hashed as JSON values, not as the text a database keeps."""
    (row,) = query(
        chains,
        "SELECT e.id, e.details FROM exhibit_event e JOIN exhibit x ON x.id = e.exhibit_id "
        "WHERE x.reference = 'JS/2' AND e.seq = 1",
    )
    spaced = json.dumps(json.loads(row[1]), indent=2, sort_keys=False)
    assert spaced != row[1]
    tamper(chains, ("UPDATE exhibit_event SET details = ? WHERE id = ?", (spaced, row[0])))
    assert verify(chains).exit_code == 0
    altered = spaced.replace("CCTV export, C wing landing", "CCTV export, B wing")
    tamper(chains, ("UPDATE exhibit_event SET details = ? WHERE id = ?", (altered, row[0])))
    result = verify(chains)
    assert result.exit_code == 1 and "JS/2 event 1: edit" in result.output
