"""Dutch BM25 (bm25s) rebuilt from the vector index's contents, cached on disk by fingerprint."""

from __future__ import annotations

import hashlib
import json
import logging
import pickle
from collections.abc import Collection, Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from index.filters import matches
from index.tokens import TOKENIZER_VERSION, tokenize
from ingest.models import Chunk

log = logging.getLogger(__name__)


class BM25Index:
    """BM25 over chunk contexts (title + heading + text)."""

    def __init__(self, chunks: Sequence[Chunk]) -> None:
        import bm25s

        # bm25s sets its own logger to DEBUG on import; keep it at our level.
        logging.getLogger("bm25s").setLevel(max(log.getEffectiveLevel(), logging.INFO))
        self.chunks = list(chunks)
        self._model = bm25s.BM25(k1=1.2, b=0.75)
        corpus = [tokenize(c.context) or ["_leeg_"] for c in self.chunks]
        self._df: dict[str, int] = {}
        for tokens in corpus:
            for t in set(tokens):
                self._df[t] = self._df.get(t, 0) + 1
        if corpus:
            self._model.index(corpus, show_progress=False)
        self._masks: dict[str, np.ndarray] = {}
        self._metas: list[dict[str, Any]] | None = None
        self._at: dict[str, dict[int, Chunk]] = {}  # passages by position, per document
        self._positions: dict[str, list[int]] = {}
        for i, c in enumerate(self.chunks):
            self._positions.setdefault(c.doc_id, []).append(i)

    def search(
        self,
        query: str,
        k: int,
        allowed: set[str] | None = None,
        mask: np.ndarray | None = None,
    ) -> list[tuple[Chunk, float]]:
        """Top-k chunks with their BM25 scores. `allowed` restricts to those doc ids, `mask`
        (one bool per chunk, see `mask_where`) to those chunks — before the top k is taken,
        so a narrow filter still gets its k best."""
        if not self.chunks:  # an empty index has no fitted model (and no vocab) to ask
            return []
        tokens = [t for t in tokenize(query) if t in self._vocab]
        if not tokens:
            return []
        scores = np.asarray(self._model.get_scores(tokens), dtype=np.float32)
        if allowed is not None:
            keep = np.zeros(len(self.chunks), dtype=bool)
            for doc_id in allowed:
                keep[self._positions.get(doc_id, [])] = True
            scores = np.where(keep, scores, 0.0)
        if mask is not None:
            scores = np.where(mask, scores, 0.0)
        k = min(k, len(self.chunks))
        top = np.argpartition(-scores, k - 1)[:k]
        top = top[np.argsort(-scores[top], kind="stable")]
        return [(self.chunks[i], float(scores[i])) for i in top if scores[i] > 0]

    def neighbours(self, chunk: Chunk, span: int = 1) -> list[Chunk]:
        """The chunk with the passages up to `span` places before and after it in its
        document and section, in document order (those this index holds, without a gap)."""
        at = self._by_position(chunk.doc_id)
        before: list[Chunk] = []
        after: list[Chunk] = []
        for step, side in ((-1, before), (1, after)):
            for d in range(1, span + 1):  # outward, up to the section's edge or a gap
                near = at.get(chunk.position + step * d)
                if near is None or near.section != chunk.section:
                    break
                side.append(near)
        return [*reversed(before), chunk, *after]

    def passages_of(self, doc_id: str) -> list[Chunk]:
        """A document's passages this index holds, in index order (no scan of the others)."""
        return [self.chunks[i] for i in self._positions.get(doc_id, [])]

    def _by_position(self, doc_id: str) -> dict[int, Chunk]:
        """A document's passages by their position, built once per document (a cache)."""
        at = self._at.get(doc_id)
        if at is None:
            at = {c.position: c for c in self.passages_of(doc_id)}
            self._at[doc_id] = at
        return at

    def mask_where(self, where: dict[str, Any] | None) -> np.ndarray | None:
        """One bool per chunk: its metadata satisfies the Chroma `where` (None: no filter).
        Cached per filter: a chat session asks many questions under the same one."""
        if not where:
            return None
        key = json.dumps(where, sort_keys=True, default=str)
        mask = self._masks.get(key)
        if mask is None:
            if self._metas is None:
                self._metas = [c.to_metadata() for c in self.chunks]
            mask = np.fromiter(
                (matches(m, where) for m in self._metas), dtype=bool, count=len(self._metas)
            )
            if len(self._masks) >= 64:
                self._masks.pop(next(iter(self._masks)))
            self._masks[key] = mask
        return mask

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_masks"], state["_metas"] = {}, None  # caches, not worth a disk write
        state["_at"] = {}
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self.__dict__.setdefault("_at", {})  # a cache pickled before it existed

    @property
    def _vocab(self) -> dict[str, int]:
        vocab: dict[str, int] = self._model.vocab_dict
        return vocab

    @property
    def vocabulary(self) -> Collection[str]:
        """Every stem in the index (for splitting compounds into known words); a view, no copy."""
        return self._df.keys()

    def idf(self, token: str) -> float:
        """Inverse document frequency; a word no passage contains gets the highest value."""
        n = len(self.chunks)
        df = self.doc_freq(token)
        return float(np.log(1 + (n - df + 0.5) / (df + 0.5)))

    def doc_freq(self, token: str) -> int:
        return self._df.get(token, 0)


def fingerprint(doc_ids: Iterable[str], manifest_key: str) -> str:
    h = hashlib.sha256(f"{TOKENIZER_VERSION}|{manifest_key}".encode())
    for doc_id in sorted(doc_ids):
        h.update(doc_id.encode())
    return h.hexdigest()[:24]


def load_or_build(
    cache_dir: Path | None,
    key: str,
    chunks: Iterable[Chunk] | None = None,
    *,
    loader: object = None,
    name: str = "bm25",
) -> BM25Index:
    """The cached BM25 index for `key`, or a new one built from the chunks (then cached).
    `name` tells apart indexes kept side by side (one per audience); each keeps one file."""
    path = cache_dir / f"{name}-{key}.pkl" if cache_dir else None
    if path and path.is_file():
        try:
            with path.open("rb") as fh:
                index = pickle.load(fh)
            if isinstance(index, BM25Index):
                return index
        except Exception as exc:  # a stale or broken cache is rebuilt, never fatal
            log.warning("BM25 cache %s unreadable (%s); rebuilding", path, exc)
    source = chunks if chunks is not None else loader()  # type: ignore[operator]
    index = BM25Index(list(source))
    if path:
        path.parent.mkdir(parents=True, exist_ok=True)
        for old in path.parent.glob(f"{name}-*.pkl"):
            old.unlink(missing_ok=True)
        tmp = path.with_suffix(".tmp")
        with tmp.open("wb") as fh:
            pickle.dump(index, fh, protocol=pickle.HIGHEST_PROTOCOL)
        tmp.replace(path)
    return index
