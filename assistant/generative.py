"""The generative answerer: a chat model writes, `grounding` checks, extractive catches the rest.

Used only when a backend is configured (INKOOP_LLM_BACKEND). Whatever goes wrong with the
model — unreachable, too slow, or a reply with nothing verifiable — the user gets the
extractive answer with a visible note saying so.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace

from assistant.extractive import ExtractiveAnswerer
from assistant.grounding import NOTE_UNVERIFIABLE, build_prompt, verify_reply
from assistant.llm import ChatModel, LLMError
from assistant.models import Answer
from index.retriever import RetrievedChunk

log = logging.getLogger(__name__)

FALLBACK = "hieronder de passages uit de documenten."


def with_note(answer: Answer, note: str) -> Answer:
    """The answer with a note shown above it (and kept in `notes`)."""
    return replace(answer, answer=f"{note}\n\n{answer.answer}", notes=(note, *answer.notes))


class GenerativeAnswerer:
    def __init__(
        self,
        model: ChatModel,
        page_text: Callable[[str, int], str | None],
        fallback: ExtractiveAnswerer,
    ) -> None:
        self.model = model
        self.page_text = page_text
        self.fallback = fallback

    def answer(self, question: str, hits: Sequence[RetrievedChunk]) -> Answer:
        if not question.strip() or not hits:
            return self.fallback.answer(question, hits)  # nothing to ground an answer in
        try:
            reply = self.model.chat(build_prompt(question, hits))
        except LLMError as exc:
            log.warning("%s; extractive answer instead", exc)
            return with_note(self.fallback.answer(question, hits), f"{exc}; {FALLBACK}")
        checked = verify_reply(question, reply, hits, self.page_text)
        for problem in checked.problems:
            log.info("model reply: %s", problem)
        if checked.answer is None:
            answer = with_note(self.fallback.answer(question, hits), NOTE_UNVERIFIABLE)
            return replace(answer, notes=(*answer.notes, *checked.problems))
        return checked.answer
