"""Small fixture documents for the test suite, built in temporary folders.

Everything here is written by the tests themselves (no dependency on shared data): Dutch and
English Markdown with front matter, plain text, HTML, a real DOCX (python-docx) and a real
one-page PDF written by hand, plus deliberately broken inputs.
"""

from __future__ import annotations

import io
from pathlib import Path

from bot.config import Settings


def make_settings(data_dir: Path, **overrides: object) -> Settings:
    """Settings for a temporary data dir, without the bundled sample and without any `.env`."""
    return Settings(data_dir=data_dir, sample_kb=False, _env_file=None, **overrides)


# ---------------------------------------------------------------------------------------------
# Well-formed documents
# ---------------------------------------------------------------------------------------------

KOOR_PATH = "nl/zilveren-stemmen-koor.md"
KOOR_SENTENCE = (
    "Het seniorenkoor De Zilveren Stemmen repeteert elke dinsdagmiddag in buurthuis De Linde in Amersfoort."
)
KOOR_MD = f"""---
title: Seniorenkoor De Zilveren Stemmen in Amersfoort
url: https://example.org/zilveren-stemmen
language: nl
kind: project
tags: [zang, ouderen, eenzaamheid]
region: Amersfoort
organisations: [Stichting Zingend Ouder, Muziekschool Amersfoort]
date: 2023-04-12
---
# Seniorenkoor De Zilveren Stemmen

## Wat is het
{KOOR_SENTENCE} Ouderen die zich eenzaam voelen zingen daar samen onder leiding van een
professionele dirigent. Na de repetitie drinken de zangers samen koffie.

## Resultaten
Na een jaar zeiden de meeste deelnemers dat zij zich minder eenzaam voelden. Het koor telt
inmiddels veertig leden en treedt twee keer per jaar op in het verpleeghuis in de wijk.
"""

MUSEUM_PATH = "en/dementia-museum-tours.md"
MUSEUM_SENTENCE = (
    "The Leeds City Museum runs monthly guided tours for people living with dementia and their carers."
)
MUSEUM_MD = f"""---
title: Museum tours for people with dementia in Leeds
url: https://example.org/leeds-museum-dementia
language: en
kind: document
tags: [museum, dementia]
region: Leeds
organisations: [Leeds City Museum, Alzheimer's Society]
date: 2021
---
# Museum tours for people with dementia

## What it is
{MUSEUM_SENTENCE} Each tour lasts ninety minutes and ends with tea in the museum cafe.

## Volunteers
Volunteers are trained by the Alzheimer's Society before they guide a group. The museum
reports that carers value the calm atmosphere and the chance to meet other families.
"""

FONDS_PATH = "nl/fondsen-voor-dansprojecten.md"
FONDS_SENTENCE = "Het Fonds Beweging en Kunst geeft subsidie aan dansprojecten voor mensen met parkinson."
FONDS_MD = f"""---
title: Tips voor financiering van dansprojecten
language: nl
kind: tip
tags: dans, financiering
---
# Financiering van dansprojecten

## Welke fondsen
{FONDS_SENTENCE} Een aanvraag bevat een begroting, een beschrijving van de doelgroep en een
plan voor de evaluatie.

## Tips voor de aanvraag
Werk samen met een fysiotherapeut of een welzijnsorganisatie uit de buurt. Beschrijf
concreet hoeveel lessen er komen en wie ze geeft.
"""

# No language in the front matter: it must be detected (English body).
NOLANG_PATH = "en/gardening-notes.md"
NOLANG_MD = """---
title: Community gardening with residents of a care home
kind: qa
---
The residents of the care home planted a vegetable garden together with pupils from a
nearby school. They meet every week and the garden is now one of the most popular places
for visits by families and friends.
"""

# An unquoted colon in the title is not valid YAML but must still load.
COLON_PATH = "nl/colon-titel.md"
COLON_MD = """---
title: Kunst op recept: zo begin je
language: nl
kind: tip
---
Begin klein met een groep van zes deelnemers en een vaste kunstenaar. Vraag de huisarts of
de welzijnscoach om deelnemers door te verwijzen.
"""

TXT_PATH = "notes/theater-verslag.txt"
TXT_TITLE = "Verslag wijktheater Lombok"
TXT_SENTENCE = "Bewoners van de wijk Lombok speelden een voorstelling over hun eigen buurt."
TXT_BODY = f"""{TXT_TITLE}

{TXT_SENTENCE} Het wijktheater oefende tien weken in de bibliotheek van Lombok en de
voorstelling trok meer dan tweehonderd bezoekers uit de buurt.
"""

