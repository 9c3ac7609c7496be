"""What a quote holds (the sentence that answers, with the next one when it answers too), and when
there is nothing to quote."""

from __future__ import annotations

from support.docs import make_settings

from app.runtime import build_runtime


def _one_page(new_runtime, tmp_path, name: str, title: str, body: str):
    """A fresh runtime whose knowledge base holds one Dutch page."""
    src = tmp_path / "src"
    src.mkdir()
    (src / name).write_text(
        f"---\ntitle: {title}\nlanguage: nl\nkind: project\n---\n# {title}\n\n{body}\n", encoding="utf-8"
    )
    rt = new_runtime()
    assert rt.ingest([src]).ok
    return rt


def test_the_sentence_after_the_topic_joins_the_quote_when_it_holds_the_fact(new_runtime, tmp_path):
    """The first sentence names the project and who it is for; the next one says what they get.
    Quoting the first alone names the topic and answers nothing."""
    rt = _one_page(
        new_runtime,
        tmp_path,
        "brievenbus.md",
        "Kunst door de Brievenbus",
        "Voor ouderen in Bronckhorst die liever geen bezoek krijgen, is er Kunst door de Brievenbus."
        " Elke week krijgen de ouderen een tekenopdracht van een kunstenaar in de bus."
        " Het project begon tijdens de coronaperiode.\n\n"
        "## Meer over ons\n\nWe werken samen met de bibliotheek en met vrijwilligers uit het dorp.",
    )
    a = rt.assistant.ask("Wat krijgen de ouderen in Bronckhorst van Kunst door de Brievenbus?")
    assert a.outcome == "answer"
    first = a.answer.splitlines()[1]
    assert "tekenopdracht" in first, a.answer
    assert "bibliotheek" not in first  # the window ends where the answer does


def test_a_question_no_passage_shares_a_word_with_is_routed_however_lenient_the_threshold(kb):
    """No retrieved passage holds a word of it: no quote, no reading tips, whatever the models say."""
    rt = build_runtime(make_settings(kb.data_dir, answer_threshold=0.01))
    a = rt.assistant.ask("Wat is de hoofdstad van Mongolië?")
    assert a.outcome == "route" and a.routed and not a.sources


def test_a_how_many_question_quotes_the_sentence_with_the_number(new_runtime, tmp_path):
    """Three sentences name the cultuurcoach and the municipality; one says how many municipalities
    have one. A "hoeveel" question gets that one first, not the one that repeats its words."""
    rt = _one_page(
        new_runtime,
        tmp_path,
        "cultuurcoach.md",
        "De cultuurcoach in de gemeente",
        "De cultuurcoach stimuleert deelname aan cultuur in de gemeente en verbindt cultuur met andere"
        " sectoren. De cultuurcoach kan in dienst zijn bij de gemeente, maar ook bij een culturele"
        " instelling. In 2022 had 80% van de Nederlandse gemeenten een cultuurcoach aangesteld."
        " De coaches werken vaak samen met scholen en welzijnsorganisaties.",
    )
    a = rt.assistant.ask("hoeveel gemeenten hebben eigenlijk een cultuurcoach?")
    assert a.outcome == "answer", a.answer
    assert "80%" in a.answer.splitlines()[1], a.answer
