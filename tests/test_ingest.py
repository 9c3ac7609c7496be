"""Incremental ingest, failure reporting, pruning and the knowledge-base maintenance calls."""

from __future__ import annotations

import shutil
from pathlib import Path

import support.docs as D
from support.docs import make_settings

from app.runtime import build_runtime
from ingest.pipeline import collect

OLD = "Het lantaarnproject trekt elke winter zeshonderd zebravinken naar de volkstuin."
NEW = "Het lantaarnproject verhuist dit jaar naar de oude watertoren aan de rivier."


def _write(root: Path, rel: str, text: str | bytes) -> Path:
    p = root / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        p.write_bytes(text)
    else:
        p.write_text(text, encoding="utf-8")
    return p


def _md(title: str, body: str) -> str:
    return f"---\ntitle: {title}\nlanguage: nl\nkind: project\n---\n# {title}\n\n{body}\n"


def _all_chunk_text(rt) -> str:
    ids = rt.kb.lexical.ids
    return "\n".join(r.text for r in rt.kb.chunks_by_id(ids).values())


def _lexical_hit_texts(rt, question: str) -> list[str]:
    _, ranked = rt.assistant.retriever.search(question, mode="lexical")
    return [c.text for d in ranked for c in d.chunks]


# -- first and second run on the shared knowledge base --------------------------------------
def test_first_run_adds_every_file(kb):
    r = kb.report
    assert r.ok
    assert sorted(r.added) == sorted(D.CORPUS_PATHS)
    assert r.updated == r.unchanged == r.removed == r.failed == []
    assert r.chunks == kb.rt.kb.stats()["chunks"] > len(D.CORPUS_PATHS) - 1
    assert r.bytes_read == sum(p.stat().st_size for p in kb.corpus.rglob("*") if p.is_file())


def test_second_run_changes_nothing(kb):
    before = kb.rt.kb.stats()
    version = kb.rt.kb.lexical.version
    r = kb.rt.ingest([kb.corpus])
    assert r.ok
    assert sorted(r.unchanged) == sorted(D.CORPUS_PATHS)
    assert r.added == r.updated == r.removed == []
    assert r.chunks == 0
    assert kb.rt.kb.stats() == before
    assert kb.rt.kb.lexical.version == version  # no needless index rebuild


def test_stats_by_kind_and_language(kb):
    s = kb.rt.kb.stats()
    assert s["documents"] == len(D.CORPUS_PATHS)
    assert s["documents_by_kind"] == {"document": 5, "project": 1, "tip": 2, "qa": 1}
    assert s["documents_by_language"] == {"nl": 6, "en": 3}
    assert sum(s["chunks_by_kind"].values()) == s["chunks"]
    assert sum(s["chunks_by_language"].values()) == s["chunks"]
    assert s["embedding_model"] == kb.settings.embedding_model
    assert s["chunks"] == kb.rt.kb.dense.count() == kb.rt.kb.lexical.size


def test_documents_list_is_sorted_with_metadata(kb):
    docs = kb.rt.kb.documents()
    assert [d.path for d in docs] == sorted(D.CORPUS_PATHS)
    koor = next(d for d in docs if d.path == D.KOOR_PATH)
    assert koor.title == "Seniorenkoor De Zilveren Stemmen in Amersfoort"
    assert koor.url == "https://example.org/zilveren-stemmen"
    assert (koor.kind, koor.language) == ("project", "nl")
    assert koor.meta["region"] == "Amersfoort"
    assert koor.meta["tags"] == ["zang", "ouderen", "eenzaamheid"]
    assert koor.n_chunks >= 1
    assert all(d.n_chunks >= 1 for d in docs)


def test_hashes_cover_every_file(kb):
    hashes = kb.rt.kb.hashes()
    assert set(hashes) == set(D.CORPUS_PATHS)
    assert all(len(h) == 64 for h in hashes.values())


# -- changes ----------------------------------------------------------------------------------
def test_changed_file_is_updated_and_old_text_is_gone(tmp_path, new_runtime):
    src = tmp_path / "src"
    _write(src, "lantaarn.md", _md("Lantaarnproject", OLD))
    _write(src, "koor.md", D.KOOR_MD)
    rt = new_runtime()
    first = rt.ingest([src])
    assert sorted(first.added) == ["koor.md", "lantaarn.md"]
    assert any("zebravinken" in t for t in _lexical_hit_texts(rt, "zebravinken volkstuin"))

    _write(src, "lantaarn.md", _md("Lantaarnproject", NEW))
    second = rt.ingest([src])
    assert second.updated == ["lantaarn.md"]
    assert second.unchanged == ["koor.md"]
    assert second.added == [] and second.ok

    assert "zebravinken" not in _all_chunk_text(rt)
    for mode in ("lexical", "dense", "hybrid"):
        _, ranked = rt.assistant.retriever.search("zebravinken in de volkstuin", mode=mode)
        assert all("zebravinken" not in c.text for d in ranked for c in d.chunks), mode
    assert any("watertoren" in t for t in _lexical_hit_texts(rt, "watertoren rivier"))
    assert rt.kb.dense.count() == rt.kb.lexical.size == rt.kb.stats()["chunks"]
    a = rt.assistant.ask("Hoeveel zebravinken trekt het lantaarnproject?")
    assert "zebravinken" not in a.answer


