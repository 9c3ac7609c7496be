"""Runtime wiring, settings and the embedding-model guard."""

from __future__ import annotations

import importlib.util

import pytest
import support.docs as D
from pydantic import ValidationError
from support.docs import make_settings

from app import runtime as runtime_module
from app.runtime import build_runtime
from bot.config import DEFAULT_EMBEDDING, Settings
from knowledge_base.embeddings import EmbeddingConfigError, WordLlamaEmbeddings, load_embeddings
from knowledge_base.store import IndexMismatchError


def test_settings_read_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("VERBINDER_DATA_DIR", str(tmp_path / "x"))
    monkeypatch.setenv("VERBINDER_CHUNK_SIZE", "300")
    monkeypatch.setenv("VERBINDER_SAMPLE_KB", "false")
    s = Settings(_env_file=None)
    assert s.data_dir == tmp_path / "x"
    assert s.chunk_size == 300
    assert s.sample_kb is False
    assert s.embedding_model == DEFAULT_EMBEDDING
    assert s.sqlalchemy_url == f"sqlite:///{(tmp_path / 'x' / 'verbinder.db').resolve()}"
    assert s.chroma_dir == tmp_path / "x" / "chroma"
    assert s.lexical_dir == tmp_path / "x" / "lexical"


def test_settings_validate_ranges(tmp_path):
    with pytest.raises(ValidationError):
        make_settings(tmp_path, chunk_size=10)
    with pytest.raises(ValidationError):
        make_settings(tmp_path, answer_threshold=1.5)


def test_build_runtime_creates_an_empty_knowledge_base(tmp_path):
    settings = make_settings(tmp_path / "data", chunk_size=300, chunk_overlap=30)
    rt = build_runtime(settings)
    assert (tmp_path / "data" / "verbinder.db").exists()
    assert rt.kb.stats()["documents"] == 0
    assert rt.chunker.size == 300
    assert rt.ensure_sample() is None  # sample_kb=False
    a = rt.assistant.ask("Waar repeteert het seniorenkoor?")
    assert a.routed is True and a.candidates == ()


def test_embeddings_are_normalised_vectors():
    emb = load_embeddings(DEFAULT_EMBEDDING)
    assert isinstance(emb, WordLlamaEmbeddings)
    vecs = emb.embed_documents(["kunst op recept", "museum tours for people with dementia"])
    assert len(vecs) == 2 and len(vecs[0]) == 256
    assert abs(sum(x * x for x in vecs[0]) - 1.0) < 1e-3
    assert emb.embed_documents([]) == []
    assert len(emb.embed_query("koor")) == 256


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("nosuch:model", "unknown embedding provider 'nosuch'"),
        ("wordllama:l2_supercat_64", "cannot load embedding model"),
        ("wordllama:l2_supercat_abc", "cannot load embedding model"),
    ],
)
def test_bad_embedding_specs(spec, message):
    with pytest.raises(EmbeddingConfigError, match=message):
        load_embeddings(spec)


@pytest.mark.skipif(
    importlib.util.find_spec("langchain_openai") is not None, reason="langchain-openai is installed here"
)
def test_missing_provider_package_is_named():
    with pytest.raises(EmbeddingConfigError, match="needs an extra package: langchain_openai"):
        load_embeddings("openai:text-embedding-3-small")


# -- index / model mismatch -------------------------------------------------------------------
def test_other_embedding_model_raises_index_mismatch(kb):
    other = make_settings(kb.data_dir, embedding_model="wordllama:")  # loads the same weights
    with pytest.raises(IndexMismatchError) as info:
        build_runtime(other)
    msg = str(info.value)
    assert "verbinder kb rebuild" in msg
    assert "wordllama:l2_supercat_256" in msg and "'wordllama:'" in msg


def test_mismatch_check_can_be_skipped_for_rebuild(kb):
    rt = build_runtime(make_settings(kb.data_dir, embedding_model="wordllama:"), check_model=False)
    assert rt.kb.stats()["embedding_model"] == DEFAULT_EMBEDDING  # nothing was rewritten


def test_empty_index_accepts_any_model(tmp_path):
    rt = build_runtime(make_settings(tmp_path / "data", embedding_model="wordllama:"))
    assert rt.kb.stats()["embedding_model"] == "wordllama:"


