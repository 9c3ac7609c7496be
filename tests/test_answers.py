"""Answers: verbatim quotes with numbered citations, honest routing, and the language of the bot."""

from __future__ import annotations

import re

import pytest
import support.docs as D
from support.docs import make_settings

from app.runtime import build_runtime
from bot.answering.assistant import Answer
from bot.messages import Source
from bot.texts import TEXTS, t
from ingest.loaders import load_file
from knowledge_base.answerer import Answerer
from knowledge_base.retrieval import MODES

QUOTE = re.compile(r"^“(.*)” \[(\d+)\]$")

NL_INTRO = "Dit staat er in de kennisbank"
EN_INTRO = "Here is what"


def _flat(s: str) -> str:
    return " ".join(s.split())


def _quotes(a: Answer) -> list[tuple[str, int]]:
    lines = a.answer.splitlines()[1:]
    out = []
    for line in lines:
        m = QUOTE.match(line)
        assert m, f"not a quote line: {line!r}"
        out.append((m.group(1), int(m.group(2))))
    return out


def _source_text(kb, path: str) -> str:
    return _flat(load_file(kb.corpus / path, path).text)


ANSWERABLE = [
    ("Waar repeteert het seniorenkoor voor eenzame ouderen?", D.KOOR_PATH, D.KOOR_SENTENCE, "nl"),
    (
        "Welk fonds geeft subsidie aan dansprojecten voor mensen met parkinson?",
        D.FONDS_PATH,
        D.FONDS_SENTENCE,
        "nl",
    ),
    ("Wat doen de muzikanten op de afdeling psychogeriatrie?", D.HTML_PATH, D.HTML_SENTENCE, "nl"),
    ("Wat maken kinderen en ouderen in het lantaarnproject?", D.PDF_PATH, D.PDF_LINES[0], "nl"),
    (
        "What do carers value about the museum tours?",
        D.MUSEUM_PATH,
        "The museum reports that carers value the calm atmosphere and the chance to meet other families.",
        "en",
    ),  # wrapped over two lines in the file
    ("What does the Leeds museum offer people living with dementia?", D.MUSEUM_PATH, D.MUSEUM_SENTENCE, "en"),
    ("What do young people write in the poetry workshops?", D.DOCX_PATH, D.DOCX_SENTENCE, "en"),
]


@pytest.fixture(scope="module")
def answers(kb) -> dict[str, Answer]:
    return {q: kb.rt.assistant.ask(q) for q, *_ in ANSWERABLE}


@pytest.mark.parametrize(("question", "path", "sentence", "lang"), ANSWERABLE)
def test_answer_quotes_the_source_verbatim_with_citation(kb, answers, question, path, sentence, lang):
    a = answers[question]
    assert a.status == "answered" and a.routed is False
    assert a.language == lang
    assert a.answer.splitlines()[0] == t("intro", lang)
    first, number = _quotes(a)[0]  # the sentence, maybe with the next one that answers too
    assert sentence in first and number == 1
    assert a.sources[0].path == path
    assert a.candidates[0].path == path


@pytest.mark.parametrize(("question", "path", "sentence", "lang"), ANSWERABLE)
def test_every_quote_is_verbatim_text_of_the_cited_source(kb, answers, question, path, sentence, lang):
    a = answers[question]
    quotes = _quotes(a)
    assert 1 <= len(quotes) <= kb.settings.answer_sources
    numbers = [n for _, n in quotes]
    assert numbers[0] == 1
    assert set(numbers) == set(range(1, len(a.sources) + 1))  # every source is cited
    for quote, n in quotes:
        src = a.sources[n - 1]
        assert _flat(quote) in _source_text(kb, src.path), (quote, src.path)


def test_quote_joins_a_sentence_wrapped_over_lines(kb):
    a = kb.rt.assistant.ask("Onder wiens leiding zingen de eenzame ouderen in het seniorenkoor?")
    # In the file this sentence is wrapped over two lines; the quote is one line (the window may
    # add the sentence after it).
    assert (
        "“Ouderen die zich eenzaam voelen zingen daar samen onder leiding van een professionele dirigent."
    ) in a.answer


def test_sources_have_path_title_url_kind_score(answers):
    a = answers[ANSWERABLE[0][0]]
    src = a.sources[0]
    assert isinstance(src, Source)
    assert src.path == D.KOOR_PATH
    assert src.title == "Seniorenkoor De Zilveren Stemmen in Amersfoort"
    assert src.url == "https://example.org/zilveren-stemmen"
    assert src.kind == "project"
    assert isinstance(src.score, float) and src.score > 0
    assert len({s.path for s in a.sources}) == len(a.sources)


