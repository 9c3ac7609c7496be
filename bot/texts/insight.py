"""What the moderators' report says (chat, CLI, charts), in Dutch (default) and English."""

from __future__ import annotations


def _both(nl: str, en: str) -> dict[str, str]:
    return {"nl": nl, "en": en}


_CHARTS: dict[str, dict[str, str]] = {
    "in_chart_weekly": _both(
        "Vragen per week en wat ermee gebeurde", "Questions per week and what became of them"
    ),
    "in_chart_questions": _both("vragen", "questions"),
    "in_chart_bot": _both("bot", "bot"),
    "in_chart_expert": _both("experts", "experts"),
    "in_chart_expired": _both("verlopen", "expired"),
    "in_chart_open": _both("open", "open"),
    "in_chart_helpful": _both("% nuttig (duim omhoog)", "% helpful (thumbs up)"),
    "in_chart_times": _both(
        "Reactietijd van experts per week (uren)", "Expert response time per week (hours)"
    ),
    "in_chart_hours": _both("uren", "hours"),
    "in_chart_claim": _both("tot oppakken", "to claim"),
    "in_chart_answer": _both("tot antwoord", "to answer"),
    "in_chart_median": _both("mediaan", "median"),
    "in_chart_p90": _both("p90", "p90"),
    "in_chart_per_expert": _both(
        "Mediaan tot antwoord per expert (pseudoniem)", "Median time to answer per expert (pseudonym)"
    ),
}

