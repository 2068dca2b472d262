"""Questions that compare municipalities: find the gemeenten named, combine their answers.

Pure: the service answers each gemeente on its own (retrieval filtered to that gemeente),
and `combine` joins those answers into one, grouped per gemeente with renumbered citations,
so "Wat verschilt tussen de brief van Weert en die van Maasgouw?" cites both letters.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from assistant.models import Answer, Citation
from assistant.prompts import NOT_FOUND_FOR_GEMEENTE as NOT_FOUND
from assistant.prompts import REFUSAL_WITH_HINT
from assistant.verify.citations import CITATION_KEY


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