def test_prune_removes_deleted_files(tmp_path, new_runtime):
    src = tmp_path / "src"
    _write(src, "lantaarn.md", _md("Lantaarnproject", OLD))
    _write(src, "koor.md", D.KOOR_MD)
    rt = new_runtime()
    rt.ingest([src])
    (src / "lantaarn.md").unlink()

    kept = rt.ingest([src])
    assert kept.removed == [] and kept.unchanged == ["koor.md"]
    assert "lantaarn.md" in rt.kb.hashes()  # without --prune nothing is removed

    pruned = rt.ingest([src], prune=True)
    assert pruned.removed == ["lantaarn.md"]
    assert set(rt.kb.hashes()) == {"koor.md"}
    assert "zebravinken" not in _all_chunk_text(rt)
    assert _lexical_hit_texts(rt, "zebravinken volkstuin") == []
    assert rt.kb.dense.count() == rt.kb.stats()["chunks"]


def test_failing_files_are_reported_while_others_ingest(tmp_path, new_runtime):
    src = tmp_path / "src"
    _write(src, "goed/koor.md", D.KOOR_MD)
    _write(src, "goed/museum.md", D.MUSEUM_MD)
    _write(src, "goed/lantaarn.pdf", D.pdf_bytes())
    bad = {
        "kapot/kapot.pdf": D.CORRUPT_PDF,
        "kapot/junk.md": D.BINARY_JUNK,
        "kapot/leeg.md": b"",
        "kapot/onbekend.xyz": b"wat is dit",
        "kapot/front-matter.md": D.BROKEN_FRONT_MATTER.encode(),
    }
    for rel, data in bad.items():
        _write(src, rel, data)
    rt = new_runtime()
    report = rt.ingest([src])
    assert report.ok is False
    assert sorted(report.added) == ["goed/koor.md", "goed/lantaarn.pdf", "goed/museum.md"]
    reasons = dict(report.failed)
    assert set(reasons) == set(bad)
    assert "corrupt PDF" in reasons["kapot/kapot.pdf"]
    assert "binary" in reasons["kapot/junk.md"]
    assert "empty file" in reasons["kapot/leeg.md"]
    assert "unsupported file type '.xyz'" in reasons["kapot/onbekend.xyz"]
    assert "broken YAML front matter" in reasons["kapot/front-matter.md"]
    assert set(rt.kb.hashes()) == {"goed/koor.md", "goed/museum.md", "goed/lantaarn.pdf"}
    # The good files are searchable.
    assert rt.assistant.ask("Waar repeteert het seniorenkoor?").sources[0].path == "goed/koor.md"


def test_file_that_turns_corrupt_is_reported_and_last_good_version_kept(tmp_path, new_runtime):
    src = tmp_path / "src"
    _write(src, "lantaarn.pdf", D.pdf_bytes())
    rt = new_runtime()
    assert rt.ingest([src]).added == ["lantaarn.pdf"]
    _write(src, "lantaarn.pdf", D.CORRUPT_PDF)
    report = rt.ingest([src], prune=True)
    assert [p for p, _ in report.failed] == ["lantaarn.pdf"]
    assert report.removed == []  # a failing file is not treated as deleted
    assert "lantaarn.pdf" in rt.kb.hashes()


def test_file_size_limit_is_reported(tmp_path, new_runtime):
    src = tmp_path / "src"
    _write(src, "groot.md", "Tekst over kunst en zorg. " * 100)
    _write(src, "klein.md", "Korte tekst over kunst.")
    rt = new_runtime(max_file_mb=0.001)  # 1000 bytes
    report = rt.ingest([src])
    assert report.added == ["klein.md"]
    assert len(report.failed) == 1 and report.failed[0][0] == "groot.md"
    assert "file too large" in report.failed[0][1] and "VERBINDER_MAX_FILE_MB" in report.failed[0][1]


