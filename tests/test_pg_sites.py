"""On a regional PostgreSQL server the database keeps each site's rows to its own logins:
row-level security (forced) over role membership, checked here with raw SQL as each login.
Skipped, saying so, without a server (CIPCO_TEST_PG)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from cipco import pg_security
from cipco.clock import FixedClock
from cipco.db import SITE_OPTION
from tests.conftest import FROZEN_AT
from tests.factories import new_referral
from tests.pg_region import RegionDb, make_region_db
from tests.regional_helpers import add_nominal

SITES = {"LEI": ("t_lei_anne",), "MDI": ("t_mdi_bob",)}
REGIONAL = {"t_yh_region": ("LEI", "MDI")}


@pytest.fixture(scope="module")
def region() -> Iterator[RegionDb]:
    yield from make_region_db(SITES, REGIONAL)


@pytest.fixture(scope="module")
def filled(region: RegionDb) -> RegionDb:
    """Two referrals at LEI and one at MDI, each written by its own site's login."""
    clock = FixedClock(FROZEN_AT)
    for login, site, refs in (("t_lei_anne", "LEI", 2), ("t_mdi_bob", "MDI", 1)):
        engine = region.login(login).execution_options(**{SITE_OPTION: site})
        with Session(engine) as session:
            session.info.update(actor=login, clock=clock)
            for n in range(refs):
                new_referral(session, clock, nomis=f"A{n}234BC", name=f"{site} prisoner {n}")
            add_nominal(session, clock, "A0234BC", f"{site} prisoner 0", 1 if site == "LEI" else 2)
            session.commit()
        engine.dispose()
    return region


def _one(region: RegionDb, login: str, sql: str) -> object:
    engine = region.login(login)
    try:
        with engine.begin() as connection:
            return connection.execute(text(sql)).scalar()
    finally:
        engine.dispose()


def _refused(region: RegionDb, login: str, sql: str) -> str:
    engine = region.login(login)
    try:
        with pytest.raises(DBAPIError) as caught, engine.begin() as connection:
            connection.execute(text(sql))
        return str(caught.value.orig)
    finally:
        engine.dispose()


def _rowcount(region: RegionDb, login: str, sql: str) -> int:
    engine = region.login(login)
    try:
        with engine.begin() as connection:
            return int(connection.execute(text(sql)).rowcount)
    finally:
        engine.dispose()


def test_a_site_login_reads_only_its_own_rows_even_asking_for_another_site(
    filled: RegionDb,
) -> None:
    assert _one(filled, "t_lei_anne", "SELECT count(*) FROM referral") == 2
    assert _one(filled, "t_mdi_bob", "SELECT count(*) FROM referral") == 1
    assert _one(filled, "t_lei_anne", "SELECT count(*) FROM referral WHERE site = 'MDI'") == 0
    assert _one(filled, "t_lei_anne", "SELECT count(*) FROM prisoner WHERE site <> 'LEI'") == 0
    assert _one(filled, "t_lei_anne", "SELECT string_agg(code, ',') FROM site") == "LEI"


def test_a_site_login_cannot_change_another_sites_rows(filled: RegionDb) -> None:
    assert (
        _rowcount(filled, "t_lei_anne", "UPDATE referral SET notes = 'x' WHERE site = 'MDI'") == 0
    )
    assert _rowcount(filled, "t_lei_anne", "DELETE FROM status_change WHERE site = 'MDI'") == 0
    assert "row-level security" in _refused(
        filled, "t_lei_anne", "UPDATE referral SET site = 'MDI'"
    )
    assert "row-level security" in _refused(
        filled,
        "t_lei_anne",
        "INSERT INTO setting (site, key, value) VALUES ('MDI', 'write_wait_seconds', '5')",
    )
    # MDI's referral is untouched.
    assert _one(filled, "t_mdi_bob", "SELECT count(*) FROM referral WHERE notes = 'x'") == 0


def test_a_site_login_cannot_make_itself_another_site(filled: RegionDb) -> None:
    assert "permission denied" in _refused(filled, "t_lei_anne", "SET ROLE cipco_site_mdi")
    assert "must be owner" in _refused(
        filled, "t_lei_anne", "ALTER TABLE referral DISABLE ROW LEVEL SECURITY"
    )
    assert "admin option" in _refused(filled, "t_lei_anne", "GRANT cipco_site_mdi TO t_lei_anne")
    # No setting chooses the site: only role membership does.
    engine = filled.login("t_lei_anne")
    with engine.begin() as connection:
        connection.execute(text("SELECT set_config('cipco.site', 'MDI', true)"))
        assert connection.execute(text("SELECT count(*) FROM referral")).scalar() == 2
        assert pg_security.visible_sites(connection) == (["LEI"], ["LEI"])
    engine.dispose()


def test_the_regional_role_reads_its_sites_and_cannot_write(filled: RegionDb) -> None:
    assert _one(filled, "t_yh_region", "SELECT count(*) FROM referral") == 3
    assert _one(filled, "t_yh_region", "SELECT string_agg(code, ',' ORDER BY code) FROM site") == (
        "LEI,MDI"
    )
    for sql in (
        "UPDATE referral SET notes = 'x'",
        "DELETE FROM referral",
        "INSERT INTO setting (site, key, value) VALUES ('LEI', 'a', 'b')",
        "UPDATE prison SET name = 'x'",
    ):
        assert "permission denied" in _refused(filled, "t_yh_region", sql)


