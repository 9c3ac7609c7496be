"""The terminal: consoles that print every piece of user or document text literally.

rich reads "[/i]" as markup (and fails), "[bold]" as a style and ":x:" as an emoji. Knowledge-base
text, questions and names contain such things, so every console of the CLI and the console chat
is made here with markup, emoji codes and highlighting off; our own styling goes through `styled`.
"""

from __future__ import annotations

import io
import sys

from rich.console import Console
from rich.text import Text


def tolerant_streams() -> None:
    """Standard streams that never fail on text: input that is not UTF-8 is read with U+FFFD in
    its place, and a character the terminal cannot encode is printed as a replacement."""
    for stream in (sys.stdin, sys.stdout, sys.stderr):
        if isinstance(stream, io.TextIOWrapper):
            stream.reconfigure(errors="replace")


def terminal(stderr: bool = False) -> Console:
    """A console that prints strings as they are (stderr: one error = one line, any width)."""
    return Console(stderr=stderr, soft_wrap=stderr, markup=False, emoji=False, highlight=False)


def styled(*parts: str | tuple[str, str]) -> Text:
    """Text from plain parts and (text, style) parts; no part is read as markup."""
    return Text.assemble(*parts)


def error(console: Console, message: str, label: str = "Error:") -> None:
    """Print "Error: message" with the label in red."""
    console.print(styled((label, "red"), " ", message))
