"""Is a signed Slack request body one Bolt can read? Checked before Bolt sees it.

Bolt reads payload fields by the types Slack gives them (an event is an object, `user` of an
interaction is an object, `text` a string) and raises on anything else: HTTP 500 and a traceback
in the log, for a body that is merely malformed. The signature proves who sent it, not its shape.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qs

Kind = type | tuple[type, ...]

# Fields Bolt or our listeners read, with the types Slack sends (None: may be null).
_ENVELOPE: dict[str, Kind] = {
    "type": str,
    "team_id": str,
    "api_app_id": str,
    "event_id": str,
    "event_time": int,
}
_EVENT: dict[str, Kind] = {
    "type": str,
    "subtype": str,
    "user": (str, dict),  # an id, or a user object in team_join / user_change
    "bot_id": str,
    "channel": (str, dict),  # an id, or a channel object in channel_created / _rename
    "channel_type": str,
    "text": str,
    "ts": str,
    "thread_ts": str,
    "event_ts": str,
    "files": list,
    "blocks": list,
}
_INTERACTION: dict[str, Kind] = {
    "type": str,
    "user": dict,
    "team": dict,
    "channel": dict,
    "container": dict,
    "message": dict,
    "actions": list,
    "view": dict,
    "response_url": str,
    "trigger_id": str,
}
_ACTION: dict[str, Kind] = {"action_id": str, "block_id": str, "value": str, "type": str}
_IDS = ("user", "team", "channel")  # objects whose `id` is a string


def readable(body: str, content_type: str) -> bool:
    """An Events API body (a JSON object) or a command/interaction form of Slack's shapes."""
    try:
        if content_type == "application/json" or body.lstrip().startswith("{"):
            payload = json.loads(body)
            return isinstance(payload, dict) and _event_ok(payload)
        form = parse_qs(body, strict_parsing=True)
        if "payload" in form:
            payload = json.loads(form["payload"][0])
            return isinstance(payload, dict) and _interaction_ok(payload)
        return bool(form)
    except ValueError:
        return False


def _typed(obj: dict[str, Any], fields: Mapping[str, Kind]) -> bool:
    return all(obj.get(k) is None or isinstance(obj[k], t) for k, t in fields.items())


def _event_ok(payload: dict[str, Any]) -> bool:
    if not isinstance(payload.get("type"), str):
        return False  # Bolt routes an Events API body by its type: one without is no event
    event = payload.get("event")
    if payload.get("type") == "event_callback" and not (isinstance(event, dict) and event.get("type")):
        return False  # an event callback without an event (Bolt reads event.type)
    if event is not None and not (isinstance(event, dict) and _typed(event, _EVENT)):
        return False
    authorizations = payload.get("authorizations")
    if authorizations is not None and not (
        isinstance(authorizations, list) and all(isinstance(a, dict) for a in authorizations)
    ):
        return False
    return _typed(payload, _ENVELOPE)


def _interaction_ok(payload: dict[str, Any]) -> bool:
    if not _typed(payload, _INTERACTION):
        return False
    if any(not isinstance(payload[k].get("id", ""), str) for k in _IDS if payload.get(k) is not None):
        return False
    actions = payload.get("actions") or []
    if payload.get("type") == "block_actions" and not actions:
        return False  # Bolt reads actions[0] of a button press
    # Bolt matches a press by its action_id: a press without one (or not a string) is no press.
    return all(
        isinstance(a, dict) and isinstance(a.get("action_id"), str) and _typed(a, _ACTION) for a in actions
    )
