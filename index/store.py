"""Vector indexes behind one Protocol: Chroma (the source of truth) and an in-memory twin.

Each holds three things: chunks with embeddings, the page texts citations are checked
against, and a registry of complete documents. A document is registered only after all its
pages and chunks are written, and unregistered before they are deleted, so a crash at any
point leaves at most unregistered orphans, which `repair` removes and readers never see.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from ingest.models import Chunk, MetadataValue, Page

log = logging.getLogger(__name__)

SCHEMA_VERSION = 1
CHROMA_MAX_BATCH = 5000  # Chroma 1.5 accepts at most 5,461 rows per add


@dataclass(frozen=True)
class IndexManifest:
    """What the index was built with; opening it with something else is an error."""

    embedder: str
    dim: int
    chunking: str
    schema: int = SCHEMA_VERSION


@dataclass(frozen=True)
class DocumentRecord:
    doc_id: str
    source: str
    title: str
    kind: str
    pages: int
    chunks: int
    ingested_at: str
    metadata: dict[str, MetadataValue] = field(default_factory=dict)


class IndexError_(RuntimeError):
    """The index cannot be opened or written."""


class IndexMismatchError(IndexError_):
    """The index was built with another embedder or chunking than configured."""

    def __init__(self, message: str, found: IndexManifest | None = None) -> None:
        super().__init__(message)
        self.found = found  # what the index was built with: lets `--rebuild` open and empty it


class VectorIndex(Protocol):
    manifest: IndexManifest

    def add_document(
        self,
        record: DocumentRecord,
        pages: Sequence[Page],
        chunks: Sequence[Chunk],
        embeddings: np.ndarray,
    ) -> None: ...

    def remove_document(self, doc_id: str) -> None: ...

    def documents(self) -> list[DocumentRecord]: ...

    def query(
        self, embedding: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[Chunk, float]]: ...

    def all_chunks(self) -> Iterator[Chunk]: ...

    def page_text(self, doc_id: str, page: int) -> str | None: ...

    def repair(self) -> int: ...

    def count(self) -> int: ...


def check_manifest(found: IndexManifest, wanted: IndexManifest, where: str) -> None:
    if found != wanted:
        raise IndexMismatchError(
            f"the index in {where} was built with embedder '{found.embedder}' (dim {found.dim}), "
            f"chunking '{found.chunking}', schema {found.schema}; the settings ask for "
            f"'{wanted.embedder}' (dim {wanted.dim}), '{wanted.chunking}', schema {wanted.schema}. "
            "Use another data dir, or rebuild it with `inkoop ingest --rebuild PATH`.",
            found,
        )


def matches(meta: dict[str, Any], where: dict[str, Any] | None) -> bool:
    """Evaluate the subset of Chroma's `where` language we use ($and, $or, $eq, $ne, $in)."""
    if not where:
        return True
    for key, cond in where.items():
        if key == "$and":
            if not all(matches(meta, c) for c in cond):
                return False
        elif key == "$or":
            if not any(matches(meta, c) for c in cond):
                return False
        elif isinstance(cond, dict):
            value = meta.get(key)
            for op, arg in cond.items():
                ok = {
                    "$eq": lambda v, a: v == a,
                    "$ne": lambda v, a: v != a,
                    "$in": lambda v, a: v in a,
                    "$nin": lambda v, a: v not in a,
                    "$gte": lambda v, a: v is not None and v >= a,
                    "$lte": lambda v, a: v is not None and v <= a,
                }[op](value, arg)
                if not ok:
                    return False
        elif meta.get(key) != cond:
            return False
    return True


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


