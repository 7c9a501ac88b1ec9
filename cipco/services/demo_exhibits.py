"""Demo exhibits with hashed chains: about one exhibit a referral, about four events each.

States follow the referral [ours, for realistic demo data]: exhibits of decided referrals are
disposed of (disseminated to police, returned to the owner or destroyed), bar a few left in
the store whose retention review is overdue; exhibits of open referrals are with the police
or a lab, and only those seized in the last few weeks may still wait for police collection.

Rows are bulk-inserted with explicit ids so corrections can point at their originals and
every hash (form 2) and ledger digest is computed before insert, in the same functions the
services use; ``cipco verify`` passes on the result. Events enter the custody ledger exhibit
by exhibit, as an import of an old log would.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from cipco.clock import to_london
from cipco.db import site_of
from cipco.models.exhibit import (
    FINAL_STATES,
    EventKind,
    Exhibit,
    ExhibitEvent,
    ExhibitState,
    ExhibitType,
    HolderKind,
)
from cipco.models.people import Prisoner
from cipco.models.referral import Referral
from cipco.models.vocab import DIGITAL_TYPES
from cipco.services import demo, ledger, settings
from cipco.services.chain import canonical_json, derive, event_row, header_details, stored_instant
from cipco.services.chain_batch import (
    NOT_MOVEMENTS,
    Attributes,
    LedgerBook,
    new_event,
    write_chains,
)
from cipco.services.exhibits import review_due_on
from cipco.services.flags import CLOSED_STATUSES
from cipco.services.id_blocks import IdBlock

KINDS: list[tuple[ExhibitType, float, str]] = [
    (ExhibitType.CCTV, 22, "CCTV export, {where}"),
    (ExhibitType.BWV, 18, "Body-worn video, {officer}"),
    (ExhibitType.MOBILE_PHONE, 14, "Mobile phone found {where}"),
    (ExhibitType.SIM_STORAGE, 5, "SIM card / micro-SD from a phone"),
    (ExhibitType.DRUGS, 12, "Suspected psychoactive substance on paper"),
    (ExhibitType.WEAPON, 6, "Improvised bladed weapon"),
    (ExhibitType.PHOTO, 10, "Photographs of injuries"),
    (ExhibitType.DOCUMENT, 6, "Letter and envelope"),
    (ExhibitType.AUDIO, 3, "PIN phone call recording"),
    (ExhibitType.OTHER, 4, "Clothing bagged after assault"),
]
STORES = ("Security evidence safe", "Evidence locker 2", "Drugs safe", "CCTV suite")
LABS = ("Eurofins Forensics", "Key Forensic Services", "Cellmark")
COURIERS = ("Secure courier (TNT)", "Police courier")
WITNESSES = ("Deputy Governor R. Okafor", "Head of Security L. Marsh", "OSG W. Tran")


CONTRABAND = frozenset(
    {ExhibitType.MOBILE_PHONE, ExhibitType.SIM_STORAGE, ExhibitType.DRUGS, ExhibitType.WEAPON}
)
CLOSED = frozenset(status.value for status in CLOSED_STATUSES)
AWAITING_WITHIN = timedelta(days=28)  # collection is requested soon after seizure
AWAITING_SHARE = 0.35  # of recent exhibits of referrals the police have acknowledged
AWAITING_REFERRED_SHARE = 0.6  # of exhibits of referrals not yet acknowledged
LEFT_IN_STORE = 0.003  # decided referrals' exhibits nobody disposed of: review overdue
NOT_COLLECTED = {"withdrawn": 1.0, "nfa": 0.45, "returned": 0.45}  # police never took them
DISSEMINATED_PHYSICAL = 0.55  # physical items the police keep for good on collection


def _fate(rng: Any, kind: ExhibitType, status: str, since_seizure: timedelta) -> str:
    """What happens after an exhibit reaches the prison store, from its referral's status.

    ``held`` (stays in the store), ``awaiting`` (police collection requested), ``police``
    (with police, perhaps at a lab), ``disseminated`` (to police for good), ``dispose``
    (destroyed or returned by the prison) or ``police_round_trip`` (collected, examined,
    sent back, then disposed of).
    """
    if status == "draft":
        return "held"
    if status == "referred":
        return "awaiting" if rng.random() < AWAITING_REFERRED_SHARE else "held"
    if status not in CLOSED:
        if since_seizure < AWAITING_WITHIN and rng.random() < AWAITING_SHARE:
            return "awaiting"
        if kind in DIGITAL_TYPES and rng.random() < 0.6:
            return "disseminated"
        return "police"
    if rng.random() < LEFT_IN_STORE:
        return "held"
    if rng.random() < NOT_COLLECTED.get(status, 0.0):
        return "dispose"
    if kind in DIGITAL_TYPES or rng.random() < DISSEMINATED_PHYSICAL:
        return "disseminated"
    return "police_round_trip"


def _dispose(
    rng: Any,
    kind: ExhibitType,
    holder: str,
    add: Callable[[dict[str, Any], datetime], None],
    later: Callable[[int, int], datetime],
) -> None:
    """The prison disposes of an exhibit of a decided referral: contraband and recordings are
    destroyed (authority and an independent witness); property goes back to its owner."""
    if kind in CONTRABAND or kind in DIGITAL_TYPES:
        add(
            {
                "kind": EventKind.DESTRUCTION.value,
                "from_name": holder,
                "from_kind": HolderKind.STAFF.value,
                "authority": "Governor D. Price",
                "witness": rng.choice(WITNESSES),
                "reason": "other",
                "note": "Destroyed after case closed",
            },
            later(5, 40),
        )
        return
    add(
        {
            "kind": EventKind.RETURN.value,
            "from_name": holder,
            "from_kind": HolderKind.STAFF.value,
            "to_name": "Prisoner's stored property (reception)",
            "to_kind": HolderKind.OWNER.value,
            "reason": "return",
            "note": "Returned to owner's property after case closed",
        },
        later(5, 40),
    )


def _initials(name: str) -> str:
    parts = [p for p in name.replace(".", " ").split() if p[0].isupper()]
    letters = "".join(p[0] for p in parts[-2:])
    return letters or "EX"


class _ChainBuilder:
    """One exhibit's events, hashed and placed in the ledger as they are added."""

    def __init__(
        self,
        rng: Any,
        now: datetime,
        exhibit_id: int,
        event_ids: IdBlock,
        start: datetime,
        reference: str,
        book: LedgerBook,
    ) -> None:
        self.rng = rng
        self.now = now
        self.exhibit_id = exhibit_id
        self.event_ids = event_ids
        self.when = start
        self.events: list[dict[str, Any]] = []
        self.last_at = start  # the last hand-over (record events are not movements)
        self.reference = reference
        self.book = book

    def add(self, fields: dict[str, Any], at: datetime) -> None:
        if fields["kind"] not in NOT_MOVEMENTS:
            self.last_at = at
        recorded = at + timedelta(minutes=self.rng.randrange(1, 90))
        if self.rng.random() < 0.05:
            recorded = at + timedelta(days=self.rng.randrange(1, 4))
        event = new_event(
            self.events,
            fields,
            event_id=self.event_ids.take(),
            exhibit_id=self.exhibit_id,
            reference=self.reference,
            happened_at=stored_instant(at),
            recorded_at=stored_instant(min(recorded, self.now)),
            recorded_by="coordinator",
            site=self.book.site,
        )
        self.book.place(event, self.reference)
        self.events.append(event)

    def later(self, days_low: int, days_high: int) -> datetime:
        hours = self.rng.randrange(days_low * 24, days_high * 24 + 1)
        self.when = min(self.when + timedelta(hours=hours), self.now)
        return self.when


