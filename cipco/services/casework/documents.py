"""Case documents: files attached to a referral (PDF, images, Word...) and stored inside the
data file with their SHA-256, size, who added them and when.

A document never changes once added: a new version is a new document that names the one it
supersedes. The bytes go in and out a chunk at a time through the data layer
(:func:`cipco.db.write_chunks`, :func:`cipco.db.read_chunks`), never whole in memory and
never into the audit trail (only the document's insert is audited, without values). Reading
a document back checks its hash; :func:`check_documents` checks every one.
"""

from __future__ import annotations

import hashlib
import io
import os
import stat
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import Clock
from cipco.db import CHUNK_BYTES, read_chunks, write_chunks
from cipco.models.casework import DOCUMENT_KIND_LABELS, CaseDocument, DocumentChunk
from cipco.outputs import OutputTarget, write_output
from cipco.services import audit, settings
from cipco.services.casework.common import CaseworkError, referral
from cipco.services.casework.queries_papers import DOCUMENTS, size_text
from cipco.text import clean

audit.track(CaseDocument)

MEDIA_TYPES: dict[str, str] = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".bmp": "image/bmp",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".webp": "image/webp",
    ".heic": "image/heic",
    ".doc": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".rtf": "application/rtf",
    ".txt": "text/plain",
    ".eml": "message/rfc822",
    ".msg": "application/vnd.ms-outlook",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".xls": "application/vnd.ms-excel",
}
"""What may be attached: documents, images and e-mails (never programs)."""
TITLE_MAX = 200


class DocumentError(CaseworkError):
    """A document could not be attached or read; the message says why."""


@dataclass(frozen=True)
class Problem:
    document_id: int
    reference: str
    text: str

    def line(self) -> str:
        return f"document {self.document_id} ({self.reference}): {self.text}"


def max_bytes(session: Session) -> int:
    return settings.get_int(session, "document_max_mb") * 1024 * 1024


def media_type(filename: str) -> str:
    """The file's type from its name; refused for anything that is not a document."""
    suffix = Path(filename).suffix.lower()
    found = MEDIA_TYPES.get(suffix)
    if found is None:
        kinds = "PDF, Word, OpenDocument, RTF, text, e-mail, workbook or image files"
        what = f"'{suffix}' files" if suffix else "files without an extension"
        raise DocumentError(f"file: {what} cannot be attached; attach {kinds}", field="path")
    return found


