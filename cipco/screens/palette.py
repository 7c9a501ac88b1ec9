"""Command palette (ctrl+p): jump to any log, any referral by reference, any prisoner, any
record of any log by the words of its text (the search index)."""

from __future__ import annotations

import asyncio
from functools import partial
from typing import TYPE_CHECKING, Any

from textual.command import DiscoveryHit, Hit, Hits, Provider

from cipco.screens.registry import PLACES
from cipco.text import clean, literal

PER_LOG = 4  # records of each log offered by their text (search everything has the rest)
IMPORT = "Import a spreadsheet"
IMPORT_HELP = "An old log (referrals, exhibits, MG4D, persons, actions): what it would do first."

if TYPE_CHECKING:
    from cipco.app import CipcoApp


class CipcoCommands(Provider):
    """Screens, referrals and prisoners."""

    @property
    def cipco(self) -> CipcoApp:
        return self.app  # type: ignore[return-value]

    def _screens(self) -> list[tuple[str, str, Any]]:
        go = self.cipco.action_go
        places = [(f"Go to {e.title}", e.help, partial(go, e.mode)) for e in PLACES]
        return [*places, (IMPORT, IMPORT_HELP, self.cipco.open_import)]

    async def discover(self) -> Hits:
        for name, help_text, callback in self._screens():
            yield DiscoveryHit(name, callback, help=help_text)

    async def search(self, query: str) -> Hits:
        # The services are loaded when something is first looked up, not when cipco starts.
        from cipco.models.people import NOMIS_RE, normalise_nomis
        from cipco.screens.search import opener
        from cipco.services.exhibits import exhibit_by_reference
        from cipco.services.persons import find_prisoners
        from cipco.services.referrals import find_referrals, status_label
        from cipco.services.search import search_everything

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

        def views() -> list[Any]:
            from cipco.services.views import list_views

            with self.cipco.reading() as session:
                return list_views(session)

        titles = {e.mode: e.title for e in PLACES}
        for view in await asyncio.to_thread(views):
            words = f"View {view.name} · {titles.get(view.log, view.log)}"
            score = matcher.match(words)
            if score > 0:
                yield record_hit(score, words, self.cipco.open_view, view, view.summary)

        def lookup() -> tuple[list[Any], list[Any], tuple[int, str] | None, list[Any]]:
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
                    search_everything(session, text, per_log=PER_LOG),
                )

        referrals, prisoners, exhibit, groups = await asyncio.to_thread(lookup)
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
        offered = {("referrals", hit.id) for hit in referrals}
        offered |= {("prisoners", p.nomis_number) for p in prisoners} | {("prisoners", nomis)}
        if exhibit is not None:
            offered.add(("exhibits", exhibit[0]))
        for group in groups:
            for found in group.hits:
                if (found.log, found.id) in offered or (found.log, found.key) in offered:
                    continue
                yield record_hit(
                    0.6,
                    f"{found.title}  {found.found}",
                    opener(app, found),
                    found.key,
                    found.detail,
                )


def record_hit(score: float, words: str, open_it: Any, key: Any, help_text: str) -> Hit:
    """A record found: its words cleaned and shown literally (``SMITH, [John]`` is not markup)."""
    label = clean(words)
    return Hit(score, literal(label), partial(open_it, key), text=label, help=help_text)
