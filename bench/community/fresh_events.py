"""Fresh cases for the events-question rule: is each recognised or not?

python bench/community/fresh_events.py

`pos`/`neg` were written after the first rule (stop 19) and then looked at while the "what is asked
for" rule was made (stop 20); `pos2`/`neg2` were written after that rule, before any run on them.
"""

from bot.community.agenda import is_events_question

pos = [
    "Zijn er deze maand nog bijeenkomsten over kunst en zorg?",
    "Wat staat er volgende week op de agenda?",
    "Welke activiteiten zijn er binnenkort in Utrecht?",
    "Is er binnenkort een netwerkbijeenkomst?",
    "What events are coming up in Gelderland?",
    "Any meetups this week?",
    "Wanneer is het volgende symposium over cultuur en welzijn?",
    "Gebeurt er iets in Zwolle de komende weken?",
    "Welke workshops zijn er binnenkort?",
    "Is there anything on next week?",
]
neg = [
    "Hoe organiseer ik een evenement voor mensen met dementie?",
    "Wat is kunst op recept?",
    "Welke fondsen financieren een evenement in de wijk?",
    "Hoeveel kost het om een bijeenkomst te organiseren?",
    "Wat zijn de resultaten van het project Zilveren Stemmen?",
    "Kun je me tips geven voor een activiteit met ouderen?",
    "What did the conference on arts and health conclude?",
    "Is er subsidie voor activiteiten in het buurthuis?",
    "Which organisations run events for refugees?",
    "Wat is het verschil tussen een workshop en een cursus?",
]
pos2 = [
    "Welke lezingen zijn er de komende maand over kunst en gezondheid?",
    "Staat er nog iets op de agenda in Friesland?",
    "Zijn er in december nog voorstellingen voor ouderen?",
    "Wanneer is de volgende netwerkbijeenkomst in Rotterdam?",
    "Are there any workshops on arts and dementia coming up?",
    "What's on in Amsterdam this month?",
    "Heeft iemand een overzicht van de bijeenkomsten dit najaar?",
    "Welke congressen over cultuur en welzijn komen eraan?",
    "Is er deze week een meetup?",
    "Zijn er binnenkort exposities van kunstenaars uit de zorg?",
    "Any events for care professionals next month?",
    "Wat is er volgende week te doen in Groningen?",
]
neg2 = [
    "Welke subsidie is er voor een voorstelling in een verpleeghuis?",
    "Hoe vind ik een zaal voor een bijeenkomst van 40 mensen?",
    "Wie kan een workshop geven over muziek en dementie?",
    "Is there funding for events with refugees?",
    "Wat waren de uitkomsten van het symposium vorig jaar?",
    "Welke kunstenaars treden op in verpleeghuizen?",
    "Kan ik een concert organiseren in de bibliotheek?",
    "What do I need to run a workshop for carers?",
    "Zijn er regels voor muziek bij een activiteit in de openbare ruimte?",
    "Welke gemeenten organiseren activiteiten tegen eenzaamheid?",
    "Mag een vrijwilliger een workshop leiden?",
    "Which venues are suitable for exhibitions by patients?",
]


def report(name: str, yes: list[str], no: list[str]) -> None:
    """Recognised and false alarms of one set, with the misses."""
    tp = sum(is_events_question(q) for q in yes)
    fp = sum(is_events_question(q) for q in no)
    print(f"{name}: events questions {tp}/{len(yes)} recognised, {fp}/{len(no)} false alarms")
    for q in yes:
        if not is_events_question(q):
            print("  missed:", q)
    for q in no:
        if is_events_question(q):
            print("  false alarm:", q)


report("stop 19 set (tuned on in stop 20)", pos, neg)
report("stop 20 set (fresh)", pos2, neg2)
