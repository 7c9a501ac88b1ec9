"""The custody ledger: one running digest over every exhibit event of a site, in recorded order.

Each event takes the next ledger position of its site when it is recorded (writes hold the
file's write lock from their start, so positions follow commit order) and stores the running
digest after it::

    L0 = 64 zeros
    Lp = SHA-256 hex of ( L(p-1) + reference + "\\n" + event number + "\\n" + event hash )

so one value, ``L`` at the last position, commits to the whole custody history of every
exhibit. Printed on what leaves the prison (continuity records, exports, clinic minutes) it
is an anchor held outside the file: ``cipco verify --against`` later proves that the history
still begins with the anchored one. The hash chain alone only shows that the file agrees with
itself; someone who can rewrite the file can recompute every digest in it.

SQLAlchemy is imported by the functions that read the database, not by the module: a verify
with nothing to recompute reads the digests' start without it.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from cipco.clock import to_london

if TYPE_CHECKING:
    from sqlmodel import Session

GENESIS = "0" * 64
"""L0, the ledger's start; also every exhibit chain's (``cipco.services.chain.GENESIS``)."""

LISTING_TITLE = "# cipco custody ledger listing"
_HEX64 = re.compile(r"[0-9a-f]{64}")


def link(prev: str, reference: str, seq: int, event_hash: str) -> str:
    """The ledger digest after an event, given the digest before it."""
    return hashlib.sha256(f"{prev}{reference}\n{seq}\n{event_hash}".encode()).hexdigest()


def entry_key(reference: str, seq: int) -> str:
    """How an event is named in ``ledger_prev``: ``JS/1 4``."""
    return f"{reference} {seq}"


def split_key(key: str | None) -> tuple[str, int | None]:
    reference, _, number = (key or "").rpartition(" ")
    return (reference, int(number)) if number.isdigit() else (key or "", None)


@dataclass(frozen=True)
class Head:
    """The last entry of a site's ledger (position 0 and 64 zeros when it is empty)."""

    position: int = 0
    digest: str = GENESIS
    key: str | None = None
    recorded_at: datetime | None = None


def head(session: Session, site: str | None = None) -> Head:
    """The site's last ledger entry, read through the (site, position) index."""
    from sqlalchemy import select

    from cipco.db import site_of
    from cipco.models.exhibit import Exhibit, ExhibitEvent

    site = site_of(session.get_bind()) if site is None else site
    row = session.execute(
        select(
            ExhibitEvent.ledger_seq,
            ExhibitEvent.ledger_hash,
            Exhibit.reference,
            ExhibitEvent.seq,
            ExhibitEvent.recorded_at,
        )
        .outerjoin(Exhibit, Exhibit.id == ExhibitEvent.exhibit_id)
        .where(ExhibitEvent.site == site, ExhibitEvent.ledger_seq.is_not(None))  # type: ignore[union-attr]
        .order_by(ExhibitEvent.ledger_seq.desc())  # type: ignore[union-attr]
        .limit(1)
    ).first()
    if row is None:
        return Head()
    position, digest, reference, seq, recorded_at = row
    return Head(int(position), digest or "", entry_key(reference or "", seq), recorded_at)


@dataclass(frozen=True)
class Entry:
    """Where a new event goes in the ledger."""

    position: int
    digest: str
    prev: str | None


def next_entry(session: Session, reference: str, seq: int, event_hash: str) -> Entry:
    """The ledger position, digest and predecessor of an event being appended now."""
    last = head(session)
    return Entry(last.position + 1, link(last.digest, reference, seq, event_hash), last.key)


# ------------------------------------------------------------------ anchors


