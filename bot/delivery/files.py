"""Files sent with replies: the size caps, and refusing what a platform cannot take with a short note.

Every adapter delivers `Reply.files` after the reply's text. A file a platform refuses (too large,
or empty where the platform rejects empty uploads) is left out before anything is sent: the refusal
is logged as an error and the member reads a one-line note under the text instead of the file.
The outbox stores a reply as JSON with its files in base64, so it caps the files of one reply at
MAX_REPLY_FILES bytes together (see `capped`).
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import replace

from bot.messages import Attachment, Reply
from bot.texts import t

log = logging.getLogger(__name__)

MB = 1024 * 1024
# The files of one reply together, as the outbox stores them (base64 in a JSON column: about 13 MB
# of row for 10 MB of files). Data exports and weekly charts are far smaller.
MAX_REPLY_FILES = 10 * MB

# A file's name as sent or saved: at most this many UTF-8 bytes (file systems allow 255; room is
# left for the console's "-2" counter), the extension kept when it is a short one.
MAX_NAME_BYTES = 200
MAX_SUFFIX = 16
FALLBACK_NAME = "bestand"
OCTET_STREAM = "application/octet-stream"
# A media type as RFC 6838 spells it (type/subtype, optional token=token parameters): anything else,
# say a CR/LF that would start a new header in a multipart body, becomes application/octet-stream.
_TOKEN = r"[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}"
_MIME = re.compile(rf"{_TOKEN}/{_TOKEN}(?:;[ \t]*{_TOKEN}={_TOKEN})*")
_INVISIBLE = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})  # control, format, lone surrogates, line breaks

# Appends notes to a reply in the platform's own format (plain text, Block Kit, Telegram HTML).
Noter = Callable[[Reply, list[str]], Reply]


def size_label(n: int) -> str:
    """A byte count as people read it (kB below a megabyte, else MB with one decimal)."""
    if n < MB:
        return f"{max(1, round(n / 1024))} kB" if n else "0 kB"
    return f"{n / MB:.1f} MB"


def too_large_note(f: Attachment, limit: int, lang: str) -> str:
    """The note that replaces a file above the limit."""
    return t("file_too_large", lang, name=f.name, size=size_label(len(f.data)), limit=size_label(limit))


def plain_notes(reply: Reply, notes: list[str]) -> Reply:
    """The reply with notes under its text (platforms without their own formatting)."""
    if not notes:
        return reply
    text = "\n\n".join([reply.text.rstrip(), *notes]) if reply.text.strip() else "\n\n".join(notes)
    return replace(reply, text=text)


def safe_name(name: str) -> str:
    """A file name that is only a name: no folders (/ or \\), no control or invisible characters,
    no leading dots (no "..", no hidden file), at most MAX_NAME_BYTES; FALLBACK_NAME when nothing is left."""
    base = unicodedata.normalize("NFC", name.replace("\\", "/").rsplit("/", 1)[-1])
    base = "".join(c for c in base if unicodedata.category(c) not in _INVISIBLE).strip().lstrip(".").strip()
    if not base:
        return FALLBACK_NAME
    stem, dot, suffix = base.rpartition(".")
    if not dot or not stem.strip() or len(suffix) > MAX_SUFFIX:
        stem, suffix = base, ""
    tail = f".{suffix}" if suffix else ""
    room = MAX_NAME_BYTES - len(tail.encode())
    stem = stem.encode()[:room].decode("utf-8", "ignore")  # never half a character
    return (stem.rstrip() or FALLBACK_NAME) + tail


def safe_mime(mime: str) -> str:
    """A well-formed media type, or application/octet-stream."""
    mime = mime.strip()
    return mime if _MIME.fullmatch(mime) else OCTET_STREAM


def tidy(reply: Reply) -> Reply:
    """The reply with every file under a safe name and media type (see safe_name, safe_mime)."""
    files = tuple(replace(f, name=safe_name(f.name), mime=safe_mime(f.mime)) for f in reply.files)
    return reply if files == reply.files else replace(reply, files=files)


def refuse(
    reply: Reply, per_file: int, *, empty_ok: bool = True, platform: str = "", noter: Noter = plain_notes
) -> Reply:
    """The reply without files a platform refuses (too large; empty unless `empty_ok`), logged and noted;
    the files it keeps under safe names and media types (tidy)."""
    reply = tidy(reply)
    kept: list[Attachment] = []
    notes: list[str] = []
    where = platform or reply.chat.platform
    for f in reply.files:
        if len(f.data) > per_file:
            log.error(
                "%s: file %r of %d bytes is over the limit of %d bytes; not sent to %s",
                where,
                f.name,
                len(f.data),
                per_file,
                reply.chat.chat_id,
            )
            notes.append(too_large_note(f, per_file, reply.language))
        elif not f.data and not empty_ok:
            log.error("%s: file %r is empty, which %s refuses; not sent", where, f.name, where)
            notes.append(t("file_empty", reply.language, name=f.name))
        else:
            kept.append(f)
    if not notes:
        return reply
    shown = reply.text.strip() or reply.formatted  # a retry of files alone has no text to note under
    return noter(replace(reply, files=tuple(kept)), notes) if shown else replace(reply, files=tuple(kept))


def capped(reply: Reply, limit: int = MAX_REPLY_FILES) -> Reply:
    """The reply as the outbox stores it: files within `limit` bytes together, the rest logged and noted."""
    # Files are kept in order while they fit. The note goes under the plain text, and a formatted
    # version (which only the platform could amend) gives way to it.
    total = sum(len(f.data) for f in reply.files)
    if total <= limit:
        return reply
    kept: list[Attachment] = []
    notes: list[str] = []
    used = 0
    for f in reply.files:
        if used + len(f.data) <= limit:
            kept.append(f)
            used += len(f.data)
            continue
        log.error(
            "outbox: file %r of %d bytes would take the files of one reply over %d bytes; left out",
            f.name,
            len(f.data),
            limit,
        )
        notes.append(too_large_note(f, limit, reply.language))
    return plain_notes(replace(reply, files=tuple(kept), formatted=""), notes)
