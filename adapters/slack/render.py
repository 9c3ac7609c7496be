"""Slack text in and out: plain text from message markup, Block Kit from the core's replies."""

from __future__ import annotations

import json
import re
from typing import Any

from bot.messages import ASK_EXPERT, Reply
from bot.texts import t

# Block Kit limits (https://docs.slack.dev/reference/block-kit).
MAX_BLOCKS = 50
MAX_SECTION = 3000
MAX_BUTTON_TEXT = 75
MAX_BUTTON_VALUE = 2000
MAX_FALLBACK = 3000
ELLIPSIS = "…"
# A member's question quoted back in a header (the "asked by" post of /vraag): the whole of a
# long one made that post too long for Slack (msg_too_long), leaving no thread to answer in.
MAX_ECHO = 300

Block = dict[str, Any]

# <https://x|label>, <mailto:..|label>, <#C123|general>, <!here>, <!subteam^S1|@team>: in message text.
_TOKEN = re.compile(r"<([^<>|]*)(?:\|([^<>]*))?>")
_LINK_SCHEMES = ("http://", "https://", "mailto:")


def escape(text: str) -> str:
    """Escape the three characters Slack treats as markup: &, < and >."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def unescape(text: str) -> str:
    """Undo Slack's escaping of &, < and > in received text."""
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def plain_text(text: str) -> str:
    """Received message markup (user mentions already stripped) as the plain text a member typed."""

    def token(m: re.Match[str]) -> str:
        target, label = m.group(1), m.group(2)
        if target.startswith("#"):
            return f"#{label}" if label else target
        if target.startswith("!"):
            return label or ""
        return label or target

    return unescape(_TOKEN.sub(token, text)).strip()


def link(url: str | None, title: str) -> str:
    """A mrkdwn link `<url|title>` (escaped), or just the escaped title for missing/odd URLs."""
    label = escape(title.replace("\n", " ").strip()) or escape(url or "")
    if not url or not url.startswith(_LINK_SCHEMES):
        return label
    safe_url = escape(url.strip()).replace("|", "%7C").replace(" ", "%20")
    return f"<{safe_url}|{label}>"


def split_text(text: str, limit: int = MAX_SECTION) -> list[str]:
    """Cut escaped text into pieces of at most `limit` chars: at line ends, else spaces, else anywhere."""
    pieces: list[str] = []
    rest = text
    while len(rest) > limit:
        cut = rest.rfind("\n", 0, limit + 1)
        if cut <= 0:
            cut = rest.rfind(" ", 0, limit + 1)
        if cut <= 0:
            cut = limit
            amp = rest.rfind("&", max(0, cut - 5), cut)
            if amp > 0 and ";" not in rest[amp:cut]:
                cut = amp  # never cut an &amp; / &lt; / &gt; entity in two
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip("\n ")
    if rest.strip() or not pieces:
        pieces.append(rest)
    return pieces


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + ELLIPSIS


def echo(text: str, limit: int = MAX_ECHO) -> str:
    """A member's text quoted back: cut to `limit` characters (with an ellipsis), then escaped."""
    return escape(_clip(text, limit))


def _fit_lines(lines: list[str], limit: int) -> str:
    """Whole lines joined by newlines, dropping those that would pass the limit (links stay intact)."""
    out: list[str] = []
    size = 0
    for line in lines:
        line = _clip(line, limit)
        if size + len(line) + 1 > limit:
            break
        out.append(line)
        size += len(line) + 1
    return "\n".join(out)


def _section(text: str, verbatim: bool = True) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text, "verbatim": verbatim}}


def source_lines(reply: Reply) -> list[str]:
    """The numbered sources as mrkdwn lines: `[1] <url|title> · kind`."""
    lines = []
    for i, s in enumerate(reply.sources, 1):
        kind = f" · {escape(s.kind)}" if s.kind else ""
        lines.append(f"[{i}] {link(s.url, s.title)}{kind}")
    return lines


def button_blocks(reply: Reply) -> list[Block]:
    """An actions block with the reply's buttons (none when it has no buttons)."""
    if not reply.buttons:
        return []
    elements = []
    for b in reply.buttons[:25]:
        element: Block = {
            "type": "button",
            "action_id": b.action,
            "text": {"type": "plain_text", "text": _clip(b.label, MAX_BUTTON_TEXT), "emoji": True},
            "value": b.value[:MAX_BUTTON_VALUE],
        }
        if b.action == ASK_EXPERT:
            element["style"] = "primary"
        elements.append(element)
    block_id = f"verbinder:{reply.question_id}" if reply.question_id is not None else "verbinder"
    return [{"type": "actions", "block_id": block_id, "elements": elements}]


def render(reply: Reply, header: str = "") -> tuple[str, list[Block]]:
    """The plain `text` fallback and the Block Kit blocks of a reply (`header` is mrkdwn, escaped)."""
    if reply.formatted:  # composed as Block Kit by the core (weekly highlights)
        blocks = [b for b in json.loads(reply.formatted) if isinstance(b, dict)][: MAX_BLOCKS - 1]
        return _clip(escape(reply.text), MAX_FALLBACK), blocks + button_blocks(reply)[:1]
    lang = reply.language
    body = escape(reply.text)
    tail: list[Block] = []
    sources = source_lines(reply)
    if sources:
        listing = _fit_lines([f"*{escape(t('sources', lang))}*", *sources], MAX_SECTION)
        tail.append({"type": "context", "elements": [{"type": "mrkdwn", "text": listing}]})
    if reply.routed:
        routed = f"→ {escape(t('routed', lang))}"
        tail.append({"type": "context", "elements": [{"type": "mrkdwn", "text": routed}]})
    tail += button_blocks(reply)
    head = [_section(_clip(header, MAX_SECTION), verbatim=False)] if header else []
    room = MAX_BLOCKS - len(tail) - len(head)
    pieces = split_text(body)
    if len(pieces) > room:
        pieces = pieces[:room]
        pieces[-1] = _clip(pieces[-1], MAX_SECTION - 1) + ELLIPSIS
    blocks = head + [_section(p) for p in pieces] + tail
    fallback_parts = ([header] if header else []) + [body]
    if sources:
        fallback_parts.append("\n".join(sources))
    return _clip("\n".join(fallback_parts), MAX_FALLBACK), blocks
