"""``cipco verify``: recompute every exhibit's chain and the custody ledger; name what differs.

What it proves (docs/custody.md): the hash chains, the ledger and the exhibit rows agree with
each other, so an edit, removal, insertion or reorder made straight into the file by someone
who does not recompute the digests is caught and named. Someone who knows the code can
recompute them all; only an anchor held outside the file (``--against``: a ledger digest
printed on an export, minutes or a case file, or a ``cipco ledger --out`` listing) proves
that the history was not rewritten.

Problem kinds: edit, removal, insertion, reorder, orphan, duplicate seq, link break, head
mismatch, header mismatch, anchor mismatch. Each names the exhibit and, where there is one,
the event that was changed (not the one after it).
"""

from __future__ import annotations

import gc
import hashlib
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from itertools import chain, groupby
from operator import itemgetter
from typing import Any

from sqlalchemy import Boolean, DateTime, Integer, String, func, null, or_, select, type_coerce
from sqlmodel import Session

from cipco.models.exhibit import EventKind, Exhibit, ExhibitEvent, ExhibitReferral
from cipco.models.people import Prisoner
from cipco.models.referral import Referral
from cipco.models.types import UTCDateTime
from cipco.services import ledger
from cipco.services.chain import (
    GENESIS,
    HEADER_COLUMNS,
    I_CORRECTS,
    I_DETAILS,
    I_HASH,
    I_ID,
    I_KIND,
    I_PREV,
    I_SEQ,
    I_SITE,
    ROW_FIELDS,
    canonical_v1,
    canonical_v2,
    derive,
    digest,
    parse_details,
)
from cipco.services.chain_report import (
    H_EVENT_COUNT,
    H_HEAD_HASH,
    H_ID,
    H_PARENT,
    H_PARENT_ID,
    H_REF,
    PROBLEM_KINDS,
    ChainProblem,
    Run,
    VerifyReport,
    compare_header,
    row_reference,
)
from cipco.services.ledger_verify import against_event, check_ledger

# ------------------------------------------------------------------ reading raw values

_INSTANTS = frozenset({"happened_at", "recorded_at", "corrected_happened_at"})


def _raw(column: Any) -> Any:
    """A column's stored value without conversion (instants stay as stored text)."""
    kind = column.type
    if isinstance(kind, Boolean):
        return type_coerce(column, Integer)
    if isinstance(kind, DateTime | UTCDateTime) or column.name in _INSTANTS:
        return type_coerce(column, String)
    return column


# (label, column) of what verify reads from each exhibit row
_HEAD_COLUMNS = (
    ("type", "exhibit_type"),
    *(
        (name, name)
        for name in (
            *HEADER_COLUMNS,
            "list_class",
            "seized_by",
            "seized_at",
            "hold",
            "hold_reason",
            "seal_number",
            "storage_location",
            "holder",
            "holder_kind",
            "state",
            "last_movement_at",
            "discrepancy_count",
            "event_count",
            "head_hash",
        )
    ),
)


def _load_exhibits(session: Session) -> dict[int, Any]:
    """Every exhibit row (values as stored, read as ``Head``), with its parent's reference,
    the NOMIS number of the prisoner it was found on and its referral links, by row id."""
    table = Exhibit.__table__  # type: ignore[attr-defined]
    prisoner = Prisoner.__table__  # type: ignore[attr-defined]
    link = ExhibitReferral.__table__  # type: ignore[attr-defined]
    referral = Referral.__table__  # type: ignore[attr-defined]
    linked = dict(
        _tuples(
            session,
            select(link.c.exhibit_id, func.aggregate_strings(referral.c.reference, "\n"))
            .select_from(link.join(referral, referral.c.id == link.c.referral_id))
            .group_by(link.c.exhibit_id),
        )
    )
    statement = (
        select(
            table.c.id,
            table.c.site,
            table.c.reference,
            table.c.parent_id,
            null().label("parent"),  # filled below from the rows themselves
            table.c.found_on_prisoner_id.label("found_on_id"),
            prisoner.c.nomis_number.label("found_on"),
            *(_raw(table.c[column]).label(label) for label, column in _HEAD_COLUMNS),
        )
        .select_from(table)
        .outerjoin(prisoner, prisoner.c.id == table.c.found_on_prisoner_id)
    )
    heads = {row[0]: (*row, linked.get(row[0])) for row in _tuples(session, statement)}
    for exhibit_id, head in heads.items():
        parent_id = head[H_PARENT_ID]
        if parent_id is not None and parent_id in heads:
            heads[exhibit_id] = (*head[:H_PARENT], heads[parent_id][H_REF], *head[H_PARENT + 1 :])
    return heads


