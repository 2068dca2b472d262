"""One contract, every vector index: the in-memory twin, a real embedded Chroma, and Chroma
in server mode (`chroma run`, reached over HTTP)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from helpers_net import running_chroma_server

from index.chroma import ChromaIndex
from index.embedders import HashingEmbedder
from index.errors import IndexMismatchError
from index.memory import InMemoryIndex
from index.store import CHROMA_MAX_BATCH, DocumentRecord, IndexManifest, VectorIndex
from ingest.models import Chunk, Page

EMBEDDER = HashingEmbedder(256)
MANIFEST = IndexManifest(EMBEDDER.name, EMBEDDER.dim, "w90-120-o15-m25")

DOCS = {
    "jeugd": (
        "jeugd.txt",
        "Weert",
        [
            "De gemeente koopt ambulante jeugdhulp in voor de regio Midden-Limburg.",
            "Het tarief voor jeugdhulp wordt jaarlijks geïndexeerd met de OVA.",
        ],
    ),
    "wmo": (
        "wmo.txt",
        "Maasgouw",
        [
            "Huishoudelijke ondersteuning valt onder de Wmo en wordt per uur bekostigd.",
            "De aanbieder levert een maandelijkse declaratie via het berichtenverkeer.",
        ],
    ),
    "ggz": (
        "ggz.pdf",
        "Weert",
        [
            "Zorgaanbieders doen een beroep op de hardheidsclausule bij onvoorziene effecten.",
            "Het zorgkantoor publiceert de nacalculatie uiterlijk 31 december.",
        ],
    ),
}


def make_doc(doc_id: str) -> tuple[DocumentRecord, list[Page], list[Chunk], np.ndarray]:
    """A document with one chunk per page."""
    source, gemeente, texts = DOCS[doc_id]
    pages = [Page(i, t) for i, t in enumerate(texts, start=1)]
    chunks = [
        Chunk(
            chunk_id=f"{doc_id}-{i}",
            doc_id=doc_id,
            source=source,
            title=f"Titel {doc_id}",
            text=t,
            page=i,
            page_end=i,
            section=f"{i}",
            heading=f"{i} Kop",
            char_start=0,
            char_end=len(t),
            position=i - 1,
            metadata={"gemeente": gemeente, "jaar": 2026},
        )
        for i, t in enumerate(texts, start=1)
    ]
    record = DocumentRecord(
        doc_id,
        source,
        f"Titel {doc_id}",
        "txt",
        len(pages),
        len(chunks),
        "2026-01-01T00:00:00+00:00",
        {"gemeente": gemeente},
    )
    return record, pages, chunks, EMBEDDER.embed_documents([c.text for c in chunks])


def add(index: VectorIndex, *doc_ids: str) -> None:
    for doc_id in doc_ids:
        index.add_document(*make_doc(doc_id))


def unregister(index: VectorIndex, doc_id: str) -> None:
    """Simulate a crash between writing a document's pages/chunks and registering it."""
    if isinstance(index, ChromaIndex):
        index._docs.delete(ids=[doc_id])
    else:
        assert isinstance(index, InMemoryIndex)
        del index._docs[doc_id]