INSIGHT: dict[str, dict[str, str]] = {
    **_CHARTS,
    "command_rapport": _both(
        "Rapport: vragen, antwoorden, kennisgaten (moderators)",
        "Report: questions, answers, knowledge gaps (moderators)",
    ),
    "slack_usage_rapport": _both("[weken] | csv [weken]", "[weeks] | csv [weeks]"),
    "in_usage": _both(
        "Gebruik: /rapport [weken] voor het rapport, /rapport csv [weken] voor de vragen als CSV (standaard {n} weken).",
        "Usage: /report [weeks] for the report, /report csv [weeks] for the questions as CSV (default {n} weeks).",
    ),
    "in_weeks_bad": _both("Kies 1 tot en met {max} weken (niet {n}).", "Choose 1 to {max} weeks (not {n})."),
    "in_empty": _both(
        "Nog niets te melden: in {period} is nog geen vraag gesteld.",
        "Nothing to report yet: no question was asked in {period}.",
    ),
    "in_title": _both(
        "Rapport voor moderators: {period} ({weeks})", "Report for moderators: {period} ({weeks})"
    ),
    "in_asked": _both("Vragen: {n} van {askers} vragenstellers", "Questions: {n} from {askers} askers"),
    "in_outcomes": _both(
        "Beantwoord door de bot {bot} · door experts {expert} · verlopen {expired} · nog open {open}",
        "Answered by the bot {bot} · by experts {expert} · expired {expired} · still open {open}",
    ),
    "in_votes": _both(
        "Feedback: 👍 {up} · 👎 {down} ({rate} nuttig)", "Feedback: 👍 {up} · 👎 {down} ({rate} helpful)"
    ),
    "in_votes_none": _both("Feedback: nog geen 👍 of 👎", "Feedback: no 👍 or 👎 yet"),
    "in_experts": _both(
        "Naar experts: {n} vragen; opgepakt na {claim} (mediaan, p90 {claim90}), beantwoord na {answer} (mediaan, p90 {answer90})",
        "To experts: {n} questions; claimed after {claim} (median, p90 {claim90}), answered after {answer} (median, p90 {answer90})",
    ),
    "in_times_hidden": _both(
        " (– : tijden van minder dan {min} experts niet getoond)",
        " (– : times of fewer than {min} experts not shown)",
    ),
    "in_chart_times_hidden": _both(
        "weken met minder dan {min} experts niet getoond", "weeks of fewer than {min} experts not shown"
    ),
    "in_experts_none": _both("Naar experts: geen vragen", "To experts: no questions"),
    "in_expired": _both("Verlopen zonder antwoord: {n}", "Expired without an answer: {n}"),
    "in_week_head": _both("Per week", "Per week"),
    "in_week_line": _both(
        "{week}: {asked} vragen · bot {bot} · experts {expert} · verlopen {expired} · open {open} · 👍 {up} 👎 {down}",
        "{week}: {asked} questions · bot {bot} · experts {expert} · expired {expired} · open {open} · 👍 {up} 👎 {down}",
    ),
    "in_topics_head": _both("Meest gevraagd", "Most asked about"),
    "in_topic": _both(
        "{theme}: {n} vragen van {askers} mensen", "{theme}: {n} questions from {askers} people"
    ),
    "in_topics_none": _both(
        "Geen onderwerp waar {min} of meer mensen naar vroegen.",
        "No topic that {min} or more people asked about.",
    ),
    "in_topics_hidden": _both(
        "{n} onderwerp(en) van minder dan {min} mensen niet getoond.",
        "{n} topic(s) from fewer than {min} people not shown.",
    ),
    "in_topics_sample": _both(
        "Onderwerpen van de laatste {n} vragen.", "Topics of the latest {n} questions."
    ),
    "in_per_expert_head": _both("Per expert (pseudoniem)", "Per expert (pseudonym)"),
    "in_per_expert": _both(
        "{expert}: {n} antwoorden, mediaan {median}", "{expert}: {n} answers, median {median}"
    ),
    "in_per_expert_hidden": _both(
        "Per expert: niet getoond ({n} experts gaven antwoord, minder dan {min}).",
        "Per expert: not shown ({n} experts answered, fewer than {min}).",
    ),
    "in_per_expert_hidden_mods": _both(
        "Per expert: niet getoond ({n} experts gaven antwoord, maar minder dan {min} die geen moderator zijn).",
        "Per expert: not shown ({n} experts answered, but fewer than {min} who are not moderators).",
    ),
    "in_gaps_head": _both(
        "Kennisgaten: vragen die terugkomen (doorgestuurd of 👎, gegroepeerd op betekenis)",
        "Knowledge gaps: questions that come back (routed or 👎, grouped by meaning)",
    ),
    "in_gap": _both(
        "{i}. “{question}”: {n}× van {askers} mensen (doorgestuurd {routed}, 👎 {down}, verlopen {expired}; laatst {day})",
        "{i}. “{question}”: {n}× from {askers} people (routed {routed}, 👎 {down}, expired {expired}; last {day})",
    ),
    "in_gap_themes": _both("   thema's: {themes}", "   themes: {themes}"),
    "in_gaps_none": _both(
        "Geen vraag kwam terug van {min} of meer mensen.", "No question came back from {min} or more people."
    ),
    "in_gaps_hidden": _both(
        "{n} kleinere groep(en) van minder dan {min} mensen niet getoond.",
        "{n} smaller group(s) from fewer than {min} people not shown.",
    ),
    "in_gaps_more": _both("… en nog {n} kennisgat(en).", "… and {n} more gap(s)."),
    "in_gaps_sample": _both(
        "Gegroepeerd: de laatste {sampled} van {total} doorgestuurde of 👎-vragen.",
        "Grouped: the latest {sampled} of {total} routed or 👎 questions.",
    ),
    "in_gaps_chat_how": _both(
        "Onder elk kennisgat: ✍ schrijf er een kennisbankitem over, of ❓ stuur de vraag naar de experts.",
        "Under each gap: ✍ write a knowledge-base entry about it, or ❓ send the question to the experts.",
    ),
    "in_gaps_cli_how": _both(
        "   kennisbank: /tip {title} in de chat, of schrijf een Markdown-bestand en: verbinder ingest <bestand>\n   expert: /expert {question} in de chat",
        "   knowledge base: /tip {title} in chat, or write a Markdown file and: verbinder ingest <file>\n   expert: /expert {question} in chat",
    ),
    "in_minutes": _both("{n} min", "{n} min"),
    "in_hours": _both("{n} uur", "{n} h"),
    "in_days": _both("{n} dagen", "{n} days"),
    "in_no_value": _both("–", "–"),
    "in_week_count": _both("{n} weken", "{n} weeks"),
    "in_week_one": _both("1 week", "1 week"),
    "btn_in_csv": _both("CSV van de vragen", "Questions as CSV"),
    "btn_in_kb": _both("✍ {i}: kennisbank", "✍ {i}: knowledge base"),
    "btn_in_expert": _both("❓ {i}: vraag een expert", "❓ {i}: ask an expert"),
    "in_csv_caption": _both(
        "De vragen van {period} als CSV: {n} rijen, met pseudoniemen in plaats van ids en zonder namen of vraagteksten.",
        "The questions of {period} as CSV: {n} rows, with pseudonyms instead of ids and without names or question texts.",
    ),
    "in_gap_gone": _both("Die vraag is er niet meer.", "That question is gone."),
    "in_gap_to_experts": _both(
        "Het kennisgat gaat als vraag {id} naar de experts: “{question}”. Het antwoord komt hier.\n\n{said}",
        "The knowledge gap goes to the experts as question {id}: “{question}”. The answer comes here.\n\n{said}",
    ),
    "in_gap_waiting": _both(
        "Die vraag ligt al bij de experts (vraag {id}) en wacht op een antwoord.",
        "That question is with the experts already (question {id}), waiting for an answer.",
    ),
    "in_no_experts": _both(
        "Er is geen expertroutering in deze bot; stuur de vraag met /expert.",
        "This bot has no expert routing; send it with /expert.",
    ),
    "in_sent_privately": _both(
        "Het rapport staat in je privéchat met mij (moderatorgegevens horen niet in een kanaal).",
        "The report is in your private chat with me (moderators' figures do not belong in a channel).",
    ),
    "in_weekly_head": _both("Het wekelijkse rapport.", "The weekly report."),
}
