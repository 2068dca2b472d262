"""The generative answerer: a chat model writes, `grounding` checks, extractive catches the rest.

Used only when a backend is configured (INKOOP_LLM_BACKEND). Whatever goes wrong with the
model — unreachable, too slow, cut off mid-stream, or a reply with nothing verifiable — the user
gets the extractive answer with a visible note saying so. A streamed reply is shown only as a
`Draft`: the checked `Answer` that ends every stream replaces it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace

from assistant.answer.extractive import ExtractiveAnswerer
from assistant.llm.backends import ChatMessage, ChatModel, LLMError
from assistant.models import Answer, with_note
from assistant.prompts import FALLBACK, NOTE_UNVERIFIABLE
from assistant.verify.grounding import build_prompt, verify_reply
from index.retriever import RetrievedChunk

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Draft:
    """The model's reply so far, unchecked: to show while it is written, never to keep."""

    text: str


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

    def answer(
        self,
        question: str,
        hits: Sequence[RetrievedChunk],
        fallback: ExtractiveAnswerer | None = None,
    ) -> Answer:
        """The model's checked answer; else `fallback`'s (the reader's own extractive
        answerer: a provider's weighs words by openbaar documents only), or the default."""
        fallback = fallback or self.fallback
        if not question.strip() or not hits:
            return fallback.answer(question, hits)  # nothing to ground an answer in
        try:
            reply = self.model.chat(build_prompt(question, hits))
        except LLMError as exc:
            return self._unreachable(question, hits, exc, fallback)
        return self._checked(question, hits, reply, fallback)

    def stream(
        self,
        question: str,
        hits: Sequence[RetrievedChunk],
        fallback: ExtractiveAnswerer | None = None,
    ) -> Iterator[Draft | Answer]:
        """Drafts of the reply as it grows, then the checked answer (always last, always once)."""
        fallback = fallback or self.fallback
        if not question.strip() or not hits:
            yield fallback.answer(question, hits)
            return
        pieces: list[str] = []
        try:
            for piece in _pieces(self.model, build_prompt(question, hits)):
                if piece:
                    pieces.append(piece)
                    yield Draft("".join(pieces))
        except LLMError as exc:
            yield self._unreachable(question, hits, exc, fallback)
            return
        yield self._checked(question, hits, "".join(pieces), fallback)

    def _unreachable(
        self,
        question: str,
        hits: Sequence[RetrievedChunk],
        exc: LLMError,
        fallback: ExtractiveAnswerer,
    ) -> Answer:
        log.warning("%s; extractive answer instead", exc)
        answer = with_note(fallback.answer(question, hits), f"{exc}; {FALLBACK}", first=True)
        return replace(answer, mode="fallback")

    def _checked(
        self,
        question: str,
        hits: Sequence[RetrievedChunk],
        reply: str,
        fallback: ExtractiveAnswerer,
    ) -> Answer:
        checked = verify_reply(question, reply, hits, self.page_text)
        for problem in checked.problems:
            log.info("model reply: %s", problem)
        if checked.answer is None:
            answer = with_note(fallback.answer(question, hits), NOTE_UNVERIFIABLE, first=True)
            return replace(answer, notes=(*answer.notes, *checked.problems), mode="fallback")
        return replace(checked.answer, mode="generative")


def _pieces(model: ChatModel, messages: Sequence[ChatMessage]) -> Iterator[str]:
    """The model's stream; a model that implements only `chat` gives its reply in one piece."""
    stream = getattr(model, "stream", None)
    return stream(messages) if stream is not None else iter([model.chat(messages)])
