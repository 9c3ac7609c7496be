"""The highlights per platform: Slack Block Kit (a short message, the details in its thread), Telegram
HTML in parts under the message limit, and plain text for the CLI.

Plain dicts and strings only (the core imports no platform SDK); the limits are Slack's and
Telegram's own (Block Kit: 50 blocks a message, 3000 characters of section text, 150 of a header;
Bot API: 4096 characters a message, in UTF-16 code units after entity parsing). Every line is
finished markup and parts are cut between lines only, so no part ends inside a tag or a link.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import Any

from bot.highlights.compose import Highlights
from bot.highlights.outline import Line, Outline, Seg, outline
from bot.texts import t

Block = dict[str, Any]
SlackMessage = tuple[str, list[Block]]  # (fallback text, blocks)

SLACK_BLOCKS = 50
SLACK_SECTION = 3000
SLACK_HEADER = 150
SLACK_FALLBACK = 3000
TELEGRAM_MESSAGE = 4096
MAX_URL = 1024  # a longer (escaped) address is left out, the label stays
BULLET = "• "
_TAG = re.compile(r"<[^>]*>")
_PARTIAL_ENTITY = re.compile(r"&[a-z]{0,3}…$")


def tg_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units); for HTML an upper bound of the parsed text."""
    return len(text.encode("utf-16-le")) // 2


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _fit(
    markup: str, line: Line, limit: int, escape: Callable[[str], str], size: Callable[[str], int]
) -> str:
    """The line's markup, or (longer than the limit) its plain text cut so that escaped it fits."""
    if size(markup) <= limit:
        return markup
    return escape(_cut(_plain_line(line), limit // 8))  # escaping makes a character at most 6


def _packed(lines: list[str], limit: int, size: Callable[[str], int] = len) -> list[str]:
    """Lines (each within the limit) joined by newlines into as few chunks of at most `limit` as may be."""
    chunks: list[str] = []
    current: list[str] = []
    used = 0
    for line in lines:
        n = size(line) + (1 if current else 0)
        if current and used + n > limit:
            chunks.append("\n".join(current))
            current, used, n = [], 0, size(line)
        current.append(line)
        used += n
    if current:
        chunks.append("\n".join(current))
    return chunks


# -- plain text ---------------------------------------------------------------------------------


def _plain_line(line: Line) -> str:
    return "".join(f"{s.text} ({s.url})" if s.url else s.text for s in line)


def _plain_head(o: Outline) -> list[str]:
    head = [o.title, o.period, ""] + ([o.intro, ""] if o.intro else [])
    return head + [("" if o.empty else BULLET) + _plain_line(x) for x in o.summary]


def plain(h: Highlights, lang: str = "nl", intro: str | None = None) -> str:
    """The highlights as plain text (the CLI's preview)."""
    o = outline(h, lang, intro)
    out = _plain_head(o)
    for sec in o.sections:
        out += ["", sec.heading, *(BULLET + _plain_line(x) for x in sec.lines)]
        out += [_plain_line(x) for x in sec.notes]
    return "\n".join(out)


# -- Slack --------------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """Escape the three characters Slack treats as markup."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _slack_seg(s: Seg) -> str:
    core = s.text.strip()
    if not core:
        return slack_escape(s.text)
    lead, trail = s.text[: len(s.text) - len(s.text.lstrip())], s.text[len(s.text.rstrip()) :]
    body = slack_escape(core)
    url = slack_escape(s.url.strip()).replace("|", "%7C").replace(" ", "%20")
    if url and len(url) <= MAX_URL:
        body = f"<{url}|{body}>"
    if s.italic:
        body = f"_{body}_"
    if s.bold:
        body = f"*{body}*"
    return lead + body + trail


def _slack_lines(lines: tuple[Line, ...], bullet: str) -> list[str]:
    return [
        _fit(bullet + "".join(_slack_seg(s) for s in x), x, SLACK_SECTION, slack_escape, len) for x in lines
    ]


def _fallback(lines: list[str]) -> str:
    """The notification text of a message: plain lines, escaped (no mention or link from a member)."""
    text = _cut(slack_escape("\n".join(lines)), SLACK_FALLBACK)
    return _PARTIAL_ENTITY.sub("…", text)  # "&am…" when the cut fell inside an entity


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": True}}


def _context(text: str) -> Block:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text, "verbatim": True}]}