@dataclass(frozen=True)
class Anchor:
    """The ledger at one moment: how many events, the digest after them, and when it was
    read. Its :meth:`line` is what exports print."""

    count: int
    digest: str
    at: datetime | None = None
    site: str = ""

    @property
    def short(self) -> str:
        """The first 12 characters, for reading aloud; the full digest is the proof."""
        return self.digest[:12]

    def line(self) -> str:
        """``Custody ledger 1,256 events · <64 hex> · 02/12/2026 10:04``."""
        events = "event" if self.count == 1 else "events"
        when = f"{to_london(self.at):%d/%m/%Y %H:%M}" if self.at else "time not recorded"
        return f"Custody ledger {self.count:,} {events} · {self.digest} · {when}"

    def token(self) -> str:
        """What to give ``cipco verify --against``: ``1256:<digest>``."""
        return f"{self.count}:{self.digest}"

    def site_line(self) -> str:
        """``Custody ledger of LEI: 1,256 events · …``: one of several prisons' ledgers, as a
        regional login reads them (``parse_anchor`` reads it like :meth:`line`)."""
        return self.line().replace("Custody ledger ", f"Custody ledger of {self.site}: ", 1)


def ledger_site(session: Session) -> str:
    """The site whose ledger this session reads: its engine's, else the file's own."""
    from cipco.db import site_of

    site = site_of(session.get_bind())
    if not site:
        from cipco.services.site import file_site

        chosen = file_site(session)
        site = chosen.code if chosen is not None else ""
    return site


def anchor(session: Session) -> Anchor:
    """The ledger of this file's site as it stands now (one indexed read, no recomputation).

    The time is the session's clock (``session_scope(..., clock=)``), else the system's.
    """
    site = ledger_site(session)
    last = head(session, site)
    clock = session.info.get("clock")
    at = clock.now() if clock is not None else datetime.now(UTC)
    return Anchor(last.position, last.digest, at, site)


def anchors(session: Session) -> list[Anchor]:
    """Each ledger this session reads: one for a file or a site login, one per prison (in
    code order) for a regional login on a server (which sees several prisons' site rows,
    whatever site its engine was opened as)."""
    from sqlalchemy import select

    from cipco.models.site import Site

    codes = [code for code in session.scalars(select(Site.code).order_by(Site.code)) if code]
    if len(codes) < 2:
        return [anchor(session)]
    clock = session.info.get("clock")
    at = clock.now() if clock is not None else datetime.now(UTC)
    found = []
    for code in codes:
        last = head(session, code)
        found.append(Anchor(last.position, last.digest, at, code))
    return found


def anchor_line(session: Session) -> str:
    """The anchor line exports print (``Custody ledger 1,256 events · <digest> · <time>``)."""
    return anchor(session).line()


@dataclass(frozen=True)
class AnchorRef:
    """An anchor given back to ``verify``: a digest, with the event count if known."""

    digest: str
    count: int | None


class AnchorError(ValueError):
    """An anchor or a listing cannot be read; the message says where and why."""


def parse_anchor(text: str) -> AnchorRef:
    """``1256:<hex>``, ``1256 <hex>``, a bare ``<hex>``, or a whole anchor line as printed."""
    cleaned = text.strip().lower()
    found = _HEX64.findall(cleaned)
    if len(found) != 1 or len(cleaned) > 400:
        raise AnchorError(
            "give the ledger digest (64 hexadecimal characters) with its event count, "
            "e.g. 1256:<digest>, or a file written by `cipco ledger --out`"
        )
    digest = found[0]
    before = cleaned.split(digest)[0]
    numbers = re.findall(r"\d[\d,]*", before)
    count = int(numbers[-1].replace(",", "")) if numbers else None
    return AnchorRef(digest, count)


# ------------------------------------------------------------------ listings

_UNSAFE = re.compile(r"[^A-Za-z0-9/._-]")


def _escape(reference: str) -> str:
    """A reference as one listing field: anything but letters, digits and / . _ - as \\xHH."""
    return _UNSAFE.sub(lambda m: "".join(f"\\x{b:02x}" for b in m.group().encode()), reference)


def _unescape(field_text: str) -> str:
    if "\\x" not in field_text:
        return field_text
    out = bytearray()
    index = 0
    while index < len(field_text):
        code = field_text[index + 2 : index + 4]
        if field_text.startswith("\\x", index) and re.fullmatch(r"[0-9a-f]{2}", code):
            out.append(int(code, 16))
            index += 4
        else:
            out += field_text[index].encode()
            index += 1
    return out.decode("utf-8", "replace")