class Seen:
    """The SHA-256 and size of the bytes that have passed through :meth:`passing`."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.size = 0

    def passing(self, blocks: Iterable[bytes]) -> Iterator[bytes]:
        for block in blocks:
            self.digest.update(block)
            self.size += len(block)
            yield block

    @property
    def sha256(self) -> str:
        return self.digest.hexdigest()


def _blocks(stream: BinaryIO) -> Iterator[bytes]:
    while block := stream.read(CHUNK_BYTES):
        yield block


def _stored(session: Session, document_id: int) -> Iterator[bytes]:
    table = DocumentChunk.__table__  # type: ignore[attr-defined]
    return read_chunks(session.connection(), table, {"document_id": document_id})


def _seen(blocks: Iterable[bytes], limit: int | None = None) -> Seen:
    """The hash and size of ``blocks``, read until past ``limit`` bytes at the most."""
    seen = Seen()
    for _block in seen.passing(blocks):
        if limit is not None and seen.size > limit:
            break
    return seen


def _too_big(name: str, size: int, limit: int) -> DocumentError:
    return DocumentError(
        f"file: {name} is {size_text(size)}; case documents are at most {size_text(limit)} "
        "(the 'Largest case document' setting)",
        field="path",
    )


def _open_regular(path: Path) -> BinaryIO:
    """The file opened for reading if it is a regular file (never a folder, a device or a
    pipe that would block); one sentence otherwise."""
    shown = clean(str(path))
    try:
        found = path.stat()
    except FileNotFoundError:
        raise DocumentError(f"file: {shown} does not exist", field="path") from None
    except OSError as exc:
        raise DocumentError(f"file: cannot read {shown} ({exc.strerror})", field="path") from None
    if stat.S_ISDIR(found.st_mode):
        raise DocumentError(f"file: {shown} is a folder; choose a file", field="path")
    if not stat.S_ISREG(found.st_mode):
        raise DocumentError(f"file: {shown} is not an ordinary file", field="path")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError as exc:
        raise DocumentError(f"file: cannot read {shown} ({exc.strerror})", field="path") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):  # swapped since the look above
        os.close(fd)
        raise DocumentError(f"file: {shown} is not an ordinary file", field="path")
    return os.fdopen(fd, "rb")


def _check_supersedes(session: Session, referral_id: int, supersedes_id: int | None) -> None:
    if supersedes_id is None:
        return
    older = session.get(CaseDocument, supersedes_id)
    if older is None or older.referral_id != referral_id:
        raise DocumentError(
            "new version of: choose a document of this referral", field="supersedes_id"
        )
    newer = session.scalar(
        select(CaseDocument.id).where(CaseDocument.supersedes_id == supersedes_id)
    )
    if newer is not None:
        raise DocumentError(
            f"new version of: document {supersedes_id} was already replaced by document "
            f"{newer}; attach the new version to that one",
            field="supersedes_id",
        )


def _store(session: Session, document: CaseDocument, stream: BinaryIO) -> CaseDocument:
    """Add the document's row, then stream its bytes into ``document_chunk``; refused,
    nothing saved, if they are not the bytes hashed before (the file changed meanwhile)."""
    session.add(document)
    session.flush()
    table = DocumentChunk.__table__  # type: ignore[attr-defined]
    seen = Seen()
    write_chunks(
        session.connection(), table, {"document_id": document.id}, seen.passing(_blocks(stream))
    )
    if seen.sha256 != document.sha256:
        raise DocumentError(
            f"file: {clean(document.filename)} changed while it was being attached; nothing "
            "was saved, attach it again",
            field="path",
        )
    return document


def _checked(session: Session, referral_id: int, filename: str, title: str, kind: str) -> str:
    referral(session, referral_id)
    media_type(filename)
    if kind not in DOCUMENT_KIND_LABELS:
        raise DocumentError(f"kind: '{kind}' is not a kind of document", field="kind")
    text = " ".join((title or Path(filename).stem).split())
    if not text:
        raise DocumentError("title: give the document a title", field="title")
    if len(text) > TITLE_MAX:
        raise DocumentError(f"title: at most {TITLE_MAX} characters", field="title")
    return text


@dataclass(frozen=True)
class Upload:
    """What is attached: the name it is filed under and how to open its bytes (read
    twice: once to hash, once to store). :meth:`file` for a file the user chose,
    :meth:`made` for bytes cipco made itself (a letter's PDF)."""

    filename: str
    opened: Callable[[], BinaryIO]

    @classmethod
    def file(cls, path: Path | str) -> Upload:
        """The regular file at ``path`` (``~`` expanded); refused when attached if it is a
        folder, a device or missing."""
        where = Path(path).expanduser()
        return cls(where.name, lambda: _open_regular(where))

    @classmethod
    def made(cls, data: bytes, filename: str) -> Upload:
        return cls(filename, lambda: io.BytesIO(data))


def attach(
    *,
    session: Session,
    referral_id: int,
    upload: Upload,
    clock: Clock,
    title: str = "",
    kind: str = "other",
    supersedes_id: int | None = None,
) -> CaseDocument:
    """Check the document, then store the upload as a document of the referral. It is read
    twice: once for its hash and size, then streamed in and checked again, so a file
    changed meanwhile is refused and nothing is saved."""
    filename = upload.filename
    title = _checked(session, referral_id, filename, title, kind)
    _check_supersedes(session, referral_id, supersedes_id)
    limit = max_bytes(session)
    shown = clean(filename)
    with upload.opened() as stream:
        size = stream.seek(0, os.SEEK_END)
        stream.seek(0)
        if size > limit:
            raise _too_big(shown, size, limit)
        seen = _seen(_blocks(stream), limit)
        if seen.size > limit:
            raise _too_big(shown, seen.size, limit)
        stream.seek(0)
        return _store(
            session,
            CaseDocument(
                referral_id=referral_id,
                kind=kind,
                title=title,
                filename=filename,
                media_type=media_type(filename),
                size=seen.size,
                sha256=seen.sha256,
                added_at=clock.now(),
                added_by=audit.actor_of(session),
                supersedes_id=supersedes_id,
            ),
            stream,
        )


def read_document(session: Session, document_id: int) -> Iterator[bytes]:
    """The document's bytes, a chunk at a time. After the last chunk the size and SHA-256
    are checked: bytes altered outside cipco raise :class:`DocumentError`."""
    found = DOCUMENTS.load(session, document_id)
    seen = Seen()
    yield from seen.passing(_stored(session, document_id))
    if seen.size != found.size or seen.sha256 != found.sha256:
        raise DocumentError(
            f"document {document_id} ({clean(found.filename)}) no longer matches the SHA-256 "
            "recorded when it was added: its bytes were altered outside cipco"
        )


def save_document(session: Session, document_id: int, target: OutputTarget) -> Path:
    """Write the document to ``target`` (0600, complete or nothing; its hash checked)."""

    def write(temp: Path) -> None:
        with temp.open("wb") as out:
            for chunk in read_document(session, document_id):
                out.write(chunk)

    return write_output(target, write)


def safe_filename(document_id: int, filename: str) -> str:
    """A name to write the document under: its number first (names may repeat), no folder
    parts, no control characters, nothing hidden."""
    name = Path(clean(filename).replace("\\", "/")).name.strip().lstrip(".")
    name = "".join(c if c.isalnum() or c in " ._-()" else "_" for c in name)[:120].strip()
    suffix = Path(filename).suffix.lower()
    if not name:
        name = f"document{suffix}"
    return f"{document_id:04d}-{name}"


def check_documents(session: Session) -> list[Problem]:
    """Every document's stored bytes against the size and SHA-256 recorded when it was
    added (a change made outside cipco, such as raw SQL with the triggers dropped)."""
    from cipco.models.referral import Referral

    problems = []
    rows = session.execute(
        select(CaseDocument.id, CaseDocument.size, CaseDocument.sha256, Referral.reference)
        .join(Referral, Referral.id == CaseDocument.referral_id)
        .order_by(CaseDocument.id)
    ).all()
    for document_id, size, sha256, reference in rows:
        seen = _seen(_stored(session, document_id))
        if seen.size != size:
            problems.append(
                Problem(document_id, reference, f"{seen.size:,} bytes stored, {size:,} recorded")
            )
        elif seen.sha256 != sha256:
            problems.append(
                Problem(document_id, reference, "the bytes no longer match the recorded SHA-256")
            )
    return problems