def test_coordinators_are_neither_owners_nor_superusers_and_every_site_table_is_forced(
    filled: RegionDb,
) -> None:
    engine = filled.login("t_lei_anne")
    with engine.begin() as connection:
        row = connection.execute(
            text(
                "SELECT rolsuper, rolbypassrls, rolcreaterole FROM pg_roles "
                "WHERE rolname = current_user"
            )
        ).one()
        owners = connection.execute(
            text("SELECT count(*) FROM pg_tables WHERE tableowner = current_user")
        ).scalar()
        report = pg_security.security_report(connection)
    engine.dispose()
    assert tuple(row) == (False, False, False) and owners == 0
    tables = {name for name, *_ in report}
    assert {"referral", "exhibit_event", "prisoner", "setting", "site"} <= tables
    assert all(on and forced and policies == 5 for _, on, forced, policies in report), report


def test_the_regional_view_joins_a_person_across_the_sites_the_role_reads(
    filled: RegionDb,
) -> None:
    from cipco.db import read_scope
    from cipco.services import regional

    for login, codes, histories in (
        ("t_yh_region", ["LEI", "MDI"], ["LEI", "MDI"]),
        ("t_lei_anne", ["LEI"], ["LEI"]),
    ):
        engine = filled.cipco(login)
        with read_scope(engine) as session:
            shown = [site.code for site in regional.sites(session)]
            people = regional.nominals(session)
        engine.dispose()
        assert shown == codes, login
        assert [n.nomis_number for n in people] == ["A0234BC"], login
        assert sorted(people[0].sites) == histories, login
        assert people[0].band == 1


def test_a_coordinator_cannot_migrate_the_server(filled: RegionDb) -> None:
    from cipco.pg_security import RoleError
    from cipco.services.regional_setup import migrate_server

    with pytest.raises(RoleError) as refused:
        migrate_server(filled.url("t_lei_anne"))
    assert "t_lei_anne does not own the tables (cipco_test_owner does)" in str(refused.value)


def test_cipco_site_names_every_prison_a_regional_login_reads(filled: RegionDb) -> None:
    from tests.db_cases import invoke

    assert invoke("--db", filled.url("t_lei_anne"), "site") == (0, "LEI Leeds\n")
    code, output = invoke("--db", filled.url("t_yh_region"), "site")
    assert (code, output.splitlines()) == (
        0,
        ["This login reads 2 prisons:", "LEI Leeds", "MDI Moorland"],
    )
    code, output = invoke("--db", filled.url("t_yh_region"), "site", "LEI")
    assert code == 2
    assert output.strip() == (
        "cipco: this login reads several prisons (a regional login); it has none to choose"
    )


def test_verify_as_the_regional_login_gives_each_prisons_ledger_anchor(region: RegionDb) -> None:
    from cipco.db import read_scope, session_scope, with_site
    from cipco.services.chain_verify import verify
    from tests.exhibit_helpers import make_exhibit

    clock = FixedClock(FROZEN_AT)
    own: dict[str, str] = {}
    for login, site, count in (("t_lei_anne", "LEI", 2), ("t_mdi_bob", "MDI", 1)):
        engine = with_site(region.cipco(login), site)
        with session_scope(engine, actor=login, clock=clock) as session:
            for n in range(count):
                make_exhibit(session, clock, reference=f"{site}/{n}")
        with read_scope(engine, clock=clock) as session:
            mine = verify(session)
            assert mine.ok and [a.site for a in mine.anchors] == [site]
            own[site] = mine.anchors[0].line()
        engine.dispose()
    regional = region.cipco("t_yh_region")
    try:
        with read_scope(regional, clock=clock) as session:
            report = verify(session)
    finally:
        regional.dispose()
    assert report.ok and report.exhibits == 3
    assert [a.site for a in report.anchors] == ["LEI", "MDI"]
    for each in report.anchors:
        assert each.line() == own[each.site]  # the same count, digest and time as its own
        assert each.site_line().startswith(f"Custody ledger of {each.site}: ")
    assert report.anchors[0].count == 2 and report.anchors[1].count == 1


def test_cipco_verify_and_ledger_as_the_regional_login_name_each_prisons_anchor(
    region: RegionDb, tmp_path: Path
) -> None:
    from cipco.db import session_scope, with_site
    from tests.db_cases import invoke
    from tests.exhibit_helpers import make_exhibit

    clock = FixedClock(FROZEN_AT)
    for login, site in (("t_lei_anne", "LEI"), ("t_mdi_bob", "MDI")):
        engine = with_site(region.cipco(login), site)
        with session_scope(engine, actor=login, clock=clock) as session:
            make_exhibit(session, clock, reference=f"{site}/9")
        engine.dispose()
    own = invoke("--db", region.url("t_mdi_bob"), "ledger")[1].splitlines()[0]
    code, output = invoke("--db", region.url("t_yh_region"), "verify")
    lines = output.splitlines()
    assert code == 0, output
    mdi = next(line for line in lines if line.startswith("Custody ledger of MDI: "))
    same = mdi.replace("Custody ledger of MDI: ", "Custody ledger ")
    assert same.split(" · ")[:2] == own.split(" · ")[:2]  # count and digest (not the minute)
    assert any(line.startswith("Custody ledger of LEI: ") for line in lines)
    token = own.split(" · ")[1]
    code, output = invoke("--db", region.url("t_yh_region"), "verify", "--against", token)
    assert code == 2 and "check an anchor with that prison's own login" in output
    code, output = invoke("--db", region.url("t_mdi_bob"), "verify", "--against", token)
    assert code == 0, output
    listing = tmp_path / "ledger.txt"
    code, output = invoke("--db", region.url("t_yh_region"), "ledger", "--out", str(listing))
    assert code == 2 and not listing.exists()
