"""Filters cannot starve a provider, and intern documents cannot move a provider's ranking.

The issue's test: an index of corpus/ as openbaar plus ../shared/corpus/text as intern (it holds
byte-identical copies of corpus/ files under other names) gives a provider the same top-5 as an
index of corpus/ alone, for every question we have. Real Chroma with the hashing embedder.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from conftest import CORPUS, ROOT, SHARED_CORPUS, SHARED_EVAL

from assistant.service import Assistant
from assistant.settings import Settings
from index.chroma import ChromaIndex
from index.embedders import HashingEmbedder
from index.filters import AANBIEDER, MEDEWERKER
from index.lexical import BM25Index
from index.memory import InMemoryIndex
from index.retriever import HybridRetriever, RetrievalSettings
from index.store import DocumentRecord, IndexManifest
from ingest.models import INTERN, OPENBAAR, Chunk

SEED_QUESTIONS = (
    "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?",
    "Wanneer is de gunning van de aanbesteding ambulante jeugdhulp?",
    "Wat zijn de uitgangspunten voor de aanbesteding van ambulante jeugdhulp?",
    "Wat is de gestanddoeningstermijn van de inschrijving?",
    "Welke uitsluitingsgronden gelden voor de inschrijver?",
    "Wat regelt de Jeugdwet over de jeugdhulpplicht van de gemeente?",
)


def _questions() -> list[str]:
    """Seed and golden questions, the natural dev questions and a sample of the GGZ NvI."""
    questions = list(SEED_QUESTIONS)
    golden = ROOT / "tests" / "golden" / "eval-corpus.jsonl"
    questions += [json.loads(line)["question"] for line in golden.read_text().splitlines()]
    natural = SHARED_EVAL / "natural-questions-dev.jsonl"
    if natural.is_file():
        questions += [
            json.loads(line)["question"] for line in natural.read_text().splitlines() if line
        ]
    nvi = SHARED_EVAL / "zk_NvI-GGZ-2024-2026.json"
    if nvi.is_file():
        items = json.loads(nvi.read_text())
        questions += [i["question"] for i in random.Random(14).sample(items, 25)]
    return list(dict.fromkeys(questions))


def _top(assistant: Assistant, question: str, audience: str = AANBIEDER) -> list[str]:
    return [h.chunk.chunk_id for h in assistant.search(question, k=5, audience=audience)]


@pytest.fixture(scope="module")
def pair(tmp_path_factory: pytest.TempPathFactory) -> tuple[Assistant, Assistant]:
    if not (SHARED_CORPUS / "text").is_dir():
        pytest.skip("../shared/corpus/text is not present")
    root = tmp_path_factory.mktemp("filters")
    alone = Assistant(Settings(data_dir=root / "alone", embedding_model="hashing"))
    alone.ingest([CORPUS], visibility=OPENBAAR)
    mixed = Assistant(Settings(data_dir=root / "mixed", embedding_model="hashing"))
    mixed.ingest([CORPUS], visibility=OPENBAAR)
    report = mixed.ingest([SHARED_CORPUS / "text"], visibility=INTERN)
    assert any("same content as" in n for n in report.notes)  # the byte-identical copies
    return alone, mixed


def test_intern_documents_do_not_change_a_providers_top5(
    pair: tuple[Assistant, Assistant],
) -> None:
    alone, mixed = pair
    assert mixed.index.count() > 3 * alone.index.count()  # intern text outweighs corpus/
    questions = _questions()
    differing = [q for q in questions if _top(alone, q) != _top(mixed, q)]
    assert differing == [], f"{len(differing)} of {len(questions)} differ: {differing[:3]}"
    # ... while staff do see the intern documents.
    staff = {c for q in SEED_QUESTIONS for c in _top(mixed, q, MEDEWERKER)}
    assert staff - {c for q in SEED_QUESTIONS for c in _top(mixed, q, AANBIEDER)}


def test_a_narrow_filter_gets_its_full_top_k(pair: tuple[Assistant, Assistant]) -> None:
    """A filter that only few passages pass (one gemeente's letter) still fills the top k,
    as staff, who search the whole mixed index."""
    _, mixed = pair
    letter = next(d.source for d in mixed.index.documents() if "maasgouw" in d.source)
    passages = sum(1 for c in mixed.index.all_chunks() if c.source == letter)
    hits = mixed.search(
        "Jeugdwet jeugdhulp gemeente", k=50, where={"source": letter}, audience=MEDEWERKER
    )
    assert len(hits) == passages
    assert all(h.chunk.source == letter for h in hits)


def _chunk(i: int, doc: str, visibility: str, text: str) -> Chunk:
    return Chunk(
        chunk_id=f"{doc}-{i}",
        doc_id=doc,
        source=f"{doc}.txt",
        title=doc,
        text=text,
        page=1,
        page_end=1,
        section="",
        heading="",
        char_start=0,
        char_end=len(text),
        position=i,
        metadata={"visibility": visibility, "gemeente": "Weert" if doc == "weert" else "Ede"},
    )


def _record(doc: str, n: int, visibility: str) -> DocumentRecord:
    return DocumentRecord(doc, f"{doc}.txt", doc, "txt", 1, n, "", {"visibility": visibility})


def test_bm25_statistics_are_per_audience() -> None:
    """An intern text full of the question's rare word cannot change a provider's scores."""
    embedder = HashingEmbedder()
    public = [_chunk(i, "weert", OPENBAAR, f"tarief jeugdhulp regel {i}") for i in range(4)]
    secret = [_chunk(i, "nota", INTERN, "tarief tarief tarief intern") for i in range(30)]

    def retriever(chunks_by_doc: dict[str, tuple[list[Chunk], str]]) -> HybridRetriever:
        index = InMemoryIndex(IndexManifest(embedder.name, embedder.dim, "test"))
        for doc, (chunks, vis) in chunks_by_doc.items():
            vectors = embedder.embed_documents([c.context for c in chunks])
            index.add_document(_record(doc, len(chunks), vis), [], chunks, vectors)
        return HybridRetriever(index, embedder, RetrievalSettings(dense_weight=0.3))

    alone = retriever({"weert": (public, OPENBAAR)})
    mixed = retriever({"weert": (public, OPENBAAR), "nota": (secret, INTERN)})
    for r in (alone, mixed):
        r.refresh()
    question = "tarief jeugdhulp regel 2"
    a = alone.search(question, 4, audience=AANBIEDER)
    b = mixed.search(question, 4, audience=AANBIEDER)
    assert [(h.chunk.chunk_id, round(h.score, 6)) for h in a] == [
        (h.chunk.chunk_id, round(h.score, 6)) for h in b
    ]
    assert mixed.bm25_for(AANBIEDER).idf("tarief") == alone.bm25.idf("tarief")
    assert mixed.bm25_for(MEDEWERKER).idf("tarief") < alone.bm25.idf("tarief")
    assert {h.chunk.doc_id for h in mixed.search(question, 8, audience=MEDEWERKER)} == {
        "weert",
        "nota",
    }


def test_bm25_mask_filters_before_the_top_k() -> None:
    chunks = [_chunk(i, "ede", OPENBAAR, "jeugdhulp tarief " * 5) for i in range(60)]
    chunks += [_chunk(i, "weert", OPENBAAR, "jeugdhulp") for i in range(3)]
    bm25 = BM25Index(chunks)
    mask = bm25.mask_where({"meta_gemeente": {"$eq": "Weert"}})
    assert mask is not None and int(mask.sum()) == 3
    hits = bm25.search("jeugdhulp tarief", 2, mask=mask)
    assert [c.doc_id for c, _ in hits] == ["weert", "weert"]
    assert bm25.mask_where(None) is None
    assert bm25.mask_where({"meta_gemeente": {"$eq": "Weert"}}) is mask  # cached


def test_chroma_selective_filter_returns_k(tmp_path: Path) -> None:
    """Chroma's filtered HNSW query returns k hits when only a few passages pass the filter."""
    embedder = HashingEmbedder()
    index = ChromaIndex.persistent(tmp_path, IndexManifest(embedder.name, embedder.dim, "t"))
    try:
        rng = np.random.default_rng(14)
        words = [f"woord{i}" for i in range(400)]
        for d in range(12):
            doc, vis = f"doc{d}", OPENBAAR if d == 0 else INTERN
            chunks = [_chunk(i, doc, vis, " ".join(rng.choice(words, 12))) for i in range(100)]
            vectors = embedder.embed_documents([c.context for c in chunks])
            index.add_document(_record(doc, len(chunks), vis), [], chunks, vectors)
        query = embedder.embed_query("woord1 woord2 woord3")
        for k in (5, 50, 100):
            hits = index.query(query, k, {"visibility": {"$eq": OPENBAAR}})
            assert len(hits) == k
            assert {c.doc_id for c, _ in hits} == {"doc0"}
        assert len(index.query(query, 10, {"doc_id": {"$eq": "doc3"}})) == 10
    finally:
        index.close()


def test_same_file_intern_then_openbaar_stays_visible(tmp_path: Path) -> None:
    """One content under two paths: staff's intern copy first, the published copy next. The
    openbaar copy must be what providers find; re-ingesting the intern path changes nothing."""
    text = "# Nota\n\nDe gestanddoeningstermijn van de inschrijving is negentig dagen.\n"
    (tmp_path / "intern").mkdir()
    (tmp_path / "open").mkdir()
    (tmp_path / "intern" / "nota-concept.md").write_text(text)
    (tmp_path / "open" / "nota.md").write_text(text)
    bot = Assistant(Settings(data_dir=tmp_path / "data", embedding_model="hashing"))
    bot.ingest([tmp_path / "intern"], visibility=INTERN)
    assert bot.search("gestanddoeningstermijn", audience=AANBIEDER) == []
    report = bot.ingest([tmp_path / "open"], visibility=OPENBAAR)
    assert any("kept as openbaar" in n for n in report.notes)
    for _ in range(2):
        hits = bot.search("gestanddoeningstermijn", audience=AANBIEDER)
        assert hits and hits[0].chunk.source.endswith("nota.md")
        bot.ingest([tmp_path / "intern"], visibility=INTERN)  # the staff copy again
    assert [d.source for d in bot.index.documents()] == [str(tmp_path / "open" / "nota.md")]
    # ... and the other order: openbaar first, the intern copy is skipped.
    other = Assistant(Settings(data_dir=tmp_path / "data2", embedding_model="hashing"))
    other.ingest([tmp_path / "open"], visibility=OPENBAAR)
    report = other.ingest([tmp_path / "intern"], visibility=INTERN)
    assert any("skipped" in n for n in report.notes)
    assert other.search("gestanddoeningstermijn", audience=AANBIEDER)


def test_exact_vector_search_filters_first_and_caches_vectors(tmp_path: Path) -> None:
    from index.retriever import exact_top, load_vectors

    embedder = HashingEmbedder()
    chunks = [_chunk(i, "ede", OPENBAAR, f"jeugdhulp tarief regel {i}") for i in range(40)]
    chunks += [_chunk(i, "weert", OPENBAAR, f"wmo huishoudelijke hulp {i}") for i in range(2)]
    index = InMemoryIndex(IndexManifest(embedder.name, embedder.dim, "t"))
    for doc in ("ede", "weert"):
        part = [c for c in chunks if c.doc_id == doc]
        vectors = embedder.embed_documents([c.context for c in part])
        index.add_document(_record(doc, len(part), OPENBAAR), [], part, vectors)
    matrix = load_vectors(tmp_path, "k1", chunks, index)
    assert matrix is not None and matrix.shape == (42, embedder.dim)
    assert (tmp_path / "vectors-k1.npy").is_file()
    query = embedder.embed_query("jeugdhulp tarief")
    mask = np.array([c.doc_id == "weert" for c in chunks])
    hits = exact_top(chunks, matrix, query, 10, mask)
    assert [c.doc_id for c, _ in hits] == ["weert", "weert"]  # all the filter lets through
    top = exact_top(chunks, matrix, query, 3)
    assert [s for _, s in top] == sorted((s for _, s in top), reverse=True)
    assert top[0][1] == pytest.approx(float(np.max(matrix @ query)))
    # a cached file of another shape is not trusted; a new key replaces the old file
    again = load_vectors(tmp_path, "k2", chunks[:5], index)
    assert again is not None and again.shape == (5, embedder.dim)
    assert sorted(p.name for p in tmp_path.glob("vectors-*.npy")) == ["vectors-k2.npy"]
