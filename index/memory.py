"""The index contract in memory: for tests and throw-away indexes."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np

from index.filters import matches
from index.store import DocumentRecord, IndexManifest
from ingest.models import Chunk, Page


class InMemoryIndex:
    """The same contract in memory: for tests and throw-away indexes."""

    def __init__(self, manifest: IndexManifest) -> None:
        self.manifest = manifest
        self._chunks: dict[str, tuple[Chunk, np.ndarray]] = {}
        self._pages: dict[tuple[str, int], str] = {}
        self._docs: dict[str, DocumentRecord] = {}

    def add_document(
        self,
        record: DocumentRecord,
        pages: Sequence[Page],
        chunks: Sequence[Chunk],
        embeddings: np.ndarray,
    ) -> None:
        for page in pages:
            self._pages[(record.doc_id, page.number)] = page.text
        for chunk, vector in zip(chunks, embeddings, strict=True):
            self._chunks[chunk.chunk_id] = (chunk, np.asarray(vector, dtype=np.float32))
        self._docs[record.doc_id] = record

    def remove_document(self, doc_id: str) -> None:
        self._docs.pop(doc_id, None)
        self._drop(doc_id)

    def _drop(self, doc_id: str) -> None:
        for cid in [c for c, (ch, _) in self._chunks.items() if ch.doc_id == doc_id]:
            del self._chunks[cid]
        for key in [k for k in self._pages if k[0] == doc_id]:
            del self._pages[key]

    def documents(self) -> list[DocumentRecord]:
        return sorted(self._docs.values(), key=lambda r: r.source)

    def query(
        self, embedding: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[Chunk, float]]:
        hits = [
            (chunk, float(np.dot(vec, embedding)))
            for chunk, vec in self._chunks.values()
            if chunk.doc_id in self._docs and matches(chunk.to_metadata(), where)
        ]
        hits.sort(key=lambda h: (-h[1], h[0].chunk_id))
        return hits[:k]

    def all_chunks(self) -> Iterator[Chunk]:
        for chunk, _ in sorted(self._chunks.values(), key=lambda c: c[0].chunk_id):
            if chunk.doc_id in self._docs:
                yield chunk

    def vectors(self, chunk_ids: Sequence[str]) -> np.ndarray:
        dim = self.manifest.dim
        rows = [self._chunks[cid][1] for cid in chunk_ids]
        return np.stack(rows).astype(np.float32) if rows else np.zeros((0, dim), np.float32)

    def page_text(self, doc_id: str, page: int) -> str | None:
        return self._pages.get((doc_id, page)) if doc_id in self._docs else None

    def repair(self) -> int:
        orphans = {ch.doc_id for ch, _ in self._chunks.values()} | {d for d, _ in self._pages}
        orphans -= set(self._docs)
        for doc_id in orphans:
            self._drop(doc_id)
        return len(orphans)

    def count(self) -> int:
        return sum(1 for ch, _ in self._chunks.values() if ch.doc_id in self._docs)
