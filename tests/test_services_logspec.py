"""The service base every log shares, tested once over every log's spec.

Not found is a sentence; a stale edit names who changed the record and when and carries
what a Reload needs; page, count, counts and stream agree; every sortable column sorts in
SQL; typed ``%`` and ``_`` are the characters themselves.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, update
from sqlmodel import Session

from cipco.clock import FixedClock
from cipco.db import session_scope
from cipco.screens.keymap import KEYS
from cipco.services import logspec, search
from cipco.services.bootstrap import prepare
from cipco.services.errors import NotFoundError, RecordError, StaleEditError
from cipco.services.logspec import LogSpec
from cipco.services.paging import PageQuery
from cipco.services.site import assign_site
from tests.conftest import FROZEN_AT, TEST_SITE

SPECS = [logspec.spec(name) for name in logspec.LOGS]
IDS = [spec.name for spec in SPECS]


@pytest.fixture(scope="module")
def _demo_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every log's demo data, built once per worker and copied for each test."""
    from cipco.services import demo

    clock = FixedClock(FROZEN_AT)
    path = tmp_path_factory.mktemp("logspec") / "demo.db"
    engine = prepare(path)
    with session_scope(engine, actor="cipco") as s:
        assign_site(s, TEST_SITE, clock)
    with session_scope(engine, actor="cipco demo", clock=clock) as s:
        demo.generate(s, clock, referrals=120, seed=11)
    engine.dispose()
    return path


@pytest.fixture
def demo_engine(_demo_template: Path, tmp_path: Path) -> Iterator[Engine]:
    path = tmp_path / "demo.db"
    shutil.copyfile(_demo_template, path)
    engine = prepare(path)
    yield engine
    engine.dispose()


@pytest.fixture
def reader(demo_engine: Engine, clock: FixedClock) -> Iterator[Session]:
    with session_scope(demo_engine, actor="tester", clock=clock) as session:
        yield session


def test_the_registry_names_every_list_of_the_five_logs() -> None:
    assert list(logspec.LOGS) == ["referrals", "clinics", "actions", "exhibits", "mg4d", "persons"]
    assert logspec.spec("clinics").related == ("actions",)
    with pytest.raises(KeyError, match="no log called 'nope'"):
        logspec.spec("nope")


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_a_spec_is_plain_data_the_screens_can_use(spec: LogSpec) -> None:
    keys = [column.key for column in spec.columns]
    assert len(keys) == len(set(keys)), "column keys are unique"
    assert all(column.width > 0 and column.label for column in spec.columns)
    queues = [queue.key for queue in spec.queues]
    assert len(queues) == len(set(queues)) and "all" not in queues
    assert set(spec.keys) <= set(KEYS), "every key the log adds is in the one keymap"
    assert spec.service.spec is spec
    assert issubclass(spec.error, RecordError)
    # The typed filter looks in one place: the search index, or else the spec's columns.
    assert bool(spec.search) != search.indexed(spec.name), "search columns xor the index"
    with pytest.raises(RecordError, match="unknown filter 'nope'"):
        spec.queue("nope")


def test_own_columns_are_the_models_columns_the_row_has_a_field_for() -> None:
    from cipco.services.clinic.queries import ACTIONS_SERVICE

    names = [column.key for column in ACTIONS_SERVICE.own_columns()]
    assert names[:3] == ["id", "text", "owner_name"], "in the row's order"
    assert "overdue" not in names and "original_columns" not in names, "only the row's fields"
    assert "clinic_held_on" not in names, "another table's column is the select's to add"