def test_hidden_files_and_folders_are_skipped(tmp_path):
    _write(tmp_path, "zichtbaar.md", "Tekst.")
    _write(tmp_path, ".verborgen.md", "Tekst.")
    _write(tmp_path, ".git/config.md", "Tekst.")
    _write(tmp_path, "map/.cache/x.md", "Tekst.")
    assert [rel for _, rel, _ in collect([tmp_path])] == ["zichtbaar.md"]


def test_single_file_identity_is_its_name(tmp_path):
    p = _write(tmp_path, "a/b/koor.md", D.KOOR_MD)
    assert collect([p]) == [(p, "koor.md", str((tmp_path / "a" / "b").resolve()))]


def test_same_identity_twice_is_a_failure(tmp_path, new_runtime):
    _write(tmp_path / "een", "koor.md", D.KOOR_MD)
    _write(tmp_path / "twee", "koor.md", D.KOOR_MD.replace("veertig", "vijftig"))
    report = new_runtime().ingest([tmp_path / "een", tmp_path / "twee"])
    assert report.added == ["koor.md"]
    assert report.failed == [("koor.md", "duplicate path: another input has the same identity")]


def test_same_identity_from_another_root_in_a_later_run_is_refused(tmp_path, new_runtime):
    _write(tmp_path / "een", "info.md", D.KOOR_MD)
    _write(tmp_path / "twee", "info.md", D.MUSEUM_MD)
    rt = new_runtime()
    rt.ingest([tmp_path / "een"])
    report = rt.ingest([tmp_path / "twee"])
    assert report.updated == [] and report.added == []
    [(path, reason)] = report.failed
    assert path == "info.md" and str((tmp_path / "een").resolve()) in reason
    assert "veertig" in _all_chunk_text(rt)  # the first folder's document is still there


def test_a_folder_moved_elsewhere_updates_its_documents(tmp_path, new_runtime):
    _write(tmp_path / "oud", "info.md", D.KOOR_MD)
    rt = new_runtime()
    rt.ingest([tmp_path / "oud"])
    shutil.move(tmp_path / "oud", tmp_path / "nieuw")
    report = rt.ingest([tmp_path / "nieuw"])
    assert report.ok and report.unchanged == ["info.md"]


def test_missing_path_is_reported(tmp_path, new_runtime):
    report = new_runtime().ingest([tmp_path / "bestaat-niet"])
    assert not report.ok
    assert any("bestaat-niet" in p for p, _ in report.failed)
    assert any(r == "path does not exist" for _, r in report.failed)


def test_missing_path_is_reported_once(tmp_path, new_runtime):
    report = new_runtime().ingest([tmp_path / "bestaat-niet.md"])
    assert len(report.failed) == 1


def test_prune_keeps_documents_of_other_folders(tmp_path, new_runtime):
    _write(tmp_path / "a", "koor.md", D.KOOR_MD)
    _write(tmp_path / "b", "museum.md", D.MUSEUM_MD)
    rt = new_runtime()
    rt.ingest([tmp_path / "a"])
    report = rt.ingest([tmp_path / "b"], prune=True)
    assert report.removed == []
    assert set(rt.kb.hashes()) == {"koor.md", "museum.md"}


def test_progress_callback_sees_every_file(tmp_path, new_runtime):
    _write(tmp_path / "src", "koor.md", D.KOOR_MD)
    _write(tmp_path / "src", "museum.md", D.MUSEUM_MD)
    calls: list[tuple[int, int, str]] = []
    new_runtime().ingest([tmp_path / "src"], progress=lambda i, n, name: calls.append((i, n, name)))
    assert calls[0] == (0, 2, "koor.md")
    assert (1, 2, "museum.md") in calls
    assert calls[-1] == (2, 2, "")


# -- remove and persistence ---------------------------------------------------------------
def test_remove_documents(tmp_path, new_runtime):
    src = tmp_path / "src"
    _write(src, "koor.md", D.KOOR_MD)
    _write(src, "museum.md", D.MUSEUM_MD)
    rt = new_runtime()
    rt.ingest([src])
    assert rt.kb.remove(["koor.md", "bestaat-niet.md"]) == 1
    assert [d.path for d in rt.kb.documents()] == ["museum.md"]
    assert rt.kb.remove(["koor.md"]) == 0
    assert "Zilveren" not in _all_chunk_text(rt)
    for mode in ("lexical", "dense", "hybrid"):
        _, ranked = rt.assistant.retriever.search("seniorenkoor Zilveren Stemmen", mode=mode)
        assert all(d.doc.path != "koor.md" for d in ranked), mode
    # Removed files come back as new on the next ingest.
    assert rt.ingest([src]).added == ["koor.md"]


