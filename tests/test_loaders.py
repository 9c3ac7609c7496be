"""Loaders: every supported format, front-matter metadata, language detection and clear errors."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import support.docs as D

from ingest.loaders import SUFFIXES, IngestError, file_hash, load_bytes, load_file, parse_front_matter
from knowledge_base.models import KINDS, LANGUAGES


def _write(tmp_path: Path, rel: str, data: bytes | str) -> Path:
    p = tmp_path / rel
    p.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8")
    else:
        p.write_bytes(data)
    return p


def _load(tmp_path: Path, rel: str, data: bytes | str):
    return load_file(_write(tmp_path, rel, data), rel)


def _reason(data: bytes | str, rel: str) -> str:
    raw = data.encode("utf-8") if isinstance(data, str) else data
    with pytest.raises(IngestError) as info:
        load_bytes(raw, rel)
    return str(info.value)


# -- Markdown with front matter ----------------------------------------------------------------
def test_dutch_markdown_front_matter_fills_every_field(tmp_path):
    doc = _load(tmp_path, D.KOOR_PATH, D.KOOR_MD)
    assert doc.path == D.KOOR_PATH
    assert doc.title == "Seniorenkoor De Zilveren Stemmen in Amersfoort"
    assert doc.url == "https://example.org/zilveren-stemmen"
    assert doc.language == "nl"
    assert doc.kind == "project"
    assert doc.tags == ("zang", "ouderen", "eenzaamheid")
    assert doc.region == "Amersfoort"
    assert doc.organisations == ("Stichting Zingend Ouder", "Muziekschool Amersfoort")
    assert doc.date == "2023-04-12"  # a YAML date becomes an ISO string
    assert doc.content_hash == file_hash(D.KOOR_MD.encode("utf-8"))
    assert doc.origin == "file"
    # The front matter is not part of the body; the body is.
    assert "title:" not in doc.text
    assert D.KOOR_SENTENCE in doc.text
    assert doc.meta() == {
        "tags": ["zang", "ouderen", "eenzaamheid"],
        "region": "Amersfoort",
        "organisations": ["Stichting Zingend Ouder", "Muziekschool Amersfoort"],
        "date": "2023-04-12",
        "root": "",
    }


def test_english_markdown_front_matter(tmp_path):
    doc = _load(tmp_path, D.MUSEUM_PATH, D.MUSEUM_MD)
    assert doc.title == "Museum tours for people with dementia in Leeds"
    assert doc.language == "en"
    assert doc.kind == "document"
    assert doc.region == "Leeds"
    assert doc.organisations == ("Leeds City Museum", "Alzheimer's Society")
    assert doc.date == "2021"  # a bare year stays a year
    assert doc.tags == ("museum", "dementia")


def test_comma_separated_tags_and_missing_optional_fields(tmp_path):
    doc = _load(tmp_path, D.FONDS_PATH, D.FONDS_MD)
    assert doc.tags == ("dans", "financiering")
    assert doc.kind == "tip"
    assert doc.url is None and doc.region is None and doc.date is None
    assert doc.organisations == ()


def test_american_spelling_organizations_is_accepted():
    doc = load_bytes(b"---\norganizations: [LKCA]\n---\nTekst over het LKCA.", "a.md")
    assert doc.organisations == ("LKCA",)


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        (D.NOLANG_MD, "en"),
        (
            "---\ntitle: Zonder taal\n---\nDe bewoners van het verpleeghuis maken samen een tuin "
            "en zij komen er elke week bij elkaar.",
            "nl",
        ),
        ("The residents of the care home are planting a garden and they meet there every week.", "en"),
    ],
)
def test_language_is_detected_when_missing(body, expected):
    doc = load_bytes(body.encode("utf-8"), "x.md")
    assert doc.language == expected
    assert doc.language in LANGUAGES


def test_language_codes_are_normalised_and_unknown_ones_detected():
    nl_region = load_bytes(b"---\nlanguage: NL-be\n---\nThe text is English but the tag says nl.", "a.md")
    assert nl_region.language == "nl"  # metadata wins over detection
    unknown = load_bytes(b"---\nlanguage: fr\n---\nThe museum is open for all of the people.", "a.md")
    assert unknown.language == "en"  # not a supported language: detected instead


def test_title_with_unquoted_colon_loads(tmp_path):
    doc = _load(tmp_path, D.COLON_PATH, D.COLON_MD)
    assert doc.title == "Kunst op recept: zo begin je"
    assert doc.kind == "tip"
    assert doc.language == "nl"
    assert doc.text.startswith("Begin klein")


def test_unquoted_colon_title_keeps_flow_lists_and_dates():
    text = "---\ntitle: Dans: een begin\ntags: [dans, ouderen]\ndate: 2024-05-01\n---\nTekst."
    doc = load_bytes(text.encode(), "a.md")
    assert doc.title == "Dans: een begin"
    assert doc.tags == ("dans", "ouderen")
    assert doc.date == "2024-05-01"


def test_title_falls_back_to_file_name():
    doc = load_bytes(b"Some text without any front matter at all.", "folder/my-nice-file.md")
    assert doc.title == "my nice file"


def test_front_matter_with_bom_and_crlf():
    doc = load_bytes(b"\xef\xbb\xbf---\r\ntitle: Met BOM\r\nkind: Tip\r\n---\r\nTekst.\r\n", "a.md")
    assert doc.title == "Met BOM"
    assert doc.kind == "tip"  # case-insensitive
    assert doc.text == "Tekst."


def test_parse_front_matter_without_block_returns_text_unchanged():
    meta, body = parse_front_matter("# Kop\n\nTekst")
    assert meta == {}
    assert body == "# Kop\n\nTekst"


def test_cp1252_text_is_decoded():
    data = "---\ntitle: Café de Ontmoeting\n---\nDe vrijwilligers van het café.".encode("cp1252")
    doc = load_bytes(data, "a.md")
    assert doc.title == "Café de Ontmoeting"
    assert "café" in doc.text


# -- Other formats ------------------------------------------------------------------------------
def test_plain_text_takes_first_line_as_title(tmp_path):
    doc = _load(tmp_path, D.TXT_PATH, D.TXT_BODY)
    assert doc.title == D.TXT_TITLE
    assert D.TXT_SENTENCE in doc.text
    assert doc.language == "nl"
    assert doc.kind == "document"


def test_plain_text_sentence_is_not_a_title():
    doc = load_bytes(b"This first line is a sentence.\n\nMore text.", "notes/verslag.txt")
    assert doc.title == "verslag"


def test_html_title_language_and_structure(tmp_path):
    doc = _load(tmp_path, D.HTML_PATH, D.HTML_BODY)
    assert doc.title == D.HTML_TITLE
    assert doc.language == "nl"  # from <html lang="nl-NL">
    assert "# Muziek op de afdeling" in doc.text  # h1 -> markdown heading
    assert "## Praktisch" in doc.text
    assert "- Elke vrijdagochtend" in doc.text  # li -> list item
    assert D.HTML_SENTENCE in doc.text
    for junk in ("geheimScriptWoord", "color: red", "Menu Home", "Voettekst"):
        assert junk not in doc.text


def test_docx_title_headings_and_paragraphs(tmp_path):
    doc = _load(tmp_path, D.DOCX_PATH, D.docx_bytes())
    assert doc.title == D.DOCX_TITLE
    assert doc.language == "en"
    assert "# About the workshops" in doc.text
    assert "## Results" in doc.text
    assert D.DOCX_SENTENCE in doc.text


def test_docx_without_core_title_uses_title_style():
    from docx import Document as Docx

    d = Docx()
    d.add_heading("Dansen in de wijk", level=0)  # level 0 = the "Title" style
    d.add_paragraph("Buurtbewoners dansen elke week samen in het wijkcentrum.")
    buf = io.BytesIO()
    d.save(buf)
    doc = load_bytes(buf.getvalue(), "dans.docx")
    assert doc.title == "Dansen in de wijk"
    assert "Dansen in de wijk" not in doc.text
    assert "Buurtbewoners dansen" in doc.text


def test_pdf_text_and_info_title(tmp_path):
    doc = _load(tmp_path, D.PDF_PATH, D.pdf_bytes())
    assert doc.title == D.PDF_TITLE
    for line in D.PDF_LINES:
        assert line in doc.text
    assert doc.language == "nl"


def test_pdf_without_info_title_uses_file_name():
    doc = load_bytes(D.pdf_bytes(title=None), "rapporten/lantaarn-verslag.pdf")
    assert doc.title == "lantaarn verslag"
    assert D.PDF_LINES[0] in doc.text


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_every_supported_suffix_has_a_loader(suffix):
    html = b"<html><body><p>Tekst over kunst en zorg in de wijk.</p></body></html>"
    data = {".pdf": D.pdf_bytes(), ".docx": D.docx_bytes(), ".html": html, ".htm": html}.get(
        suffix, b"Tekst over kunst en zorg in de wijk."
    )
    doc = load_bytes(data, "file" + suffix)
    assert doc.text


def test_suffix_is_case_insensitive():
    doc = load_bytes(b"Verslag\n\nTekst over kunst.", "VERSLAG.TXT")
    assert doc.title == "Verslag"


def test_legacy_encoding_is_read_and_noted():
    notes: list[str] = []
    data = "Café de Ontmoeting\n\nDe vrijwilligers van het café zingen één keer per week.".encode("cp1252")
    doc = load_bytes(data, "cafe.txt", notes)
    assert "één keer" in doc.text
    assert notes == ["the file is not UTF-8; it was read as Windows-1252 (save it as UTF-8 to be sure)"]


def test_utf8_with_a_broken_byte_keeps_its_utf8_and_counts_the_bad_bytes():
    notes: list[str] = []
    text = "Koor\n\nHet koor zingt één keer per week in het café, al sinds 2015, met veertig leden. "
    data = text.encode() + b"\xff\xfe Daarna drinken ze koffie."
    doc = load_bytes(data, "koor.md", notes)
    assert "één keer" in doc.text and "cafÃ" not in doc.text  # no mojibake of the good part
    assert notes == ["2 byte(s) are not valid UTF-8 and were replaced by \ufffd"]


def test_valid_utf8_has_no_notes():
    notes: list[str] = []
    load_bytes("Koor\n\nHet koor zingt één keer.".encode(), "koor.md", notes)
    assert notes == []


def test_pdf_reader_warnings_become_a_note_not_stderr(capsys):
    notes: list[str] = []
    broken_xref = re.sub(rb"startxref\s+\d+", b"startxref\n12", D.pdf_bytes())
    doc = load_bytes(broken_xref, D.PDF_PATH, notes)
    assert "lantaarnproject" in doc.text
    assert len(notes) == 1 and notes[0].startswith("the PDF has defects the reader worked around")
    assert capsys.readouterr().err == ""


def test_an_impossible_date_in_front_matter_is_a_clear_error():
    with pytest.raises(IngestError, match="invalid value in the front matter"):
        load_bytes(b"---\ntitle: Koor\ndate: 2023-02-30\n---\nHet koor zingt.", "koor.md")


def test_a_docx_with_a_damaged_compressed_stream_is_an_ingest_error():
    data = bytearray(D.docx_bytes())
    start = data.index(b"word/document.xml") + len(b"word/document.xml")  # its local header's name
    for i in range(start + 10, start + 40):  # into the deflate stream
        data[i] ^= 0x5A
    with pytest.raises(IngestError, match="DOCX"):
        load_bytes(bytes(data), "verslag.docx")


# -- Errors with clear reasons ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("rel", "data", "reason"),
    [
        ("kapot.pdf", D.CORRUPT_PDF, "corrupt PDF"),
        ("junk.pdf", D.BINARY_JUNK, "corrupt PDF"),
        ("junk.md", D.BINARY_JUNK, "binary"),
        ("junk.txt", D.BINARY_JUNK, "binary"),
        ("junk.html", D.BINARY_JUNK, "binary"),
        ("kapot.docx", b"PK\x03\x04 not really a zip", "corrupt DOCX"),
        ("leeg.md", b"", "empty file"),
        ("spaties.txt", b"  \n\t\n ", "empty file"),
        ("alleen-front-matter.md", b"---\ntitle: Leeg\n---\n\n", "no text found"),
        ("onbekend.xyz", b"some text", "unsupported file type '.xyz'"),
        ("README", b"some text", "unsupported file type 'no extension'"),
        ("kapot.md", D.BROKEN_FRONT_MATTER, "broken YAML front matter"),
        ("open.md", D.UNCLOSED_FRONT_MATTER, "never closed"),
        ("lijst.md", "---\n- a\n- b\n---\nTekst.", "not a key: value mapping"),
        ("soort.md", "---\nkind: blog\n---\nTekst.", "unknown kind 'blog'"),
    ],
)
def test_bad_input_raises_ingest_error_with_reason(rel, data, reason):
    assert reason in _reason(data, rel)


def test_broken_front_matter_reason_names_the_line():
    assert "(line 3)" in _reason(D.BROKEN_FRONT_MATTER, "kapot.md")


def test_control_characters_are_refused_as_binary():
    junk = bytes(range(1, 32)) * 50  # no NUL bytes, but clearly not text
    assert "binary" in _reason(junk, "junk.txt")


def test_zip_that_is_not_a_word_file():
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("hello.txt", "hi")
    assert "corrupt DOCX" in _reason(buf.getvalue(), "fake.docx")


def test_file_size_limit(tmp_path):
    p = _write(tmp_path, "groot.md", "Tekst over kunst. " * 200)
    with pytest.raises(IngestError, match="file too large"):
        load_file(p, "groot.md", max_bytes=100)
    assert load_file(p, "groot.md", max_bytes=10_000).text


def test_unknown_kind_message_lists_the_valid_kinds():
    reason = _reason("---\nkind: blog\n---\nTekst.", "soort.md")
    assert "document" in reason and "tip" in reason and "project" in reason


def test_unknown_kind_message_lists_every_valid_kind():
    reason = _reason("---\nkind: blog\n---\nTekst.", "soort.md")
    assert all(k in reason for k in KINDS)


def test_empty_front_matter_block_loads():
    doc = load_bytes(b"---\n---\nTekst over kunst en zorg.", "leeg-blok.md")
    assert doc.text == "Tekst over kunst en zorg."


def test_unquoted_colon_title_with_block_list_loads():
    text = "---\ntitle: Kunst op recept: zo begin je\ntags:\n  - kunst\n  - recept\n---\nTekst."
    doc = load_bytes(text.encode(), "a.md")
    assert doc.title == "Kunst op recept: zo begin je"
    assert doc.tags == ("kunst", "recept")


def test_html_nested_paragraph_text_appears_once():
    html = (
        b"<html><body><blockquote><p>Een citaat van een deelnemer.</p></blockquote>"
        b"<ul><li><p>Elke vrijdag muziek.</p></li></ul></body></html>"
    )
    doc = load_bytes(html, "a.html")
    assert doc.text.count("Een citaat van een deelnemer.") == 1
    assert doc.text.count("Elke vrijdag muziek.") == 1


def test_html_text_outside_paragraphs_is_kept():
    html = (
        b"<html><body><div>Belangrijke tekst over de subsidie in een div.</div>"
        b"<p>Een gewone alinea.</p></body></html>"
    )
    doc = load_bytes(html, "a.html")
    assert "Belangrijke tekst over de subsidie" in doc.text
