"""The provider app: the chat and council tabs plus a named `ask` API endpoint."""

from __future__ import annotations

import logging
import os
from typing import TYPE_CHECKING, Any

from assistant.documents.public import public_answer
from assistant.prompts import (
    TITLE,
)
from assistant.ui.chat import Inbox, ask_json
from assistant.ui.widgets import CONCURRENCY, QUEUE_SIZE, add_question_tabs
from index.filters import AANBIEDER

if TYPE_CHECKING:
    import gradio as gr

    from assistant.service import Assistant

log = logging.getLogger(__name__)


def build_app(assistant: Assistant, inbox: Inbox | None = None) -> gr.Blocks:
    """The provider chat plus a named `ask` API endpoint; all text is Dutch. Providers see
    `openbaar` documents only; their unanswered questions go to `inbox`."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    def ask(question: str) -> dict[str, Any]:
        """Answer a question from the documents, with checked citations (JSON)."""
        return public_answer(ask_json(assistant, question, inbox), assistant)

    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.Markdown(
            f"# {TITLE}\n"
            "Vragen over aanbestedingen en inkoopdocumenten, beantwoord met passages uit de "
            "documenten zelf. Elk antwoord noemt zijn bronnen; staat het er niet in, dan zeggen "
            "we dat. Twijfelt u? Stel uw vraag dan via de nota van inlichtingen."
        )
        with gr.Tabs():
            add_question_tabs(assistant, AANBIEDER, inbox)
        gr.api(ask, api_name="ask", concurrency_id="assistant", concurrency_limit=CONCURRENCY)

    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return app