def test_a_service_takes_its_model_and_row_type_from_its_parameters() -> None:
    from cipco.models.casework import PartyContact
    from cipco.models.referral import Referral
    from cipco.services.casework.queries import CONTACTS, ContactRow
    from cipco.services.referrals.queries import SERVICE, ReferralRow

    assert (SERVICE.model, SERVICE.row_type) == (Referral, ReferralRow)
    # through a generic base of its own (the case file's lists)
    assert (CONTACTS.model, CONTACTS.row_type) == (PartyContact, ContactRow)
    # the spec reads the log's name and words from its service
    assert (SERVICE.spec.name, SERVICE.spec.plural) == ("referrals", "referrals")
    for spec in SPECS:
        assert spec.row_type.__name__.endswith("Row"), spec.name


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_page_count_counts_and_stream_agree(
    spec: LogSpec, reader: Session, clock: FixedClock
) -> None:
    service = spec.service
    counts = service.counts(reader, clock)
    streamed_all = list(service.stream(reader, PageQuery(), clock, batch=7))
    assert streamed_all, f"the demo has {spec.plural}"
    assert counts["all"] == len(streamed_all) == service.count(reader, PageQuery(), clock)
    assert len({row.id for row in streamed_all}) == len(streamed_all), "no row twice"
    first = service.page(reader, PageQuery(limit=5), clock)
    assert first.total == len(streamed_all)
    assert [row.id for row in first.rows] == [row.id for row in streamed_all[:5]]
    for queue in spec.queues:
        query = PageQuery(queue=queue.key)
        page = service.page(reader, query, clock)
        assert page.total == counts[queue.key] == len(list(service.stream(reader, query, clock)))
    for row in streamed_all[:50]:  # every cell reads as text
        assert all(isinstance(column.cell(row), str) for column in spec.columns)
        assert isinstance(spec.is_done(row), bool)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_every_sortable_column_sorts_both_ways(
    spec: LogSpec, reader: Session, clock: FixedClock
) -> None:
    total = spec.service.count(reader, PageQuery(), clock)
    for column in spec.columns:
        if not column.sortable:
            continue
        up = spec.service.page(reader, PageQuery(sort=column.key, limit=total), clock)
        down = spec.service.page(
            reader, PageQuery(sort=column.key, descending=True, limit=total), clock
        )
        assert up.total == down.total == total
        assert sorted(r.id for r in up.rows) == sorted(r.id for r in down.rows)


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_typed_percent_and_underscore_are_literal(
    spec: LogSpec, reader: Session, clock: FixedClock
) -> None:
    everything = spec.service.count(reader, PageQuery(), clock)
    assert everything > 0
    for wildcard in ("%", "_", "%%", "\\"):
        assert spec.service.count(reader, PageQuery(text=wildcard), clock) == 0, wildcard


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_not_found_is_one_sentence_of_the_logs_own_error(spec: LogSpec, reader: Session) -> None:
    with pytest.raises(NotFoundError) as caught:
        spec.service.load(reader, 987_654)
    assert isinstance(caught.value, spec.error)
    assert str(caught.value) == (f"{spec.noun} 987654 does not exist (it may have been deleted)")


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_a_stale_edit_names_who_and_when_and_what_reload_needs(
    spec: LogSpec, demo_engine: Engine, clock: FixedClock
) -> None:
    with session_scope(demo_engine, actor="tester", clock=clock) as s:
        row = next(iter(spec.service.stream(s, PageQuery(), clock)))
        opened = spec.service.load(s, row.id).version  # type: ignore[attr-defined]
    clock.advance(timedelta(minutes=5))  # 10:05 in London
    with session_scope(demo_engine, actor="bob", clock=clock) as s:
        record = spec.service.load(s, row.id)
        record.updated_at = clock.now()  # type: ignore[attr-defined]
        record.version += 0  # type: ignore[attr-defined]
        _touch(record)
        spec.service.save(s, record, clock)
    with session_scope(demo_engine, actor="alice", clock=clock) as s:
        record = spec.service.load(s, row.id)
        with pytest.raises(StaleEditError) as caught:
            spec.service.check_version(s, record, opened)
    error = caught.value
    assert isinstance(error, spec.error)
    assert "changed by bob at 10:05" in str(error)
    assert (error.who, error.log, error.record_id) == ("bob", spec.name, row.id)
    assert error.version == opened + 1


@pytest.mark.parametrize("spec", SPECS, ids=IDS)
def test_a_lost_race_at_save_is_the_same_stale_edit(
    spec: LogSpec, demo_engine: Engine, clock: FixedClock
) -> None:
    """Another writer's change lands between reading and saving: the save is refused."""
    model = spec.model
    with session_scope(demo_engine, actor="tester", clock=clock) as s:
        row_id = next(iter(spec.service.stream(s, PageQuery(), clock))).id
    with (
        pytest.raises(StaleEditError) as caught,
        session_scope(demo_engine, actor="alice", clock=clock) as s,
    ):
        mine = spec.service.load(s, row_id)
        s.execute(
            update(model)
            .where(model.id == row_id)  # type: ignore[attr-defined]
            .values(version=model.version + 1)  # type: ignore[attr-defined]
            .execution_options(synchronize_session=False)
        )
        _touch(mine)
        spec.service.save(s, mine, clock)
    assert isinstance(caught.value, spec.error)
    assert caught.value.record_id == row_id
    with session_scope(demo_engine, actor="tester", clock=clock) as s:  # nothing half-written
        assert "(checked)" not in str(spec.service.load(s, row_id).model_dump())


def _touch(record: object) -> None:
    """Change one harmless text field, so the save is a real change of the record."""
    for name in ("notes", "note", "title", "text", "description", "charges"):
        if hasattr(record, name) and isinstance(getattr(record, name), str):
            setattr(record, name, getattr(record, name) + " (checked)")
            return
    record.updated_at = record.updated_at + timedelta(seconds=1)  # type: ignore[attr-defined]


class _CountingClock:
    """A clock that counts how often it is read."""

    def __init__(self) -> None:
        self.reads = 0

    def now(self) -> datetime:
        self.reads += 1
        return FROZEN_AT


def test_contexts_read_their_clock_once() -> None:
    """A list's query context and the due list's context take their fields in the same
    order as before, and read ``now`` and ``today`` from the clock once each."""
    from cipco.clock import today
    from cipco.services.due import DueContext

    clock = _CountingClock()
    ctx = logspec.QueryContext(None, clock)  # type: ignore[arg-type]
    due = DueContext(None, clock, FROZEN_AT)
    assert (ctx.session, ctx.clock, due.until) == (None, clock, FROZEN_AT)
    for context in (ctx, due):
        assert context.now == context.now == FROZEN_AT
        assert context.today == context.today == today(FixedClock(FROZEN_AT))
    assert clock.reads == 4
