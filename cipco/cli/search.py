"""``cipco search WORDS``: every log's records whose text holds all the words, by log."""

from __future__ import annotations

from typing import Annotated

import typer

from cipco.cli import app
from cipco.cli.common import EXIT_USAGE, echo, fail


@app.command("search")
def search_command(
    words: Annotated[list[str], typer.Argument(help="Words, a reference, a name, a number.")],
    per_log: Annotated[
        int, typer.Option("--per-log", min=1, max=500, help="Records shown for each log.")
    ] = 10,
) -> None:
    """Search every log's text: references, names, numbers, notes, seals, charges, actions.

    Three letters match anywhere in a word; one or two match the start of a word.
    """
    from cipco.cli.common import open_engine_or_exit
    from cipco.db import read_scope
    from cipco.services.search import search_everything

    text = " ".join(words)
    if not text.strip():
        fail("search: type at least one word", EXIT_USAGE)
    engine = open_engine_or_exit(write=False)
    with read_scope(engine) as session:
        groups = search_everything(session, text, per_log=per_log)
    if not groups:
        echo(f"Nothing found for {text}")
        return
    for group in groups:
        echo(f"{group.title} ({group.total_text})")
        for hit in group.hits:
            echo(f"  {hit.title}")
            echo(f"      {hit.detail}")
            if hit.found:
                echo(f"      {hit.found}")
