"""Search everything, and each list's typed filter, through the FTS5 index kept by triggers."""

from __future__ import annotations

from sqlalchemy import Engine, func, or_, select
from sqlmodel import Session

from cipco import datafile, fts
from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.models.people import Prisoner
from cipco.models.referral import Referral, ReferralUpdate
from cipco.services import mg4d, search
from cipco.services.paging import PageQuery
from cipco.services.referrals import referral_page, update_referral
from tests.due_helpers import WORDS, one_of_each
from tests.factories import new_referral


def _found(session: Session, text: str) -> dict[str, set[int]]:
    return {g.log: {h.id for h in g.hits} for g in search.search_everything(session, text)}


def test_a_word_from_each_logs_description_finds_that_record_only(
    session: Session, clock: FixedClock
) -> None:
    made = one_of_each(session, clock)
    for log, record_id in made.ids().items():
        found = _found(session, WORDS[log])
        assert found == {log: {record_id}}, log
    groups = search.search_everything(session, WORDS["referrals"])
    hit = groups[0].hits[0]
    assert groups[0].title == "Referrals"
    assert hit.title.startswith("REF-2026-0042") and "tangerine" in hit.found


def test_part_of_a_word_short_input_and_query_syntax(session: Session, clock: FixedClock) -> None:
    made = one_of_each(session, clock)
    # "1234" finds A1234BC (a referral's prisoner, and the prisoner page) as LIKE did
    found = _found(session, "1234")
    assert made.referral_id in found["referrals"] and "prisoners" in found
    # two letters: the start of a word ("Sm" finds SMITH, not "Possession")
    assert made.referral_id in _found(session, "sm")["referrals"]
    assert "mg4d" not in _found(session, "ss")
    # every word must be found, in any order
    assert _found(session, f"landing {WORDS['referrals']}") == {"referrals": {made.referral_id}}
    assert _found(session, f"landing {WORDS['exhibits']}") == {}
    # FTS5 syntax typed is taken literally, never an error
    for typed in ('"', "NEAR(", "a*", "AND OR NOT", "body:x", "^x", "(", "-", "\x1b[31m"):
        search.search_everything(session, typed)
    assert search.search_everything(session, "   ") == []


def _like_ids(session: Session, text: str) -> set[int]:
    """The referrals a LIKE scan finds (the filter before the index): every word somewhere."""
    statement = select(Referral.id).join(Prisoner, Prisoner.id == Referral.prisoner_id)
    for word in text.split():
        pattern = f"%{word.lower()}%"
        statement = statement.where(
            or_(
                func.lower(Referral.reference).like(pattern),
                func.lower(Referral.description).like(pattern),
                func.lower(Prisoner.name).like(pattern),
                func.lower(Prisoner.nomis_number).like(pattern),
            )
        )
    return set(session.scalars(statement))


def _filter_ids(session: Session, clock: FixedClock, text: str) -> set[int]:
    page = referral_page(session, PageQuery(text=text, limit=1000), clock)
    return {row.id for row in page.rows}


def test_the_list_filter_stays_right_after_create_edit_and_delete(
    engine: Engine, clock: FixedClock
) -> None:
    with session_scope(engine, actor="t", clock=clock) as session:
        first_id = int(new_referral(session, clock, description="Spice found in a kettle").id)  # type: ignore[arg-type]
        second_id = int(
            new_referral(  # type: ignore[arg-type]
                session, clock, nomis="D4567EF", name="GREEN, Lee", description="Kettle lid fight"
            ).id
        )
    with session_scope(engine, actor="t", clock=clock) as session:
        for text in ("kettle", "spice", "kettle lid", "nothing"):
            assert _filter_ids(session, clock, text) == _like_ids(session, text), text
        assert _filter_ids(session, clock, "kettle") == {first_id, second_id}
        update_referral(
            session=session,
            referral_id=int(first_id),  # type: ignore[arg-type]
            data=ReferralUpdate(description="Spice found in a teapot"),
            clock=clock,
        )
    with session_scope(engine, actor="t", clock=clock) as session:
        assert _filter_ids(session, clock, "kettle") == {second_id} == _like_ids(session, "kettle")
        assert _filter_ids(session, clock, "teapot") == {first_id}
        # the prisoner's name comes from another table: renaming him re-indexes his referrals
        prisoner = session.get(Prisoner, session.get(Referral, second_id).prisoner_id)  # type: ignore[union-attr]
        prisoner.name = "QUINCEWORTH, Pat"  # type: ignore[union-attr]
        session.add(prisoner)
    with session_scope(engine, actor="t", clock=clock) as session:
        assert second_id in _filter_ids(session, clock, "quincewort")
        session.delete(session.get(Referral, second_id))
    with session_scope(engine, actor="t", clock=clock) as session:
        assert _filter_ids(session, clock, "kettle") == set() == _like_ids(session, "kettle")
        assert "referrals" not in _found(session, "kettle")


def test_deleted_papers_leave_the_index(session: Session, clock: FixedClock) -> None:
    made = one_of_each(session, clock)
    mg4d.delete_papers(session, made.papers_id)
    assert _found(session, WORDS["mg4d"]) == {}


def test_an_index_that_lost_its_triggers_is_rebuilt_at_the_next_start(
    engine: Engine, clock: FixedClock
) -> None:
    with session_scope(engine, actor="t", clock=clock) as session:
        made = one_of_each(session, clock)
    with engine.begin() as conn:  # as a table rebuild by a later migration would
        on = " ON referral" if conn.dialect.name == "postgresql" else ""
        conn.exec_driver_sql(f"DROP TRIGGER fts_referrals_update{on}")
        conn.exec_driver_sql(f"DELETE FROM {fts.INDEX} WHERE rowid < {2 * fts.SPAN}")
    assert datafile.keep_index_in_step(engine) == ["referrals"]
    assert datafile.keep_index_in_step(engine) == []  # in step: nothing to do
    with session_scope(engine, actor="t", clock=clock) as session:
        assert _found(session, WORDS["referrals"]) == {"referrals": {made.referral_id}}
