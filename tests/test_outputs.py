"""The one contract for files cipco writes: never overwrite, never half-written, one sentence."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from cipco.outputs import OutputError, choose_output, make_private_dir, write_output

AT = datetime(2026, 12, 2, 10, 4, 5, tzinfo=UTC)


def _write(text: str):  # type: ignore[no-untyped-def]
    def write(path: Path) -> None:
        path.write_text(text)

    return write


@pytest.fixture
def umask_000() -> Iterator[None]:
    old = os.umask(0)
    yield
    os.umask(old)


def test_default_names_carry_seconds_and_never_collide(tmp_path: Path) -> None:
    folder = tmp_path / "exports"
    first = write_output(
        choose_output(None, what="persons", suffix=".xlsx", at=AT, default_dir=folder),
        _write("police-safe"),
    )
    second = write_output(
        choose_output(None, what="persons", suffix=".xlsx", at=AT, default_dir=folder),
        _write("restricted"),
    )
    assert first.name == "persons-20261202-100405.xlsx"
    assert second.name == "persons-20261202-100405-2.xlsx"
    assert first.read_text() == "police-safe"
    assert stat.S_IMODE(first.stat().st_mode) == 0o600
    assert not [p for p in folder.iterdir() if p.name.startswith(".cipco-")]


def test_an_existing_out_is_refused_unless_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "mine.xlsx"
    out.write_text("keep me")
    with pytest.raises(OutputError, match="already exists; add --overwrite"):
        choose_output(out, what="x", suffix=".xlsx", at=AT, default_dir=tmp_path)
    target = choose_output(
        out, what="x", suffix=".xlsx", at=AT, default_dir=tmp_path, overwrite=True
    )
    write_output(target, _write("new"))
    assert out.read_text() == "new"


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d, "is a folder"),
        (lambda d: d / "missing" / "x.xlsx", "does not exist"),
        (lambda d: d / ("n" * 300 + ".xlsx"), "too long"),
        (lambda d: Path(""), "empty"),
    ],
)
def test_bad_out_paths_get_one_sentence(tmp_path: Path, make, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(OutputError, match=message):
        choose_output(make(tmp_path), what="x", suffix=".xlsx", at=AT, default_dir=tmp_path)


def test_the_database_and_its_files_are_never_an_output(engine, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    database = Path(engine.url.database)
    for path in (database, database.with_name(database.name + "-wal")):
        path.touch(exist_ok=True)
        with pytest.raises(OutputError, match="cipco database"):
            choose_output(
                path,
                what="x",
                suffix=".xlsx",
                at=AT,
                default_dir=tmp_path,
                overwrite=True,
                database=database,
            )
    backup = tmp_path / "renamed-backup.xlsx"
    backup.write_bytes(database.read_bytes())
    with pytest.raises(OutputError, match="cipco database"):
        choose_output(backup, what="x", suffix=".xlsx", at=AT, default_dir=tmp_path, overwrite=True)


def test_a_failed_write_leaves_nothing(tmp_path: Path) -> None:
    def broken(path: Path) -> None:
        path.write_text("half")
        raise OSError(28, "No space left on device")

    folder = tmp_path / "exports"
    target = choose_output(None, what="x", suffix=".xlsx", at=AT, default_dir=folder)
    with pytest.raises(OutputError, match="disk is full"):
        write_output(target, broken)
    assert list(folder.iterdir()) == []


def test_folders_are_private_whatever_the_umask(tmp_path: Path, umask_000: None) -> None:
    folder = make_private_dir(tmp_path / "a" / "b")
    for path in (tmp_path / "a", folder):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700
    existing = tmp_path / "shared"
    existing.mkdir(mode=0o755)
    os.chmod(existing, 0o755)
    make_private_dir(existing)
    assert stat.S_IMODE(existing.stat().st_mode) == 0o755  # not ours: left alone


def test_without_hard_links_files_are_still_placed_and_never_overwritten(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import errno

    from cipco.datafile import create_database

    def no_links(_source: object, _target: object) -> None:
        raise OSError(errno.EXDEV, "cross-device link")

    monkeypatch.setattr(os, "link", no_links)
    folder = tmp_path / "exports"
    first = write_output(
        choose_output(None, what="persons", suffix=".xlsx", at=AT, default_dir=folder),
        _write("first"),
    )
    second = write_output(
        choose_output(None, what="persons", suffix=".xlsx", at=AT, default_dir=folder),
        _write("second"),
    )
    assert (first.read_text(), second.read_text()) == ("first", "second")
    assert second.name == f"{first.stem}-2{first.suffix}"
    assert stat.S_IMODE(second.stat().st_mode) == 0o600
    assert not [p for p in folder.iterdir() if p.name.startswith(".cipco-")]

    database = tmp_path / "cipco.db"
    assert create_database(database) is True
    database.write_bytes(b"theirs")
    assert create_database(database) is False
    assert database.read_bytes() == b"theirs"
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".cipco-")] == []


def test_the_exports_folder_is_made_only_when_a_file_is_written(
    tmp_path: Path, umask_000: None
) -> None:
    folder = tmp_path / "exports"
    target = choose_output(None, what="persons", suffix=".xlsx", at=AT, default_dir=folder)
    assert not folder.exists()  # a command refused after this check leaves nothing behind
    written = write_output(target, _write("x"))
    assert written.parent == folder
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    with pytest.raises(OutputError, match="is a file"):
        choose_output(None, what="x", suffix=".xlsx", at=AT, default_dir=blocker / "exports")
