"""What the assistant hands out: citations and answers (the JSON contract of `inkoop ask`)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

from assistant.verify.citations import normalize_ws
from ingest.models import Chunk

# How an answer was made: quoted from the passages, written by a language model and checked,
# or quoted because the model's reply could not be used.
AnswerMode = Literal["extractive", "generative", "fallback"]

# What the user gets (issue 20): a direct answer from verified quotes; no direct answer but the
# passages most about the question, each with its likeliest sentence marked ("hier staat het
# waarschijnlijk"); or nothing relevant found.
Outcome = Literal["answer", "passages", "none"]


@dataclass(frozen=True)
class Place:
    """Where something shown stands: its key in the answer, document, page and section."""

    key: int
    source: str
    title: str
    page: int
    section: str
    heading: str

    def place_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "source": self.source,
            "title": self.title,
            "page": self.page,
            "section": self.section,
            "heading": self.heading,
        }


@dataclass(frozen=True)
class Citation(Place):
    """A checked quote: it occurs verbatim (whitespace-normalised) on the cited page."""

    quote: str
    score: float
    doc_id: str = ""
    # "<document>, <datum>" when a later binding text replaces this passage (a nota van
    # inlichtingen, a rectificatie, a newer version): assistant.answer.supersede
    superseded_by: str = ""
    # "NvI vraag 3 (<document>, <datum>)" when a note answers a question on this paragraph and
    # its answer is shown beside it (the paragraph's text stands): assistant.answer.supersede
    clarified_by: str = ""

    @classmethod
    def of_chunk(cls, key: int, chunk: Chunk, page: int, quote: str, score: float) -> Citation:
        """A citation of a quote on `page` of a retrieved passage (whitespace normalised)."""
        return cls(
            key=key,
            source=chunk.source,
            title=chunk.title,
            page=page,
            section=chunk.section,
            heading=chunk.heading,
            quote=normalize_ws(quote),
            score=score,
            doc_id=chunk.doc_id,
        )

    def to_dict(self) -> dict[str, Any]:
        out = {**self.place_dict(), "quote": self.quote, "score": round(self.score, 4)}
        if self.superseded_by:  # only when marked: the contract is unchanged otherwise
            out["superseded_by"] = self.superseded_by
        if self.clarified_by:
            out["clarified_by"] = self.clarified_by
        return out


@dataclass(frozen=True)
class Passage(Place):
    """Where the answer most likely stands, when there is no direct answer: one retrieved
    passage and its `highlight`, the sentence most likely to hold the answer (verified on
    `page` like every quote). Shown as a place to read, never as an answer."""

    text: str
    highlight: str
    score: float
    doc_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            **self.place_dict(),
            "text": self.text,
            "highlight": self.highlight,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    notes: tuple[str, ...] = field(default=())  # e.g. why it refused, or what was dropped
    mode: AnswerMode = "extractive"
    # only on a refusal: where the answer most likely stands (outcome "passages")
    passages: tuple[Passage, ...] = ()
    # a direct answer's quote lines as shown, each with its key (`answer.compose`)
    lines: tuple[str, ...] = ()

    @property
    def outcome(self) -> Outcome:
        if not self.refused:
            return "answer"
        return "passages" if self.passages else "none"

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "outcome": self.outcome,
            "citations": [c.to_dict() for c in self.citations] if not self.refused else [],
            "passages": [p.to_dict() for p in self.passages],
        }


def with_note(answer: Answer, note: str | None, first: bool = False) -> Answer:
    """The answer with a note for the reader, after its text (or above it with `first`), and
    kept in `notes` in the same place."""
    if note is None:
        return answer
    if first:
        return replace(answer, answer=f"{note}\n\n{answer.answer}", notes=(note, *answer.notes))
    return replace(answer, answer=f"{answer.answer}\n\n{note}", notes=(*answer.notes, note))


def fell_back(answer: Answer) -> bool:
    """True when a language model's answer was replaced by the extractive one."""
    return answer.mode == "fallback"
