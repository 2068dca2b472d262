"""The LangChain adapter returns our chunks as Documents, in our ranking order."""

from __future__ import annotations

from langchain_core.documents import Document

from index.embedders import HashingEmbedder
from index.langchain_retriever import InkoopRetriever
from index.memory import InMemoryIndex
from index.retriever import HybridRetriever, RetrievalSettings
from index.store import DocumentRecord, IndexManifest
from ingest.models import OPENBAAR, Chunk, Page


def _index() -> tuple[InMemoryIndex, HashingEmbedder]:
    embedder = HashingEmbedder(64)
    index = InMemoryIndex(IndexManifest(embedder.name, embedder.dim, "test"))
    texts = {
        "d1": "Op 1 januari 2026 gaan de nieuwe contracten voor ambulante jeugdhulp in.",
        "d2": "De gemeenteraad vergadert over de begroting en het parkeerbeleid.",
    }
    for doc_id, text in texts.items():
        chunk = Chunk(
            f"c-{doc_id}",
            doc_id,
            f"{doc_id}.txt",
            f"Titel {doc_id}",
            text,
            1,
            1,
            "2.1",
            "2.1 Planning",
            0,
            len(text),
            0,
            metadata={"gemeente": "Weert", "visibility": OPENBAAR},
        )
        record = DocumentRecord(
            doc_id, f"{doc_id}.txt", f"Titel {doc_id}", "txt", 1, 1, "now", {"visibility": OPENBAAR}
        )
        index.add_document(
            record, [Page(1, text)], [chunk], embedder.embed_documents([chunk.context])
        )
    return index, embedder


SETTINGS = RetrievalSettings(dense_weight=0.3)


def test_invoke_returns_documents_with_our_metadata() -> None:
    index, embedder = _index()
    retriever = InkoopRetriever(
        retriever=HybridRetriever(index, embedder, SETTINGS),
        k=2,
    )
    docs = retriever.invoke("Wanneer gaan de contracten voor jeugdhulp in?")
    assert all(isinstance(d, Document) for d in docs)
    assert docs[0].metadata["source"] == "d1.txt"
    assert docs[0].metadata["section"] == "2.1"
    assert docs[0].metadata["meta_gemeente"] == "Weert"
    assert docs[0].page_content.startswith("Op 1 januari 2026")
    assert docs[0].metadata["score"] >= docs[-1].metadata["score"]


def test_where_filter_passes_through() -> None:
    index, embedder = _index()
    retriever = InkoopRetriever(
        retriever=HybridRetriever(index, embedder, SETTINGS),
        k=5,
        where={"source": "d2.txt"},
    )
    docs = retriever.invoke("contracten jeugdhulp begroting")
    assert [d.metadata["source"] for d in docs] == ["d2.txt"]