def test_source_without_url(answers):
    src = answers[ANSWERABLE[1][0]].sources[0]
    assert src.path == D.FONDS_PATH and src.url is None and src.kind == "tip"


def test_to_json_shape(answers):
    data = answers[ANSWERABLE[0][0]].to_json()
    assert list(data) == ["question", "answer", "routed", "outcome", "language", "sources"]
    assert data["outcome"] == "answer"
    assert data["routed"] is False and data["language"] == "nl"
    assert data["sources"][0] == {
        "path": D.KOOR_PATH,
        "title": "Seniorenkoor De Zilveren Stemmen in Amersfoort",
        "url": "https://example.org/zilveren-stemmen",
        "kind": "project",
        "score": data["sources"][0]["score"],
    }


# -- language of the bot's own words -----------------------------------------------------------
def test_dutch_question_gets_dutch_words(answers):
    a = answers[ANSWERABLE[0][0]]
    assert a.answer.startswith(NL_INTRO)
    assert EN_INTRO not in a.answer


def test_english_question_gets_english_words(answers):
    a = answers[ANSWERABLE[5][0]]
    assert a.answer.startswith(EN_INTRO)
    assert NL_INTRO not in a.answer


def test_english_question_over_dutch_source_keeps_english_words(kb):
    a = kb.rt.assistant.ask("Which foundation funds dance for people with parkinson?")
    assert a.language == "en"
    assert a.candidates[0].path == D.FONDS_PATH
    if a.routed:
        assert a.answer in (t("not_found", "en"), t("not_sure", "en"))
    else:
        assert a.answer.startswith(EN_INTRO)
        assert f"“{D.FONDS_SENTENCE}" in a.answer  # the quote stays in its own language


def test_explicit_language_overrides_detection(kb):
    a = kb.rt.assistant.ask("Waar repeteert het seniorenkoor?", language="en")
    assert a.language == "en" and a.answer.startswith(EN_INTRO)


# -- routing -------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("question", "lang", "top"),
    [
        ("Wat is het telefoonnummer van seniorenkoor De Zilveren Stemmen?", "nl", D.KOOR_PATH),
        ("What is the phone number of the Leeds museum dementia tours?", "en", D.MUSEUM_PATH),
        ("Wanneer is de volgende repetitie van het lantaarnproject?", "nl", D.PDF_PATH),
        ("Hoe laat begint de repetitie van het seniorenkoor?", "nl", D.KOOR_PATH),
        ("Wat kost een les bij het seniorenkoor?", "nl", D.KOOR_PATH),
        ("What is the email address of the Leeds City Museum?", "en", D.MUSEUM_PATH),
        ("Welke website heeft het Fonds Beweging en Kunst?", "nl", D.FONDS_PATH),
    ],
)
def test_unanswerable_on_topic_question_is_routed(kb, question, lang, top):
    a = kb.rt.assistant.ask(question)
    assert a.routed is True
    assert a.status == "routed"
    assert a.language == lang
    # The related documents are known: not sure (they are shown as reading tips) or route (nothing).
    assert a.candidates and a.candidates[0].path == top
    if a.outcome == "not_sure":
        assert a.answer == t("not_sure", lang)
        assert 1 <= len(a.sources) <= 3 and a.sources[0].path == top
    else:
        assert a.outcome == "route" and a.answer == t("not_found", lang) and a.sources == ()
    assert "“" not in a.answer  # never a quote


def test_routed_answer_says_so_in_both_languages(kb):
    nl = kb.rt.assistant.ask("Wat is het telefoonnummer van seniorenkoor De Zilveren Stemmen?")
    en = kb.rt.assistant.ask("What is the phone number of the Leeds museum dementia tours?")
    assert nl.routed and en.routed
    assert "kennisbank bevat hier geen antwoord" in nl.answer or "geen direct antwoord" in nl.answer
    assert "does not contain the answer" in en.answer or "no direct answer" in en.answer
    for lang in ("nl", "en"):  # the two honest wordings
        assert "expert" in t("not_found", lang) and "expert" in t("not_sure", lang)


def test_off_topic_question_is_routed(kb):
    a = kb.rt.assistant.ask("Wat is de hoofdstad van Mongolië?")
    assert a.routed is True and a.answer == t("not_found", "nl")


def test_question_of_only_function_words_is_routed(kb):
    a = kb.rt.assistant.ask("Wat is het?")
    assert a.routed is True and dict(a.features)["reason"] == "no_terms"


