"""Questions that compare municipalities: find the gemeenten named, combine their answers.

Pure: the service answers each gemeente on its own (retrieval filtered to that gemeente),
and `combine` joins those answers into one, grouped per gemeente with renumbered citations,
so "Wat verschilt tussen de brief van Weert en die van Maasgouw?" cites both letters.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import replace

from assistant.extractive import refusal_text
from assistant.models import Answer, Citation

_KEY = re.compile(r"\[(\d{1,3})\]")
_LEAD = re.compile(r"^Volgens de documenten:\s*")
# Words that ask for a comparison, not for content: the answer per gemeente ignores them.
_COMPARING = re.compile(
    r"\b(?:verschil\w*|vergelijk\w*|versch(?:ilt|illen)|overeenkomst(?:en)?|"
    r"tussen|beide|allebei|respectievelijk|en die van|die van|dat van)\b",
    re.I,
)
NOT_FOUND = "hierover staat niets in de documenten van deze gemeente."


def named_gemeenten(question: str, known: Iterable[str]) -> list[str]:
    """The indexed gemeenten a question names, in the order it names them (any case)."""
    found: list[tuple[int, str]] = []
    for name in known:
        m = re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", question, re.I)
        if m:
            found.append((m.start(), name))
    return [name for _, name in sorted(found)]


def per_gemeente_question(question: str, names: Sequence[str]) -> str:
    """The question one gemeente's documents answer: without the names and comparison words."""
    for name in names:
        question = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", question, flags=re.I)
    question = _COMPARING.sub(" ", question)
    return " ".join(question.split())


def renumbered(text: str, keys: dict[int, int]) -> str:
    """`text` with each citation key [n] replaced by [keys[n]], in one pass."""
    return _KEY.sub(lambda m: f"[{keys.get(int(m.group(1)), int(m.group(1)))}]", text)


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
        body = renumbered(_LEAD.sub("", part.answer).strip(), renumber)
        lines.append(f"{name}:{chr(10) if body.startswith('- ') else ' '}{body}")
    if not citations:
        return Answer(question, refusal_text(), True, notes=tuple(notes))
    return Answer(question, "\n".join(lines), False, tuple(citations), tuple(notes))
