"""Hybrid retrieval: weighted BM25 over term groups plus Chroma vectors, fused per chunk and doc."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from knowledge_base import text as T
from knowledge_base.query import Query, analyse
from knowledge_base.store import DocInfo, KnowledgeBase

MODES = ("hybrid", "lexical", "dense")
RRF_K = 20.0
EXPANSION_FACTOR = 0.6
DENSE_WEIGHT = 0.4
SECOND_CHUNK = 0.25
# The chunks next to a top document's retrieved ones join it as context: the sentence that answers
# is often one chunk away from the one that names the topic (stop 26: 33 of 751 labelled questions
# had their evidence only there). A neighbour scores this share of the chunk it borders.
NEIGHBOUR_DOCS = 3
NEIGHBOUR_FACTOR = 0.5


@dataclass
class ChunkHit:
    """A retrieved chunk with its fused score."""

    id: str
    doc_path: str
    score: float
    text: str = ""
    heading: str = ""
    lexical_rank: int | None = None
    dense_rank: int | None = None
    dense_sim: float | None = None


@dataclass
class DocHit:
    """A retrieved document: its best chunks and aggregated score."""

    doc: DocInfo
    score: float
    chunks: list[ChunkHit] = field(default_factory=list)


class Retriever:
    """Runs one query against the knowledge base in a given mode."""

    def __init__(self, kb: KnowledgeBase, depth: int = 40) -> None:
        self.kb = kb
        self.depth = depth

    def analyse(self, question: str) -> Query:
        """Analyse a question against the current vocabulary."""
        lex = self.kb.lexical
        return analyse(question, lex.idf, lex.df)

    def _lexical(self, q: Query) -> list[tuple[int, float]]:
        lex = self.kb.lexical
        total = np.zeros(lex.size, dtype=np.float32)
        for term in q.terms:
            best = np.zeros(lex.size, dtype=np.float32)
            for factor, alts in ((1.0, term.alts), (EXPANSION_FACTOR, term.expansion_alts)):
                for alt in alts:
                    if len(alt) == 1:
                        # One stem: only its own rows can change `best` (elsewhere its score is
                        # 0 and best >= 0), so work on those rows, not on every chunk.
                        rows, vals = lex.column(alt[0])
                        if len(rows):
                            best[rows] = np.maximum(best[rows], vals * factor)
                        continue
                    acc = np.zeros(lex.size, dtype=np.float32)
                    for s in alt:
                        rows, vals = lex.column(s)
                        acc[rows] += vals
                    if len(alt) > 1:
                        acc *= 0.5
                    np.maximum(best, acc * factor, out=best)
            total += best
        if not total.any():
            return []
        k = min(self.depth, int((total > 0).sum()))
        top = np.argpartition(-total, k - 1)[:k]
        top = top[np.argsort(-total[top])]
        return [(int(i), float(total[i])) for i in top]

    def search(
        self, question: str, mode: str = "hybrid", k_docs: int = 10, neighbour_docs: int = NEIGHBOUR_DOCS
    ) -> tuple[Query, list[DocHit]]:
        """Ranked documents (best first) with their best chunks."""
        self.kb.ensure_fresh()
        q = self.analyse(question)
        fused: dict[str, ChunkHit] = {}
        if mode in ("hybrid", "lexical") and self.kb.lexical.size:
            for rank, (pos, _score) in enumerate(self._lexical(q)):
                cid = self.kb.lexical.ids[pos]
                hit = fused.setdefault(cid, ChunkHit(cid, cid.rsplit("::", 1)[0], 0.0))
                hit.lexical_rank = rank
                hit.score += 1.0 / (RRF_K + rank)
        if mode in ("hybrid", "dense") and T.has_letters(question):
            for rank, (cid, sim) in enumerate(self.kb.dense.search(question, self.depth)):
                hit = fused.setdefault(cid, ChunkHit(cid, cid.rsplit("::", 1)[0], 0.0))
                hit.dense_rank, hit.dense_sim = rank, sim
                hit.score += (DENSE_WEIGHT if mode == "hybrid" else 1.0) / (RRF_K + rank)
        if not fused:
            return q, []
        infos = self.kb.doc_info({h.doc_path for h in fused.values()})
        by_doc: dict[str, DocHit] = {}
        for hit in sorted(fused.values(), key=lambda h: -h.score):
            info = infos.get(hit.doc_path)
            if info is None:  # removed since the index was built
                continue
            dh = by_doc.setdefault(hit.doc_path, DocHit(info, 0.0))
            dh.chunks.append(hit)
        words = set(T.words(question))
        for dh in by_doc.values():
            scores = [c.score for c in dh.chunks]
            # The best passage decides; further ones only break near-ties.
            dh.score = scores[0] + SECOND_CHUNK * sum(scores[1:3])
            if q.kind and dh.doc.kind == q.kind:
                dh.score *= 1.1
            region = T.normalise(dh.doc.meta.get("region") or "")
            if region and region in words:
                dh.score *= 1.2
        ranked = sorted(by_doc.values(), key=lambda d: -d.score)[:k_docs]
        for d in ranked:
            d.chunks = d.chunks[:3]
        extra = {d.doc.path: _neighbours(d.chunks) for d in ranked[:neighbour_docs]}
        wanted = [c.id for d in ranked for c in d.chunks] + [c.id for cs in extra.values() for c in cs]
        records = self.kb.chunks_by_id(wanted)
        for d in ranked:
            d.chunks = [c for c in d.chunks + extra.get(d.doc.path, []) if c.id in records]
            for c in d.chunks:
                c.text, c.heading = records[c.id].text, records[c.id].heading
        return q, ranked


def _neighbours(chunks: list[ChunkHit]) -> list[ChunkHit]:
    """The chunks just before and after the given ones of a document, not among them (ids end in
    `::position`), each scored a share of the chunk it borders."""
    have = {c.id for c in chunks}
    out: dict[str, ChunkHit] = {}
    for c in chunks:
        path, _, pos = c.id.rpartition("::")
        if not pos.isdigit():
            continue
        for n in (int(pos) - 1, int(pos) + 1):
            cid = f"{path}::{n}"
            if n >= 0 and cid not in have and cid not in out:
                out[cid] = ChunkHit(cid, c.doc_path, c.score * NEIGHBOUR_FACTOR)
    return list(out.values())