def listing_lines(session: Session) -> Iterator[str]:
    """The ledger of this file's site, one line an event, as ``cipco ledger --out`` writes it.

    ``position exhibit event event-hash ledger-digest``; lines starting with # are comments.
    """
    from sqlalchemy import select

    from cipco.models.exhibit import Exhibit, ExhibitEvent

    current = anchor(session)
    yield LISTING_TITLE + " (form 2)"
    yield f"# {current.line()}"
    yield f"# site {current.site or '(unassigned)'}"
    yield "# position exhibit event event-hash ledger-digest"
    rows = session.execute(
        select(
            ExhibitEvent.ledger_seq,
            Exhibit.reference,
            ExhibitEvent.seq,
            ExhibitEvent.hash,
            ExhibitEvent.ledger_hash,
        )
        .outerjoin(Exhibit, Exhibit.id == ExhibitEvent.exhibit_id)
        .where(ExhibitEvent.site == current.site, ExhibitEvent.ledger_seq.is_not(None))  # type: ignore[union-attr]
        .order_by(ExhibitEvent.ledger_seq)
        .execution_options(yield_per=5000)
    )
    for position, reference, seq, event_hash, digest in rows:
        yield f"{position} {_escape(reference or '?')} {seq} {event_hash} {digest}"


@dataclass
class Listing:
    """A ledger listing read back: its entries in order and the anchor it states."""

    entries: list[tuple[str, int, str]] = field(default_factory=list)  # reference, seq, hash
    digest: str = GENESIS  # recomputed from the entries
    stated: AnchorRef | None = None
    source: str = ""

    @property
    def count(self) -> int:
        return len(self.entries)


MAX_LINE = 2000


def read_listing(path: Path) -> Listing:
    """Read a listing written by ``cipco ledger --out``. Raises :class:`AnchorError`.

    The listing must agree with itself: each line's digest follows from the lines before it,
    so a listing edited by hand is refused rather than trusted.
    """
    listing = Listing(source=str(path))
    running = GENESIS
    try:
        handle = path.open("r", encoding="utf-8", errors="replace", newline="")
    except OSError as exc:
        raise AnchorError(f"cannot read {path}: {exc.strerror or exc}") from None
    with handle:
        for number, raw in enumerate(handle, start=1):
            if len(raw) > MAX_LINE:
                raise AnchorError(f"{path} line {number}: too long for a ledger listing")
            line = raw.strip()
            if not line:
                continue
            if line.startswith("#"):
                if number <= 2 and "custody ledger" in line.lower() and _HEX64.search(line):
                    listing.stated = parse_anchor(line.lstrip("# "))
                elif number == 1 and not line.startswith(LISTING_TITLE):
                    raise AnchorError(f"{path} is not a listing written by `cipco ledger --out`")
                continue
            parts = line.split()
            expected = listing.count + 1
            if (
                len(parts) != 5
                or not parts[0].isdigit()
                or not parts[2].isdigit()
                or not _HEX64.fullmatch(parts[3])
                or not _HEX64.fullmatch(parts[4])
            ):
                raise AnchorError(
                    f"{path} line {number}: expected 'position exhibit event event-hash "
                    "ledger-digest'"
                )
            if int(parts[0]) != expected:
                raise AnchorError(
                    f"{path} line {number}: position {parts[0]} where {expected} was expected"
                )
            reference, seq, event_hash = _unescape(parts[1]), int(parts[2]), parts[3]
            running = link(running, reference, seq, event_hash)
            if running != parts[4]:
                raise AnchorError(
                    f"{path} line {number}: the digest does not follow from the lines before "
                    "it; the listing was changed after it was written"
                )
            listing.entries.append((reference, seq, event_hash))
    if listing.stated is None and not listing.entries:
        raise AnchorError(f"{path} is not a listing written by `cipco ledger --out`")
    listing.digest = running
    stated = listing.stated
    if stated is not None and (stated.count, stated.digest) != (listing.count, running):
        raise AnchorError(
            f"{path}: its heading says {stated.count} events ending {stated.digest[:12]}, its "
            f"lines give {listing.count} ending {running[:12]}; the listing was changed"
        )
    return listing