def _tuples(session: Session, statement: Any) -> Iterator[tuple[Any, ...]]:
    """Rows as the database driver gives them: plain tuples of stored values.

    Verify reads every event; SQLAlchemy's Row costs more per row than the hashing does.
    The statements here ask for raw values (``_raw``), so nothing is lost.
    """
    cursor = session.execute(statement).cursor  # closed with the unit of work
    return chain.from_iterable(iter(lambda: cursor.fetchmany(5000), []))


def _check_link_rows(session: Session, report: VerifyReport) -> None:
    """Name referral links whose exhibit or referral is no longer in the file."""
    link = ExhibitReferral.__table__  # type: ignore[attr-defined]
    referral = Referral.__table__  # type: ignore[attr-defined]
    exhibit = Exhibit.__table__  # type: ignore[attr-defined]
    rows = _tuples(
        session,
        select(link.c.exhibit_id, link.c.referral_id, exhibit.c.reference, referral.c.id)
        .select_from(link)
        .outerjoin(referral, referral.c.id == link.c.referral_id)
        .outerjoin(exhibit, exhibit.c.id == link.c.exhibit_id)
        .where(or_(referral.c.id.is_(None), exhibit.c.id.is_(None))),
    )
    for exhibit_id, referral_id, reference, found in rows:
        if reference is None:
            report.problems.append(
                ChainProblem(
                    f"exhibit id {exhibit_id}",
                    None,
                    "orphan",
                    f"a referral link (referral row {referral_id}) belongs to no exhibit",
                    exhibit_id,
                )
            )
        elif found is None:
            report.problems.append(
                ChainProblem(
                    reference,
                    None,
                    "link break",
                    f"linked to referral row {referral_id}, which is not in the database",
                    exhibit_id,
                )
            )


def _ledger_prevs(session: Session) -> dict[int, str | None]:
    """Each event's note of the ledger entry before it (read only to name a removal)."""
    table = ExhibitEvent.__table__  # type: ignore[attr-defined]
    return dict(_tuples(session, select(table.c.id, table.c.ledger_prev)))  # type: ignore[arg-type]


def _load_targets(session: Session) -> dict[int, tuple[int, int]]:
    """Each corrected event's (exhibit id, number), by row id."""
    table = ExhibitEvent.__table__  # type: ignore[attr-defined]
    corrected = select(table.c.corrects_event_id).where(table.c.corrects_event_id.is_not(None))
    return {
        row[0]: (row[1], row[2])
        for row in session.execute(
            select(table.c.id, table.c.exhibit_id, table.c.seq).where(table.c.id.in_(corrected))
        )
    }


__all__ = ["PROBLEM_KINDS", "ChainProblem", "VerifyReport", "verify"]

_ROW_COUNT = len(ROW_FIELDS)
# after the ROW_FIELDS: the row's site and its ledger place
I_ROW_SITE, I_LEDGER, I_LEDGER_HASH = range(_ROW_COUNT, _ROW_COUNT + 3)
_exhibit_of = itemgetter(1)
# an event's ledger place, as ledger_verify walks it (position None: not in the ledger)
_place = itemgetter(I_ROW_SITE, I_LEDGER, I_ID, 1, I_SEQ, I_SITE, I_HASH, I_LEDGER_HASH)
_SEIZURE = EventKind.SEIZURE.value
_CORRECTION = EventKind.CORRECTION.value
_UPGRADE = EventKind.UPGRADE.value
_DETAIL_KINDS = frozenset({_SEIZURE, EventKind.HOLD.value, EventKind.LINK.value, _UPGRADE})


def verify(
    session: Session,
    progress: Callable[[int], None] | None = None,
    against: ledger.AnchorRef | ledger.Listing | None = None,
) -> VerifyReport:
    """Recompute every chain and the ledger from the stored values; report what does not fit.

    ``against`` compares the ledger with an anchor held outside the file.
    """
    collecting = gc.isenabled()
    gc.disable()  # verify makes no cycles; it holds every ledger place, which GC would rescan
    try:
        return _verify(session, progress, against)
    finally:
        if collecting:
            gc.enable()


