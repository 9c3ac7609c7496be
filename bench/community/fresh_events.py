"""Fresh cases, written after the events-question rule was set: is each recognised or not?

python bench/community/fresh_events.py
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
tp = sum(is_events_question(q) for q in pos)
fp = sum(is_events_question(q) for q in neg)
print(f"events questions: {tp}/{len(pos)} recognised, {fp}/{len(neg)} false alarms")
for q in pos:
    if not is_events_question(q):
        print("  missed:", q)
for q in neg:
    if is_events_question(q):
        print("  false alarm:", q)
