"""The assistant's core: wires settings to embedder, index, retriever and answerer."""

from __future__ import annotations

import logging
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path
from typing import Any

from assistant.answer import relation_report, supersede
from assistant.answer.candidates import ExtractiveSettings
from assistant.answer.chain import FACT_ANSWERERS, Evidence, MeetingAnswerer, first_answer
from assistant.answer.compare import answer_each, fact_each
from assistant.answer.extractive import ExtractiveAnswerer
from assistant.answer.facts import defined_terms
from assistant.answer.generative import Draft, GenerativeAnswerer
from assistant.answer.hand_relations import load as load_relations
from assistant.answer.hand_relations import with_hand_relations
from assistant.answer.semantic import shared_encoder
from assistant.answer.timeline.merge import timeline
from assistant.answer.timeline.passages import statements_for_hits
from assistant.answer.timeline.statement import DatedStatement
from assistant.answer.where_to_read import where_to_read, with_passages
from assistant.index_setup import chunk_settings, open_index
from assistant.llm.backends import ChatModel, make_chat_model
from assistant.models import Answer, with_note
from assistant.prompts import NO_PUBLIC_DOCUMENTS
from assistant.question import Question, read_question
from assistant.settings import Settings, dense_weight_for
from index.embedders import Embedder, make_embedder
from index.filters import AANBIEDER, MEDEWERKER, check_audience
from index.indexer import Indexer, IngestReport
from index.retriever import HybridRetriever, RetrievalSettings, RetrievedChunk
from index.store import DocumentRecord, VectorIndex
from ingest.models import OPENBAAR, Chunk

log = logging.getLogger(__name__)