@pytest.fixture(scope="module")
def chroma_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One `chroma run` server for the module; each test leaves it empty (see make_index)."""
    with running_chroma_server(tmp_path_factory.mktemp("chroma-server")) as url:
        yield url


@pytest.fixture(params=["memory", "chroma", "chroma-server"])
def make_index(
    request: pytest.FixtureRequest, tmp_path: Path
) -> Iterator[Callable[..., VectorIndex]]:
    opened: list[ChromaIndex] = []

    def factory(manifest: IndexManifest = MANIFEST) -> VectorIndex:
        if request.param == "memory":
            return InMemoryIndex(manifest)
        if request.param == "chroma":
            return ChromaIndex.persistent(tmp_path / "chroma", manifest)
        index = ChromaIndex.http(request.getfixturevalue("chroma_url"), manifest)
        opened.append(index)
        return index

    yield factory
    for index in opened:  # the server outlives the test: drop its collections
        index.reset()


@pytest.fixture
def index(make_index: Callable[..., VectorIndex]) -> VectorIndex:
    return make_index()


def ids(hits: list[tuple[Chunk, float]]) -> list[str]:
    return [c.chunk_id for c, _ in hits]


def test_an_empty_index(index: VectorIndex) -> None:
    assert index.documents() == [] and index.count() == 0
    assert list(index.all_chunks()) == []
    assert index.query(EMBEDDER.embed_query("jeugdhulp"), 5) == []
    assert index.page_text("jeugd", 1) is None
    assert index.repair() == 0


def test_added_documents_come_back_whole(index: VectorIndex) -> None:
    add(index, "wmo", "jeugd")
    records = index.documents()
    assert [r.source for r in records] == ["jeugd.txt", "wmo.txt"]  # sorted by source
    assert records[0] == make_doc("jeugd")[0]
    assert index.count() == 4
    chunks = {c.chunk_id: c for c in index.all_chunks()}
    assert set(chunks) == {"jeugd-1", "jeugd-2", "wmo-1", "wmo-2"}
    assert chunks["jeugd-2"] == make_doc("jeugd")[2][1]  # every field survives the store
    assert index.page_text("wmo", 2) == DOCS["wmo"][2][1]
    assert index.page_text("wmo", 3) is None and index.page_text("onbekend", 1) is None


def test_adding_the_same_document_twice_keeps_one_copy(index: VectorIndex) -> None:
    add(index, "jeugd", "jeugd")
    assert index.count() == 2 and len(index.documents()) == 1
    assert sorted(c.chunk_id for c in index.all_chunks()) == ["jeugd-1", "jeugd-2"]


def test_query_ranks_passages_that_share_words_first(index: VectorIndex) -> None:
    add(index, "jeugd", "wmo", "ggz")
    query = EMBEDDER.embed_query("beroep op de hardheidsclausule bij onvoorziene effecten")
    hits = index.query(query, 3)
    assert ids(hits)[0] == "ggz-1"
    scores = [s for _, s in hits]
    assert scores == sorted(scores, reverse=True)
    # Scores are cosine similarities, the same in every implementation.
    vector = EMBEDDER.embed_documents([DOCS["ggz"][2][0]])[0]
    assert scores[0] == pytest.approx(float(np.dot(query, vector)), abs=1e-4)
    assert len(index.query(query, 100)) == 6  # k above the total is fine


def test_query_filters_on_metadata(index: VectorIndex) -> None:
    add(index, "jeugd", "wmo", "ggz")
    query = EMBEDDER.embed_query("jeugdhulp tarief")
    assert set(ids(index.query(query, 10, {"source": "wmo.txt"}))) == {"wmo-1", "wmo-2"}
    weert = set(ids(index.query(query, 10, {"meta_gemeente": "Weert"})))
    assert weert == {"jeugd-1", "jeugd-2", "ggz-1", "ggz-2"}
    both = {"$and": [{"meta_gemeente": {"$eq": "Weert"}}, {"page": {"$gte": 2}}]}
    assert set(ids(index.query(query, 10, both))) == {"jeugd-2", "ggz-2"}
    either = {"$or": [{"doc_id": "wmo"}, {"section": {"$in": ["2"]}}]}
    assert set(ids(index.query(query, 10, either))) == {"wmo-1", "wmo-2", "jeugd-2", "ggz-2"}
    assert index.query(query, 10, {"source": "bestaat-niet.txt"}) == []


def test_remove_document_removes_its_chunks_and_pages(index: VectorIndex) -> None:
    add(index, "jeugd", "wmo")
    index.remove_document("jeugd")
    assert [r.doc_id for r in index.documents()] == ["wmo"]
    assert index.count() == 2
    assert {c.doc_id for c in index.all_chunks()} == {"wmo"}
    assert index.page_text("jeugd", 1) is None
    hits = index.query(EMBEDDER.embed_query("ambulante jeugdhulp Midden-Limburg"), 10)
    assert all(c.doc_id == "wmo" for c, _ in hits)
    index.remove_document("jeugd")  # removing twice is harmless
    index.remove_document("nooit-gezien")
    assert index.repair() == 0  # nothing was left behind


def test_a_crashed_write_is_invisible_and_repair_removes_it(index: VectorIndex) -> None:
    add(index, "jeugd", "ggz")
    unregister(index, "ggz")  # pages and chunks written, registration lost
    assert [r.doc_id for r in index.documents()] == ["jeugd"]
    assert {c.doc_id for c in index.all_chunks()} == {"jeugd"}
    assert index.page_text("ggz", 1) is None
    hits = index.query(EMBEDDER.embed_query("hardheidsclausule onvoorziene effecten"), 10)
    assert {c.doc_id for c, _ in hits} == {"jeugd"}
    assert index.repair() == 1
    assert index.repair() == 0
    assert index.count() == 2
    add(index, "ggz")  # a rerun stores it completely
    assert index.count() == 4 and index.page_text("ggz", 2) == DOCS["ggz"][2][1]


def test_a_large_document_is_written_in_batches(make_index: Callable[..., VectorIndex]) -> None:
    index = make_index(IndexManifest("hashing-8", 8, "klein"))
    n = CHROMA_MAX_BATCH + 600  # above Chroma's 5,461-row limit for one add
    chunks = [
        Chunk(
            f"c{i:05d}",
            "groot",
            "groot.txt",
            "Groot",
            f"w{i}",
            1 + i // 100,
            1 + i // 100,
            "",
            "",
            i,
            i + 1,
            i,
        )
        for i in range(n)
    ]
    pages = [Page(p, f"pagina {p}") for p in range(1, n // 100 + 2)]
    vectors = np.random.default_rng(0).normal(size=(n, 8)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    record = DocumentRecord("groot", "groot.txt", "Groot", "txt", len(pages), n, "nu")
    index.add_document(record, pages, chunks, vectors)
    assert index.count() == n
    seen = [c.chunk_id for c in index.all_chunks()]
    assert len(seen) == n and set(seen) == {c.chunk_id for c in chunks}
    assert index.page_text("groot", len(pages)) == f"pagina {len(pages)}"
    [(top, score)] = index.query(vectors[n - 1], 1)
    assert top.chunk_id == chunks[n - 1].chunk_id and score == pytest.approx(1.0, abs=1e-4)


def test_chroma_persists_and_refuses_another_manifest(tmp_path: Path) -> None:
    path = tmp_path / "chroma"
    add(ChromaIndex.persistent(path, MANIFEST), "jeugd")
    reopened = ChromaIndex.persistent(path, MANIFEST)
    assert [r.doc_id for r in reopened.documents()] == ["jeugd"]
    assert reopened.page_text("jeugd", 1) == DOCS["jeugd"][2][0]

    other = IndexManifest("bundled:all-MiniLM-L6-v2", 384, MANIFEST.chunking)
    with pytest.raises(IndexMismatchError) as err:
        ChromaIndex.persistent(path, other)
    message = str(err.value)
    for expected in (
        str(path),
        "hashing-256",
        "dim 256",
        "bundled:all-MiniLM-L6-v2",
        "dim 384",
        "--rebuild",
    ):
        assert expected in message
    with pytest.raises(IndexMismatchError, match="chunking 'w90-120-o15-m25'"):
        ChromaIndex.persistent(path, IndexManifest(MANIFEST.embedder, MANIFEST.dim, "w50"))
    # The refusal changed nothing.
    assert ChromaIndex.persistent(path, MANIFEST).count() == 2
