"""The rules Slack enforces on what the bot sends: Block Kit blocks of messages, and modals.

From Slack's Block Kit and views reference: messages of at most 50 blocks, section text of at most
3000 characters, buttons with a plain_text label of at most 75; modals with a plain_text title,
submit and close of at most 24, at most 100 blocks, private_metadata of at most 3000, input blocks
with a label and a plain_text_input whose max_length is at most 3000.
"""

from __future__ import annotations

from typing import Any

_BUTTON_STYLES = (None, "primary", "danger")


def check_blocks(blocks: Any) -> str | None:
    """Block Kit limits that Slack enforces on messages (None when valid)."""
    if not isinstance(blocks, list) or len(blocks) > 50:
        return "invalid_blocks"
    block_ids: set[str] = set()
    for block in blocks:
        if not isinstance(block, dict) or _check_block(block):
            return "invalid_blocks"
        if "block_id" in block:
            if block["block_id"] in block_ids or len(block["block_id"]) > 255:
                return "invalid_blocks"
            block_ids.add(block["block_id"])
    return None


def text_ok(obj: Any, limit: int = 3000, kinds: tuple[str, ...] = ("mrkdwn", "plain_text")) -> bool:
    return (
        isinstance(obj, dict)
        and obj.get("type") in kinds
        and isinstance(obj.get("text"), str)
        and 1 <= len(obj["text"]) <= limit
    )


def _check_block(block: dict[str, Any]) -> bool:
    """True when the block breaks a rule."""
    kind = block.get("type")
    if kind == "section":
        return not text_ok(block.get("text"))
    if kind == "context":
        elements = block.get("elements") or []
        return not 1 <= len(elements) <= 10 or not all(text_ok(e) for e in elements)
    if kind == "actions":
        elements = block.get("elements") or []
        ids = [e.get("action_id") for e in elements]
        return (
            not 1 <= len(elements) <= 25
            or len(set(ids)) != len(ids)
            or not all(_button_ok(e) for e in elements)
        )
    return kind not in ("divider", "header")


def _button_ok(e: dict[str, Any]) -> bool:
    return (
        e.get("type") == "button"
        and text_ok(e.get("text"), 75, ("plain_text",))
        and isinstance(e.get("action_id"), str)
        and 1 <= len(e["action_id"]) <= 255
        and isinstance(e.get("value"), str)
        and 1 <= len(e["value"]) <= 2000
        and e.get("style") in _BUTTON_STYLES
    )


def check_view(view: Any) -> str | None:
    """What breaks Slack's rules for a modal (None when it is valid)."""
    if not isinstance(view, dict) or view.get("type") != "modal":
        return "view.type must be modal"
    for key in ("title", "close", "submit"):
        if key in view and not text_ok(view[key], 24, ("plain_text",)):
            return f"view.{key} must be plain_text of 1-24 characters"
    if not text_ok(view.get("title"), 24, ("plain_text",)):
        return "view.title is required"
    blocks = view.get("blocks")
    if not isinstance(blocks, list) or not 1 <= len(blocks) <= 100:
        return "view.blocks must be 1-100 blocks"
    if len(str(view.get("private_metadata", ""))) > 3000 or len(str(view.get("callback_id", ""))) > 255:
        return "private_metadata or callback_id too long"
    ids: set[str] = set()
    inputs = 0
    for block in blocks:
        bid = block.get("block_id")
        if bid is not None:
            if bid in ids or not isinstance(bid, str) or len(bid) > 255:
                return "duplicate or bad block_id"
            ids.add(bid)
        if block.get("type") == "input":
            inputs += 1
            if not text_ok(block.get("label"), 2000, ("plain_text",)):
                return "input label must be plain_text of 1-2000 characters"
            if "hint" in block and not text_ok(block["hint"], 2000, ("plain_text",)):
                return "input hint must be plain_text of 1-2000 characters"
            e = block.get("element") or {}
            if e.get("type") != "plain_text_input" or not 1 <= len(str(e.get("action_id", ""))) <= 255:
                return "input element must be a plain_text_input with an action_id"
            limit = e.get("max_length", 3000)
            if not isinstance(limit, int) or not 1 <= limit <= 3000:
                return "max_length must be 1-3000"
            if len(str(e.get("initial_value", ""))) > limit:
                return "initial_value longer than max_length"
        elif block.get("type") == "context":
            elements = block.get("elements") or []
            if not 1 <= len(elements) <= 10 or not all(text_ok(x) for x in elements):
                return "bad context block"
        elif block.get("type") not in ("section", "divider", "header"):
            return f"block type {block.get('type')!r} not allowed here"
    if inputs and "submit" not in view:
        return "a view with input blocks needs submit"
    return None
