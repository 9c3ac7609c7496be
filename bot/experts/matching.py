"""Match a question to experts: meaning, themes/tags, region and language, skipping the away and full."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

import numpy as np

from bot.experts.directory import Expert
from knowledge_base import glossary
from knowledge_base import text as T

Embed = Callable[[list[str]], Sequence[Sequence[float]]]

TAG_WEIGHT = 0.35
TAG_CAP = 0.7
# Themes that name the kind of help asked for (money, evidence, policy) weigh more than themes that
# may just describe the asker's own activity: "how do we show that our singing project works"
# is a question for a researcher, not for the music expert.
TAG_WEIGHTS: dict[str, float] = {"financiering": 0.5, "onderzoek": 0.5, "beleid": 0.5}
OVERLAP_WEIGHT = 0.6
SEMANTIC_WEIGHT = 0.8
REGION_BONUS = 0.3
OTHER_REGION = -0.1
LANGUAGE_PENALTY = -0.5
LOAD_PENALTY = 0.06


@dataclass(frozen=True)
class Match:
    """An expert's fit for a question, with a short reason for the routing message."""

    expert: Expert
    score: float
    reason: str


# Words (Dutch and English) that signal a theme without naming it, for experts tagged with one of
# the standard themes (the keys: tag an expert with one of them).
# General domain vocabulary: keep each list to the theme itself (no words of one particular question).
THEME_CUES: dict[str, str] = {
    "ouderen": """ouderen oudere senioren senior bejaarden bejaarde plussers gepensioneerden
        ouderenzorg woonzorgcentrum verzorgingshuis grootouders older elderly seniors pensioners ageing""",
    "eenzaamheid": """eenzaam eenzaamheid isolement geisoleerd alleenstaand alleenstaande alleenwonend
        lonely loneliness isolation isolated""",
    "ggz": """ggz psychisch psychische psychiatrie psychiatrisch mentale depressie depressief angst
        angstklachten burnout herstel verslaving mental depression anxiety psychiatric recovery""",
    "armoede": """armoede minima bijstand uitkering schulden schuldhulp voedselbank stadspas
        inkomen geldzorgen poverty debt benefits""",
    "jongeren": """jongeren jongere jongvolwassenen tieners pubers jeugd scholieren jongerenwerk
        youth teenagers adolescents""",
    "financiering": """financiering financieren subsidie subsidies fonds fondsen begroting budget
        aanvraag regeling regelingen crowdfunding sponsoring bekostiging funding funds grant grants
        fundraising""",
    "beleid": """beleid beleidsmakers gemeenteraad wethouder ambtenaar ambtenaren wmo beleidsnota
        raadsleden policy policymakers councillors""",
    "onderzoek": """onderzoek onderzoeker onderzoeken evaluatie evalueren effectmeting meten
        meetinstrument vragenlijst cijfers bewijs monitoring research researcher evaluation evaluate
        evidence measure outcomes review study""",
    "dementie": """dementie dementerend alzheimer geheugenverlies geheugenproblemen vergeetachtig
        vergeetachtigheid dementia alzheimers memory""",
    "participatie": """participatie deelname meedoen drempels toegankelijk toegankelijkheid inclusie
        participation access accessible inclusion""",
    "kunst op recept": """recept verwijzen doorverwijzen doorsturen huisarts huisartsen
        praktijkondersteuner welzijnscoach prescription prescribing referral refer gp""",
    "muziek": """muziek muzikaal zingen zang koor liedjes muzikant instrument music musical
        singing choir songs""",
    "dans": """dans dansen danslessen bewegen beweeg dance dancing movement""",
    "theater": """theater toneel drama voorstelling acteren theatre play performance""",
    "beeldend": """beeldend schilderen tekenen schilderles tekenles atelier keramiek painting drawing
        visual""",
    "erfgoed": """erfgoed museum musea archief historisch historische geschiedenis heritage museums
        archive history historical""",
}

# Compound splitting: a Dutch compound (zangproject, streekmuseum, jongerenwerkers) also counts as
# its known head and tail. Known words are those of the glossary and of the theme cues.
_MIN_PART = 4


@lru_cache(maxsize=1)
def _known_words() -> frozenset[str]:
    words = set(T.words(glossary.GROUPS_TEXT))
    for cues in THEME_CUES.values():
        words.update(T.words(cues))
    return frozenset(w for w in words if len(w) >= _MIN_PART)


@lru_cache(maxsize=20000)
def _parts(word: str) -> tuple[str, ...]:
    """The word, plus its known head and tail if it is a compound of a known word."""
    known = _known_words()
    if word in known or len(word) < 2 * _MIN_PART:
        return (word,)
    for i in range(len(word) - _MIN_PART, _MIN_PART - 1, -1):  # longest known head first
        head, tail = word[:i], word[i:]
        if head in known:
            tails = (tail, tail[1:]) if tail.startswith("s") else (tail,)  # welzijns|organisatie
            return (word, head, *(t for t in tails if len(t) >= _MIN_PART))
    for i in range(_MIN_PART, len(word) - _MIN_PART + 1):  # longest known tail first
        head, tail = word[:i], word[i:]
        if tail in known:
            return (word, head.removesuffix("s") if len(head) > _MIN_PART else head, tail)
    return (word,)