def _verify(
    session: Session,
    progress: Callable[[int], None] | None,
    against: ledger.AnchorRef | ledger.Listing | None,
) -> VerifyReport:
    started = time.perf_counter()
    report = VerifyReport()
    heads = _load_exhibits(session)
    report.exhibits = len(heads)
    anchored = None
    if isinstance(against, ledger.Listing):
        anchored = {(ref, seq): event_hash for ref, seq, event_hash in against.entries}
    _check_link_rows(session, report)
    run = Run(report, heads, _load_targets(session), anchored)
    table = ExhibitEvent.__table__  # type: ignore[attr-defined]
    columns = [_raw(table.c[name]) for name in ROW_FIELDS]
    result = _tuples(
        session,
        select(
            *columns,
            table.c.site,
            table.c.ledger_seq,
            table.c.ledger_hash,
        ).order_by(table.c.exhibit_id, table.c.seq, table.c.id),
    )
    seen: set[int] = set()
    count = 0
    ticked = 0
    places = run.places
    for exhibit_id, group in groupby(result, key=_exhibit_of):
        rows = list(group)
        count += len(rows)
        seen.add(exhibit_id)
        places.extend(map(_place, rows))
        _check_exhibit(run, exhibit_id, rows)
        if progress is not None and count - ticked >= 10000:
            progress(count - ticked)
            ticked = count
    if progress is not None and count > ticked:
        progress(count - ticked)
    report.events = count
    for exhibit_id, head in heads.items():
        if exhibit_id not in seen:
            run.add(
                ChainProblem(
                    head[H_REF],
                    None,
                    "removal",
                    f"all {head[H_EVENT_COUNT]} events of this exhibit are missing",
                    exhibit_id,
                )
            )
    check_ledger(run, ledger.ledger_site(session), against, lambda: _ledger_prevs(session))
    _settle(run)
    report.anchors = ledger.anchors(session)
    report.anchor = report.anchors[0]
    report.seconds = time.perf_counter() - started
    return report


def _settle(run: Run) -> None:
    """Name what waited for the ledger: a rewritten event rather than the link after it."""
    explained = set(run.rehashed)
    for problem, blame in run.pending:
        if blame not in explained:
            run.add(problem)
    first: dict[int | None, int | None] = {}
    for event_id, problem in sorted(run.rehashed.items(), key=lambda item: item[1].seq or 0):
        if event_id in run.reported:
            continue
        earlier = first.setdefault(problem.exhibit_id, problem.seq)
        if earlier != problem.seq and problem.detail.startswith("rewritten"):
            problem = replace(
                problem,
                detail=f"its hash was recomputed too, after event {earlier} was rewritten "
                "(the ledger recorded another)",
            )
        run.add(problem)
    for problem in run.headers:
        if problem.exhibit_id not in run.broken:
            run.add(problem)
    run.report.problems.sort(key=lambda p: (p.reference, p.seq or 0, PROBLEM_KINDS.index(p.kind)))


# ------------------------------------------------------------------ one exhibit's chain


def _missing(first: int, last: int) -> str:
    return f"event {first} is missing" if first == last else f"events {first}-{last} are missing"


def _hash_reference(head: Any, rows: list[Any], details: list[Any]) -> str:
    """The reference the events were hashed with: the seizure's, unless only the row's fits."""
    reference = head[H_REF] if head is not None else None
    first = rows[0]
    recorded = details[0].get("reference") if isinstance(details[0], dict) else None
    if first[I_SEQ] != 1 or first[I_KIND] != _SEIZURE or not isinstance(recorded, str):
        return reference or f"exhibit id {first[1]}"
    if reference is None or recorded == reference or first[3] != 2:
        return recorded
    prev, event_hash = first[I_PREV], first[I_HASH]
    if digest(canonical_v2(first, recorded, None, details[0]), prev) == event_hash:
        return recorded
    if digest(canonical_v2(first, reference, None, details[0]), prev) == event_hash:
        return reference
    return recorded


def _upgrade_ids(rows: list[Any], details: list[Any]) -> dict[str, Any] | None:
    """The row ids form 1 hashed, as the upgrade event recorded them: the exhibit's, and
    each event's by number (``ids``)."""
    for row, value in zip(rows, details, strict=True):
        if row[I_KIND] == _UPGRADE and isinstance(value, dict):
            recorded = value.get("upgrade")
            if isinstance(recorded, dict):
                pairs = recorded.get("event_ids") or []
                ids = {p[0]: p[1] for p in pairs if isinstance(p, list) and len(p) == 2}
                return {"exhibit_id": recorded.get("exhibit_id", row[1]), "ids": ids}
    return None