MEETING = MeetingAnswerer()  # asked before anything is searched: it reads the besluitenlijst


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
                    else dense_weight_for(self.embedder.name)
                ),
                lexical_weight=settings.lexical_weight,
                fusion=settings.fusion,
                candidates=settings.candidates,
                reference_boost=settings.reference_boost,
            ),
        )
        self.extractive = self._extractive_for(MEDEWERKER)
        # a provider's answer weighs words by the openbaar documents alone (issue 14)
        self._extractive_public = self._extractive_for(AANBIEDER)
        # A generative answerer only when a backend is configured; it falls back to extractive.
        chat_model = chat_model or make_chat_model(settings)
        self.answerer: ExtractiveAnswerer | GenerativeAnswerer = (
            GenerativeAnswerer(chat_model, self.index.page_text, self.extractive)
            if chat_model is not None
            else self.extractive
        )

    def _extractive_for(self, audience: str) -> ExtractiveAnswerer:
        """The extractive answerer with the word statistics of what `audience` may read."""
        settings = self.settings
        return ExtractiveAnswerer(
            idf=lambda t: self.retriever.bm25_for(audience).idf(t),
            page_text=self.index.page_text,
            settings=ExtractiveSettings.of(settings),
            encoder=shared_encoder() if settings.answer_encoder == "use-m3" else None,
            known=lambda: self.retriever.bm25_for(audience).vocabulary,
        )

    def extractive_as(self, audience: str) -> ExtractiveAnswerer:
        """The extractive answerer for `audience` (providers: openbaar statistics only)."""
        return (
            self.extractive if check_audience(audience) == MEDEWERKER else self._extractive_public
        )

    def close(self) -> None:
        """Give back what the open index holds (the data-dir lock of an embedded index)."""
        close = getattr(self.index, "close", None)
        if close is not None:
            close()

    def __enter__(self) -> Assistant:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def ingest(
        self,
        paths: Sequence[Path],
        prune: bool = False,
        progress: bool = False,
        visibility: str | None = None,
        max_passages: int | None = None,
    ) -> IngestReport:
        """Index `paths`; `visibility` (openbaar/intern) for files whose metadata sets none;
        at most `max_passages` new passages (default: the `max_passages` setting)."""
        cap = self.settings.max_passages if max_passages is None else max_passages
        report = Indexer(self.index, self.embedder, chunk_settings(self.settings), cap).ingest(
            paths, prune=prune, progress=progress, visibility=visibility
        )
        self.retriever.refresh()
        touched = (*report.added, *report.replaced)
        report.notes.extend(relation_report.ingest_lines(self.documents(), touched))
        return report

    def search(
        self,
        query: str,
        k: int | None = None,
        where: dict[str, Any] | None = None,
        audience: str = AANBIEDER,
    ) -> list[RetrievedChunk]:
        """Passages `audience` may read; a provider (the default) sees only openbaar ones.
        The query is searched as a question is (`Question.search_text`)."""
        self.retriever.refresh()
        q = read_question(query)
        return self.retriever.search(
            q.search_text, k or self.settings.top_k, where, audience, references=q.sections
        )

    def read(
        self, question: str, audience: str = AANBIEDER, docs: list[DocumentRecord] | None = None
    ) -> Question:
        """The question read once, against the gemeenten `audience` may see (`docs`: the
        documents it may read, when the caller has them already)."""
        if not question.strip():
            return read_question(question)
        docs = self.documents_for(audience) if docs is None else docs
        return read_question(question, _values(docs, "gemeente"))

    def ask(
        self,
        question: str,
        k: int | None = None,
        where: dict[str, Any] | None = None,
        audience: str = AANBIEDER,
    ) -> Answer:
        """The checked answer to a question (`ask_stream`'s last item, made without drafts)."""
        *_, answer = self._route(question, k, where, audience, stream=False)
        if not isinstance(answer, Answer):  # the route always ends in its Answer
            raise RuntimeError("the answer route ended without an answer")
        return answer

    def ask_stream(
        self,
        question: str,
        k: int | None = None,
        where: dict[str, Any] | None = None,
        audience: str = AANBIEDER,
    ) -> Iterator[Draft | Answer]:
        """`ask` for the chat: a generative answer's unchecked drafts, then the checked answer.

        The last item is always the `Answer`; extractive answers, facts and per-gemeente
        comparisons come whole, as the only item.
        """
        yield from self._route(question, k, where, audience, stream=True)

    def _route(
        self,
        question: str,
        k: int | None,
        where: dict[str, Any] | None,
        audience: str,
        stream: bool,
    ) -> Iterator[Draft | Answer]:
        """The one route of a question, for `ask` and `ask_stream`: the question read once;
        a meeting's decisions; a fact (`answer.chain.FACT_ANSWERERS`), per gemeente when it
        names several; else the text answerer (a language model's drafts when `stream`); a
        refusal with where to read; later binding text in front."""
        check_audience(audience)
        docs = self.documents_for(audience)  # read once for the whole question
        q = self.read(question, audience, docs)
        if audience == AANBIEDER and not docs:  # first run: everything is intern
            yield Answer(question=q.text, answer=NO_PUBLIC_DOCUMENTS, refused=True)
            return
        meeting = MEETING.answer(q, Evidence((), self.index.page_text, docs))
        if meeting is not None:  # the besluitenlijst's decisions, as they stand
            yield with_note(meeting, q.cut_note)
            return
        if q.is_comparison:  # "het verschil tussen Weert en Maasgouw": each one cited
            # a fact asked of both ("Wie heeft de brieven van Weert en Maasgouw ondertekend?")
            # is read from each letter; anything else is answered per gemeente, each from its
            # own search; the unscoped one only shows where to read after a refusal
            answer = fact_each(
                q, where, lambda q_, w: self._hits(q_, k, w, audience), self._fact
            ) or answer_each(
                q, where, lambda t, w: self.search(t, k, w, audience), self.extractive_as(audience)
            )
            hits = self._hits(q, k, where, audience) if answer.refused else []
        else:
            hits = self._hits(q, k, where, audience)
            fact = self._fact(q, hits)
            answer = fact or (yield from self._text_answer(q, hits, audience, stream))
        yield self._finish(self._or_passages(answer, q, hits, audience), q, audience)

    def _text_answer(
        self, q: Question, hits: list[RetrievedChunk], audience: str, stream: bool
    ) -> Generator[Draft, None, Answer]:
        """The configured answerer's answer: a language model's (its drafts yielded first when
        `stream`), falling back to the reader's own extractive one; or the extractive one."""
        answerer = self.answerer
        if not isinstance(answerer, GenerativeAnswerer):
            return self.extractive_as(audience).answer(q, hits)
        if not stream:
            return answerer.answer(q.text, hits, self.extractive_as(audience))
        answer: Answer | None = None
        for item in answerer.stream(q.text, hits, self.extractive_as(audience)):
            if isinstance(item, Answer):
                answer = item
            else:
                yield item
        if answer is None:
            raise RuntimeError("the model's stream ended without an answer")
        return answer

    def _finish(self, answer: Answer, q: Question, audience: str) -> Answer:
        """A passage replaced by a later binding text (NvI, rectificatie, newer version) gets
        that text in front; a cut question its note."""
        answer = supersede.apply(answer, self.index, audience, self.documents())
        return with_note(answer, q.cut_note)

    def _or_passages(
        self, answer: Answer, q: Question, hits: list[RetrievedChunk], audience: str
    ) -> Answer:
        """A refusal with the passages most about the question, when there are (outcome
        "passages"); any other answer as it is."""
        if not answer.refused or not hits:
            return answer
        found = where_to_read(
            q,
            hits,
            self.extractive_as(audience),
            self.index.page_text,
            self.settings.passages_min_share,
            window=lambda c: self.retriever.window(c, audience, self.settings.passage_window),
        )
        return with_passages(answer, found)

    def _fact(self, q: Question, hits: list[RetrievedChunk]) -> Answer | None:
        """A letter-head fact, a signatory or a definition, when that is what is asked and
        it is found (`answer.chain.FACT_ANSWERERS`, in order)."""
        evidence = Evidence(hits, self.index.page_text, passage_with=self.passage_with)
        return first_answer(FACT_ANSWERERS, q, evidence)

    def passage_with(self, doc_id: str, text: str) -> Chunk | None:
        """The indexed passage of a document that holds `text` (from BM25's passages of that
        document in memory, so no index scan)."""
        return next((c for c in self.retriever.bm25.passages_of(doc_id) if text in c.text), None)

    def _hits(
        self, q: Question, k: int | None, where: dict[str, Any] | None, audience: str
    ) -> list[RetrievedChunk]:
        if not q.text:
            return []
        self.retriever.refresh()
        k = k or self.settings.top_k
        hits = self.retriever.search(q.search_text, k, where, audience, references=q.sections)
        seen = {h.chunk.chunk_id for h in hits}
        for term in defined_terms(q):  # "Wat is een X?": X's begripsbepaling may use none of
            # the question's other words
            for hit in self.retriever.search(f"{term} begripsbepalingen", k, where, audience):
                if hit.chunk.chunk_id not in seen:
                    seen.add(hit.chunk.chunk_id)
                    hits.append(hit)
        return hits

    def documents(self) -> list[DocumentRecord]:
        """The indexed documents, with the relations staff set by hand (`inkoop relate`)."""
        return with_hand_relations(self.index.documents(), load_relations(self.settings.data_dir))

    def decisions(
        self,
        subject: str,
        k: int | None = None,
        where: dict[str, Any] | None = None,
        audience: str = AANBIEDER,
    ) -> list[DatedStatement]:
        """A timeline of dated steps on the pages found for a subject, each quote checked,
        as of today (`decisions.today`: the clock or INKOOP_TODAY)."""
        hits = self.search(subject, k or 2 * self.settings.top_k, where, audience)
        return timeline(statements_for_hits(hits, self.index.page_text, subject))

    def documents_for(self, audience: str = AANBIEDER) -> list[DocumentRecord]:
        """The indexed documents `audience` may read (providers: openbaar only)."""
        docs = self.index.documents()
        if check_audience(audience) == MEDEWERKER:
            return docs
        return [d for d in docs if d.metadata.get("visibility") == OPENBAAR]

    def metadata_values(self, key: str, audience: str = AANBIEDER) -> list[str]:
        """The distinct values of one metadata key over the documents `audience` may read."""
        return _values(self.documents_for(audience), key)

    def source_file(self, source: str, audience: str = AANBIEDER) -> Path | None:
        """The file on disk behind an indexed source `audience` may read, for opening it."""
        for record in self.documents_for(audience):
            if record.source == source:
                path = Path(str(record.metadata.get("_path", record.source)))
                return path if path.is_file() else None
        return None


def _values(docs: Sequence[DocumentRecord], key: str) -> list[str]:
    """The distinct values of one metadata key over some documents, sorted (any case)."""
    return sorted({str(d.metadata[key]) for d in docs if key in d.metadata}, key=str.casefold)
