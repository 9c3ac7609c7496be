"""The signals of one question against each expert: themes, words, meaning, region, language, load.

Each expert gets a row of named numbers; bot/experts/matching.py weighs them with a learned model.
Themes and words are counted separately for the request of the question and for what it says in
passing ("we dance with young people; how do we show it works?" asks for research, not dance).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from bot.experts import themes as TH
from bot.experts.bridge import TAU, Bridge
from bot.experts.directory import Expert
from bot.experts.semantic import ProfileSpace
from knowledge_base import text as T
from knowledge_base.analysis import Place, as_place, find_places, places
from knowledge_base.request import split_request

LEXICAL_FEATURES = [
    "tag_help_main",
    "tag_help_side",
    "tag_topic_main",
    "tag_topic_side",
    "tag_named",
    "overlap_main",
    "overlap_side",
    "side_when_help",
    "region_exact",
    "region_with_theme",
    "region_province",
    "region_near",
    "region_other",
    "lang_mismatch",
]
# Per space: the whole profile's signals, then those stacked per expert in `best` (passages,
# members' words, the bridge; bridge_nofit is the same for every expert: read by the minimum fit).
# bridge_vote: exp11, leave_world_out.py top-1 0.896 -> 0.904, top-2 0.943 -> 0.953 (bench/README.md).
_BEST_FEATURES = (
    "pmax_z",
    "pmax_main_z",
    "pmax_gap",
    "words_z",
    "words_main_z",
    "bridge_z",
    "bridge_nofit",
    "bridge_vote",
)
SEMANTIC_FEATURES = ("z", "main_z", "gap", "cos", "theme", *_BEST_FEATURES)
_BRIDGE = tuple(f for f in _BEST_FEATURES if f.startswith("bridge_"))  # bridge_signals' keys, in order
_TAG_CAP = 3
OVERLAP_WIDEN = True  # glossary equivalents count (measured: unwidened lowers CV top-1 0.84 -> 0.82)


def _z(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / (x.std() or 1.0)


def feature_names(spaces: list[str]) -> list[str]:
    """All feature names for the given semantic spaces."""
    return LEXICAL_FEATURES + [f"{s}_{f}" for s in spaces for f in SEMANTIC_FEATURES]


def bridge_signals(
    bridge: Bridge, space: ProfileSpace, vector: np.ndarray, described: list[str]
) -> dict[str, np.ndarray]:
    """The bridge's signals of each profile (described) for a question vector: `bridge_z`, the
    z-score of each profile's cosine to the mapped profile of the question's nearest labelled
    questions; `bridge_vote`, the weighed share of those neighbours whose expert's profile is
    nearest this one in the pool (a softmax over the pool at the bridge's temperature): neighbours
    that disagree split their votes between two experts instead of mapping to a profile between
    them, so the second expert keeps its evidence; and `bridge_nofit`, the same for every expert."""
    n = len(described)
    out = {k: np.zeros(n, dtype=np.float32) for k in _BRIDGE}
    if not n or not len(bridge) or bridge.questions.shape[1] != vector.shape[0]:  # no bridge for this encoder
        return out
    mapped, nofit, profiles, weights = bridge.nearest(vector)
    out["bridge_z"] = _z(space.against(mapped[None, :], described)[0])
    out["bridge_nofit"] = np.full(n, nofit, dtype=np.float32)
    if len(weights):
        near = space.against(profiles, described)  # K x pool: each neighbour's expert against the pool
        soft = np.exp((near - near.max(axis=1, keepdims=True)) / TAU)
        out["bridge_vote"] = (weights @ (soft / soft.sum(axis=1, keepdims=True))).astype(np.float32)
    return out


@dataclass
class Signals:
    """One expert's signals and the words that explain a match (themes, regions)."""

    values: dict[str, float]
    tags: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)


def _norm_place(name: str) -> str:
    return " ".join(T.words(name.replace("-", " ")))


