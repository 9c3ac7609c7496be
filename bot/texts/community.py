"""What the bot says about contributions, moderation and events, in Dutch (default) and English."""

from __future__ import annotations


def _both(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


_FIELDS = {
    "title": (
        "Titel",
        "Title",
        "Kort en duidelijk, max. 120 tekens.",
        "Short and clear, at most 120 characters.",
    ),
    "text": (
        "Beschrijving",
        "Description",
        "Wat wil je delen? Wat werkte, voor wie?",
        "What do you want to share? What worked, for whom?",
    ),
    "themes": (
        "Thema's",
        "Themes",
        "Bijvoorbeeld: dementie, muziek, eenzaamheid (komma's ertussen).",
        "For example: dementia, music, loneliness (separated by commas).",
    ),
    "region": ("Regio", "Region", "Provincie, gemeente of plaats.", "Province, municipality or town."),
    "organisations": (
        "Organisaties",
        "Organisations",
        "Wie doen er mee? (komma's ertussen)",
        "Who takes part? (separated by commas)",
    ),
    "link": ("Link", "Link", "Een webadres dat begint met https://", "A web address starting with https://"),
    "date": (
        "Datum",
        "Date",
        "Bijvoorbeeld 12 december, 12-12-2026 of volgende week dinsdag.",
        "For example 12 December, 2026-12-12 or next Tuesday.",
    ),
    "time": ("Tijd", "Time", "Bijvoorbeeld 19:30.", "For example 19:30."),
    "place": (
        "Plaats",
        "Place",
        "Waar is het? (adres of plaats, of 'online')",
        "Where is it? (address or town, or 'online')",
    ),
    "reason": (
        "Reden",
        "Reason",
        "Waarom past dit niet? De inzender krijgt dit te lezen.",
        "Why does this not fit? The author will read this.",
    ),
}

COMMUNITY: dict[str, dict[str, str]] = {
    **{f"field_{k}": _both(v[0], v[1]) for k, v in _FIELDS.items()},
    **{f"hint_{k}": _both(v[2], v[3]) for k, v in _FIELDS.items()},
    "kind_tip": _both("tip", "tip"),
    "kind_project": _both("project", "project"),
    "kind_event": _both("evenement", "event"),
    "kind_reject": _both("afwijzing", "rejection"),
    "state_held": _both(
        "wacht op jouw keuze (lijkt op iets bekends)", "waiting for your choice (looks like something known)"
    ),
    "state_pending": _both("wacht op een moderator", "waiting for a moderator"),
    "state_approved": _both("goedgekeurd", "approved"),
    "state_rejected": _both("afgewezen", "rejected"),
    "state_withdrawn": _both("ingetrokken", "withdrawn"),
    # -- forms and steps ----------------------------------------------------------------------
    "form_title_tip": _both("Deel een tip", "Share a tip"),
    "form_title_project": _both("Deel een project", "Share a project"),
    "form_title_event": _both("Deel een evenement", "Share an event"),
    "form_title_edit": _both("Bewerken en goedkeuren", "Edit and approve"),
    "form_title_reject": _both("Afwijzen", "Reject"),
    "form_submit_tip": _both("Insturen", "Submit"),
    "form_submit_project": _both("Insturen", "Submit"),
    "form_submit_event": _both("Insturen", "Submit"),
    "form_submit_edit": _both("Goedkeuren", "Approve"),
    "form_submit_reject": _both("Afwijzen", "Reject"),
    "form_intro_tip": _both(
        "Een moderator kijkt er even naar; daarna kan iedereen je tip vinden.",
        "A moderator has a look first; then everyone can find your tip.",
    ),
    "form_intro_project": _both(
        "Een moderator kijkt er even naar; daarna staat je project in de kennisbank.",
        "A moderator has a look first; then your project is in the knowledge base.",
    ),
    "form_intro_event": _both(
        "Na goedkeuring staat het in de agenda en de agenda-feed.",
        "Once approved it is in the agenda and the calendar feed.",
    ),
    "form_intro_edit": _both(
        "Pas aan wat nodig is; met Goedkeuren wordt het meteen gepubliceerd.",
        "Change what is needed; Approve publishes it at once.",
    ),
    "form_intro_reject": _both(
        "De inzender krijgt je reden, samen met de eigen tekst.",
        "The author gets your reason, together with their own text.",
    ),
    "form_failed": _both(
        "Het formulier ging niet open (te laat?). Probeer het commando nog eens.",
        "The form did not open (too late?). Please try the command again.",
    ),
    "form_unknown": _both(
        "Dit formulier ken ik niet (meer). Begin opnieuw met /tip, /project of /evenement.",
        "I don't know this form (any more). Start again with /tip, /project or /event.",
    ),
    "contribute_in_private": _both(
        "Dat doen we in een privégesprek: stuur me daar /{command}.",
        "Let's do that in a private chat: send me /{command} there.",
    ),
    "draft_start_tip": _both(
        "Leuk dat je een tip deelt! Ik vraag een paar dingen.",
        "Great that you're sharing a tip! I'll ask a few things.",
    ),
    "draft_start_project": _both(
        "Leuk dat je een project deelt! Ik vraag een paar dingen.",
        "Great that you're sharing a project! I'll ask a few things.",
    ),
    "draft_start_event": _both(
        "Leuk dat je een evenement deelt! Ik vraag een paar dingen.",
        "Great that you're sharing an event! I'll ask a few things.",
    ),
    "draft_replaced": _both(
        "Je vorige {kind} heb ik laten vallen; we beginnen opnieuw.",
        "I've dropped your previous {kind}; we start again.",
    ),
    "step_prompt": _both("({n}/{total}) {field}? {hint}", "({n}/{total}) {field}? {hint}"),
    "step_optional": _both("Niet nodig? Stuur -", "Not needed? Send -"),
    "step_current": _both("Nu: {value}\nStuur . om dit te houden.", "Now: {value}\nSend . to keep it."),
    "step_cancel": _both("Stoppen kan altijd met /annuleren.", "You can stop at any time with /cancel."),
    "cancel_done": _both("Gestopt: je {kind} is niet ingestuurd.", "Stopped: your {kind} was not submitted."),
    "cancel_nothing": _both("Er was niets om te stoppen.", "There was nothing to stop."),
    "draft_expired": _both(
        "Je {kind} is niet ingestuurd: ik kreeg een tijd geen antwoord. Begin opnieuw met {command}.",
        "Your {kind} was not submitted: I had no answer for a while. Start again with {command}.",
    ),
    "draft_expired_reject": _both(
        "De afwijzing is niet verstuurd (geen reden gekregen); de inzending staat nog in de wachtrij.",
        "The rejection was not sent (no reason given); the submission is still in the queue.",
    ),
    # -- field errors ---------------------------------------------------------------------------
    "field_required": _both("{field} is nodig.", "{field} is needed."),
    "field_too_long": _both(
        "{field} is te lang ({n} tekens; maximaal {max}).",
        "{field} is too long ({n} characters; at most {max}).",
    ),
    "field_bad_date": _both(
        "Die datum begrijp ik niet. Schrijf bijvoorbeeld 12 december, 12-12-2026 of volgende week dinsdag.",
        "I don't understand that date. Write for example 12 December, 2026-12-12 or next Tuesday.",
    ),
    "field_past_date": _both(
        "{day} is al voorbij; kies een datum vanaf vandaag.", "{day} has passed; choose a date from today on."
    ),
    "field_far_date": _both(
        "{day} ligt wel erg ver weg; klopt het jaartal?", "{day} is very far ahead; is the year right?"
    ),
    "field_bad_time": _both(
        "Die tijd begrijp ik niet. Schrijf bijvoorbeeld 19:30.",
        "I don't understand that time. Write for example 19:30.",
    ),
    "field_bad_link": _both(
        "Een link moet een webadres zijn dat begint met http:// of https://.",
        "A link must be a web address starting with http:// or https://.",
    ),
    # -- submitting -----------------------------------------------------------------------------
    "sub_queued": _both(
        "Dank je! Je {kind} ‘{title}’ wacht nu op een moderator. Je hoort hier wat er mee gebeurt.",
        "Thank you! Your {kind} ‘{title}’ is waiting for a moderator. You'll hear here what happens.",
    ),
    "sub_held": _both(
        "Bedoel je dit? Er staat al iets wat erop lijkt:\n{duplicate}\nIs het toch iets nieuws, stuur het dan in.",
        "Do you mean this? There is already something like it:\n{duplicate}\nIf yours is new after all, send it in.",
    ),
    "btn_sub_send": _both("Toch insturen", "Send anyway"),
    "btn_sub_withdraw": _both("Intrekken", "Withdraw"),
    "sub_withdrawn": _both("Ingetrokken: ‘{title}’.", "Withdrawn: ‘{title}’."),
    "sub_blocked": _both(
        "Je kunt op dit moment niets insturen. Vragen hierover? Neem contact op met een moderator.",
        "You can't submit anything right now. Questions? Contact a moderator.",
    ),
    "sub_limit": _both(
        "Je hebt al {n} bijdragen die op een moderator wachten. Zodra er een is bekeken, kun je weer iets insturen.",
        "You already have {n} contributions waiting for a moderator. Once one has been reviewed you can submit again.",
    ),
    "sub_not_yours": _both("Dit is niet jouw inzending.", "This is not your submission."),
    "sub_unknown": _both("Inzending #{id} ken ik niet.", "I don't know submission #{id}."),
    "unknown_item": _both("Dat bericht ken ik niet (meer).", "I don't know that message (any more)."),
    "sub_state_held": _both(
        "Deze inzending wacht nog op jouw keuze.", "This submission is still waiting for your choice."
    ),
    "sub_state_pending": _both(
        "Deze inzending staat al in de wachtrij.", "This submission is already in the queue."
    ),
    "sub_state_approved": _both(
        "Deze inzending is al goedgekeurd.", "This submission has already been approved."
    ),
    "sub_state_rejected": _both(
        "Deze inzending is al afgewezen.", "This submission has already been rejected."
    ),
    "sub_state_withdrawn": _both(
        "Deze inzending is al ingetrokken.", "This submission has already been withdrawn."
    ),
    # -- moderating -----------------------------------------------------------------------------
    "mod_new": _both(
        "Nieuwe {kind} #{id} van {author} (via {platform}):\n{fields}",
        "New {kind} #{id} from {author} (via {platform}):\n{fields}",
    ),
    "mod_duplicate_note": _both(
        "Lijkt op: {duplicate} (de inzender stuurde het toch in).",
        "Looks like: {duplicate} (the author sent it anyway).",
    ),
    "btn_sub_approve": _both("Goedkeuren", "Approve"),
    "btn_sub_edit": _both("Bewerken", "Edit"),
    "btn_sub_reject": _both("Afwijzen", "Reject"),
    "sub_claimed": _both(
        "{who} heeft inzending #{id} al opgepakt.", "{who} has already taken submission #{id}."
    ),
    "sub_done_approved": _both(
        "Inzending #{id} is al goedgekeurd (door {who}).",
        "Submission #{id} has already been approved (by {who}).",
    ),
    "sub_done_rejected": _both(
        "Inzending #{id} is al afgewezen (door {who}).",
        "Submission #{id} has already been rejected (by {who}).",
    ),
    "sub_done_withdrawn": _both(
        "Inzending #{id} is door de inzender ingetrokken.", "Submission #{id} was withdrawn by its author."
    ),
    "sub_done_held": _both(
        "Inzending #{id} wacht nog op de inzender.", "Submission #{id} is still waiting for its author."
    ),
    "sub_done_pending": _both("Inzending #{id} wacht nog.", "Submission #{id} is still waiting."),
    "sub_author_removed": _both(
        "De inzender van #{id} is uit de community verwijderd; goedkeuren kan niet meer. Wijs hem af.",
        "The author of #{id} was removed from the community; it can no longer be approved. Reject it.",
    ),
    "mod_approved_tip": _both(
        "Goedgekeurd: tip #{id} ‘{title}’ staat nu in de kennisbank.",
        "Approved: tip #{id} ‘{title}’ is now in the knowledge base.",
    ),
    "mod_approved_project": _both(
        "Goedgekeurd: project #{id} ‘{title}’ staat nu in de kennisbank.",
        "Approved: project #{id} ‘{title}’ is now in the knowledge base.",
    ),
    "mod_approved_event": _both(
        "Goedgekeurd: evenement #{id} ‘{title}’ staat nu in de agenda.",
        "Approved: event #{id} ‘{title}’ is now in the agenda.",
    ),
    "mod_rejected_done": _both(
        "Afgewezen: #{id} ‘{title}’. De inzender krijgt je reden.",
        "Rejected: #{id} ‘{title}’. The author gets your reason.",
    ),
    "mod_reject_start": _both(
        "Je hebt #{id} ‘{title}’ opgepakt om af te wijzen.", "You've taken #{id} ‘{title}’ to reject it."
    ),
    "mod_edit_start": _both(
        "Je hebt #{id} opgepakt om te bewerken:\n{fields}", "You've taken #{id} to edit it:\n{fields}"
    ),
    "mod_claimed": _both("{who} heeft #{id} ‘{title}’ opgepakt.", "{who} has taken #{id} ‘{title}’."),
    "mod_decided_approved": _both(
        "{who} heeft #{id} ‘{title}’ goedgekeurd.", "{who} approved #{id} ‘{title}’."
    ),
    "mod_decided_rejected": _both(
        "{who} heeft #{id} ‘{title}’ afgewezen.", "{who} rejected #{id} ‘{title}’."
    ),
    "mod_stale": _both(
        "Deze {n} inzending(en) wachten al een tijd op een moderator:\n{items}\nBekijk ze met /inzendingen.",
        "These {n} submission(s) have been waiting a while:\n{items}\nSee them with /submissions.",
    ),
    "queue_empty": _both("Er wacht niets op een moderator.", "Nothing is waiting for a moderator."),
    "queue_head": _both("{n} inzending(en) wachten:", "{n} submission(s) waiting:"),
    "queue_claimed": _both("Opgepakt door {who}.", "Taken by {who}."),
    "author_approved": _both(
        "Goed nieuws: je {kind} ‘{title}’ is goedgekeurd en staat nu online. Dank je wel!",
        "Good news: your {kind} ‘{title}’ was approved and is online now. Thank you!",
    ),
    "author_rejected": _both(
        "Je {kind} ‘{title}’ is niet geplaatst. De moderator schreef:\n“{reason}”\n\nJe tekst, om aan te passen en opnieuw in te sturen:\n{fields}",
        "Your {kind} ‘{title}’ was not published. The moderator wrote:\n“{reason}”\n\nYour text, to adapt and send again:\n{fields}",
    ),
    "mine_none": _both(
        "Je hebt nog niets ingestuurd. Deel iets met /tip, /project of /evenement.",
        "You haven't submitted anything yet. Share something with /tip, /project or /event.",
    ),
    "mine_list": _both("Jouw bijdragen:\n{lines}", "Your contributions:\n{lines}"),
    "mine_line": _both("#{id} {kind} ‘{title}’ ({day}): {state}", "#{id} {kind} ‘{title}’ ({day}): {state}"),
    "mine_reason": _both("Reden: {reason}", "Reason: {reason}"),
    # -- knowledge-base entries ----------------------------------------------------------------
    "a_member": _both("een lid", "a member"),
    "entry_themes": _both("Thema's: {themes}", "Themes: {themes}"),
    "entry_region": _both("Regio: {region}", "Region: {region}"),
    "entry_organisations": _both("Organisaties: {organisations}", "Organisations: {organisations}"),
    "entry_link": _both("Meer informatie: {link}", "More information: {link}"),
    "entry_credit_tip": _both(
        "Tip van {author}, gedeeld in de community op {date}.",
        "Tip by {author}, shared in the community on {date}.",
    ),
    "entry_credit_project": _both(
        "Project gedeeld door {author} op {date}.", "Project shared by {author} on {date}."
    ),
    # -- the agenda -----------------------------------------------------------------------------
    "agenda_list": _both("Binnenkort in de agenda{where}:\n{lines}", "Coming up{where}:\n{lines}"),
    "agenda_none": _both(
        "Er staan geen evenementen in de agenda{where}. Weet jij er een? Deel het met /evenement.",
        "There are no events in the agenda{where}. Know one? Share it with /event.",
    ),
    "agenda_more": _both("En nog {n} meer: zie /agenda.", "And {n} more: see /events."),
    "in_region": _both("in {region}", "in {region}"),
    "day_today": _both("vandaag", "today"),
    # Calendar names, for every feature that writes a date ("di 8 december").
    "weekdays_short": _both("ma di wo do vr za zo", "Mon Tue Wed Thu Fri Sat Sun"),
    "months": _both(
        "januari februari maart april mei juni juli augustus september oktober november december",
        "January February March April May June July August September October November December",
    ),
    "day_tomorrow": _both("morgen", "tomorrow"),
    # -- commands -------------------------------------------------------------------------------
    "command_tip": _both("Deel een tip met de community", "Share a tip with the community"),
    "command_project": _both("Deel een project", "Share a project"),
    "command_evenement": _both("Deel een evenement", "Share an event"),
    "command_agenda": _both("Wat staat er binnenkort op de agenda", "What's coming up"),
    "command_mijn_bijdragen": _both("Jouw tips, projecten en evenementen", "Your tips, projects and events"),
    "command_annuleren": _both(
        "Stop het formulier waar je mee bezig bent", "Stop the form you are filling in"
    ),
    "command_wie_ben_ik": _both("Welke rollen je hebt", "Which roles you have"),
    "command_koppel": _both("Koppel je Slack- en Telegram-account", "Link your Slack and Telegram accounts"),
    "command_inzendingen": _both("Wat wacht op een moderator", "What is waiting for a moderator"),
    "command_moderator_toevoegen": _both(
        "Maak iemand moderator (beheerders)", "Make someone a moderator (admins)"
    ),
    "command_moderator_verwijderen": _both(
        "Neem iemand de moderatorrol af (beheerders)", "Take the moderator role away (admins)"
    ),
    "slack_usage_tip": _both("[titel]", "[title]"),
    "slack_usage_project": _both("[titel]", "[title]"),
    "slack_usage_evenement": _both("[titel]", "[title]"),
    "slack_usage_agenda": _both("[regio]", "[region]"),
    "slack_usage_mijn_bijdragen": _both("", ""),
    "slack_usage_annuleren": _both("", ""),
    "slack_usage_wie_ben_ik": _both("", ""),
    "slack_usage_koppel": _both("[code]", "[code]"),
    "slack_usage_inzendingen": _both("", ""),
    "slack_usage_moderator_toevoegen": _both("@iemand", "@someone"),
    "slack_usage_moderator_verwijderen": _both("@iemand", "@someone"),
}
