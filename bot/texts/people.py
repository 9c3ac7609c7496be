"""What the bot says about people: roles, moderators and admins, and linking accounts across
platforms, in Dutch (default) and English."""

from __future__ import annotations


def _both(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


PEOPLE: dict[str, dict[str, str]] = {
    "role_member": _both("lid", "member"),
    "role_expert": _both("expert", "expert"),
    "role_moderator": _both("moderator", "moderator"),
    "role_admin": _both("beheerder", "admin"),
    "whoami": _both(
        "Je bent {name}: {roles}.\nAccounts: {accounts}", "You are {name}: {roles}.\nAccounts: {accounts}"
    ),
    "whoami_blocked": _both(
        "Je account is op dit moment geblokkeerd.", "Your account is blocked at the moment."
    ),
    "whoami_link_hint": _both(
        "Ook op het andere platform? Koppel je accounts met /koppel.",
        "On the other platform too? Link your accounts with /link.",
    ),
    "not_moderator": _both("Dat kan alleen een moderator ({who}).", "Only a moderator can do that ({who})."),
    "admin_only": _both(
        "Moderators benoemen kan alleen een beheerder ({who}).", "Only an admin can name moderators ({who})."
    ),
    "moderator_usage": _both(
        "Gebruik: /moderator_toevoegen @iemand (of slack:U123 / telegram:123).",
        "Usage: /add_moderator @someone (or slack:U123 / telegram:123).",
    ),
    "moderator_added": _both("{who} is nu moderator.", "{who} is a moderator now."),
    "moderator_removed": _both("{who} is geen moderator meer.", "{who} is no longer a moderator."),
    "person_unknown": _both("Die persoon ken ik niet: {who}.", "I don't know that person: {who}."),
    "last_admin": _both(
        "{who} is de laatste beheerder; die kan niet worden verwijderd.",
        "{who} is the last admin and cannot be removed.",
    ),
    "admin_by_setting": _both(
        "{who} is beheerder via VERBINDER_ADMINS; haal het daar weg.",
        "{who} is an admin through VERBINDER_ADMINS; remove them there.",
    ),
    "moderator_by_setting": _both(
        "{who} is moderator via VERBINDER_MODERATORS; haal het daar weg.",
        "{who} is a moderator through VERBINDER_MODERATORS; remove them there.",
    ),
    "cannot_block_admin": _both(
        "{who} is beheerder en kan niet worden geblokkeerd.", "{who} is an admin and cannot be blocked."
    ),
    "link_code": _both(
        "Je koppelcode: {code}\nStuur binnen 15 minuten op {other}: /koppel {code}",
        "Your link code: {code}\nWithin 15 minutes, send on {other}: /link {code}",
    ),
    "link_done": _both(
        "Gekoppeld! Dit zijn nu jouw accounts: {accounts}", "Linked! These are your accounts now: {accounts}"
    ),
    "link_code_unknown": _both(
        "Die code ken ik niet of hij is verlopen. Vraag een nieuwe met /koppel.",
        "I don't know that code or it has expired. Ask for a new one with /link.",
    ),
    "link_same_platform": _both(
        "Gebruik de code op het andere platform (Slack ↔ Telegram).",
        "Use the code on the other platform (Slack ↔ Telegram).",
    ),
    "link_platform_only": _both(
        "Koppelen kan tussen Slack en Telegram.", "Linking works between Slack and Telegram."
    ),
}
