"""The one composer of a direct answer's body (issue 20 §0): the short answer in front where
the kind has one, then "Volgens de documenten:" and the quote lines, each ending in its
citation key. The lines are kept on the `Answer`, so a per-gemeente answer regroups them
without parsing the text back."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.models import Answer, Citation
from assistant.prompts import ANSWER_LEAD


def quotes_body(lines: Sequence[str]) -> str:
    """The quote lines: one after the lead on its line, several as a list under it."""
    if len(lines) == 1:
        return f"{ANSWER_LEAD} {lines[0]}"
    return f"{ANSWER_LEAD}\n" + "\n".join(f"- {line}" for line in lines)


def direct_answer(
    question: str,
    citations: Sequence[Citation],
    lines: Sequence[str],
    short: str | None = None,
    notes: Sequence[str] = (),
) -> Answer:
    """A direct answer: `short` ("1 januari 2026") said first, then the quotes."""
    body = quotes_body(lines)
    if short:
        body = f"{short}.\n\n{body}"
    return Answer(question, body, False, tuple(citations), tuple(notes), lines=tuple(lines))
