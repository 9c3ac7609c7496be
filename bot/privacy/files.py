"""Forget-me in the data folder: the files the console saved for a member (their data exports) go,
and any other text file there that names them is rewritten without their ids and names."""

from __future__ import annotations

import logging
import os
import re
from pathlib import Path

from bot.privacy.traces import Mentions

log = logging.getLogger(__name__)
MAX_BYTES = 50_000_000  # a larger file is no file of replies; it is left alone (and logged)


def export_name(person_id: int) -> re.Pattern[str]:
    """The names a person's exports are saved under (bot/privacy/export.py; the console adds -2, -3)."""
    return re.compile(rf"verbinder-gegevens-{person_id}-\d{{4}}-\d{{2}}-\d{{2}}(?:-\d+)?\.(?:json|csv)")


def scrub_folder(folder: Path | None, person_id: int, pattern: Mentions | None, by: str) -> int:
    """Delete their exports and rewrite every text file that names them; how many files changed."""
    if folder is None or not folder.is_dir():
        return 0
    theirs = export_name(person_id)
    changed = 0
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.is_symlink()):
        try:
            if theirs.fullmatch(path.name):
                path.unlink()
                changed += 1
                continue
            if pattern is None or path.stat().st_size > MAX_BYTES:
                continue
            try:
                text = path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                continue  # a chart or a PDF: the bot writes no names into those
            if pattern.search(text):
                _rewrite(path, pattern.sub(by, text))
                changed += 1
        except OSError as exc:
            log.warning("forget-me: cannot clean %s (%s)", path.name, exc.strerror or exc)
    return changed


def _rewrite(path: Path, text: str) -> None:
    """Replace a file's content in place of the old one (same mode; never through a link)."""
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0), 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(text.encode("utf-8"))
    os.replace(tmp, path)
