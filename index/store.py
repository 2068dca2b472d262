"""The index contract: what an index was built with, its documents, and the Protocol both
stores (Chroma in `index.chroma`, an in-memory twin in `index.memory`) fulfil.

Each holds three things: chunks with embeddings, the page texts citations are checked
against, and a registry of complete documents. A document is registered only after all its
pages and chunks are written, and unregistered before they are deleted, so a crash at any
point leaves at most unregistered orphans, which `repair` removes and readers never see.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from index.errors import IndexMismatchError
from index.manifest import IndexManifest
from ingest.models import Chunk, MetadataValue, Page

log = logging.getLogger(__name__)

CHROMA_MAX_BATCH = 5000  # Chroma 1.5 accepts at most 5,461 rows per add


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

    def vectors(self, chunk_ids: Sequence[str]) -> np.ndarray:
        """The stored embeddings of these chunks, one row each, in the order asked."""
        ...

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