def test_answerable_question_with_typed_fact_is_answered(kb):
    a = kb.rt.assistant.ask("Hoeveel leden heeft het seniorenkoor?")
    assert not a.routed
    assert "“Het koor telt inmiddels veertig leden" in a.answer


def test_who_question_without_a_name_in_the_docs_is_routed(kb):
    # The sample names 'een professionele dirigent' but no name: that is no answer to "wie".
    a = kb.rt.assistant.ask("Wie is de dirigent van het seniorenkoor?")
    assert a.routed is True


# -- input edge cases -------------------------------------------------------------------------
@pytest.mark.parametrize("question", ["", "   ", "\n\t  \n"])
def test_empty_question_gets_help_not_routed(kb, question):
    a = kb.rt.assistant.ask(question)
    assert a.status == "help"
    assert a.routed is False
    assert a.answer == TEXTS["help"]["nl"]
    assert a.sources == () and a.candidates == ()


def test_too_long_question(kb):
    q = "kunst " * 700  # 4200 characters
    a = kb.rt.assistant.ask(q)
    assert a.status == "too_long"
    assert a.routed is False
    assert a.answer == t("too_long", "nl", n=len(q.strip()), limit=4000)
    assert "te lang" in a.answer and "4000" in a.answer
    assert a.sources == ()


def test_too_long_english_question(kb):
    q = "What does the museum do for people with dementia? " * 90
    a = kb.rt.assistant.ask(q)
    assert a.status == "too_long" and a.language == "en"
    assert "too long" in a.answer


def test_question_at_the_limit_is_accepted(kb):
    q = ("Waar repeteert het seniorenkoor? " * 200)[:4000]
    assert len(q) == len(q.strip()) == 4000
    a = kb.rt.assistant.ask(q)
    assert a.status != "too_long"
    assert kb.rt.assistant.ask(q + "x").status == "too_long"


def test_limit_follows_the_setting(kb):
    rt = build_runtime(make_settings(kb.data_dir, max_question_chars=100))
    a = rt.assistant.ask("Waar repeteert het seniorenkoor? " * 4)
    assert a.status == "too_long" and "100" in a.answer


@pytest.mark.parametrize("question", ["🎨🎭", "🎨 🎶 !!", "???", "👍"])
def test_emoji_only_gets_a_friendly_reply_and_is_never_routed(kb, question):
    a = kb.rt.assistant.ask(question)
    assert a.routed is False and a.status == "smalltalk"
    assert a.answer == t("smalltalk_greeting", "nl") and a.sources == ()


@pytest.mark.parametrize(
    ("message", "kind", "lang"),
    [
        ("hallo", "greeting", "nl"),
        ("Goedemorgen allemaal!", "greeting", "nl"),
        ("dank je wel!", "thanks", "nl"),
        ("Bedankt voor de hulp 🙏", "thanks", "nl"),
        ("thanks", "thanks", "en"),
        ("Thank you so much!", "thanks", "en"),
        ("hi there", "greeting", "en"),
    ],
)
def test_greetings_and_thanks_get_a_short_reply_and_no_search(kb, message, kind, lang):
    a = kb.rt.assistant.ask(message)
    assert a.status == "smalltalk" and not a.routed and a.answer == t(f"smalltalk_{kind}", lang)


@pytest.mark.parametrize(
    "question", ["hallo, hoe werkt kunst op recept?", "Wie helpt ons?", "dank je, maar wie betaalt dat?"]
)
def test_a_question_with_a_greeting_is_still_a_question(kb, question):
    assert kb.rt.assistant.ask(question).status != "smalltalk"


@pytest.mark.parametrize("mode", MODES)
def test_every_retrieval_mode_answers(kb, mode):
    a = kb.rt.assistant.ask("Waar repeteert het seniorenkoor voor eenzame ouderen?", mode=mode)
    assert not a.routed
    assert f"“{D.KOOR_SENTENCE}” [1]" in a.answer


# -- settings that shape the answer ------------------------------------------------------------
def test_answer_sources_setting_limits_the_quotes(kb):
    question = "Wat doen eenzame ouderen bij het seniorenkoor in Amersfoort?"
    assert len(_quotes(kb.rt.assistant.ask(question))) >= 2  # default setting: up to three
    rt = build_runtime(make_settings(kb.data_dir, answer_sources=1))
    a = rt.assistant.ask(question)
    assert len(_quotes(a)) == 1


