"""Evidence: every sentence of the top passages as a candidate quote, with the signals of whether it answers.

A candidate is a sentence read with its neighbours and its heading. Its features say how much of
the question it covers, whether it states the asked attribute and a fact of the asked type, whether
the question's constraints (a place, a year, a name) hold in it or in its document, and how close it
is in meaning. The quote ranker and the answerability model (knowledge_base/calibration.py) weigh them.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from knowledge_base import text as T
from knowledge_base.analysis import Analysis
from knowledge_base.facts import TYPE_OF, by_first, fact_near, spots, typed_fact
from knowledge_base.query import Query
from knowledge_base.retrieval import ChunkHit, DocHit
from knowledge_base.terms import Matcher, parse_passage, passage_stems
from knowledge_base.word_forms import DATA

Embed = Callable[[list[str]], np.ndarray]  # texts -> L2-normalised rows
# Question types a candidate is told about (`q_<type>`): the kinds the labelled sets are written in.
# The rarer types of question_types.tsv (phone, email, money, duration …) read as none of them and
# are told apart by `typed_q` and the typed-fact features.
QUESTION_KINDS = (
    "person_org",
    "number",
    "date",
    "place",
    "reason",
    "procedure",
    "definition",
    "yesno",
    "list",
    "other",
)


@lru_cache(maxsize=1)
def _cues() -> dict[str, tuple[tuple[str, ...], ...]]:
    out: dict[str, tuple[tuple[str, ...], ...]] = {}
    for line in (DATA / "answer_cues.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            kind, phrases = line.split("\t")
            out[kind] = tuple(tuple(T.words(p)) for p in phrases.split("|") if T.words(p))
    return out


@lru_cache(maxsize=65536)
def sentence_words(sentence: str) -> tuple[str, ...]:
    """The normalised words of a sentence (cached: the same sentences come back for every question)."""
    return tuple(T.words(sentence))


def _has_phrase(words: tuple[str, ...], phrases: tuple[tuple[str, ...], ...]) -> bool:
    return bool(phrases) and not by_first(phrases).keys().isdisjoint(words) and bool(spots(words, phrases))


@lru_cache(maxsize=65536)
def _content_of(sentence: str) -> tuple[str, ...]:
    """The sentence's content words (no function words, no one-letter tokens)."""
    return tuple(w for w in sentence_words(sentence) if w not in T.STOPWORDS and len(w) > 1)


class _SentenceVectors:
    """Embeddings of knowledge-base sentences, kept between questions (float16, bounded)."""

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._rows: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()  # questions are answered in worker threads

    def similarities(self, embed: Embed, question: str, sentences: list[str]) -> np.ndarray:
        """Cosine of the question with each sentence."""
        with self._lock:
            new = [s for s in dict.fromkeys(sentences) if s not in self._rows]
            if len(self._rows) + len(new) > self.size:
                # Full: start again (before embedding, so this question's sentences all stay in).
                self._rows.clear()
                new = list(dict.fromkeys(sentences))
            vecs = embed([question, *new])
            for s, v in zip(new, vecs[1:], strict=True):
                self._rows[s] = v.astype(np.float16)
            matrix = np.stack([self._rows[s] for s in sentences]).astype(np.float32)
        return matrix @ vecs[0]


_vectors = _SentenceVectors()


@dataclass
class Candidate:
    """A sentence of a retrieved passage as a possible quote, with its features and score."""

    sentence: str
    doc: DocHit
    chunk: ChunkHit
    index: int  # in the chunk's sentences
    neighbours: tuple[str, ...]  # the chunk's sentences (to quote a window)
    features: dict[str, float] = field(default_factory=dict)
    score: float = 0.0

    @property
    def coverage(self) -> float:
        """Weighted share of the question's terms the sentence's window covers."""
        return self.features.get("cov_win", 0.0)


@dataclass
class Pool:
    """All candidates of a question, with what is known per document."""

    candidates: list[Candidate]
    doc_coverage: dict[str, float]
    doc_constraints: dict[str, float]  # share of the question's constraints each document matches
    best_chunk_coverage: float
    constraints_in_kb: float  # share of the constraints the knowledge base knows at all
    doc_missing: dict[str, float] = field(default_factory=dict)  # largest uncovered term weight per document
    doc_absent: dict[str, float] = field(default_factory=dict)  # largest known term the document never uses


def _constraint_forms(analysis: Analysis) -> list[list[set[str]]]:
    """Per constraint, per word: the stems under which a passage may hold it."""
    return [[{T.stem(w, "nl"), T.stem(w, "en")} for w in c.words] for c in analysis.constraints]


def _constraint_hits(forms: list[list[set[str]]], stems: frozenset[str] | set[str]) -> list[bool]:
    return [all(not f.isdisjoint(stems) for f in words) for words in forms]


def _header_stems(dh: DocHit) -> frozenset[str]:
    """The stems of a document's title, region and organisations."""
    meta = dh.doc.meta
    text = " ".join([dh.doc.title, meta.get("region") or "", " ".join(meta.get("organisations") or [])])
    return passage_stems(text, dh.doc.language)


