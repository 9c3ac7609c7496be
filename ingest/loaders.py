"""Load Markdown (with YAML front matter), text, HTML, PDF and DOCX files into Documents."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import logging
import re
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path

import yaml

from knowledge_base.models import KINDS, LANGUAGES, Document
from knowledge_base.text import detect_language

SUFFIXES = (".md", ".markdown", ".txt", ".text", ".html", ".htm", ".pdf", ".docx")


class IngestError(Exception):
    """A file that cannot be ingested; the message is the reason shown to the user."""


_FRONT = re.compile(r"\A\ufeff?---[ \t]*\r?\n(.*?)^---[ \t]*(?:\r?\n|\Z)", re.S | re.M)


_BINARY_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffd]")
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # the C loader is ~7x faster


# What a loader noticed but could work around (an encoding guessed, a PDF repaired): shown to
# the user per file by the ingest report, never printed to stderr by a library.
_notes: ContextVar[list[str] | None] = ContextVar("load_notes", default=None)


def _note(message: str) -> None:
    notes = _notes.get()
    if notes is not None and message not in notes:
        notes.append(message)


class _ToNotes(logging.Handler):
    """pypdf reports repaired defects through logging; they become the file's notes."""

    def emit(self, record: logging.LogRecord) -> None:
        if record.levelno >= logging.WARNING:
            _PDF_MESSAGES.append(record.getMessage())


_PDF_MESSAGES: list[str] = []
_pypdf_log = logging.getLogger("pypdf")
_pypdf_log.addHandler(_ToNotes())
_pypdf_log.propagate = False  # its raw warnings otherwise land on stderr during `verbinder ingest`


@contextmanager
def _pdf_warnings() -> Iterator[None]:
    """Collect pypdf's warnings (logged and warnings.warn) into one note for the file."""
    _PDF_MESSAGES.clear()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            yield
        finally:
            messages = _PDF_MESSAGES + [str(w.message) for w in caught]
            _PDF_MESSAGES.clear()
            if messages:
                extra = f" and {len(messages) - 1} more" if len(messages) > 1 else ""
                _note(f"the PDF has defects the reader worked around ({messages[0][:120]}{extra})")


def file_hash(data: bytes) -> str:
    """SHA-256 of the raw file bytes (drives incremental ingest)."""
    return hashlib.sha256(data).hexdigest()


def _decode(data: bytes, name: str) -> str:
    """Decode text bytes, refusing binary junk."""
    if b"\x00" in data[:8192]:
        raise IngestError("binary content (NUL bytes) in a text file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = _decode_non_utf8(data)
    sample = text[:4000]
    bad = len(_BINARY_CHARS.findall(sample))
    if sample and bad / len(sample) > 0.02:
        raise IngestError("looks like binary data, not text")
    return text


_UTF8_MULTIBYTE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _decode_non_utf8(data: bytes) -> str:
    """Text that is not valid UTF-8: mostly UTF-8 with some broken bytes, or a legacy encoding.
    Either way the file is read and the user is told how (never silent mojibake)."""
    utf8 = data.decode("utf-8", errors="replace")
    broken = utf8.count("\ufffd") - data.decode("utf-8", errors="ignore").count("\ufffd")
    if len(_UTF8_MULTIBYTE.findall(data)) > broken:
        _note(f"{broken} byte(s) are not valid UTF-8 and were replaced by \ufffd")
        return utf8
    # No UTF-8 at all: Windows-1252 (a superset of Latin-1 for text), the usual legacy encoding.
    _note("the file is not UTF-8; it was read as Windows-1252 (save it as UTF-8 to be sure)")
    return data.decode("cp1252", errors="replace")


def _as_tuple(value: object) -> tuple[str, ...]:
    """Front matter list-or-string to a tuple of strings."""
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.split(",") if v.strip())
    if isinstance(value, list | tuple):
        return tuple(str(v).strip() for v in value if str(v).strip())
    return (str(value),)


_UNQUOTED_COLON = re.compile(r"^([A-Za-z_][\w-]*):[ \t]+([^'\"\[{|>#].*:\s.*)$", re.M)


