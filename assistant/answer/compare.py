"""Questions that compare municipalities: find the gemeenten named, combine their answers.

Each gemeente is answered on its own, from a search filtered to its documents (`fact_each`
for a fact asked of all of them, `answer_each` for anything else), and `combine` joins
those answers into one, grouped per gemeente with renumbered citations, so "Wat verschilt
tussen de brief van Weert en die van Maasgouw?" cites both letters. The search and the
answerers come from the caller (`assistant.service`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

from assistant.answer.extractive import ExtractiveAnswerer
from assistant.models import Answer, Citation
from assistant.prompts import NOT_FOUND_FOR_GEMEENTE as NOT_FOUND
from assistant.prompts import REFUSAL_WITH_HINT
from assistant.question import Question
from assistant.verify.citations import CITATION_KEY
from index.filters import all_of, metadata_filter
from index.retriever import RetrievedChunk

Where = dict[str, Any] | None
# the hits for a question (or text) within a filter: the caller's search, its k and audience
Search = Callable[[Question, Where], list[RetrievedChunk]]
TextSearch = Callable[[str, Where], list[RetrievedChunk]]
Fact = Callable[[Question, list[RetrievedChunk]], Answer | None]

# What a general comparison names besides the gemeenten: the letters themselves.
_DOCUMENT_WORDS = frozenset({"brief", "brieven", "document", "documenten", "stuk", "stukken"})


def fact_each(q: Question, where: Where, search: Search, fact: Fact) -> Answer | None:
    """A fact asked of several gemeenten ("Wie heeft de brieven van Weert en Maasgouw
    ondertekend?"), read for each from its own documents and grouped per gemeente; None
    unless every one of them has it."""
    parts = []
    for name in q.gemeenten:
        found = fact(replace(q, gemeenten=(name,)), search(q, _scoped(where, name)))
        if found is None:
            return None
        parts.append((name, found))
    return combine(q.text, parts)


def answer_each(
    q: Question, where: Where, search: TextSearch, answerer: ExtractiveAnswerer
) -> Answer:
    """Answer per gemeente, each from its own documents only, then one grouped answer."""
    sub = q.per_gemeente()
    parts = []
    for name in q.gemeenten:
        hits = search(sub or q.text, _scoped(where, name))
        part = answerer.answer(sub, hits)
        general = not [t for t in answerer.terms(sub) if t.word not in _DOCUMENT_WORDS]
        if part.refused and hits and general:
            # a general comparison ("wat verschilt tussen de brieven?") has no content
            # words of its own: the gemeente's best passage on the subject answers it
            part = answerer.answer(hits[0].chunk.title or sub, hits)
        parts.append((name, part))
    return combine(q.text, parts)


def _scoped(where: Where, gemeente: str) -> Where:
    return all_of(where, metadata_filter(gemeente=gemeente))


def renumbered(text: str, keys: dict[int, int]) -> str:
    """`text` with each citation key [n] replaced by [keys[n]], in one pass."""
    return CITATION_KEY.sub(lambda m: f"[{keys.get(int(m.group(1)), int(m.group(1)))}]", text)


def combine(question: str, parts: Sequence[tuple[str, Answer]]) -> Answer:
    """One answer grouped per gemeente ("Weert: … [1]"), citation keys renumbered in order."""
    citations: list[Citation] = []
    lines: list[str] = []
    notes: list[str] = []
    for name, part in parts:
        if part.refused or not part.citations:
            lines.append(f"{name}: {NOT_FOUND}")
            notes.append(f"{name}: refused ({'; '.join(part.notes) or 'no citations'})")
            continue
        renumber: dict[int, int] = {}
        for c in part.citations:
            renumber[c.key] = len(citations) + 1
            citations.append(replace(c, key=renumber[c.key]))
        # the quote lines only: a short answer in front of them would break the per-gemeente
        # lines
        shown = [renumbered(line, renumber) for line in part.lines] or [
            f"{c.quote} [{renumber[c.key]}]" for c in part.citations
        ]
        body = shown[0] if len(shown) == 1 else "\n".join(f"- {line}" for line in shown)
        lines.append(f"{name}:{chr(10) if body.startswith('- ') else ' '}{body}")
    if not citations:
        return Answer(question, REFUSAL_WITH_HINT, True, notes=tuple(notes))
    return Answer(question, "\n".join(lines), False, tuple(citations), tuple(notes))
