"""What ``cipco verify`` found: each problem names the exhibit and the event, and its kind."""

from __future__ import annotations

import time
from collections import namedtuple
from dataclasses import dataclass, field
from datetime import datetime
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from cipco import dbread
from cipco.services.ledger import GENESIS, Anchor

if TYPE_CHECKING:
    from cipco.services.chain import Derived

PROBLEM_KINDS = (
    "edit",
    "removal",
    "insertion",
    "reorder",
    "orphan",
    "duplicate seq",
    "link break",
    "head mismatch",
    "header mismatch",
    "anchor mismatch",
)


def safe(text: object) -> str:
    """Text from the file as printable characters (control characters as \\xHH)."""
    value = str(text)
    if value.isprintable():
        return value
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in value)


@dataclass(frozen=True)
class ChainProblem:
    reference: str
    seq: int | None
    kind: str  # one of PROBLEM_KINDS
    detail: str
    exhibit_id: int | None = None
    event_id: int | None = None

    def line(self) -> str:
        where = safe(self.reference)
        if self.seq is not None:
            where += f" event {self.seq}"
        return f"{where}: {self.kind} - {safe(self.detail)}"


@dataclass
class VerifyReport:
    exhibits: int = 0
    events: int = 0
    problems: list[ChainProblem] = field(default_factory=list)
    seconds: float = 0.0
    anchor: Anchor | None = None  # the ledger as the file records it
    anchors: list[Anchor] = field(default_factory=list)  # a regional login: one per prison
    against: str = ""  # what an --against check found, when it passed

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def broken_exhibits(self) -> list[str]:
        return sorted({p.reference for p in self.problems})

    def kinds(self) -> set[tuple[str, int | None, str]]:
        return {(p.reference, p.seq, p.kind) for p in self.problems}

    def summary(self) -> str:
        if self.ok:
            return (
                f"Chain intact: {self.exhibits} exhibits, {self.events} events verified "
                f"in {self.seconds:.2f} s"
            )
        return (
            f"Chain BROKEN: {len(self.problems)} problems in {len(self.broken_exhibits)} of "
            f"{self.exhibits} exhibits ({self.events} events checked)"
        )


def when_nothing_stored(conn: Any, site: str, now: datetime) -> VerifyReport | None:
    """What verify finds in a file with no exhibit, custody event or exhibit link: nothing to
    recompute and the ledger (of ``site``, else the file's own) at its start. Read on a plain
    connection (:mod:`cipco.dbread`), no models loaded; None when there is something to
    verify (then :func:`cipco.services.chain_verify.verify`)."""
    started = time.perf_counter()
    if dbread.holds_custody_records(conn):
        return None
    if not site:
        chosen = dbread.site(conn)
        site = chosen[0] if chosen is not None else ""
    return VerifyReport(anchor=Anchor(0, GENESIS, now, site), seconds=time.perf_counter() - started)


@dataclass
class Run:
    """The state of one verify run, shared by the chain and the ledger checks."""

    report: VerifyReport
    heads: dict[int, Any]
    targets: dict[int, tuple[int, int]]
    anchored: dict[tuple[str, int], str] | None  # --against listing: (ref, seq) -> hash
    hash_refs: dict[int, str] = field(default_factory=dict)
    reported: set[int] = field(default_factory=set)  # event ids already named
    broken: set[int] = field(default_factory=set)  # exhibit ids with a chain problem
    # named only if the ledger does not explain them: (problem, id of the event to blame)
    pending: list[tuple[ChainProblem, int]] = field(default_factory=list)
    headers: list[ChainProblem] = field(default_factory=list)  # reported if chain is sound
    # events whose hash is not the one the ledger recorded (rewritten and rehashed)
    rehashed: dict[int, ChainProblem] = field(default_factory=dict)
    # each event's ledger place: (site, position, id, exhibit id, seq, hash site, hash,
    # ledger digest, ledger predecessor), walked in position order after the chains
    places: list[tuple[Any, ...]] = field(default_factory=list)
    # --against listing: (ref, seq) -> whether its content changed since it was anchored
    changed_since: dict[tuple[str, int], bool] = field(default_factory=dict)

    def add(self, problem: ChainProblem) -> None:
        self.report.problems.append(problem)
        if problem.event_id is not None:
            self.reported.add(problem.event_id)
        if problem.exhibit_id is not None:
            self.broken.add(problem.exhibit_id)