def _lenient_front_matter(block: str) -> dict[str, object] | None:
    """Retry YAML with unquoted `key: value: more` values quoted; None if still broken."""
    fixed = _UNQUOTED_COLON.sub(
        lambda m: f'{m.group(1)}: "' + m.group(2).replace("\\", "\\\\").replace('"', '\\"') + '"',
        block,
    )
    if fixed == block:
        return None
    try:
        meta = yaml.load(fixed, Loader=_YAML_LOADER) or {}  # noqa: S506 - safe loader
    except (yaml.YAMLError, ValueError):
        return None
    return meta if isinstance(meta, dict) else None


def parse_front_matter(text: str) -> tuple[dict[str, object], str]:
    """Split YAML front matter from the body; broken YAML is an IngestError."""
    m = _FRONT.match(text)
    if not m:
        if text.lstrip("\ufeff").startswith(("---\n", "---\r\n")):
            raise IngestError("front matter is opened with '---' but never closed")
        return {}, text
    try:
        meta = yaml.load(m.group(1), Loader=_YAML_LOADER) or {}  # noqa: S506 - safe loader
    except ValueError as exc:  # a value YAML recognises but cannot build: date: 2023-02-30
        raise IngestError(f"invalid value in the front matter ({exc})") from exc
    except yaml.YAMLError as exc:
        # Hand-written front matter often has an unquoted colon in a title; read such
        # simple `key: value` lines leniently before declaring the block broken.
        lenient = _lenient_front_matter(m.group(1))
        if lenient is None:
            mark = getattr(exc, "problem_mark", None)
            where = f" (line {mark.line + 2})" if mark is not None else ""
            raise IngestError(f"broken YAML front matter{where}") from exc
        meta = lenient
    if not isinstance(meta, dict):
        raise IngestError("front matter is not a key: value mapping")
    return meta, text[m.end() :]


def _markdown(data: bytes, name: str) -> tuple[dict[str, object], str]:
    return parse_front_matter(_decode(data, name))


def _plain(data: bytes, name: str) -> tuple[dict[str, object], str]:
    meta, body = parse_front_matter(_decode(data, name))
    if "title" not in meta:
        lines = body.splitlines()
        idx = next((i for i, ln in enumerate(lines) if ln.strip()), None)
        first = lines[idx].strip() if idx is not None else ""
        if (
            idx is not None
            and 0 < len(first) <= 150
            and not first.endswith((".", ",", ";", ":"))
            and len(lines) > idx + 1
        ):
            meta["title"] = first
            body = "\n".join(lines[idx + 1 :])  # the title is not a quotable sentence
    return meta, body


def _html(data: bytes, name: str) -> tuple[dict[str, object], str]:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(_decode(data, name), "html.parser")
    for tag in soup(["script", "style", "nav", "footer", "header", "form", "noscript"]):
        tag.decompose()
    meta: dict[str, object] = {}
    if soup.title and soup.title.get_text(strip=True):
        meta["title"] = soup.title.get_text(strip=True)
    lang = soup.html.get("lang") if soup.html else None
    if isinstance(lang, str) and lang[:2].lower() in LANGUAGES:
        meta["language"] = lang[:2].lower()
    root = soup.body or soup
    # Mark structure in place, then take all text once: nothing is doubled or dropped.
    for el in root.find_all(["h1", "h2", "h3", "h4", "h5", "h6"]):
        txt = " ".join(el.get_text(" ", strip=True).split())
        el.replace_with(f"\n\n{'#' * int(el.name[1])} {txt}\n\n" if txt else "")
    for el in root.find_all("li"):
        el.insert(0, "\n- ")
    for el in root.find_all("br"):
        el.replace_with("\n")
    for el in root.find_all(
        ["p", "div", "section", "article", "blockquote", "ul", "ol", "table", "tr", "main", "aside", "figure"]
    ):
        el.insert_before("\n\n")
        el.insert_after("\n\n")
    raw = root.get_text()
    paras, cur = [], []
    for line in raw.splitlines():
        line = " ".join(line.split())
        if line:
            cur.append(line)
        elif cur:
            paras.append(" ".join(cur) if not cur[0].startswith(("#", "- ")) else "\n".join(cur))
            cur = []
    if cur:
        paras.append(" ".join(cur) if not cur[0].startswith(("#", "- ")) else "\n".join(cur))
    return meta, "\n\n".join(paras)


