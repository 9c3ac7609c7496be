"""Fresh cases for stop 22's word lists, written after they were set (nothing tuned on them).

    python bench/analysis/fresh_stop22.py

* light words: a word that phrases the question ("volgens", "bestaat", "sinds") must weigh less
  than the question's topic word (every stem equally rare, so only the list decides);
* number words: a sentence with a number written out holds a number fact, one without does not.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from knowledge_base.facts import typed_fact  # noqa: E402
from knowledge_base.query import analyse  # noqa: E402

# (question, phrasing word, topic word)
LIGHT = [
    ("Volgens wie werkt muziektherapie bij dementie?", "volgens", "muziektherapie"),
    ("Bestaat er een koor voor mensen met afasie?", "bestaat", "afasie"),
    ("Sinds wanneer bestaat het Vijfde Seizoen?", "sinds", "seizoen"),
    ("Geldt de regeling ook voor kunstenaars uit België?", "geldt", "regeling"),
    ("Wat doet een cultuurcoach eigenlijk precies?", "eigenlijk", "cultuurcoach"),
    ("According to the review, does singing reduce anxiety?", "according", "anxiety"),
    ("Does a dementia choir exist in Leiden?", "exist", "choir"),
    ("Waar kan ik juist met jongeren naartoe voor theater?", "juist", "theater"),
    ("Waar kan ik juist met jongeren naartoe voor theater?", "naartoe", "theater"),
]
# (sentence, holds a number)
NUMBERS = [
    ("Er deden zeventien verpleeghuizen mee.", True),
    ("Ruim zestig vrijwilligers helpen mee.", True),
    ("Honderden ouderen bezochten de voorstelling.", True),
    ("Eighteen artists took part in the pilot.", True),
    ("Er deden veel verpleeghuizen mee.", False),
    ("Er waren enkele deelnemers.", False),
]


def main() -> int:
    hits = 0
    for question, light, topic in LIGHT:
        weight = {t.word: t.weight for t in analyse(question, idf=lambda s: 3.0, df=lambda s: 1).terms}
        ok = weight.get(light, 0.0) < weight.get(topic, 0.0)
        hits += ok
        if not ok:
            print(f"miss [light] {question!r}: {weight}")
    print(f"light words  {hits}/{len(LIGHT)}")
    hits = 0
    for sentence, want in NUMBERS:
        ok = typed_fact("number", sentence, set()) == want
        hits += ok
        if not ok:
            print(f"miss [number] {sentence!r}")
    print(f"number words {hits}/{len(NUMBERS)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
