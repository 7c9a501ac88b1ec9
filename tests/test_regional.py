"""The regional view over several sites' rows: one person per prison number with history
at each site, trigger points, releases within 8 months, each prison's figures side by side."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from cipco.clock import FixedClock
from cipco.db import read_scope
from cipco.services import regional
from cipco.services.measures import MEASURES, Period, figures, figures_by_site
from tests.pdf_helpers import read_pages
from tests.regional_helpers import (
    add_cases,
    add_nominal,
    add_referred,
    add_trigger,
    writing_at,
)

OCTOBER = Period.month(date(2026, 10, 1))
NOVEMBER = Period.month(date(2026, 11, 1))


@pytest.fixture
def region(engine: Engine, clock: FixedClock) -> Engine:
    """LEI and MDI: A1111AA was Band 1 at LEI and moved to MDI (Band 2 there); B2222BB is
    Band 2 at MDI; C3333CC is not banded."""
    now = clock.now()
    with writing_at(engine, "LEI", clock) as session:
        old = add_nominal(session, clock, "A1111AA", "JONES, Tom", 1, location="MDI")
        add_trigger(session, clock, old, now - timedelta(days=5))  # not told, overdue
        add_nominal(session, clock, "C3333CC", "NOBODY, Not", None)
        for day in (3, 9):
            add_referred(session, clock, "A1111AA", datetime(2026, 10, day, 12, tzinfo=UTC))
    clock.advance(timedelta(days=1))
    with writing_at(engine, "MDI", clock) as session:
        add_nominal(session, clock, "A1111AA", "JONES, Tom", 2, release=date(2027, 2, 1))
        add_nominal(session, clock, "B2222BB", "BROWN, Bo", 2, release=date(2027, 9, 1))
        add_referred(session, clock, "A1111AA", datetime(2026, 10, 20, 12, tzinfo=UTC))
    return engine


def test_a_prisoner_known_at_two_sites_is_one_person_with_history_at_each(
    region: Engine, clock: FixedClock
) -> None:
    with read_scope(region, clock=clock) as session:
        found = regional.nominals(session)
    assert [n.nomis_number for n in found] == ["A1111AA", "B2222BB"]  # C3333CC not banded
    tom = found[0]
    assert tom.band == 1 and tom.sites == ["MDI", "LEI"]  # most recently known first
    assert tom.current.site == "MDI" and tom.release_date == date(2027, 2, 1)
    mdi, lei = tom.history
    assert (lei.band, lei.location, lei.referrals, lei.trigger_points) == (1, "MDI", 2, 1)
    assert (mdi.band, mdi.referrals, mdi.trigger_points) == (2, 1, 0)
    assert lei.text.startswith("LEI: Band 1, MDI, 2 referrals, 1 trigger point")


def test_trigger_points_and_releases_within_eight_months(region: Engine, clock: FixedClock) -> None:
    with read_scope(region, clock=clock) as session:
        points = regional.trigger_points(session, clock)
        leaving = regional.releases(session, clock)
    assert [(p.site, p.nomis_number, p.state) for p in points] == [("LEI", "A1111AA", "overdue")]
    # Tom leaves MDI on 1 February 2027; Bo's 1 September 2027 is beyond 8 months.
    assert [(r.site, r.nomis_number, r.release_date) for r in leaving] == [
        ("MDI", "A1111AA", date(2027, 2, 1))
    ]
    with read_scope(region, clock=clock) as session:
        summary = regional.people(session, clock).summary
    assert (summary.nominals, summary.band1, summary.notifications_overdue) == (2, 1, 1)
    assert summary.text == (
        "2 SOC nominals (1 Band 1) · 1 SOC unit notification(s) overdue · "
        "1 release(s) within 8 months"
    )


def test_each_prisons_figures_side_by_side_come_from_its_own_rows(
    region: Engine, clock: FixedClock
) -> None:
    with read_scope(region, clock=clock) as session:
        columns = regional.site_columns(session, OCTOBER, clock)
    assert [c.site.code for c in columns] == ["LEI", "MDI"]
    made = regional.SITE_MEASURES.index("referrals_made")
    assert [c.figures[made].value for c in columns] == [2, 1]
    assert regional.region_total(columns, made) == "3"
    for column in columns:
        for figure in column.figures:
            figure.check()
    lei, mdi = columns
    assert lei.overdue.get("persons") == 1  # the SOC unit not told of the escort
    assert mdi.overdue.get("persons", 0) == 0


@pytest.fixture
def busy(engine: Engine, clock: FixedClock) -> Engine:
    """LEI and MDI with cases of every kind a figure counts (MDI more of them, and its own
    victim-update setting: 2 working days, so its victims told after 3 are told late)."""
    from cipco.services import settings

    for index, (code, count) in enumerate((("LEI", 1), ("MDI", 2))):
        with writing_at(engine, code, clock) as session:
            if code == "MDI":
                settings.set_value(session, "victim_update_working_days", 2)
            add_cases(session, clock, index, count)
    return engine


def _seen(found: list) -> list[tuple]:
    return [(f.key, f.value, f.of, f.parts) for f in found]


def test_each_prisons_column_is_the_figures_of_its_own_report(
    busy: Engine, clock: FixedClock
) -> None:
    """Every measure, computed for every site at once, gives each site what its own report
    gives over its rows alone (HMI: no rows at all)."""
    keys = list(MEASURES)
    codes = ["LEI", "MDI", "HMI"]
    with read_scope(busy, clock=clock) as session:
        for period in (OCTOBER, NOVEMBER):
            together = figures_by_site(session, keys, period, clock, codes)
            for code in codes:
                with regional.at_site(session, code):
                    alone = figures(session, keys, period, clock)
                assert _seen(together[code]) == _seen(alone), (code, period.label)
                for figure in together[code]:
                    figure.check()
        october = figures_by_site(session, keys, OCTOBER, clock, codes)
    lei, mdi, hmi = ({f.key: f for f in october[code]} for code in codes)
    assert (lei["referrals_made"].value, mdi["referrals_made"].value) == (4, 8)
    assert (lei["convictions"].value, mdi["convictions"].value) == (1, 2)
    assert (lei["r1_police_contact"].value, lei["r1_police_contact"].of) == (1, 1)
    assert (mdi["r1_police_contact"].value, mdi["r1_police_contact"].of) == (1, 2)
    # told 3 working days after the decision: in time at LEI (5), late at MDI (its 2)
    assert dict(lei["r7_victims"].parts)["in time"] == 2
    assert dict(mdi["r7_victims"].parts)["told late"] == 4
    assert hmi["referrals_made"].value == 0 and hmi["r7_victims"].text == "n/a (none)"


def test_one_site_by_site_is_its_figures_on_a_demo_file(demo_db: Path, clock: FixedClock) -> None:
    from cipco.services.bootstrap import prepare

    engine = prepare(demo_db)
    keys = list(MEASURES)
    try:
        with read_scope(engine, clock=clock) as session:
            for period in OCTOBER.series(3):
                alone = figures(session, keys, period, clock)
                assert alone[0].value
                by_site = figures_by_site(session, keys, period, clock, ["LEI"])
                assert _seen(by_site["LEI"]) == _seen(alone)
    finally:
        engine.dispose()


def test_months_after_keeps_the_day_or_the_months_last() -> None:
    assert regional.months_after(date(2026, 11, 18), 8) == date(2027, 7, 18)
    assert regional.months_after(date(2026, 6, 30), 8) == date(2027, 2, 28)


def test_report_regional_writes_each_prison_side_by_side_and_one_row_per_person(
    region: Engine, clock: FixedClock, db_path: Path, tmp_path: Path
) -> None:
    from openpyxl import load_workbook
    from typer.testing import CliRunner

    from cipco.cli import app
    from cipco.cli.common import state

    region.dispose()
    out = tmp_path / "region.pdf"
    state.clock = clock
    try:
        result = CliRunner().invoke(
            app,
            ["--db", str(db_path), "report", "regional", "--month", "2026-10", "--out", str(out)],
        )
    finally:
        state.clock = None
        state.db_option = None
    assert result.exit_code == 0, result.output
    assert "2 SOC nominals (1 Band 1)" in result.output
    assert out.exists() and out.with_suffix(".xlsx").exists()
    book = load_workbook(out.with_suffix(".xlsx"))
    figures = [row for row in book["Figures"].iter_rows(values_only=True) if row[0]]
    header = next(row for row in figures if row[0] == "Prison")
    by_site = {row[0]: dict(zip(header, row, strict=True)) for row in figures}
    assert (by_site["LEI"]["Referred"], by_site["MDI"]["Referred"]) == ("2", "1")
    assert by_site["Region"]["Referred"] == "3"
    nominals = [row for row in book["Nominals"].iter_rows(values_only=True) if row[0]]
    tom = [row for row in nominals if row[0] == "A1111AA"]
    assert len(tom) == 1 and tom[0][3] == "MDI"
    assert "MDI: Band 2" in tom[0][6] and "LEI: Band 1" in tom[0][6]
    points = [row for row in book["Trigger points"].iter_rows(values_only=True) if row[0]]
    assert any(row[1] == "A1111AA" and row[7] == "OVERDUE: not told" for row in points)
    pages = read_pages(out)
    assert "Regional report: October 2026" in pages[0].text
    assert all("OFFICIAL-SENSITIVE" in page.bottom for page in pages)


def test_on_a_server_the_regional_roles_columns_are_each_site_logins_own_figures() -> None:
    """On PostgreSQL the regional role reads both sites through row-level security; each
    site's column is what that site's own login computes (skipped without a server)."""
    from sqlmodel import Session

    from cipco.db import SITE_OPTION
    from cipco.services import settings
    from tests.conftest import FROZEN_AT
    from tests.pg_region import make_region_db

    clock = FixedClock(FROZEN_AT)
    logins = {"LEI": "t_lei_cath", "MDI": "t_mdi_dan"}
    made = make_region_db({c: (login,) for c, login in logins.items()}, {"t_rg": ("LEI", "MDI")})
    region = next(made)
    try:
        for index, (code, login) in enumerate(logins.items()):
            engine = region.login(login).execution_options(**{SITE_OPTION: code})
            with Session(engine) as session:
                session.info.update(actor=login, clock=clock)
                if code == "MDI":
                    settings.set_value(session, "victim_update_working_days", 2)
                add_cases(session, clock, index, index + 1)
                session.commit()
            engine.dispose()
        keys = list(MEASURES)
        reader = region.login("t_rg")
        with read_scope(reader, clock=clock) as session:
            codes = [site.code for site in regional.sites(session)]
            together = figures_by_site(session, keys, OCTOBER, clock, codes)
        reader.dispose()
        assert codes == ["LEI", "MDI"]
        for code, login in logins.items():
            engine = region.login(login)
            with read_scope(engine, clock=clock) as session:
                alone = figures(session, keys, OCTOBER, clock)
            engine.dispose()
            assert _seen(together[code]) == _seen(alone), code
        told = [dict(together[c][keys.index("r7_victims")].parts) for c in codes]
        assert (told[0]["in time"], told[1]["told late"]) == (2, 4)
    finally:
        made.close()
