"""The ledger half of ``cipco verify``: positions, digests, and anchors held outside the file.

Walks each site's ledger in position order. An entry whose digest does not follow from the one
before names its event as rewritten (its hash is not the one the ledger recorded) or its
ledger entry as altered, told apart by whether the next entry follows the stored or the
recomputed digest. A gap is named by the entry after it (``ledger_prev``). Against an anchor it
says whether the ledger still begins with the anchored history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from typing import Any

from cipco.services import ledger
from cipco.services.chain import GENESIS, I_HASH, I_SEQ, digest
from cipco.services.chain_report import H_REF, ChainProblem, Run, row_reference, safe


def check_ledger(
    run: Run,
    site: str,
    against: ledger.AnchorRef | ledger.Listing | None,
    prevs: Callable[[], dict[int, str | None]],
) -> None:
    """Check each site's ledger in position order; compare this site's with an anchor.

    ``prevs`` reads each event's note of its ledger predecessor, needed only to name what a
    ledger out of order lost.
    """
    by_site = _by_position(run.places)
    if against is not None:
        by_site.setdefault(site, [])
    for name, entries in by_site.items():
        anchor = against if name == site else None
        if _in_order(run, entries):
            _LedgerWalk(run, name, anchor).finish_in_order(entries)
            continue
        walk = _LedgerWalk(run, name, anchor)
        walk.prevs = prevs()
        for entry in entries:
            walk.step(entry)
        walk.finish()


def _by_position(places: list[tuple[Any, ...]]) -> dict[str, list[tuple[Any, ...]]]:
    """Each site's entries in position order (left out: events with no position)."""
    count = len(places)
    if count and len({place[0] for place in places}) == 1:
        # one site (a file): positions 1..N go straight to their slots, no sort needed
        slots: list[Any] = [None] * (count + 1)
        for place in places:
            position = place[1]
            if type(position) is not int or not 0 < position <= count or slots[position]:
                break
            slots[position] = place
        else:
            return {places[0][0]: slots[1:]}
    ordered = sorted(place for place in places if place[1] is not None)
    by_site: dict[str, list[tuple[Any, ...]]] = {}
    for place in ordered:
        by_site.setdefault(place[0], []).append(place)
    return by_site


def _in_order(run: Run, places: list[tuple[Any, ...]]) -> bool:
    """The common case, checked quickly: positions 1..N with nothing missing, each digest
    following from the one stored before it, the site hashed from one point on. Any doubt
    and the ledger is walked entry by entry to name what is wrong."""
    if not places or places[-1][1] != len(places) or places[0][1] != 1:
        return not places
    if any(place[1] != position for position, place in enumerate(places, start=1)):
        return False
    refs = run.hash_refs
    sha256 = hashlib.sha256
    previous = GENESIS
    for place in places:
        entry = f"{previous}{refs[place[3]]}\n{place[4]}\n{place[6]}"
        previous = place[7]
        if sha256(entry.encode()).hexdigest() != previous:
            return False
    sited = next((i for i, place in enumerate(places) if place[5]), len(places))
    return all(place[5] for place in places[sited:])


LEDGER = "Custody ledger"


