"""Everything the bot says to people, in Dutch (default) and English, in one place."""

from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "help": {
        "nl": (
            "Hoi! Ik ben Verbinder, de assistent van de community cultuur, zorg en welzijn. "
            "Stel je vraag in gewone taal, bijvoorbeeld: \"Hoe werkt kunst op recept?\" of "
            "\"Welke fondsen steunen kunstprojecten met ouderen?\". Ik antwoord met bronnen uit "
            "de kennisbank; staat het er niet in, dan zeg ik dat eerlijk en kan een expert helpen."
        ),
        "en": (
            "Hi! I'm Verbinder, the assistant of the arts, care and welfare community. Ask your "
            "question in plain words, for example: \"How does arts on prescription work?\". I answer "
            "with sources from the knowledge base; if it isn't there I'll say so and an expert can help."
        ),
    },
    "too_long": {
        "nl": "Je vraag is te lang ({n} tekens; maximaal {limit}). Kun je hem korter formuleren?",
        "en": "Your question is too long ({n} characters; at most {limit}). Could you shorten it?",
    },
    "intro": {
        "nl": "Dit staat er in de kennisbank:",
        "en": "Here is what the knowledge base says:",
    },
    "not_found": {
        "nl": (
            "Dat kan ik niet met zekerheid beantwoorden: de kennisbank bevat hier geen antwoord "
            "op. Deze vraag is iets voor een expert uit de community."
        ),
        "en": (
            "I can't answer that reliably: the knowledge base does not contain the answer. "
            "This is a question for one of the community's experts."
        ),
    },
    "related": {
        "nl": "Misschien helpen deze bronnen je op weg:",
        "en": "These sources may help you get started:",
    },
    "sources": {"nl": "Bronnen", "en": "Sources"},
    "routed": {"nl": "Doorgezet naar een expert", "en": "Routed to an expert"},
}


def t(key: str, lang: str = "nl", **kwargs: object) -> str:
    """The text for a key in a language (falls back to Dutch)."""
    entry = TEXTS[key]
    return entry.get(lang, entry["nl"]).format(**kwargs)