class ChromaIndex:
    """Chroma collections `chunks`, `pages` and `documents`; always with our own embeddings."""

    def __init__(
        self, client: Any, manifest: IndexManifest, where: str, prefix: str = "inkoop"
    ) -> None:
        self.manifest = manifest
        self._client = client
        self._where = where
        self._names = (f"{prefix}_chunks", f"{prefix}_pages", f"{prefix}_documents")
        existing = {c if isinstance(c, str) else c.name for c in client.list_collections()}
        if self._names[0] in existing:
            chunks = client.get_collection(self._names[0], embedding_function=None)
            meta = chunks.metadata or {}
            found = IndexManifest(
                str(meta.get("embedder", "?")),
                int(meta.get("dim", 0)),
                str(meta.get("chunking", "?")),
                int(meta.get("schema", 0)),
            )
            check_manifest(found, manifest, where)
        self._chunks = client.get_or_create_collection(
            self._names[0],
            embedding_function=None,
            metadata=asdict(manifest),
            configuration={
                "hnsw": {
                    "space": "cosine",
                    "ef_construction": 128,
                    "max_neighbors": 16,
                    "ef_search": 96,
                }
            },
        )
        # Pages and the registry are looked up by id only; a constant 1-d vector satisfies Chroma.
        self._pages = client.get_or_create_collection(self._names[1], embedding_function=None)
        self._docs = client.get_or_create_collection(self._names[2], embedding_function=None)

    @classmethod
    def persistent(cls, path: Path, manifest: IndexManifest) -> ChromaIndex:
        import chromadb
        from chromadb.config import Settings

        from index.lock import acquire

        acquire(path)  # held for the life of the process; fails fast if another has it
        client = chromadb.PersistentClient(
            path=str(path), settings=Settings(anonymized_telemetry=False, allow_reset=True)
        )
        return cls(client, manifest, str(path))

    @classmethod
    def http(cls, url: str, manifest: IndexManifest) -> ChromaIndex:
        from urllib.parse import urlparse

        import chromadb
        from chromadb.config import Settings

        parsed = urlparse(url if "://" in url else f"http://{url}")
        client = chromadb.HttpClient(
            host=parsed.hostname or "127.0.0.1",
            port=parsed.port or 8000,
            ssl=parsed.scheme == "https",
            settings=Settings(anonymized_telemetry=False),
        )
        return cls(client, manifest, url)

    def add_document(
        self,
        record: DocumentRecord,
        pages: Sequence[Page],
        chunks: Sequence[Chunk],
        embeddings: np.ndarray,
    ) -> None:
        page_ids = [f"{record.doc_id}:{p.number}" for p in pages]
        for i in range(0, len(pages), CHROMA_MAX_BATCH):
            batch = list(pages[i : i + CHROMA_MAX_BATCH])
            self._pages.upsert(
                ids=page_ids[i : i + CHROMA_MAX_BATCH],
                documents=[p.text for p in batch],
                embeddings=[[1.0]] * len(batch),
                metadatas=[{"doc_id": record.doc_id, "page": p.number} for p in batch],
            )
        for i in range(0, len(chunks), CHROMA_MAX_BATCH):
            part = list(chunks[i : i + CHROMA_MAX_BATCH])
            self._chunks.upsert(
                ids=[c.chunk_id for c in part],
                documents=[c.text for c in part],
                embeddings=np.asarray(embeddings[i : i + CHROMA_MAX_BATCH], dtype=np.float32),
                metadatas=[c.to_metadata() for c in part],
            )
        self._docs.upsert(
            ids=[record.doc_id],
            documents=[json.dumps(asdict(record), ensure_ascii=False)],
            embeddings=[[1.0]],
            metadatas=[{"source": record.source}],
        )

    def remove_document(self, doc_id: str) -> None:
        self._docs.delete(ids=[doc_id])
        self._drop(doc_id)

    def _drop(self, doc_id: str) -> None:
        self._chunks.delete(where={"doc_id": doc_id})
        self._pages.delete(where={"doc_id": doc_id})

    def documents(self) -> list[DocumentRecord]:
        got = self._docs.get(include=["documents"])
        records = [DocumentRecord(**json.loads(d)) for d in got["documents"] or []]
        return sorted(records, key=lambda r: r.source)

    def _registered(self) -> set[str]:
        return set(self._docs.get(include=[])["ids"])

    def query(
        self, embedding: np.ndarray, k: int, where: dict[str, Any] | None = None
    ) -> list[tuple[Chunk, float]]:
        total = self._chunks.count()
        if total == 0:
            return []
        result = self._chunks.query(
            query_embeddings=[np.asarray(embedding, dtype=np.float32)],
            n_results=min(k, total),
            where=where or None,
            include=["documents", "metadatas", "distances"],
        )
        registered = self._registered()  # chunks of an unfinished ingest stay invisible
        hits = []
        for cid, text, meta, dist in zip(
            result["ids"][0],
            result["documents"][0],
            result["metadatas"][0],
            result["distances"][0],
            strict=True,
        ):
            if meta.get("doc_id") in registered:
                hits.append((Chunk.from_metadata(cid, text, dict(meta)), 1.0 - float(dist)))
        return hits

    def all_chunks(self) -> Iterator[Chunk]:
        registered = self._registered()
        offset = 0
        while True:
            got = self._chunks.get(
                include=["documents", "metadatas"], limit=CHROMA_MAX_BATCH, offset=offset
            )
            if not got["ids"]:
                return
            for cid, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                if meta.get("doc_id") in registered:
                    yield Chunk.from_metadata(cid, text, dict(meta))
            offset += len(got["ids"])

    def page_text(self, doc_id: str, page: int) -> str | None:
        got = self._pages.get(ids=[f"{doc_id}:{page}"], include=["documents"])
        if not got["ids"] or doc_id not in self._registered():
            return None
        return str(got["documents"][0])

    def repair(self) -> int:
        registered = self._registered()
        seen: set[str] = set()
        for col in (self._chunks, self._pages):
            offset = 0
            while True:
                got = col.get(include=["metadatas"], limit=CHROMA_MAX_BATCH, offset=offset)
                if not got["ids"]:
                    break
                seen.update(str(m.get("doc_id")) for m in got["metadatas"])
                offset += len(got["ids"])
        orphans = seen - registered
        for doc_id in orphans:
            log.warning("removing chunks of an unfinished ingest (document %s)", doc_id)
            self._drop(doc_id)
        return len(orphans)

    def count(self) -> int:
        return int(self._chunks.count())

    def reset(self) -> None:
        for name in self._names:
            with contextlib.suppress(Exception):  # already gone
                self._client.delete_collection(name)
