"""Fresh cases for stop 26's rule, written after it was set: an attribute in a yes/no question gives
no answer type ("doen ze nog iets voor hun deelnemers?" asks no count), in a wh-question it does.

    python bench/analysis/fresh_stop26.py
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from knowledge_base.analysis import analyse_question  # noqa: E402

# (question, attribute, the answer type it should give)
CASES = [
    ("Kunnen de deelnemers van het koor ook zelf liedjes kiezen?", "participants", None),
    ("Is de prijs van de cursus inclusief materiaal?", "price", None),
    ("Heeft de voorzitter van de stichting ook een kunstachtergrond?", "leader", None),
    ("Does the deadline also apply to small organisations?", "deadline", None),
    ("Hoeveel deelnemers kan het koor hebben?", "participants", "number"),
    ("Wat kost een cursus bij het atelier?", "price", "money"),
    ("When is the deadline for the next round?", "deadline", "date"),
    ("Wie is de voorzitter van de stichting?", "leader", "person_org"),
]


def main() -> None:
    """Print each case and the count of those the analyser reads as intended."""
    right = 0
    for question, name, expected in CASES:
        a = analyse_question(question)
        got = [x.answer_type for x in a.attributes if x.name == name]
        ok = got == [expected]
        right += ok
        print(f"{'ok  ' if ok else 'MISS'} qtype={a.qtype:<10} {name}={got} {question}")
    print(f"{right}/{len(CASES)}")


if __name__ == "__main__":
    main()
