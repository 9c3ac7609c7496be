"""Structure-aware chunking: headings, size, positions and the document path on every chunk."""

from __future__ import annotations

import pytest
import support.docs as D

from ingest.chunking import Chunker
from ingest.loaders import load_bytes
from knowledge_base.models import Chunk, Document


def _doc(text: str, path: str = "map/doc.md") -> Document:
    return Document(path=path, title="T", text=text, language="nl")


def _sentences(n: int, word: str = "zin") -> str:
    return " ".join(f"Dit is {word} nummer {i} over kunst en zorg in de wijk." for i in range(n))


def test_headings_become_heading_paths():
    text = (
        "Inleiding zonder kop.\n\n"
        "# Koor\n\nOver het koor.\n\n"
        "## Repetities\n\nElke dinsdag.\n\n"
        "### Locatie\n\nHet buurthuis.\n\n"
        "## Resultaten\n\nMinder eenzaam.\n\n"
        "# Dans\n\nOver dansen."
    )
    chunks = Chunker(size=200).split(_doc(text))
    by_text = {c.text: c.heading for c in chunks}
    assert by_text["Inleiding zonder kop."] == ""
    assert by_text["Over het koor."] == "Koor"
    assert by_text["Elke dinsdag."] == "Koor > Repetities"
    assert by_text["Het buurthuis."] == "Koor > Repetities > Locatie"
    assert by_text["Minder eenzaam."] == "Koor > Resultaten"  # a sibling replaces the old level
    assert by_text["Over dansen."] == "Dans"  # a new top level resets the path


def test_heading_lines_are_not_part_of_chunk_text():
    chunks = Chunker().split(load_bytes(D.KOOR_MD.encode(), D.KOOR_PATH))
    assert chunks
    assert {c.heading for c in chunks} == {
        "Seniorenkoor De Zilveren Stemmen > Wat is het",
        "Seniorenkoor De Zilveren Stemmen > Resultaten",
    }
    for c in chunks:
        assert not c.text.lstrip().startswith("#")
    assert D.KOOR_SENTENCE in chunks[0].text


def test_trailing_hashes_and_hashtags():
    chunks = Chunker(size=200).split(_doc("## Kop met hekjes ##\n\nTekst.\n\n#geenkop maar tekst"))
    assert chunks[0].heading == "Kop met hekjes"
    assert "#geenkop maar tekst" in chunks[0].text  # no space after '#': not a heading


@pytest.mark.parametrize("size", [200, 400, 700])
def test_chunks_stay_near_the_size(size):
    paras = "\n\n".join(_sentences(4, f"alinea{i}") for i in range(12))
    text = f"# Groot document\n\n{paras}\n\n## Tweede deel\n\n{_sentences(30, 'lang')}"
    doc = _doc(text)
    chunks = Chunker(size=size, overlap=40).split(doc)
    assert len(chunks) > len(text) // (size * 2)
    for c in chunks:
        assert len(c.text) <= size * 1.3, (len(c.text), size)
        assert c.text.strip() == c.text and c.text
    # Most chunks are well filled: the splitter packs paragraphs, it does not cut per sentence.
    full = [c for c in chunks if len(c.text) >= size * 0.5]
    assert len(full) >= len(chunks) * 0.6


def test_every_chunk_carries_doc_path_and_consecutive_positions():
    doc = _doc("# A\n\n" + _sentences(40) + "\n\n# B\n\n" + _sentences(40, "ander"), "x/y/z.md")
    chunks = Chunker(size=300).split(doc)
    assert len(chunks) > 4
    assert all(isinstance(c, Chunk) for c in chunks)
    assert all(c.doc_path == "x/y/z.md" for c in chunks)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)
    assert chunks[3].id == "x/y/z.md::3"


def test_no_text_is_lost():
    words = [f"woord{i}" for i in range(600)]
    text = "# Kop\n\n" + "\n\n".join(" ".join(words[i : i + 30]) + "." for i in range(0, 600, 30))
    chunks = Chunker(size=250, overlap=0).split(_doc(text))
    joined = " ".join(c.text for c in chunks)
    assert all(w in joined for w in words)


def test_short_trailing_piece_merges_into_previous_chunk():
    long_para = _sentences(9)
    size = len(long_para) + 3  # the paragraph fits, the paragraph plus "Kort." does not
    chunker = Chunker(size=size)
    assert chunker._pieces([long_para, "Kort."]) == [long_para, "Kort."]  # noqa: SLF001
    chunks = chunker.split(_doc(f"# Kop\n\n{long_para}\n\nKort."))
    assert len(chunks) == 1
    assert chunks[0].text == long_para + "\n\nKort."
    assert chunks[0].position == 0


def test_short_section_under_its_own_heading_stays_separate():
    long_para = _sentences(9)
    text = f"# Een\n\n{long_para}\n\n# Twee\n\nKort."
    chunks = Chunker(size=len(long_para) + 3).split(_doc(text))
    assert [c.heading for c in chunks] == ["Een", "Twee"]
    assert chunks[1].text == "Kort."


def test_heading_only_document_gives_no_chunks():
    assert Chunker().split(_doc("# Alleen een kop\n\n## En nog een")) == []


def test_overlap_is_capped_at_half_the_size():
    c = Chunker(size=200, overlap=500)
    assert c._splitter._chunk_overlap == 100  # noqa: SLF001 - the cap is the behaviour under test
