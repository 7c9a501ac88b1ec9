"""Database and disk errors reach the user as one sentence: no traceback, no SQL, no row values.

The full-disk cases run cipco on a real, small tmpfs in a private mount namespace
(``unshare``); they are skipped where the system does not allow one.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.exc import IntegrityError

from cipco.dberrors import explain
from cipco.services.bootstrap import prepare
from tests.db_cases import count, invoke, tiny_workbook

NAME = "SMITH, Johnathan"


def test_driver_errors_never_carry_the_values_being_saved(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE t (name TEXT UNIQUE)"))
        conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": NAME})
    with pytest.raises(IntegrityError) as caught, engine.begin() as conn:
        conn.execute(text("INSERT INTO t VALUES (:n)"), {"n": NAME})
    assert NAME not in str(caught.value)  # hide_parameters: SQLAlchemy's own text is clean
    sentence = explain(caught.value)
    assert sentence == "nothing was saved: the change conflicts with the rules of the database"


def test_a_failed_save_prints_one_sentence_without_values(
    engine: Engine, db_path: Path, tmp_path: Path
) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "CREATE TRIGGER refuse BEFORE INSERT ON prisoner "
                "BEGIN SELECT RAISE(ABORT, 'refused'); END"
            )
        )
    engine.dispose()
    before = count(db_path)
    workbook = tiny_workbook(tmp_path / "one.xlsx")
    code, output = invoke("--db", str(db_path), "import", "referrals", str(workbook))
    assert code == 1
    lines = [line for line in output.splitlines() if line.startswith("cipco:")]
    assert lines == [
        "cipco: nothing was saved: the change conflicts with the rules of the database"
    ]
    for leak in ("Smith", "A1234BC", "INSERT", "Traceback", "sqlalchemy"):
        assert leak not in output
    assert count(db_path) == before


def test_an_unexpected_error_names_only_its_kind_and_place(
    db_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cipco.services import settings

    def broken(_session: object) -> dict[str, object]:
        raise ValueError(f"cannot show {NAME}")

    monkeypatch.setattr(settings, "all_settings", broken)
    code, output = invoke("--db", str(db_path), "settings")
    assert code == 1
    assert output.startswith("cipco: unexpected error (ValueError at test_db_errors.py:")
    assert NAME not in output and "Traceback" not in output
    monkeypatch.setenv("CIPCO_DEBUG", "1")
    code, _ = invoke("--db", str(db_path), "settings")
    assert code == 1  # with CIPCO_DEBUG the exception itself comes through (for a developer)


# ---------------------------------------------------------------- a full disk, for real

FULL_DISK = textwrap.dedent(
    """
    import json, os, shutil, sqlite3, subprocess, sys
    from pathlib import Path

    mnt, template = Path(sys.argv[1]), Path(sys.argv[2])
    db = mnt / "a.db"
    shutil.copyfile(template, db)
    os.chmod(db, 0o600)
    free = os.statvfs(mnt).f_bavail * os.statvfs(mnt).f_frsize
    with open(mnt / "filler", "wb") as f:  # leave about 100 KB: enough to open, not to save
        f.write(b"x" * max(free - 100 * 1024, 0))

    def cipco(*args):
        r = subprocess.run([sys.executable, "-m", "cipco", "--db", str(db), *args],
                           capture_output=True, text=True, timeout=300)
        return {"code": r.returncode, "err": r.stderr, "out": r.stdout}

    def listing():
        return sorted(p.name for p in mnt.iterdir() if not p.name.endswith(("-wal", "-shm")))

    def referrals():
        c = sqlite3.connect(db)
        try:
            assert c.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            return c.execute("SELECT count(*) FROM referral").fetchone()[0]
        finally:
            c.close()

    result = {"before": referrals()}
    result["demo"] = cipco("demo", "--referrals", "400", "--force", "-q")
    result["after_demo"] = referrals()
    result["backup"] = cipco("backup")
    fd = os.open(mnt / "filler", os.O_WRONLY | os.O_APPEND)  # now nothing at all is left
    try:
        while os.write(fd, b"x" * 4096):
            pass
    except OSError:
        pass
    os.close(fd)
    result["export"] = cipco("export", "referrals", "--out", str(mnt / "r.xlsx"))
    new = subprocess.run([sys.executable, "-m", "cipco", "--db", str(mnt / "new.db"), "demo"],
                         capture_output=True, text=True, timeout=300)
    result["create"] = {"code": new.returncode, "err": new.stderr, "out": new.stdout}
    result["listing"] = listing()
    print(json.dumps(result))
    """
)


@pytest.fixture(scope="module")
def full_disk(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    if shutil.which("unshare") is None:
        pytest.skip("unshare is not available")
    base = tmp_path_factory.mktemp("full")
    template = base / "template.db"
    engine = prepare(template)
    engine.dispose()
    code, output = invoke("--db", str(template), "demo", "--referrals", "5")
    assert code == 0, output
    mnt = base / "mnt"
    mnt.mkdir()
    script = base / "full_disk.py"
    script.write_text(FULL_DISK)
    shell = (
        f"mount -t tmpfs -o size=4m none {mnt} && exec {sys.executable} {script} {mnt} {template}"
    )
    probe = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", "true"],
        capture_output=True,
        check=False,
    )
    if probe.returncode != 0:
        pytest.skip("no private mount namespace here")
    run = subprocess.run(
        ["unshare", "--user", "--map-root-user", "--mount", "sh", "-c", shell],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    return json.loads(run.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _sentence(outcome: object) -> str:
    assert isinstance(outcome, dict)
    lines = [line for line in outcome["err"].splitlines() if line.strip()]
    assert "Traceback" not in outcome["err"]
    assert lines and lines[-1].startswith("cipco: "), outcome
    return str(lines[-1])


def test_a_full_disk_saves_nothing_and_says_so(full_disk: dict[str, object]) -> None:
    demo = full_disk["demo"]
    assert isinstance(demo, dict) and demo["code"] == 1
    assert _sentence(demo) == (
        "cipco: the database could not be used: the disk is full; nothing was saved"
    )
    assert full_disk["after_demo"] == full_disk["before"] == 5  # whole, not half-written


def test_a_full_disk_leaves_no_half_written_backup_export_or_database(
    full_disk: dict[str, object],
) -> None:
    assert "nothing was written" in _sentence(full_disk["backup"])
    assert "the disk is full" in _sentence(full_disk["backup"])
    assert "the disk is full" in _sentence(full_disk["export"])
    created = _sentence(full_disk["create"])
    assert created.endswith("the disk is full; nothing was created"), created
    assert full_disk["listing"] == ["a.db", "filler"]  # no 0-byte backup, no .cipco-* left
