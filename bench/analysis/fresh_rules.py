"""Fresh cases for stop 21's analysis rules, written after the rules were set (nothing tuned on them).

    python bench/analysis/fresh_rules.py

Each case says what the analysis should find: a name or place constraint that must (or must not)
be there, the focus, or the answer type of a role word. Prints each miss and the count per rule.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from knowledge_base.analysis import analyse_question  # noqa: E402

# (rule, question, check kind, expected words)
CASES: list[tuple[str, str, str, tuple[str, ...]]] = [
    # ordinary word forms are no names
    ("word forms", "mag ik een boekje meenemen naar de les?", "no_name", ("boekje",)),
    ("word forms", "kan mijn moeder halverwege nog aanschuiven?", "no_name", ("aanschuiven",)),
    ("word forms", "who set up the follow-up study?", "no_name", ("followup",)),
    ("word forms", "is er een liedje dat ze samen zingen?", "no_name", ("liedje",)),
    ("word forms", "kunnen vrijwilligers ook meedraaien in het atelier?", "no_name", ("meedraaien",)),
    ("word forms", "wat doet de stichting zonnebloem voor ouderen?", "name", ("zonnebloem",)),
    ("word forms", "heeft gerrit overbosch hier ervaring mee?", "name", ("overbosch",)),
    # places named like words
    ("word places", "ik zoek iets voor ouderen in Buren", "place", ("buren",)),
    ("word places", "mijn buren zijn eenzaam, wat kan ik doen?", "no_place", ("buren",)),
    ("word places", "we wonen in helmond en zoeken een koor", "place", ("helmond",)),
    ("word places", "dansles voor parkinson in eindhoven?", "place", ("eindhoven",)),
    ("word places", "Veen is een mooi dorp", "no_place", ("veen",)),
    ("word places", "is er een museumproject in Hulst?", "place", ("hulst",)),
    ("word places", "kunst op recept in de regio zwolle", "place", ("zwolle",)),
    # names in capitals
    ("capitals", "Wat doet HET HOF voor mensen met dementie?", "name", ("het", "hof")),
    ("capitals", "Werkt Stichting WIJ ook in Utrecht?", "name", ("stichting", "wij")),
    # heads of both kinds
    ("heads", "what did the Creative Ageing programme achieve?", "name", ("creative", "ageing")),
    ("heads", "is the local programme arts for all still running?", "name", ("arts",)),
    # focus past modifiers
    ("focus", "wat is de gemiddelde leeftijd van de deelnemers?", "focus", ("leeftijd",)),
    ("focus", "what is the minimum age to join?", "focus", ("age",)),
    ("focus", "welke eerste stap raad je aan?", "focus", ("stap",)),
    # role words
    ("roles", "wie is de directeur van het LKCA?", "role_type", ("person_org",)),
    ("roles", "wanneer stopt de voorzitter?", "role_type", ("none",)),
    ("roles", "hoeveel uur werkt een projectleider per week?", "role_type", ("none",)),
]


def check(question: str, kind: str, expected: tuple[str, ...]) -> bool:
    """Does the analysis of the question hold what the case expects?"""
    a = analyse_question(question)
    names = [c.words for c in a.constraints if c.kind == "name"]
    places = [c.words for c in a.constraints if c.kind == "place"]
    words = {w for c in a.constraints for w in c.words}
    if kind == "name":
        return any(set(expected) <= set(n) for n in names)
    if kind == "no_name":
        return not set(expected) & words
    if kind == "place":
        return tuple(expected) in places
    if kind == "no_place":
        return tuple(expected) not in places
    if kind == "focus":
        return a.focus == expected
    types = [x.answer_type or "none" for x in a.attributes if x.name == "leader"]
    return types == list(expected)


def main() -> int:
    per: dict[str, list[int]] = {}
    for rule, question, kind, expected in CASES:
        ok = check(question, kind, expected)
        per.setdefault(rule, [0, 0])[0] += ok
        per[rule][1] += 1
        if not ok:
            a = analyse_question(question)
            print(
                f"miss [{rule}] {question!r}: constraints {[c.words for c in a.constraints]}, focus {a.focus}"
            )
    for rule, (hit, n) in per.items():
        print(f"{rule:12} {hit}/{n}")
    print(f"{'all':12} {sum(h for h, _ in per.values())}/{sum(n for _, n in per.values())}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
