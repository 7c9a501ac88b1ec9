"""What ``cipco verify`` found: each problem names the exhibit and the event, and its kind."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cipco.services.chain import Derived, utc_text
from cipco.services.ledger import Anchor

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


@dataclass
class Run:
    """The state of one verify run, shared by the chain and the ledger checks."""

    report: VerifyReport
    heads: dict[int, Any]
    links: dict[int, set[str]]
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
    return head.reference if head is not None else f"exhibit id {exhibit_id}"


# ------------------------------------------------------------------ header against chain


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _instant(value: Any) -> str:
    return utc_text(value) or ""


def _agrees(head: Any, derived: Derived) -> bool:
    """The common case in one comparison: the exhibit row shows exactly what its chain says.

    A key the chain does not record (a form-1 exhibit never upgraded) takes the row's value.
    """
    get = derived.header.get
    hold = bool(head.hold)
    stored = (
        head.reference,
        head.parent,
        head.type,
        head.description,
        head.system,
        head.camera_id,
        head.officer,
        utc_text(head.clip_start),
        utc_text(head.clip_end),
        head.export_medium,
        head.file_sha256,
        head.quantity,
        head.weight,
        head.where_found,
        head.found_on,
        head.list_class,
        hold,
        head.hold_reason if hold else None,
    )
    actual = (
        get("reference", stored[0]),
        get("parent", stored[1]),
        get("type", stored[2]),
        get("description", stored[3]),
        get("system", stored[4]),
        get("camera_id", stored[5]),
        get("officer", stored[6]),
        utc_text(get("clip_start", stored[7])),
        utc_text(get("clip_end", stored[8])),
        get("export_medium", stored[9]),
        get("file_sha256", stored[10]),
        get("quantity", stored[11]),
        get("weight", stored[12]),
        get("where_found", stored[13]),
        get("found_on", stored[14]),
        get("list_class", stored[15]),
        get("hold", hold),
        get("hold_reason", stored[17]) if get("hold", hold) else None,
    )
    return (
        stored == actual
        and (head.parent_id is None or head.parent is not None)
        and (head.found_on_id is None or head.found_on is not None)
        and head.seized_by == derived.seized_by
        and utc_text(head.seized_at) == utc_text(derived.seized_at)
        and head.state == derived.state
        and head.holder == derived.holder
        and head.holder_kind == derived.holder_kind
        and head.seal_number == derived.seal_number
        and head.storage_location == derived.storage_location
        and utc_text(head.last_movement_at) == utc_text(derived.last_movement_at)
        and head.discrepancy_count == derived.discrepancy_count
    )


def compare_header(run: Run, head: Any, derived: Derived) -> None:
    """Note each header field of the exhibit row that disagrees with its chain, and each
    referral link the chain does not record (or records without the link)."""
    if "referrals" in derived.header:
        linked = run.links.get(head.id, set())
        recorded = set(derived.referrals)
        if linked != recorded:
            _compare_links(run, head, derived, linked, recorded)
    if not _agrees(head, derived):
        _compare_fields(run, head, derived)


def _compare_links(
    run: Run, head: Any, derived: Derived, linked: set[str], recorded: set[str]
) -> None:
    for reference in sorted(linked - recorded):
        run.headers.append(
            ChainProblem(
                head.reference,
                None,
                "link break",
                f"linked to referral {reference}, which no event of its chain records",
                head.id,
            )
        )
    for reference in sorted(recorded - linked):
        run.headers.append(
            ChainProblem(
                head.reference,
                derived.source_of("referrals"),
                "link break",
                f"its chain links referral {reference} but the link is missing",
                head.id,
            )
        )


def _compare_fields(run: Run, head: Any, derived: Derived) -> None:
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
        found.append(("part of", f"exhibit row {head.parent_id}", "an exhibit in the file", 1))
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
