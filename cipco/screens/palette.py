"""Command palette (ctrl+p): jump to any log, any referral by reference, any prisoner."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from cipco.models.people import NOMIS_RE, normalise_nomis
from cipco.screens.registry import NAV
from cipco.services.exhibits import exhibit_by_reference
from cipco.services.persons import find_prisoners
from cipco.services.referrals import find_referrals, status_label
from cipco.text import clean, literal

if TYPE_CHECKING:
    from cipco.app import CipcoApp


class CipcoCommands(Provider):
    """Screens, referrals and prisoners."""

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def _screens(self) -> list[tuple[str, str, Any]]:
        return [(f"Go to {e.title}", e.help, partial(self.cipco.action_go, e.mode)) for e in NAV]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._screens():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for name, help_text, callback in self._screens():
            score = matcher.match(name)
            if score > 0:
                yield Hit(score, matcher.highlight(name), callback, help=help_text)
        text = query.strip()
        if len(text) < 2:
            return
        nomis = normalise_nomis(text)
        if NOMIS_RE.match(nomis):
            yield Hit(
                1.0,
                f"Open prisoner {nomis}",
                partial(self.cipco.open_person, nomis),
                help="Everything about this prisoner",
            )

        def lookup() -> tuple[list[Any], list[Any], tuple[int, str] | None]:
            """Plain rows only: nothing read here is used after its session closes."""
            with self.cipco.reading() as session:
                found = exhibit_by_reference(session, text.upper())
                exhibit = (
                    (found.id, f"Exhibit {found.reference}  {found.description}")
                    if found is not None and found.id is not None
                    else None
                )
                return (
                    find_referrals(session, text, limit=15),
                    find_prisoners(session, text, limit=8),
                    exhibit,
                )

        referrals, prisoners, exhibit = await asyncio.to_thread(lookup)
        app = self.cipco
        if exhibit is not None:
            yield record_hit(1.0, exhibit[1], app.open_exhibit, exhibit[0], "Exhibit continuity")
        for hit in referrals:
            yield record_hit(
                0.9,
                f"{hit.reference}  {hit.nomis_number}  {hit.prisoner_name}",
                app.open_referral,
                hit.id,
                f"Referral · {status_label(hit.status)}",
            )
        for prisoner in prisoners:
            if prisoner.nomis_number == nomis:
                continue  # offered above
            yield record_hit(
                0.8,
                f"Prisoner {prisoner.nomis_number}  {prisoner.name}",
                app.open_person,
                prisoner.nomis_number,
                "Person of interest" if prisoner.on_list else "Prisoner page",
            )


def record_hit(score: float, words: str, open_it: Any, key: Any, help_text: str) -> Hit:
    """A record found: its words cleaned and shown literally (``SMITH, [John]`` is not markup)."""
    label = clean(words)
    return Hit(score, literal(label), partial(open_it, key), text=label, help=help_text)
