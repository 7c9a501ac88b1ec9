"""A referral's case documents written out as files, for the police with the case file.

The folder is new (an existing one is refused, never added to) and private (0700); each
document is written under its number and a safe name, its SHA-256 checked as it is read
back; ``MANIFEST.txt`` lists what each file is, and ``SHA256SUMS`` lets the receiver check
the files with ``sha256sum -c SHA256SUMS``. On any failure the folder is removed: it is
there complete or not at all.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from sqlmodel import Session

from cipco.dates import format_datetime
from cipco.models.casework import DOCUMENT_KIND_LABELS, CaseDocument
from cipco.outputs import OWNER_ONLY_DIR, OutputError, OutputTarget, write_output
from cipco.services.casework.common import CaseworkError, of_referral
from cipco.services.casework.documents import read_document, safe_filename
from cipco.services.casework.queries_papers import size_text
from cipco.text import clean

MANIFEST = "MANIFEST.txt"
SUMS = "SHA256SUMS"


def _documents(session: Session, reference: str) -> list[CaseDocument]:
    from cipco.services.referrals import referral_by_reference

    found = referral_by_reference(session, reference)
    if found is None or found.id is None:
        raise CaseworkError(f"referral: there is no referral {clean(reference)}")
    return of_referral(session, CaseDocument, found.id, CaseDocument.id)


def _manifest(reference: str, rows: list[tuple[str, CaseDocument]]) -> str:
    lines = [
        f"OFFICIAL-SENSITIVE · case documents of {clean(reference)} · {len(rows)} file(s)",
        "Each file is as it was when added to cipco; check them with: sha256sum -c SHA256SUMS",
        "",
    ]
    for name, doc in rows:
        lines += [
            name,
            f"  title:    {clean(doc.title)}",
            f"  kind:     {DOCUMENT_KIND_LABELS.get(doc.kind, doc.kind)}",
            f"  original: {clean(doc.filename)}",
            f"  size:     {size_text(doc.size)} ({doc.size:,} bytes)",
            f"  SHA-256:  {doc.sha256}",
            f"  added:    {format_datetime(doc.added_at)} by {clean(doc.added_by)}",
            "",
        ]
    return "\n".join(lines)


def write_document_folder(session: Session, reference: str, folder: Path) -> list[Path]:
    """Write every case document of the referral ``reference`` into the new ``folder``
    with a manifest and a SHA-256 list. Returns the files written (manifest last)."""
    documents = _documents(session, reference)
    try:
        folder.mkdir(mode=OWNER_ONLY_DIR)
    except FileExistsError:
        raise OutputError(f"{folder} already exists; choose another --out") from None
    except OSError as exc:
        raise OutputError(f"cannot create {folder}: {exc.strerror or exc}") from None
    folder.chmod(OWNER_ONLY_DIR)  # mkdir's mode is masked by the umask
    try:
        rows: list[tuple[str, CaseDocument]] = []
        written: list[Path] = []
        for doc in documents:
            assert doc.id is not None
            name = safe_filename(doc.id, doc.filename)
            doc_id = doc.id

            def copy(temp: Path, doc_id: int = doc_id) -> None:
                with temp.open("wb") as out:
                    for chunk in read_document(session, doc_id):
                        out.write(chunk)

            written.append(write_output(OutputTarget(folder / name, explicit=True), copy))
            rows.append((name, doc))
        sums = "".join(f"{doc.sha256}  {name}\n" for name, doc in rows)
        written.append(
            write_output(
                OutputTarget(folder / SUMS, explicit=True),
                lambda temp: temp.write_text(sums, encoding="utf-8"),
            )
        )
        manifest = _manifest(reference, rows)
        written.append(
            write_output(
                OutputTarget(folder / MANIFEST, explicit=True),
                lambda temp: temp.write_text(manifest, encoding="utf-8"),
            )
        )
        return written
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
