"""Structure-aware chunking: sections by heading, then paragraphs packed up to a size."""

from __future__ import annotations

import re

from langchain_text_splitters import RecursiveCharacterTextSplitter

from knowledge_base.models import Chunk, Document

_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")


def _sections(text: str) -> list[tuple[str, list[str]]]:
    """Split Markdown-ish text into (heading path, paragraphs) sections."""
    sections: list[tuple[str, list[str]]] = []
    path: list[tuple[int, str]] = []
    paras: list[str] = []
    buf: list[str] = []

    def flush_para() -> None:
        if buf:
            para = "\n".join(buf).strip()
            if para:
                paras.append(para)
            buf.clear()

    def flush_section() -> None:
        flush_para()
        if paras:
            sections.append((" > ".join(h for _, h in path), list(paras)))
            paras.clear()

    for line in text.splitlines():
        m = _HEADING.match(line)
        if m:
            flush_section()
            level = len(m.group(1))
            path = [(lv, h) for lv, h in path if lv < level] + [(level, m.group(2))]
            continue
        if not line.strip():
            flush_para()
        else:
            buf.append(line.rstrip())
    flush_section()
    return sections


class Chunker:
    """Turns Documents into Chunks of about `size` characters along their structure."""

    def __init__(self, size: int = 700, overlap: int = 80) -> None:
        self.size = size
        self._splitter = RecursiveCharacterTextSplitter(
            chunk_size=size,
            chunk_overlap=min(overlap, size // 2),
            separators=["\n", ". ", "? ", "! ", "; ", ", ", " ", ""],
            keep_separator="end",
        )

    def _pieces(self, paras: list[str]) -> list[str]:
        """Pack paragraphs into pieces; over-long paragraphs are split recursively."""
        pieces: list[str] = []
        cur = ""
        for para in paras:
            parts = [para] if len(para) <= self.size else self._splitter.split_text(para)
            for part in parts:
                if cur and len(cur) + 2 + len(part) > self.size:
                    pieces.append(cur)
                    cur = part
                else:
                    cur = f"{cur}\n\n{part}" if cur else part
        if cur:
            pieces.append(cur)
        return pieces

    def split(self, doc: Document) -> list[Chunk]:
        """Chunks of one document; short trailing sections merge into the previous chunk."""
        out: list[Chunk] = []
        for heading, paras in _sections(doc.text):
            for piece in self._pieces(paras):
                if (
                    out
                    and out[-1].heading == heading
                    and len(piece) < self.size // 5
                    and (len(out[-1].text) + len(piece) < self.size * 1.3)
                ):
                    prev = out.pop()
                    piece = prev.text + "\n\n" + piece
                out.append(Chunk(doc.path, len(out), piece, heading))
        return out