def row_reference(run: Run, exhibit_id: int) -> str:
    """An exhibit's reference as its row gives it (or its row id when it has none)."""
    head = run.heads.get(exhibit_id)
    return head[H_REF] if head is not None else f"exhibit id {exhibit_id}"


# ------------------------------------------------------------------ header against chain


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _instant(value: Any) -> str:
    from cipco.services.chain import utc_text

    return utc_text(value) or ""


# An exhibit row as verify reads it (chain_verify._load_exhibits), values as stored
Head = namedtuple(
    "Head",
    "id site reference parent_id parent found_on_id found_on type description system "
    "camera_id officer clip_start clip_end export_medium file_sha256 quantity weight "
    "where_found list_class seized_by seized_at hold hold_reason seal_number "
    "storage_location holder holder_kind state last_movement_at discrepancy_count "
    "event_count head_hash linked",
)
(H_ID, H_SITE, H_REF, H_PARENT_ID, H_PARENT, H_FOUND_ID, H_FOUND, H_TYPE, H_DESCRIPTION,
 H_SYSTEM, H_CAMERA, H_OFFICER, H_CLIP_START, H_CLIP_END, H_MEDIUM, H_SHA, H_QUANTITY,
 H_WEIGHT, H_WHERE, H_LIST, H_SEIZED_BY, H_SEIZED_AT, H_HOLD, H_HOLD_REASON, H_SEAL,
 H_LOCATION, H_HOLDER, H_HOLDER_KIND, H_STATE, H_LAST_MOVEMENT, H_DISCREPANCIES,
 H_EVENT_COUNT, H_HEAD_HASH, H_LINKED) = range(len(Head._fields))  # fmt: skip
_HEADER_AT = (
    ("reference", H_REF),
    ("parent", H_PARENT),
    ("type", H_TYPE),
    ("description", H_DESCRIPTION),
    ("system", H_SYSTEM),
    ("camera_id", H_CAMERA),
    ("officer", H_OFFICER),
    ("export_medium", H_MEDIUM),
    ("file_sha256", H_SHA),
    ("quantity", H_QUANTITY),
    ("weight", H_WEIGHT),
    ("where_found", H_WHERE),
    ("found_on", H_FOUND),
    ("list_class", H_LIST),
)
_header_values = itemgetter(*(key for key, _index in _HEADER_AT))
_row_values = itemgetter(*(index for _key, index in _HEADER_AT))


def _same_instant(stored: Any, recorded: Any) -> bool:
    if stored == recorded:
        return True  # the same stored text (verify reads both raw)
    if stored is None or recorded is None:
        return False
    from cipco.services.chain import utc_text

    return utc_text(stored) == utc_text(recorded)


def _agrees(head: Any, derived: Derived) -> bool:
    """The common case, quickly: the exhibit row shows exactly what its chain says.

    A key the chain does not record (a form-1 exhibit never upgraded) takes the row's value.
    """
    header = derived.header
    if len(header) < 20:
        return False  # not every key recorded: compare field by field
    if _header_values(header) != _row_values(head):
        return False
    hold = bool(head[H_HOLD])
    return (
        header["hold"] == hold
        and header["hold_reason"] == (head[H_HOLD_REASON] if hold else None)
        and _same_instant(head[H_CLIP_START], header["clip_start"])
        and _same_instant(head[H_CLIP_END], header["clip_end"])
        and (head[H_PARENT_ID] is None or head[H_PARENT] is not None)
        and (head[H_FOUND_ID] is None or head[H_FOUND] is not None)
        and head[H_SEIZED_BY] == derived.seized_by
        and _same_instant(head[H_SEIZED_AT], derived.seized_at)
        and head[H_STATE] == derived.state
        and head[H_HOLDER] == derived.holder
        and head[H_HOLDER_KIND] == derived.holder_kind
        and head[H_SEAL] == derived.seal_number
        and head[H_LOCATION] == derived.storage_location
        and _same_instant(head[H_LAST_MOVEMENT], derived.last_movement_at)
        and head[H_DISCREPANCIES] == derived.discrepancy_count
    )


