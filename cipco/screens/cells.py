"""How every table cell is drawn: plain text (never markup), one line, styled by urgency."""

from __future__ import annotations

from collections.abc import Iterable

from rich.text import Text

from cipco.services.flags import Severity
from cipco.text import clean, literal

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
    """Table cells: user text cleaned and literal (never markup), cut with an ellipsis."""
    return [literal(v or "", style, overflow="ellipsis", no_wrap=True) for v in values]


def assembled(*pieces: tuple[str, str]) -> Text:
    """Text from (words, style) pieces, each cleaned and literal; empty pieces left out."""
    text = Text()
    for words, style in pieces:
        if words:
            text.append(clean(words, newlines=True), style=style)
    return text


def when(condition: object, words: str) -> str:
    """``words`` if ``condition`` holds, else nothing (for :func:`assembled`)."""
    return words if condition else ""