def _check_exhibit(run: Run, exhibit_id: int, rows: list[Any]) -> None:
    head = run.heads.get(exhibit_id)
    details = [
        parse_details(row[I_DETAILS]) if row[I_KIND] in _DETAIL_KINDS else None for row in rows
    ]
    reference = _hash_reference(head, rows, details)
    run.hash_refs[exhibit_id] = reference
    if head is None:
        for row in rows:
            run.add(
                ChainProblem(
                    reference,
                    row[I_SEQ],
                    "orphan",
                    f"belongs to no exhibit (exhibit row {exhibit_id} is not in the database)",
                    exhibit_id,
                    row[I_ID],
                )
            )
        return
    v1 = _upgrade_ids(rows, details) if rows[0][3] == 1 else None  # a form-1 chain, upgraded
    anchored = run.anchored is not None
    expected_prev = GENESIS
    last_seq = 0
    last_id = None
    last_position = 0
    moved = False  # the event before was hashed for another place: a broken link follows
    kept: list[int] | None = None  # rows left out of the chain (duplicates, insertions)
    sha256 = hashlib.sha256
    for index, (row, detail) in enumerate(zip(rows, details, strict=True)):
        seq = row[I_SEQ]
        hash_site = row[I_SITE]
        position = row[I_LEDGER]
        after_moved, moved = moved, False
        if (
            seq == last_seq + 1
            and row[3] == 2
            and row[I_CORRECTS] is None
            and position is not None
            and position > last_position
            and (not hash_site or hash_site == row[I_ROW_SITE])
        ):
            # the common case, inline: a form-2 event in its place
            text = canonical_v2(row, reference, None, stored_detail=True)
            if sha256((row[I_PREV] + text).encode()).hexdigest() != row[I_HASH]:
                text = canonical_v2(row, reference, None, detail)  # the definition decides
                if sha256((row[I_PREV] + text).encode()).hexdigest() != row[I_HASH]:
                    moved = _misplaced(run, row, detail, reference, v1, rows, expected_prev)
            elif row[I_PREV] != expected_prev and not after_moved:
                _link_break(run, head, row, last_seq, last_id)
            if anchored:
                against_event(run, row, text, reference)
        elif (status := _check_event(run, head, row, last_seq)) is None:
            kept = kept or list(range(index))
            continue
        else:
            text = _canonical(run, row, detail, reference, v1)
            if status:
                pass  # named already (hashed for another site)
            elif text is None or digest(text, row[I_PREV]) != row[I_HASH]:
                moved = _misplaced(run, row, detail, reference, v1, rows, expected_prev)
            elif row[I_PREV] != expected_prev and seq == last_seq + 1 and not after_moved:
                _link_break(run, head, row, last_seq, last_id)
            elif position < last_position:
                detail = f"the custody ledger has it before event {last_seq}"
                run.add(ChainProblem(head[H_REF], seq, "reorder", detail, exhibit_id, row[I_ID]))
            if anchored and text is not None:
                against_event(run, row, text, reference)
        if kept is not None:
            kept.append(index)
        expected_prev = row[I_HASH]
        last_seq = seq
        last_id = row[I_ID]
        last_position = max(position, last_position)
    _check_tail(run, head, head[H_REF], last_seq, last_id, expected_prev)
    if exhibit_id not in run.broken:
        if kept is not None:
            rows = [rows[i] for i in kept]
            details = [details[i] for i in kept]
        compare_header(run, head, derive(rows, details, names=False))


def _check_event(run: Run, head: Any, row: Any, last_seq: int) -> bool | None:
    """An event off the common path: name what is wrong with its place. None when it is
    left out of the chain (a second event with its number, or one outside the ledger);
    True when the event itself was named (hashed for another site)."""
    name, exhibit_id, seq, event_id = head[H_REF], head[H_ID], row[I_SEQ], row[I_ID]

    def problem(kind: str, detail: str, at: int | None = seq, event: int | None = event_id) -> None:
        run.add(ChainProblem(name, at, kind, detail, exhibit_id, event))

    if seq == last_seq:
        problem("duplicate seq", f"a second event numbered {seq} (row {event_id})")
        return None
    if row[I_LEDGER] is None:
        problem("insertion", "added outside cipco: it has no place in the custody ledger")
        return None
    if seq > last_seq + 1:
        problem("removal", _missing(last_seq + 1, seq - 1), last_seq + 1, None)
    hash_site = row[I_SITE] or ""
    if hash_site and hash_site != (row[I_ROW_SITE] or ""):
        problem("edit", f"hashed for site {hash_site} but filed under site '{row[I_ROW_SITE]}'")
        return True
    return False


def _link_break(run: Run, head: Any, row: Any, last_seq: int, last_id: int | None) -> None:
    """Named unless the ledger shows the event before was rewritten (then that one is)."""
    problem = ChainProblem(
        head[H_REF],
        row[I_SEQ],
        "link break",
        f"does not follow event {last_seq}: it links to another hash",
        head[H_ID],
        row[I_ID],
    )
    run.pending.append((problem, last_id if last_id is not None else row[I_ID]))


