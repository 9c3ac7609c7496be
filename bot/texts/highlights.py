"""What the weekly highlights say, in Dutch (default) and English."""

from __future__ import annotations


def _both(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


# The standard themes (bot/experts/data/themes.tsv) as the highlights name them.
_THEMES = {
    "financiering": ("financiering", "funding"),
    "onderzoek": ("onderzoek", "research"),
    "beleid": ("beleid", "policy"),
    "communicatie": ("communicatie", "communication"),
    "vrijwilligers": ("vrijwilligers", "volunteers"),
    "ouderen": ("ouderen", "older people"),
    "eenzaamheid": ("eenzaamheid", "loneliness"),
    "dementie": ("dementie", "dementia"),
    "ggz": ("ggz", "mental health"),
    "armoede": ("armoede", "poverty"),
    "jongeren": ("jongeren", "young people"),
    "kinderen": ("kinderen", "children"),
    "mantelzorg": ("mantelzorg", "carers"),
    "nieuwkomers": ("nieuwkomers", "newcomers"),
    "beperking": ("beperking", "disability"),
    "ziekenhuis": ("ziekenhuis", "hospital"),
    "kunst op recept": ("kunst op recept", "arts on prescription"),
    "participatie": ("participatie", "participation"),
    "wijkgericht": ("wijkgericht", "neighbourhood"),
    "muziek": ("muziek", "music"),
    "dans": ("dans", "dance"),
    "theater": ("theater", "theatre"),
    "beeldend": ("beeldende kunst", "visual arts"),
    "erfgoed": ("erfgoed", "heritage"),
    "literatuur": ("literatuur", "literature"),
    "film": ("film", "film"),
}

# What moderators are told about posting (the preview, its buttons, the intro).
_DAYS = (
    ("maandag", "Monday"),
    ("dinsdag", "Tuesday"),
    ("woensdag", "Wednesday"),
    ("donderdag", "Thursday"),
    ("vrijdag", "Friday"),
    ("zaterdag", "Saturday"),
    ("zondag", "Sunday"),
)

_POSTING: dict[str, dict[str, str]] = {
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

HIGHLIGHTS: dict[str, dict[str, str]] = {
    **_POSTING,
    "hl_title": _both("Hoogtepunten van week {week}", "Highlights of week {week}"),
    "hl_intro": _both("Dit gebeurde er in de community.", "This is what happened in the community."),
    "hl_thread_hint": _both(
        "De details staan in de draad hieronder.", "The details are in the thread below."
    ),
    "hl_empty": _both(
        "Een rustige week: geen nieuwe tips, projecten, antwoorden of evenementen om te melden.",
        "A quiet week: no new tips, projects, answers or events to report.",
    ),
    # The summary: one line per figure ("label: number" needs no plural forms).
    "hl_sum_contributions": _both("Nieuwe tips en projecten: {n}", "New tips and projects: {n}"),
    "hl_sum_answered": _both(
        "Vragen beantwoord: {n} (door de bot {bot}, door experts {experts})",
        "Questions answered: {n} (by the bot {bot}, by experts {experts})",
    ),
    "hl_sum_kb": _both("Nieuwe antwoorden in de kennisbank: {n}", "New answers in the knowledge base: {n}"),
    "hl_sum_events": _both("Evenementen de komende twee weken: {n}", "Events in the next two weeks: {n}"),
    "hl_sum_waiting": _both(
        "Vragen die nog op een expert wachten: {n}", "Questions still waiting for an expert: {n}"
    ),
    "hl_sum_topics": _both("Meest gevraagd: {topics}", "Most asked about: {topics}"),
    # The details, one section each.
    "hl_sec_contributions": _both("Nieuwe tips en projecten", "New tips and projects"),
    "hl_sec_experts": _both("Beantwoord door experts", "Answered by experts"),
    "hl_sec_kb": _both("Nieuw in de kennisbank", "New in the knowledge base"),
    "hl_sec_events": _both("Evenementen van {first} tot en met {last}", "Events from {first} to {last}"),
    "hl_sec_waiting": _both("Wacht nog op een expert", "Still waiting for an expert"),
    "hl_by": _both("{kind} van {author}", "{kind} by {author}"),
    "hl_thanks": _both("met dank aan {expert}", "thanks to {expert}"),
    "hl_in_kb": _both("nu in de kennisbank", "now in the knowledge base"),
    "hl_unlisted": _both(
        "Daarnaast beantwoord, niet voor publicatie: {n}", "Also answered, not for publication: {n}"
    ),
    "hl_topic": _both("{theme} ({n})", "{theme} ({n})"),
    "hl_no_theme": _both("zonder thema", "no theme"),
    "hl_since": _both("sinds {day}", "since {day}"),
    "hl_claimed": _both("een expert is ermee bezig", "an expert is on it"),
    "hl_waiting_how": _both(
        "Expert en weet je het antwoord? Stuur /antwoord <nummer> <je antwoord>.",
        "Are you an expert and do you know the answer? Send /antwoord <number> <your answer>.",
    ),
    "hl_all_day": _both("hele dag", "all day"),
    "hl_more": _both("… en nog {n}", "… and {n} more"),
    **{f"hl_theme_{key}": _both(nl, en) for key, (nl, en) in _THEMES.items()},
}
