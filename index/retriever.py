"""Hybrid retrieval: Dutch BM25 and dense vectors, fused by reciprocal rank."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from index.embedders import Embedder
from index.filters import AANBIEDER, MEDEWERKER, audience_filter, check_audience, may_read
from index.fusion import diversify, reciprocal_rank_fusion, zscore_fusion
from index.lexical import BM25Index, fingerprint, load_or_build
from index.store import VectorIndex
from ingest.models import OPENBAAR, Chunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RetrievedChunk:
    """A chunk with its fused score and where each ranking put it (None: not retrieved)."""

    chunk: Chunk
    score: float
    dense_rank: int | None = None
    lexical_rank: int | None = None
    dense_score: float = 0.0
    lexical_score: float = 0.0

    def to_dict(self, text: str | None = None) -> dict[str, Any]:
        """The passage as `inkoop search --json` shows it; `text` replaces the chunk's own."""
        c = self.chunk
        return {
            "source": c.source,
            "title": c.title,
            "page": c.page,
            "section": c.section,
            "heading": c.heading,
            "text": c.text if text is None else text,
            "score": round(self.score, 6),
        }


@dataclass(frozen=True)
class RetrievalSettings:
    dense_weight: float  # tuned per embedder: assistant.settings.dense_weight_for
    candidates: int = 50  # per ranking, before fusion (assistant.settings.candidates)
    lexical_weight: float = 1.0
    fusion: str = "zscore"  # or "rrf"
    rrf_k: int = 60
    diversify: bool = True  # the first places go to distinct sections
    reference_boost: float = 1.0  # for "paragraaf 2.7" in the question, in z units


_REFERENCE = re.compile(
    r"\b(?:paragraaf|par\.|§|sectie|hoofdstuk|artikel|bijlage)\s*(\d+(?:\.\d+)*)", re.I
)


def section_references(query: str) -> list[str]:
    """Section numbers a question names explicitly: "U schrijft in paragraaf 2.7 ..."."""
    return list(dict.fromkeys(m.rstrip(".") for m in _REFERENCE.findall(query)))


def _section_key(chunk: Chunk) -> str:
    """Diversity group: a numbered section; a passage of an unsectioned text stands alone."""
    return f"{chunk.doc_id}|{chunk.section}" if chunk.section else chunk.chunk_id


def _in_section(section: str, references: Sequence[str]) -> bool:
    label = section.split()[-1] if section else ""  # "Artikel 2.3" -> "2.3"
    return any(label == r or label.startswith(r + ".") for r in references)


def exact_top(
    chunks: Sequence[Chunk],
    matrix: np.ndarray,
    vector: np.ndarray,
    k: int,
    mask: np.ndarray | None = None,
) -> list[tuple[Chunk, float]]:
    """The k chunks most similar to `vector` (cosine: rows and vector are normalised) among
    those `mask` keeps, by scoring every one; ties in chunk order."""
    if not len(chunks):
        return []
    scores = matrix @ np.asarray(vector, dtype=np.float32)
    if mask is not None:
        scores = np.where(mask, scores, -np.inf)
    k = min(k, len(chunks))
    top = np.argpartition(-scores, k - 1)[:k]
    top = top[np.argsort(-scores[top], kind="stable")]
    return [(chunks[i], float(scores[i])) for i in top if np.isfinite(scores[i])]


def load_vectors(
    cache_dir: Path | None, key: str, chunks: Sequence[Chunk], index: VectorIndex
) -> np.ndarray | None:
    """The stored vectors of `chunks`, row for row, cached next to BM25 under the same key;
    None for a store that cannot hand them out (then vector search asks the store)."""
    get = getattr(index, "vectors", None)
    if get is None:
        return None
    path = cache_dir / f"vectors-{key}.npy" if cache_dir else None
    if path and path.is_file():
        try:
            cached = np.load(path)
            if cached.shape == (len(chunks), index.manifest.dim):
                return np.asarray(cached, dtype=np.float32)
        except (OSError, ValueError) as exc:  # a broken cache is rebuilt, never fatal
            log.warning("vector cache %s unreadable (%s); reloading", path, exc)
    vectors = np.asarray(get([c.chunk_id for c in chunks]), dtype=np.float32)
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob("vectors-*.npy"):
            old.unlink(missing_ok=True)
        tmp = path.with_suffix(".tmp.npy")
        np.save(tmp, vectors)
        tmp.replace(path)
    return vectors


