"""What Slack sends an app: signed requests, event envelopes, slash commands and button payloads.

Field names and shapes follow Slack's official samples (java-slack-sdk json-logs: events/MessagePayload,
AppMentionPayload, app-backend/slash-commands, interactive-components/BlockActionPayload).
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import time
import uuid
from typing import Any

from support.fake_slack import APP_ID, BOT_ID, BOT_USER, MEMBER, SIGNING_SECRET, TEAM_ID

_event_ids = itertools.count(1)
_ts = itertools.count(1)


def new_ts() -> str:
    """A fresh, unique message ts."""
    return f"{1700000000 + next(_ts)}.{next(_ts):06d}"


def sign(body: str, timestamp: int | None = None, secret: str = SIGNING_SECRET) -> dict[str, str]:
    """Slack's v0 request signature headers, computed independently of the adapter."""
    ts = str(int(time.time()) if timestamp is None else timestamp)
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {"X-Slack-Request-Timestamp": ts, "X-Slack-Signature": f"v0={digest}"}


def message_event(
    channel: str,
    text: str,
    *,
    user: str = MEMBER,
    ts: str | None = None,
    thread_ts: str | None = None,
    channel_type: str = "channel",
    **extra: Any,
) -> dict[str, Any]:
    """A `message` event as delivered for message.im / message.channels / message.groups."""
    ts = ts or new_ts()
    event: dict[str, Any] = {
        "client_msg_id": str(uuid.uuid4()),
        "type": "message",
        "text": text,
        "user": user,
        "ts": ts,
        "team": TEAM_ID,
        "channel": channel,
        "event_ts": ts,
        "channel_type": channel_type,
        "blocks": [
            {
                "type": "rich_text",
                "block_id": "b1",
                "elements": [{"type": "rich_text_section", "elements": [{"type": "text", "text": text}]}],
            }
        ],
    }
    if thread_ts:
        event["thread_ts"] = thread_ts
        event["parent_user_id"] = MEMBER
    event.update(extra)
    return event


def mention_event(
    channel: str, text: str, *, user: str = MEMBER, ts: str | None = None, thread_ts: str | None = None
) -> dict[str, Any]:
    """An `app_mention` event (no channel_type, same ts as the duplicate `message` event)."""
    event = message_event(channel, text, user=user, ts=ts, thread_ts=thread_ts)
    event["type"] = "app_mention"
    del event["channel_type"]
    return event


def envelope(event: dict[str, Any], event_id: str | None = None) -> dict[str, Any]:
    """The event_callback wrapper around an event."""
    return {
        "token": "verification-token-unused",
        "team_id": TEAM_ID,
        "api_app_id": APP_ID,
        "event": event,
        "type": "event_callback",
        "event_id": event_id or f"Ev0{next(_event_ids):08d}",
        "event_time": int(time.time()),
        "event_context": f"4-{uuid.uuid4().hex}",
        "authorizations": [
            {
                "enterprise_id": None,
                "team_id": TEAM_ID,
                "user_id": BOT_USER,
                "is_bot": True,
                "is_enterprise_install": False,
            }
        ],
        "is_ext_shared_channel": False,
    }


def slash_command(
    command: str, text: str, channel: str, response_url: str, *, user: str = MEMBER
) -> dict[str, str]:
    """The form fields of a slash command request."""
    return {
        "token": "verification-token-unused",
        "team_id": TEAM_ID,
        "team_domain": "verbinder-test",
        "channel_id": channel,
        "channel_name": "vragen",
        "user_id": user,
        "user_name": "lid.een",
        "command": command,
        "text": text,
        "api_app_id": APP_ID,
        "is_enterprise_install": "false",
        "response_url": response_url,
        "trigger_id": f"{next(_ts)}.{uuid.uuid4().hex[:12]}",
    }


def block_actions(
    action_id: str,
    value: str,
    channel: str,
    message_ts: str,
    *,
    thread_ts: str | None,
    response_url: str,
    user: str = MEMBER,
) -> dict[str, Any]:
    """A block_actions payload for a button press on a message in a channel."""
    container: dict[str, Any] = {
        "type": "message",
        "message_ts": message_ts,
        "channel_id": channel,
        "is_ephemeral": False,
    }
    message: dict[str, Any] = {
        "type": "message",
        "user": BOT_USER,
        "bot_id": BOT_ID,
        "ts": message_ts,
        "text": "antwoord",
    }
    if thread_ts:
        container["thread_ts"] = thread_ts
        message["thread_ts"] = thread_ts
    return {
        "type": "block_actions",
        "user": {"id": user, "username": "lid.een", "name": "lid.een", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "container": container,
        "trigger_id": f"{next(_ts)}.{uuid.uuid4().hex[:12]}",
        "team": {"id": TEAM_ID, "domain": "verbinder-test"},
        "enterprise": None,
        "is_enterprise_install": False,
        "channel": {"id": channel, "name": "vragen"},
        "message": message,
        "state": {"values": {}},
        "response_url": response_url,
        "actions": [
            {
                "action_id": action_id,
                "block_id": "verbinder",
                "text": {"type": "plain_text", "text": action_id, "emoji": True},
                "value": value,
                "type": "button",
                "action_ts": f"{time.time():.6f}",
            }
        ],
    }


def view_submission(view: dict[str, Any], values: dict[str, str], user: str = MEMBER) -> dict[str, Any]:
    """The payload Slack sends when a member submits an opened modal with these input values."""
    state: dict[str, dict[str, Any]] = {}
    for block in view["blocks"]:
        if block.get("type") == "input":
            bid, aid = block["block_id"], block["element"]["action_id"]
            value = values.get(bid, block["element"].get("initial_value"))
            state[bid] = {aid: {"type": "plain_text_input", "value": value}}  # None when left empty
    return {
        "type": "view_submission",
        "team": {"id": TEAM_ID, "domain": "verbinder-test"},
        "user": {"id": user, "username": "lid.een", "name": "lid.een", "team_id": TEAM_ID},
        "api_app_id": APP_ID,
        "token": "verification-token-unused",
        "trigger_id": f"{next(_ts)}.view.trigger",
        "view": {**view, "state": {"values": state}},
        "is_enterprise_install": False,
    }