def test_knowledge_base_survives_a_restart(tmp_path):
    settings = make_settings(tmp_path / "data")
    src = tmp_path / "src"
    _write(src, "koor.md", D.KOOR_MD)
    build_runtime(settings).ingest([src])

    again = build_runtime(settings)
    assert again.kb.stats()["documents"] == 1
    assert again.ingest([src]).unchanged == ["koor.md"]
    assert again.assistant.ask("Waar repeteert het seniorenkoor?").sources[0].path == "koor.md"

    # A lost lexical snapshot is rebuilt from the database.
    shutil.rmtree(settings.lexical_dir)
    third = build_runtime(settings)
    assert third.kb.lexical.size == third.kb.stats()["chunks"]
    assert third.assistant.ask("Waar repeteert het seniorenkoor?", mode="lexical").sources


# -- batching and the dense layout ------------------------------------------------------------
def test_batches_split_by_chunk_count_and_vector_batches(tmp_path, new_runtime, monkeypatch):
    import ingest.pipeline as pipeline
    import knowledge_base.dense as dense_module

    src = tmp_path / "src"
    for i in range(5):
        _write(src, f"doc{i}.md", _md(f"Project {i}", f"Tekst {i} over kunst en zorg."))
    _write(src, "koor.md", D.KOOR_MD)
    monkeypatch.setattr(pipeline, "BATCH_CHUNKS", 2)
    monkeypatch.setattr(dense_module, "_ADD_BATCH", 1)
    rt = new_runtime()
    calls: list[int] = []
    real = rt.kb.upsert
    monkeypatch.setattr(
        rt.kb,
        "upsert",
        lambda items, refresh=True: (calls.append(len(items)), real(items, refresh=refresh))[1],
    )
    report = rt.ingest([src])
    assert report.ok and len(report.added) == 6
    assert len(calls) >= 3 and sum(calls) == 6
    assert rt.kb.dense.count() == rt.kb.lexical.size == rt.kb.stats()["chunks"] == report.chunks


def test_chroma_stores_ids_and_vectors_only(kb):
    """Chunk text and its document live in SQL; Chroma keeps ids and vectors."""
    got = kb.rt.kb.dense.collection.get(include=["documents", "metadatas"], limit=5)
    assert got["ids"]
    assert all(doc is None for doc in got["documents"])
    assert all(not m for m in got["metadatas"])


def test_index_written_with_text_in_chroma_keeps_working(tmp_path, new_runtime):
    """Older versions stored chunk text and metadata in Chroma; no rebuild is needed."""
    src = tmp_path / "src"
    _write(src, "lantaarn.md", _md("Lantaarnproject", OLD))
    _write(src, "koor.md", D.KOOR_MD)
    rt = new_runtime()
    rt.ingest([src])
    coll = rt.kb.dense.collection
    old = coll.get(include=["embeddings", "metadatas"])
    texts = {r.id: r.text for r in rt.kb.chunks_by_id(old["ids"]).values()}
    coll.upsert(  # rewrite every record the way the old layout stored it
        ids=old["ids"],
        embeddings=old["embeddings"],
        documents=[texts[i] for i in old["ids"]],
        metadatas=[{"path": i.rsplit("::", 1)[0], "kind": "project", "language": "nl"} for i in old["ids"]],
    )
    assert all(coll.get(include=["documents"])["documents"])
    _write(src, "lantaarn.md", _md("Lantaarnproject", NEW))
    assert rt.ingest([src]).updated == ["lantaarn.md"]
    assert rt.kb.dense.count() == rt.kb.stats()["chunks"]
    _, ranked = rt.assistant.retriever.search("watertoren aan de rivier", mode="dense")
    assert {d.doc.path for d in ranked} == {"koor.md", "lantaarn.md"}
    found = " ".join(c.text for d in ranked for c in d.chunks)
    assert "watertoren" in found and "zebravinken" not in found


def test_nothing_outside_the_folder_is_read_and_every_skipped_path_is_reported(tmp_path, new_runtime):
    import os

    outside = tmp_path / "geheim.md"
    outside.write_text("Het wachtwoord van de server is kunstzorg2026.", encoding="utf-8")
    src = tmp_path / "src"
    _write(src, "koor.md", "Het koor repeteert op dinsdag in buurthuis De Linde.")
    os.symlink(outside, src / "link.md")  # a link out of the folder
    os.symlink(tmp_path / "bestaat-niet.md", src / "kapot.md")  # a broken link
    os.symlink(tmp_path, src / "lus")  # a folder link (here: a loop back up)
    report = new_runtime().ingest([src])
    assert report.added == ["koor.md"]
    reasons = dict(report.failed)
    assert "outside the folder" in reasons["link.md"] and reasons["kapot.md"] == "broken link"
    assert "not followed" in reasons["lus"]