def compare_header(run: Run, head: Any, derived: Derived) -> None:
    """Note each header field of the exhibit row that disagrees with its chain, and each
    referral link the chain does not record (or records without the link)."""
    recorded = derived.header.get("referrals")
    if recorded is not None:
        text = head[H_LINKED] or ""  # the referral links, one a line (any order)
        if text != "\n".join(recorded):
            linked = set(text.split("\n")) if text else set()
            if linked != set(recorded):
                _compare_links(run, head, derived, linked, set(derived.referrals))
    if not _agrees(head, derived):
        _compare_fields(run, head, derived)


def _compare_links(
    run: Run, head: Any, derived: Derived, linked: set[str], recorded: set[str]
) -> None:
    for reference in sorted(linked - recorded):
        run.headers.append(
            ChainProblem(
                head[H_REF],
                None,
                "link break",
                f"linked to referral {reference}, which no event of its chain records",
                head[H_ID],
            )
        )
    for reference in sorted(recorded - linked):
        run.headers.append(
            ChainProblem(
                head[H_REF],
                derived.source_of("referrals"),
                "link break",
                f"its chain links referral {reference} but the link is missing",
                head[H_ID],
            )
        )


def _compare_fields(run: Run, row: Any, derived: Derived) -> None:
    head = Head._make(row)  # a problem to name: read the row by field name
    name = head.reference
    header = derived.header
    last = derived.event_count
    found: list[tuple[str, Any, Any, int | None]] = []

    def check(label: str, stored: Any, actual: Any, seq: int | None) -> None:
        if stored != actual:
            found.append((label, stored, actual, seq))

    for label, key, stored, norm in (
        ("reference", "reference", head.reference, _text),
        ("part of", "parent", head.parent, _text),
        ("type", "type", head.type, _text),
        ("description", "description", head.description, _text),
        ("system", "system", head.system, _text),
        ("camera", "camera_id", head.camera_id, _text),
        ("officer", "officer", head.officer, _text),
        ("clip start", "clip_start", head.clip_start, _instant),
        ("clip end", "clip_end", head.clip_end, _instant),
        ("export medium", "export_medium", head.export_medium, _text),
        ("file SHA-256", "file_sha256", head.file_sha256, _text),
        ("quantity", "quantity", head.quantity, _text),
        ("weight", "weight", head.weight, _text),
        ("where found", "where_found", head.where_found, _text),
        ("found on", "found_on", head.found_on, _text),
        ("list", "list_class", head.list_class, _text),
        ("hold", "hold", bool(head.hold), bool),
        ("hold reason", "hold_reason", head.hold_reason if head.hold else None, _text),
    ):
        if key in header:
            check(label, norm(stored), norm(header[key]), derived.source_of(key))
    if head.parent_id is not None and head.parent is None:
        found.append(("part of", f"exhibit row {head.parent_id}", "an exhibit in the database", 1))
    if head.found_on_id is not None and head.found_on is None:
        found.append(("found on", f"prisoner row {head.found_on_id}", "a prisoner", 1))
    check("seized by", _text(head.seized_by), _text(derived.seized_by), 1)
    check("seized at", _instant(head.seized_at), _instant(derived.seized_at), 1)
    check("state", _text(head.state), _text(derived.state), last)
    check("holder", _text(head.holder), _text(derived.holder), last)
    check("holder kind", _text(head.holder_kind), _text(derived.holder_kind), last)
    check("seal", _text(head.seal_number), _text(derived.seal_number), last)
    check("location", _text(head.storage_location), _text(derived.storage_location), last)
    check(
        "last movement", _instant(head.last_movement_at), _instant(derived.last_movement_at), last
    )
    check("discrepancies", head.discrepancy_count, derived.discrepancy_count, last)
    for label, stored, actual, seq in found:
        run.headers.append(
            ChainProblem(
                name,
                seq,
                "header mismatch",
                f"the exhibit shows {label} '{_text(stored)}' but its chain records "
                f"'{_text(actual)}'",
                head.id,
            )
        )
