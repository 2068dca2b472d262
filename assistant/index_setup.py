"""The index a Settings opens: how it chunks, what its manifest records, where it lives
(Chroma on disk under the data dir, or a Chroma server), and how `ingest --rebuild` empties it.
"""

from __future__ import annotations

from assistant.settings import Settings
from index.chroma import ChromaIndex
from index.embedders import Embedder
from index.errors import IndexMismatchError
from index.store import IndexManifest, VectorIndex
from ingest.chunking import ChunkSettings


def chunk_settings(settings: Settings) -> ChunkSettings:
    target = settings.chunk_words
    return ChunkSettings(
        target_words=target,
        max_words=int(target * 4 / 3),
        overlap_words=settings.chunk_overlap,
        min_words=max(10, target // 3),
    )


def manifest_for(settings: Settings, embedder: Embedder) -> IndexManifest:
    """What an index built with these settings and this embedder records."""
    return IndexManifest(embedder.name, embedder.dim, chunk_settings(settings).fingerprint())


def open_index(settings: Settings, embedder: Embedder) -> VectorIndex:
    """The Chroma index of the settings: a server when INKOOP_CHROMA_URL is set, else on disk."""
    return _chroma(settings, manifest_for(settings, embedder))


def _chroma(settings: Settings, manifest: IndexManifest) -> ChromaIndex:
    if settings.chroma_url:
        return ChromaIndex.http(settings.chroma_url, manifest)
    return ChromaIndex.persistent(settings.data_dir / "chroma", manifest)


def reset_index(settings: Settings, embedder: Embedder) -> None:
    """Empty the index of the settings, whatever it was built with (`ingest --rebuild`)."""
    try:
        index = _chroma(settings, manifest_for(settings, embedder))
    except IndexMismatchError as exc:
        if exc.found is None:
            raise
        index = _chroma(settings, exc.found)  # opened as built, only to be emptied
    index.reset()
    index.close()
