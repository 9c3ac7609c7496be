#!/usr/bin/env python
"""Knowledge-base benchmark: Verbinder vs. a plain langchain + Chroma pipeline, side by side.

One run:
  1. generates a deterministic synthetic NL/EN corpus (arts & culture x care & welfare) of
     about --chunks Verbinder chunks as Markdown files with front matter, calibrated with
     Verbinder's own Chunker;
  2. Verbinder: first ingest into a fresh data dir (SQL + BM25 + Chroma) and a re-ingest of
     the unchanged folder;
  3. plain pipeline: read files, strip front matter, RecursiveCharacterTextSplitter(1000, 200),
     Chroma.from_documents(..., embedding=WordLlamaEmbeddings(), persist_directory=tmp);
  4. query latency after warm-up: Verbinder Assistant.ask (retrieval + answer) and the plain
     store's similarity_search(k=4);
  5. peak RSS of every phase, each in its own subprocess.

Prints a table with targets and pass/fail, writes bench/out/bench_kb.json.
This is a benchmark script, not a test. See bench/README.md.

    python bench/bench_kb.py --chunks 3000     # quick check
    python bench/bench_kb.py                   # full run (50,000 chunks)
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "bench" / "out"
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

MB = 1e6  # throughput and sizes in decimal megabytes (10^6 bytes) ...
MIB = 1024 * 1024  # ... except RSS, reported in MiB (ru_maxrss is in KiB on Linux)

TARGETS = {
    "reingest_ratio_min": 20.0,
    "ingest_mb_per_s_ratio_min": 1.1,  # Verbinder / plain input MB/s (issue 12)
    "ask_p95_ms_max": 15.0,
    "verbinder_peak_rss_mb_max": 700.0,
}

# --------------------------------------------------------------------------------------------
# Vocabulary and templates (deterministic synthetic text)
# --------------------------------------------------------------------------------------------

REGIONS_NL = [
    "Amsterdam",
    "Rotterdam",
    "Utrecht",
    "Den Haag",
    "Groningen",
    "Eindhoven",
    "Tilburg",
    "Zwolle",
    "Leeuwarden",
    "Maastricht",
    "Nijmegen",
    "Arnhem",
    "Culemborg",
    "Deventer",
    "Haarlem",
    "Leiden",
    "Almere",
    "Breda",
    "Enschede",
    "Amersfoort",
    "Heerlen",
    "Assen",
    "Middelburg",
    "Delft",
    "Gouda",
    "Zaanstad",
    "Den Bosch",
    "Apeldoorn",
]
REGIONS_EN = [
    "London",
    "Manchester",
    "Bristol",
    "Leeds",
    "Glasgow",
    "Edinburgh",
    "Cardiff",
    "Liverpool",
    "Sheffield",
    "Newcastle",
    "Belfast",
    "Brighton",
]

NL = {
    "art": [
        "kunst",
        "cultuur",
        "dans",
        "theater",
        "muziek",
        "zang",
        "koorzang",
        "schilderen",
        "beeldende kunst",
        "fotografie",
        "poëzie",
        "verhalen vertellen",
        "museumbezoek",
        "erfgoed",
        "film",
        "keramiek",
        "circus",
        "spoken word",
        "creatief schrijven",
        "cultuureducatie",
        "amateurkunst",
        "muziektherapie",
        "danslessen",
        "toneelspelen",
    ],
    "group": [
        "ouderen",
        "jongeren",
        "mensen met dementie",
        "mantelzorgers",
        "nieuwkomers",
        "statushouders",
        "kinderen in armoede",
        "bewoners van verpleeghuizen",
        "mensen met een psychische kwetsbaarheid",
        "alleenstaande ouderen",
        "jongvolwassenen",
        "gezinnen met een laag inkomen",
        "buurtbewoners",
        "mensen met parkinson",
        "thuiswonende ouderen",
        "kwetsbare jongeren",
    ],
    "problem": [
        "eenzaamheid",
        "armoede",
        "dementie",
        "sociaal isolement",
        "somberheid",
        "stress",
        "laaggeletterdheid",
        "schulden",
        "depressie",
        "angst",
        "gebrek aan beweging",
        "mentale klachten",
        "geheugenverlies",
        "uitsluiting",
    ],
    "prof": [
        "de huisarts",
        "de welzijnscoach",
        "de cultuurcoach",
        "de wijkverpleegkundige",
        "de praktijkondersteuner",
        "de jongerenwerker",
        "de sociaal werker",
        "de buurtsportcoach",
        "de mantelzorgconsulent",
        "de beleidsmedewerker cultuur",
        "de activiteitenbegeleider",
        "de combinatiefunctionaris",
    ],
    "fund": [
        "het Fonds voor Cultuurparticipatie",
        "het Oranje Fonds",
        "het VSBfonds",
        "het Prins Bernhard Cultuurfonds",
        "ZonMw",
        "de gemeentelijke subsidieregeling",
        "het Jeugdcultuurfonds",
        "de provincie",
        "een lokaal fonds",
        "het Kansfonds",
        "de Wmo-middelen van de gemeente",
        "het Cultuurfonds",
    ],
    "venue": [
        "de bibliotheek",
        "het buurthuis",
        "het museum",
        "het wijkcentrum",
        "het theater",
        "het verpleeghuis",
        "de muziekschool",
        "het dorpshuis",
        "het cultuurhuis",
        "de huisartsenpraktijk",
        "het poppodium",
        "het zorgcentrum",
    ],
    "outcome": [
        "deelnemers zich minder eenzaam voelen",
        "het welbevinden toeneemt",
        "nieuwe contacten ontstaan in de wijk",
        "mantelzorgers even op adem komen",
        "jongeren meer zelfvertrouwen krijgen",
        "de huisarts minder consulten heeft",
        "ouderen langer zelfstandig blijven",
        "mensen weer meedoen in de buurt",
        "de drempel naar cultuur lager wordt",
        "de kwaliteit van leven verbetert",
        "zorgmedewerkers meer werkplezier ervaren",
    ],
    "sector": [
        "kunst en cultuur",
        "zorg en welzijn",
        "het sociaal domein",
        "de gemeente",
        "de eerstelijnszorg",
        "het onderwijs",
        "de bibliotheek",
        "de ouderenzorg",
    ],
    "heading": [
        "Aanleiding",
        "Doel",
        "Aanpak",
        "Doelgroep",
        "Financiering",
        "Resultaten",
        "Samenwerking",
        "Praktische tips",
        "Evaluatie",
        "Contact",
        "Achtergrond",
        "Wat werkt",
        "Lessen",
        "Kosten",
        "Planning",
        "Werving van deelnemers",
        "Rol van de gemeente",
        "Verankering",
    ],
    "weekday": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag"],
    "month": [
        "januari",
        "februari",
        "maart",
        "april",
        "mei",
        "juni",
        "juli",
        "augustus",
        "september",
        "oktober",
        "november",
        "december",
    ],
    "title": [
        "{Art} tegen {problem} in {region}",
        "Zo verbind je {sector} met {sector2}",
        "{Compound} voor {group}",
        "Cultuur op recept: {art} voor {group}",
        "Financiering van {art} in de zorg",
        "Handreiking {compound} in {region}",
        "Praktijkvoorbeeld: {project} in {region}",
        "{Art} en welzijn: wat werkt?",
        "Samenwerken aan {problem_a}: {art} en zorg",
        "Tien tips voor {compound}",
    ],
}
NL_SENT = [
    "In {region} werkt de gemeente samen met {org} om {art} aan te bieden aan {group}.",
    "{Prof} verwijst {group} door naar {art}, zodat {outcome}.",
    "Het project {project} richt zich op {group} die te maken hebben met {problem}.",
    "De financiering komt uit {fund}; per aanvraag is maximaal €{amount} beschikbaar.",
    "Via cultuur op recept kan {prof} een traject van {n} weken {art} voorschrijven.",
    "Deelnemers gaven in de evaluatie aan dat {outcome}.",
    "Uit het onderzoek blijkt dat {pct} procent van de deelnemers minder last heeft van {problem}.",
    "De bijeenkomsten vinden elke {weekday} plaats in {venue} in {region}.",
    "Contactpersoon is {person} van {org}, bereikbaar via {email} of {phone}.",
    "De volgende aanvraagronde van {fund} sluit op {day} {month} {year}.",
    "Kunstenaars en zorgprofessionals ontwikkelen samen een {compound} voor {group}.",
    "Belangrijk is dat {group} zelf meebeslissen over de inhoud van het programma.",
    "Een goede samenwerking tussen {sector} en {sector2} vraagt om tijd, vertrouwen en een gedeelde taal.",
    "In {year} deden {n2} {group} mee aan {art} in {venue}.",
    "Het {compound} kost ongeveer €{amount} per jaar, inclusief de inzet van {prof}.",
    "Volgens {person} helpt {art} vooral omdat {outcome}.",
    "De aanpak is overgenomen door {n} andere gemeenten, waaronder {region2}.",
    "Een veelgehoorde les is dat {group} beter bereikt worden via {venue} dan via een folder.",
    "{Prof} en {org} organiseren samen een {compound} rond {problem}.",
    "Door {art} komen {group} in contact met anderen, waardoor {problem} afneemt.",
    "Meer informatie staat op {url}.",
    "De resultaten worden gemeten met een vragenlijst over welzijn, eenzaamheid en gezondheid.",
    "Sinds {year} is het {compound} een vast onderdeel van het lokale beleid voor {group}.",
    "Vrijwilligers uit de buurt begeleiden {group} van en naar {venue}.",
]
EN = {
    "art": [
        "arts",
        "culture",
        "dance",
        "theatre",
        "music",
        "singing",
        "choir singing",
        "painting",
        "visual arts",
        "photography",
        "poetry",
        "storytelling",
        "museum visits",
        "heritage",
        "film",
        "ceramics",
        "circus",
        "spoken word",
        "creative writing",
        "arts education",
        "community arts",
        "music therapy",
        "dance classes",
        "drama",
    ],
    "group": [
        "older people",
        "young people",
        "people living with dementia",
        "carers",
        "refugees",
        "newcomers",
        "children in poverty",
        "care home residents",
        "people with mental health problems",
        "older people living alone",
        "young adults",
        "low-income families",
        "local residents",
        "people with Parkinson's",
        "isolated older people",
        "vulnerable young people",
    ],
    "problem": [
        "loneliness",
        "poverty",
        "dementia",
        "social isolation",
        "low mood",
        "stress",
        "low literacy",
        "debt",
        "depression",
        "anxiety",
        "physical inactivity",
        "mental health problems",
        "memory loss",
        "exclusion",
    ],
    "prof": [
        "the GP",
        "the link worker",
        "the culture coach",
        "the district nurse",
        "the practice nurse",
        "the youth worker",
        "the social worker",
        "the community sports coach",
        "the carers' support worker",
        "the council arts officer",
        "the activities coordinator",
        "the social prescriber",
    ],
    "fund": [
        "Arts Council England",
        "the National Lottery Community Fund",
        "the local council",
        "the Baring Foundation",
        "the Paul Hamlyn Foundation",
        "a local trust",
        "the NHS social prescribing budget",
        "the Esmée Fairbairn Foundation",
        "Creative Scotland",
        "the Arts Council of Wales",
    ],
    "venue": [
        "the library",
        "the community centre",
        "the museum",
        "the village hall",
        "the theatre",
        "the care home",
        "the music school",
        "the arts centre",
        "the GP surgery",
        "the church hall",
        "the day centre",
    ],
    "outcome": [
        "participants feel less lonely",
        "wellbeing improves",
        "new friendships form in the neighbourhood",
        "carers get a break",
        "young people gain confidence",
        "GP visits go down",
        "older people stay independent for longer",
        "people take part in community life again",
        "the barrier to culture gets lower",
        "quality of life improves",
        "care staff enjoy their work more",
    ],
    "sector": [
        "arts and culture",
        "health and social care",
        "the voluntary sector",
        "the council",
        "primary care",
        "education",
        "public libraries",
        "elderly care",
    ],
    "heading": [
        "Background",
        "Aim",
        "Approach",
        "Target group",
        "Funding",
        "Results",
        "Partnership",
        "Practical tips",
        "Evaluation",
        "Contact",
        "Context",
        "What works",
        "Lessons learned",
        "Costs",
        "Timeline",
        "Recruiting participants",
        "Role of the council",
        "Sustainability",
    ],
    "weekday": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"],
    "month": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    "title": [
        "{Art} against {problem} in {region}",
        "Connecting {sector} with {sector2}",
        "{Art} for {group}",
        "Arts on prescription: {art} for {group}",
        "Funding {art} in care",
        "A guide to {art} in {region}",
        "Case study: {project} in {region}",
        "{Art} and wellbeing: what works?",
        "Tackling {problem_a} together: {art} and care",
        "Ten tips for {art} with {group}",
    ],
}
EN_SENT = [
    "In {region} the council works with {org} to offer {art} to {group}.",
    "{Prof} refers {group} to {art}, so that {outcome}.",
    "The {project} project focuses on {group} affected by {problem}.",
    "Funding comes from {fund}; each application can receive up to £{amount}.",
    "Through social prescribing {prof} can prescribe a {n}-week course of {art}.",
    "In the evaluation participants said that {outcome}.",
    "The study found that {pct} percent of participants reported less {problem}.",
    "Sessions take place every {weekday} at {venue} in {region}.",
    "The contact person is {person} at {org}, reachable at {email} or {phone}.",
    "The next funding round of {fund} closes on {day} {month} {year}.",
    "Artists and care professionals co-design a {art} programme for {group}.",
    "It matters that {group} have a say in what the programme offers.",
    "Good collaboration between {sector} and {sector2} takes time, trust and a shared language.",
    "In {year}, {n2} {group} took part in {art} at {venue}.",
    "The programme costs about £{amount} a year, including the time of {prof}.",
    "According to {person}, {art} helps mainly because {outcome}.",
    "The approach has been adopted by {n} other councils, including {region2}.",
    "A common lesson is that {group} are easier to reach through {venue} than with a leaflet.",
    "{Prof} and {org} jointly run {art} sessions on {problem}.",
    "Through {art}, {group} meet other people, which reduces {problem}.",
    "More information is available at {url}.",
    "Outcomes are measured with a questionnaire on wellbeing, loneliness and health.",
    "Since {year} the {art} programme has been part of local policy for {group}.",
    "Volunteers from the neighbourhood accompany {group} to and from {venue}.",
]
COMP_LEFT = [
    "kunst",
    "cultuur",
    "zorg",
    "welzijns",
    "buurt",
    "wijk",
    "dans",
    "theater",
    "muziek",
    "ouderen",
    "jongeren",
    "museum",
    "zang",
    "erfgoed",
    "verhalen",
]
COMP_RIGHT = [
    "project",
    "aanbod",
    "netwerk",
    "programma",
    "workshop",
    "les",
    "traject",
    "middag",
    "atelier",
    "festival",
    "plan",
    "werkplaats",
    "café",
    "route",
    "koor",
]
NAME_A = [
    "Zilver",
    "Kleur",
    "Klank",
    "Licht",
    "Stem",
    "Beweeg",
    "Brug",
    "Thuis",
    "Samen",
    "Hart",
    "Zon",
    "Wind",
    "Stroom",
    "Vonk",
    "Draad",
    "Golden",
    "Bright",
    "Open",
    "Silver",
    "Tide",
]
NAME_B = [
    "draad",
    "rijk",
    "kracht",
    "huis",
    "lab",
    "plaats",
    "punt",
    "werk",
    "zaal",
    "kamer",
    "lijn",
    "veld",
    "roots",
    "ways",
    "notes",
    "steps",
    "voices",
    "works",
    "haven",
    "bridge",
]
ORG_PREFIX = ["Stichting", "Vereniging", "Coöperatie", "Atelier", "Studio", "Collectief"]
FIRST = [
    "Anna",
    "Jan",
    "Fatima",
    "Pieter",
    "Sanne",
    "Mohamed",
    "Eva",
    "Daan",
    "Lotte",
    "Ahmed",
    "Emma",
    "Thomas",
    "Noor",
    "Ruben",
    "Sarah",
    "James",
    "Olivia",
    "David",
    "Grace",
    "Samir",
    "Ingrid",
    "Kees",
    "Yara",
    "Bram",
]
LAST = [
    "de Vries",
    "Jansen",
    "Bakker",
    "Visser",
    "Smit",
    "Meijer",
    "van Dijk",
    "Mulder",
    "Bos",
    "El Amrani",
    "Yilmaz",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "Smith",
    "Jones",
    "Taylor",
    "Brown",
    "Wilson",
    "Evans",
    "Thomas",
    "Roberts",
]
TAGS = [
    "eenzaamheid",
    "ouderen",
    "dementie",
    "jongeren",
    "armoede",
    "financiering",
    "beleid",
    "samenwerking",
    "museum",
    "dans",
    "theater",
    "muziek",
    "zang",
    "cultuur-op-recept",
    "welzijn",
    "mantelzorg",
    "mentale-gezondheid",
    "nieuwkomers",
    "erfgoed",
    "onderzoek",
]
KINDS = [("document", 0.5), ("tip", 0.3), ("project", 0.2)]

OFF_TOPIC = [
    "Wat is de hoofdstad van Australië?",
    "Hoe laat vertrekt de laatste trein naar Parijs?",
    "How do I reset my router password?",
    "What is the boiling point of mercury?",
    "Welke band won het Eurovisie Songfestival in 1975?",
    "How many moons does Jupiter have?",
    "Hoe vervang ik de accu van mijn auto?",
    "What is the best recipe for sourdough bread?",
]
NL_Q = [
    "Hoe kan {art} helpen tegen {problem} bij {group}?",
    "Welke financiering is er voor {art} in {region}?",
    "Wie is de contactpersoon van {project}?",
    "Wanneer sluit de volgende aanvraagronde van {fund}?",
    "Hoeveel {group} deden mee aan {art}?",
    "Wat doet {prof} bij {problem}?",
    "Hoe werkt cultuur op recept voor {group}?",
    "Welke projecten met {art} zijn er voor {group} in {region}?",
    "Hoe verbind je {sector} met {sector2}?",
    "Wat kost een {compound} voor {group}?",
    "Tips voor {art} in {venue}?",
    "Werkt {art} tegen {problem}?",
]
EN_Q = [
    "How can {art} reduce {problem} among {group}?",
    "What funding is available for {art} in {region}?",
    "Who is the contact person for {project}?",
    "When does the next funding round of {fund} close?",
    "How many {group} took part in {art}?",
    "What does {prof} do about {problem}?",
    "How does social prescribing work for {group}?",
    "Which {art} projects are there for {group} in {region}?",
    "How do you connect {sector} with {sector2}?",
    "How much does a {art} programme for {group} cost?",
    "Any tips for {art} at {venue}?",
    "Does {art} help against {problem}?",
]


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _slug(s: str) -> str:
    s = s.lower().translate(str.maketrans("ëéèïöü€£", "eeeiou  "))
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")[:60] or "doc"


def _fill(rng: random.Random, template: str, lang: str) -> str:
    """Fill one template from the vocabulary of a language."""
    v = NL if lang == "nl" else EN
    regions = REGIONS_NL if lang == "nl" or rng.random() < 0.5 else REGIONS_EN
    project = rng.choice(NAME_A) + rng.choice(NAME_B)
    org_name = rng.choice(NAME_A) + rng.choice(NAME_B)
    values = {
        "art": rng.choice(v["art"]),
        "group": rng.choice(v["group"]),
        "problem": rng.choice(v["problem"]),
        "problem_a": rng.choice(v["problem"]),
        "prof": rng.choice(v["prof"]),
        "fund": rng.choice(v["fund"]),
        "venue": rng.choice(v["venue"]),
        "outcome": rng.choice(v["outcome"]),
        "sector": rng.choice(v["sector"]),
        "sector2": rng.choice(v["sector"]),
        "weekday": rng.choice(v["weekday"]),
        "month": rng.choice(v["month"]),
        "region": rng.choice(regions),
        "region2": rng.choice(regions),
        "compound": rng.choice(COMP_LEFT) + rng.choice(COMP_RIGHT),
        "project": project,
        "org": f"{rng.choice(ORG_PREFIX)} {org_name}",
        "person": f"{rng.choice(FIRST)} {rng.choice(LAST)}",
        "email": f"info@{org_name.lower()}.{'nl' if lang == 'nl' else 'org.uk'}",
        "phone": (
            f"0{rng.randint(10, 79)}-{rng.randint(1000000, 9999999)}"
            if lang == "nl"
            else f"+44 20 {rng.randint(1000, 9999)} {rng.randint(1000, 9999)}"
        ),
        "url": f"https://www.{project.lower()}.{'nl' if lang == 'nl' else 'org.uk'}",
        "amount": f"{rng.choice([1500, 2500, 5000, 7500, 10000, 15000, 25000, 50000]):,}".replace(
            ",", "." if lang == "nl" else ","
        ),
        "pct": str(rng.randint(12, 87)),
        "n": str(rng.randint(2, 16)),
        "n2": str(rng.randint(8, 450)),
        "day": str(rng.randint(1, 28)),
        "year": str(rng.randint(2014, 2025)),
    }
    for key in ("art", "prof", "compound"):
        values[_cap(key)] = _cap(values[key])
    return template.format(**values)


def make_document(seed: int, i: int) -> tuple[str, str]:
    """One synthetic Markdown file (relative path, text); depends only on (seed, i)."""
    rng = random.Random(f"verbinder-bench:{seed}:{i}")
    lang = "nl" if rng.random() < 0.6 else "en"
    kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
    v = NL if lang == "nl" else EN
    sentences = NL_SENT if lang == "nl" else EN_SENT
    title = _fill(rng, rng.choice(v["title"]), lang)
    region = rng.choice(REGIONS_NL if lang == "nl" else REGIONS_EN) if rng.random() < 0.7 else None
    tags = rng.sample(TAGS, rng.randint(1, 4))
    front = [
        "---",
        f"title: {json.dumps(title, ensure_ascii=False)}",
        f"language: {lang}",
        f"kind: {kind}",
        f"tags: [{', '.join(tags)}]",
    ]
    if region:
        front.append(f"region: {region}")
    front.append(f"date: {rng.randint(2014, 2025)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}")
    front.append("---")
    body = [f"# {title}", ""]
    for heading in rng.sample(v["heading"], rng.randint(2, 4)):
        body += [f"## {heading}", ""]
        for _ in range(rng.choices([1, 2, 3], weights=[3, 4, 2])[0]):
            if rng.random() < 0.15:
                items = [_fill(rng, rng.choice(sentences), lang) for _ in range(rng.randint(3, 5))]
                body += [f"- {it}" for it in items]
            else:
                body.append(
                    " ".join(_fill(rng, rng.choice(sentences), lang) for _ in range(rng.randint(2, 7)))
                )
            body.append("")
    rel = f"{kind}s/{i // 1000:03d}/{_slug(title)}-{i:06d}.md"
    return rel, "\n".join(front) + "\n" + "\n".join(body)


def make_questions(seed: int, n: int) -> list[str]:
    """Mixed Dutch/English domain questions (about 8% off-topic), deterministic."""
    rng = random.Random(f"verbinder-bench-questions:{seed}")
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.08:
            out.append(rng.choice(OFF_TOPIC))
        elif r < 0.6:
            out.append(_fill(rng, rng.choice(NL_Q), "nl"))
        else:
            out.append(_fill(rng, rng.choice(EN_Q), "en"))
    return out


# --------------------------------------------------------------------------------------------
# Helpers used inside phases
# --------------------------------------------------------------------------------------------


def _peak_rss() -> dict[str, float]:
    """Peak RSS of this process: ru_maxrss (KiB on Linux) and /proc VmHWM, both in MiB."""
    out = {"ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024 / MIB}
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                out["vmhwm_mb"] = int(line.split()[1]) * 1024 / MIB
    except OSError:
        pass
    return out


def _percentiles(samples_s: list[float]) -> dict[str, float]:
    """p50/p95/p99/mean/max in ms (linear interpolation between order statistics)."""
    xs = sorted(s * 1000 for s in samples_s)

    def pct(p: float) -> float:
        if not xs:
            return float("nan")
        k = (len(xs) - 1) * p / 100
        lo, hi = math.floor(k), math.ceil(k)
        return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)

    return {
        "n": len(xs),
        "p50_ms": pct(50),
        "p95_ms": pct(95),
        "p99_ms": pct(99),
        "mean_ms": sum(xs) / len(xs) if xs else float("nan"),
        "max_ms": xs[-1] if xs else 0.0,
    }


def _du(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def _rss_now_mb() -> float:
    """Current RSS in MiB (/proc/self/statm; 0 where unavailable)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / MIB
    except (OSError, ValueError, IndexError):
        return 0.0


