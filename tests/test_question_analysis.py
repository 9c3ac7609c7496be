"""Question analysis, evidence checks and the learned models' plumbing (no knowledge base needed)."""

from __future__ import annotations

import json

import numpy as np
import pytest

from knowledge_base.analysis import analyse_question, find_places, places, question_type
from knowledge_base.calibration import LogisticModel, fit, fit_ranker, steady_threshold
from knowledge_base.evidence import _SentenceVectors
from knowledge_base.facts import fact_near, typed_fact
from knowledge_base.request import split_request
from knowledge_base.text import words


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("Wie betaalt een cultuurcoach?", "person_org"),
        ("who commissioned that literature study?", "person_org"),
        ("Hoeveel mensen deden mee aan het project?", "number"),
        ("how many GPs refer patients?", "number"),
        ("Wat kost een strippenkaart?", "money"),
        ("Wanneer is de deadline voor de volgende ronde?", "date"),
        ("hoe lang duurt een rondleiding?", "duration"),
        ("waarom begon de bijeenkomst zo klein?", "reason"),
        ("hoe werkt kunst op recept?", "procedure"),
        ("wat is een cultuurcoach?", "definition"),
        ("is er al vaste financiering voor kunst op recept?", "yesno"),
        ("welke kunstvormen doen ze daar?", "list"),
        ("waar repeteert het koor?", "place"),
        ("wat is het mailadres van het fonds?", "email"),
        ("Wat is het telefoonnummer van het koor?", "phone"),
        ("What is the phone number of the museum?", "phone"),
        ("Wanneer is de volgende repetitie?", "date"),
        ("Hoeveel leden heeft het koor?", "number"),
        ("Wat kost een les?", "money"),
        ("Hoeveel extra geld heeft het ministerie erin gestoken?", "money"),
        ("How much funding did the pilot get?", "money"),
        ("Hoeveel gemeenten doen mee?", "number"),
        ("Welk deel van de consulten heeft geen medische oorzaak?", "percent"),
        ("What percentage of councils had a culture coach?", "percent"),
        ("Hoe laat begint de rondleiding?", "time"),
        ("Hoe vaak komt de schrijfgroep samen?", "frequency"),
        ("Hoe heet de kunstenaar van het project?", "person_org"),
        ("Wie is de dirigent?", "person_org"),
        ("Op welke plekken geeft Dans op Recept les?", "place"),
        ("Which venues host the shows?", "place"),
        # After context, the asking sentence decides: its opening word does not open the text.
        ("Mijn man heeft parkinson en de reeks is al begonnen. Kan hij nog instromen?", "yesno"),
        (
            "Ik ben opbouwwerker in een kleine gemeente. Wie kan ik het beste als partner vragen?",
            "person_org",
        ),
        ("My mother lives in Leiden. When are the tours for people with dementia?", "date"),
        # A whole question that matches keeps its type: the second question only follows up.
        ("Wat kost een kaartje? Moet de mantelzorger ook betalen?", "money"),
        ("Hoi. Ik zoek informatie over subsidie", "other"),
    ],
)
def test_question_types(question, qtype):
    assert question_type(question) == qtype


def test_attributes_constraints_and_focus():
    a = analyse_question("Wat zijn de openingstijden van het Stedelijk Museum in 2027?")
    assert [x.name for x in a.attributes] == ["opening_hours"]
    kinds = {(c.kind, c.words) for c in a.constraints}
    assert ("year", ("2027",)) in kinds and ("name", ("stedelijk", "museum")) in kinds
    b = analyse_question("is er een kunstproject in het dorp Ruinerwold?")
    assert ("place", ("ruinerwold",), "Drenthe") in {(c.kind, c.words, c.region) for c in b.constraints}
    assert "kunstproject" not in b.rare  # a compound of common words is no name
    c = analyse_question("is er dans op recept voor parkinson in Zwolle?")
    assert [(x.kind, x.region) for x in c.constraints if x.kind == "place"] == [("place", "Overijssel")]
    assert analyse_question("in welk gebouw werd het gehouden?").focus == ("gebouw",)
    assert (
        analyse_question("heeft museums on prescription prijzen gewonnen?").attributes == ()
    )  # prize, not price


