"""The near-duplicate check before a submission is queued: does the knowledge base have it already?"""

from __future__ import annotations

from typing import TYPE_CHECKING

from knowledge_base import text as T

if TYPE_CHECKING:
    from knowledge_base.retrieval import Retriever

# Share of the submission's content words (weighted by how rare they are in the knowledge base, so
# the names and places that make a tip its own count most) the best passage must hold to be the same.
SAME_WORDS = 0.7
MIN_WORDS = 6  # shorter texts say too little to be called a copy of anything


def _words(text: str) -> set[str]:
    return set(T.content_words(text))


class NearDuplicates:
    """Finds a knowledge-base document that says what a submission says."""

    def __init__(self, retriever: Retriever) -> None:
        self.retriever = retriever

    def __call__(self, kind: str, values: dict[str, str]) -> str:
        """'‘Title’ (url or path)' of the near-duplicate, or '' when there is none."""
        title = values.get("title", "").strip()
        body = values.get("text", "").strip()
        query = f"{title}\n{body}"[:2000]
        if not query.strip():
            return ""
        _, hits = self.retriever.search(query, k_docs=3, neighbour_docs=0)
        mine = _words(body) or _words(title)
        lang = T.detect_language(query)
        lexical = self.retriever.kb.lexical
        weight = {w: lexical.idf(T.stem(w, lang)) for w in mine}
        total = sum(weight.values()) or 1.0
        for hit in hits:
            same_title = bool(title) and T.normalise(hit.doc.title).strip() == T.normalise(title)
            best = max((sum(weight[w] for w in mine & _words(c.text)) for c in hit.chunks), default=0.0)
            copied = len(mine) >= MIN_WORDS and best / total >= SAME_WORDS
            if same_title or copied:
                return f"‘{hit.doc.title}’ ({hit.doc.url or hit.doc.path})"
        return ""
