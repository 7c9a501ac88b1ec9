"""``cipco backup`` on a server: the login's site written to a new cipco file that ``cipco
verify`` accepts, with the server's counts and ledger digest, that ``move-to`` copies back
into a site that lost its records. ``restore`` on a server says what to do instead.
Skipped, saying so, without a server (CIPCO_TEST_PG)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select, text
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import read_scope, session_scope
from cipco.models.referral import Referral
from cipco.services import demo
from cipco.services.bootstrap import prepare
from cipco.services.move_to import MoveRefused, move_to
from cipco.services.site import assign_site
from tests.conftest import FROZEN_AT
from tests.exhibit_helpers import make_exhibit
from tests.factories import new_referral
from tests.pg_region import RegionDb, make_region_db

LEI, MDI, READER = "t_bk_lei", "t_bk_mdi", "t_bk_region"
runner = CliRunner()
TABLES = ("referral", "exhibit", "exhibit_event", "status_change", "audit_event", "prisoner")


@pytest.fixture
def region() -> Iterator[RegionDb]:
    yield from make_region_db({"LEI": (LEI,), "MDI": (MDI,)}, {READER: ("LEI", "MDI")})


@pytest.fixture(autouse=True)
def _frozen() -> Iterator[None]:
    state.clock = FixedClock(FROZEN_AT)
    yield
    state.clock = None


def _file(path: Path, *, chosen_at: timedelta = timedelta(0), seed: int = 5) -> Path:
    """A prison file for LEI with demo records (its prison chosen at FROZEN_AT + chosen_at)."""
    clock = FixedClock(FROZEN_AT + chosen_at)
    engine = prepare(path)
    with session_scope(engine, actor="cipco", clock=clock) as session:
        assign_site(session, "LEI", clock)
    engine.dispose()
    engine = prepare(path)
    with session_scope(engine, actor="cipco demo", clock=clock) as session:
        demo.generate(session, clock, referrals=20, seed=seed)
        make_exhibit(session, clock, reference="BK/1")
    engine.dispose()
    return path


@pytest.fixture(scope="module")
def _template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _file(tmp_path_factory.mktemp("backup") / "lei.db")


@pytest.fixture
def lei_file(_template: Path, tmp_path: Path) -> Path:
    path = tmp_path / "lei.db"
    shutil.copyfile(_template, path)
    return path


def _move(path: Path, region: RegionDb, database_login: str = LEI) -> object:
    source = prepare(path)
    target = region.cipco(database_login)
    try:
        return move_to(source, target, clock=FixedClock(FROZEN_AT), actor="tester")
    finally:
        source.dispose()
        target.dispose()


def _counts(region: RegionDb, login: str) -> dict[str, int]:
    engine = region.login(login)
    with engine.begin() as connection:
        found = {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in TABLES
        }
    engine.dispose()
    return found


def _file_counts(path: Path) -> dict[str, int]:
    engine = prepare(path)
    with engine.begin() as connection:
        found = {
            table: int(connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one())
            for table in TABLES
        }
    engine.dispose()
    return found


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _ledger(output: str, who: str) -> str:
    line = next(line for line in output.splitlines() if f"Custody ledger, {who}" in line)
    return line.split("·")[-1].strip()


def _server_with_lei_and_mdi(lei_file: Path, region: RegionDb) -> None:
    _move(lei_file, region)
    engine = region.cipco(MDI)
    clock = FixedClock(FROZEN_AT)
    from cipco.db import with_site

    with session_scope(with_site(engine, "MDI"), actor="mdi", clock=clock) as session:
        new_referral(session, clock, nomis="M1111MM", name="OTHER, Site")
    engine.dispose()


def test_backup_of_a_site_is_a_file_verify_accepts_with_the_servers_ledger(
    lei_file: Path, region: RegionDb, tmp_path: Path
) -> None:
    _server_with_lei_and_mdi(lei_file, region)
    out = tmp_path / "site.db"
    code, output = _cli("--db", region.url(LEI), "backup", "--out", str(out))
    assert code == 0, output
    assert _ledger(output, "server:") == _ledger(output, "file:")
    assert out.stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".cipco-*"))  # no temporary file left beside it
    assert _file_counts(out) == _counts(region, LEI)  # the site's records, all of them
    engine = prepare(out)
    with read_scope(engine) as session:
        sites = set(session.scalars(select(Referral.site)))
    engine.dispose()
    assert sites == {"LEI"}  # nothing of another site
    code, verified = _cli("--db", str(out), "verify", "-q")
    assert code == 0, verified
    assert "Chain intact" in verified
    assert _ledger(output, "file:") in verified
    code, site = _cli("--db", str(out), "site")
    assert code == 0 and site.startswith("LEI"), site


def test_the_backup_moved_into_a_site_that_lost_its_records_restores_it(
    lei_file: Path, region: RegionDb, tmp_path: Path
) -> None:
    _move(lei_file, region)
    out = tmp_path / "site.db"
    code, output = _cli("--db", region.url(LEI), "backup", "--out", str(out))
    assert code == 0, output
    before = _counts(region, LEI)
    rebuilt = make_region_db({"LEI": (LEI,)}, {})
    fresh = next(rebuilt)
    try:
        code, moved = _cli("--db", str(out), "move-to", fresh.url(LEI))
        assert code == 0, moved
        assert _counts(fresh, LEI) == before
        assert _ledger(moved, "server:") == _ledger(output, "server:")
    finally:
        rebuilt.close()


def test_the_backup_is_refused_by_the_site_it_came_from_naming_why(
    lei_file: Path, region: RegionDb, tmp_path: Path
) -> None:
    _move(lei_file, region)
    out = tmp_path / "site.db"
    assert _cli("--db", region.url(LEI), "backup", "--out", str(out))[0] == 0
    before = _counts(region, LEI)
    code, output = _cli("--db", str(out), "move-to", region.url(LEI))
    assert code == 1, output
    assert "nothing was copied" in output and "backup made from a server" in output
    assert _counts(region, LEI) == before


def test_another_file_of_the_same_prison_is_refused_not_matched_by_number(
    lei_file: Path, region: RegionDb, tmp_path: Path
) -> None:
    """Two files whose prisons were chosen separately number different records alike: the
    second must not update the first's records by their numbers."""
    _move(lei_file, region)
    other = _file(tmp_path / "other.db", chosen_at=timedelta(days=1), seed=9)
    before = _counts(region, LEI)
    with pytest.raises(MoveRefused, match="not a copy of it"):
        _move(other, region)
    assert _counts(region, LEI) == before