def test_the_gazetteer_knows_towns_provinces_and_dutch_names():
    gaz = places()
    assert gaz["sneek"].region == "Friesland" and gaz["groningen"].region == "Groningen"
    assert gaz["den haag"].region == "Zuid-Holland" and "reading" not in gaz and "best" not in gaz
    assert [p.name for p in find_places(words("een koor in den haag of in zwolle"))] == ["den haag", "zwolle"]


def test_the_gazetteer_knows_villages_current_municipalities_and_city_districts():
    gaz = places()
    assert gaz["ruinerwold"].region == "Drenthe" and gaz["ruinerwold"].municipality == "De Wolden"
    assert gaz["dokkum"].municipality == "Noardeast-Fryslân"  # merged in 2019
    assert gaz["sudwest fryslan"].region == "Friesland"  # a municipality is a place too
    assert gaz["osdorp"].municipality == "Amsterdam" and gaz["delfshaven"].municipality == "Rotterdam"


@pytest.mark.parametrize(
    "question, main, context",
    [
        ("Hoe vind ik een fonds?", "Hoe vind ik een fonds?", ""),
        (
            "Wij dansen al jaren met jongeren; hoe tonen we aan dat het werkt?",
            "hoe tonen we aan dat het werkt?",
            "Wij dansen al jaren met jongeren",
        ),
        (
            "We run a choir for refugees. Who can help us with a grant application?",
            "Who can help us with a grant application?",
            "We run a choir for refugees.",
        ),
        (
            "Ik zoek subsidie voor ons koor. Wie weet raad?",
            "Ik zoek subsidie voor ons koor. Wie weet raad?",
            "",
        ),
        (
            "Ik werk in een verpleeghuis, fijn dat deze groep er is.",
            "Ik werk in een verpleeghuis, fijn dat deze groep er is.",
            "",
        ),
    ],
)
def test_the_request_of_a_question_is_told_apart_from_its_context(question, main, context):
    r = split_request(question)
    assert (r.main, r.context) == (main, context)


def test_typed_facts_and_facts_next_to_the_asked_attribute():
    asked = set(words("wie is de dirigent van het koor"))
    assert typed_fact("person_org", "Rijk en gemeente betalen samen.", set(words("wie betaalt")))
    # Names with accents and double first names are names too.
    assert typed_fact("person_org", "onder leiding van hoogleraar Rose-Marie Dröes", set(words("wie leidde")))
    assert typed_fact("duration", "Each tour lasts ninety minutes.", set())
    assert typed_fact("number", "LKCA deed een verkennend onderzoek in dertien gemeenten.", set())
    assert typed_fact("number", "Fifteen care homes took part.", set())
    assert typed_fact("date", "De bijeenkomst is 's middags.", set()) and not typed_fact(
        "date", "Het is leuk.", set()
    )
    # A share is a percentage or a fraction, not any number ("n = 470" answers no "hoeveel procent").
    assert typed_fact("percent", "Around 25% of GP consultations", set())
    assert typed_fact("percent", "Ruim de helft ervoer lichamelijke voordelen.", set())
    assert not typed_fact("percent", "We verzamelden 470 microverhalen.", set())
    assert typed_fact("time", "De rondleiding begint om 14.30 uur.", set())
    assert not typed_fact("time", "De rondleiding is elke maand.", set())
    assert typed_fact("frequency", "De rondleiding is elke maand.", set())
    assert not typed_fact("frequency", "De rondleiding is in het museum.", set())
    phrases = (("dirigent",),)
    named = "Het koor zingt onder leiding van dirigent Jan Smit uit Leiden."
    unnamed = "Het koor De Zilveren Stemmen zingt onder leiding van een professionele dirigent."
    assert fact_near("person_org", named, phrases, asked) and not fact_near(
        "person_org", unnamed, phrases, asked
    )


def test_fit_is_deterministic_and_separates_a_learnable_rule(tmp_path):
    rows = [{"x": i / 10, "noise": (i * 7) % 3} for i in range(40)]
    labels = [int(r["x"] > 2.0) for r in rows]
    m1, m2 = fit(rows, labels, ["x", "noise"], l2=0.1), fit(rows, labels, ["x", "noise"], l2=0.1)
    assert m1.weights == m2.weights and m1.weights[0] > abs(m1.weights[1])
    assert m1.probability({"x": 3.5}) > 0.9 > 0.1 > m1.probability({"x": 0.5})
    m1.threshold = 0.42
    m1.save(tmp_path / "m.json")
    again = LogisticModel.load(tmp_path / "m.json")
    assert again.threshold == 0.42 and again.probability({"x": 3.5}) == pytest.approx(
        m1.probability({"x": 3.5})
    )
    assert json.loads((tmp_path / "m.json").read_text())["features"] == ["x", "noise"]