class _RssSampler(threading.Thread):
    """Samples RSS every `interval` s and keeps the peak per current stage label."""

    def __init__(self, interval: float = 0.05) -> None:
        super().__init__(daemon=True)
        self.interval = interval
        self.stack: list[str] = ["(outside wrapped stages)"]
        self.peaks: dict[str, float] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        while not self._halt.is_set():
            label = self.stack[-1]
            self.peaks[label] = max(self.peaks.get(label, 0.0), _rss_now_mb())
            self._halt.wait(self.interval)

    def stop(self) -> dict[str, float]:
        self._halt.set()
        self.join(timeout=2)
        return {k: round(v, 1) for k, v in self.peaks.items()}


class _Timer:
    """Accumulates wall time of wrapped callables (instrumentation for the ingest breakdown)."""

    def __init__(self, sampler: _RssSampler | None = None) -> None:
        self.totals: dict[str, float] = {}
        self.calls: dict[str, int] = {}
        self.sampler = sampler

    def wrap(self, name: str, fn):  # type: ignore[no-untyped-def]
        stack = self.sampler.stack if self.sampler else None

        def wrapped(*a, **kw):  # type: ignore[no-untyped-def]
            if stack is not None:
                stack.append(name.strip())
            t0 = time.perf_counter()
            try:
                return fn(*a, **kw)
            finally:
                self.totals[name] = self.totals.get(name, 0.0) + time.perf_counter() - t0
                self.calls[name] = self.calls.get(name, 0) + 1
                if stack is not None:
                    stack.pop()

        return wrapped

    def patch(self, obj, attr: str, name: str) -> None:  # type: ignore[no-untyped-def]
        """Wrap obj.attr when it exists (the code under test may evolve; never fail on that)."""
        fn = getattr(obj, attr, None)
        if callable(fn):
            setattr(obj, attr, self.wrap(name, fn))


