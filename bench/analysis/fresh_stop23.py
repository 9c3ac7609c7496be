"""Fresh cases for stop 23's question types, written after the rules were set (nothing tuned on them).

    python bench/analysis/fresh_stop23.py

* after context, the asking sentence gives the type ("Mijn moeder woont in Zwolle. Wie …?");
* "welke plekken / locaties / dorpen", "which venues / locations" ask for a place;
* a question whose whole text has a type keeps it.
The script prints how many each rule gets right, with this tree and with the rule's absence
(the whole question only, without the new place words) for comparison.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from knowledge_base.analysis import _qtypes, question_type  # noqa: E402
from knowledge_base.text import normalise  # noqa: E402

AFTER_CONTEXT = [
    (
        "Ik werk als verzorgende op een psychogeriatrische afdeling. Hoe lang duurt zo'n muzieksessie?",
        "duration",
    ),
    (
        "Wij zijn een klein wijkcentrum in Tilburg. Waar vinden we een kunstenaar die met ouderen werkt?",
        "place",
    ),
    ("Mijn zus zit in een rolstoel. Is de rondleiding in het museum toegankelijk?", "yesno"),
    ("Onze stichting draait op vrijwilligers. Wanneer sluit de volgende aanvraagronde?", "date"),
    ("I'm a nurse in a care home. Who runs the singing groups for people with dementia?", "person_org"),
    ("We are a small theatre. Why do GPs refer patients to the arts?", "reason"),
    ("Ik ben student en schrijf een scriptie. Hoeveel deelnemers had de pilot?", "number"),
    ("Ik ben beleidsmedewerker. Mogen wij als gemeente zelf een aanvraag doen?", "yesno"),
]
PLACE_HEADS = [
    ("In welke dorpen worden de lessen gegeven?", "place"),
    ("Op welke locaties kun je meedoen?", "place"),
    ("Welke wijken doen mee aan het project?", "place"),
    ("Which locations offer the workshops?", "place"),
]
KEPT = [
    ("Hoeveel kost de cursus? Kan ik ook in termijnen betalen?", "money"),
    ("Waarom werkt zingen zo goed? Is daar onderzoek naar?", "reason"),
    ("Hallo allemaal. Ik zoek een verhalenverteller voor ons verpleeghuis", "other"),
]
# Stop 23's inflections (knowledge_base/data/inflections.txt): an inflected form of a common word is
# no name; a name stays one. (question, word, is a name)
INFLECTED = [
    ("Welke kunstenaar organiseerde de schilderlessen in het verpleeghuis?", "organiseerde", False),
    ("Hoe evalueerde de gemeente de pilot met kunst op recept?", "evalueerde", False),
    ("Wie financierde de voorstellingen in de wijk?", "financierde", False),
    ("Hoeveel bewoners knutselden mee aan het kunstwerk?", "knutselden", False),
    ("Welke verhalen vertelden de ouderen tijdens de workshop?", "vertelden", False),
    ("Is het project gesubsidieerd door de provincie?", "gesubsidieerd", False),
    ("Werkt Zonnehuisgroep Vlaardingen samen met kunstenaars?", "zonnehuisgroep", True),
    ("Doet Leliezorg mee aan een kunstproject?", "leliezorg", True),
    ("Wat doet stichting Vughterstede met muziek?", "vughterstede", True),
    ("Is er een koor bij Woonzorg Flevoland?", "flevoland", False),  # a province: a place, not rare
]
# Stop 23's name rules: one ordinary word in quotes, or after a head without an article after it,
# names nothing; a letter alone names nothing. (question, a name the analysis must find or None,
# a word no name may hold or None)
NAMES = [
    ("Kan mijn moeder iets 'verkeerd' doen tijdens de museumrondleiding?", None, "verkeerd"),
    ("Is there a dementia choir programme starting in Leeds this year?", None, "starting"),
    ("Kan ik met mijn muziekplan bij dat nieuwe fonds aankloppen?", None, "aankloppen"),
    ("Hoe lang loopt het project (K)Unstwerk nog?", None, "k"),
    ("Werkt stichting zilverling ook met ouderen?", "zilverling", None),
    ("Wat doet het netwerk cultuurkuur precies?", "cultuurkuur", None),
    ("Kan ik aanvragen bij de regeling kunst dichtbij?", "kunst dichtbij", None),
    ("Regelt stichting vier het leven ook vervoer?", "vier", None),
]
# The place row of question_types.tsv before this stop, as it was (commit 4bfe432).
OLD_PLACE = re.compile(
    r"^\W*(en |maar |and )?(waar|where)\b|\bin welke (stad|gemeente|plaats|provincie|regio|wijk|buurt|land)\b"
    r"|\bwhich (city|town|country|region|place)\b|\bwelke? (stad|steden|plaats|plaatsen|provincie|regio)\b"
)


def old_type(question: str) -> str:
    """The whole question only, with the place row before this stop."""
    q = normalise(question).strip()
    for kind, pattern in _qtypes():
        if (OLD_PLACE if kind == "place" else pattern).search(q):
            return kind
    return "other"


def main() -> int:
    from knowledge_base.analysis import analyse_question

    right = sum((w in analyse_question(q).rare) == name for q, w, name in INFLECTED)
    print(f"{'inflections':<14} {right}/{len(INFLECTED)}")
    for q, w, name in INFLECTED:
        if (w in analyse_question(q).rare) != name:
            print(f"   miss: {q!r}: {w} {'should' if name else 'should not'} be a name")
    names_right = 0
    for q, name, not_name in NAMES:
        found = [" ".join(c.words) for c in analyse_question(q).constraints if c.kind == "name"]
        ok = (name is None or name in found) and (
            not_name is None or all(not_name not in f.split() for f in found)
        )
        names_right += ok
        if not ok:
            print(f"   miss: {q!r}: names {found}")
    print(f"{'names':<14} {names_right}/{len(NAMES)}")
    for label, cases in (("after context", AFTER_CONTEXT), ("place heads", PLACE_HEADS), ("kept", KEPT)):
        new = sum(question_type(q) == want for q, want in cases)
        old = sum(old_type(q) == want for q, want in cases)
        print(f"{label:<14} {new}/{len(cases)}  (before: {old}/{len(cases)})")
        for q, want in cases:
            if question_type(q) != want:
                print(f"   miss: {q!r} -> {question_type(q)} (want {want})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