@demo.register("exhibits")
def generate_exhibits(
    session: Session, ctx: demo.DemoContext, tick: Callable[[str, int], None]
) -> int:
    rng = ctx.rng
    now = ctx.clock.now()
    review_days = settings.get_int(session, "exhibit_review_days")
    overwrite_days = settings.get_int(session, "footage_overwrite_days")
    exhibit_ids = IdBlock(session, Exhibit)  # the tables' own ids on both backends
    event_ids = IdBlock(session, ExhibitEvent, 4000)
    used: set[str] = set(session.scalars(select(Exhibit.reference)))
    counters: dict[str, int] = {}
    weights = [w for _k, w, _d in KINDS]
    exhibit_rows: list[dict[str, Any]] = []
    event_rows: list[dict[str, Any]] = []
    link_rows: list[dict[str, Any]] = []
    made = 0
    connection = session.connection()
    book = LedgerBook(ledger.head(session), site_of(session.get_bind()))
    referral_refs = dict(
        session.execute(
            select(Referral.id, Referral.reference).where(
                Referral.id.in_(ctx.referral_ids)  # type: ignore[union-attr]
            )
        ).all()
    )
    found_ids = set(ctx.referral_prisoner.values())
    prisoners = {
        row[0]: (row[1], row[2])
        for row in session.execute(
            select(Prisoner.id, Prisoner.nomis_number, Prisoner.name).where(
                Prisoner.id.in_(found_ids)  # type: ignore[union-attr]
            )
        )
    }

    def flush() -> None:
        write_chains(connection, exhibit_rows, event_rows, link_rows)
        tick("exhibits", len(exhibit_rows))
        exhibit_rows.clear()
        event_rows.clear()
        link_rows.clear()

    for referral_id in ctx.referral_ids:
        count = rng.choice((0, 1, 1, 2, 2))
        incident = ctx.referral_incident[referral_id]
        status = ctx.referral_status[referral_id]
        for _ in range(count):
            kind, _w, template = rng.choices(KINDS, weights=weights)[0]
            seizer = rng.choice(ctx.staff)
            initials = _initials(seizer)
            while True:
                counters[initials] = counters.get(initials, 0) + 1
                reference = f"{initials}/{counters[initials]}"
                if reference not in used:
                    used.add(reference)
                    break
            exhibit_id = exhibit_ids.take()
            where = rng.choice(demo.LOCATIONS)
            officer = rng.choice(ctx.staff)
            seized_at = min(incident + timedelta(minutes=rng.randrange(10, 600)), now)
            seal = f"S{rng.randrange(1000000, 9999999)}"
            store = rng.choice(STORES)
            footage = kind in (ExhibitType.CCTV, ExhibitType.BWV)
            builder = _ChainBuilder(rng, now, exhibit_id, event_ids, seized_at, reference, book)
            events = builder.events
            add = builder.add
            later = builder.later

            prisoner_id = ctx.referral_prisoner.get(referral_id)
            found_on = kind in (ExhibitType.MOBILE_PHONE, ExhibitType.DRUGS, ExhibitType.WEAPON)
            row: dict[str, Any] = {
                "id": exhibit_id,
                "reference": reference,
                "parent_id": None,
                "exhibit_type": kind.value,
                "description": template.format(where=where.lower(), officer=officer),
                "system": ("Milestone XProtect" if kind == ExhibitType.CCTV else "Axon Body 3")
                if footage
                else None,
                "camera_id": f"CAM-{rng.randrange(1, 120)}" if footage else None,
                "officer": officer if kind == ExhibitType.BWV else None,
                "clip_start": incident if footage else None,
                "clip_end": incident + timedelta(minutes=rng.randrange(2, 30)) if footage else None,
                "export_medium": rng.choice(("DVD", "USB", "Evidence.com link"))
                if footage
                else None,
                "file_sha256": None,
                "quantity": "1" if not footage else None,
                "weight": f"{rng.randrange(1, 40)} g" if kind == ExhibitType.DRUGS else None,
                "where_found": where,
                "found_on_prisoner_id": prisoner_id if found_on else None,
                "list_class": "A" if found_on else None,
                "seized_by": seizer,
                "seized_at": seized_at,
                "hold": False,
                "hold_reason": None,
            }
            nomis, name = prisoners.get(row["found_on_prisoner_id"], (None, None))
            header = header_details(
                Attributes(row),
                parent=None,
                found_on=nomis,
                found_on_name=name or None,
                referrals=[referral_refs[referral_id]],
            )
            add(
                {
                    "kind": EventKind.SEIZURE.value,
                    "from_name": where,
                    "to_name": seizer,
                    "to_kind": HolderKind.STAFF.value,
                    "reason": "storage",
                    "location": store,
                    "seal_number": seal,
                    "seal_intact": True,
                    "details": canonical_json(header),
                },
                seized_at,
            )
            holder = seizer
            coordinator = "CiPCo A. Whitfield"
            add(
                {
                    "kind": EventKind.MOVEMENT.value,
                    "from_name": holder,
                    "from_kind": HolderKind.STAFF.value,
                    "to_name": coordinator,
                    "to_kind": HolderKind.STAFF.value,
                    "reason": "storage",
                    "location": store,
                    "seal_number": seal,
                    "seal_intact": True,
                },
                later(0, 2),
            )
            holder = coordinator
            if rng.random() < 0.02:
                # a mistyped receiver, then corrected
                add(
                    {
                        "kind": EventKind.CORRECTION.value,
                        "corrects_event_id": events[-1]["id"],
                        "note": "Receiver's name typed wrongly",
                        "to_name": coordinator,
                    },
                    later(0, 1),
                )
            collar = str(rng.randrange(1000, 9999))
            oic = rng.choice(ctx.officers)
            awaiting = False
            fate = _fate(rng, kind, status, now - seized_at)
            if fate == "awaiting":
                awaiting = True
            elif fate in ("police", "police_round_trip", "disseminated"):
                permanent = fate == "disseminated"
                mismatch = rng.random() < 0.02
                add(
                    {
                        "kind": (
                            EventKind.DISSEMINATION.value if permanent else EventKind.MOVEMENT.value
                        ),
                        "from_name": holder,
                        "from_kind": HolderKind.STAFF.value,
                        "to_name": oic,
                        "to_kind": HolderKind.POLICE.value,
                        "to_collar": collar,
                        "to_force": ctx.force_id,
                        "reason": "police_collection",
                        "seal_number": f"S{rng.randrange(1000000, 9999999)}" if mismatch else seal,
                        "seal_intact": not (mismatch and rng.random() < 0.5),
                        "discrepancy": (
                            "seal number on receipt does not match recorded seal " + seal
                        )
                        if mismatch
                        else None,
                    },
                    later(2, 20),
                )
                holder = oic
                holder_kind = HolderKind.POLICE.value
                if not permanent and kind not in DIGITAL_TYPES and rng.random() < 0.5:
                    lab = rng.choice(LABS)
                    new_seal = f"L{rng.randrange(100000, 999999)}"
                    add(
                        {
                            "kind": EventKind.MOVEMENT.value,
                            "from_name": holder,
                            "from_kind": holder_kind,
                            "to_name": lab,
                            "to_kind": HolderKind.LAB.value,
                            "to_org": lab,
                            "reason": "examination",
                            "seal_number": seal,
                            "seal_intact": True,
                            "new_seal_number": new_seal,
                        },
                        later(3, 30),
                    )
                    holder = lab
                    holder_kind = HolderKind.LAB.value
                    seal = new_seal
                if fate == "police_round_trip":
                    # the case is over: the police send it back for the prison to dispose of
                    add(
                        {
                            "kind": EventKind.MOVEMENT.value,
                            "from_name": holder,
                            "from_kind": holder_kind,
                            "to_name": coordinator,
                            "to_kind": HolderKind.STAFF.value,
                            "reason": "return",
                            "location": store,
                            "seal_number": seal,
                            "seal_intact": True,
                        },
                        later(30, 120),
                    )
                    holder = coordinator
                    fate = "dispose"
            if fate == "dispose":
                _dispose(rng, kind, coordinator, add, later)
            derived = derive([event_row(e) for e in events])
            if derived.state not in FINAL_STATES and rng.random() < 0.05:
                add(
                    {
                        "kind": EventKind.HOLD.value,
                        "note": "Appeal pending",
                        "details": canonical_json({"hold": True}),
                    },
                    later(0, 3),
                )
                derived = derive([event_row(e) for e in events])
            state = derived.state
            row.update(
                {
                    "hold": derived.hold,
                    "hold_reason": derived.hold_reason,
                    "collection_requested_on": to_london(builder.when).date()
                    if awaiting and state == ExhibitState.HELD
                    else None,
                    "seal_number": derived.seal_number,
                    "storage_location": derived.storage_location,
                    "holder": derived.holder,
                    "holder_kind": derived.holder_kind,
                    "state": state,
                    "last_movement_at": builder.last_at,
                    "review_due_on": review_due_on(
                        kind.value,
                        state,
                        builder.last_at,
                        incident if footage else None,
                        "export" if footage else None,
                        review_days,
                        overwrite_days,
                    ),
                    "discrepancy_count": derived.discrepancy_count,
                    "event_count": derived.event_count,
                    "head_hash": derived.head_hash,
                    "created_at": seized_at,
                    "updated_at": builder.when,
                    "version": 1,
                }
            )
            exhibit_rows.append(row)
            event_rows.extend(events)
            link_rows.append({"exhibit_id": exhibit_id, "referral_id": referral_id})
            made += 1
        if len(exhibit_rows) >= 2000:
            flush()
    flush()
    exhibit_ids.release()
    event_ids.release()
    return made