@lru_cache(maxsize=8192)
def _term_stems(word: str, widen: bool = True) -> frozenset[str]:
    """Dutch and English stems of one content word and its compound parts, widened with the
    domain glossary unless `widen` is off."""
    out: set[str] = set()
    for p in _parts(word):
        for v in (p, *glossary.expansions(p)) if widen else (p,):
            for part in v.replace("-", " ").split():
                out.add(T.stem(part, "nl"))
                out.add(T.stem(part, "en"))
    return frozenset(out)


@lru_cache(maxsize=4096)
def _stems(text: str, widen: bool = True) -> frozenset[str]:
    """The stems of all content words of a text (see _term_stems)."""
    return frozenset(s for w in T.content_words(text) for s in _term_stems(w, widen))


@lru_cache(maxsize=4096)
def _word_forms(word: str) -> frozenset[str]:
    """Stems under which one word of a tag, cue or region is recognised in a question."""
    return frozenset(T.stem(v, lang) for v in (word, *glossary.expansions(word)) for lang in ("nl", "en"))


@lru_cache(maxsize=4096)
def _phrase_words(phrase: str) -> tuple[str, tuple[str, ...]]:
    p = T.normalise(phrase).strip()
    return p, tuple(T.content_words(p) or T.words(p))


def _phrase_in(phrase: str, text_norm: str, stems: frozenset[str]) -> bool:
    """A tag/region (one or more words) occurs in the question, literally or by stem."""
    p, words = _phrase_words(phrase)
    if not p:
        return False
    if f" {p} " in f" {text_norm} ":
        return True
    return bool(words) and all(not _word_forms(w).isdisjoint(stems) for w in words)


@lru_cache(maxsize=256)
def _cue_stems(tag: str) -> frozenset[str]:
    return _stems(THEME_CUES.get(T.normalise(tag).strip(), ""), widen=False)


def _tag_in(tag: str, text_norm: str, stems: frozenset[str]) -> bool:
    """A tag occurs in the question: itself or a glossary equivalent, or one of its cue words.
    Cue words are not widened with the glossary themselves: two hops ('werkt' -> effect <- outcomes)
    would let common words pull in a theme."""
    return _phrase_in(tag, text_norm, stems) or not _cue_stems(tag).isdisjoint(stems)


class ExpertMatcher:
    """Ranks experts for a question; embeddings are optional (lexical matching alone also works)."""

    def __init__(self, embed: Embed | None = None) -> None:
        self.embed = embed
        self._cache: dict[str, np.ndarray] = {}

    def _vectors(self, texts: list[str]) -> list[np.ndarray] | None:
        if self.embed is None:
            return None
        missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
        if missing:
            for t, v in zip(missing, self.embed(missing), strict=True):
                arr = np.asarray(v, dtype=np.float32)
                n = float(np.linalg.norm(arr))
                self._cache[t] = arr / n if n else arr
            if len(self._cache) > 5000:
                self._cache.clear()
        return [self._cache[t] for t in texts]

    def rank(
        self,
        question: str,
        language: str,
        experts: list[Expert],
        now: datetime,
        offers: dict[int, int] | None = None,
        include_unavailable: bool = False,
    ) -> list[Match]:
        """Experts best first; the away and the full are left out unless asked for."""
        pool = [e for e in experts if include_unavailable or e.available(now)]
        if not pool:
            return []
        q_norm = T.normalise(question)
        q_stems = _stems(question)
        all_regions = {r for e in experts for r in e.regions}
        asked_regions = {r for r in all_regions if _phrase_in(r, q_norm, q_stems)}
        vecs = self._vectors([question] + [e.profile_text() for e in pool])
        p_stems = [_stems(e.profile_text()) for e in pool]
        # Word overlap: the share of the question's words a profile covers (a word counts once, however
        # many glossary equivalents it has), each word weighted by its rarity among the profiles:
        # 'welzijn' tells experts apart less than 'fonds'.
        terms = [_term_stems(w) for w in dict.fromkeys(T.content_words(question))]
        covers = [[not t.isdisjoint(ps) for t in terms] for ps in p_stems]
        df = [sum(c[j] for c in covers) for j in range(len(terms))]
        idf = [math.log(1 + len(pool) / n) if n else math.log(1 + len(pool)) for n in df]
        q_weight = sum(idf)
        offers = offers or {}
        matches = []
        for i, e in enumerate(pool):
            reasons: list[str] = []
            tags = [t for t in e.tags if _tag_in(t, q_norm, q_stems)]
            score = min(TAG_CAP, sum(TAG_WEIGHTS.get(T.normalise(t), TAG_WEIGHT) for t in tags))
            if tags:
                reasons.append(", ".join(tags))
            if q_weight:
                score += OVERLAP_WEIGHT * sum(w for w, c in zip(idf, covers[i], strict=True) if c) / q_weight
            if vecs is not None:
                score += SEMANTIC_WEIGHT * float(vecs[0] @ vecs[i + 1])
            regions = [r for r in e.regions if r in asked_regions]
            if regions:
                score += REGION_BONUS
                reasons.append(", ".join(regions))
            elif asked_regions and e.regions:
                score += OTHER_REGION
            if e.languages and language not in e.languages:
                score += LANGUAGE_PENALTY
            score -= LOAD_PENALTY * (e.open_claims + offers.get(e.id, 0))
            matches.append(Match(e, round(score, 4), "; ".join(reasons)))
        matches.sort(key=lambda m: (-m.score, m.expert.open_claims, m.expert.id))
        return matches