def test_the_answer_threshold_setting_makes_the_bot_more_cautious(kb):
    question = "Waar repeteert het seniorenkoor voor eenzame ouderen?"
    lenient = kb.rt.assistant.ask(question)
    p = float(dict(lenient.features)["p_answer"])
    assert lenient.outcome == "answer" and p >= kb.rt.assistant.answerer.model.threshold
    strict_rt = build_runtime(make_settings(kb.data_dir, answer_threshold=min(1.0, round(p + 0.001, 3))))
    assert isinstance(strict_rt.assistant.answerer, Answerer)
    strict = strict_rt.assistant.ask(question)
    assert strict.routed and strict.outcome in ("not_sure", "route")


def test_the_shipped_models_read_exactly_the_features_the_answerer_computes(kb):
    answerer = kb.rt.assistant.answerer
    assert answerer.model is not None and answerer.quotes is not None
    a = kb.rt.assistant.ask("Waar repeteert het seniorenkoor voor eenzame ouderen?")
    computed = {k for k, _ in a.features} - {"qtype", "p_answer", "outcome"}
    assert set(answerer.model.features) == computed
    query, ranked = kb.rt.assistant.retriever.search("Waar repeteert het seniorenkoor?")
    _, pool, _ = answerer.analyse(query, ranked)
    assert set(answerer.quotes.features) <= set(pool.candidates[0].features)


def test_how_long_question_is_answered_with_the_duration(kb):
    a = kb.rt.assistant.ask("How long does a museum tour for people with dementia last?")
    assert a.routed is False
    assert "“Each tour lasts ninety minutes and ends with tea in the museum cafe.”" in a.answer


@pytest.mark.parametrize(
    "garbage",
    [
        "\ud800",  # a lone surrogate (from JSON)
        b"\xff\xfe\xc3\x28".decode("utf-8", "surrogateescape"),  # undecodable bytes from argv
        "\x00\x07\x1b[31m",  # control characters and a terminal escape
        "\ufeff\u200b",  # invisible format characters
    ],
)
def test_invalid_text_in_a_question_is_cleaned_not_a_crash(kb, garbage):
    a = kb.rt.assistant.ask(f"Waar repeteert het seniorenkoor {garbage} voor eenzame ouderen?")
    assert not a.routed and D.KOOR_SENTENCE in _flat(a.answer)
    alone = kb.rt.assistant.ask(garbage)  # nothing but garbage: no answer and no crash
    assert alone.status in ("help", "smalltalk", "routed") and not alone.sources


def test_the_sentence_with_what_is_asked_of_a_document_is_quoted_before_its_topic(new_runtime, tmp_path):
    """The title names the lessons and the town; the question asks one thing of them (dance
    experience): the sentence that says it comes first, not the one that repeats the title's words."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "sneek.md").write_text(
        "---\ntitle: Danslessen voor mensen met parkinson bij Atrium in Sneek\n"
        "language: nl\nkind: project\n---\n"
        "# Danslessen voor mensen met parkinson bij Atrium in Sneek\n\n"
        "Op de leslocatie van Atrium in Sneek start in februari een nieuwe reeks danslessen voor mensen"
        " met parkinson. De lessen zijn gezellig en toegankelijk. Danservaring is geen vereiste."
        " In totaal zijn er zeventien wekelijkse lessen van een uur. Mantelzorgers zijn welkom.\n",
        encoding="utf-8",
    )
    rt = new_runtime()
    assert rt.ingest([src]).ok
    a = rt.assistant.ask("moet je danservaring hebben voor de parkinsonlessen bij atrium in sneek?")
    assert a.outcome == "answer"
    assert "Danservaring is geen vereiste" in _quotes(a)[0][0]


def test_a_sentence_copied_on_a_second_page_is_quoted_once(new_runtime, tmp_path):
    """Two pages carry nearly the same sentence (a news item and its reprint): one quote, not two."""
    src = tmp_path / "src"
    src.mkdir()
    for name, sentence in (
        (
            "nieuws.md",
            "Het buurtkoor De Linde repeteert elke dinsdagavond in het wijkcentrum aan de Lindelaan.",
        ),
        ("agenda.md", "Het buurtkoor De Linde repeteert elke dinsdagavond in wijkcentrum aan de Lindelaan!"),
    ):
        (src / name).write_text(
            f"---\ntitle: Buurtkoor De Linde ({name[:-3]})\nlanguage: nl\nkind: project\n---\n"
            f"# Buurtkoor De Linde\n\n{sentence} Nieuwe zangers zijn welkom.\n",
            encoding="utf-8",
        )
    rt = new_runtime()
    assert rt.ingest([src]).ok
    a = rt.assistant.ask("Wanneer repeteert het buurtkoor De Linde?")
    assert a.outcome == "answer"
    texts = [q for q, _ in _quotes(a)]
    assert sum("repeteert elke dinsdagavond" in q for q in texts) == 1, texts
