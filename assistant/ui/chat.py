"""One chat turn over `Assistant`: the answer with its sources, the timeline, the API."""

from __future__ import annotations

import html
import logging
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from assistant.answer.generative import Draft
from assistant.models import Answer
from assistant.prompts import (
    CHECKING_SOURCES,
    DRAFT_HINT,
    EMPTY_HINT,
    ERROR_MESSAGE,
    NO_SOURCES,
    NO_SUBJECT,
)
from assistant.question import with_context
from assistant.ui.filters import chat_filter
from assistant.ui.render import render_passages, render_sources, render_timeline
from index.filters import AANBIEDER

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger(__name__)


Message = dict[str, Any]


Inbox = Callable[[str], None]  # takes the questions the documents could not answer


Turn = tuple[str, list[Message], str]  # the chat's outputs: textbox, conversation, sources


def record(inbox: Inbox | None, question: str) -> None:
    """A refused provider question becomes a candidate for the nota van inlichtingen; a
    failure to record it never costs the provider the answer."""
    if inbox is None or not question.strip():
        return
    try:
        inbox(question)
    except Exception:
        log.exception("recording %r in the NvI inbox failed", question)


def answer_message(answer: Answer) -> str:
    """The bot's chat text; escaped because the chat renders Markdown with inline HTML."""
    return html.escape(answer.answer, quote=False)


def draft_message(draft: Draft) -> str:
    """A generative reply while it is written: unchecked, so under a hint that says so."""
    return f"{DRAFT_HINT}\n\n{html.escape(draft.text, quote=False)}"


def respond_stream(
    assistant: Assistant,
    files: Mapping[str, str],
    message: str,
    history: list[Message] | None,
    where: dict[str, Any] | None = None,
    inbox: Inbox | None = None,
    audience: str = AANBIEDER,
) -> Iterator[Turn]:
    """One chat turn as updates: textbox, conversation, sources.

    A generative answer shows as a draft under `DRAFT_HINT` while the model writes it, with
    no sources yet; the last update replaces the draft with the checked answer and its checked
    sources. An extractive answer is one update. `where` is the filter of the chat's fields.
    """
    history = list(history or [])
    question = (message or "").strip()
    if not question:
        yield "", [*history, {"role": "assistant", "content": EMPTY_HINT}], NO_SOURCES
        return
    previous = next(
        (str(m.get("content") or "") for m in reversed(history) if m.get("role") == "user"), None
    )
    history.append({"role": "user", "content": question})
    answer: Answer | None = None
    try:
        # "En in Weert?" carries the previous question's subject (the chat keeps the history)
        asked = with_context(
            question, previous, assistant.metadata_values("gemeente", audience) if previous else ()
        )
        for item in assistant.ask_stream(asked, where=where, audience=audience):
            if isinstance(item, Draft):
                shown = {"role": "assistant", "content": draft_message(item)}
                yield "", [*history, shown], CHECKING_SOURCES
            else:
                answer = item
        if answer is None:
            raise RuntimeError("the answer stream ended without an answer")
    except Exception:
        log.exception("answering %r failed", question)
        yield "", [*history, {"role": "assistant", "content": ERROR_MESSAGE}], NO_SOURCES
        return
    history.append({"role": "assistant", "content": answer_message(answer)})
    if answer.refused:  # also with passages: not answered, so a candidate NvI question
        record(inbox, question)
        yield "", history, render_passages(answer.passages, files)
    else:
        yield "", history, render_sources(answer.citations, files)


def respond(
    assistant: Assistant,
    files: Mapping[str, str],
    message: str,
    history: list[Message] | None,
    where: dict[str, Any] | None = None,
    inbox: Inbox | None = None,
) -> Turn:
    """One chat turn in one update: the last one of `respond_stream`."""
    *_, last = respond_stream(assistant, files, message, history, where, inbox)
    return last


def council(
    assistant: Assistant,
    files: Mapping[str, str],
    subject: str,
    gemeente: str | None = None,
    audience: str = AANBIEDER,
) -> str:
    """The council tab: the decision timeline on a subject, optionally for one gemeente."""
    subject = (subject or "").strip()
    if not subject:
        return NO_SUBJECT
    try:
        steps = assistant.decisions(subject, where=chat_filter(gemeente), audience=audience)
    except Exception:
        log.exception("the timeline for %r failed", subject)
        return f'<p class="tijdlijn-leeg">{html.escape(ERROR_MESSAGE)}</p>'
    return render_timeline(steps, files)


def answer_json(assistant: Assistant, question: str, inbox: Inbox | None = None) -> dict[str, Any]:
    """A provider's question answered as `inkoop ask --json` answers it (openbaar documents
    only); a refused one goes to `inbox`. Both APIs (Gradio's `ask`, `POST /api/ask`) use it."""
    answer = assistant.ask(question or "")  # audience: aanbieder, the default
    if answer.refused:
        record(inbox, answer.question)
    return answer.to_dict()


def ask_json(assistant: Assistant, question: str, inbox: Inbox | None = None) -> dict[str, Any]:
    """The `ask` API endpoint: the answer contract of `inkoop ask --json`."""
    import gradio as gr

    try:
        return answer_json(assistant, question, inbox)
    except Exception as exc:
        log.exception("answering %r via the API failed", question)
        raise gr.Error(ERROR_MESSAGE) from exc
