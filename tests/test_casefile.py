"""`cipco casefile REF`: the police case file read back as police will read it."""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, select
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import read_scope, session_scope
from cipco.models.exhibit import Exhibit, ExhibitEvent
from cipco.models.people import PrisonerIn
from cipco.models.person import PersonCreate
from cipco.services.demo_casefile import SUSPECT, VICTIM, WITNESSES, casefile_referral
from cipco.services.ledger import anchor
from tests.pdf_helpers import read_pages

runner = CliRunner()
REF = "REF-2026-9001"
NAMES = [SUSPECT[0], VICTIM, *(name for name, _ in WITNESSES)]


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


@pytest.fixture
def case_db(engine: Engine, clock: FixedClock, db_path: Path) -> Path:
    with session_scope(engine, actor="tester", clock=clock) as session:
        casefile_referral(session, clock, reference=REF)
    engine.dispose()
    return db_path


def cli(db: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.output


def build(db: Path, out: Path, *extra: str) -> tuple[Path, Path]:
    code, output = cli(db, "casefile", REF, "--out", str(out), *extra)
    assert code == 0, output
    return out.with_suffix(".pdf"), out.with_suffix(".xlsx")


def hashes(engine: Engine) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    with read_scope(engine) as session:
        for reference, event_hash in session.execute(
            select(Exhibit.reference, ExhibitEvent.hash)
            .join(Exhibit, Exhibit.id == ExhibitEvent.exhibit_id)
            .order_by(ExhibitEvent.id)
        ):
            found.setdefault(reference, []).append(event_hash)
    return found


def test_the_pdf_carries_everything_police_need(case_db: Path, tmp_path: Path) -> None:
    from cipco.services.bootstrap import prepare

    pdf, workbook = build(case_db, tmp_path / "case.pdf")
    pages = read_pages(pdf)
    total = len(pages)
    assert total >= 5
    for page in pages:
        for band in (page.top, page.bottom):
            assert "OFFICIAL-SENSITIVE" in band and f"page {page.number} of {total}" in band
        assert f"page {page.number} of {total} · OFFICIAL-SENSITIVE" in page.bottom
    text = " ".join(page.text for page in pages)
    engine = prepare(case_db)
    events = hashes(engine)
    with read_scope(engine, clock=state.get_clock()) as session:
        ledger = anchor(session)
    engine.dispose()
    assert sorted(events) == ["JB/1", "JB/2", "JB/3", "JB/4"]
    for reference, chain in events.items():
        assert f"Exhibit {reference}" in text
        assert len(chain) >= 6
        for event_hash in chain:  # every event, with its hash
            assert f"Hash: {event_hash}" in text, (reference, event_hash)
    cover = pages[0].text
    for expected in (
        REF,
        "Leeds (LEI)",
        "DC Ana Muñoz · 4471",
        "13/26/004471",
        "Status Charged",
        "Protective marking OFFICIAL-SENSITIVE",
        f"Custody ledger {ledger.count:,} events",
        "Produced 18/11/2026 10:00 by tester",
    ):
        assert expected in cover, expected
    assert ledger.digest in cover.replace(" ", "")
    for name in NAMES:
        assert name in text, name
    assert "Ó" in text and "Ł" in text and "Ş" in text and "Ő" in text
    assert "CCTV Held CCTV exhibit JB/1" in text  # a linked exhibit is held evidence
    assert "Prison Community Impact Statement Outstanding" in text
    assert "State Referred to police" in text  # the adjudication in words
    assert "Follow-up (phone) Chased the crime desk" in text
    assert "Served: signed" in text
    codes = re.findall(r"\b\w+_\w+\b|\bREFER_\w+", text)
    assert codes == [], codes  # no enum code reaches police
    assert workbook.exists()


def test_the_workbook_beside_it_holds_the_same_content_and_prints(
    case_db: Path, tmp_path: Path
) -> None:
    from cipco.services.bootstrap import prepare

    pdf, workbook = build(case_db, tmp_path / "case")  # no suffix: case.pdf and case.xlsx
    assert pdf.name == "case.pdf" and workbook.name == "case.xlsx"
    for path in (pdf, workbook):
        assert os.stat(path).st_mode & 0o777 == 0o600
    book = load_workbook(workbook)
    assert book.sheetnames == [
        "Summary",
        "Referral",
        "Statements",
        "Evidence",
        "CPS",
        "Timeline",
        "Exhibits",
        "Continuity",
        "MG4D",
        "Papers",
        "Documents",
        "About",
    ]
    cells = {
        sheet.title: [str(c) for row in sheet.iter_rows(values_only=True) for c in row if c]
        for sheet in book.worksheets
    }
    engine = prepare(case_db)
    for chain in hashes(engine).values():
        for event_hash in chain:
            assert event_hash in cells["Continuity"]
    engine.dispose()
    for name in NAMES:
        assert any(name in value for value in cells["Referral"]), name
    assert "CCTV exhibit JB/1" in cells["Evidence"]
    for ws in book.worksheets:
        assert ws.oddHeader.center.text == "OFFICIAL-SENSITIVE", ws.title
        assert ws.oddFooter.center.text.startswith(f"Police case file {REF} · page &P of &N")
        assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.page_setup.paperSize == 9
    for lone in ("Evidence", "Timeline", "Exhibits"):
        assert book[lone].print_title_rows in ("$1:$1", "$1:$2"), lone  # the header repeats
    assert book["Continuity"].page_setup.orientation == "landscape"


def test_do_not_share_people_are_withheld_unless_asked(
    case_db: Path, tmp_path: Path, clock: FixedClock
) -> None:
    from cipco.services.bootstrap import prepare
    from cipco.services.persons import add_person

    witness, nomis = WITNESSES[0]
    engine = prepare(case_db)
    with session_scope(engine, actor="tester", clock=clock) as session:
        for who, number in ((witness, nomis), (SUSPECT[0], SUSPECT[1])):
            add_person(
                session,
                PersonCreate(
                    prisoner=PrisonerIn(nomis_number=number, name=who),
                    do_not_share=True,
                    reason="OCG",
                ),
                clock,
            )
    engine.dispose()
    pdf, workbook = build(case_db, tmp_path / "withheld.pdf")
    text = " ".join(page.text for page in read_pages(pdf))
    values = " ".join(
        str(c)
        for ws in load_workbook(workbook)
        for row in ws.iter_rows(values_only=True)
        for c in row
        if c
    )
    for shown in (text, values):
        assert witness not in shown and nomis not in shown
        assert SUSPECT[0] not in shown and SUSPECT[1] not in shown
        assert "withheld (do not share)" in shown
        assert "--include-restricted" in shown
    assert "a person not named here" in text  # the evidence list does not name them either
    pdf, workbook = build(case_db, tmp_path / "all.pdf", "--include-restricted")
    text = " ".join(page.text for page in read_pages(pdf))
    assert witness in text and SUSPECT[0] in text
    assert "handle with particular care" in text


def test_a_case_file_never_replaces_a_file_and_default_names_stay_paired(
    case_db: Path, tmp_path: Path
) -> None:
    out = tmp_path / "case.pdf"
    out.with_suffix(".xlsx").write_text("someone else's")
    code, output = cli(case_db, "casefile", REF, "--out", str(out))
    assert code == 2 and "case.xlsx already exists; add --overwrite" in output
    assert not out.exists()
    assert out.with_suffix(".xlsx").read_text() == "someone else's"
    build(case_db, out, "--overwrite")
    assert out.with_suffix(".xlsx").read_bytes().startswith(b"PK")
    os.chdir(tmp_path)
    first = cli(case_db, "casefile", REF.lower())
    second = cli(case_db, "casefile", REF)
    assert first[0] == second[0] == 0
    made = sorted(p.name for p in (tmp_path / "exports").iterdir())
    stem = f"casefile-{REF}-20261118-100000"
    assert made == [f"{stem}-2.pdf", f"{stem}-2.xlsx", f"{stem}.pdf", f"{stem}.xlsx"]


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["casefile", "REF-1999-0001"], 1, "no referral with reference 'REF-1999-0001'"),
        (["casefile", REF, "--out", "case.txt"], 2, "give a name ending .pdf"),
        (["casefile", REF, "--out", "/nowhere/case.pdf"], 2, "does not exist"),
    ],
)
def test_refusals_are_one_sentence(case_db: Path, args: list[str], code: int, message: str) -> None:
    got, output = cli(case_db, *args)
    assert got == code, output
    assert message in output and "Traceback" not in output
    assert len(output.strip().splitlines()) == 1


def test_names_in_other_scripts_never_break_the_pdf(
    engine: Engine, clock: FixedClock, db_path: Path, tmp_path: Path
) -> None:
    from cipco.models.referral import PartyIn, ReferralUpdate
    from cipco.services.referrals import update_referral

    with session_scope(engine, actor="tester", clock=clock) as session:
        referral = casefile_referral(session, clock, reference=REF, exhibits=1, events=2)
        update_referral(
            session=session,
            referral_id=referral.id,
            data=ReferralUpdate(
                parties=[
                    PartyIn(role="witness", kind="other", name="王小明"),
                    PartyIn(role="witness", kind="other", name="محمد علي"),
                ]
            ),
            clock=clock,
        )
    engine.dispose()
    pdf, workbook = build(db_path, tmp_path / "scripts.pdf")
    text = " ".join(page.text for page in read_pages(pdf))
    assert "[?]" in text and "cannot show" in text
    values = [
        c for row in load_workbook(workbook)["Referral"].iter_rows(values_only=True) for c in row
    ]
    assert "王小明" in values and "محمد علي" in values  # exact in the workbook