def _maybe_profile(args, name: str, fn):  # type: ignore[no-untyped-def]
    """Run fn, under cProfile when --profile was given (profile dumped next to the JSON)."""
    if not args.profile:
        return fn()
    import cProfile
    import io
    import pstats

    prof = cProfile.Profile()
    result = prof.runcall(fn)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    prof.dump_stats(str(OUT_DIR / f"profile_{name}.prof"))
    buf = io.StringIO()
    st = pstats.Stats(prof, stream=buf)
    st.sort_stats("cumulative").print_stats(35)
    st.sort_stats("tottime").print_stats(25)
    (OUT_DIR / f"profile_{name}.txt").write_text(buf.getvalue())
    return result


# --------------------------------------------------------------------------------------------
# Phases (each runs in its own subprocess)
# --------------------------------------------------------------------------------------------


def phase_gen(args) -> dict:  # type: ignore[no-untyped-def]
    """Generate the corpus, counting Verbinder chunks per file until the target is reached."""
    from bot.config import Settings
    from ingest.chunking import Chunker
    from ingest.loaders import load_bytes

    settings = Settings(data_dir=Path(args.work) / "unused", sample_kb=False)
    chunker = Chunker(settings.chunk_size, settings.chunk_overlap)
    corpus = Path(args.corpus)
    t0 = time.perf_counter()
    total_chunks = total_bytes = i = 0
    langs: dict[str, int] = {}
    kinds: dict[str, int] = {}
    while total_chunks < args.chunks:
        rel, text = make_document(args.seed, i)
        data = text.encode("utf-8")
        doc = load_bytes(data, rel)
        total_chunks += len(chunker.split(doc))
        total_bytes += len(data)
        langs[doc.language] = langs.get(doc.language, 0) + 1
        kinds[doc.kind] = kinds.get(doc.kind, 0) + 1
        path = corpus / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        i += 1
    return {
        "files": i,
        "bytes": total_bytes,
        "mb": total_bytes / MB,
        "chunks_verbinder": total_chunks,
        "target_chunks": args.chunks,
        "chunk_size": settings.chunk_size,
        "chunk_overlap": settings.chunk_overlap,
        "languages": langs,
        "kinds": kinds,
        "seconds": time.perf_counter() - t0,
        "rss": _peak_rss(),
    }


