"""Ids a bulk write gives its rows come from ``reserve_ids`` (cipco/db.py): the table's own
sequence on PostgreSQL, the highest id + 1 under the write lock on SQLite. Two sites importing
into one database get distinct ids and both imports land, on both backends (on PostgreSQL
each site as its own login, which row-level security shows only its own rows)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select

from cipco.clock import FixedClock
from cipco.db import reserve_ids, session_scope, with_site
from cipco.models.exhibit import Exhibit, ExhibitCreate, ExhibitEvent, ExhibitType
from cipco.models.mg4d import ChargePapers, ServiceEvent
from cipco.models.people import Prisoner
from cipco.services import chain, exhibits
from cipco.services.bootstrap import prepare
from cipco.services.id_blocks import IdBlock
from cipco.spreadsheets.importers import run_import
from cipco.spreadsheets.logs import IMPORTS
from tests.conftest import FROZEN_AT
from tests.import_helpers import workbook

BOTH = pytest.mark.parametrize("backend", ["sqlite", "postgresql"], indirect=True)
SITES = ("LEI", "MDI")
EXHIBIT_HEADER = [
    "Exhibit No.",
    "Description",
    "Date seized",
    "Time seized",
    "Seized by",
    "Seal/Bag No.",
    "Date collected",
    "Collected by",
    "Collar no",
    "Force",
]
MG4D_HEADER = [
    "Prison No.",
    "Name",
    "Charge(s)",
    "Date Rec'd",
    "Date served",
    "Time served",
    "Served by",
    "Signed? Y/N/Refused",
]


def _exhibit_log(path: Path, site: str, rows: int, first: int = 1) -> Path:
    """``rows`` exhibits (LE/1, LE/2 … at LEI); every other one collected by the police."""
    body = [
        [
            f"{site[0]}E/{n}",
            f"{site} item {n}",
            f"{1 + n % 28:02d}/10/2026",
            "09:30",
            "SO Smith",
            f"S{n}",
            f"{1 + n % 28:02d}/10/2026 15:00" if n % 2 else None,
            "DC Collins" if n % 2 else None,
            "1234" if n % 2 else None,
            "West Yorkshire" if n % 2 else None,
        ]
        for n in range(first, first + rows)
    ]
    return workbook(path, EXHIBIT_HEADER, body, title=f"HMP {site}")


def _mg4d_log(path: Path, site: str, rows: int) -> Path:
    body = [
        [
            f"A{1000 + n}{site[:2]}",
            f"{site} prisoner {n}",
            f"Charge {n}",
            "02/11/2026",
            "03/11/2026" if n % 2 else None,
            "14:35" if n % 2 else None,
            "SO Smith" if n % 2 else None,
            "Y" if n % 2 else None,
        ]
        for n in range(rows)
    ]
    return workbook(path, MG4D_HEADER, body, title=f"HMP {site}")


def _import(engine: Engine, log: str, path: Path) -> None:
    summary = run_import(engine, IMPORTS[log], path, clock=FixedClock(FROZEN_AT), actor="tester")
    assert summary.rejected == 0, summary.counts_line()
    assert summary.imported > 0


def _ids(engine: Engine, model: Any) -> list[int]:
    with session_scope(engine, write=False) as session:
        return sorted(session.scalars(select(model.id)))


@pytest.fixture
def site_engines(backend: str, tmp_path: Path) -> Iterator[tuple[Engine, Engine, Engine]]:
    """(LEI's engine, MDI's engine, an engine that sees both sites' rows)."""
    if backend == "postgresql":
        from tests.pg_region import make_region_db

        logins = {"LEI": ("t_lei_ids",), "MDI": ("t_mdi_ids",)}
        for region in make_region_db(logins, {}):
            from cipco import pg_security
            from cipco.config import ServerDb
            from cipco.dbfile import Access

            # as a coordinator's cipco opens the server: each login's site, its own rows
            lei, mdi = (
                prepare(ServerDb(region.url(login)), Access.WRITE)
                for login in ("t_lei_ids", "t_mdi_ids")
            )
            everything = pg_security.admin_engine(region.admin)
            try:
                yield lei, mdi, everything
            finally:
                for engine in (lei, mdi, everything):
                    engine.dispose()
        return
    # one SQLite file written as two sites (engines stamping rows with each site)
    engine = prepare(tmp_path / "two-sites.db")
    try:
        yield with_site(engine, "LEI"), with_site(engine, "MDI"), engine
    finally:
        engine.dispose()


@BOTH
def test_two_sites_importing_exhibits_get_distinct_ids_and_both_imports_land(
    site_engines: tuple[Engine, Engine, Engine], tmp_path: Path
) -> None:
    lei, mdi, everything = site_engines
    # interleaved: each site's second import comes after the other site wrote
    _import(lei, "exhibits", _exhibit_log(tmp_path / "lei1.xlsx", "LEI", 6))
    _import(mdi, "exhibits", _exhibit_log(tmp_path / "mdi1.xlsx", "MDI", 5))
    _import(lei, "exhibits", _exhibit_log(tmp_path / "lei2.xlsx", "LEI", 3, first=7))
    _import(mdi, "exhibits", _exhibit_log(tmp_path / "mdi2.xlsx", "MDI", 4, first=6))
    _import(lei, "mg4d", _mg4d_log(tmp_path / "lei.xlsx", "LEI", 4))
    _import(mdi, "mg4d", _mg4d_log(tmp_path / "mdi.xlsx", "MDI", 3))

    for model, expected in ((Exhibit, 18), (ExhibitEvent, 28), (ChargePapers, 7)):
        ids = _ids(everything, model)
        assert len(ids) == len(set(ids)) == expected, model.__name__
    with session_scope(everything, write=False) as session:
        by_site = dict(
            session.execute(select(Exhibit.site, func.count()).group_by(Exhibit.site)).all()
        )
        assert by_site == {"LEI": 9, "MDI": 9}
        described = set(session.scalars(select(Exhibit.description)))
        assert {"LEI item 9", "MDI item 9"} <= described
        served = session.scalar(select(func.count()).select_from(ServiceEvent))
        assert served == 3  # every other paper was served (2 at LEI, 1 at MDI)
    for site, engine in zip(SITES, (lei, mdi), strict=True):
        with session_scope(engine, write=False) as session:
            report = chain.verify(session)
            assert report.ok, report
        # an ordinary insert afterwards is not given a reserved id
        with session_scope(engine, actor="tester", clock=FixedClock(FROZEN_AT)) as session:
            made = exhibits.create_exhibit(
                session=session,
                data=ExhibitCreate(
                    reference=f"Z{site[0]}/1",
                    exhibit_type=ExhibitType.OTHER,
                    description="After the imports",
                    seized_by="SO Smith",
                    seized_at=FROZEN_AT,
                ),
                clock=FixedClock(FROZEN_AT),
            )
            assert made.id is not None
    assert len(set(_ids(everything, Exhibit))) == 20


@BOTH
def test_reserved_ids_are_never_given_twice(engine: Engine, clock: FixedClock) -> None:
    with session_scope(engine, actor="tester", clock=clock) as session:
        first = reserve_ids(session, Prisoner, 3)
        second = reserve_ids(session, Prisoner, 2)
        assert first == sorted(first) and len(set(first + second)) == 5
        assert min(second) > max(first)
        assert reserve_ids(session, Prisoner, 0) == []
        block = IdBlock(session, Prisoner, size=2)
        taken = [block.take() for _ in range(3)]  # a second block when the first runs out
        assert len(set(taken)) == 3 and min(taken) > max(second)
        block.release()
        session.add(Prisoner(nomis_number="A1234BC", name="After", created_at=clock.now()))
        session.flush()
        ordinary = session.scalar(select(Prisoner.id).where(Prisoner.nomis_number == "A1234BC"))
        # the server's sequence never gives a reserved id; SQLite numbers on after the rows
        # written (none of the reserved ids was written here)
        if engine.dialect.name == "postgresql":
            assert ordinary not in first + second + taken
        assert reserve_ids(session, Prisoner, 1)[0] > (ordinary or 0)


@BOTH
def test_a_paper_the_services_record_mid_import_does_not_take_a_batched_papers_id(
    engine: Engine, tmp_path: Path
) -> None:
    # the second row renames its prisoner: it goes through the services (an ordinary
    # insert); the rows either side are batched with ids given explicitly
    rows = [
        ["A1111AA", "Smith, John", "Assault", "02/11/2026", None, None, None, None],
        ["A1111AA", "Smith, Jon", "Threats", "03/11/2026", None, None, None, None],
        ["B2222BB", "Jones, Ann", "Theft", "04/11/2026", "05/11/2026", "14:35", "SO Carr", "Y"],
        ["C3333CC", "Brown, Al", "Drugs", "04/11/2026", None, None, None, None],
    ]
    _import(engine, "mg4d", workbook(tmp_path / "mg4d.xlsx", MG4D_HEADER, rows))
    with session_scope(engine, write=False) as session:
        papers = session.execute(select(ChargePapers.id, ChargePapers.charges)).all()
        assert sorted(charges for _id, charges in papers) == [
            "Assault",
            "Drugs",
            "Theft",
            "Threats",
        ]
        assert len({paper_id for paper_id, _ in papers}) == 4
        names = dict(session.execute(select(Prisoner.nomis_number, Prisoner.name)).all())
        assert names["A1111AA"] == "Smith, Jon"