def _canonical(
    run: Run, row: Any, details: Any, reference: str, v1: dict[str, Any] | None
) -> str | None:
    """The canonical text of a stored event, in the form it was hashed in."""
    form = row[3]
    corrects_id = row[I_CORRECTS]
    try:
        if form == 2:
            corrects = None
            if corrects_id is not None:
                target = run.targets.get(corrects_id)
                if target is None:
                    return None
                corrects = (
                    run.hash_refs.get(target[0]) or row_reference(run, target[0]),
                    target[1],
                )
            return canonical_v2(row, reference, corrects, details)
        if form == 1:
            exhibit_v1 = row[1]
            if v1 is not None:
                exhibit_v1 = v1.get("exhibit_id", exhibit_v1)
                target = run.targets.get(corrects_id) if corrects_id is not None else None
                if target is not None:
                    corrects_id = v1["ids"].get(target[1], corrects_id)
            return canonical_v1(row, exhibit_v1, corrects_id)
    except (TypeError, ValueError):
        return None  # a value of a kind cipco never stores
    return None


def _misplaced(run: Run, *event: Any) -> bool:
    """Name why an event does not match its hash (``event``: what :func:`_classify` takes
    after ``run``); True when it was moved (reordered)."""
    problem = _classify(run, *event)
    run.add(problem)
    return problem.kind == "reorder"


def _classify(
    run: Run,
    row: Any,
    details: Any,
    reference: str,
    v1: dict[str, Any] | None,
    rows: list[Any],
    expected_prev: str,
) -> ChainProblem:
    """Why an event does not match its hash: moved, relinked, or edited."""
    exhibit_id, event_id, seq = row[1], row[I_ID], row[I_SEQ]
    name = row_reference(run, exhibit_id)

    def problem(kind: str, detail: str) -> ChainProblem:
        return ChainProblem(name, seq, kind, detail, exhibit_id, event_id)

    if row[3] not in (1, 2):
        return problem("edit", f"changed after it was recorded: unknown hash form {row[3]!r}")
    text = _canonical(run, row, details, reference, v1)
    if text is not None and digest(text, expected_prev) == row[I_HASH]:
        return problem("link break", "its link to the previous event was altered")
    corrects_id = row[I_CORRECTS]
    if row[3] == 2 and row[I_KIND] == _CORRECTION:
        target = run.targets.get(corrects_id) if corrects_id is not None else None
        if corrects_id is not None and target is None:
            return problem(
                "orphan", f"corrects event row {corrects_id}, which is not in the database"
            )
        for other in rows:
            if other[I_ID] == corrects_id or other[I_KIND] == _CORRECTION:
                continue
            trial = canonical_v2(row, reference, (reference, other[I_SEQ]), details)
            if digest(trial, row[I_PREV]) == row[I_HASH]:
                now = f"event {target[1]}" if target else "no event"
                return problem(
                    "link break",
                    f"the correction now points at {now}; it was recorded for event {other[I_SEQ]}",
                )
    if row[3] == 2 and text is not None:
        for other_seq in range(1, len(rows) + 2):
            if other_seq == seq:
                continue
            moved = list(row)
            moved[I_SEQ] = other_seq
            trial = _canonical(run, moved, details, reference, v1)
            if trial is not None and digest(trial, row[I_PREV]) == row[I_HASH]:
                return problem("reorder", f"it was recorded as event {other_seq}")
    return problem("edit", "altered after it was recorded: its content does not match its hash")


def _check_tail(
    run: Run, head: Any, name: str, last_seq: int, last_id: int | None, last_hash: str
) -> None:
    recorded = head[H_EVENT_COUNT]
    if last_seq < recorded:
        run.add(
            ChainProblem(
                name,
                last_seq + 1,
                "removal",
                f"{_missing(last_seq + 1, recorded)} (the exhibit records {recorded} events)",
                head[H_ID],
            )
        )
        return
    if last_seq == recorded and last_hash == head[H_HEAD_HASH]:
        return
    detail = (
        f"the exhibit records {recorded} events ending {str(head[H_HEAD_HASH])[:12]}; its chain "
        f"has {last_seq} ending {last_hash[:12]}"
    )
    problem = ChainProblem(name, last_seq or None, "head mismatch", detail, head[H_ID])
    run.pending.append((problem, last_id if last_id is not None else -1))
    run.broken.add(head[H_ID])