def _specific_coverage(
    candidates: list[Candidate],
    own_win: list[tuple[list[float], list[float]]],
    doc_head: dict[str, list[float]],
    weights: list[float],
) -> None:
    """Coverage of the question's terms that are specific within the document (`spec_own`, `spec_win`).

    A term in the document's title, or in most of its sentences, is what the document is about: it
    found the document, but does not tell its sentences apart. A term in one sentence of it
    ("danservaring") is what the question asks of the document, and the sentence holding it is the
    likelier answer. Each term weighs its weight times the share of the document's sentences
    without it (none when the title has it).
    """
    by_doc: dict[str, dict[str, list[float]]] = {}
    for c, (own, _win) in zip(candidates, own_win, strict=True):
        by_doc.setdefault(c.doc.doc.path, {}).setdefault(c.sentence, own)
    local: dict[str, list[float]] = {}
    for path, sentences in by_doc.items():
        n = len(sentences)
        head = doc_head[path]
        counts = [sum(1 for cr in sentences.values() if cr[j] >= 0.5) for j in range(len(weights))]
        local[path] = [0.0 if head[j] >= 0.5 else w * (1.0 - counts[j] / n) for j, w in enumerate(weights)]
    for c, (own, win) in zip(candidates, own_win, strict=True):
        lw = local[c.doc.doc.path]
        total = sum(lw)
        c.features["spec_own"] = sum(w * x for w, x in zip(lw, own, strict=True)) / total if total else 0.0
        c.features["spec_win"] = sum(w * x for w, x in zip(lw, win, strict=True)) / total if total else 0.0


