"""Fresh cases for stop 25's question-analysis rules, written after the rules were set (none tuned).

    python bench/analysis/fresh_stop25.py

* a title or a quoted term asks for no attribute ("… voor Age UK Lambeth"), while a question that
  opens with the asked word, or is written in Title Case or capitals, keeps it;
* the new lexicon rows: bank account, language, group size, online, "welk jaar", "met / van wie".
Each rule is counted with this tree and with it switched off (titles read as before, or the row
missing), for comparison.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from unittest import mock

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

import knowledge_base.analysis as A  # noqa: E402
import knowledge_base.word_forms as D  # noqa: E402

# (question, attribute, asked?)
TITLES = [
    ("Wie is de contactpersoon bij Age Concern Cymru?", "age", False),
    ("Werkt Theater Tijdgeest samen met Price Foundation Rotterdam?", "price", False),
    ("Wat doet het programma Online Samen Creatief in Zwolle?", "online", False),
    ("Hoe lang loopt het project 'wachtlijst weg' van de bibliotheek?", "waiting_list", False),
    ("What did the Open Door Language Cafe do for newcomers?", "language", False),
    ("Prijs Museumkaart voor 65-plussers?", "price", True),
    ("WAT IS HET ADRES VAN HET ATELIER?", "address", True),
    ("Wat Is De Leeftijdsgrens Voor De Danslessen?", "age", True),
    ("Is there an age limit for the Singing for the Brain group?", "age", True),
    ("Openingstijden Open Atelier Noord?", "opening_hours", True),
]
LEXICON = [
    ("Heeft de stichting een IBAN waarop ik kan doneren?", "bank_account", True),
    ("In welke taal wordt de verhalenworkshop gegeven?", "language", True),
    ("Hoe groot zijn de groepen bij de zanglessen voor longpatiënten?", "group_size", True),
    ("Kan ik de cursus voor activiteitenbegeleiders ook online volgen?", "online", True),
    ("Hoeveel kost een lidmaatschap van het netwerk?", "price", True),
    ("Sinds welk jaar bestaat het buurtkoor?", "qtype:date", True),
    ("Met wie werkt het museum samen bij de rondleidingen?", "qtype:person_org", True),
    ("Voor wie is het project bedoeld?", "qtype:person_org", False),
]


def asked(question: str, what: str) -> bool:
    """Does the analysis find the attribute (or the question type) in the question?"""
    a = A.analyse_question(question)
    if what.startswith("qtype:"):
        return a.qtype == what.split(":", 1)[1]
    return what in {x.name for x in a.attributes}


def score(cases: list[tuple[str, str, bool]]) -> int:
    """How many cases the analysis gets right."""
    return sum(asked(q, what) is want for q, what, want in cases)


def main() -> int:
    print(f"titles and quoted terms: {score(TITLES)}/{len(TITLES)}", end="")
    with (
        mock.patch.object(A, "_without_titles", lambda q: q),
        mock.patch.object(A, "_QUOTED", A.re.compile("$^")),
    ):
        print(f"  (titles read as words: {score(TITLES)}/{len(TITLES)})")
    print(f"new lexicon rows: {score(LEXICON)}/{len(LEXICON)}", end="")
    with tempfile.TemporaryDirectory() as tmp:  # stop 24's word lists beside today's other data
        shutil.copytree(D.DATA, tmp, dirs_exist_ok=True)
        for name in ("attributes.tsv", "question_types.tsv"):
            old = subprocess.run(
                ["git", "show", f"33f2011:knowledge_base/data/{name}"], capture_output=True, check=True
            ).stdout
            (Path(tmp) / name).write_bytes(old)
        A.attributes.cache_clear()
        A._qtypes.cache_clear()
        with mock.patch.object(D, "DATA", Path(tmp)):
            print(f"  (stop 24's lists: {score(LEXICON)}/{len(LEXICON)})")
        A.attributes.cache_clear()
        A._qtypes.cache_clear()
    for q, what, want in TITLES + LEXICON:
        if asked(q, what) is not want:
            print(f"  miss: {q!r} {what} expected {want}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
