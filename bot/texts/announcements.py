"""What the bot says to moderators about announcements, in Dutch (the default) and English."""

from __future__ import annotations


def _both(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


ANNOUNCEMENTS: dict[str, dict[str, str]] = {
    "command_aankondiging": _both(
        "Een aankondiging in alle kanalen (moderators)", "An announcement in every channel (moderators)"
    ),
    "slack_usage_aankondiging": _both("[tekst]", "[text]"),
    "command_aankondigingen": _both(
        "Aankondigingen bekijken, wijzigen of intrekken (moderators)",
        "List, edit or withdraw announcements (moderators)",
    ),
    "slack_usage_aankondigingen": _both(
        "[wijzig <nr> <tekst> | intrekken <nr>]", "[edit <no> <text> | withdraw <no>]"
    ),
    "an_form_title": _both("Aankondiging", "Announcement"),
    "an_form_submit": _both("Versturen", "Send"),
    "an_text_label": _both("Tekst", "Text"),
    "an_text_hint": _both(
        "Wat iedereen in de aankondigingskanalen te lezen krijgt.",
        "What everyone in the announcement channels will read.",
    ),
    "an_targets_label": _both("Kanalen", "Channels"),
    "an_targets_hint": _both(
        "Kanalen gescheiden door komma's, bijv. slack:C123, telegram:-100123. Leeg: alle kanalen.",
        "Channels separated by commas, e.g. slack:C123, telegram:-100123. Empty: every channel.",
    ),
    "an_at_label": _both("Tijdstip (optioneel)", "Time (optional)"),
    "an_at_hint": _both(
        "Bijv. 2026-12-07 10:00 of morgen 9:30 (Nederlandse tijd). Leeg: meteen.",
        "E.g. 2026-12-07 10:00 or tomorrow 9:30 (Dutch time). Empty: right away.",
    ),
    "an_usage": _both(
        "Schrijf de tekst achter de opdracht: /aankondiging <tekst>. Optioneel bovenaan een regel "
        "'om 2026-12-07 10:00' voor later en een regel 'naar slack:C123, telegram:-100123' voor "
        "bepaalde kanalen (anders: alle kanalen).",
        "Write the text after the command: /announce <text>. Optionally start with a line "
        "'at 2026-12-07 10:00' for later and a line 'to slack:C123, telegram:-100123' for "
        "some channels (otherwise: every channel).",
    ),
    "an_confirm": _both(
        "Aankondiging #{id} gaat {when} naar {n} kanaal/kanalen ({targets}):\n\n{text}\n\nVersturen?",
        "Announcement #{id} goes out {when} to {n} channel(s) ({targets}):\n\n{text}\n\nSend it?",
    ),
    "btn_an_send": _both("Versturen", "Send"),
    "btn_an_edit": _both("Wijzigen", "Edit"),
    "btn_an_withdraw": _both("Intrekken", "Withdraw"),
    "btn_an_withdraw_ok": _both("Ja, overal intrekken", "Yes, withdraw everywhere"),
    "an_item": _both("#{id}: {text}", "#{id}: {text}"),
    "an_withdraw_sure": _both(
        "Aankondiging #{id} overal intrekken? Waar het kan wordt het bericht verwijderd, anders vervangen door een melding.",
        "Withdraw announcement #{id} everywhere? Where possible the message is deleted, otherwise replaced by a notice.",
    ),
    "an_edit_title": _both("Aankondiging wijzigen", "Edit announcement"),
    "an_edit_submit": _both("Overal wijzigen", "Edit everywhere"),
    "an_edit_by_command": _both(
        "Stuur de nieuwe tekst met: /aankondigingen wijzig {id} <nieuwe tekst>",
        "Send the new text with: /announcements edit {id} <new text>",
    ),
    "btn_an_cancel": _both("Annuleren", "Cancel"),
    "an_when_now": _both("meteen", "right away"),
    "an_when_at": _both("op {at}", "at {at}"),
    "an_queued": _both(
        "Aankondiging #{id} gaat nu naar {n} kanaal/kanalen. Je krijgt een verslag als alles is afgeleverd.",
        "Announcement #{id} is going to {n} channel(s) now. You'll get a report once it's all delivered.",
    ),
    "an_scheduled": _both(
        "Aankondiging #{id} staat gepland voor {at} ({n} kanaal/kanalen).",
        "Announcement #{id} is scheduled for {at} ({n} channel(s)).",
    ),
    "an_cancelled": _both("Aankondiging #{id} is niet verstuurd.", "Announcement #{id} was not sent."),
    "an_not_draft": _both(
        "Aankondiging #{id} is al verstuurd, ingepland of geannuleerd.",
        "Announcement #{id} was already sent, scheduled or cancelled.",
    ),
    "an_edited": _both(
        "Aankondiging #{id} is aangepast; {n} geplaatst(e) bericht(en) worden bijgewerkt.",
        "Announcement #{id} was changed; {n} posted message(s) will be updated.",
    ),
    "an_withdrawn": _both(
        "Aankondiging #{id} is ingetrokken: {deleted} bericht(en) verwijderd, {noticed} vervangen door "
        "een melding (Telegram kan na 48 uur niet meer verwijderen).",
        "Announcement #{id} was withdrawn: {deleted} message(s) deleted, {noticed} replaced by a notice "
        "(Telegram cannot delete after 48 hours).",
    ),
    "an_withdrawn_notice": _both(
        "Deze aankondiging is ingetrokken door de moderators.",
        "This announcement was withdrawn by the moderators.",
    ),
    "an_report_head": _both(
        "Verslag van aankondiging #{id}: {n} van {m} kanaal/kanalen bereikt.",
        "Report of announcement #{id}: {n} of {m} channel(s) reached.",
    ),
    "an_report_failed": _both("• {target}: niet gelukt ({why})", "• {target}: failed ({why})"),
    "an_report_waiting": _both(
        "• {target}: nog niet afgeleverd ({why})", "• {target}: not delivered yet ({why})"
    ),
    "an_report_no_reason": _both("nog niet geprobeerd", "not tried yet"),
    "an_list_empty": _both("Er zijn nog geen aankondigingen.", "There are no announcements yet."),
    "an_list_head": _both("Aankondigingen (nieuwste eerst):", "Announcements (newest first):"),
    "an_list_line": _both(
        "#{id} · {state} · {at} · {delivered}/{total} bereikt · {text}",
        "#{id} · {state} · {at} · {delivered}/{total} reached · {text}",
    ),
    "an_list_manage": _both(
        "Wijzigen: /aankondigingen wijzig <nr> <tekst> · intrekken: /aankondigingen intrekken <nr>",
        "Edit: /announcements edit <no> <text> · withdraw: /announcements withdraw <no>",
    ),
    "an_state_scheduled": _both("gepland", "scheduled"),
    "an_state_sent": _both("verstuurd", "sent"),
    "an_state_edited": _both("verstuurd en aangepast", "sent and edited"),
    "an_state_withdrawn": _both("ingetrokken", "withdrawn"),
    "an_state_draft": _both("concept", "draft"),
    "an_state_cancelled": _both("geannuleerd", "cancelled"),
    "an_empty": _both("De aankondiging heeft geen tekst.", "The announcement has no text."),
    "an_too_long": _both(
        "De aankondiging is {n} tekens; het maximum is {max}.",
        "The announcement is {n} characters; the maximum is {max}.",
    ),
    "an_bad_time": _both(
        "'{given}' kan ik niet als datum en tijd lezen; schrijf bijv. 2026-12-07 10:00.",
        "I can't read '{given}' as a date and time; write e.g. 2026-12-07 10:00.",
    ),
    "an_time_past": _both("{given} is al voorbij.", "{given} has passed already."),
    "an_time_far": _both("{given} is meer dan een jaar vooruit.", "{given} is more than a year ahead."),
    "an_unknown_target": _both(
        "Het kanaal '{target}' is geen aankondigingskanaal (wel: {known}).",
        "The channel '{target}' is no announcement channel (these are: {known}).",
    ),
    "an_no_channels": _both(
        "Er zijn geen aankondigingskanalen ingesteld (VERBINDER_ANNOUNCEMENT_CHANNELS_SLACK / _TELEGRAM).",
        "No announcement channels are set (VERBINDER_ANNOUNCEMENT_CHANNELS_SLACK / _TELEGRAM).",
    ),
    "an_unknown_id": _both("Aankondiging #{id} ken ik niet.", "I don't know announcement #{id}."),
    "an_is_withdrawn": _both(
        "Aankondiging #{id} is al ingetrokken.", "Announcement #{id} was withdrawn already."
    ),
}
