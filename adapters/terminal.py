"""The terminal: consoles that print every piece of user or document text literally.

rich reads "[/i]" as markup (and fails), "[bold]" as a style and ":x:" as an emoji. Knowledge-base
text, questions and names contain such things, so every console of the CLI and the console chat
is made here with markup, emoji codes and highlighting off; our own styling goes through `styled`.
"""

from __future__ import annotations

from rich.console import Console
from rich.text import Text


def terminal(stderr: bool = False) -> Console:
    """A console that prints strings as they are (stderr: one error = one line, any width)."""
    return Console(stderr=stderr, soft_wrap=stderr, markup=False, emoji=False, highlight=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text from plain parts and (text, style) parts; no part is read as markup."""
    return Text.assemble(*parts)


def error(console: Console, message: str, label: str = "Error:") -> None:
    """Print "Error: message" with the label in red."""
    console.print(styled((label, "red"), " ", message))
