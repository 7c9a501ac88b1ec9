"""Every record belongs to a site: stamped on insert, chosen once, unique references per site."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cipco.clock import FixedClock
from cipco.db import session_scope, site_of
from cipco.models import Referral
from cipco.services.bootstrap import prepare
from cipco.services.site import SiteError, assign_site, file_site, site_tables
from tests.chain_helpers import RAW_ERRORS, raw
from tests.conftest import TEST_SITE
from tests.factories import new_referral


def test_rows_are_stamped_with_the_files_site(engine: Engine, clock: FixedClock) -> None:
    assert site_of(engine) == TEST_SITE
    with session_scope(engine, actor="tester", clock=clock) as session:
        referral = new_referral(session, clock)
    with session_scope(engine) as session:
        stored = session.get(Referral, referral.id)
        assert stored is not None and stored.site == TEST_SITE


def test_assigning_a_site_stamps_every_row_once(tmp_path: Path, clock: FixedClock) -> None:
    path = tmp_path / "new.db"
    engine = prepare(path)
    assert site_of(engine) == ""
    with session_scope(engine, actor="tester", clock=clock) as session:
        new_referral(session, clock)
    with session_scope(engine, actor="tester", clock=clock) as session:
        site = assign_site(session, "mdi", clock)
        assert site.code == "MDI" and site.name
    engine = prepare(path)
    assert site_of(engine) == "MDI"
    with sqlite3.connect(path) as conn:
        for model in site_tables():
            table = model.__tablename__  # type: ignore[attr-defined]
            blank = conn.execute(f"SELECT count(*) FROM {table} WHERE site = ''").fetchone()[0]
            assert blank == 0, table
        assert conn.execute("SELECT site FROM referral").fetchone()[0] == "MDI"
    with session_scope(engine, actor="tester", clock=clock) as session:
        with pytest.raises(SiteError, match="already belongs to MDI"):
            assign_site(session, "LEI", clock)
        assert file_site(session) is not None


def test_an_unknown_prison_code_is_refused(tmp_path: Path, clock: FixedClock) -> None:
    engine = prepare(tmp_path / "new.db")
    with session_scope(engine, clock=clock) as session, pytest.raises(SiteError, match="XXX"):
        assign_site(session, "XXX", clock)


def test_references_are_unique_per_site(engine: Engine, clock: FixedClock, db_path: Path) -> None:
    with session_scope(engine, actor="tester", clock=clock) as session:
        referral = new_referral(session, clock)
        reference = referral.reference
    conn = raw(db_path)
    try:
        # the same reference at another site is allowed; twice at one site is not
        row = conn.execute("SELECT * FROM referral WHERE reference = ?", (reference,)).fetchone()
        columns = [d[0] for d in conn.execute("SELECT * FROM referral").description]
        values = [json.dumps(v) if isinstance(v, dict | list) else v for v in row]
        copy = dict(zip(columns, values, strict=True)) | {"site": "MDI"}
        del copy["id"]
        names = ", ".join(copy)
        marks = ", ".join("?" for _ in copy)
        conn.execute(f"INSERT INTO referral ({names}) VALUES ({marks})", list(copy.values()))
        conn.commit()
        copy["site"] = TEST_SITE
        with pytest.raises(RAW_ERRORS, match=r"(?i)unique"):
            conn.execute(f"INSERT INTO referral ({names}) VALUES ({marks})", list(copy.values()))
    finally:
        conn.close()
    with session_scope(engine) as session:
        sites = sorted(
            session.scalars(select(Referral.site).where(Referral.reference == reference))
        )
    assert sites == sorted(["MDI", TEST_SITE])


def test_site_command_shows_and_sets_once(tmp_path: Path) -> None:
    from cipco.cli import app

    runner = CliRunner()
    db = str(tmp_path / "cli.db")
    prepare(db).dispose()  # site only reads or sets: it never creates a file
    result = runner.invoke(app, ["--db", db, "site"])
    assert result.exit_code == 0 and "No prison chosen" in result.output
    result = runner.invoke(app, ["--db", db, "site", "LEI"])
    assert result.exit_code == 0 and "LEI Leeds" in result.output
    result = runner.invoke(app, ["--db", db, "site", "MDI"])
    assert result.exit_code == 2 and "cannot change" in result.output
