"""Draft answers for NvI questions from the tender documents, with checked citations.

A draft uses only `openbaar` documents: the nota van inlichtingen is published to every
provider, so an answer may not rest on an internal document. The assistant's answerer
writes it (extractive by default, generative when a backend is configured, its citations
verified either way). A question the documents do not answer gets no text: it is flagged as
a beleidsvraag, with the best passages beside it for the person who writes the answer.
Earlier notes (documents of type "nota van inlichtingen") that answered a similar question
are shown separately, marked as earlier answers.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from assistant.answer.candidates import ExtractiveSettings
from assistant.answer.chain import FACT_ANSWERERS, Evidence, first_answer
from assistant.answer.extractive import ExtractiveAnswerer
from assistant.answer.later_relations import (
    document_pages,
    mark,
    relations,
    replacing,
    visible,
)
from assistant.answer.later_text import binding_text
from assistant.answer.where_to_read import where_to_read
from assistant.models import Citation
from assistant.nvi.models import BELEIDSVRAAG, NviError
from assistant.prompts import SUPERSEDED_NOTE
from assistant.question import read_question
from assistant.settings import Settings
from assistant.verify.citations import normalize_ws, quote_on_page
from assistant.verify.sentences import sentences
from index.filters import AANBIEDER, all_of
from index.retriever import RetrievedChunk
from index.store import DocumentRecord
from index.tokens import tokenize
from ingest.models import OPENBAAR
from ingest.relations import parse_supersedes

if TYPE_CHECKING:
    from assistant.service import Assistant

NVI_TYPE = "nota van inlichtingen"
_SECTION = re.compile(r"(?:§|par(?:agraaf|\.)?|hoofdstuk|artikel|art\.)?\s*(\d+(?:\.\d+)+)", re.I)
_PASSAGE_WORDS = 70
_MARKUP = re.compile(r"#{1,6}")
# A draft is read by staff before anything is published, so it may rest on less of the
# question than a chat answer (0.55, a third missing). Measured on the 202 GGZ NvI questions
# (asked sentences only): 41 drafts instead of 6, half of them citing the paragraph the
# question is about; lower bars drafted more but from passages beside the point.
def draft_settings(settings: Settings) -> ExtractiveSettings:
    """The drafting bar: the chat answerer's numbers with the draft's own coverage bars."""
    return ExtractiveSettings.of(
        settings,
        min_coverage=settings.draft_min_coverage,
        max_missing=settings.draft_max_missing,
        # drafts are reviewed by staff: the chat's focus bar (issue 13) is not theirs
        min_focus=0.0,
        min_focus_typed=0.0,
        max_missing_weight=1.0,
    )


@dataclass(frozen=True)
class Draft:
    answer: str
    citations: tuple[dict[str, Any], ...]
    passages: tuple[dict[str, Any], ...]
    earlier: tuple[dict[str, Any], ...]
    flags: tuple[str, ...]
    drafted_by: str


def matching_sources(records: Sequence[DocumentRecord], pattern: str) -> list[str]:
    """The openbaar documents a project's document pattern names: comma-separated globs,
    matched case-insensitively against the path, the file name and the title. Without a
    pattern: every openbaar document except earlier notes, whose text is largely providers'
    questions (they are shown beside a draft as earlier answers instead)."""
    globs = [g.strip().casefold() for g in pattern.split(",") if g.strip()]
    found = []
    for r in records:
        if r.metadata.get("visibility") != OPENBAAR:
            continue
        if not globs and r.metadata.get("type") == NVI_TYPE:
            continue
        names = [r.source, PurePath(r.source).name, r.title]
        if not globs or any(fnmatch.fnmatch(n.casefold(), g) for g in globs for n in names):
            found.append(r.source)
    return found


def search_query(question: str, location: str) -> str:
    """The question, plus the paragraph it names, so the section boost can find it."""
    m = _SECTION.search(location)
    if m and m.group(1) not in question:
        return f"{question} (paragraaf {m.group(1)})"
    return question


def asked_part(question: str) -> str:
    """The sentences that ask something: providers put context first ("In paragraaf 2.7
    staat ... Wij lezen dit als ... Klopt het dat ...?"), and the context's words would
    count against every passage that answers the question itself."""
    asked = [s for _, s in sentences(question) if s.rstrip().endswith("?")]
    return " ".join(asked) if asked else question


def passage(hit: RetrievedChunk, earlier: bool = False) -> dict[str, Any]:
    """A found passage as shown beside a draft: its first words, and whether it comes from
    an earlier note."""
    # Markdown heading marks are markup, not text a reader should see
    words = [w for w in normalize_ws(hit.chunk.text).split() if not _MARKUP.fullmatch(w)]
    text = " ".join(words[:_PASSAGE_WORDS]) + (" …" if len(words) > _PASSAGE_WORDS else "")
    return {**hit.to_dict(text), "earlier": earlier}


def citation_verifier(assistant: Assistant) -> Callable[[Mapping[str, Any]], bool]:
    """A check that a stored citation's quote still occurs on its page in the document as
    indexed now (a re-ingested document has a new id: its current version by source is
    checked). The document registry is read once, for all the citations checked with it."""
    current: dict[str, list[str]] = {}
    for d in assistant.documents():
        current.setdefault(d.source, []).append(d.doc_id)

    def verifies(citation: Mapping[str, Any]) -> bool:
        quote = str(citation.get("quote", ""))
        page = int(citation.get("page", 0) or 0)
        doc_ids = [str(citation.get("doc_id", "")), *current.get(str(citation.get("source")), [])]
        return any(
            quote_on_page(quote, assistant.index.page_text(doc_id, page))
            for doc_id in doc_ids
            if doc_id
        )

    return verifies


class Drafter:
    def __init__(self, assistant: Assistant, passages: int = 3, earlier: int = 2) -> None:
        self.assistant = assistant
        # a configured language model drafts (its fallback is the chat's extractive answerer)
        self.answerer = (
            assistant.answerer
            if assistant.answerer is not assistant.extractive
            else ExtractiveAnswerer(
                idf=lambda t: assistant.retriever.bm25.idf(t),
                page_text=assistant.index.page_text,
                settings=draft_settings(assistant.settings),
            )
        )
        self.n_passages = passages
        self.n_earlier = earlier

    def sources(self, pattern: str) -> list[str]:
        sources = matching_sources(self.assistant.documents(), pattern)
        if not sources:
            raise NviError(
                f"Geen openbaar geïndexeerd document past bij '{pattern or '*'}'. Ingest de "
                "aanbestedingsstukken met --visibility openbaar, of pas de documenten van het "
                "project aan."
            )
        return sources

    def draft(self, question: str, location: str, sources: Sequence[str]) -> Draft:
        a = self.assistant
        query = search_query(question, location)
        where = {"source": {"$in": list(sources)}}
        hits = a.search(query, None, where, AANBIEDER)
        generative = a.answerer is not a.extractive
        # the chat's fact answerers first (a letter's kenmerk or date, its signatories, a
        # term's begripsbepaling), as `ask` walks them; then the text answerer
        asked = read_question(asked_part(question))
        evidence = Evidence(hits, a.index.page_text, passage_with=a.passage_with)
        answer = first_answer(FACT_ANSWERERS, asked, evidence) or self.answerer.answer(
            question if generative else asked.text, hits
        )
        drafted_by = "generatief" if generative else "extractief"
        cited = {(c.source, c.page) for c in answer.citations}
        used = [h for h in hits if (h.chunk.source, h.chunk.page) in cited]
        others = [h for h in hits if h not in used]
        passages = [passage(h) for h in (used + others)[: max(self.n_passages, len(used))]]
        # earlier answers on the same paragraph first, then those sharing the question's words
        found = self._on_paragraph(location, sources) + self._earlier(question, sources)
        unique: dict[tuple[str, int], dict[str, Any]] = {}
        for e in found:
            unique.setdefault((e["source"], e["page"]), e)
        earlier = tuple(unique.values())[: self.n_earlier]
        if answer.refused:
            # where the answer most likely stands, as the chat shows it: the passages most
            # about the question, each with its likeliest sentence marked (issue 20)
            marked = where_to_read(
                asked,
                hits,
                a.extractive_as(AANBIEDER),
                a.index.page_text,
                a.settings.passages_min_share,
                window=lambda c: a.retriever.window(c, AANBIEDER, a.settings.passage_window),
            )
            if marked:
                passages = [{**p.to_dict(), "earlier": False} for p in marked]
            return Draft("", (), tuple(passages), earlier, (BELEIDSVRAAG,), drafted_by)
        citations = tuple({**c.to_dict(), "doc_id": c.doc_id} for c in answer.citations)
        flags = self.replaced(answer.citations)
        return Draft(answer.answer, citations, tuple(passages), earlier, flags, drafted_by)

    def replaced(self, citations: Sequence[Citation]) -> tuple[str, ...]:
        """A warning per quoted passage that a later binding text (an earlier nota van
        inlichtingen, a rectificatie, a newer version) has replaced."""
        a = self.assistant
        rels = relations(visible(a.documents(), AANBIEDER))
        out = []
        for c in citations:
            for rel in replacing(rels, c.doc_id, c.section, c.heading, a.index.page_text):
                place = f"[{c.key}] {c.title or c.source}" + (
                    f" § {c.section}" if c.section else ""
                )
                out.append(SUPERSEDED_NOTE.format(place=place, document=mark(rel.later)))
                break
        return tuple(out)

    def _on_paragraph(self, location: str, sources: Sequence[str]) -> tuple[dict[str, Any], ...]:
        """What earlier notes answered on the paragraph the question is about ("§ 5.7")."""
        m = _SECTION.search(location)
        if not m:
            return ()
        paragraph = m.group(1)
        out = []
        for record in visible(self.assistant.documents(), AANBIEDER):
            if record.metadata.get("type") != NVI_TYPE or record.source in sources:
                continue
            places = parse_supersedes(record.metadata.get("supersedes"))
            if not any(
                paragraph == p.paragraph or paragraph.startswith(p.paragraph + ".") for p in places
            ):
                continue
            pages = document_pages(record, self.assistant.index.page_text)
            found = binding_text(pages, paragraph)
            if found:
                text, page = found
                out.append(
                    {
                        "source": record.source,
                        "title": record.title,
                        "page": page,
                        "section": paragraph,
                        "heading": "",
                        "text": text,
                        "score": 1.0,
                        "earlier": True,
                    }
                )
        return tuple(out[: self.n_earlier])

    def _earlier(self, question: str, sources: Sequence[str]) -> tuple[dict[str, Any], ...]:
        """Passages of earlier notes that share most of the question's weighted words."""
        where = all_of({"meta_type": {"$eq": NVI_TYPE}}, {"source": {"$nin": list(sources)}})
        hits = self.assistant.search(question, 2 * self.n_earlier, where, AANBIEDER)
        terms = set(tokenize(question))
        if not terms:
            return ()
        bm25 = self.assistant.retriever.bm25
        weights = {t: max(bm25.idf(t), 0.0) for t in terms}
        total = sum(weights.values()) or 1.0
        out = []
        for hit in hits:
            found = set(tokenize(hit.chunk.text))
            share = sum(w for t, w in weights.items() if t in found) / total
            if share >= 0.6:
                out.append(passage(hit, earlier=True))
        return tuple(out[: self.n_earlier])