def phase_verbinder_ingest(args) -> dict:  # type: ignore[no-untyped-def]
    """Fresh data dir: first ingest, then re-ingests of the unchanged folder."""
    import ingest.pipeline as pipeline
    from app.runtime import build_runtime
    from bot.config import Settings

    corpus = Path(args.corpus)
    t0 = time.perf_counter()
    settings = Settings(data_dir=Path(args.data_dir), sample_kb=False)
    rt = build_runtime(settings)
    startup = time.perf_counter() - t0
    rss_after_startup = _peak_rss()

    sampler = _RssSampler() if args.breakdown else None
    timer = _Timer(sampler)
    if args.breakdown:
        # Wall-time accounting only (one perf_counter pair per call) plus an RSS sampler thread
        # (reads /proc every 50 ms); the code under test is not changed.
        kb = rt.kb
        timer.patch(pipeline, "load_bytes", "load (front matter, decode)")
        timer.patch(rt.chunker, "split", "chunking")
        timer.patch(kb, "upsert", "kb.upsert (SQL + Chroma)")
        timer.patch(kb.dense, "delete_ids", "  chroma delete_ids")
        timer.patch(kb.dense, "add", "  dense.add (embed + Chroma)")
        timer.patch(getattr(kb.dense, "embeddings", None), "embed_documents", "    embed_documents")
        timer.patch(getattr(kb.dense, "embeddings", None), "embed_array", "    embed_array")
        timer.patch(kb, "refresh_lexical", "kb.refresh_lexical (BM25)")
        timer.patch(kb, "_build_lexical", "  _build_lexical (tokenise + index)")
        timer.patch(kb.lexical, "build", "    bm25s index")
        timer.patch(kb.lexical, "save", "  lexical.save (snapshot)")
        sampler.start()

    t0 = time.perf_counter()
    rep = _maybe_profile(args, "verbinder_ingest", lambda: rt.ingest([corpus]))
    first = time.perf_counter() - t0
    rss_by_stage = sampler.stop() if sampler else {}
    rss_after_first = _peak_rss()
    order = [
        "load (front matter, decode)",
        "chunking",
        "kb.upsert (SQL + Chroma)",
        "  chroma delete_ids",
        "  dense.add (embed + Chroma)",
        "    embed_documents",
        "    embed_array",
        "kb.refresh_lexical (BM25)",
        "  _build_lexical (tokenise + index)",
        "    bm25s index",
        "  lexical.save (snapshot)",
    ]
    breakdown = {k: round(timer.totals[k], 3) for k in order if k in timer.totals}
    counted = {
        "added": len(rep.added),
        "updated": len(rep.updated),
        "unchanged": len(rep.unchanged),
        "failed": len(rep.failed),
    }
    if rep.failed:
        counted["failed_examples"] = rep.failed[:5]

    re_times = []
    re_reports = []
    for _ in range(args.reingest_repeats):
        t0 = time.perf_counter()
        r2 = rt.ingest([corpus])
        re_times.append(time.perf_counter() - t0)
        re_reports.append(
            {
                "added": len(r2.added),
                "updated": len(r2.updated),
                "unchanged": len(r2.unchanged),
                "failed": len(r2.failed),
                "chunks": r2.chunks,
            }
        )
    stats = rt.kb.stats()
    return {
        "startup_s": startup,
        "first_ingest_s": first,
        "report": counted,
        "chunks": rep.chunks,
        "bytes_read": rep.bytes_read,
        "chunks_per_s": rep.chunks / first,
        "mb_per_s": rep.bytes_read / MB / first,
        "reingest_s": re_times,
        "reingest_reports": re_reports,
        "reingest_ratio_first": first / re_times[0],
        "reingest_ratio_median": first / sorted(re_times)[len(re_times) // 2],
        "breakdown_s": breakdown,
        "breakdown_calls": timer.calls,
        "peak_rss_mb_by_stage_sampled": rss_by_stage,
        "kb_documents": stats["documents"],
        "kb_chunks": stats["chunks"],
        "dense_count": rt.kb.dense.count(),
        "lexical_size": rt.kb.lexical.size,
        "data_dir_mb": _du(Path(args.data_dir)) / MB,
        "rss_after_startup": rss_after_startup,
        "rss_after_first_ingest": rss_after_first,
        "rss": _peak_rss(),
    }


def phase_verbinder_ask(args) -> dict:  # type: ignore[no-untyped-def]
    """A fresh process opens the ingested data dir and answers questions."""
    from app.runtime import build_runtime
    from bot.config import Settings

    t0 = time.perf_counter()
    rt = build_runtime(Settings(data_dir=Path(args.data_dir), sample_kb=False))
    startup = time.perf_counter() - t0
    rss_after_startup = _peak_rss()
    qs = make_questions(args.seed, args.warmup + args.questions)
    warm, measured = qs[: args.warmup], qs[args.warmup :]
    for q in warm:
        rt.assistant.ask(q)
    times: list[float] = []
    statuses: dict[str, int] = {}
    examples = []
    gc_pauses: list[tuple[int, float]] = []
    gc_t0 = [0.0]

    def gc_cb(phase: str, info: dict) -> None:  # observation only
        if phase == "start":
            gc_t0[0] = time.perf_counter()
        else:
            gc_pauses.append((info.get("generation", -1), time.perf_counter() - gc_t0[0]))

    def run() -> None:
        for q in measured:
            t = time.perf_counter()
            a = rt.assistant.ask(q)
            times.append(time.perf_counter() - t)
            statuses[a.status] = statuses.get(a.status, 0) + 1
            if len(examples) < 3 and a.status == "answered":
                examples.append({"q": q, "answer": a.answer[:300], "sources": [s.path for s in a.sources]})

    import gc

    gc.callbacks.append(gc_cb)
    try:
        _maybe_profile(args, "verbinder_ask", run)
    finally:
        gc.callbacks.remove(gc_cb)
    slowest = sorted(zip(times, measured, strict=True), reverse=True)[:5]
    gen2 = [p for g, p in gc_pauses if g == 2]
    gc_info = {
        "collections": len(gc_pauses),
        "gen2": len(gen2),
        "gen2_ms": [round(p * 1000, 1) for p in gen2],
        "total_pause_ms": round(sum(p for _, p in gc_pauses) * 1000, 1),
    }
    components = _dense_components(rt, measured[:50])
    return {
        "startup_s": startup,
        "warmup": len(warm),
        "latency": _percentiles(times),
        "statuses": statuses,
        "examples": examples,
        "slowest": [{"ms": round(t * 1000, 1), "q": q} for t, q in slowest],
        "gc_during_measurement": gc_info,
        "components_median_ms": components,
        "lexical_size": rt.kb.lexical.size,
        "rss_after_startup": rss_after_startup,
        "rss": _peak_rss(),
    }


def _dense_components(rt, questions: list[str]) -> dict[str, float]:  # type: ignore[no-untyped-def]
    """Median ms of the dense-side pieces of one ask (after the measured loop; diagnostic only)."""
    out: dict[str, float] = {}
    try:
        dense = rt.kb.dense
        coll = getattr(dense, "collection", None) or dense._store._collection
        emb = dense.embeddings
    except AttributeError:
        return out
    vecs = [emb.embed_query(q) for q in questions]

    def med(fn) -> float:  # type: ignore[no-untyped-def]
        xs = []
        for i, q in enumerate(questions):
            t = time.perf_counter()
            fn(i, q)
            xs.append(time.perf_counter() - t)
        return round(sorted(xs)[len(xs) // 2] * 1000, 3)

    out["embed_query"] = med(lambda i, q: emb.embed_query(q))
    out["chroma_collection.count"] = med(lambda i, q: coll.count())
    out["chroma_collection.query_n40"] = med(
        lambda i, q: coll.query(query_embeddings=[vecs[i]], n_results=40, include=["distances"])
    )
    if hasattr(dense, "search"):
        out["DenseIndex.search_k40"] = med(lambda i, q: dense.search(q, 40))
    if hasattr(rt.assistant, "retriever"):
        out["Retriever.search"] = med(lambda i, q: rt.assistant.retriever.search(q))
    out["Assistant.ask"] = med(lambda i, q: rt.assistant.ask(q))
    return out


_FRONT = re.compile(r"\A---[ \t]*\r?\n.*?\r?\n---[ \t]*(?:\r?\n|\Z)", re.S)


def phase_plain(args) -> dict:  # type: ignore[no-untyped-def]
    """The textbook langchain + Chroma pipeline over the same files."""
    from langchain_chroma import Chroma
    from langchain_core.documents import Document
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    from knowledge_base.embeddings import WordLlamaEmbeddings

    t0 = time.perf_counter()
    embeddings = WordLlamaEmbeddings()
    startup = time.perf_counter() - t0
    corpus = Path(args.corpus)

    t_start = time.perf_counter()
    docs = []
    n_bytes = 0
    for f in sorted(corpus.rglob("*.md")):
        data = f.read_bytes()
        n_bytes += len(data)
        text = _FRONT.sub("", data.decode("utf-8"), count=1)
        docs.append(Document(page_content=text, metadata={"source": f.relative_to(corpus).as_posix()}))
    t_loaded = time.perf_counter()
    splitter = RecursiveCharacterTextSplitter(chunk_size=1000, chunk_overlap=200)
    chunks = splitter.split_documents(docs)
    t_split = time.perf_counter()
    persist = Path(args.work) / "plain_chroma"
    batching = "Chroma.from_documents (langchain-chroma splits into client max_batch_size batches itself)"

    def build() -> Chroma:
        nonlocal batching
        try:
            return Chroma.from_documents(chunks, embedding=embeddings, persist_directory=str(persist))
        except ValueError as exc:  # older stacks: batch larger than the client's max batch size
            if "batch size" not in str(exc).lower():
                raise
            shutil.rmtree(persist, ignore_errors=True)
            store = Chroma(embedding_function=embeddings, persist_directory=str(persist))
            size = store._client.get_max_batch_size()
            for i in range(0, len(chunks), size):
                store.add_documents(chunks[i : i + size])
            batching = f"Chroma.add_documents in batches of {size} (from_documents refused the batch)"
            return store

    store = _maybe_profile(args, "plain_index", build)
    t_done = time.perf_counter()
    total = t_done - t_start
    try:
        max_batch = int(store._client.get_max_batch_size())
    except Exception:  # noqa: BLE001
        max_batch = None
    count = int(store._collection.count())
    rss_after_index = _peak_rss()

    qs = make_questions(args.seed, args.warmup + args.questions)
    for q in qs[: args.warmup]:
        store.similarity_search(q, k=4)
    times = []
    for q in qs[args.warmup :]:
        t = time.perf_counter()
        store.similarity_search(q, k=4)
        times.append(time.perf_counter() - t)
    return {
        "startup_s": startup,
        "files": len(docs),
        "bytes_read": n_bytes,
        "chunks": len(chunks),
        "stored": count,
        "ingest_s": total,
        "load_s": t_loaded - t_start,
        "split_s": t_split - t_loaded,
        "index_s": t_done - t_split,
        "chunks_per_s": len(chunks) / total,
        "mb_per_s": n_bytes / MB / total,
        "max_batch_size": max_batch,
        "batches": math.ceil(len(chunks) / max_batch) if max_batch else None,
        "batching": batching,
        "latency": _percentiles(times),
        "telemetry": os.environ.get("ANONYMIZED_TELEMETRY"),
        "store_dir_mb": _du(persist) / MB,
        "rss_after_index": rss_after_index,
        "rss": _peak_rss(),
    }


PHASES = {
    "gen": phase_gen,
    "verbinder-ingest": phase_verbinder_ingest,
    "verbinder-ask": phase_verbinder_ask,
    "plain": phase_plain,
}

# --------------------------------------------------------------------------------------------
# Orchestrator (stays small: no heavy imports, so children's RSS is their own)
# --------------------------------------------------------------------------------------------


def _run_phase(name: str, args, work: Path, deadline: float) -> dict:  # type: ignore[no-untyped-def]
    out = work / f"phase-{name}.json"
    cmd = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--phase",
        name,
        "--phase-out",
        str(out),
        "--work",
        str(work),
        "--corpus",
        str(work / "corpus"),
        "--data-dir",
        str(work / "verbinder_data"),
        "--chunks",
        str(args.chunks),
        "--seed",
        str(args.seed),
        "--questions",
        str(args.questions),
        "--warmup",
        str(args.warmup),
        "--reingest-repeats",
        str(args.reingest_repeats),
    ]
    if args.profile:
        cmd.append("--profile")
    if not args.breakdown:
        cmd.append("--no-breakdown")
    env = dict(os.environ)
    env.update(
        {
            "ANONYMIZED_TELEMETRY": "False",
            "TOKENIZERS_PARALLELISM": "false",
            "PYTHONHASHSEED": "0",
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
        }
    )
    left = deadline - time.monotonic()
    if left <= 5:
        return {"error": "skipped: time budget exhausted"}
    print(f"[bench] phase {name} ...", flush=True)
    t0 = time.perf_counter()
    try:
        proc = subprocess.run(
            cmd, env=env, cwd=str(work), timeout=left, capture_output=True, text=True, check=False
        )
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {left:.0f}s (budget)", "wall_s": time.perf_counter() - t0}
    wall = time.perf_counter() - t0
    if proc.returncode != 0 or not out.exists():
        tail = (proc.stderr or proc.stdout or "")[-3000:]
        print(f"[bench] phase {name} FAILED (rc={proc.returncode}):\n{tail}", file=sys.stderr)
        return {"error": f"rc={proc.returncode}", "stderr_tail": tail, "wall_s": wall}
    res = json.loads(out.read_text())
    res["wall_s"] = wall
    print(f"[bench] phase {name} done in {wall:.1f}s", flush=True)
    return res


def _fmt(v, spec: str = ",.1f") -> str:  # type: ignore[no-untyped-def]
    if v is None:
        return "-"
    if isinstance(v, float) and math.isnan(v):
        return "n/a"
    try:
        return format(v, spec)
    except (TypeError, ValueError):
        return str(v)


def _verdict(ok: bool | None) -> str:
    return "-" if ok is None else ("PASS" if ok else "FAIL")


def _get(d: dict, *path, default=None):  # type: ignore[no-untyped-def]
    for p in path:
        if not isinstance(d, dict) or p not in d:
            return default
        d = d[p]
    return d


def report(results: dict) -> str:
    """The human-readable table."""
    ph = results["phases"]
    g, vi, va, pl = (ph.get(k, {}) for k in ("gen", "verbinder-ingest", "verbinder-ask", "plain"))
    t, r, checks = TARGETS, results["ratios"], results["checks"]
    env, code = results["environment"], results.get("code", {})
    before = code.get("before", {})
    lines = [
        f"Verbinder knowledge-base benchmark  ({env['python']}, {env['cpus']} CPUs, {env['platform']})",
        f"Code under test: sha256 {before.get('sha256')} (newest file {before.get('newest_mtime')} UTC)"
        + (
            "  !! CODE CHANGED DURING THE RUN: figures mix two code states"
            if code.get("changed_during_run")
            else ""
        ),
        f"Corpus: {_fmt(_get(g, 'files'), ',d')} Markdown files, {_fmt(_get(g, 'mb'), '.2f')} MB; "
        f"Verbinder chunker {_get(g, 'chunk_size')}/{_get(g, 'chunk_overlap')}, plain splitter "
        f"1000/200; seed {results['args']['seed']}",
        "",
    ]
    w = (38, 14, 14, 12, 6)

    def row(*cells: str) -> None:
        cells = cells + ("-",) * (len(w) - len(cells))
        lines.append(
            "  ".join(
                c.ljust(n) if i == 0 else c.rjust(n) for i, (c, n) in enumerate(zip(cells, w, strict=True))
            )
        )

    def f(d: dict, *path: str, spec: str = ".2f") -> str:
        return _fmt(_get(d, *path), spec)

    row("metric", "Verbinder", "plain", "target", "result")
    lines.append("-" * (sum(w) + 2 * (len(w) - 1)))
    dev = r.get("chunk_count_deviation")
    row(
        "chunks (Verbinder target)",
        f(g, "chunks_verbinder", spec=",d"),
        "-",
        f"{results['args']['chunks']:,}",
        "-",
    )
    row("  deviation from target", _fmt(dev * 100 if dev is not None else None, "+.2f") + " %")
    row("chunks indexed", f(vi, "chunks", spec=",d"), f(pl, "chunks", spec=",d"))
    row("first ingest time (s)", f(vi, "first_ingest_s"), f(pl, "ingest_s"))
    row(
        "ingest throughput (chunks/s)", f(vi, "chunks_per_s", spec=",.0f"), f(pl, "chunks_per_s", spec=",.0f")
    )
    row("ingest throughput (input MB/s)", f(vi, "mb_per_s", spec=".3f"), f(pl, "mb_per_s", spec=".3f"))
    row(
        "  Verbinder / plain (x)",
        _fmt(r.get("mb_per_s_verbinder_over_plain"), ".2f"),
        "-",
        f">= {t['ingest_mb_per_s_ratio_min']:.1f}",
        _verdict(checks.get("ingest_ratio")),
    )
    re_s = _get(vi, "reingest_s") or [None]
    row("re-ingest unchanged folder (s)", _fmt(re_s[0], ".3f"))
    row(
        "first / re-ingest ratio (x)",
        _fmt(r.get("reingest_first_over_reingest"), ".1f"),
        "-",
        f">= {t['reingest_ratio_min']:.0f}",
        _verdict(checks.get("reingest_ratio")),
    )
    row("query latency: ask | similarity k=4", "", "")
    for p in ("p50", "p95", "p99"):
        is95 = p == "p95"
        row(
            f"  {p} (ms)",
            f(va, "latency", f"{p}_ms"),
            f(pl, "latency", f"{p}_ms"),
            f"<= {t['ask_p95_ms_max']:.0f}" if is95 else "-",
            _verdict(checks.get("ask_p95")) if is95 else "-",
        )

    def mean_max(d: dict) -> str:
        return f"{f(d, 'latency', 'mean_ms', spec='.1f')} / {f(d, 'latency', 'max_ms', spec='.0f')}"

    row("  mean / max (ms)", mean_max(va), mean_max(pl))
    row(
        "  questions measured (after warm-up)",
        f(va, "latency", "n", spec="d"),
        f(pl, "latency", "n", spec="d"),
    )
    row(
        "peak RSS ingest process (MiB)",
        f(vi, "rss", "ru_maxrss_mb", spec=",.0f"),
        f(pl, "rss", "ru_maxrss_mb", spec=",.0f"),
    )
    row("peak RSS serving process (MiB)", f(va, "rss", "ru_maxrss_mb", spec=",.0f"), "(same proc)")
    row(
        "Verbinder peak RSS, max (MiB)",
        _fmt(r.get("verbinder_peak_rss_mb"), ",.0f"),
        "-",
        f"<= {t['verbinder_peak_rss_mb_max']:.0f}",
        _verdict(checks.get("verbinder_peak_rss")),
    )
    row("startup: open stores + model (s)", f(va, "startup_s"), f(pl, "startup_s"))
    row("on-disk size (MB)", f(vi, "data_dir_mb", spec=".1f"), f(pl, "store_dir_mb", spec=".1f"))
    lines += [
        "",
        "Ratios (Verbinder / plain, same input files):",
        f"  ingest MB/s      {_fmt(r.get('mb_per_s_verbinder_over_plain'), '.2f')}x  (the fair throughput "
        f"figure; chunks/s ratio {_fmt(r.get('chunks_per_s_verbinder_over_plain'), '.2f')}x, "
        "chunk sizes differ)",
        f"  query p95        {_fmt(r.get('p95_verbinder_over_plain'), '.2f')}x  (ask = hybrid retrieval + "
        "extractive answer; plain = vector search only)",
        f"  peak RSS         {_fmt(r.get('rss_verbinder_over_plain'), '.2f')}x",
    ]
    if _get(vi, "breakdown_s"):
        lines += [
            "",
            "Verbinder first-ingest breakdown (wall s; nested rows are part of the row above; "
            f"total {f(vi, 'first_ingest_s')}):",
        ]
        for k, v in vi["breakdown_s"].items():
            lines.append(f"  {k:<42} {v:8.2f}   ({vi['breakdown_calls'].get(k, 0)} calls)")
        lines.append(
            f"Plain ingest breakdown: load {f(pl, 'load_s')} s, split {f(pl, 'split_s')} s, "
            f"embed+Chroma {f(pl, 'index_s')} s"
        )
        lines.append(
            f"Plain batching: {_get(pl, 'batching')} (max_batch_size={_get(pl, 'max_batch_size')}, "
            f"{_get(pl, 'batches')} batches)"
        )
    if _get(vi, "peak_rss_mb_by_stage_sampled"):
        lines.append(
            "Verbinder first-ingest peak RSS by stage (MiB, sampled every 50 ms): "
            + ", ".join(f"{k} {v:.0f}" for k, v in vi["peak_rss_mb_by_stage_sampled"].items())
        )
    if va.get("components_median_ms"):
        lines.append(
            "Verbinder ask components (median ms over 50 questions, after the measured loop): "
            + ", ".join(f"{k} {v:.2f}" for k, v in va["components_median_ms"].items())
        )
    if va.get("gc_during_measurement"):
        gi = va["gc_during_measurement"]
        lines.append(
            f"GC during measured asks: {gi['collections']} collections, {gi['gen2']} full "
            f"(gen2) taking {gi['gen2_ms']} ms; total pause {gi['total_pause_ms']} ms"
        )
    if va.get("statuses"):
        lines.append(
            f"Verbinder ask outcomes: {va['statuses']}; slowest: "
            + "; ".join(f"{s['ms']} ms '{s['q']}'" for s in va.get("slowest", [])[:3])
        )
    for name, p in ph.items():
        if "error" in p:
            lines.append(f"!! phase {name}: {p['error']}")
    lines += [
        "",
        "Phase wall times (s): "
        + ", ".join(f"{k} {_fmt(v.get('wall_s'), '.1f')}" for k, v in ph.items())
        + f"; total {results['total_wall_s']:.1f}",
    ]
    return "\n".join(lines)


def _code_fingerprint() -> dict[str, object]:
    """sha256 over the code under test, so figures can be tied to a code state."""
    import hashlib

    h = hashlib.sha256()
    files = sorted(
        p
        for d in ("app", "adapters", "bot", "ingest", "knowledge_base", "storage")
        for p in (ROOT / d).rglob("*.py")
        if "__pycache__" not in p.parts
    )
    files.append(ROOT / "pyproject.toml")
    newest = 0.0
    for p in files:
        if p.exists():
            h.update(p.relative_to(ROOT).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
            newest = max(newest, p.stat().st_mtime)
    return {
        "sha256": h.hexdigest()[:16],
        "files": len(files),
        "newest_mtime": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(newest)),
    }


def orchestrate(args) -> int:  # type: ignore[no-untyped-def]
    t_start = time.perf_counter()
    code_before = _code_fingerprint()
    deadline = time.monotonic() + args.budget
    base = Path(args.workdir) if args.workdir else None
    if base is not None:
        base.mkdir(parents=True, exist_ok=True)  # a --workdir that does not exist yet is made
    work = Path(tempfile.mkdtemp(prefix="verbinder-bench-", dir=base))
    print(f"[bench] work dir {work}; target {args.chunks:,} chunks; budget {args.budget:.0f}s", flush=True)
    phases: dict[str, dict] = {}
    try:
        for name in ("gen", "verbinder-ingest", "verbinder-ask", "plain"):
            phases[name] = _run_phase(name, args, work, deadline)
            if name in ("gen", "verbinder-ingest") and "error" in phases[name]:
                # later Verbinder phases need these; the plain pipeline only needs the corpus
                if name == "gen":
                    break
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    vi, va, pl = phases.get("verbinder-ingest", {}), phases.get("verbinder-ask", {}), phases.get("plain", {})

    def div(a, b):  # type: ignore[no-untyped-def]
        return a / b if isinstance(a, int | float) and isinstance(b, int | float) and b else None

    v_rss = [x for x in (_get(vi, "rss", "ru_maxrss_mb"), _get(va, "rss", "ru_maxrss_mb")) if x is not None]
    ratios = {
        "reingest_first_over_reingest": _get(vi, "reingest_ratio_first"),
        "reingest_first_over_median_reingest": _get(vi, "reingest_ratio_median"),
        "mb_per_s_verbinder_over_plain": div(_get(vi, "mb_per_s"), _get(pl, "mb_per_s")),
        "chunks_per_s_verbinder_over_plain": div(_get(vi, "chunks_per_s"), _get(pl, "chunks_per_s")),
        "p95_verbinder_over_plain": div(_get(va, "latency", "p95_ms"), _get(pl, "latency", "p95_ms")),
        "verbinder_peak_rss_mb": max(v_rss) if v_rss else None,
        "chunk_count_deviation": (
            div(_get(phases.get("gen", {}), "chunks_verbinder"), args.chunks) - 1
            if _get(phases.get("gen", {}), "chunks_verbinder")
            else None
        ),
        "rss_verbinder_over_plain": div(max(v_rss) if v_rss else None, _get(pl, "rss", "ru_maxrss_mb")),
    }
    checks = {
        "ingest_ratio": (
            ratios["mb_per_s_verbinder_over_plain"] >= TARGETS["ingest_mb_per_s_ratio_min"]
            if ratios["mb_per_s_verbinder_over_plain"] is not None
            else None
        ),
        "reingest_ratio": (
            ratios["reingest_first_over_reingest"] >= TARGETS["reingest_ratio_min"]
            if ratios["reingest_first_over_reingest"] is not None
            else None
        ),
        "ask_p95": (
            _get(va, "latency", "p95_ms") <= TARGETS["ask_p95_ms_max"]
            if _get(va, "latency", "p95_ms") is not None
            else None
        ),
        "verbinder_peak_rss": (
            ratios["verbinder_peak_rss_mb"] <= TARGETS["verbinder_peak_rss_mb_max"]
            if ratios["verbinder_peak_rss_mb"] is not None
            else None
        ),
    }
    try:
        import importlib.metadata as md

        versions = {
            p: md.version(p)
            for p in (
                "chromadb",
                "langchain-chroma",
                "langchain-core",
                "langchain-text-splitters",
                "bm25s",
                "wordllama",
                "numpy",
                "SQLAlchemy",
                "PyStemmer",
            )
        }
    except Exception:  # noqa: BLE001
        versions = {}
    code_after = _code_fingerprint()
    results = {
        "code": {
            "before": code_before,
            "after": code_after,
            "changed_during_run": code_before["sha256"] != code_after["sha256"],
        },
        "args": {k: v for k, v in vars(args).items() if k not in ("phase", "phase_out")},
        "targets": TARGETS,
        "checks": checks,
        "ratios": ratios,
        "phases": phases,
        "environment": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": os.cpu_count(),
            "versions": versions,
            "orchestrator_rss": _peak_rss(),
        },
        "total_wall_s": time.perf_counter() - t_start,
    }
    text = report(results)
    print()
    print(text)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    out = Path(args.out) if args.out else OUT_DIR / "bench_kb.json"
    out.write_text(json.dumps(results, indent=2, ensure_ascii=False, default=str))
    print(f"\n[bench] figures written to {out}")
    failed_phase = any("error" in p for p in phases.values())
    return 2 if failed_phase else 0


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--chunks", type=int, default=50000, help="target Verbinder chunk count (default 50000)")
    ap.add_argument("--seed", type=int, default=1, help="corpus and question seed")
    ap.add_argument("--questions", type=int, default=200, help="measured questions per pipeline")
    ap.add_argument("--warmup", type=int, default=20, help="warm-up questions (not measured)")
    ap.add_argument("--reingest-repeats", type=int, default=3, help="re-ingest runs (first is the headline)")
    ap.add_argument("--budget", type=float, default=570.0, help="hard limit for the whole run, seconds")
    ap.add_argument("--workdir", default="", help="parent of the temp work dir (default: system temp)")
    ap.add_argument("--keep", action="store_true", help="keep the temp corpus and stores")
    ap.add_argument("--out", default="", help="JSON output path (default bench/out/bench_kb.json)")
    ap.add_argument("--profile", action="store_true", help="cProfile ingest/ask/plain index into bench/out/")
    ap.add_argument(
        "--no-breakdown",
        dest="breakdown",
        action="store_false",
        help="do not time Verbinder's ingest stages (wrappers) during the first ingest",
    )
    # internal: one phase in this (sub)process
    ap.add_argument("--phase", choices=sorted(PHASES), help=argparse.SUPPRESS)
    ap.add_argument("--phase-out", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    ap.add_argument("--corpus", help=argparse.SUPPRESS)
    ap.add_argument("--data-dir", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.chunks < 10:
        ap.error("--chunks must be at least 10")
    if args.phase:
        import logging

        logging.basicConfig(level=logging.WARNING)
        res = PHASES[args.phase](args)
        Path(args.phase_out).write_text(json.dumps(res, default=str))
        return 0
    return orchestrate(args)


if __name__ == "__main__":
    sys.exit(main())
