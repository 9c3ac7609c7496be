"""Domain glossary: Dutch <-> English equivalents and close synonyms used to widen a query.

Each line is one group of interchangeable words. A query word in a group also matches
the other words of that group (with a lower weight), so an English question finds a
Dutch passage and an informal word finds the formal one. Keep groups tight: words that
merely relate to each other do not belong together.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from knowledge_base import text as T

# A general Dutch -> English word list (one `dutch<TAB>english|english` per line): it lets a
# question in one language match passages in the other.
LEXICON = Path(__file__).parent / "data" / "lexicon_nl_en.txt"

GROUPS_TEXT = """
ouderen oudere senioren older elderly seniors
ouderenzorg elderly-care
eenzaamheid eenzaam loneliness lonely isolement isolation
dementie dementerenden geheugenverlies alzheimer dementia
kunst kunsten art arts artistiek artistic
kunstenaar kunstenaars artist artists maker makers
cultuur culture cultural cultureel culturele
zorg care zorgverlener zorgverleners
welzijn welfare wellbeing well-being
welzijnswerk welzijnswerker welzijnswerkers jongerenwerkers youth-workers social-workers
gezondheid health gezond healthy
psychisch psychische mentaal mentale mental psychological
ggz psychiatrie psychiatrisch psychiatric mental-health
depressie depressief depression somberheid somber
angst anxiety
gemeente gemeenten gemeentelijk gemeentelijke municipality municipalities council councils
beleid policy beleidsmedewerker ambtenaar ambtenaren policymaker
onderzoek research study studie onderzoekers researchers evidence bewijs
resultaten results effecten effects uitkomsten outcomes
financiering funding financieren fund geld money bekostiging
subsidie subsidies grant grants regeling
fonds fondsen funds foundation
kosten costs kost cost
prijs award prize
jongeren jongere youth young jeugd adolescents
kinderen children kids
armoede poverty arm laag-inkomen low-income minima weinig-geld geldzorgen
huisarts huisartsen gp gps doctor doctors
recept prescription prescribing voorschrijven verwijzing verwijzen referral referrals referring
welzijnscoach welzijnscoaches link-worker link-workers linkworker
museum musea museums museumbezoek
theater toneel theatre theater voorstelling voorstellingen performance plays play
dans dansen dance dancing danslessen
zingen zang singing koor koren choir choirs
muziek music musical
deelnemers deelnemer participants participant
vrijwilligers volunteers vrijwilliger volunteer
bereikt bereiken reach reached bereik
samenwerking samenwerken collaboration cooperation partnership samenwerkingspartners partners
verpleeghuis verpleeghuizen zorginstelling nursing-home care-home
buurt wijk neighbourhood neighborhood community wijken
project projecten projects initiative initiatieven
tips tip advice adviezen
aanvragen aanvraag apply application
cultuurcoach cultuurcoaches combinatiefunctionaris combinatiefunctionarissen
netwerkdag netwerkdagen networkday
gespreksplaat praatplaat
parkinson parkinson's
nederland netherlands nederlandse dutch
engeland england engelse english britain british uk
schotland scotland scottish
belgie belgium vlaanderen flanders
voorzieningen voorziening services facilities
verwijzen doorsturen doorverwijzen refer signpost
effect effecten uitkomst impact werkt helpt
""".strip()


@lru_cache(maxsize=1)
def _index() -> dict[str, tuple[str, ...]]:
    """Word -> the other words of its group(s), all normalised."""
    out: dict[str, list[str]] = {}
    for line in GROUPS_TEXT.splitlines():
        group = [T.normalise(w.replace("-", " ")) for w in line.split()]
        for w in group:
            out.setdefault(w, []).extend(x for x in group if x != w)
    return {k: tuple(dict.fromkeys(v)) for k, v in out.items()}


def expansions(word: str) -> tuple[str, ...]:
    """Equivalents of one normalised word (may contain spaces for multi-word terms)."""
    return _index().get(word, ())


@lru_cache(maxsize=1)
def _lexicon() -> dict[str, tuple[str, ...]]:
    """Word -> its translations, in both directions."""
    pairs: dict[str, list[str]] = {}
    try:
        lines = LEXICON.read_text(encoding="utf-8").splitlines()
    except OSError:
        lines = []
    for line in lines:
        if not line.strip() or line.startswith("#") or "\t" not in line:
            continue
        nl, en = line.split("\t", 1)
        left = T.normalise(nl.strip())
        rights = [T.normalise(e.strip()) for e in en.split("|") if e.strip()]
        if not left or not rights:
            continue
        pairs.setdefault(left, []).extend(rights)
        for r in rights:
            pairs.setdefault(r, []).append(left)
    return {k: tuple(dict.fromkeys(v)) for k, v in pairs.items()}


def translations(word: str) -> tuple[str, ...]:
    """Translations of one normalised word from the general word list."""
    return _lexicon().get(word, ())
