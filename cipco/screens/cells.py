"""How every table cell is drawn: plain text (never markup), one line, styled by urgency."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from cipco.services.flags import Severity

SEVERITY_STYLES = {
    Severity.OVERDUE: "bold red",
    Severity.DUE_SOON: "dark_orange",
    Severity.PENDING: "",
    Severity.DONE: "dim",
}
# Colour is never the only signal: these lead the text.
SEVERITY_WORDS = {
    Severity.OVERDUE: "!",
    Severity.DUE_SOON: "~",
    Severity.PENDING: "·",
    Severity.DONE: "·",
}


def severity_style(severity: Severity | str) -> str:
    return SEVERITY_STYLES.get(Severity(severity), "")


def cells(values: Iterable[str], style: str = "") -> list[Text]:
    """Table cells: user text as plain text, cut with an ellipsis, never wrapped."""
    return [Text(v or "", style=style, overflow="ellipsis", no_wrap=True) for v in values]


def assembled(*pieces: tuple[str, str]) -> Text:
    """Text from (words, style) pieces; a piece with no words is left out (plain text)."""
    text = Text()
    for words, style in pieces:
        if words:
            text.append(words, style=style)
    return text


def when(condition: object, words: str) -> str:
    """``words`` if ``condition`` holds, else nothing (for :func:`assembled`)."""
    return words if condition else ""
