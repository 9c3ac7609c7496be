"""What the bot says when it answers questions, in Dutch (default) and English."""

from __future__ import annotations

ANSWERING: dict[str, dict[str, str]] = {
    "help": {
        "nl": (
            "Hoi! Ik ben Verbinder, de assistent van de community cultuur, zorg en welzijn. "
            'Stel je vraag in gewone taal, bijvoorbeeld: "Hoe werkt kunst op recept?" of '
            '"Welke fondsen steunen kunstprojecten met ouderen?". Ik antwoord met bronnen uit '
            "de kennisbank; staat het er niet in, dan zeg ik dat eerlijk en kan een expert helpen."
        ),
        "en": (
            "Hi! I'm Verbinder, the assistant of the arts, care and welfare community. Ask your "
            'question in plain words, for example: "How does arts on prescription work?". I answer '
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
    "llm_intro": {
        "nl": "Samengevat uit de kennisbank (door een taalmodel; controleer de bronnen):",
        "en": "Summarised from the knowledge base (by a language model; check the sources):",
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
    "not_sure": {
        "nl": (
            "Ik vond in de kennisbank geen direct antwoord op je vraag. Deze bronnen gaan er wel over en "
            "kunnen je op weg helpen; ik leg je vraag ook voor aan een expert uit de community."
        ),
        "en": (
            "I found no direct answer to your question in the knowledge base. These sources are related and "
            "may help you get started; I'm also passing your question to one of the community's experts."
        ),
    },
    "related": {
        "nl": "Misschien helpen deze bronnen je op weg:",
        "en": "These sources may help you get started:",
    },
    "sources": {"nl": "Bronnen", "en": "Sources"},
    "routed": {"nl": "Doorgezet naar een expert", "en": "Routed to an expert"},
    "btn_helpful": {"nl": "👍 Nuttig", "en": "👍 Helpful"},
    "btn_not_helpful": {"nl": "👎 Niet nuttig", "en": "👎 Not helpful"},
    "btn_ask_expert": {"nl": "🙋 Vraag een expert", "en": "🙋 Ask an expert"},
    "thanks_feedback": {
        "nl": "Dank je voor je feedback! Daarmee wordt de kennisbank beter.",
        "en": "Thanks for your feedback! It helps improve the knowledge base.",
    },
    "expert_requested": {
        "nl": (
            "Je verzoek is ontvangen: ik zet je vraag door naar een expert uit de community. "
            "Het antwoord komt hier terecht."
        ),
        "en": (
            "Request received: I'm passing your question on to one of the community's experts. "
            "The answer will arrive here."
        ),
    },
    "expert_already": {
        "nl": "Deze vraag ligt al bij een expert; het antwoord komt hier terecht.",
        "en": "This question is already with an expert; the answer will arrive here.",
    },
    "unknown_question": {
        "nl": "Die vraag kan ik niet (meer) terugvinden. Stel hem gerust opnieuw.",
        "en": "I can't find that question (any more). Feel free to ask it again.",
    },
    "unknown_command": {
        "nl": "Dat commando ken ik niet: /{command}. {commands}",
        "en": "I don't know that command: /{command}. {commands}",
    },
    "commands": {
        "nl": "Gebruik /vraag <je vraag> of stel je vraag gewoon in gewone taal; /help geeft uitleg.",
        "en": "Use /ask <your question> or just ask in plain words; /help explains more.",
    },
    "form_opened": {"nl": "Ik heb het formulier geopend.", "en": "I've opened the form."},
    "ask_usage": {
        "nl": "Zet je vraag achter het commando, bijvoorbeeld: /vraag Hoe werkt kunst op recept?",
        "en": "Put your question after the command, for example: /ask How does arts on prescription work?",
    },
    "media_only": {
        "nl": "Ik kan alleen tekst lezen, geen bestanden, stickers of spraakberichten. Typ je vraag gerust.",
        "en": "I can only read text, not files, stickers or voice messages. Please type your question.",
    },
    "smalltalk_greeting": {
        "nl": 'Hoi! Stel gerust je vraag in gewone taal, bijvoorbeeld: "Hoe werkt kunst op recept?" Ik zoek het op in de kennisbank, en kan ik het niet vinden, dan vraag ik een expert uit de community.',
        "en": 'Hi! Ask your question in plain words, for example: "How does arts on prescription work?" I look it up in the knowledge base, and if I cannot find it, I ask an expert from the community.',
    },
    "smalltalk_thanks": {
        "nl": "Graag gedaan! Heb je nog een vraag, stel hem gerust.",
        "en": "You're welcome! If you have another question, just ask.",
    },
    "asked_by": {"nl": "{user} vroeg: {question}", "en": "{user} asked: {question}"},
    "send_failed": {
        "nl": "Het lukte even niet om te antwoorden. Probeer het zo nog eens.",
        "en": "I couldn't answer just now. Please try again in a moment.",
    },
    "command_vraag": {"nl": "Stel een vraag aan de kennisbank", "en": "Vraag stellen (Nederlands)"},
    "command_ask": {"nl": "Ask a question (English)", "en": "Ask the knowledge base a question"},
    "command_help": {"nl": "Uitleg over Verbinder", "en": "How Verbinder works"},
    "slack_usage_vraag": {"nl": "Hoe werkt kunst op recept?", "en": "How does arts on prescription work?"},
    "slack_usage_ask": {"nl": "Hoe werkt kunst op recept?", "en": "How does arts on prescription work?"},
}
