"""The hybrid retriever as a LangChain `BaseRetriever`, for users who build their own chains."""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import ConfigDict

from index.filters import AANBIEDER
from index.retriever import HybridRetriever, RetrievedChunk


def to_document(hit: RetrievedChunk) -> Document:
    """Our retrieved chunk as a LangChain Document with all our metadata."""
    c = hit.chunk
    metadata: dict[str, Any] = {
        **c.to_metadata(),
        "chunk_id": c.chunk_id,
        "score": hit.score,
        "dense_rank": hit.dense_rank,
        "lexical_rank": hit.lexical_rank,
    }
    return Document(page_content=c.text, metadata=metadata, id=c.chunk_id)


class InkoopRetriever(BaseRetriever):
    """`retriever.invoke("vraag")` -> list of Documents, best first."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: HybridRetriever
    k: int = 6
    where: dict[str, Any] | None = None
    audience: str = AANBIEDER  # providers: openbaar documents only

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun
    ) -> list[Document]:
        self.retriever.refresh()
        return [
            to_document(h) for h in self.retriever.search(query, self.k, self.where, self.audience)
        ]