def test_fit_ranker_learns_which_signal_picks_the_right_candidate():
    rng = np.random.default_rng(3)
    groups = []
    for _ in range(60):
        rows = [{"signal": float(rng.normal()), "noise": float(rng.normal())} for _ in range(5)]
        best = max(range(5), key=lambda i: rows[i]["signal"] + 0.3 * rng.normal())
        groups.append((rows, [int(i == best) for i in range(5)]))
    groups.append(([{"signal": 1.0}, {"signal": 0.0}], [0, 0]))  # no acceptable candidate: skipped
    model = fit_ranker(groups, ["signal", "noise"], l2=1.0)
    weights = dict(zip(model.features, model.weights, strict=True))
    assert weights["signal"] > 3 * abs(weights["noise"]) and model.bias == 0.0
    assert fit_ranker(groups, ["signal", "noise"], l2=1.0).weights == model.weights  # deterministic


def test_the_steady_threshold_picks_the_separating_probability():
    t, bacc = steady_threshold([0.1, 0.2, 0.6, 0.9], [0, 0, 1, 1])
    assert bacc == 1.0 and 0.2 < t <= 0.6
    assert steady_threshold([0.3, 0.4], [1, 1]) == (0.5, 0.0)  # one class only: no threshold to learn


def test_the_steady_threshold_prefers_a_broad_plateau_to_a_lone_peak():
    # Answerable questions from 0.40 up, unanswerable below 0.40, plus one of each that the raw best
    # threshold would chase: a lone unanswerable at 0.70 that only a threshold above it routes.
    probs = [0.1, 0.2, 0.3, 0.35, 0.7, 0.45, 0.5, 0.6, 0.65, 0.72, 0.8, 0.9]
    labels = [0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1]
    t, bacc = steady_threshold(probs, labels)
    assert 0.35 < t <= 0.45 and bacc == (1.0 + 0.8) / 2


def test_the_sentence_vector_cache_starts_again_when_full_without_losing_this_questions_sentences():
    calls: list[list[str]] = []

    def embed(texts: list[str]) -> np.ndarray:
        calls.append(texts)
        rows = np.array([[len(t), 1.0] for t in texts])
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    cache = _SentenceVectors(size=3)
    first = cache.similarities(embed, "vraag", ["een", "twee"])
    again = cache.similarities(embed, "vraag", ["een", "drie", "vier"])  # 2 cached + 2 new > 3: full
    assert first.shape == (2,) and again.shape == (3,)
    assert calls[-1] == ["vraag", "een", "drie", "vier"]  # everything embedded again after the reset
    assert cache.similarities(embed, "vraag", ["een", "vier"]).shape == (2,)
    assert calls[-1] == ["vraag"]  # both cached now: only the question is embedded


def test_one_very_long_word_is_analysed_without_recursion():
    # "o" * 3999 drove the compound check 1,300 calls deep (RecursionError, found by the fuzz suite).
    analysis = analyse_question("o" * 3999)
    assert analysis.rare == ("o" * 3999,)  # no compound of known words: a name to match


@pytest.mark.parametrize(
    ("question", "name"),
    [
        ("wat doet stichting oud & creatief voor ouderen?", ("oud", "creatief")),
        ("doet het programma 'cultuur verbindt' iets in de wijk?", ("cultuur", "verbindt")),
        ("what did the baring foundation's report recommend?", ("baring",)),
        ("hoe werkt de regeling impuls muziekonderwijs van het fonds?", ("impuls", "muziekonderwijs")),
    ],
)
def test_a_name_typed_in_lower_case_or_in_quotes_is_a_constraint(question, name):
    assert name in [c.words for c in analyse_question(question).constraints if c.kind == "name"]


@pytest.mark.parametrize(
    "question",
    [
        "ik ben zzp'er, mag ik een aanvraag doen?",
        "wat is de regeling voor ouderen?",
        "hoeveel leden heeft het platform?",
    ],
)
def test_apostrophes_and_heads_without_a_name_add_no_constraint(question):
    assert [c for c in analyse_question(question).constraints if c.kind == "name"] == []