def _region(asked: list[Place], literal: set[str], expert: Expert) -> tuple[dict[str, float], list[str]]:
    """Exact (the place, its municipality or its city is a region of the expert), within the
    expert's area (exact, or in the province the expert names), a place of the expert in the same
    province (near), or elsewhere. The levels nest, so a closer match never weighs less."""
    out = {"region_exact": 0.0, "region_province": 0.0, "region_near": 0.0, "region_other": 0.0}
    if not (asked or literal) or not expert.regions:
        return out, []
    gaz = places()
    hits = [r for r in expert.regions if _norm_place(r) in literal]  # written as in the profile
    out["region_exact"] = out["region_province"] = float(bool(hits))
    for p in asked:
        keys = {p.name, _norm_place(p.municipality)} - {""}
        province = _norm_place(p.region)
        for r in expert.regions:
            name = _norm_place(r)
            where = gaz.get(name)
            municipality = _norm_place(where.municipality) if where else ""
            if name in keys or municipality in keys:
                out["region_exact"] = out["region_province"] = 1.0  # nested: exact is also in the area
                hits.append(r)
            elif province and name == province:
                out["region_province"] = 1.0
                hits.append(r)
            elif province and where and _norm_place(where.region) == province:
                out["region_near"] = 1.0
    if not any(out.values()):
        out["region_other"] = 1.0
    return out, list(dict.fromkeys(hits))