def _pdf(data: bytes, name: str) -> tuple[dict[str, object], str]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        with _pdf_warnings():
            reader = PdfReader(io.BytesIO(data))
            if reader.is_encrypted:
                raise IngestError("PDF is encrypted")
            pages = [(p.extract_text() or "").strip() for p in reader.pages]
            info = reader.metadata
    except IngestError:
        raise
    except (PdfReadError, ValueError, KeyError, TypeError, OSError) as exc:
        raise IngestError(f"corrupt PDF ({type(exc).__name__})") from exc
    meta: dict[str, object] = {}
    if info is not None and info.title:
        meta["title"] = str(info.title)
    return meta, "\n\n".join(p for p in pages if p)


def _docx(data: bytes, name: str) -> tuple[dict[str, object], str]:
    import zipfile

    from docx import Document as Docx

    try:
        doc = Docx(io.BytesIO(data))
    except (zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise IngestError("corrupt DOCX (not a valid Word file)") from exc
    meta: dict[str, object] = {}
    if doc.core_properties.title:
        meta["title"] = doc.core_properties.title
    lines = []
    for para in doc.paragraphs:
        txt = para.text.strip()
        if not txt:
            continue
        style = (para.style.name or "").lower() if para.style is not None else ""
        if style.startswith("heading") and style[-1:].isdigit():
            lines.append("#" * min(int(style[-1]), 4) + " " + txt)
        elif style == "title":
            meta.setdefault("title", txt)
        else:
            lines.append(txt)
    return meta, "\n\n".join(lines)


_LOADERS: dict[str, Callable[[bytes, str], tuple[dict[str, object], str]]] = {
    ".md": _markdown,
    ".markdown": _markdown,
    ".txt": _plain,
    ".text": _plain,
    ".html": _html,
    ".htm": _html,
    ".pdf": _pdf,
    ".docx": _docx,
}


def _date(value: object) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def build_document(rel_path: str, meta: dict[str, object], body: str, digest: str) -> Document:
    """Validate front matter and turn it plus the body into a Document."""
    body = body.strip()
    if not body:
        raise IngestError("no text found (empty document)")
    kind = str(meta.get("kind") or "document").strip().lower()
    if kind not in KINDS:
        raise IngestError(f"unknown kind '{kind}' (use one of: {', '.join(KINDS)})")
    title = str(meta.get("title") or "").strip() or Path(rel_path).stem.replace("-", " ").strip()
    lang = str(meta.get("language") or "").strip().lower()[:2]
    if lang not in LANGUAGES:
        lang = detect_language(title + " " + body[:3000])
    region = meta.get("region")
    url = meta.get("url")
    return Document(
        path=rel_path,
        title=title[:500],
        text=body,
        language=lang,
        kind=kind,
        url=str(url).strip() if url else None,
        tags=_as_tuple(meta.get("tags")),
        region=str(region).strip() if region else None,
        organisations=_as_tuple(meta.get("organisations") or meta.get("organizations")),
        date=_date(meta.get("date")),
        content_hash=digest,
    )


def load_bytes(data: bytes, rel_path: str, notes: list[str] | None = None) -> Document:
    """Load one file's bytes; the suffix of rel_path picks the loader. What the loader worked
    around (a guessed encoding, a repaired PDF) is appended to `notes`."""
    suffix = Path(rel_path).suffix.lower()
    loader = _LOADERS.get(suffix)
    if loader is None:
        raise IngestError(f"unsupported file type '{suffix or 'no extension'}'")
    if not data.strip():
        raise IngestError("empty file")
    token = _notes.set(notes if notes is not None else [])
    try:
        meta, body = loader(data, rel_path)
    except IngestError:
        raise
    except Exception as exc:  # noqa: BLE001 - a parser library choking on a damaged file
        # PDF, DOCX and HTML parsers raise what their internals raise (zlib.error for a broken
        # deflate stream, XML errors, EOFError...): whatever it is, the file is unreadable.
        raise IngestError(f"unreadable {suffix[1:].upper()} file ({type(exc).__name__})") from exc
    finally:
        _notes.reset(token)
    return build_document(rel_path, meta, body, file_hash(data))


def load_file(path: Path, rel_path: str, max_bytes: int | None = None) -> Document:
    """Read and load one file from disk."""
    size = path.stat().st_size
    if max_bytes is not None and size > max_bytes:
        limit = f"limit {max_bytes / 1e6:g} MB: VERBINDER_MAX_FILE_MB"
        raise IngestError(f"file too large ({size / 1e6:.1f} MB, {limit})")
    return load_bytes(path.read_bytes(), rel_path)
