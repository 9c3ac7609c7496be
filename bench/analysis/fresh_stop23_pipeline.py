"""Fresh questions for stop 23's attribute words (copyright, employment, medication), written after
the words were set; run through the whole assistant over ../shared/corpus.

    python bench/analysis/fresh_stop23_pipeline.py

Out of scope: the corpus says nothing of copyright, labour law or medication advice (grep -riE
'auteursrecht|copyright|portretrecht|cao|arbeidsovereenkomst|loondienst|levodopa|dosis|bijwerking'
finds nothing); they should not be answered. Controls: two questions the corpus answers with the
word "medicatie" / "medicijnen" in the evidence; they should be.
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import train_answerability as TA  # noqa: E402

OUT_OF_SCOPE = [
    "Mag een verpleeghuis foto's van bewoners bij de schilderles op Instagram zetten, hoe zit het met"
    " het portretrecht?",
    "Wie is eigenaar van het copyright van een lied dat we samen met bewoners van een zorgcentrum schreven?",
    "Kan ik als muziekdocent bij een welzijnsorganisatie in loondienst, en welke cao geldt dan?",
    "Do community artists in social prescribing schemes usually work on an employment contract or freelance?",
    "Welke medicijnen tegen onrust kunnen bewoners met dementie beter niet innemen voor een museumbezoek?",
    "Can people with Parkinson's take their medication as usual before a dance class?",
    "Hoe zit het met auteursrechten als een kunstenaar werk van deelnemers aan kunst op recept exposeert?",
    "Heeft een cultuurcoach recht op een vast dienstverband of blijft het een tijdelijk contract?",
]
ANSWERABLE = [
    (
        "Krijgen mensen met psychosociale klachten in Noord-Holland-Noord zonder welzijn op recept vaak"
        " medicatie?",
        "krijgen medicatie voorgeschreven",
    ),
    (
        "Hebben mensen met psychosociale problemen volgens het LKCA altijd medicijnen nodig?",
        "hebben niet altijd medicijnen",
    ),
]


def main() -> int:
    logging.disable(logging.WARNING)
    rt = TA.runtime("corpus")
    held = 0
    for q in OUT_OF_SCOPE:
        a = rt.assistant.ask(q)
        held += a.routed
        print(f"  {'ok ' if a.routed else 'ANSWERED'} {a.outcome:<8} {q}")
    answered = carried = 0
    for q, words in ANSWERABLE:
        a = rt.assistant.ask(q)
        answered += not a.routed
        carried += (not a.routed) and words in a.answer
        print(f"  {'ok ' if not a.routed else 'ROUTED'} {a.outcome:<8} {q}")
    print(
        f"out of scope held back {held}/{len(OUT_OF_SCOPE)}; controls answered {answered}/{len(ANSWERABLE)}, "
        f"quoting the evidence {carried}/{len(ANSWERABLE)}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
