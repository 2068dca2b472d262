"""What the assistant hands out: citations and answers (the JSON contract of `inkoop ask`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

REFUSAL = "Dit staat niet in de documenten die ik kan doorzoeken."


@dataclass(frozen=True)
class Citation:
    """A checked quote: it occurs verbatim (whitespace-normalised) on the cited page."""

    key: int
    source: str
    title: str
    page: int
    section: str
    heading: str
    quote: str
    score: float
    doc_id: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "source": self.source,
            "title": self.title,
            "page": self.page,
            "section": self.section,
            "heading": self.heading,
            "quote": self.quote,
            "score": round(self.score, 4),
        }


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    refused: bool
    citations: tuple[Citation, ...] = ()
    notes: tuple[str, ...] = field(default=())  # e.g. why it refused, or what was dropped

    def to_dict(self) -> dict[str, Any]:
        return {
            "question": self.question,
            "answer": self.answer,
            "refused": self.refused,
            "citations": [c.to_dict() for c in self.citations],
        }
