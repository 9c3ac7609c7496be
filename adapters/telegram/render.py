"""Core replies as Telegram messages: escaped HTML, numbered sources, split parts, inline buttons."""

from __future__ import annotations

import html
import logging
import re

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.announcements.model import AN_CANCEL, AN_SEND
from bot.messages import (
    ASK_EXPERT,
    CLAIM,
    HELPFUL,
    KB_APPROVE,
    KB_NO,
    KB_REJECT,
    KB_YES,
    NOT_HELPFUL,
    RELEASE,
    RESOLVED,
    Button,
    Reply,
)
from bot.texts import t

log = logging.getLogger(__name__)

MAX_MESSAGE = 4096  # Bot API: 1-4096 characters after entities parsing
MAX_CALLBACK_DATA = 64  # bytes
MAX_CALLBACK_ANSWER = 200  # characters of an answerCallbackQuery notification
MAX_TITLE = 200  # a source title longer than this is cut (a title is never split over parts)
MAX_URL = 1024

# callback_data prefixes per action; the question id follows ("fb:h:42").
CALLBACK_PREFIX = {
    HELPFUL: "fb:h:",
    NOT_HELPFUL: "fb:n:",
    ASK_EXPERT: "ex:",
    CLAIM: "cl:",
    RELEASE: "rl:",
    KB_YES: "kb:y:",
    KB_NO: "kb:n:",
    KB_APPROVE: "kb:a:",
    KB_REJECT: "kb:r:",
    RESOLVED: "rs:",
    AN_SEND: "an:s:",
    AN_CANCEL: "an:c:",
}
CALLBACK_DATA = re.compile(
    "^(" + "|".join(re.escape(p) for p in CALLBACK_PREFIX.values()) + ")([0-9]{1,18})$"
)
TAG = re.compile(r"<[^>]*>")
LINK = re.compile(r'<a href="([^"]*)">(.*?)</a>', re.DOTALL)


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units); an upper bound for visible characters."""
    return len(text.encode("utf-16-le")) // 2


def esc(text: str) -> str:
    """Escape text for Telegram HTML (&, <, > and quotes)."""
    return html.escape(text, quote=True)


def _source_line(n: int, title: str, url: str | None, kind: str) -> str:
    title = " ".join(title.split()) or "—"
    if len(title) > MAX_TITLE:
        title = title[: MAX_TITLE - 1].rstrip() + "…"
    label = esc(title)
    if url and url.startswith(("https://", "http://")) and tg_len(esc(url)) <= MAX_URL:
        label = f'<a href="{esc(url)}">{label}</a>'
    suffix = f" <i>({esc(kind[:40])})</i>" if kind else ""
    return f"[{n}] {label}{suffix}"


def html_lines(reply: Reply) -> list[tuple[str, bool]]:
    """The reply as (line, is_raw_text) pairs: raw lines are unescaped text, others finished HTML."""
    lines: list[tuple[str, bool]] = [(line, True) for line in reply.text.strip().splitlines()]
    if reply.sources:
        lines += [("", True), (f"<b>{esc(t('sources', reply.language))}</b>", False)]
        lines += [(_source_line(i, s.title, s.url, s.kind), False) for i, s in enumerate(reply.sources, 1)]
    return lines


def _split_text(text: str, limit: int) -> list[str]:
    """Cut raw text into pieces whose escaped form fits the limit, preferring whitespace."""
    pieces: list[str] = []
    current, size = "", 0
    for token in re.split(r"(\s+)", text):
        for ch_run in [token] if tg_len(esc(token)) <= limit else list(token):
            n = tg_len(esc(ch_run))
            if size + n > limit and current:
                pieces.append(current)
                current, size = "", 0
                if ch_run.isspace():
                    continue
            current += ch_run
            size += n
    if current.strip():
        pieces.append(current)
    return [p.strip() for p in pieces if p.strip()]


def render_parts(reply: Reply, limit: int = MAX_MESSAGE) -> list[str]:
    """The reply as Telegram HTML messages, each at most `limit` long and never cut inside markup."""
    if reply.formatted and tg_len(reply.formatted) <= limit:
        return [reply.formatted]  # composed as Telegram HTML by the core (weekly highlights)
    blocks: list[str] = []
    for line, raw in html_lines(reply):
        if not raw and tg_len(line) > limit:
            line, raw = to_plain(line, 10 * limit), True  # only with a tiny limit: drop the markup
        if not raw:
            blocks.append(line)
        elif tg_len(esc(line)) <= limit:
            blocks.append(esc(line))
        else:
            blocks.extend(esc(piece) for piece in _split_text(line, limit))
    parts: list[str] = []
    current: list[str] = []
    size = 0
    for block in blocks:
        n = tg_len(block) + (1 if current else 0)
        if current and size + n > limit:
            parts.append("\n".join(current))
            current, size = [], 0
            n = tg_len(block)
        current.append(block)
        size += n
    if current:
        parts.append("\n".join(current))
    return [p.strip("\n") for p in parts if p.strip()]


def to_plain(part: str, limit: int = MAX_MESSAGE) -> str:
    """An HTML part as plain text (links keep their address), for when Telegram rejects the HTML."""
    text = LINK.sub(lambda m: f"{m.group(2)} ({m.group(1)})", part)
    text = html.unescape(TAG.sub("", text))
    if tg_len(text) > limit:
        text = text[: limit - 1]
        while tg_len(text) > limit - 1:
            text = text[:-1]
        text = text.rstrip() + "…"
    return text


# Any other action of a feature (moderation, highlights) travels as "<action>:<item id>".
FEATURE_CALLBACK = re.compile(r"^([a-z][a-z_]{0,39}):([0-9]{1,18})$")


def callback_data(button: Button) -> str | None:
    """The callback_data of a button ("fb:h:<qid>", "ex:<qid>", "sub_approve:<id>"), None if it has none."""
    prefix = CALLBACK_PREFIX.get(button.action)
    data = f"{prefix}{button.value}" if prefix else f"{button.action}:{button.value}"
    fits = CALLBACK_DATA.match(data) if prefix else FEATURE_CALLBACK.match(data)
    if not fits or len(data.encode()) > MAX_CALLBACK_DATA:
        log.warning("button %r with value %r has no Telegram callback data", button.action, button.value)
        return None
    return data


def parse_callback(data: str | None) -> tuple[str, int] | None:
    """(action, item id) from callback_data, None when it is not one of ours (the service then says
    whether it knows the action)."""
    m = CALLBACK_DATA.match(data or "")
    if m:
        action = next(a for a, p in CALLBACK_PREFIX.items() if p == m.group(1))
        return action, int(m.group(2))
    m = FEATURE_CALLBACK.match(data or "")
    return (m.group(1), int(m.group(2))) if m else None


def keyboard(reply: Reply) -> InlineKeyboardMarkup | None:
    """Inline keyboard for the reply's buttons: one row, the expert button on its own row below."""
    rows: list[list[InlineKeyboardButton]] = [[], []]
    for b in reply.buttons:
        data = callback_data(b)
        if data is not None:
            rows[1 if b.action == ASK_EXPERT else 0].append(InlineKeyboardButton(b.label, callback_data=data))
    rows = [r for r in rows if r]
    return InlineKeyboardMarkup(rows) if rows else None


def callback_text(text: str) -> str:
    """A notification text cut to what answerCallbackQuery accepts."""
    text = " ".join(text.split())
    return text if len(text) <= MAX_CALLBACK_ANSWER else text[: MAX_CALLBACK_ANSWER - 1].rstrip() + "…"


def edit_text(reply: Reply) -> tuple[str, str | None]:
    """An edit's text and parse mode: one message (a longer reply is cut, as plain text)."""
    parts = render_parts(reply)
    if len(parts) == 1:
        return parts[0], "HTML"
    return to_plain("\n".join(parts), MAX_MESSAGE), None