HTML_PATH = "web/muziek-op-de-afdeling.html"
HTML_TITLE = "Muziek op de afdeling"
HTML_SENTENCE = "Twee muzikanten spelen elke vrijdag op de afdeling psychogeriatrie van De Hoven."
HTML_BODY = f"""<!doctype html>
<html lang="nl-NL">
<head><title>{HTML_TITLE}</title><style>body {{ color: red }}</style>
<script>var geheimScriptWoord = 1;</script></head>
<body>
<nav>Menu Home Contact</nav>
<h1>Muziek op de afdeling</h1>
<p>{HTML_SENTENCE} Bewoners zingen mee met oude liedjes en de verzorgenden merken dat
zij daarna rustiger zijn.</p>
<h2>Praktisch</h2>
<ul><li>Elke vrijdagochtend</li><li>Gratis voor bewoners</li></ul>
<footer>Voettekst copyright</footer>
</body></html>
"""

DOCX_PATH = "office/poetry-workshops.docx"
DOCX_TITLE = "Poetry workshops in the library"
DOCX_SENTENCE = (
    "Young people write poems about their mental health in weekly workshops at the public library of Haarlem."
)

PDF_PATH = "pdf/lantaarn-project.pdf"
PDF_TITLE = "Lantaarnproject Zwolle"
PDF_LINES = (
    "Het lantaarnproject in Zwolle verbindt kinderen en ouderen in de winter.",
    "Samen maken zij lantaarns van papier en hout in het buurthuis.",
)


def docx_bytes(title: str = DOCX_TITLE) -> bytes:
    """A real Word file: core title, a heading and two paragraphs."""
    from docx import Document as Docx

    doc = Docx()
    doc.core_properties.title = title
    doc.add_heading("About the workshops", level=1)
    doc.add_paragraph(DOCX_SENTENCE + " A poet from the city guides each group of eight participants.")
    doc.add_heading("Results", level=2)
    doc.add_paragraph("Most participants said that writing helped them to talk about how they feel.")
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def _pdf_string(s: str) -> str:
    return s.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def pdf_bytes(lines: tuple[str, ...] = PDF_LINES, title: str | None = PDF_TITLE) -> bytes:
    """A minimal valid one-page PDF with a Helvetica text object (and a correct xref)."""
    ops = ["BT", "/F1 12 Tf", "72 720 Td", "14 TL"]
    for i, line in enumerate(lines):
        ops.append(f"({_pdf_string(line)}) Tj" if i == 0 else f"T* ({_pdf_string(line)}) Tj")
    ops.append("ET")
    content = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    if title is not None:
        objects.append(b"<< /Title (" + _pdf_string(title).encode("latin-1") + b") >>")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{n} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n".encode()
    out += b"0000000000 65535 f \n"
    for off in offsets:
        out += f"{off:010d} 00000 n \n".encode()
    trailer = f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R"
    if title is not None:
        trailer += f" /Info {len(objects)} 0 R"
    out += (trailer + f" >>\nstartxref\n{xref}\n%%EOF\n").encode()
    return bytes(out)


def write_corpus(root: Path) -> Path:
    """Write every well-formed fixture document under root; returns root."""
    texts = {
        KOOR_PATH: KOOR_MD,
        MUSEUM_PATH: MUSEUM_MD,
        FONDS_PATH: FONDS_MD,
        NOLANG_PATH: NOLANG_MD,
        COLON_PATH: COLON_MD,
        TXT_PATH: TXT_BODY,
        HTML_PATH: HTML_BODY,
    }
    for rel, text in texts.items():
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_text(text, encoding="utf-8")
    for rel, data in ((DOCX_PATH, docx_bytes()), (PDF_PATH, pdf_bytes())):
        p = root / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return root


CORPUS_PATHS = (
    KOOR_PATH,
    MUSEUM_PATH,
    FONDS_PATH,
    NOLANG_PATH,
    COLON_PATH,
    TXT_PATH,
    HTML_PATH,
    DOCX_PATH,
    PDF_PATH,
)

# ---------------------------------------------------------------------------------------------
# Broken inputs
# ---------------------------------------------------------------------------------------------

CORRUPT_PDF = b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog /Pages 9 0 R\nthis is not a pdf at all\n"
BINARY_JUNK = bytes(range(256)) * 8
BROKEN_FRONT_MATTER = """---
title: [Niet gesloten lijst
  - en dan: : nog meer
---
Tekst van een document met kapotte front matter.
"""
UNCLOSED_FRONT_MATTER = """---
title: Nooit gesloten
language: nl

Tekst zonder einde van de front matter.
"""