@pytest.mark.parametrize(
    "question",
    [
        "krijgt bij kunst op recept iedereen hetzelfde cursusje?",  # a diminutive of a common word
        "kan mijn man later nog instromen?",  # a prefixed verb
        "who co-wrote the report on arts and health?",  # a hyphenated pair of ordinary words
        "which study did the Lang Leve Kunst programme grow out of?",  # the name stands before the head
        "waarom kozen die studenten voor kleurplaten?",  # a village (Kozen) and a common word, in lower case
        "ik zoek hulp bij buren en vrienden",  # Buren, in lower case
        "wandelen in bergen en dalen",  # Bergen
        "De lier is een mooi instrument",  # De Lier, capitalised only as a sentence starts
        "which new programme kunst impuls?",  # an adjective before a head is no name
    ],
)
def test_ordinary_words_name_nothing(question):
    names = {w for c in analyse_question(question).constraints for w in c.words}
    assert not names & {"cursusje", "instromen", "cowrote", "grow", "kozen", "buren", "bergen", "lier", "new"}


@pytest.mark.parametrize(
    ("question", "constraint"),
    [
        ("Welke rol speelt Stichting DOEN in de wijk?", ("stichting", "doen")),  # a common word in capitals
        ("is er een koor in Leek?", ("leek",)),  # a place named like a word, with its capital
        ("kunst op recept rotterdam", ("rotterdam",)),  # a city in lower case is still a place
        ("ik zoek een koor in utrecht of amsterdam", ("amsterdam",)),
        ("zijn er projecten in de buurt van groningen?", ("groningen",)),
        ("Wat zegt Erik Scherder over muziek?", ("erik", "scherder")),
    ],
)
def test_names_and_places_that_are_also_common_words_are_kept_where_written_as_such(question, constraint):
    assert constraint in [c.words for c in analyse_question(question).constraints]


@pytest.mark.parametrize(
    ("question", "focus"),
    [
        ("Wat is de maximale subsidie per aanvraag?", ("subsidie",)),
        ("Wat is de maximale totale subsidie?", ("subsidie",)),
        ("What is the average age of the participants?", ("age",)),
        ("Welk gebouw is het?", ("gebouw",)),
    ],
)
def test_the_focus_passes_a_modifier_to_its_noun(question, focus):
    assert analyse_question(question).focus == focus


@pytest.mark.parametrize(
    ("question", "qtype"),
    [
        ("wanneer begint de nieuwe directeur?", "date"),
        ("hoeveel verdient een projectleider?", "money"),
        ("waar zit de voorzitter?", "place"),
    ],
)
def test_a_role_gives_no_answer_type_outside_a_who_question(question, qtype):
    a = analyse_question(question)
    assert a.qtype == qtype and all(x.answer_type is None for x in a.attributes if x.name == "leader")


def test_a_role_in_a_who_question_asks_for_a_name():
    a = analyse_question("Who is the chair of the board of LKCA?")
    assert [x.answer_type for x in a.attributes if x.name == "leader"] == ["person_org"]


@pytest.mark.parametrize(
    ("question", "attribute", "asked"),
    [
        ("Hoeveel steden deden mee aan Age Friendly Cultural Cities?", "age", False),
        ("Since when has Alison worked for Age UK Lambeth?", "age", False),
        ("wat bedoelen ze met een 'responsieve evaluatie'?", "evaluation", False),
        ("Is there an age limit for Dans op Recept?", "age", True),
        ("Wat is het adres van Het Vijfde Seizoen?", "address", True),
        ("Wat was de uiterste inleverdatum voor de ronde 2018-2019?", "deadline", True),
    ],
)
def test_the_words_of_a_title_or_a_quoted_phrase_ask_for_no_attribute(question, attribute, asked):
    assert (attribute in {a.name for a in analyse_question(question).attributes}) is asked


@pytest.mark.parametrize(
    ("question", "attribute", "answer_type"),
    [
        ("Kunnen de deelnemers van het koor ook zelf liedjes kiezen?", "participants", None),
        ("Mag ik bij de regeling tegelijk een aanvraag indienen voor spoor 1 én spoor 2?", "deadline", None),
        ("Hoeveel deelnemers kan het koor hebben?", "participants", "number"),
        ("When is the deadline for the next round?", "deadline", "date"),
    ],
)
def test_an_attribute_asks_for_a_typed_fact_only_outside_a_yes_no_question(question, attribute, answer_type):
    a = analyse_question(question)
    assert [x.answer_type for x in a.attributes if x.name == attribute] == [answer_type]
