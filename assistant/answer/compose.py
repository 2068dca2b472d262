"""The one composer of a direct answer's body (issue 20 §0): the short answer in front where
the kind has one (`short_answer`), then "Volgens de documenten:" and the quote lines, each
ending in its citation key, no quote repeated inside another (`distinct_quotes`). The lines
are kept on the `Answer`, so a per-gemeente answer regroups them without parsing the text
back."""

from __future__ import annotations

from collections.abc import Sequence

from assistant.answer.types import short_span
from assistant.models import Answer, Citation
from assistant.prompts import ANSWER_LEAD
from assistant.verify.grounding import is_instruction
from index.tokens import tokenize


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


def distinct_quotes(quotes: Sequence[str]) -> list[int]:
    """Which quotes to show, by index: no sentence quoted twice. A quote that stands inside
    another one (a sentence quoted alone and again with the sentence before it) is left out;
    the longer one stays, in the place of the first."""
    flat = [f" {' '.join(tokenize(q))} " for q in quotes]
    keep: list[int] = []
    for i, text in enumerate(flat):
        if any(text in flat[j] for j in keep):
            continue
        inside = [j for j in keep if flat[j] in text]
        if inside:
            keep[keep.index(inside[0])] = i
            keep = [j for j in keep if j not in inside[1:]]
        else:
            keep.append(i)
    return keep


def short_answer(citations: Sequence[Citation], answer_type: str | None) -> str | None:
    """The span that answers, said in the assistant's own voice in front of the quotes: only
    when every quote that holds one holds the same, and never from an instruction."""
    if any(is_instruction(c.quote) for c in citations):
        return None
    spans = {short_span(c.quote, answer_type) for c in citations} - {None}
    first = short_span(citations[0].quote, answer_type)
    return first if first is not None and len(spans) == 1 else None
