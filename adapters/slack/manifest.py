"""The Slack app manifest (api.slack.com/apps → Create New App → From a manifest)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from bot.commands import CommandSpec, ordered
from bot.config import Settings
from bot.texts import t

APP_NAME = "Verbinder"
BOT_SCOPES = (
    "app_mentions:read",
    "chat:write",
    "commands",
    "im:history",
    "im:read",
    "im:write",
    "channels:history",
    "groups:history",
    "reactions:write",
    "files:write",
    "users:read",
)
BOT_EVENTS = ("app_mention", "message.im", "message.channels", "message.groups")


def manifest(
    commands: Iterable[CommandSpec], settings: Settings, request_url: str | None = None
) -> dict[str, Any]:
    """A complete app manifest for the given commands (those marked `slack`): Socket Mode without a
    request URL, else the Events API at that URL."""
    if request_url is None and settings.slack_mode == "http":
        raise ValueError("VERBINDER_SLACK_MODE=http needs the public request URL (…/slack/events).")
    if request_url is not None and not request_url.startswith("https://"):
        raise ValueError(f"Slack only calls https:// request URLs, not {request_url!r}.")
    slash_commands = []
    for spec in ordered(c for c in commands if c.slack):
        entry: dict[str, Any] = {
            "command": f"/{spec.name}",
            "description": t(spec.description_key, spec.language),
            "should_escape": False,
        }
        if t(spec.usage_key, spec.language).strip():
            entry["usage_hint"] = t(spec.usage_key, spec.language)
        if request_url:
            entry["url"] = request_url
        slash_commands.append(entry)
    app_settings: dict[str, Any] = {
        "event_subscriptions": {"bot_events": list(BOT_EVENTS)},
        "interactivity": {"is_enabled": True},
        "org_deploy_enabled": False,
        "socket_mode_enabled": request_url is None,
        "token_rotation_enabled": False,
    }
    if request_url:
        app_settings["event_subscriptions"]["request_url"] = request_url
        app_settings["interactivity"]["request_url"] = request_url
    return {
        "_metadata": {"major_version": 2, "minor_version": 1},
        "display_information": {
            "name": APP_NAME,
            "description": t("slack_app_description", "nl"),
            "long_description": t("slack_app_long_description", "nl"),
            "background_color": "#1d4e5f",
        },
        "features": {
            "app_home": {
                "home_tab_enabled": False,
                "messages_tab_enabled": True,
                "messages_tab_read_only_enabled": False,
            },
            "bot_user": {"display_name": APP_NAME, "always_online": True},
            "slash_commands": slash_commands,
        },
        "oauth_config": {"scopes": {"bot": list(BOT_SCOPES)}},
        "settings": app_settings,
    }