def test_a_login_reading_several_sites_names_the_site_to_back_up(
    lei_file: Path, region: RegionDb, tmp_path: Path
) -> None:
    _server_with_lei_and_mdi(lei_file, region)
    out = tmp_path / "mdi.db"
    code, output = _cli("--db", region.url(READER), "backup", "--out", str(out))
    assert code == 2 and "--site" in output and "LEI, MDI" in output, output
    assert not out.exists()
    code, output = _cli("--db", region.url(READER), "backup", "--site", "mdi", "--out", str(out))
    assert code == 0, output
    assert _file_counts(out)["referral"] == 1
    other = tmp_path / "other.db"
    code, output = _cli("--db", region.url(LEI), "backup", "--site", "MDI", "--out", str(other))
    assert code == 2 and "cannot read site MDI" in output, output
    assert not other.exists()


def test_backup_never_replaces_a_file_and_restore_on_a_server_changes_nothing(
    lei_file: Path, region: RegionDb, tmp_path: Path
) -> None:
    _move(lei_file, region)
    out = tmp_path / "kept.db"
    out.write_bytes(b"mine")
    code, output = _cli("--db", region.url(LEI), "backup", "--out", str(out))
    assert code == 2 and "already exists" in output and "never replaces" in output, output
    assert out.read_bytes() == b"mine"
    before = _counts(region, LEI)
    code, output = _cli("--db", region.url(LEI), "restore", str(lei_file), "--yes")
    assert code == 2, output
    assert "move-to" in output and "nothing was changed" in output
    assert _counts(region, LEI) == before