def collect(
    q: Query,
    analysis: Analysis,
    ranked: list[DocHit],
    df: Callable[[str], int],
    embed: Embed | None = None,
    top_docs: int = 8,
) -> Pool:
    """Candidates from the top documents with their features (scores are left to the ranker)."""
    parsed = []
    vocab: set[str] = set()
    headers: dict[str, frozenset[str]] = {}  # each document's title and metadata
    for dh in ranked[:top_docs]:
        lang = dh.doc.language
        header = headers[dh.doc.path] = _header_stems(dh)
        vocab |= header
        for ch in dh.chunks:
            sentences, sent_stems = parse_passage(ch.text, lang)
            head = header | passage_stems(ch.heading, lang)
            vocab |= head.union(*sent_stems)
            parsed.append((dh, ch, head, sentences, sent_stems))
    matcher = Matcher(q, vocab)
    doc_head = {path: matcher.credits(header) for path, header in headers.items()}
    asked_words = set(T.words(q.text))
    kind = next((a.answer_type for a in analysis.attributes if a.answer_type), None) or TYPE_OF.get(
        analysis.qtype
    )
    n_cons = len(analysis.constraints)
    forms = _constraint_forms(analysis)
    known_cons = [
        all(df(T.stem(w, "nl")) > 0 or df(T.stem(w, "en")) > 0 for w in c.words) for c in analysis.constraints
    ]
    doc_stems: dict[str, set[str]] = {}
    for dh, _ch, head, _sentences, sent_stems in parsed:
        doc_stems.setdefault(dh.doc.path, set()).update(head.union(*sent_stems))
    doc_cons = {
        p: (sum(_constraint_hits(forms, st)) / n_cons if n_cons else 1.0) for p, st in doc_stems.items()
    }
    top_score = max((ch.score for _dh, ch, *_ in parsed), default=1.0) or 1.0
    rank_of = {dh.doc.path: i for i, dh in enumerate(ranked[:top_docs])}
    cues = _cues().get(analysis.qtype, ())
    attr_phrases = tuple(p for a in analysis.attributes for p in a.phrases)
    weights = [t.weight for t in q.terms]
    top_w = max(weights, default=1.0) or 1.0
    focus = (
        [i for i, t in enumerate(q.terms) if t.word in analysis.focus] or [weights.index(top_w)]
        if weights
        else []
    )
    q_words = set(T.content_words(q.text))

    def missing(credits: list[float]) -> tuple[float, float]:
        """The largest uncovered term weight (share of the top weight) and how many key terms are missed."""
        gaps = [w * (1 - c) for w, c in zip(weights, credits, strict=True)]
        key = sum(1 for w, c in zip(weights, credits, strict=True) if c < 0.5 and w >= 0.5 * top_w)
        return max(gaps, default=0.0) / top_w, float(key)

    candidates: list[Candidate] = []
    own_win: list[tuple[list[float], list[float]]] = []  # each candidate's own and window credits
    doc_credits: dict[str, list[float]] = {}
    best_chunk = 0.0
    for dh, ch, head, sentences, sent_stems in parsed:
        head_credits = matcher.credits(head)
        sent_credits = [matcher.credits(st) for st in sent_stems]
        chunk_credits = (
            [max(h, *col) for h, col in zip(head_credits, zip(*sent_credits, strict=True), strict=True)]
            if sent_credits
            else head_credits
        )
        best_chunk = max(best_chunk, matcher.coverage(chunk_credits))
        prev = doc_credits.get(dh.doc.path)
        doc_credits[dh.doc.path] = (
            [max(a, b) for a, b in zip(prev, chunk_credits, strict=True)] if prev else list(chunk_credits)
        )
        sent_words = [sentence_words(s) for s in sentences]
        for i, sent in enumerate(sentences):
            win = [head_credits] + sent_credits[max(0, i - 1) : i + 2]
            credits = [max(col) for col in zip(*win, strict=True)]
            words = sent_words[i]
            win_text = " ".join(sentences[max(0, i - 1) : i + 2])
            win_words = sum(sent_words[max(0, i - 1) : i + 2], ())
            miss_win, gaps_win = missing(credits)
            miss_own, _ = missing(sent_credits[i])
            content = _content_of(sent)
            cons_own = _constraint_hits(forms, sent_stems[i]) if forms else []
            cons_win = (
                _constraint_hits(forms, head.union(*sent_stems[max(0, i - 1) : i + 2])) if forms else []
            )
            f = {
                "cov_win": matcher.coverage(credits),
                "cov_own": matcher.coverage(sent_credits[i]),
                "chunk": ch.score / top_score,
                "doc_rank": 1.0 / (1 + rank_of.get(dh.doc.path, top_docs)),
                # With an attribute asked ("de dirigent"), the fact must stand next to its word.
                "typed_own": float(
                    fact_near(kind, sent, attr_phrases, asked_words)
                    if attr_phrases
                    else typed_fact(kind, sent, asked_words)
                ),
                "typed_win": float(
                    fact_near(kind, win_text, attr_phrases, asked_words)
                    if attr_phrases
                    else typed_fact(kind, win_text, asked_words)
                ),
                # Whether the question asks a fact of a type at all: without it, "no number here"
                # reads the same for "hoeveel gemeenten …?" as for "wat doet een cultuurcoach?".
                "typed_q": float(kind is not None),
                "attr_own": float(bool(attr_phrases) and _has_phrase(words, attr_phrases)),
                "attr_win": float(bool(attr_phrases) and _has_phrase(win_words, attr_phrases)),
                "cons_own": sum(cons_own) / n_cons if n_cons else 1.0,
                "cons_win": sum(cons_win) / n_cons if n_cons else 1.0,
                "cons_doc": doc_cons.get(dh.doc.path, 1.0),
                "cue": float(bool(cues) and _has_phrase(words, cues)),
                "is_question": float(sent.rstrip().endswith("?")),
                "colon": float(sent.rstrip().endswith(":")),
                "short": float(len(sent) < 40),
                "log_len": math.log(1 + len(sent)),
                "position": 1.0 / (1 + i),
                "miss_win": miss_win,
                "miss_own": miss_own,
                "gaps_win": gaps_win,
                "focus_win": max((credits[j] for j in focus), default=0.0),
                "focus_own": max((sent_credits[i][j] for j in focus), default=0.0),
                "novelty": sum(1 for w in content if w not in q_words) / len(content) if content else 0.0,
            }
            # The asked fact where the question's key terms are: a number next to the thing asked
            # about, not somewhere in the document; with an attribute asked, next to that word too.
            slot = f["typed_win"] if kind else f["attr_win"]
            f["slot"] = slot * f["cov_win"] * f["cons_win"]
            candidates.append(Candidate(sent, dh, ch, i, sentences, f))
            own_win.append((sent_credits[i], credits))
    _specific_coverage(candidates, own_win, doc_head, weights)
    if embed is not None and candidates:
        sims = _vectors.similarities(embed, q.text, [c.sentence for c in candidates])
        for c, sim in zip(candidates, sims, strict=True):
            c.features["sem"] = float(sim)
    # What the question asks, on every candidate: the trees learn which sentences answer which kind
    # of question (a reason, a list, a count), not one ranking for all of them.
    context = {f"q_{t}": float(analysis.qtype == t) for t in QUESTION_KINDS}
    context.update(q_attr=float(bool(analysis.attributes)), q_cons=float(bool(analysis.constraints)))
    for c in candidates:
        c.features.setdefault("sem", 0.0)
        c.features.update(context)
    doc_cov = {p: matcher.coverage(cr) for p, cr in doc_credits.items()}
    doc_miss = {p: missing(cr)[0] for p, cr in doc_credits.items()}
    # Known words of the question that a document never uses: it is about the topic, not about this.
    known = [t.known for t in q.terms]
    doc_absent = {
        p: max((w for w, c, k in zip(weights, cr, known, strict=True) if k and c == 0.0), default=0.0) / top_w
        for p, cr in doc_credits.items()
    }
    in_kb = sum(known_cons) / n_cons if n_cons else 1.0
    return Pool(candidates, doc_cov, doc_cons, best_chunk, in_kb, doc_miss, doc_absent)