def slack(
    h: Highlights, lang: str = "nl", intro: str | None = None
) -> tuple[str, list[Block], list[SlackMessage]]:
    """(summary text, summary blocks, thread replies as (text, blocks)) for Slack.

    The summary is the title, the week and one line per figure; each detail section is one thread
    reply (or more, when it needs more than 50 blocks)."""
    o = outline(h, lang, intro)
    header = {"type": "plain_text", "text": _cut(o.title, SLACK_HEADER), "emoji": True}
    blocks: list[Block] = [{"type": "header", "text": header}, _context(slack_escape(o.period))]
    if o.intro:
        blocks.append(_section(slack_escape(_cut(o.intro, SLACK_SECTION // 5))))
    summary = _slack_lines(o.summary, "" if o.empty else BULLET)
    blocks += [_section(chunk) for chunk in _packed(summary, SLACK_SECTION)]
    thread: list[SlackMessage] = []
    for sec in o.sections:
        lines = [
            f"*{slack_escape(sec.heading)}*",
            *_slack_lines(sec.lines, BULLET),
            *_slack_lines(sec.notes, ""),
        ]
        sections = [_section(chunk) for chunk in _packed(lines, SLACK_SECTION)]
        plain_lines = [sec.heading, *(BULLET + _plain_line(x) for x in sec.lines)]
        fallback = _fallback(plain_lines + [_plain_line(x) for x in sec.notes])
        thread += [(fallback, sections[i : i + SLACK_BLOCKS]) for i in range(0, len(sections), SLACK_BLOCKS)]
    if thread:
        blocks.append(_context(slack_escape(t("hl_thread_hint", lang))))
    return _fallback(_plain_head(o)), blocks[:SLACK_BLOCKS], thread


# -- Telegram -----------------------------------------------------------------------------------


def tg_escape(text: str) -> str:
    """Escape text for Telegram HTML."""
    return html.escape(text, quote=True)


def _tg_seg(s: Seg) -> str:
    body = tg_escape(s.text)
    url = tg_escape(s.url.strip())
    if url and tg_len(url) <= MAX_URL and s.text.strip():
        body = f'<a href="{url}">{body}</a>'
    if s.italic:
        body = f"<i>{body}</i>"
    if s.bold:
        body = f"<b>{body}</b>"
    return body


def _tg_lines(lines: tuple[Line, ...], bullet: str, limit: int) -> list[str]:
    return [_fit(bullet + "".join(_tg_seg(s) for s in x), x, limit, tg_escape, tg_len) for x in lines]


def to_plain(part: str) -> str:
    """A Telegram HTML part as the text members see (tags gone, entities read)."""
    return html.unescape(_TAG.sub("", part))


def telegram(
    h: Highlights, lang: str = "nl", intro: str | None = None, limit: int = TELEGRAM_MESSAGE
) -> list[str]:
    """The highlights as Telegram HTML messages (b, i and a href only), each within the limit.

    As few parts as the limit allows: a section joins the part before it when it fits whole, and
    a section too long for one part is split between its lines."""
    o = outline(h, lang, intro)
    head = [f"<b>{tg_escape(_cut(o.title, 200))}</b>", f"<i>{tg_escape(o.period)}</i>", ""]
    if o.intro:
        head += [tg_escape(_cut(o.intro, limit // 8)), ""]
    groups = [head + _tg_lines(o.summary, "" if o.empty else BULLET, limit)]
    for sec in o.sections:
        heading = f"<b>{tg_escape(_cut(sec.heading, 200))}</b>"
        groups.append([heading, *_tg_lines(sec.lines, BULLET, limit), *_tg_lines(sec.notes, "", limit)])
    parts: list[str] = []
    for group in groups:
        block = "\n".join(group)
        if parts and tg_len(parts[-1]) + 2 + tg_len(block) <= limit:
            parts[-1] += "\n\n" + block
        else:
            parts += _packed(group, limit, tg_len)
    return [p.strip("\n") for p in parts if p.strip()]
