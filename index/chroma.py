"""The Chroma index (the source of truth): embedded on disk under a data-dir lock, or a server."""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import Iterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import numpy as np

from index.lock import DataDirLock
from index.store import CHROMA_MAX_BATCH, DocumentRecord, IndexManifest, check_manifest
from ingest.models import Chunk, Page

log = logging.getLogger(__name__)


class ChromaIndex:
    """Chroma collections `chunks`, `pages` and `documents`; always with our own embeddings."""

    def __init__(
        self,
        client: Any,
        manifest: IndexManifest,
        where: str,
        prefix: str = "inkoop",
        lock: DataDirLock | None = None,
    ) -> None:
        self.manifest = manifest
        self._lock = lock  # the data-dir lock of an embedded index, given back by `close`
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

        lock = DataDirLock(path).acquire()  # fails fast if another process has it
        try:
            client = chromadb.PersistentClient(
                path=str(path), settings=Settings(anonymized_telemetry=False, allow_reset=True)
            )
            return cls(client, manifest, str(path), lock=lock)
        except BaseException:
            lock.release()
            raise

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

    def vectors(self, chunk_ids: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(chunk_ids), self.manifest.dim), dtype=np.float32)
        row = {cid: i for i, cid in enumerate(chunk_ids)}
        for i in range(0, len(chunk_ids), CHROMA_MAX_BATCH):
            got = self._chunks.get(
                ids=list(chunk_ids[i : i + CHROMA_MAX_BATCH]), include=["embeddings"]
            )
            for cid, vector in zip(got["ids"], got["embeddings"], strict=True):
                out[row[cid]] = vector
        return out

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

    def close(self) -> None:
        """Give back the data-dir lock (embedded); the index is not used after this."""
        if self._lock is not None:
            self._lock.release()

    def __enter__(self) -> ChromaIndex:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def reset(self) -> None:
        for name in self._names:
            with contextlib.suppress(Exception):  # already gone
                self._client.delete_collection(name)
