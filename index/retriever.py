"""Hybrid retrieval: Dutch BM25 and dense vectors, fused by reciprocal rank."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from index.embedders import Embedder
from index.filters import AANBIEDER, MEDEWERKER, audience_filter, matches, may_read
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
            self._bm25 = load_or_build(self.cache_dir, key, loader=self.index.all_chunks)
            self._bm25_key = key

    @property
    def bm25(self) -> BM25Index:
        if self._bm25 is None:
            self.refresh()
        assert self._bm25 is not None
        return self._bm25

    def _readable(self, chunk: Chunk, audience: str) -> bool:
        """Registered, and for a provider openbaar by both its chunk and its document record."""
        if chunk.doc_id not in self._registered or not may_read(audience, chunk):
            return False
        return audience == MEDEWERKER or chunk.doc_id in self._public

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
        where = audience_filter(audience, where)
        if not query.strip():
            return []
        bm25 = self.bm25
        n = self.settings.candidates
        lexical = [
            (c, s)
            for c, s in bm25.search(query, n * (4 if where else 1))
            if self._readable(c, audience) and matches(c.to_metadata(), where)
        ][:n]
        dense: list[tuple[Chunk, float]] = []
        if self.settings.dense_weight > 0:
            vector = self.embedder.embed_query(query)
            dense = [
                (c, s) for c, s in self.index.query(vector, n, where) if self._readable(c, audience)
            ]
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
