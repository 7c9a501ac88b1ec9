"""`cipco verify` against attacks made straight into the SQLite file, by kind of problem.

Each test drops the triggers, changes the file with raw SQL as someone holding it would,
then runs `cipco verify` and asserts exit code 1 and that the exhibit and the event that was
changed are named (not the event after it). The attacks the issue found (recompute the chain
with cipco's own digest, delete the last event fixing count and head, delete a whole exhibit,
edit the exhibit row, swap event ids under a correction) each have a test here; so does the
one only an anchor held outside the file can catch.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cipco.cli.common import state
from cipco.clock import FixedClock
from tests.chain_helpers import (
    RAW_ERRORS,
    build_chains,
    connect,
    event_id,
    ledger_anchor,
    lines_about,
    listing,
    query,
    raw,
    rechain,
    relink_ledger,
    tamper,
    verify,
)


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


def broken(result: object, ref: str, seq: int | None, kind: str) -> list[str]:
    """The lines naming ``ref`` event ``seq`` with problem ``kind``; asserts exit code 1."""
    assert result.exit_code == 1, result.output  # type: ignore[attr-defined]
    assert "Chain BROKEN" in result.output  # type: ignore[attr-defined]
    found = [line for line in lines_about(result, ref, seq) if f": {kind} - " in line]  # type: ignore[arg-type]
    assert found, result.output  # type: ignore[attr-defined]
    return found


def test_intact_file_verifies_and_says_what_it_proves(chains: Path, backend: str) -> None:
    result = verify(chains)
    assert result.exit_code == 0, result.output
    assert "Chain intact: 3 exhibits, 12 events" in result.output
    assert "Custody ledger 12 events · " in result.output
    kind = "database" if backend == "postgresql" else "file"
    assert f"The {kind} agrees with itself" in result.output


def test_triggers_refuse_casual_edits(chains: Path) -> None:
    conn = raw(chains)
    with pytest.raises(RAW_ERRORS, match="append-only"):
        conn.execute("UPDATE exhibit_event SET to_name = 'X'")
    with pytest.raises(RAW_ERRORS, match="append-only"):
        conn.execute("DELETE FROM exhibit_event")
    conn.close()


# ------------------------------------------------------------------ edit


def test_edit_of_an_event_is_named(chains: Path) -> None:
    target = event_id(chains, "JS/1", 2)
    tamper(chains, f"UPDATE exhibit_event SET to_name = 'Officer Bent' WHERE id = {target}")
    result = verify(chains)
    assert broken(result, "JS/1", 2, "edit")
    assert not lines_about(result, "JS/1", 3)  # the next event is not blamed
    assert not lines_about(result, "JS/2")


def test_edit_of_a_time_is_named(chains: Path) -> None:
    target = event_id(chains, "JS/2", 3)
    tamper(
        chains,
        f"UPDATE exhibit_event SET happened_at = '2026-11-16 09:00:00.000000' WHERE id = {target}",
    )
    assert broken(verify(chains), "JS/2", 3, "edit")


def test_edit_rehashed_with_the_codes_own_digest_names_the_edited_event(chains: Path) -> None:
    # The attack: change event 2 and recompute its hash with chain.digest().
    target = event_id(chains, "JS/1", 2)
    tamper(chains, f"UPDATE exhibit_event SET to_name = 'Officer Bent' WHERE id = {target}")
    rechain(chains, "JS/1", from_seq=2)  # every hash from event 2 on, and the head
    result = verify(chains)
    (line,) = broken(result, "JS/1", 2, "edit")
    assert "rewritten" in line and "ledger" in line
    # the events after it were re-hashed to follow it: named as that, not as the change
    assert all("after event 2" in line for line in lines_about(result, "JS/1", 3))


def test_edit_of_the_exhibit_row_reference_is_a_header_mismatch(chains: Path) -> None:
    tamper(chains, "UPDATE exhibit SET reference = 'JS/9' WHERE reference = 'JS/1'")
    result = verify(chains)
    (line,) = broken(result, "JS/9", 1, "header mismatch")
    assert "reference 'JS/9'" in line and "'JS/1'" in line
    assert len(result.output.splitlines()) == 3  # that problem, the summary, the ledger line


@pytest.mark.parametrize(
    ("column", "value", "label"),
    [
        ("description", "Empty packet", "description"),
        ("file_sha256", "cd" * 32, "file SHA-256"),
        ("seized_by", "Officer Bent", "seized by"),
        ("camera_id", "CAM-99", "camera"),
        ("clip_start", "2026-11-10 09:00:00.000000", "clip start"),
    ],
)
def test_edit_of_the_exhibit_header_is_named_against_its_seizure(
    chains: Path, column: str, value: str, label: str
) -> None:
    tamper(chains, (f"UPDATE exhibit SET {column} = ? WHERE reference = 'JS/2'", (value,)))
    (line,) = broken(verify(chains), "JS/2", 1, "header mismatch")
    assert f"shows {label} '" in line


def test_edit_of_what_the_events_say_now_is_a_header_mismatch(chains: Path) -> None:
    tamper(chains, "UPDATE exhibit SET holder = 'Officer Bent' WHERE reference = 'JS/2'")
    (line,) = broken(verify(chains), "JS/2", 4, "header mismatch")
    assert "holder 'Officer Bent'" in line and "'DC Sarah Collins'" in line


def test_edit_of_the_hold_is_a_header_mismatch(chains: Path) -> None:
    tamper(chains, "UPDATE exhibit SET hold = TRUE, hold_reason = 'x' WHERE reference = 'JS/1'")
    lines = broken(verify(chains), "JS/1", 1, "header mismatch")
    assert any("hold" in line for line in lines)


def test_site_stamped_differently_from_the_hash_is_named(chains: Path) -> None:
    target = event_id(chains, "JS/3", 2)
    tamper(chains, f"UPDATE exhibit_event SET hash_site = 'MAN' WHERE id = {target}")
    (line,) = broken(verify(chains), "JS/3", 2, "edit")
    assert "site MAN" in line


# ------------------------------------------------------------------ removal


def test_removal_of_a_middle_event_is_named(chains: Path) -> None:
    tamper(chains, f"DELETE FROM exhibit_event WHERE id = {event_id(chains, 'JS/1', 2)}")
    result = verify(chains)
    assert broken(result, "JS/1", 2, "removal")
    assert not [line for line in lines_about(result, "JS/1", 3) if "link break" in line]


def test_removal_of_the_last_event_fixing_count_and_head_is_named(chains: Path) -> None:
    # The issue's attack: delete JS/1's last event and make the exhibit row agree.
    last = event_id(chains, "JS/1", 4)
    (previous,) = query(chains, "SELECT hash FROM exhibit_event WHERE id = ?", last - 1)
    tamper(
        chains,
        f"DELETE FROM exhibit_event WHERE id = {last}",
        (
            "UPDATE exhibit SET event_count = 3, head_hash = ?, holder = 'CiPCo A. Whitfield', "
            "holder_kind = 'staff', state = 'held' WHERE reference = 'JS/1'",
            (previous[0],),
        ),
    )
    (line,) = broken(verify(chains), "JS/1", 4, "removal")
    assert "ledger position 4" in line


def test_removal_of_a_whole_exhibit_is_named(chains: Path) -> None:
    # The attack: the exhibit row, its links and all its events go.
    tamper(
        chains,
        "DELETE FROM exhibit_event WHERE exhibit_id = (SELECT id FROM exhibit "
        "WHERE reference = 'JS/1')",
        "DELETE FROM exhibit_referral WHERE exhibit_id = (SELECT id FROM exhibit "
        "WHERE reference = 'JS/1')",
        "DELETE FROM exhibit WHERE reference = 'JS/1'",
    )
    (line,) = broken(verify(chains), "JS/1", 4, "removal")
    assert "and 3 before it" in line  # positions 1-4: the whole exhibit


def test_removal_of_all_events_of_an_exhibit_is_named(chains: Path) -> None:
    tamper(
        chains,
        "DELETE FROM exhibit_event WHERE exhibit_id = (SELECT id FROM exhibit "
        "WHERE reference = 'JS/2')",
    )
    (line,) = broken(verify(chains), "JS/2", None, "removal")
    assert "all 4 events" in line


def test_removal_with_the_ledger_renumbered_is_named(chains: Path) -> None:
    gone = event_id(chains, "JS/1", 4)
    tamper(
        chains,
        f"DELETE FROM exhibit_event WHERE id = {gone}",
        "UPDATE exhibit_event SET ledger_seq = ledger_seq - 1 WHERE ledger_seq > 4",
        "UPDATE exhibit SET event_count = 3 WHERE reference = 'JS/1'",
    )
    assert broken(verify(chains), "JS/1", 4, "removal")


# ------------------------------------------------------------------ insertion


def test_insertion_outside_cipco_is_named(chains: Path) -> None:
    (row,) = query(chains, "SELECT id, head_hash FROM exhibit WHERE reference = 'JS/1'")
    tamper(
        chains,
        (
            "INSERT INTO exhibit_event (site, exhibit_id, seq, kind, from_name, to_name, "
            "to_kind, happened_at, recorded_at, recorded_by, prev_hash, hash) VALUES "
            "('LEI', ?, 5, 'movement', 'DC Sarah Collins', 'Mr Nobody', 'staff', "
            "'2026-11-18 09:00:00.000000', '2026-11-18 09:00:00.000000', 'x', ?, ?)",
            (row[0], row[1], "f" * 64),
        ),
    )
    (line,) = broken(verify(chains), "JS/1", 5, "insertion")
    assert "ledger" in line


def test_insertion_into_the_middle_of_a_chain_is_named(chains: Path) -> None:
    exhibit = query(chains, "SELECT id FROM exhibit WHERE reference = 'JS/1'")[0][0]
    tamper(
        chains,
        f"UPDATE exhibit_event SET seq = seq + 10 WHERE exhibit_id = {exhibit} AND seq >= 3",
        f"UPDATE exhibit_event SET seq = seq - 9 WHERE exhibit_id = {exhibit} AND seq >= 13",
        (
            "INSERT INTO exhibit_event (site, exhibit_id, seq, kind, happened_at, recorded_at, "
            "recorded_by, prev_hash, hash, form) VALUES ('LEI', ?, 3, 'movement', "
            "'2026-11-16 09:00:00.000000', '2026-11-16 09:00:00.000000', 'x', ?, ?, 2)",
            (exhibit, "0" * 64, "e" * 64),
        ),
    )
    result = verify(chains)
    assert broken(result, "JS/1", 3, "insertion")
    assert broken(result, "JS/1", 4, "reorder")  # the old event 3, moved along


# ------------------------------------------------------------------ reorder


def test_reorder_of_two_events_is_named(chains: Path) -> None:
    second, third = event_id(chains, "JS/2", 2), event_id(chains, "JS/2", 3)
    tamper(
        chains,
        f"UPDATE exhibit_event SET seq = 99 WHERE id = {second}",
        f"UPDATE exhibit_event SET seq = 2 WHERE id = {third}",
        f"UPDATE exhibit_event SET seq = 3 WHERE id = {second}",
    )
    result = verify(chains)
    assert "recorded as event 3" in broken(result, "JS/2", 2, "reorder")[0]
    assert "recorded as event 2" in broken(result, "JS/2", 3, "reorder")[0]
    assert not lines_about(result, "JS/2", 4)  # its link broke only because they moved


def test_reorder_in_the_ledger_is_named(chains: Path) -> None:
    one, two = event_id(chains, "JS/1", 2), event_id(chains, "JS/2", 2)
    (positions,) = query(
        chains,
        "SELECT (SELECT ledger_seq FROM exhibit_event WHERE id = ?), "
        "(SELECT ledger_seq FROM exhibit_event WHERE id = ?)",
        one,
        two,
    )
    tamper(
        chains,
        f"UPDATE exhibit_event SET ledger_seq = -1 WHERE id = {one}",
        f"UPDATE exhibit_event SET ledger_seq = {positions[0]} WHERE id = {two}",
        f"UPDATE exhibit_event SET ledger_seq = {positions[1]} WHERE id = {one}",
    )
    result = verify(chains)
    assert result.exit_code == 1
    assert any(": reorder - " in line for line in lines_about(result, "JS/2", 2))


# ------------------------------------------------------------------ orphan


def test_orphan_events_of_a_removed_exhibit_row_are_named(chains: Path) -> None:
    tamper(
        chains,
        "DELETE FROM exhibit_referral WHERE exhibit_id = (SELECT id FROM exhibit "
        "WHERE reference = 'JS/2')",
        "DELETE FROM exhibit WHERE reference = 'JS/2'",
    )
    result = verify(chains)
    for seq in (1, 2, 3, 4):
        assert broken(result, "JS/2", seq, "orphan")


def test_orphan_correction_is_named(chains: Path) -> None:
    target = event_id(chains, "JS/3", 2)
    tamper(chains, f"UPDATE exhibit_event SET id = 9999 WHERE id = {target}")
    result = verify(chains)
    (line,) = broken(result, "JS/3", 3, "orphan")
    assert f"event row {target}" in line


# ------------------------------------------------------------------ duplicate seq


def test_duplicate_seq_is_named(chains: Path) -> None:
    second = event_id(chains, "JS/1", 2)
    columns = [
        row[0] for row in query(chains, "SELECT * FROM exhibit_event LIMIT 0", describe=True)
    ]
    copied = ", ".join(c for c in columns if c != "id")
    tamper(
        chains,
        "DROP INDEX ix_exhibit_event_exhibit_seq",
        "DROP INDEX uq_exhibit_event_site_ledger",
        f"INSERT INTO exhibit_event ({copied}) SELECT {copied} FROM exhibit_event "
        f"WHERE id = {second}",
        "UPDATE exhibit_event SET to_name = 'Officer Bent' WHERE id = "
        "(SELECT max(id) FROM exhibit_event)",
    )
    (line,) = broken(verify(chains), "JS/1", 2, "duplicate seq")
    assert "a second event numbered 2" in line


def test_duplicate_ledger_position_is_named(chains: Path) -> None:
    target = event_id(chains, "JS/2", 1)
    tamper(
        chains,
        "DROP INDEX uq_exhibit_event_site_ledger",
        f"UPDATE exhibit_event SET ledger_seq = 1 WHERE id = {target}",
    )
    result = verify(chains)
    assert result.exit_code == 1
    assert any("duplicate seq" in line or "removal" in line for line in result.output.splitlines())


# ------------------------------------------------------------------ link break


def test_altered_link_to_the_previous_event_is_named(chains: Path) -> None:
    target = event_id(chains, "JS/1", 3)
    tamper(chains, f"UPDATE exhibit_event SET prev_hash = '{'1' * 64}' WHERE id = {target}")
    (line,) = broken(verify(chains), "JS/1", 3, "link break")
    assert "link to the previous event was altered" in line


def test_swapped_event_ids_under_a_correction_are_named(chains: Path) -> None:
    # The issue's attack: swap two events' row ids so the correction points at the other.
    first, second = event_id(chains, "JS/3", 1), event_id(chains, "JS/3", 2)
    tamper(
        chains,
        f"UPDATE exhibit_event SET id = -1 WHERE id = {first}",
        f"UPDATE exhibit_event SET id = {first} WHERE id = {second}",
        f"UPDATE exhibit_event SET id = {second} WHERE id = -1",
    )
    (line,) = broken(verify(chains), "JS/3", 3, "link break")
    assert "now points at event 1; it was recorded for event 2" in line


def test_referral_link_added_outside_the_chain_is_named(chains: Path) -> None:
    tamper(
        chains,
        "INSERT INTO exhibit_referral (site, exhibit_id, referral_id) SELECT 'LEI', x.id, r.id "
        "FROM exhibit x, referral r WHERE x.reference = 'JS/1'",
    )
    (line,) = broken(verify(chains), "JS/1", None, "link break")
    assert "REF-2026-0001" in line and "no event of its chain" in line


def test_referral_link_removed_is_named(chains: Path) -> None:
    tamper(chains, "DELETE FROM exhibit_referral")
    (line,) = broken(verify(chains), "JS/2", 1, "link break")
    assert "REF-2026-0001" in line and "link is missing" in line


# ------------------------------------------------------------------ head mismatch


def test_head_mismatch_is_named(chains: Path) -> None:
    tamper(chains, f"UPDATE exhibit SET head_hash = '{'2' * 64}' WHERE reference = 'JS/2'")
    (line,) = broken(verify(chains), "JS/2", 4, "head mismatch")
    assert "records 4 events ending 222222222222" in line


def test_count_mismatch_is_named(chains: Path) -> None:
    tamper(chains, "UPDATE exhibit SET event_count = 3 WHERE reference = 'JS/2'")
    assert broken(verify(chains), "JS/2", 4, "head mismatch")


def test_altered_ledger_digest_is_named(chains: Path) -> None:
    target = event_id(chains, "JS/2", 2)
    tamper(chains, f"UPDATE exhibit_event SET ledger_hash = '{'3' * 64}' WHERE id = {target}")
    result = verify(chains)
    (line,) = broken(result, "JS/2", 2, "edit")
    assert "ledger entry was altered" in line
    assert not lines_about(result, "JS/2", 3)


# ------------------------------------------------------------------ anchor mismatch


def test_full_rewrite_passes_alone_but_not_against_an_anchor(chains: Path, tmp_path: Path) -> None:
    # Someone who knows the code edits an event and recomputes every chain and the ledger:
    # the file agrees with itself again. Only the anchor printed before catches it.
    anchored = listing(chains, tmp_path / "ledger.txt")
    token = ledger_anchor(chains)
    target = event_id(chains, "JS/1", 2)
    tamper(chains, f"UPDATE exhibit_event SET to_name = 'Officer Bent' WHERE id = {target}")
    rechain(chains, "JS/1", from_seq=2, fix_ledger=True)
    assert verify(chains).exit_code == 0  # exactly what the chain alone cannot prove
    result = verify(chains, "--against", str(anchored))
    (line,) = broken(result, "JS/1", 2, "anchor mismatch")
    assert "changed since it was anchored" in line
    (later,) = broken(result, "JS/1", 3, "anchor mismatch")
    assert "earlier event of this exhibit changed" in later
    assert not lines_about(result, "JS/2")
    result = verify(chains, "--against", token)
    (line,) = broken(result, "Custody ledger", None, "anchor mismatch")
    assert "differs within the first 12 events" in line


def test_events_removed_after_anchoring_are_named(chains: Path, tmp_path: Path) -> None:
    anchored = listing(chains, tmp_path / "ledger.txt")
    tamper(
        chains,
        "DELETE FROM exhibit_event WHERE exhibit_id = (SELECT id FROM exhibit "
        "WHERE reference = 'JS/3')",
        "DELETE FROM exhibit WHERE reference = 'JS/3'",
    )
    result = verify(chains, "--against", str(anchored))
    for seq in (1, 2, 3, 4):
        (line,) = broken(result, "JS/3", seq, "anchor mismatch")
        assert "no longer in the database" in line


def test_an_anchor_of_fewer_events_still_verifies_after_more_are_recorded(
    chains: Path, engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    from cipco.db import session_scope
    from cipco.services import exhibits

    anchored = listing(chains, tmp_path / "ledger.txt")
    token = ledger_anchor(chains)
    with session_scope(engine, actor="tester", clock=clock) as session:
        one = exhibits.exhibit_by_reference(session, "JS/1")
        assert one is not None and one.id is not None
        exhibits.set_hold(session=session, exhibit_id=one.id, hold=True, reason="x", clock=clock)
    for against in (str(anchored), token):
        result = verify(chains, "--against", against)
        assert result.exit_code == 0, result.output
        assert "still begins with the" in result.output and "12 events" in result.output


def test_unusable_anchors_are_refused_in_one_sentence(chains: Path, tmp_path: Path) -> None:
    text = listing(chains, tmp_path / "ledger.txt").read_text()
    for against, message in (
        ("not-a-digest", "ledger digest"),
        (str(tmp_path / "missing.txt"), "no such file"),
        (str(tmp_path), "not a file"),
        ("12:" + "g" * 64, "ledger digest"),
    ):
        result = verify(chains, "--against", against)
        assert result.exit_code == 2, result.output
        assert message in " ".join(result.output.split())
        assert "Traceback" not in result.output
    forged = tmp_path / "forged.txt"
    lines = text.splitlines()
    lines[5] = lines[5].replace(lines[5].split()[3], "9" * 64)
    forged.write_text("\n".join(lines) + "\n")
    result = verify(chains, "--against", str(forged))
    assert result.exit_code == 2
    said = " ".join(result.output.split())
    assert "line 6" in said and "changed after it was written" in said


def test_events_of_one_exhibit_out_of_order_in_the_ledger_are_named(chains: Path) -> None:
    second, third = event_id(chains, "JS/1", 2), event_id(chains, "JS/1", 3)
    tamper(
        chains,
        f"UPDATE exhibit_event SET ledger_seq = -2 WHERE id = {second}",
        f"UPDATE exhibit_event SET ledger_seq = 2 WHERE id = {third}",
        f"UPDATE exhibit_event SET ledger_seq = 3 WHERE id = {second}",
    )
    conn = connect(chains)
    relink_ledger(conn)  # even with every ledger digest recomputed
    conn.commit()
    conn.close()
    (line,) = broken(verify(chains), "JS/1", 3, "reorder")
    assert "before event 2" in line
