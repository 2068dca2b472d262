"""A question is read once: its text becomes one `Question` value the later stages read.

What is read here: the cleaned text (cut to `MAX_QUESTION_CHARS`, with a note), the gemeenten
it names (two or more make it a comparison), its section references ("§ 5.7", "artikel
3.19"), and its kind (when, how much, …) with the answer type that kind needs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from assistant.prompts import QUESTION_CUT
from index.retriever import section_references

# One limit for every way in (CLI, chat, API): a pasted document is no question; it only
# slows search. The chat's text box stops typing at the same length.
MAX_QUESTION_CHARS = 1000

# Words that ask for a comparison, not for content: the answer per gemeente ignores them.
_COMPARING = re.compile(
    r"\b(?:verschil\w*|vergelijk\w*|versch(?:ilt|illen)|overeenkomst(?:en)?|"
    r"tussen|beide|allebei|respectievelijk|en die van|die van|dat van)\b",
    re.I,
)
_WHEN = re.compile(
    r"\b(wanneer|datum|per wanneer|vanaf wanneer|termijn|deadline|uiterlijk|tot wanneer)\b", re.I
)
_HOW_MUCH = re.compile(
    r"\b(hoeveel|hoe hoog|bedrag|tarief|tarieven|percentage|kosten|prijs)\b", re.I
)


@dataclass(frozen=True)
class Question:
    text: str  # stripped and cut: what is searched and answered
    cut_note: str | None = None  # set when the question was cut
    gemeenten: tuple[str, ...] = ()  # indexed gemeenten it names, in its order
    sections: tuple[str, ...] = ()  # section labels it refers to ("5.7")
    wants_date: bool = False
    wants_amount: bool = False

    @property
    def is_comparison(self) -> bool:
        return len(self.gemeenten) >= 2

    def per_gemeente(self) -> str:
        """What one gemeente's documents answer: without the names and comparison words."""
        text = self.text
        for name in self.gemeenten:
            text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text, flags=re.I)
        return " ".join(_COMPARING.sub(" ", text).split())


def shorten(question: str) -> tuple[str, str | None]:
    """The question stripped and at most `MAX_QUESTION_CHARS` long, and a note when it was cut."""
    text = question.strip()
    if len(text) <= MAX_QUESTION_CHARS:
        return text, None
    head = text[:MAX_QUESTION_CHARS]
    mid_word = not head[-1].isspace() and not text[MAX_QUESTION_CHARS].isspace()
    if mid_word and len(head.split()) > 1:
        head = head.rsplit(None, 1)[0]  # not half a word
    size = f"{len(text):,}".replace(",", ".")
    limit = f"{MAX_QUESTION_CHARS:,}".replace(",", ".")
    return head.rstrip(), QUESTION_CUT.format(size=size, limit=limit)


def named_gemeenten(question: str, known: Iterable[str]) -> list[str]:
    """The indexed gemeenten a question names, in the order it names them (any case)."""
    found: list[tuple[int, str]] = []
    for name in known:
        m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", question, re.I)
        if m:
            found.append((m.start(), name))
    return [name for _, name in sorted(found)]


def read_question(question: str, gemeenten: Sequence[str] = ()) -> Question:
    """Read a question once; `gemeenten` are the indexed ones its reader may see."""
    text, cut = shorten(question)
    return Question(
        text=text,
        cut_note=cut,
        gemeenten=tuple(named_gemeenten(text, gemeenten)),
        sections=tuple(section_references(text)),
        wants_date=bool(_WHEN.search(text)),
        wants_amount=bool(_HOW_MUCH.search(text)),
    )
