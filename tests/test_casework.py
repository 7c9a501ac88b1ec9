"""The people and papers around a referral: the due rules with a FixedClock, documents'
bytes and hashes, the CLI a coordinator uses, and the case file's sections."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select, text
from typer.testing import CliRunner

from cipco.cli import app
from cipco.cli.common import state
from cipco.clock import FixedClock
from cipco.db import read_scope, session_scope
from cipco.models.casework import (
    CaseDocument,
    ContactIn,
    CpsAction,
    CpsActionIn,
    DisclaimerIn,
    PersonIn,
    StatementIn,
)
from cipco.services.casework import documents, due, papers, people
from cipco.services.casework.common import CaseworkError
from cipco.services.referrals import move_status
from tests.factories import new_referral
from tests.pdf_helpers import read_pages

runner = CliRunner()


@pytest.fixture(autouse=True)
def _clock(clock: FixedClock) -> Iterator[None]:
    state.clock = clock
    yield
    state.clock = None
    state.db_option = None


def _case(engine: Engine, clock: FixedClock) -> tuple[int, int, int]:
    """A referral charged on Monday 16/11/2026 10:00 with two victims: one with enhanced
    rights, one without."""
    with session_scope(engine, actor="tester", clock=clock) as s:
        r = new_referral(s, clock, hours_ago=24 * 7)
        assert r.id is not None
        start = clock.now() - timedelta(days=6)
        for i, (status, police) in enumerate(
            [
                ("referred", None),
                ("acknowledged", {"crime_ref": "CR/1"}),
                ("investigating", None),
                ("charged", None),
            ]
        ):
            when = (
                start + timedelta(days=i)
                if status != "charged"
                else clock.now() - timedelta(days=2)
            )
            move_status(
                session=s,
                referral_id=r.id,
                to_status=status,
                clock=clock,
                happened_at=when,
                police=police,
            )
        enhanced = people.add_person(
            session=s,
            referral_id=r.id,
            data=PersonIn(name="Officer Enhanced", enhanced_rights=True),
            clock=clock,
        )
        plain = people.add_person(
            session=s, referral_id=r.id, data=PersonIn(name="Officer Plain"), clock=clock
        )
        s.flush()
        assert enhanced.id and plain.id
        return r.id, enhanced.id, plain.id


def _r7(engine: Engine, clock: FixedClock) -> dict[int, datetime]:
    with read_scope(engine, clock=clock) as s:
        return {i.record_id: i.due_at for i in due.r7_items(s) if i.record == "referral_party"}


def test_r7_is_due_per_victim_until_a_contact_is_logged(engine: Engine, clock: FixedClock) -> None:
    rid, enhanced, plain = _case(engine, clock)
    items = _r7(engine, clock)
    # charged Monday 16/11: enhanced rights within 1 working day, others within 5
    assert items[enhanced].date() == date(2026, 11, 17)
    assert items[plain].date() == date(2026, 11, 23)
    with read_scope(engine, clock=clock) as s:
        overdue = [i for i in due.due_items(s, clock.now()) if i.record_id == enhanced]
    assert overdue and overdue[0].rule == "R7"
    with session_scope(engine, actor="tester", clock=clock) as s:
        people.log_contact(
            session=s,
            referral_id=rid,
            data=ContactIn(party_id=enhanced, happened_at=clock.now(), said="Told of charge"),
            clock=clock,
        )
    items = _r7(engine, clock)
    assert enhanced not in items
    assert plain in items


def test_a_contact_before_the_decision_does_not_answer_it(
    engine: Engine, clock: FixedClock
) -> None:
    rid, enhanced, _plain = _case(engine, clock)
    with session_scope(engine, actor="tester", clock=clock) as s:
        people.log_contact(
            session=s,
            referral_id=rid,
            data=ContactIn(
                party_id=enhanced, happened_at=clock.now() - timedelta(days=3), said="Update"
            ),
            clock=clock,
        )
    assert enhanced in _r7(engine, clock)


def test_statement_disclaimer_and_cps_rules(engine: Engine, clock: FixedClock) -> None:
    rid, _enhanced, plain = _case(engine, clock)
    today = clock.now().date()
    with session_scope(engine, actor="tester", clock=clock) as s:
        st = papers.request_statement(
            session=s,
            referral_id=rid,
            data=StatementIn(
                party_id=plain,
                requested_on=today - timedelta(days=5),
                due_on=today - timedelta(days=1),
            ),
            clock=clock,
        )
        papers.issue_disclaimer(
            session=s,
            referral_id=rid,
            data=DisclaimerIn(issued_on=today - timedelta(days=30)),
            clock=clock,
        )
        act = papers.add_cps_action(
            session=s,
            referral_id=rid,
            data=CpsActionIn(
                action="CCTV",
                requested_on=today - timedelta(days=3),
                due_on=today - timedelta(days=1),
            ),
            clock=clock,
        )
        st_id, act_id = st.id, act.id
    with read_scope(engine, clock=clock) as s:
        rules = {
            i.rule for i in due.paper_items(s, [rid]) if i.severity(clock.now()).name == "OVERDUE"
        }
    assert {"MG11", "MED", "CPS"} <= rules
    with session_scope(engine, actor="tester", clock=clock) as s:
        papers.step_statement(session=s, statement_id=st_id, step="receive", clock=clock)
        papers.complete_cps_action(session=s, action_id=act_id, clock=clock)
    with read_scope(engine, clock=clock) as s:
        rules = {i.rule for i in due.paper_items(s, [rid])}
    assert "MG11" not in rules and "CPS" not in rules and "MED" in rules


def test_home_lists_each_victim_and_the_papers_due(engine: Engine, clock: FixedClock) -> None:
    """The due registry (the home screen's list) shows R7 per victim and the papers' rules,
    each opening the referral."""
    from cipco.services.due import due_items as registry

    rid, _enhanced, plain = _case(engine, clock)
    today = clock.now().date()
    with session_scope(engine, actor="tester", clock=clock) as s:
        papers.request_statement(
            session=s,
            referral_id=rid,
            data=StatementIn(
                party_id=plain,
                requested_on=today - timedelta(days=5),
                due_on=today - timedelta(days=1),
            ),
            clock=clock,
        )
    with read_scope(engine, clock=clock) as s:
        found = [
            i for i in registry(s, clock) if i.record.log == "referrals" and i.record.id == rid
        ]
    r7 = [i.what for i in found if i.rule == "R7"]
    assert len(r7) == 2 and any("Officer Enhanced" in w for w in r7), r7
    assert any(i.rule == "MG11" and "Officer Plain" in i.what for i in found)
    assert all(i.rule_name != i.rule for i in found)  # every rule declared, so it has a name


def test_papers_text_is_searchable_but_contact_details_are_not(
    engine: Engine, clock: FixedClock
) -> None:
    from cipco.services.search import search_everything

    rid, _enhanced, plain = _case(engine, clock)
    today = clock.now().date()
    with session_scope(engine, actor="tester", clock=clock) as s:
        papers.add_cps_action(
            session=s,
            referral_id=rid,
            data=CpsActionIn(action="Tangerine bodycam download", requested_on=today),
            clock=clock,
        )
        people.log_contact(
            session=s,
            referral_id=rid,
            data=ContactIn(party_id=plain, happened_at=clock.now(), said="Told of Quokka plan"),
            clock=clock,
        )

    def found(words: str) -> set[int]:
        with read_scope(engine, clock=clock) as s:
            return {
                h.id for g in search_everything(s, words) if g.log == "referrals" for h in g.hits
            }

    assert rid in found("tangerine bodycam")
    assert rid in found("quokka")
    with session_scope(engine, actor="tester", clock=clock) as s:
        people.add_person(
            session=s,
            referral_id=rid,
            data=PersonIn(name="Wanda Witness", phone="07700 900123", email="ww@example.org"),
            clock=clock,
        )
    assert rid in found("wanda")
    assert rid not in found("900123") and rid not in found("example.org")


def test_r7_measure_counts_each_victim_by_their_own_contacts(
    engine: Engine, clock: FixedClock
) -> None:
    from cipco.services.measures import Period, figures

    rid, enhanced, _plain = _case(engine, clock)
    with session_scope(engine, actor="tester", clock=clock) as s:
        people.log_contact(
            session=s,
            referral_id=rid,
            data=ContactIn(party_id=enhanced, happened_at=clock.now(), said="Told of charge"),
            clock=clock,
        )
    with read_scope(engine, clock=clock) as s:
        figure = figures(s, ["r7_victims"], Period.month(clock.now().date()), clock)[0]
    # charged Mon 16/11: the enhanced victim told Wed 18/11 (due Tue 17): late; the other
    # victim not told yet, due Mon 23/11: not yet due
    assert dict(figure.parts) == {
        "in time": 0,
        "told late": 1,
        "not told (overdue)": 0,
        "not yet due": 1,
    }


def test_statement_qa_returns_then_reaches_sent(engine: Engine, clock: FixedClock) -> None:
    rid, _e, plain = _case(engine, clock)
    today = clock.now().date()
    with session_scope(engine, actor="tester", clock=clock) as s:
        st = papers.request_statement(
            session=s,
            referral_id=rid,
            data=StatementIn(party_id=plain, requested_on=today - timedelta(days=3)),
            clock=clock,
        )
        sid = st.id
        assert sid is not None
        papers.step_statement(
            session=s, statement_id=sid, step="receive", clock=clock, on=today - timedelta(days=2)
        )
        problem = sorted(papers.QA_PROBLEMS)[0]
        back = papers.step_statement(
            session=s,
            statement_id=sid,
            step="check",
            clock=clock,
            on=today - timedelta(days=2),
            problems=[problem],
        )
        assert back.state == "returned"
        with pytest.raises(CaseworkError, match=r"due: .* is before its return") as refused:
            papers.edit_statement(
                session=s,
                statement_id=sid,
                due_on=today - timedelta(days=3),  # after the request, before the return
                notes="",
                clock=clock,
            )
        assert refused.value.field == "due_on"
        with pytest.raises(CaseworkError, match="can next be: received"):
            papers.step_statement(session=s, statement_id=sid, step="send", clock=clock)
        papers.step_statement(
            session=s, statement_id=sid, step="receive", clock=clock, on=today - timedelta(days=1)
        )
        papers.step_statement(session=s, statement_id=sid, step="check", clock=clock)
        sent = papers.step_statement(session=s, statement_id=sid, step="send", clock=clock)
        assert sent.state == "sent" and sent.sent_on == today


def test_a_stored_document_never_changes(engine: Engine, clock: FixedClock, tmp_path: Path) -> None:
    rid, _e, _p = _case(engine, clock)
    data = bytes(range(256)) * 5000
    source = tmp_path / "statement.pdf"
    source.write_bytes(data)
    with session_scope(engine, actor="tester", clock=clock) as s:
        doc = documents.attach(
            session=s, referral_id=rid, upload=documents.Upload.file(source), clock=clock
        )
        doc_id, sha = doc.id, doc.sha256
    assert doc_id is not None
    source.write_bytes(b"changed after attaching")
    with read_scope(engine, clock=clock) as s:
        assert b"".join(documents.read_document(s, doc_id)) == data
    with (
        pytest.raises(Exception, match=r"nothing was saved"),
        session_scope(engine, actor="tester", clock=clock) as s,
    ):
        s.execute(text("UPDATE case_document SET sha256 = 'x' WHERE id = :i"), {"i": doc_id})
    with read_scope(engine, clock=clock) as s:
        stored = s.scalars(select(CaseDocument).where(CaseDocument.id == doc_id)).one()
        assert stored.sha256 == sha and stored.size == len(data)


def test_a_file_over_the_limit_is_refused(
    engine: Engine, clock: FixedClock, tmp_path: Path
) -> None:
    rid, _e, _p = _case(engine, clock)
    big = tmp_path / "big.pdf"
    big.write_bytes(b"x" * (2 * 1024 * 1024))
    with session_scope(engine, actor="tester", clock=clock) as s:
        from cipco.services import settings

        settings.set_value(s, "document_max_mb", "1")
    with (
        pytest.raises(documents.DocumentError, match=r"big\.pdf"),
        session_scope(engine, actor="tester", clock=clock) as s,
    ):
        documents.attach(session=s, referral_id=rid, upload=documents.Upload.file(big), clock=clock)
    with read_scope(engine, clock=clock) as s:
        assert s.scalars(select(CaseDocument)).all() == []


def _attach(how: str, s: Any, rid: int, data: bytes, tmp_path: Path, clock: FixedClock) -> Any:
    if how == "file":
        source = tmp_path / "statement.pdf"
        source.write_bytes(data)
        return documents.attach(
            session=s, referral_id=rid, upload=documents.Upload.file(source), clock=clock
        )
    return documents.attach(
        session=s,
        referral_id=rid,
        upload=documents.Upload.made(data, "statement.pdf"),
        clock=clock,
    )


@pytest.mark.parametrize("how", ["file", "bytes"])
def test_a_document_from_a_file_or_from_bytes_is_kept_and_limited_alike(
    engine: Engine, clock: FixedClock, tmp_path: Path, how: str
) -> None:
    rid, _e, _p = _case(engine, clock)
    data = bytes(range(256)) * 3000
    with session_scope(engine, actor="tester", clock=clock) as s:
        doc = _attach(how, s, rid, data, tmp_path, clock)
        doc_id = doc.id
        assert (doc.title, doc.kind, doc.size) == ("statement", "other", len(data))
        assert doc.sha256 == hashlib.sha256(data).hexdigest()
        from cipco.services import settings

        settings.set_value(s, "document_max_mb", "1")
    with read_scope(engine, clock=clock) as s:
        assert b"".join(documents.read_document(s, doc_id)) == data
    with (
        pytest.raises(documents.DocumentError, match=r"statement\.pdf is 1\.\d MB; .* at most 1"),
        session_scope(engine, actor="tester", clock=clock) as s,
    ):
        _attach(how, s, rid, b"x" * (1024 * 1024 + 1), tmp_path, clock)
    with read_scope(engine, clock=clock) as s:
        assert [d.id for d in s.scalars(select(CaseDocument)).all()] == [doc_id]


def cli(db: Path, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", str(db), *args])
    return result.exit_code, result.output


def test_cli_case_work_reaches_the_case_file(
    engine: Engine, clock: FixedClock, db_path: Path, tmp_path: Path
) -> None:
    rid, enhanced, _plain = _case(engine, clock)
    with session_scope(engine, actor="tester", clock=clock) as s:
        from cipco.models.referral import Referral

        ref = s.get(Referral, rid).reference  # type: ignore[union-attr]
    engine.dispose()
    code, out = cli(
        db_path,
        "case",
        "person",
        ref,
        "Hidden Witness",
        "--role",
        "witness",
        "--phone",
        "07700 900123",
        "--do-not-share",
    )
    assert code == 0, out
    code, out = cli(db_path, "case", "contact", ref, str(enhanced), "Told of charge")
    assert code == 0, out
    code, out = cli(db_path, "case", "cps", ref, "Obtain CCTV", "--due", "20/11/2026")
    assert code == 0, out
    pdf = tmp_path / "photo.png"
    pdf.write_bytes(b"\x89PNG\r\n\x1a\n" + b"0" * 100)
    code, out = cli(db_path, "case", "attach", ref, str(pdf), "--title", "Injury photo")
    assert code == 0, out
    code, out = cli(db_path, "case", "show", ref)
    assert code == 0, out
    assert "Obtain CCTV, due 20/11/2026" in out
    assert "Injury photo" in out
    assert "Tell Officer Plain: Charged" in out
    assert "Tell Officer Enhanced" not in out
    code, out = cli(db_path, "case", "cps", ref, "Late", "--due", "01/01/2020")
    assert code == 1 and "due" in out
    code, out = cli(db_path, "casefile", ref, "--out", str(tmp_path / "cf.pdf"))
    assert code == 0, out
    text_all = " ".join(p.text for p in read_pages(tmp_path / "cf.pdf"))
    assert "Case documents (appendix)" in text_all and "Injury photo" in text_all
    assert "Obtain CCTV" in text_all
    assert "Hidden Witness" not in text_all and "07700" not in text_all


def test_cli_moves_each_paper_on_step_by_step(
    engine: Engine, clock: FixedClock, db_path: Path
) -> None:
    """The step commands (their ``step`` argument once clashed with the helper's own)."""
    from cipco.models.casework import MedicalDisclaimer, Statement

    rid, enhanced, _plain = _case(engine, clock)
    with read_scope(engine, clock=clock) as s:
        from cipco.models.referral import Referral

        ref = s.get(Referral, rid).reference  # type: ignore[union-attr]
    engine.dispose()
    assert cli(db_path, "case", "statement", ref, str(enhanced))[0] == 0
    assert cli(db_path, "case", "disclaimer", ref)[0] == 0
    today = clock.now().date()
    code, out = cli(db_path, "case", "statement-step", "1", "receive")
    assert code == 0 and "Statement 1: received" in out, out
    on = f"{today:%d/%m/%Y}"
    code, out = cli(db_path, "case", "disclaimer-step", "1", "returned", "--on", on)
    assert code == 0 and "Medical disclaimer 1: returned" in out, out
    code, out = cli(db_path, "case", "disclaimer-step", "1", "sent")
    assert code == 0, out
    with read_scope(engine, clock=clock) as s:
        statement = s.scalars(select(Statement)).one()
        disclaimer = s.scalars(select(MedicalDisclaimer)).one()
    assert (statement.state, statement.received_on) == ("received", today)
    assert (disclaimer.returned_on, disclaimer.sent_on) == (today, today)


def test_cli_corrects_papers_and_removes_one_added_in_error_only_when_asked(
    engine: Engine, clock: FixedClock, db_path: Path
) -> None:
    from cipco.models.casework import CpsAction, MedicalDisclaimer, Statement

    rid, enhanced, _plain = _case(engine, clock)
    with read_scope(engine, clock=clock) as s:
        from cipco.models.referral import Referral

        ref = s.get(Referral, rid).reference  # type: ignore[union-attr]
    engine.dispose()
    assert cli(db_path, "case", "cps", ref, "Obtain CCTV", "--owner", "SO Carr")[0] == 0
    assert cli(db_path, "case", "cps-done", "1")[0] == 0
    assert cli(db_path, "case", "statement", ref, str(enhanced))[0] == 0
    assert cli(db_path, "case", "disclaimer", ref)[0] == 0
    assert cli(db_path, "case", "disclaimer-step", "1", "returned")[0] == 0
    code, out = cli(db_path, "case", "cps-edit", "1")
    assert code == 2 and "say what changed" in out
    code, out = cli(db_path, "case", "cps-edit", "1", "--owner", "SO Rees", "--due", "30/11/2026")
    assert code == 0 and "CPS action 1 corrected" in out, out
    code, out = cli(db_path, "case", "cps-reopen", "1")
    assert code == 0 and "reopened" in out, out
    code, out = cli(db_path, "case", "statement-edit", "1", "--notes", "Asked by phone")
    assert code == 0, out
    # a removal asks first: "n" keeps it
    result = runner.invoke(app, ["--db", str(db_path), "case", "remove", "statement", "1"], "n\n")
    assert result.exit_code == 1 and "nothing was removed" in result.output
    code, out = cli(db_path, "case", "remove", "disclaimer", "1", "--yes")
    assert code == 1 and "a disclaimer once returned stays on the case" in out
    code, out = cli(db_path, "case", "remove", "letter", "1")  # refused before it asks
    assert code == 2 and "'letter' is not a paper that can be removed" in out, out
    with read_scope(engine, clock=clock) as s:
        action = s.scalars(select(CpsAction)).one()
        statement = s.scalars(select(Statement)).one()
    assert (action.owner, action.done_on, action.action) == ("SO Rees", None, "Obtain CCTV")
    assert action.due_on == date(2026, 11, 30)
    assert statement.notes == "Asked by phone" and statement.due_on is not None
    code, out = cli(db_path, "case", "remove", "statement", "1", "--yes")
    assert code == 0 and "Removed: statement 1" in out, out
    with read_scope(engine, clock=clock) as s:
        assert s.scalars(select(Statement)).all() == []
        assert len(s.scalars(select(MedicalDisclaimer)).all()) == 1


def test_step_forms_move_the_paper_on_at_the_loaded_version(
    engine: Engine, clock: FixedClock
) -> None:
    """The medical disclaimer's step form and the CPS action's done form: load, then save
    what the fields hold; a save over someone else's change is refused."""
    from cipco.models.casework import MedicalDisclaimer
    from cipco.screens.casework_forms import cps_done_form, disclaimer_step_form
    from cipco.services.errors import StaleEditError

    rid, _enhanced, _plain = _case(engine, clock)
    today = clock.now().date()
    with session_scope(engine, actor="tester", clock=clock) as s:
        issued = papers.issue_disclaimer(
            session=s, referral_id=rid, data=DisclaimerIn(issued_on=today), clock=clock
        )
        action = papers.add_cps_action(
            session=s,
            referral_id=rid,
            data=CpsActionIn(action="CCTV", requested_on=today),
            clock=clock,
        )
        ids = (issued.id, action.id)
    step, done = disclaimer_step_form(ids[0]).spec, cps_done_form(ids[1], "CCTV").spec
    assert step.load is not None and done.load is not None
    with read_scope(engine, clock=clock) as s:
        loaded = step.load(s, clock)
        loaded_done = done.load(s, clock)
    assert loaded.values == {"step": "returned"}
    with session_scope(engine, actor="tester", clock=clock) as s:
        saved = step.save(s, clock, {"step": "returned", "on": None}, loaded.version)
        saved_done = done.save(s, clock, {"on": today}, loaded_done.version)
    assert (saved.key, saved.message) == (ids[0], "Medical disclaimer: returned signed")
    assert (saved_done.key, saved_done.message) == (ids[1], "CPS action done")
    with read_scope(engine, clock=clock) as s:
        assert s.get(MedicalDisclaimer, ids[0]).returned_on == today  # type: ignore[union-attr]
        assert s.get(CpsAction, ids[1]).done_on == today  # type: ignore[union-attr]
    with pytest.raises(StaleEditError), session_scope(engine, actor="tester", clock=clock) as s:
        step.save(s, clock, {"step": "sent", "on": None}, loaded.version)


def test_cli_statement_and_disclaimer_steps(
    engine: Engine, clock: FixedClock, db_path: Path
) -> None:
    """cipco case statement-step / disclaimer-step move the paper on, as case show says."""
    rid, enhanced, _plain = _case(engine, clock)
    with session_scope(engine, actor="tester", clock=clock) as s:
        from cipco.models.referral import Referral

        ref = s.get(Referral, rid).reference  # type: ignore[union-attr]
    engine.dispose()
    code, out = cli(db_path, "case", "statement", ref, str(enhanced))
    assert code == 0, out
    statement = out.split()[1]
    for step, said in (("receive", "received"), ("check", "checked"), ("send", "sent")):
        code, out = cli(db_path, "case", "statement-step", statement, step)
        assert code == 0, out
        assert said in out.lower()
    code, out = cli(db_path, "case", "disclaimer", ref)
    assert code == 0, out
    disclaimer = out.split()[2]
    code, out = cli(db_path, "case", "disclaimer-step", disclaimer, "returned")
    assert code == 0, out
    code, out = cli(db_path, "case", "show", ref)
    assert code == 0, out
    assert "Sent to police" in out
    assert "to the suspect: returned" in out


def test_case_documents_go_to_a_new_folder_with_a_manifest(
    engine: Engine, clock: FixedClock, db_path: Path, tmp_path: Path
) -> None:
    import hashlib
    import os

    rid, _enhanced, _plain = _case(engine, clock)
    with read_scope(engine, clock=clock) as s:
        from cipco.models.referral import Referral

        ref = s.get(Referral, rid).reference  # type: ignore[union-attr]
    engine.dispose()
    photo = tmp_path / "photo =cmd.png"
    photo.write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(3000))
    code, out = cli(db_path, "case", "attach", ref, str(photo), "--title", "Injury\x1b[2J photo")
    assert code == 0, out
    code, out = cli(db_path, "casefile", ref, "--out", str(tmp_path / "cf.pdf"), "--documents")
    assert code == 0, out
    folder = tmp_path / "cf-documents"
    assert os.stat(folder).st_mode & 0o777 == 0o700
    files = sorted(p.name for p in folder.iterdir())
    assert files == ["0001-photo _cmd.png", "MANIFEST.txt", "SHA256SUMS"], files
    copy = folder / "0001-photo _cmd.png"
    assert copy.read_bytes() == photo.read_bytes()
    assert os.stat(copy).st_mode & 0o777 == 0o600
    digest = hashlib.sha256(photo.read_bytes()).hexdigest()
    assert (folder / "SHA256SUMS").read_text() == f"{digest}  0001-photo _cmd.png\n"
    manifest = (folder / "MANIFEST.txt").read_text()
    assert "title:    Injury photo" in manifest and "\x1b" not in manifest
    # never added to: the same folder again is refused, and what is there stays
    code, out = cli(
        db_path, "casefile", ref, "--out", str(tmp_path / "cf.pdf"), "--overwrite", "--documents"
    )
    assert code == 2 and "already exists" in out
    assert copy.read_bytes() == photo.read_bytes()


def test_cli_arranges_a_statement_meeting_and_reads_typed_times(
    engine: Engine, clock: FixedClock, db_path: Path
) -> None:
    """cipco case meeting / meeting-update, and a contact's --when, take the day-first times
    the help promises (a typed "01/12/2026 10:00" was once refused as not ISO)."""
    from cipco.models.casework import PartyContact, StatementMeeting

    rid, enhanced, _plain = _case(engine, clock)
    with read_scope(engine, clock=clock) as s:
        from cipco.models.referral import Referral

        ref = s.get(Referral, rid).reference  # type: ignore[union-attr]
    engine.dispose()
    when = clock.now() - timedelta(hours=1)
    code, out = cli(
        db_path, "case", "contact", ref, str(enhanced), "Told", "--when", f"{when:%d/%m/%Y %H:%M}"
    )
    assert code == 0, out
    code, out = cli(db_path, "case", "meeting", ref, str(enhanced), "31/11/2026 10:00")
    assert code == 1 and "meets_at: '31/11/2026' is not a real date" in out
    code, out = cli(
        db_path,
        "case",
        "meeting",
        ref,
        str(enhanced),
        "25 Nov 2026 14:05",
        "--place",
        "Visits hall",
        "--release-asked",
        "17/11/2026",
    )
    assert (code, out.strip()) == (0, f"Statement meeting 1 arranged on {ref}")
    code, out = cli(db_path, "case", "meeting-update", "1", "--held")
    assert code == 1 and "held: the meeting is still to come" in out
    code, out = cli(db_path, "case", "meeting-update", "1", "--release-confirmed", "18/11/2026")
    assert (code, out.strip()) == (0, "Statement meeting 1 updated")
    code, out = cli(db_path, "case", "show", ref)
    assert "with Officer Enhanced at 25/11/2026 14:05, Visits hall; release confirmed" in out
    with read_scope(engine, clock=clock) as s:
        meeting = s.scalars(select(StatementMeeting)).one()
        contact = s.scalars(select(PartyContact)).one()
    assert meeting.place == "Visits hall" and str(meeting.release_confirmed_on) == "2026-11-18"
    assert contact.happened_at == when.replace(second=0, microsecond=0)


def test_a_letter_keeps_what_its_pdf_shows_and_a_template_not_ready_is_refused(
    engine: Engine, clock: FixedClock, db_path: Path, tmp_path: Path
) -> None:
    from cipco.models.casework import Correspondence

    rid, enhanced, _plain = _case(engine, clock)
    with read_scope(engine, clock=clock) as s:
        from cipco.models.referral import Referral

        ref = s.get(Referral, rid).reference  # type: ignore[union-attr]
    engine.dispose()
    code, out = cli(db_path, "case", "letter", ref, "outcome")
    assert code == 1 and "template: the case has no outcome yet" in out
    hostile = 'Hello \x1b[31mRED\x1b[0m\x07 =HYPERLINK("http://x","y")\nline two'
    code, out = cli(
        db_path, "case", "letter", ref, "free", "--to", str(enhanced), "--body", hostile
    )
    assert code == 0, out
    with read_scope(engine, clock=clock) as s:
        letter = s.scalars(select(Correspondence)).one()
    assert letter.body == 'Hello RED =HYPERLINK("http://x","y")\nline two'
    assert letter.recipient == "Officer Enhanced"
    code, out = cli(
        db_path, "case", "document", str(letter.document_id), "--out", str(tmp_path / "l.pdf")
    )
    assert code == 0, out
    shown = " ".join(page.text for page in read_pages(tmp_path / "l.pdf"))
    assert 'Hello RED =HYPERLINK("http://x","y")' in shown and "\x1b" not in shown


def test_every_paper_change_moves_the_referrals_next_deadline(
    engine: Engine, clock: FixedClock
) -> None:
    """The referral's stored next deadline (the Overdue queue, the referral list's "Next
    due") follows each paper written, corrected, done, reopened or removed."""
    from cipco.models.referral import Referral

    rid, _enhanced, plain = _case(engine, clock)
    today = clock.now().date()

    def next_due() -> tuple[str, date | None]:
        with read_scope(engine, clock=clock) as s:
            r = s.get(Referral, rid)
            assert r is not None
            return r.next_due_label, r.next_due_at.date() if r.next_due_at else None

    before = next_due()
    with session_scope(engine, actor="tester", clock=clock) as s:
        act = papers.add_cps_action(
            session=s,
            referral_id=rid,
            data=CpsActionIn(action="CCTV", requested_on=today - timedelta(days=25)),
            clock=clock,
        )
        act_id = act.id
        assert act_id is not None
    assert next_due() == before  # no due date yet: nothing new is due
    late = today - timedelta(days=20)  # before anything else due on this case
    with session_scope(engine, actor="tester", clock=clock) as s:
        papers.update_cps_action(
            session=s,
            action_id=act_id,
            data=CpsActionIn(action="CCTV", requested_on=today - timedelta(days=25), due_on=late),
            clock=clock,
        )
    assert next_due() == ("CPS: CCTV", late)
    with session_scope(engine, actor="tester", clock=clock) as s:
        papers.complete_cps_action(session=s, action_id=act_id, clock=clock)
    assert next_due() == before
    with session_scope(engine, actor="tester", clock=clock) as s:
        papers.reopen_cps_action(session=s, action_id=act_id, clock=clock)
    assert next_due() == ("CPS: CCTV", late)
    with session_scope(engine, actor="tester", clock=clock) as s:
        papers.complete_cps_action(session=s, action_id=act_id, clock=clock)
        st = papers.request_statement(
            session=s,
            referral_id=rid,
            data=StatementIn(party_id=plain, requested_on=late, due_on=late),
            clock=clock,
        )
        st_id = st.id
        assert st_id is not None
    assert next_due() == ("Statement from Officer Plain", late)
    with session_scope(engine, actor="tester", clock=clock) as s:
        papers.edit_statement(
            session=s, statement_id=st_id, due_on=today + timedelta(days=60), notes="", clock=clock
        )
    assert next_due() == before
    with session_scope(engine, actor="tester", clock=clock) as s:
        papers.edit_statement(session=s, statement_id=st_id, due_on=late, notes="", clock=clock)
    assert next_due()[0] == "Statement from Officer Plain"
    with session_scope(engine, actor="tester", clock=clock) as s:
        papers.remove_paper(session=s, kind="statement", record_id=st_id)
    assert next_due() == before


class _ChangedOnSecondRead(io.BytesIO):
    """A file someone rewrites after cipco hashed it and before it is stored."""

    def __init__(self) -> None:
        super().__init__(b"%PDF first version" * 100)
        self.seeks = 0

    def seek(self, pos: int, whence: int = 0) -> int:
        self.seeks += 1
        if self.seeks == 3:  # the rewind before the bytes are stored
            super().seek(0)
            self.write(b"%PDF other version" * 100)
        return super().seek(pos, whence)


def test_a_file_changed_while_it_is_attached_is_refused_and_nothing_is_kept(
    engine: Engine, clock: FixedClock
) -> None:
    rid, _e, _p = _case(engine, clock)
    upload = documents.Upload("statement.pdf", _ChangedOnSecondRead)
    with (
        pytest.raises(documents.DocumentError, match="changed while it was being attached"),
        session_scope(engine, actor="tester", clock=clock) as s,
    ):
        documents.attach(session=s, referral_id=rid, upload=upload, clock=clock)
    with read_scope(engine, clock=clock) as s:
        assert s.scalars(select(CaseDocument)).all() == []
        assert s.execute(text("select count(*) from document_chunk")).scalar() == 0