class _LedgerWalk:
    """One site's ledger, position by position."""

    def __init__(
        self, run: Run, site: str, against: ledger.AnchorRef | ledger.Listing | None
    ) -> None:
        self.run = run
        self.site = site
        self.against = against
        self.expected = 1
        self.stored_prev = GENESIS  # the digest stored at the previous position
        self.computed_prev: str | None = GENESIS  # what it should have been
        self.running = GENESIS  # recomputed from the start, for anchors
        self.prev_key: str | None = None
        self.last_seq: dict[int, int] = {}
        self.sited = False  # an event hashed with the site has been seen
        self.count = 0
        self.suspect: tuple[Any, str] | None = None  # the previous entry did not fit
        self.at_count: str | None = None  # the running digest after the anchored count
        self.matched: int | None = None  # a bare digest: the count it matched at
        self.keys: list[tuple[str, int, str]] = []  # for a listing: ref, seq, hash
        self.all_keys: set[str] | None = None
        self.prevs: dict[int, str | None] = {}

    def step(self, place: tuple[Any, ...]) -> None:
        run = self.run
        _site, position, event_id, exhibit_id, seq, hash_site, event_hash, stored = place
        prev = self.prevs.get(event_id)
        reference = run.hash_refs.get(exhibit_id) or row_reference(run, exhibit_id)
        head = run.heads.get(exhibit_id)
        name = head[H_REF] if head is not None else reference
        if position < self.expected:
            if event_id not in run.reported:
                detail = f"ledger position {position} is held by two events"
                self._problem(place, name, "duplicate seq", detail)
            return
        stored = stored or ""
        stored_prev = self.stored_prev
        checked = position == self.expected
        computed = ledger.link(stored_prev, reference, seq, event_hash)
        if checked and computed == stored:
            if self.suspect is not None:
                self._settle_suspect(True, False)
        elif checked:
            self._misfit(place, name, reference, prev, stored)
        else:
            self._gap(place, name, position, prev)
        self.computed_prev = computed if checked else None
        self.running = (
            computed
            if self.running == stored_prev
            else ledger.link(self.running, reference, seq, event_hash)
        )
        self.stored_prev = stored
        self.prev_key = ledger.entry_key(name, seq)
        self.expected = position + 1
        self.count += 1
        last = self.last_seq.get(exhibit_id, 0)
        if seq > last:
            self.last_seq[exhibit_id] = seq
        elif event_id not in run.reported:
            self._problem(place, name, "reorder", f"it is in the ledger after event {last}")
        if hash_site:
            self.sited = True
        elif self.sited and event_id not in run.reported:
            detail = "hashed without a site after the database's site was assigned"
            self._problem(place, name, "edit", detail)
        against = self.against
        if against is None:
            return
        if isinstance(against, ledger.Listing):
            self.keys.append((reference, seq, event_hash))
        elif against.count == self.count:
            self.at_count = self.running
        elif against.count is None and self.matched is None and self.running == against.digest:
            self.matched = self.count

    def _problem(self, place: tuple[Any, ...], name: str, kind: str, detail: str) -> None:
        self.run.add(ChainProblem(name, place[4], kind, detail, place[3], place[2]))

    def _gap(self, place: tuple[Any, ...], name: str, position: int, prev: str | None) -> None:
        """Positions before this one are missing: name the one its predecessor link names."""
        self._settle_suspect(False, False)
        gone_ref, gone_seq = ledger.split_key(prev)
        missing = position - self.expected
        self.run.add(
            ChainProblem(
                gone_ref or LEDGER,
                gone_seq,
                "removal",
                f"the event at ledger position {position - 1} is missing"
                + (f", and {missing - 1} before it" if missing > 1 else "")
                + f"; the ledger continues with {name} event {place[4]}",
            )
        )

    def _misfit(
        self, place: tuple[Any, ...], name: str, reference: str, prev: str | None, stored: str
    ) -> None:
        """This entry's digest does not follow the stored one before it."""
        run = self.run
        event_id, seq, event_hash = place[2], place[4], place[6]
        alt_follows = (
            self.computed_prev is not None
            and ledger.link(self.computed_prev, reference, seq, event_hash) == stored
        )
        self._settle_suspect(False, alt_follows)
        if alt_follows:
            return  # the entry before had its digest altered; this one is fine
        if self.prev_key is not None and prev != self.prev_key:
            if prev is not None and prev not in self._keys():
                gone_ref, gone_seq = ledger.split_key(prev)
                run.add(
                    ChainProblem(
                        gone_ref,
                        gone_seq,
                        "removal",
                        f"missing from the ledger, which was renumbered after it: {name} "
                        f"event {seq} now follows {self.prev_key}",
                    )
                )
            elif event_id not in run.reported:
                self._problem(
                    place,
                    name,
                    "reorder",
                    f"the ledger records {prev or 'nothing'} before it, but {self.prev_key} is "
                    f"there (position {place[1]})",
                )
            return
        if event_id not in run.reported:
            self.suspect = (place, name)

    def _keys(self) -> set[str]:
        """Every entry key in the file (built once, only when a predecessor link is wrong)."""
        if self.all_keys is None:
            run = self.run
            self.all_keys = {
                ledger.entry_key(row_reference(run, place[3]), place[4]) for place in run.places
            }
        return self.all_keys

    def _settle_suspect(self, stored_follows: bool, alt_follows: bool) -> None:
        """The previous entry did not fit: its event was rehashed, or its digest edited."""
        if self.suspect is None:
            return
        place, name = self.suspect
        self.suspect = None
        if stored_follows:
            detail = "rewritten after it was recorded: its hash is not the one the ledger recorded"
        elif alt_follows:
            detail = "its ledger entry was altered"
        else:  # the entry after it changed too: most likely rehashed with it
            detail = "rewritten after it was recorded: its hash is not the one the ledger recorded"
        problem = ChainProblem(name, place[4], "edit", detail, place[3], place[2])
        self.run.rehashed[place[2]] = problem

    def finish_in_order(self, places: list[tuple[Any, ...]]) -> None:
        """The ledger checked in order (``_in_order``): only the anchor comparison is left."""
        self.count = len(places)
        self.running = places[-1][7] if places else GENESIS
        against = self.against
        if isinstance(against, ledger.Listing):
            refs = self.run.hash_refs
            self.keys = [(refs[p[3]], p[4], p[6]) for p in places]
        elif against is not None:
            if against.count is not None and 0 < against.count <= len(places):
                self.at_count = places[against.count - 1][7]
            elif against.count is None:
                digests = [p[7] for p in places]
                if against.digest in digests:
                    self.matched = digests.index(against.digest) + 1
        self.finish()

    def finish(self) -> None:
        self._settle_suspect(False, False)
        if isinstance(self.against, ledger.Listing):
            self._against_listing(self.against)
        elif self.against is not None:
            self._against_digest(self.against)

    def _mismatch(self, detail: str, reference: str = LEDGER, seq: int | None = None) -> None:
        self.run.add(ChainProblem(reference, seq, "anchor mismatch", detail))

    def _against_digest(self, anchor: ledger.AnchorRef) -> None:
        short = anchor.digest[:12]
        if anchor.count is None:
            if self.matched is None:
                self._mismatch(
                    f"no part of the ledger's {self.count:,} events has the anchored digest "
                    f"{short}…: the history differs (or the digest was mistyped)"
                )
            else:
                self.run.report.against = (
                    f"The ledger still begins with the anchored {self.matched:,} events "
                    f"(digest {short}…)"
                )
            return
        if self.count < anchor.count:
            self._mismatch(
                f"the anchor covers {anchor.count:,} events but the ledger holds only "
                f"{self.count:,}: events were removed"
            )
        elif self.at_count != anchor.digest and anchor.count > 0:
            self._mismatch(
                f"differs within the first {anchor.count:,} events (anchored digest {short}…, "
                f"the database gives {(self.at_count or '')[:12]}…)"
            )
        elif anchor.count == 0 and anchor.digest != GENESIS:
            self._mismatch("an anchor of 0 events has the digest of 64 zeros")
        else:
            self.run.report.against = (
                f"The ledger still begins with the anchored {anchor.count:,} events "
                f"(digest {short}…)"
            )

    def _against_listing(self, listing: ledger.Listing) -> None:
        run = self.run
        where = {
            (ref, seq): (index, event_hash)
            for index, (ref, seq, event_hash) in enumerate(self.keys)
        }
        last_index = -1
        last_key: tuple[str, int] | None = None
        before = len(run.report.problems)
        for position, (ref, seq, event_hash) in enumerate(listing.entries, start=1):
            found = where.get((ref, seq))
            if found is None:
                self._mismatch(
                    f"anchored at ledger position {position}; it is no longer in the database",
                    ref,
                    seq,
                )
                continue
            index, current = found
            if current != event_hash:
                changed = run.changed_since.get((ref, seq), True)
                self._mismatch(
                    "changed since it was anchored"
                    if changed
                    else "its hash changed because an earlier event of this exhibit changed "
                    "(its own content is as anchored)",
                    ref,
                    seq,
                )
            elif index < last_index and last_key is not None:
                self._mismatch(
                    f"now comes before {last_key[0]} event {last_key[1]} in the ledger; the "
                    "anchor has it after",
                    ref,
                    seq,
                )
            if index > last_index:
                last_index, last_key = index, (ref, seq)
        anchored = {(ref, seq) for ref, seq, _hash in listing.entries}
        for position, (ref, seq, _hash) in enumerate(self.keys[: listing.count], start=1):
            if (ref, seq) not in anchored:
                self._mismatch(
                    f"sits at ledger position {position}, inside the anchored history, but the "
                    "anchor does not list it",
                    ref,
                    seq,
                )
        if len(run.report.problems) == before:
            run.report.against = (
                f"The ledger still begins with the {listing.count:,} events listed in "
                f"{safe(listing.source)} (digest {listing.digest[:12]}…)"
            )


def against_event(run: Run, row: Any, text: str, reference: str) -> None:
    """With a listing: does an event whose hash changed still have its anchored content?"""
    anchored = run.anchored
    assert anchored is not None
    seq = row[I_SEQ]
    then = anchored.get((reference, seq))
    if then is None or then == row[I_HASH]:
        return
    prev = GENESIS if seq == 1 else anchored.get((reference, seq - 1))
    run.changed_since[(reference, seq)] = prev is None or digest(text, prev) != then
