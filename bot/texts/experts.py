"""What the bot says in the expert workflow, in Dutch (default) and English."""

from __future__ import annotations

EXPERTS: dict[str, dict[str, str]] = {
    "routed_to_expert": {
        "nl": "Ik heb je vraag doorgezet naar een expert; je krijgt hier antwoord.",
        "en": "I've passed your question on to an expert; you'll get the answer here.",
    },
    "routed_no_expert": {
        "nl": (
            "Er is nu geen expert beschikbaar voor deze vraag. Ik heb hem bewaard en aan de moderators "
            "doorgegeven; je krijgt hier antwoord zodra iemand hem oppakt."
        ),
        "en": (
            "No expert is available for this question right now. I've saved it and passed it to the "
            "moderators; you'll get the answer here as soon as someone picks it up."
        ),
    },
    "offer": {
        "nl": "Nieuwe vraag #{id} van {asker} (via {platform}):\n“{question}”",
        "en": "New question #{id} from {asker} (via {platform}):\n“{question}”",
    },
    "offer_why": {"nl": "Past bij jouw expertise: {reason}.", "en": "Matches your expertise: {reason}."},
    "offer_how": {
        "nl": "Pak hem op met de knop. Antwoorden kan door op dit bericht te reageren, of met /antwoord {id} <je antwoord>.",
        "en": "Claim it with the button. Answer by replying to this message, or with /antwoord {id} <your answer>.",
    },
    "offer_sources": {
        "nl": "Wat de kennisbank vond (als startpunt):",
        "en": "What the knowledge base found (as a starting point):",
    },
    "offer_reminder": {
        "nl": "Herinnering: vraag #{id} wacht nog op een expert:\n“{question}”",
        "en": "Reminder: question #{id} is still waiting for an expert:\n“{question}”",
    },
    "offer_widened": {
        "nl": "Vraag #{id} is nog door niemand opgepakt. Kun jij helpen?\n“{question}”",
        "en": "Nobody has picked up question #{id} yet. Can you help?\n“{question}”",
    },
    "claimed_ok": {
        "nl": "Je hebt vraag #{id} opgepakt. Antwoord door op het bericht met de vraag te reageren, of met /antwoord {id} <je antwoord>.",
        "en": "You claimed question #{id}. Answer by replying to the message with the question, or with /antwoord {id} <your answer>.",
    },
    "claimed_taken": {
        "nl": "Vraag #{id} is al opgepakt door {name}.",
        "en": "{name} already claimed question #{id}.",
    },
    "claimed_by_other": {
        "nl": "Vraag #{id} is opgepakt door {name}.",
        "en": "{name} claimed question #{id}.",
    },
    "asker_claimed": {"nl": "{name} heeft je vraag opgepakt.", "en": "{name} has picked up your question."},
    "claim_full": {
        "nl": "Je hebt al {n} open vragen, je maximum. Beantwoord of geef er eerst een door.",
        "en": "You already have {n} open questions, your maximum. Answer or pass one on first.",
    },
    "not_expert": {
        "nl": "Alleen geregistreerde experts kunnen vragen oppakken of beantwoorden. Wil je expert worden? Vraag het een moderator.",
        "en": "Only registered experts can claim or answer questions. Want to become one? Ask a moderator.",
    },
    "not_claimer": {
        "nl": "Vraag #{id} is opgepakt door {name}; alleen die kan hem beantwoorden, vrijgeven of doorgeven.",
        "en": "{name} claimed question #{id}; only they can answer, release or pass it on.",
    },
    "released": {"nl": "Je hebt vraag #{id} vrijgegeven.", "en": "You released question #{id}."},
    "released_others": {
        "nl": "Vraag #{id} is weer vrij:\n“{question}”",
        "en": "Question #{id} is open again:\n“{question}”",
    },
    "passed": {
        "nl": "Vraag #{id} is doorgegeven aan {name}.",
        "en": "Question #{id} was passed on to {name}.",
    },
    "passed_to_you": {
        "nl": "{sender} geeft vraag #{id} aan je door:\n“{question}”\nAntwoord door op dit bericht te reageren, of met /antwoord {id} <je antwoord>.",
        "en": "{sender} passed question #{id} to you:\n“{question}”\nAnswer by replying to this message, or with /antwoord {id} <your answer>.",
    },
    "pass_usage": {
        "nl": "Gebruik: /doorgeven <vraagnummer> <naam van de expert>",
        "en": "Usage: /doorgeven <question number> <expert name>",
    },
    "unknown_expert": {
        "nl": "Ik ken geen (beschikbare) expert “{name}”.",
        "en": "I don't know an (available) expert “{name}”.",
    },
    "delivered": {
        "nl": "Antwoord van {name} (expert) op je vraag “{question}”:\n\n{answer}\n\nReageer hier als je een vervolgvraag hebt.",
        "en": "Answer from {name} (expert) to your question “{question}”:\n\n{answer}\n\nReply here if you have a follow-up question.",
    },
    "answer_sent": {
        "nl": "Dank je! Je antwoord is bij {asker} afgeleverd. Mag het (met jouw naam) in de kennisbank, zodat ik deze vraag voortaan zelf kan beantwoorden?",
        "en": "Thank you! Your answer reached {asker}. May it go into the knowledge base (with your name), so I can answer this question myself next time?",
    },
    "kb_published": {
        "nl": "Toegevoegd aan de kennisbank. Dank je!",
        "en": "Added to the knowledge base. Thank you!",
    },
    "kb_pending": {
        "nl": "Dank je! Een moderator keurt het nog goed.",
        "en": "Thank you! A moderator will approve it first.",
    },
    "kb_declined": {
        "nl": "Prima, het blijft buiten de kennisbank.",
        "en": "Fine, it stays out of the knowledge base.",
    },
    "kb_approval": {
        "nl": "Expertantwoord voor de kennisbank (vraag #{id}):\nVraag: {question}\nAntwoord van {name}: {answer}",
        "en": "Expert answer for the knowledge base (question #{id}):\nQuestion: {question}\nAnswer by {name}: {answer}",
    },
    "kb_approved": {
        "nl": "Goedgekeurd en toegevoegd aan de kennisbank.",
        "en": "Approved and added to the knowledge base.",
    },
    "kb_rejected": {
        "nl": "Afgewezen; het blijft buiten de kennisbank.",
        "en": "Rejected; it stays out of the knowledge base.",
    },
    "kb_done": {"nl": "Daar is al over beslist.", "en": "That has already been decided."},
    "resolved_thanks": {"nl": "Fijn dat je vraag is opgelost!", "en": "Glad your question is resolved!"},
    "resolved_expert": {
        "nl": "{asker} heeft vraag #{id} als opgelost gemarkeerd. Dank je!",
        "en": "{asker} marked question #{id} as resolved. Thank you!",
    },
    "followup_routed": {
        "nl": "Je vervolgvraag is doorgestuurd naar {name}.",
        "en": "Your follow-up question went to {name}.",
    },
    "followup_offer": {
        "nl": "Vervolgvraag van {asker} op vraag #{parent} (nu #{id}):\n“{question}”",
        "en": "Follow-up from {asker} on question #{parent} (now #{id}):\n“{question}”",
    },
    "expired_asker": {
        "nl": "Het spijt me: niemand heeft je vraag “{question}” kunnen oppakken. Probeer het later nog eens, of vraag het in de community.",
        "en": "I'm sorry: nobody could pick up your question “{question}”. Please try again later, or ask the community.",
    },
    "claim_reminder": {
        "nl": "Herinnering: je hebt vraag #{id} opgepakt maar nog niet beantwoord:\n“{question}”\nAntwoord met /antwoord {id} <je antwoord>, of geef hem vrij.",
        "en": "Reminder: you claimed question #{id} but haven't answered yet:\n“{question}”\nAnswer with /antwoord {id} <your answer>, or release it.",
    },
    "claim_timed_out": {
        "nl": "Vraag #{id} is vrijgegeven omdat er geen antwoord kwam; een andere expert kan hem nu oppakken.",
        "en": "Question #{id} was released because no answer came; another expert can claim it now.",
    },
    "away_set": {
        "nl": "Genoteerd: je bent afwezig tot {date}. Tot dan krijg je geen vragen.",
        "en": "Noted: you're away until {date}. You won't get questions until then.",
    },
    "away_open": {
        "nl": "Genoteerd: je bent afwezig tot je /beschikbaar typt.",
        "en": "Noted: you're away until you type /beschikbaar.",
    },
    "away_bad_date": {
        "nl": "Die datum begrijp ik niet. Gebruik bijvoorbeeld /afwezig tot 2026-12-24.",
        "en": "I don't understand that date. Use e.g. /afwezig tot 2026-12-24.",
    },
    "available_set": {
        "nl": "Welkom terug: je krijgt weer vragen.",
        "en": "Welcome back: you'll get questions again.",
    },
    "expertise_show": {
        "nl": "Je expertise: {expertise}\nTags: {tags}\nWijzig met /expertise <omschrijving> #tag #tag",
        "en": "Your expertise: {expertise}\nTags: {tags}\nChange it with /expertise <description> #tag #tag",
    },
    "expertise_too_long": {
        "nl": "Dat is te lang ({n} tekens; maximaal {max}, en hoogstens {tags} #tags). Kun je het korter zeggen?",
        "en": "That is too long ({n} characters; at most {max}, and at most {tags} #tags). Could you shorten it?",
    },
    "expertise_set": {"nl": "Je expertise is bijgewerkt.", "en": "Your expertise was updated."},
    "answer_usage": {
        "nl": "Gebruik: /antwoord <vraagnummer> <je antwoord>",
        "en": "Usage: /antwoord <question number> <your answer>",
    },
    "unknown_qid": {"nl": "Vraag #{id} ken ik niet.", "en": "I don't know question #{id}."},
    "question_closed": {
        "nl": "Vraag #{id} is al beantwoord of gesloten.",
        "en": "Question #{id} has already been answered or closed.",
    },
    "expert_usage": {
        "nl": "Gebruik /expert <je vraag>, of typ /expert als antwoord op een vraag die ik niet kon beantwoorden.",
        "en": "Use /expert <your question>, or type /expert in reply to a question I couldn't answer.",
    },
    "only_asker": {
        "nl": "Alleen wie de vraag stelde kan hem als opgelost markeren.",
        "en": "Only the person who asked can mark the question resolved.",
    },
    "mod_only": {"nl": "Alleen moderators kunnen dat.", "en": "Only moderators can do that."},
    "experts_list": {"nl": "Experts:\n{lines}", "en": "Experts:\n{lines}"},
    "expert_added": {"nl": "Expert {name} is toegevoegd.", "en": "Expert {name} was added."},
    "expert_removed": {"nl": "Expert {name} is verwijderd.", "en": "Expert {name} was removed."},
    "expert_add_usage": {
        "nl": "Gebruik: /expert_toevoegen <@gebruiker of id> <naam> | <expertise> | <tags, met komma's>",
        "en": "Usage: /expert_toevoegen <@user or id> <name> | <expertise> | <tags, comma-separated>",
    },
    "qa_credit": {"nl": "(antwoord van {name}, expert, {date})", "en": "(answer by {name}, expert, {date})"},
    "command_expert": {"nl": "Leg je vraag voor aan een expert", "en": "Ask a human expert"},
    "command_antwoord": {
        "nl": "Beantwoord een doorgezette vraag (experts)",
        "en": "Answer a routed question (experts)",
    },
    "command_afwezig": {
        "nl": "Geen vragen ontvangen tot een datum (experts)",
        "en": "Pause routed questions until a date (experts)",
    },
    "command_beschikbaar": {
        "nl": "Weer vragen ontvangen (experts)",
        "en": "Receive routed questions again (experts)",
    },
    "command_expertise": {
        "nl": "Je expertise bekijken of wijzigen (experts)",
        "en": "View or change your expertise (experts)",
    },
    "command_doorgeven": {
        "nl": "Geef een vraag door aan een collega (experts)",
        "en": "Pass a question to a colleague (experts)",
    },
    "command_vrijgeven": {
        "nl": "Geef een opgepakte vraag vrij (experts)",
        "en": "Release a claimed question (experts)",
    },
    "slack_usage_expert": {"nl": "[je vraag]", "en": "[your question]"},
    "slack_usage_antwoord": {"nl": "<vraagnummer> <je antwoord>", "en": "<question number> <your answer>"},
    "slack_usage_afwezig": {"nl": "[tot JJJJ-MM-DD]", "en": "[until YYYY-MM-DD]"},
    "slack_usage_beschikbaar": {"nl": " ", "en": " "},
    "slack_usage_expertise": {"nl": "[omschrijving] [#tag #tag]", "en": "[description] [#tag #tag]"},
    "slack_usage_doorgeven": {
        "nl": "<vraagnummer> <naam van de expert>",
        "en": "<question number> <expert name>",
    },
    "slack_usage_vrijgeven": {"nl": "<vraagnummer>", "en": "<question number>"},
    "btn_claim": {"nl": "✋ Ik pak hem op", "en": "✋ Claim"},
    "btn_release": {"nl": "Vrijgeven", "en": "Release"},
    "btn_kb_yes": {"nl": "✅ Ja, in de kennisbank", "en": "✅ Yes, add to the knowledge base"},
    "btn_kb_no": {"nl": "Nee", "en": "No"},
    "btn_approve": {"nl": "✅ Goedkeuren", "en": "✅ Approve"},
    "btn_reject": {"nl": "Afwijzen", "en": "Reject"},
    "btn_resolved": {"nl": "✅ Opgelost", "en": "✅ Resolved"},
    "release_usage": {"nl": "Gebruik: /vrijgeven <vraagnummer>", "en": "Usage: /vrijgeven <question number>"},
    "expert_line": {
        "nl": "• {name} ({tags}; {status}; {open}/{capacity})",
        "en": "• {name} ({tags}; {status}; {open}/{capacity})",
    },
    "expert_status_available": {"nl": "✓", "en": "✓"},
    "expert_status_unavailable": {"nl": "afwezig/vol", "en": "away/full"},
    "qa_entry": {
        "nl": "Vraag: {question}\n\nAntwoord: {answer}\n\n— {expert} (expert), {date}",
        "en": "Question: {question}\n\nAnswer: {answer}\n\n— {expert} (expert), {date}",
    },
}
