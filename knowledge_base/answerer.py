"""Extractive answers with a learned answerability check: quote what answers, route what does not.

The answerer reads every sentence of the top passages as a candidate quote (knowledge_base/evidence.py),
ranks them with the quote model and decides with the answerability model (knowledge_base/calibration.py,
trained by bench/train_answerability.py). There are three outcomes: *answer* (quotes that answer),
*not_sure* (related sources, but no direct answer: the question goes to an expert with reading tips)
and *route* (nothing relevant).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from knowledge_base.analysis import Analysis, analyse_question, common_words
from knowledge_base.boosting import Scorer, load_decision, load_quotes
from knowledge_base.calibration import DECISION_MODEL, QUOTE_MODEL
from knowledge_base.evidence import Candidate, Embed, Pool, collect, sentence_words
from knowledge_base.query import Query
from knowledge_base.retrieval import DocHit

ANSWER, NOT_SURE, ROUTE = "answer", "not_sure", "route"
# The question types; the model sees each as a 0/1 feature.
QTYPE_GROUPS = {
    "fact": ("number", "percent", "money", "date", "time", "duration", "frequency", "email", "phone", "url"),
    "who": ("person_org",),
    "where": ("place",),
    "why": ("reason",),
    "how": ("procedure",),
    "what": ("definition", "other"),
    "which": ("list",),
    "yesno": ("yesno",),
}
# Sentences that lead into what follows ("Zo werkt het:", a short heading-like line) are quoted with it.
CONTINUE_TYPES = ("procedure", "list", "reason")
# Further quotes come from sentences the quote model rates within this many log-odds of the best.
QUOTE_MARGIN = 2.0
# The sentence after the first quote joins it when the quote model rates it within this many log-odds
# of the quote: the fact often follows the sentence that names the topic ("Voor ouderen die geen
# bezoek willen … Kunst door de Brievenbus." → "Een kunstenaar bedenkt elke week een tekenopdracht.").
CONTINUE_MARGIN = 3.0


@dataclass
class Evidence:
    """A quote: one or a few adjacent sentences of a document, and how well they answer."""

    sentence: str
    doc: DocHit
    score: float
    coverage: float


@dataclass
class Decision:
    """The verdict, the quotes behind it, the reranked documents and the features that decided."""

    evidence: list[Evidence] = field(default_factory=list)
    ranked: list[DocHit] = field(default_factory=list)
    features: dict[str, float | str | bool] = field(default_factory=dict)
    outcome: str = ROUTE
    probability: float = 0.0


def quote_score(c: Candidate, model: Scorer | None) -> float:
    """How likely a candidate sentence is the one that answers (the model's log-odds)."""
    f = c.features
    if model is not None:
        return model.logit(f)
    # Before any model is trained (bench/train_answerability.py bootstraps with this).
    return (
        f["cov_win"]
        + 0.6 * f["cov_own"]
        + 0.3 * f["typed_own"]
        + 0.3 * f["attr_own"]
        + f["chunk"]
        - f["is_question"]
    )


def rank_candidates(candidates: list[Candidate], model: Scorer | None) -> list[Candidate]:
    """Score every candidate with the quote model and rank them, best first, one per sentence."""
    if model is not None:
        for c, score in zip(candidates, model.logits([c.features for c in candidates]), strict=True):
            c.score = float(score)
    else:
        for c in candidates:
            c.score = quote_score(c, None)
    best: dict[str, Candidate] = {}
    for c in sorted(candidates, key=lambda c: -c.score):
        best.setdefault(c.sentence, c)  # overlapping chunks repeat sentences: keep the best
    return list(best.values())


def decision_features(q: Query, analysis: Analysis, pool: Pool, best: list[Candidate]) -> dict[str, float]:
    """The question-level signals the answerability model weighs."""
    top = best[0].features if best else {}
    top3 = [c.features for c in best[:3]]
    sims = [c.chunk.dense_sim for c in pool.candidates if c.chunk.dense_sim is not None]
    unknown = [t for t in q.terms if not t.known]
    total = q.total_weight or 1.0
    typed = (
        bool(next((a for a in analysis.attributes if a.answer_type), None))
        or analysis.qtype in QTYPE_GROUPS["fact"]
    )
    f: dict[str, float] = {
        "quote_score": best[0].score if best else -5.0,
        "quote_margin": best[0].score - best[1].score if len(best) > 1 else 0.0,
        "cov_win": top.get("cov_win", 0.0),
        "cov_own": top.get("cov_own", 0.0),
        "cov_chunk": pool.best_chunk_coverage,
        "cov_doc": max(pool.doc_coverage.values(), default=0.0),
        "sem": top.get("sem", 0.0),
        "sem_max3": max((x.get("sem", 0.0) for x in top3), default=0.0),
        "dense": max(sims, default=0.0),
        "typed_q": float(typed),
        "typed_top": top.get("typed_win", 0.0) if typed else 0.0,
        "typed_any3": max((x.get("typed_win", 0.0) for x in top3), default=0.0) if typed else 0.0,
        "attr_q": float(bool(analysis.attributes)),
        "attr_top": top.get("attr_win", 0.0),
        "attr_any3": max((x.get("attr_win", 0.0) for x in top3), default=0.0),
        "cons_n": float(len(analysis.constraints)),
        "cons_kb": pool.constraints_in_kb,
        "cons_win": top.get("cons_win", 1.0),
        "cons_doc": top.get("cons_doc", 1.0),
        "year_q": float(any(c.kind == "year" for c in analysis.constraints)),
        "place_q": float(any(c.kind == "place" for c in analysis.constraints)),
        "unknown_share": sum(t.weight for t in unknown) / total,
        "unknown_n": float(len(unknown)),
        "rare_n": float(len(analysis.rare)),
        "n_terms": float(len(q.terms)),
        "lang_en": float(q.language == "en"),
        "cue_top": top.get("cue", 0.0),
        "question_top": top.get("is_question", 0.0),
        "miss_win": top.get("miss_win", 1.0),
        "miss_own": top.get("miss_own", 1.0),
        "gaps_win": top.get("gaps_win", 0.0),
        "miss_win_min3": min((x.get("miss_win", 1.0) for x in top3), default=1.0),
        "miss_doc": pool.doc_missing.get(best[0].doc.doc.path, 1.0) if best else 1.0,
        "focus_q": float(bool(analysis.focus)),
        "focus_win": top.get("focus_win", 0.0),
        "novelty": top.get("novelty", 0.0),
        "slot_top": top.get("slot", 0.0),
        "slot_max": max((c.features.get("slot", 0.0) for c in best[:10]), default=0.0),
        "attr_gap": float(bool(analysis.attributes))
        * (1.0 - max((x.get("attr_win", 0.0) for x in top3), default=0.0)),
        "unknown_rare": float(sum(1 for t in unknown if t.word in analysis.rare)),
        # Ordinary words the knowledge base never uses ("auteursrecht", "cao"): the question's
        # subject may lie outside it, where an unknown name or a typo says less.
        "unknown_common": sum(t.weight for t in unknown if t.word in common_words()) / total,
        "absent_doc": pool.doc_absent.get(best[0].doc.doc.path, 1.0) if best else 1.0,
        "absent_min3": min((pool.doc_absent.get(c.doc.doc.path, 1.0) for c in best[:3]), default=1.0),
    }
    for group, kinds in QTYPE_GROUPS.items():
        f[f"q_{group}"] = float(analysis.qtype in kinds)
    # Hinges: a linear model cannot bend, but "almost nothing matches" is worse than linearly bad.
    f["cov_chunk_low"] = max(0.0, 0.3 - f["cov_chunk"])
    f["cov_win_low"] = max(0.0, 0.3 - f["cov_win"])
    f["dense_low"] = max(0.0, 0.45 - f["dense"])
    f["cov_chunk_high"] = max(0.0, f["cov_chunk"] - 0.7)
    # An attribute asked with a type (its price, its phone number) and no such fact next to it.
    f["attr_typed_gap"] = f["attr_q"] * f["typed_q"] * (1.0 - f["typed_any3"])
    # What the question pins down, met or missed: cons_win is 1.0 both when every constraint is met
    # and when there is none, so a linear model could not reward a question whose year or place
    # the quote does match ("in 2022 … 80% van de gemeenten").
    f["cons_hit"] = f["cons_n"] * f["cons_win"]
    f["cons_miss"] = f["cons_n"] * (1.0 - f["cons_win"])
    f["cons_doc_miss"] = f["cons_n"] * (1.0 - f["cons_doc"])
    f["year_hit"] = f["year_q"] * f["cons_win"]
    f["typed_hit"] = f["typed_q"] * f["typed_top"]
    f["typed_miss"] = f["typed_q"] * (1.0 - f["typed_any3"])
    f["fact_hit"] = f["q_fact"] * f["typed_top"] * f["cons_win"]
    f["attr_hit"] = f["attr_q"] * f["attr_top"]
    f["focus_miss"] = f["focus_q"] * (1.0 - f["focus_win"])
    return f


# Facts a passage either holds literally or not at all: when none of the best candidates holds one,
# no weighing of other signals can make a quote about the thing an answer.
LITERAL_TYPES = frozenset({"phone", "email", "url"})


def _lacks_contact_fact(analysis: Analysis, best: list[Candidate]) -> bool:
    """A phone number, e-mail or web address is asked, or a person by their role ("wie is de
    dirigent", "de contactpersoon"), and none of the top candidates has one (next to the role word)."""
    kinds = {a.answer_type for a in analysis.attributes} | {analysis.qtype}
    # (A role word has this answer type only in a who-question: see analysis.analyse_question.)
    by_role = any(a.answer_type == "person_org" for a in analysis.attributes)
    if not (kinds & LITERAL_TYPES or by_role):
        return False
    return not any(c.features.get("typed_win", 0.0) for c in best[:10])


def _same_words(a: str, b: str) -> bool:
    """Most of the shorter sentence's words are in the other one: a repeat, not a second source."""
    wa, wb = set(sentence_words(a)), set(sentence_words(b))
    return bool(wa and wb) and len(wa & wb) >= 0.8 * min(len(wa), len(wb))


class Answerer:
    """Picks the quotes and decides whether the knowledge base answers the question."""

    def __init__(
        self,
        top_docs: int = 8,
        max_quotes: int = 3,
        embed: Embed | None = None,
        quote_model: Path | None = QUOTE_MODEL,
        decision_model: Path | None = DECISION_MODEL,
        df: Callable[[str], int] | None = None,
        threshold: float | None = None,
    ) -> None:
        self.top_docs = top_docs
        self.max_quotes = max_quotes
        self.embed = embed
        self.quotes = load_quotes(quote_model) if quote_model else None
        self.model = load_decision(decision_model) if decision_model else None
        self.df = df or (lambda stem: 1)
        self.threshold = threshold  # None: the model's own

    def analyse(self, q: Query, ranked: list[DocHit]) -> tuple[Analysis, Pool, list[Candidate]]:
        """The question's analysis, its candidate quotes, and those ranked best first."""
        analysis = analyse_question(q.text)
        pool = collect(q, analysis, ranked, self.df, self.embed, self.top_docs)
        return analysis, pool, rank_candidates(pool.candidates, self.quotes)

    def decide(self, q: Query, ranked: list[DocHit]) -> Decision:
        """Rank the quotes, then judge answerability with the model (or a plain coverage rule)."""
        if not q.terms or not ranked:
            return Decision(features={"reason": "no_terms" if not q.terms else "no_hits"})
        analysis, pool, best = self.analyse(q, ranked)
        feats = decision_features(q, analysis, pool, best)
        if self.model is not None:
            p = self.model.probability(feats)
            threshold = self.threshold or self.model.threshold
        else:  # untrained: the old coverage rule, so the bot still works before any training
            p = 1.0 if feats["cov_chunk"] >= 0.35 and (not feats["typed_q"] or feats["typed_any3"]) else 0.0
            threshold = 0.5
        # No retrieved passage holds a word of the question ("Wat is de hoofdstad van Mongolië?", a
        # string of control characters): nothing relevant was found, whatever the models say of a
        # question so unlike the ones they learnt from (no labelled question has one).
        found = feats["cov_chunk"] > 0.0
        related = found and (p >= 0.5 * threshold or feats["cov_chunk"] >= 0.3)
        outcome = ANSWER if p >= threshold and found else (NOT_SURE if related else ROUTE)
        if outcome == ANSWER and _lacks_contact_fact(analysis, best):
            outcome = NOT_SURE  # a phone number, an e-mail or web address, or a name asked: none in sight
        shown: dict[str, float | str | bool] = {k: round(v, 3) for k, v in feats.items()}
        shown.update(qtype=analysis.qtype, p_answer=round(p, 3), outcome=outcome)
        quotes = self._quotes(best, analysis) if best else []
        return Decision(quotes, self._rerank(ranked, best, pool), shown, outcome, p)

    @staticmethod
    def _window(c: Candidate, analysis: Analysis, scores: dict[str, float]) -> str:
        """The sentence, with the next one when it leads into it ("Zo werkt het:"), for how/why/which,
        or when the quote model rates the next one nearly as answering."""
        parts = [c.sentence]
        after = c.neighbours[c.index + 1 : c.index + 3]
        lead_in = c.sentence.rstrip().endswith(":") or len(c.sentence) < 60
        close = bool(after) and scores.get(after[0], -math.inf) >= c.score - CONTINUE_MARGIN
        if after and (lead_in or close or analysis.qtype in CONTINUE_TYPES):
            parts.append(after[0])
            if lead_in and len(after) > 1 and len(after[0]) < 120:
                parts.append(after[1])
        return " ".join(parts)

    def _quotes(self, best: list[Candidate], analysis: Analysis) -> list[Evidence]:
        """The best sentence with its window, then the next best ones not quoted yet (two per document)."""
        out: list[Evidence] = []
        per_doc: dict[str, int] = {}
        first = best[0].score
        scores = {c.sentence: c.score for c in best}
        for c in best:
            if len(out) >= self.max_quotes or c.score < first - QUOTE_MARGIN:
                break
            if c.features["is_question"] or per_doc.get(c.doc.doc.path, 0) >= 2:
                continue
            text = self._window(c, analysis, scores) if not out else c.sentence
            if any(c.sentence in e.sentence or _same_words(c.sentence, e.sentence) for e in out):
                continue  # the same sentence again, or another page's copy of it
            per_doc[c.doc.doc.path] = per_doc.get(c.doc.doc.path, 0) + 1
            out.append(Evidence(text, c.doc, c.score, c.coverage))
        return out

    def _rerank(self, ranked: list[DocHit], best: list[Candidate], pool: Pool) -> list[DocHit]:
        """Order the top documents by retrieval plus the coverage of the document and its best window."""
        head = ranked[: self.top_docs]
        window: dict[str, float] = {}
        for c in best:
            f = c.features
            window[c.doc.doc.path] = max(window.get(c.doc.doc.path, 0.0), f["cov_win"] + 0.5 * f["cov_own"])
        first = head[0].score or 1.0 if head else 1.0
        # Coverage, not the quote model's score: the quote model ranks sentences within the pool, and
        # its log-odds across documents ordered them worse than coverage (MRR@10 on dev 0.823 vs 0.853).
        for dh in head:
            path = dh.doc.path
            dh.score = dh.score / first + window.get(path, 0.0) + 0.5 * pool.doc_coverage.get(path, 0.0)
        head.sort(key=lambda d: -d.score)
        return head + ranked[self.top_docs :]
