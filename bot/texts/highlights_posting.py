"""What the bot says to moderators about posting the weekly highlights, in Dutch and English."""

from __future__ import annotations


def _both(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


_DAYS = (
    ("maandag", "Monday"),
    ("dinsdag", "Tuesday"),
    ("woensdag", "Wednesday"),
    ("donderdag", "Thursday"),
    ("vrijdag", "Friday"),
    ("zaterdag", "Saturday"),
    ("zondag", "Sunday"),
)

HIGHLIGHTS_POSTING: dict[str, dict[str, str]] = {
    **{f"weekday_{i}": _both(nl, en) for i, (nl, en) in enumerate(_DAYS)},
    "btn_hl_post": _both("Nu posten", "Post now"),
    "btn_hl_skip": _both("Overslaan", "Skip"),
    "btn_hl_intro": _both("Intro schrijven", "Write the intro"),
    "hl_preview_head": _both(
        "Voorproefje: de hoogtepunten van {week} gaan {when} naar de kanalen. Posten, overslaan of een eigen intro?",
        "Preview: the highlights of {week} go to the channels {when}. Post, skip or write an intro?",
    ),
    "hl_posted": _both(
        "De hoogtepunten van {week} gaan naar {n} kanaal/kanalen ({already} hadden ze al).",
        "The highlights of {week} are going to {n} channel(s) ({already} had them already).",
    ),
    "hl_not_posted": _both(
        "De hoogtepunten van {week} zijn niet gepost: {why}.",
        "The highlights of {week} were not posted: {why}.",
    ),
    "hl_skipped": _both(
        "De hoogtepunten van {week} worden overgeslagen.", "The highlights of {week} will be skipped."
    ),
    "hl_already_posted": _both(
        "De hoogtepunten van {week} zijn al gepost.", "The highlights of {week} have been posted already."
    ),
    "hl_intro_title": _both("Intro hoogtepunten", "Highlights intro"),
    "hl_intro_submit": _both("Bewaren", "Save"),
    "hl_intro_label": _both("Intro", "Intro"),
    "hl_intro_hint": _both(
        "Een paar zinnen boven de hoogtepunten van deze week.", "A few lines above this week's highlights."
    ),
    "hl_intro_saved": _both("De intro van {week} is bewaard.", "The intro of {week} was saved."),
    "hl_intro_by_command": _both(
        "Stuur de intro van {week} met: /hoogtepunten intro <tekst>",
        "Send the intro of {week} with: /highlights intro <text>",
    ),
    "command_hoogtepunten": _both(
        "Voorproefje van de weekhoogtepunten (moderators)", "Preview the weekly highlights (moderators)"
    ),
    "slack_usage_hoogtepunten": _both("[intro <tekst>]", "[intro <text>]"),
}
