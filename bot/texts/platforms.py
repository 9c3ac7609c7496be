"""What the platforms show about the bot (Slack app texts) and the terminal chat's own lines."""

from __future__ import annotations

PLATFORMS: dict[str, dict[str, str]] = {
    "slack_app_description": {
        "nl": "Beantwoordt vragen over cultuur, zorg en welzijn uit de kennisbank van de community, met bronnen.",
        "en": "Answers questions on arts, care and welfare from the community's knowledge base, with sources.",
    },
    "slack_app_long_description": {
        "nl": (
            "Verbinder is de assistent van de community cultuur, zorg en welzijn. Stel je vraag in een "
            "direct bericht, noem @Verbinder in een kanaal of gebruik /vraag. Verbinder antwoordt in de "
            "thread met letterlijke citaten en genummerde bronnen uit de kennisbank. Staat het antwoord "
            "er niet in, dan zegt Verbinder dat eerlijk en kun je met één klik een expert uit de "
            "community vragen. Met de knoppen onder een antwoord geef je aan of het nuttig was."
        ),
        "en": (
            "Verbinder is the assistant of the arts, care and welfare community. Ask your question in a "
            "direct message, mention @Verbinder in a channel or use /ask. Verbinder answers in the thread "
            "with verbatim quotes and numbered sources from the knowledge base. If the answer is not "
            "there, it says so and one click asks an expert from the community. The buttons under an "
            "answer tell whether it helped."
        ),
    },
    "console_commands": {
        "nl": (
            "In deze terminal: /quit stopt, !1 drukt op knop 1 onder een antwoord. "
            "Verder werkt alles zoals in Slack en Telegram: typ je vraag, of een commando als /tip, "
            "/agenda of /wie_ben_ik."
        ),
        "en": (
            "In this terminal: /quit stops, !1 presses button 1 under an answer. Everything else works "
            "as in Slack and Telegram: type your question, or a command such as /tip, /agenda or /wie_ben_ik."
        ),
    },
    "console_buttons": {
        "nl": "Knoppen: {choices} — typ !1 om te kiezen",
        "en": "Buttons: {choices} — type !1 to choose",
    },
    "console_no_buttons": {
        "nl": "Er zijn nu geen knoppen om op te drukken.",
        "en": "There are no buttons to press right now.",
    },
    "console_no_such_button": {
        "nl": "Er is geen knop {number}: kies !1 tot en met !{last}.",
        "en": "There is no button {number}: choose !1 to !{last}.",
    },
    "console_prompt": {"nl": "jij>", "en": "you>"},
    "console_file_saved": {"nl": "Bestand opgeslagen: {path}", "en": "File saved: {path}"},
    "file_too_large": {
        "nl": "Het bestand {name} ({size}) is te groot om hier te versturen (hoogstens {limit}).",
        "en": "The file {name} ({size}) is too large to send here (at most {limit}).",
    },
    "file_empty": {
        "nl": "Het bestand {name} is leeg en is daarom niet meegestuurd.",
        "en": "The file {name} is empty, so it was not sent.",
    },
    "files_in_dm": {
        "nl": "De bestanden staan in je privéberichten met Verbinder.",
        "en": "The files are in your direct messages with Verbinder.",
    },
}
