"""The Telegram command menu, built from the command registry: a default, a Dutch and an English one."""

from __future__ import annotations

from collections.abc import Iterable

from telegram import BotCommand

from bot.commands import CommandSpec, ordered
from bot.texts import t

# None: the default menu, for every interface language without its own menu (in Dutch).
MENU_LANGUAGES = (None, "nl", "en")


def menus(commands: Iterable[CommandSpec]) -> list[tuple[str | None, list[BotCommand]]]:
    """(language code, commands) for every menu: the commands marked `menu`, described in that language."""
    listed = ordered(c for c in commands if c.menu)
    return [
        (lang, [BotCommand(c.name, t(c.description_key, lang or "nl")) for c in listed])
        for lang in MENU_LANGUAGES
    ]