def signals(
    question: str,
    language: str,
    pool: list[Expert],
    spaces: dict[str, ProfileSpace],
    bridge: Bridge | None = None,
) -> list[Signals]:
    """The signals of every expert of the pool for one question (in pool order); `bridge` holds
    labelled members' questions in the e5 space (bot/experts/bridge.py)."""
    if not pool:
        return []
    request = split_request(question, whole_sentence=True)
    q_norm, q_stems = T.normalise(question), TH.stems(question)
    main_norm, main_stems = T.normalise(request.main), TH.stems(request.main)
    side_stems = TH.stems(request.context) if request.context else frozenset()
    side_norm = T.normalise(request.context)
    asked = [p for p in find_places(T.words(question)) if p.country == "NL" and as_place(p, question)]
    literal = {_norm_place(r) for e in pool for r in e.regions if TH.phrase_in(r, q_norm, q_stems)}
    # Does the request ask for a kind of help (money, research, policy, publicity, volunteers)?
    # Then what the question says in passing should count for less.
    help_asked = any(
        TH.tag_named(t.name, main_norm, main_stems) or TH.tag_cued(t.name, main_stems)
        for t in TH.themes().values()
        if t.kind == "help"
    )
    profiles = [e.profile_text() for e in pool]
    p_stems = [TH.stems(t, widen=OVERLAP_WIDEN) for t in profiles]

    # Word overlap: the share of the question's words a profile covers, each word weighted by its
    # rarity among the profiles ('welzijn' tells experts apart less than 'fonds').
    def coverage(text: str) -> tuple[list[frozenset[str]], list[float]]:
        terms = [TH.term_stems(w, OVERLAP_WIDEN) for w in dict.fromkeys(T.content_words(text))]
        df = [sum(not t.isdisjoint(ps) for ps in p_stems) for t in terms]
        return terms, [math.log(1 + len(pool) / max(n, 1)) for n in df]

    main_terms, main_idf = coverage(request.main)
    side_terms, side_idf = coverage(request.context)
    total = sum(main_idf) + sum(side_idf) or 1.0

    sem: dict[str, np.ndarray] = {}
    best: dict[str, np.ndarray] = {}
    theme_fit: dict[str, list[float]] = {}
    tag_texts = sorted({TH.theme_text(t) for e in pool for t in e.tags})
    for name, space in spaces.items():
        texts = [question, request.main] if request.context else [question]
        vectors = space.encode(texts)  # once: the question, and its request if it has context
        described = [TH.described(e) for e in pool]
        sims = space.against(vectors, described)
        sem[name] = np.stack([sims[0], sims[0] - sims[0].max(), _z(sims[0]), _z(sims[-1])])
        # Other members' questions like this one, and the profiles of their experts.
        zero = np.zeros(len(pool), dtype=np.float32)
        bridged = {k: zero for k in _BRIDGE}
        if bridge is not None and name == "e5":
            bridged = bridge_signals(bridge, space, vectors[0], described)
        # The best single passage (a sentence of the profile, or one of its themes): a member's
        # paraphrase is near one sentence more than near the whole profile.
        b = space.best_passage(vectors, [TH.passages(e) for e in pool])
        # How members describe the expert's themes: a paraphrase is near another member's words.
        # An expert without a standard theme has none: neutral, not the worst of the pool.
        words = [TH.member_words(e) for e in pool]
        shared = list(dict.fromkeys(x for ws in words for x in ws))  # ~70 texts, whatever the pool
        at = {x: k for k, x in enumerate(shared)}
        s_sims = space.against(vectors, shared)
        none = np.zeros(len(vectors), dtype=np.float32)
        w = np.stack([s_sims[:, [at[x] for x in ws]].max(axis=1) if ws else none for ws in words], axis=1)
        has = np.array([bool(x) for x in words])
        w_z = [np.where(has, _z(np.where(has, row, row[has].mean() if has.any() else 0.0)), 0.0) for row in w]
        best[name] = np.stack(
            [_z(b[0]), _z(b[-1]), b[0] - b[0].max(), w_z[0], w_z[-1]] + [bridged[k] for k in _BRIDGE]
        )
        # Meaning through the themes: how much closer the request is to an expert's themes than
        # to the other themes ("mijn buurvrouw zit de hele dag alleen" is near eenzaamheid).
        if tag_texts:
            t_sims = space.against(vectors[-1:], tag_texts)[0]
            t_z = dict(zip(tag_texts, (t_sims - t_sims.mean()) / (t_sims.std() or 1.0), strict=True))
            theme_fit[name] = [max((float(t_z[TH.theme_text(t)]) for t in e.tags), default=0.0) for e in pool]

    out: list[Signals] = []
    for i, e in enumerate(pool):
        v = dict.fromkeys(LEXICAL_FEATURES, 0.0)
        tags: list[str] = []
        for tag in e.tags:
            in_main = TH.tag_named(tag, main_norm, main_stems) or TH.tag_cued(tag, main_stems)
            in_side = bool(side_stems) and (
                TH.tag_named(tag, side_norm, side_stems) or TH.tag_cued(tag, side_stems)
            )
            kind = "help" if TH.theme_kind(tag) == "help" else "topic"
            if in_main:
                v[f"tag_{kind}_main"] += 1
            elif in_side:
                v[f"tag_{kind}_side"] += 1
            if TH.tag_named(tag, q_norm, q_stems):
                v["tag_named"] += 1
            if in_main or in_side:
                tags.append(tag)
        for key in ("tag_help_main", "tag_help_side", "tag_topic_main", "tag_topic_side", "tag_named"):
            v[key] = min(v[key], _TAG_CAP)
        ps = p_stems[i]
        v["overlap_main"] = (
            sum(w for t, w in zip(main_terms, main_idf, strict=True) if not t.isdisjoint(ps)) / total
        )
        v["overlap_side"] = (
            sum(w for t, w in zip(side_terms, side_idf, strict=True) if not t.isdisjoint(ps)) / total
        )
        if help_asked:
            v["side_when_help"] = v["overlap_side"] + v["tag_topic_side"] / _TAG_CAP
        region, hits = _region(asked, literal, e)
        v.update(region)
        # A place decides between experts on the theme; it does not make a theme of its own.
        v["region_with_theme"] = max(region["region_exact"], region["region_province"]) * float(bool(tags))
        v["lang_mismatch"] = float(bool(e.languages) and language not in e.languages)
        for name, (cos, gap, z, main_z) in sem.items():
            v[f"{name}_cos"], v[f"{name}_gap"] = float(cos[i]), float(gap[i])
            v[f"{name}_z"], v[f"{name}_main_z"] = float(z[i]), float(main_z[i])
            v[f"{name}_theme"] = theme_fit[name][i] if name in theme_fit else 0.0
            for key, x in zip(_BEST_FEATURES, best[name][:, i], strict=True):
                v[f"{name}_{key}"] = float(x)
        out.append(Signals(v, tags, hits))
    return out