class HybridRetriever:
    """Searches one vector index; the BM25 side is rebuilt from it when its documents change."""

    def __init__(
        self,
        index: VectorIndex,
        embedder: Embedder,
        settings: RetrievalSettings,
        cache_dir: Path | None = None,
    ) -> None:
        self.index = index
        self.embedder = embedder
        self.cache_dir = cache_dir
        self.settings = settings
        self._bm25: BM25Index | None = None
        self._bm25_public: BM25Index | None = None
        # The stored vectors, row for row with each BM25 index's chunks: vector search is
        # exact and filtered first (HNSW with a selective filter misses neighbours).
        self._vectors: np.ndarray | None = None
        self._vectors_public: np.ndarray | None = None
        self._bm25_key = ""
        self._registered: set[str] = set()
        self._public: set[str] = set()  # registered documents whose record says openbaar
        self._lock = threading.Lock()  # concurrent chat requests must not rebuild BM25 twice

    def refresh(self) -> None:
        """Pick up documents added or removed since the last search."""
        with self._lock:
            self._refresh()

    def _refresh(self) -> None:
        docs = self.index.documents()
        self._registered = {d.doc_id for d in docs}
        self._public = {d.doc_id for d in docs if d.metadata.get("visibility") == OPENBAAR}
        m = self.index.manifest
        # A visibility change keeps the doc id; it must still rebuild BM25's cached chunks.
        tiers = {f"{d.doc_id}:{d.metadata.get('visibility')}" for d in docs}
        key = fingerprint(tiers, f"{m.embedder}|{m.chunking}|{m.schema}")
        if self._bm25 is None or key != self._bm25_key:
            full = load_or_build(self.cache_dir, key, loader=self.index.all_chunks)
            vectors = load_vectors(self.cache_dir, key, full.chunks, self.index)
            rows = [i for i, c in enumerate(full.chunks) if self._readable(c, AANBIEDER)]
            # A provider's BM25 holds only what a provider may read: its IDF, and so its
            # ranking, cannot depend on intern documents.
            if len(rows) == len(full.chunks):
                self._bm25_public, self._vectors_public = full, vectors
            else:
                public = [full.chunks[i] for i in rows]
                self._bm25_public = load_or_build(self.cache_dir, key, public, name="bm25-openbaar")
                self._vectors_public = None if vectors is None else vectors[rows]
            self._bm25, self._vectors = full, vectors
            self._bm25_key = key

    @property
    def bm25(self) -> BM25Index:
        """BM25 over every registered passage (what staff search)."""
        return self.bm25_for(MEDEWERKER)

    def bm25_for(self, audience: str) -> BM25Index:
        """BM25 over what `audience` may read, with that audience's own statistics."""
        if self._bm25 is None:
            self.refresh()
        assert self._bm25 is not None and self._bm25_public is not None
        return self._bm25 if check_audience(audience) == MEDEWERKER else self._bm25_public

    def _readable(self, chunk: Chunk, audience: str) -> bool:
        """Registered, and for a provider openbaar by both its chunk and its document record."""
        if chunk.doc_id not in self._registered or not may_read(audience, chunk):
            return False
        return audience == MEDEWERKER or chunk.doc_id in self._public

    def window(self, chunk: Chunk, audience: str = AANBIEDER, span: int = 1) -> list[Chunk]:
        """A passage with its neighbours in the same section that `audience` may read, in
        document order: an answer often stands in the passage next to the one that matched."""
        near = self.bm25_for(audience).neighbours(chunk, span)
        return [c for c in near if c.chunk_id == chunk.chunk_id or self._readable(c, audience)]

    def search(
        self,
        query: str,
        k: int = 8,
        where: dict[str, Any] | None = None,
        audience: str = AANBIEDER,
        references: Sequence[str] | None = None,
    ) -> list[RetrievedChunk]:
        """The k best chunks for a query that `audience` may read, optionally filtered on
        chunk metadata. Providers get a `where` on visibility and a check on every hit.
        `references`: the section labels the question names, when the caller read them
        already (`assistant.question`); else they are read from the query here."""
        user_where = where
        where = audience_filter(audience, where)
        if not query.strip():
            return []
        bm25 = self.bm25_for(audience)
        n = self.settings.candidates
        # Filtered before the top n is taken, on both sides: a narrow filter (and a provider's
        # tier, which is its own BM25 index) still gets n candidates it may read.
        lexical = [
            (c, s)
            for c, s in bm25.search(query, n, mask=bm25.mask_where(user_where))
            if self._readable(c, audience)
        ]
        dense: list[tuple[Chunk, float]] = []
        if self.settings.dense_weight > 0:
            vector = self.embedder.embed_query(query)
            matrix = self._vectors if audience == MEDEWERKER else self._vectors_public
            found = (
                self.index.query(vector, n, where)
                if matrix is None
                else exact_top(bm25.chunks, matrix, vector, n, bm25.mask_where(user_where))
            )
            dense = [(c, s) for c, s in found if self._readable(c, audience)]
        by_id = {c.chunk_id: c for c, _ in [*lexical, *dense]}
        dense_rank = {c.chunk_id: i for i, (c, _) in enumerate(dense, start=1)}
        lex_rank = {c.chunk_id: i for i, (c, _) in enumerate(lexical, start=1)}
        dense_score = {c.chunk_id: s for c, s in dense}
        lex_score = {c.chunk_id: s for c, s in lexical}
        weights = [self.settings.lexical_weight, self.settings.dense_weight]
        if self.settings.fusion == "rrf":
            fused = reciprocal_rank_fusion(
                [[c.chunk_id for c, _ in lexical], [c.chunk_id for c, _ in dense]],
                weights,
                k=self.settings.rrf_k,
            )
        else:
            fused = zscore_fusion([lex_score, dense_score], weights)
        if references is None:
            references = section_references(query)
        if references:
            fused = sorted(
                (
                    (
                        cid,
                        s
                        + self.settings.reference_boost
                        * _in_section(by_id[cid].section, references),
                    )
                    for cid, s in fused
                ),
                key=lambda kv: (-kv[1], kv[0]),
            )
        if self.settings.diversify:
            fused = diversify(fused, lambda cid: _section_key(by_id[cid]))
        return [
            RetrievedChunk(
                chunk=by_id[cid],
                score=score,
                dense_rank=dense_rank.get(cid),
                lexical_rank=lex_rank.get(cid),
                dense_score=dense_score.get(cid, 0.0),
                lexical_score=lex_score.get(cid, 0.0),
            )
            for cid, score in fused[:k]
        ]
