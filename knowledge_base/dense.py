"""Dense index: chunk embeddings in Chroma (local directory or a Chroma server)."""

from __future__ import annotations

from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

_BATCH = 2000  # below Chroma's max batch size


def make_client(host: str, port: int, folder: Path) -> chromadb.ClientAPI:
    """A Chroma client: HTTP when a host is set, else an embedded store in `folder`."""
    settings = ChromaSettings(anonymized_telemetry=False)
    if host:
        return chromadb.HttpClient(host=host, port=port, settings=settings)
    folder.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(folder), settings=settings)


class DenseIndex:
    """Chunk vectors in one Chroma collection, accessed through langchain-chroma."""

    def __init__(self, client: chromadb.ClientAPI, collection: str, embeddings: Embeddings) -> None:
        self._client = client
        self._name = collection
        self.embeddings = embeddings
        self._store = self._open()
        self._count: int | None = None

    def _open(self) -> Chroma:
        return Chroma(
            client=self._client,
            collection_name=self._name,
            embedding_function=self.embeddings,
            collection_metadata={"hnsw:space": "cosine"},
        )

    def count(self) -> int:
        """Number of stored vectors."""
        return int(self._store._collection.count())

    def add(self, ids: list[str], texts: list[str], metadatas: list[dict]) -> None:
        """Embed and upsert passages in batches."""
        self._count = None
        for i in range(0, len(ids), _BATCH):
            self._store.add_texts(
                texts=texts[i : i + _BATCH],
                metadatas=metadatas[i : i + _BATCH],
                ids=ids[i : i + _BATCH],
            )

    def delete_docs(self, paths: list[str]) -> None:
        """Remove every vector of the given documents."""
        self._count = None
        for i in range(0, len(paths), 500):
            self._store._collection.delete(where={"path": {"$in": paths[i : i + 500]}})

    def reset(self) -> None:
        """Drop and recreate the collection (used by rebuild)."""
        try:
            self._client.delete_collection(self._name)
        except Exception:  # noqa: BLE001 - absent collection is fine
            pass
        self._store = self._open()
        self._count = None

    def search(self, query: str, k: int) -> list[tuple[str, float]]:
        """Top-k chunk ids with cosine similarity."""
        if k <= 0:
            return []
        if self._count is None:  # collection.count() costs milliseconds on large collections
            self._count = self.count()
        if self._count == 0:
            return []
        vec = self.embeddings.embed_query(query)
        res = self._store._collection.query(
            query_embeddings=[vec], n_results=min(k, self._count), include=["distances"]
        )
        ids = res["ids"][0]
        dists = (res.get("distances") or [[]])[0]
        return [(cid, 1.0 - float(d)) for cid, d in zip(ids, dists, strict=False)]
