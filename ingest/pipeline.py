"""Incremental ingest of files and folders: hash, load, chunk, index; bad files are reported."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ingest.chunking import Chunker
from ingest.loaders import IngestError, file_hash, load_bytes
from knowledge_base.models import Chunk, Document
from knowledge_base.store import KnowledgeBase

# A batch goes to the knowledge base when it holds this many documents or chunks, whichever
# comes first: one SQL transaction and one Chroma add() of a few thousand vectors per batch
# (small Chroma calls cost more per vector, see knowledge_base.dense._ADD_BATCH).
BATCH_DOCS = 1000
BATCH_CHUNKS = 2500
Progress = Callable[[int, int, str], None]  # (files done, files in all, the current file)


@dataclass
class IngestReport:
    """What one ingest run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # ingested, with a caveat
    chunks: int = 0
    bytes_read: int = 0

    @property
    def ok(self) -> bool:
        """True when no file failed."""
        return not self.failed


def root_key(path: Path) -> str:
    """How an ingest root is remembered: its absolute path (a file's root is its folder)."""
    path = path.resolve()
    return str(path if path.is_dir() else path.parent)


def collect(
    paths: Iterable[Path], skipped: list[tuple[str, str]] | None = None
) -> list[tuple[Path, str, str]]:
    """Existing files to ingest with their identity (path relative to the folder given) and root.
    Nothing outside the given folders is read: a link that leads out of its folder, a broken link
    and an unreadable folder are skipped, each with its reason in `skipped`."""
    out: list[tuple[Path, str, str]] = []
    skipped = skipped if skipped is not None else []
    for root in paths:
        if root.is_dir():
            key = root_key(root)
            base = root.resolve()
            for f in _walk(root, skipped):
                rel = f.relative_to(root)
                if any(p.startswith(".") for p in rel.parts):
                    continue
                if f.is_symlink() and not f.exists():
                    skipped.append((rel.as_posix(), "broken link"))
                elif not f.resolve().is_relative_to(base):
                    skipped.append((rel.as_posix(), "link to a file outside the folder (not read)"))
                elif f.is_file():
                    out.append((f, rel.as_posix(), key))
        elif root.exists():
            out.append((root, root.name, root_key(root)))
    return out


def _walk(root: Path, skipped: list[tuple[str, str]]) -> list[Path]:
    """Every path under root, sorted; symlinked folders are not entered, unreadable ones reported."""
    found: list[Path] = []

    def error(exc: OSError) -> None:
        where = Path(exc.filename).relative_to(root).as_posix() if exc.filename else str(root)
        skipped.append((where, f"cannot read the folder ({exc.strerror or exc})"))

    for folder, dirs, files in os.walk(root, onerror=error, followlinks=False):
        here = Path(folder)
        for name in dirs:
            if (here / name).is_symlink():
                skipped.append(
                    ((here / name).relative_to(root).as_posix(), "link to a folder (not followed)")
                )
        found += [here / name for name in files]
    return sorted(found)


def _taken_elsewhere(rel: str, root: str, origins: dict[str, str]) -> bool:
    """True when `rel` was ingested from another folder whose file still exists (not a move)."""
    other = origins.get(rel)
    return bool(other) and other != root and (Path(str(other)) / rel).is_file()


def ingest_paths(
    kb: KnowledgeBase,
    paths: list[Path],
    chunker: Chunker,
    prune: bool = False,
    max_bytes: int | None = None,
    progress: Progress | None = None,
) -> IngestReport:
    """Ingest files and folders into the knowledge base; never stops on one bad file."""
    report = IngestReport()
    skipped: list[tuple[str, str]] = []
    files = collect(paths, skipped)
    report.failed.extend(skipped)
    missing = [str(p) for p in paths if not p.exists()]
    for m in missing:
        report.failed.append((m, "path does not exist"))
    known = kb.hashes()
    origins = kb.roots()
    seen: set[str] = set()
    batch: list[tuple[Document, list[Chunk]]] = []
    batch_chunks = 0
    changed = False

    def flush() -> None:
        nonlocal changed, batch_chunks
        if batch:
            kb.upsert(batch, refresh=False)
            changed = True
            batch.clear()
            batch_chunks = 0

    for i, (file, rel, root) in enumerate(files):
        if progress:
            progress(i, len(files), rel)
        if rel in seen:
            report.failed.append((rel, "duplicate path: another input has the same identity"))
            continue
        seen.add(rel)
        if _taken_elsewhere(rel, root, origins):
            where = origins[rel]
            report.failed.append(
                (rel, f"already in the knowledge base from {where}; rename one of the two files")
            )
            continue
        try:
            size = file.stat().st_size
            if max_bytes is not None and size > max_bytes:
                limit = f"limit {max_bytes / 1e6:g} MB: VERBINDER_MAX_FILE_MB"
                raise IngestError(f"file too large ({size / 1e6:.1f} MB, {limit})")
            data = file.read_bytes()
            report.bytes_read += len(data)
            if known.get(rel) == file_hash(data):
                report.unchanged.append(rel)
                continue
            notes: list[str] = []
            doc = replace(load_bytes(data, rel, notes), source_root=root)
            chunks = chunker.split(doc)
            if not chunks:
                raise IngestError("no text found (empty document)")
        except IngestError as exc:
            report.failed.append((rel, str(exc)))
            continue
        except OSError as exc:
            report.failed.append((rel, f"cannot read file ({exc.strerror or exc})"))
            continue
        except Exception as exc:  # noqa: BLE001 - a library choking on one file must not stop the run
            report.failed.append((rel, f"unreadable ({type(exc).__name__}: {exc})"[:300]))
            continue
        (report.updated if rel in known else report.added).append(rel)
        report.warnings += [(rel, n) for n in notes]
        report.chunks += len(chunks)
        batch.append((doc, chunks))
        batch_chunks += len(chunks)
        if len(batch) >= BATCH_DOCS or batch_chunks >= BATCH_CHUNKS:
            flush()
    flush()
    if progress:
        progress(len(files), len(files), "")
    if prune:
        # Only documents that came from the folders given now, and whose files are gone from them:
        # a single file given on the command line never prunes its siblings.
        roots = {root_key(p) for p in paths if p.is_dir()}
        gone = sorted(p for p in set(known) - seen if origins.get(p) in roots)
        if gone:
            kb.remove(gone, refresh=False)
            report.removed = gone
            changed = True
    if changed or kb.write_pending():  # a re-run after an interrupted ingest publishes the index
        kb.refresh_lexical()
    return report
