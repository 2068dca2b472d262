"""One contract for the answerers (issue 20 §0): each takes the question, read once, and the
evidence found for it, and returns an `Answer` or None (not its kind of question, or nothing
found). `Assistant.ask`, `ask_stream` and the per-gemeente path walk one ordered list,
`FACT_ANSWERERS`, before the text answerer (extractive, or a language model's) answers.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

from assistant.answer.facts import definition_answer, letterhead_answer
from assistant.answer.signatures import signatory_answer
from assistant.answer.timeline.meeting_answer import meeting_answer, meeting_asked
from assistant.models import Answer
from assistant.question import Question
from index.retriever import RetrievedChunk
from index.store import DocumentRecord
from ingest.models import Chunk

PageText = Callable[[str, int], str | None]


def _no_passage(doc_id: str, text: str) -> Chunk | None:
    return None


@dataclass(frozen=True)
class Evidence:
    """What an answerer may use: the passages found, the documents the asker may read, the
    indexed page texts (to quote and verify), and the passage that holds a line of a page."""

    hits: Sequence[RetrievedChunk]
    page_text: PageText
    documents: Sequence[DocumentRecord] = ()
    passage_with: Callable[[str, str], Chunk | None] = _no_passage


class Answerer(Protocol):
    def answer(self, q: Question, evidence: Evidence) -> Answer | None: ...


class MeetingAnswerer:
    """"Wat is er besloten in de raadsvergadering van …?": the besluitenlijst's decisions."""

    def answer(self, q: Question, evidence: Evidence) -> Answer | None:
        if not meeting_asked(q.text):
            return None
        return meeting_answer(q.text, evidence.documents, evidence.page_text)


class LetterheadAnswerer:
    """A letter-head field (kenmerk, portefeuillehouder, datum, …), cited from its line."""

    def answer(self, q: Question, evidence: Evidence) -> Answer | None:
        return letterhead_answer(q, evidence.hits, evidence.page_text)


class SignatoryAnswerer:
    """Who signed a letter, from its signature lines."""

    def answer(self, q: Question, evidence: Evidence) -> Answer | None:
        return signatory_answer(q, evidence.hits, evidence.page_text)


class DefinitionAnswerer:
    """The begripsbepaling of the term a definition question asks about."""

    def answer(self, q: Question, evidence: Evidence) -> Answer | None:
        return definition_answer(q, evidence.hits, evidence.page_text, evidence.passage_with)


# The facts a question may ask, in the order they are tried; the first that answers wins.
FACT_ANSWERERS: tuple[Answerer, ...] = (
    LetterheadAnswerer(),
    SignatoryAnswerer(),
    DefinitionAnswerer(),
)


def first_answer(answerers: Iterable[Answerer], q: Question, evidence: Evidence) -> Answer | None:
    """The first answer of the answerers, in their order; None when none answers."""
    for answerer in answerers:
        answer = answerer.answer(q, evidence)
        if answer is not None:
            return answer
    return None
