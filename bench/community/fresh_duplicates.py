"""Fresh cases, written after the near-duplicate rule was set: copies of sample-KB passages and new tips.

python bench/community/fresh_duplicates.py
"""

import random
import tempfile
from pathlib import Path

from app.runtime import build_runtime
from bot.community.duplicates import NearDuplicates
from bot.config import Settings

with tempfile.TemporaryDirectory() as tmp:
    rt = build_runtime(Settings(data_dir=Path(tmp), sample_kb=True))
    rt.ensure_sample()
    check = NearDuplicates(rt.assistant.retriever)
    docs = rt.kb.documents()
    random.seed(3)
    picked = random.sample(docs, 6)
    copies = []
    for d in picked:
        text = rt.kb.chunks_by_id([f"{d.path}::0"])
        body = next(iter(text.values())).text[:400] if text else ""
        copies.append(({"title": "Mijn tip", "text": body}, True, f"copy of {d.path}"))
    copies.append(({"title": picked[0].title, "text": "Zie de titel."}, True, "same title"))
    novel = [
        (
            "Breiclub in de bibliotheek van Meppel",
            "Elke woensdagmiddag breien bewoners en scholieren samen sjaals voor de voedselbank.",
        ),
        (
            "Graffiti met jongeren in Lelystad",
            "Een straatkunstenaar maakt met jongeren een muurschildering bij het station.",
        ),
        (
            "Voorlezen in de huisartsenpraktijk",
            "Vrijwilligers lezen gedichten voor in de wachtkamer van een huisartsenpraktijk in Hengelo.",
        ),
        (
            "Tuinieren en tekenen in Assen",
            "Mensen met een beperking tekenen wat ze kweken in de buurttuin, met een illustrator.",
        ),
        (
            "Zingen met mensen met afasie",
            "Een logopedist en een koordirigent zingen met mensen met afasie na een beroerte in Nijmegen.",
        ),
        (
            "Fotografie voor mantelzorgers",
            "Mantelzorgers maken een maand lang elke dag een foto van hun rustmoment; daarna een expositie.",
        ),
        (
            "Theater over schulden",
            "Een theatergroep speelt in buurthuizen een stuk over schulden, met een gesprek na afloop.",
        ),
    ]
    cases = copies + [({"title": t, "text": x}, False, t) for t, x in novel]
    hits = {True: 0, False: 0}
    n = {True: 0, False: 0}
    for values, dup, label in cases:
        found = bool(check("tip", values))
        n[dup] += 1
        hits[dup] += found == dup
        if found != dup:
            print("  wrong:", label, "->", check("tip", values) or "no duplicate")
    print(f"copies recognised {hits[True]}/{n[True]}; new tips passed {hits[False]}/{n[False]}")
