"""What the privacy feature says (data export, forget-me, retention), in Dutch (default) and English."""

from __future__ import annotations


def _both(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


PRIVACY: dict[str, dict[str, str]] = {
    "command_mijn_gegevens": _both(
        "Alles wat de bot over jou bewaart, als bestand", "Everything the bot keeps about you, as a file"
    ),
    "slack_usage_mijn_gegevens": _both("", ""),
    "command_vergeet_mij": _both("Laat je gegevens wissen", "Have your data erased"),
    "slack_usage_vergeet_mij": _both("[annuleren]", "[cancel]"),
    "an_expert": _both("een expert", "an expert"),
    "pv_export_withheld": _both(
        "(een bericht aan jou over de vraag of tip van een ander lid: de inhoud hoort bij die persoon)",
        "(a message to you about another member's question or tip: its content belongs to them)",
    ),
    "pv_export_sent": _both(
        "Dit is alles wat Verbinder over je bewaart ({summary}). Het JSON-bestand en de CSV bevatten "
        "hetzelfde. Wil je dat het gewist wordt? Typ /vergeet_mij.",
        "This is everything Verbinder keeps about you ({summary}). The JSON file and the CSV hold the "
        "same. Want it erased? Type /forget_me.",
    ),
    "pv_export_nothing": _both("niets behalve je account", "nothing but your account"),
    "pv_export_elsewhere": _both(
        "Ik heb je gegevens in een privébericht gestuurd.", "I have sent your data in a private message."
    ),
    "pv_only_own": _both(
        "Je kunt alleen je eigen gegevens opvragen of laten wissen. Wil iemand anders dat, dan kan die "
        "het zelf vragen met /mijn_gegevens of /vergeet_mij.",
        "You can only ask for or erase your own data. Someone else can ask for theirs with /my_data "
        "or /forget_me.",
    ),
    "pv_forget_ask": _both(
        "Weet je het zeker? Dan wis ik je vragen, je feedback, je formulieren en je bijdragen die nog niet "
        "gepubliceerd zijn, je expertprofiel en je gekoppelde accounts. Wat al openbaar is (een antwoord "
        'in de kennisbank, een tip) blijft staan, maar zonder je naam: als "een lid" of "een expert". '
        "Berichten van de bot die je vraag citeren haal ik weg waar het platform dat toelaat.\n\n"
        "Het wissen gebeurt na {hours} uur; tot dan kun je het nog stoppen.",
        "Are you sure? Then I erase your questions, your feedback, your forms and your contributions "
        "that are not published yet, your expert profile and your linked accounts. What is public "
        'already (an answer in the knowledge base, a tip) stays, but without your name: as "a member" '
        'or "an expert". The bot\'s messages that quote your question are taken down where the '
        "platform allows it.\n\nThe erasure happens after {hours} hours; until then you can still stop it.",
    ),
    "btn_pv_forget_ok": _both("🗑 Ja, vergeet mij", "🗑 Yes, forget me"),
    "btn_pv_forget_no": _both("Nee, toch niet", "No, keep it"),
    "btn_pv_forget_cancel": _both("↩️ Stop het wissen", "↩️ Stop the erasure"),
    "pv_forget_planned": _both(
        "Goed. Je gegevens worden gewist op {when}. Tot dan kun je het stoppen met de knop hieronder "
        "of met /vergeet_mij annuleren.",
        "All right. Your data will be erased on {when}. Until then you can stop it with the button below "
        "or with /forget_me cancel.",
    ),
    "pv_forget_pending": _both(
        "Je hebt al gevraagd om je gegevens te wissen; dat gebeurt op {when}. Stoppen kan met de knop of "
        "met /vergeet_mij annuleren.",
        "You already asked to have your data erased; that happens on {when}. You can stop it with the "
        "button or with /forget_me cancel.",
    ),
    "pv_forget_kept": _both("Goed, er verandert niets.", "All right, nothing changes."),
    "pv_forget_cancelled": _both("Gestopt: er wordt niets gewist.", "Stopped: nothing will be erased."),
    "pv_forget_nothing": _both(
        "Er loopt geen verzoek om je gegevens te wissen.", "There is no request to erase your data."
    ),
    "pv_not_yours": _both(
        "Deze knop is van iemand anders: je kunt alleen je eigen gegevens laten wissen.",
        "This button belongs to someone else: you can only have your own data erased.",
    ),
    "pv_forgotten": _both(
        "Je gegevens zijn gewist. Wat openbaar blijft, staat er nu zonder je naam. Dank je wel voor je "
        "bijdragen aan de community.",
        "Your data has been erased. What stays public no longer carries your name. Thank you for what "
        "you gave the community.",
    ),
    "pv_message_removed": _both(
        "(Dit bericht is weggehaald op verzoek van het lid dat de vraag stelde.)",
        "(This message was taken down at the request of the member who asked the question.)",
    ),
    "pv_retention_alert": _both(
        "Let op: de dagelijkse bewaartermijn-taak van Verbinder heeft sinds {since} niet gedraaid, dus oude "
        "vragen en logs worden niet opgeruimd. Kijk of de bot draait en zie `verbinder privacy retention`.",
        "Note: Verbinder's daily retention job has not run since {since}, so old questions and logs are "
        "not cleared. Check that the bot runs and see `verbinder privacy retention`.",
    ),
    "pv_never": _both("het begin", "the start"),
}