def test_mismatch_is_checked_before_loading_the_configured_model(kb, monkeypatch):
    """The stored model is compared first, so a mismatched model is never loaded."""
    loaded: list[str] = []
    real = runtime_module.load_embeddings

    def spy(spec: str):
        loaded.append(spec)
        return real(spec)

    monkeypatch.setattr(runtime_module, "load_embeddings", spy)
    with pytest.raises(IndexMismatchError):
        build_runtime(make_settings(kb.data_dir, embedding_model="wordllama:"))
    assert loaded == []


def test_mismatch_is_reported_before_loading_the_other_model(kb):
    with pytest.raises(IndexMismatchError, match="verbinder kb rebuild"):
        build_runtime(make_settings(kb.data_dir, embedding_model="wordllama:l2_supercat_64"))


def test_rebuild_switches_the_model(tmp_path):
    src = tmp_path / "src"
    src.mkdir()
    (src / "koor.md").write_text(D.KOOR_MD, encoding="utf-8")
    rt = build_runtime(make_settings(tmp_path / "data"))
    rt.ingest([src])
    chunks = rt.kb.stats()["chunks"]

    other = make_settings(tmp_path / "data", embedding_model="wordllama:")
    rt2 = build_runtime(other, check_model=False)
    assert rt2.kb.rebuild_dense() == chunks
    assert rt2.kb.dense.count() == chunks
    assert build_runtime(other).kb.stats()["embedding_model"] == "wordllama:"
    with pytest.raises(IndexMismatchError):
        build_runtime(make_settings(tmp_path / "data"))


def test_fast_embedding_path_matches_wordllama_embed():
    """embed_array pools tokens itself; the numbers are exactly WordLlama.embed(norm=True)'s."""
    import numpy as np

    emb = load_embeddings(DEFAULT_EMBEDDING)
    texts = ["kunst op recept", "Museum tours for people with dementia.", "koor " * 600, "é", "   "]
    # Short and long texts, more than are tokenised one by one.
    texts += [f"Het koor {i} zingt in het verpleeghuis. " * (1 + i % 40) for i in range(300)]
    padding = emb._model.tokenizer.padding
    fast = emb.embed_array(texts)
    assert emb._model.tokenizer.padding == padding  # the model's tokenizer is left as it was
    ref = emb._model.embed(texts, norm=True, return_np=True)
    assert fast.dtype == np.float32 and fast.shape == (len(texts), 256)
    assert np.array_equal(fast, ref)  # the same float32 sums, not just close ones
    assert np.array_equal(emb.embed_array(texts[:40]), ref[:40])  # a small batch: tokenised one by one
    assert np.array_equal(emb.embed_query("kunst op recept"), fast[0])
    assert not np.isnan(emb.embed_array([""])).any()


def test_a_rebuild_reuses_tokens_only_of_unchanged_documents(tmp_path):
    """The BM25 rebuild after an upsert reuses the tokens of unchanged chunks; a document whose
    title or text changed is tokenised again (its new words are found, its old ones not)."""
    from ingest.loaders import file_hash
    from knowledge_base.models import Document

    rt = build_runtime(make_settings(tmp_path / "data"))

    def put(path: str, title: str, text: str) -> None:
        doc = Document(
            path=path, title=title, text=text, language="nl", content_hash=file_hash(text.encode())
        )
        rt.kb.upsert([(doc, rt.chunker.split(doc))])

    def found(word: str) -> set[str]:
        _, hits = rt.assistant.retriever.search(word, mode="lexical")
        return {h.doc.path for h in hits}

    put("a.md", "Kwikstaartenclub", "Een club die samen zingt in de bibliotheek.")
    put("b.md", "Boekenclub", "Lezen met ouderen in de wijk.")
    assert "a.md" in found("kwikstaartenclub")
    put("a.md", "Boomkleverclub", "Een club die samen zingt in de bibliotheek.")  # same text, new title
    assert "a.md" in found("boomkleverclub") and "a.md" not in found("kwikstaartenclub")
    put("b.md", "Boekenclub", "Voorlezen met kleuters op het plein.")  # same title, new text
    assert "b.md" in found("kleuters") and "b.md" in found("boekenclub")
