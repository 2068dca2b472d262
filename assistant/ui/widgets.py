"""The Gradio parts both apps share: the chat tab and the council tab, for one audience."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import TYPE_CHECKING

from assistant.prompts import (
    ALL,
    DEFAULT_SUBJECT,
    EXAMPLES,
    NO_SOURCES,
    TIMELINE_HINT,
)
from assistant.ui.chat import Inbox, Message, Turn, council, respond_stream
from assistant.ui.filters import FilterError, chat_filter
from assistant.ui.render import CSS, TIMELINE_CSS, servable_files

if TYPE_CHECKING:
    from assistant.service import Assistant

log = logging.getLogger(__name__)


# Extractive answering is CPU-bound Python: a few requests in flight keep waiting short
# without threads fighting over the GIL; the rest wait their turn in the queue.
CONCURRENCY = 4


QUEUE_SIZE = 100


def add_question_tabs(
    assistant: Assistant, audience: str, inbox: Inbox | None = None, suffix: str = ""
) -> None:
    """The chat tab and the council tab, inside an open `gr.Tabs`, for one audience: the
    provider app uses `aanbieder`, the staff page `medewerker` (which also reads intern)."""
    import gradio as gr
    from gradio.context import Context

    files = servable_files(assistant, audience)
    # Choices are filled when a page opens (below), not when the app is built: they are then
    # current after an upload, and the staff login page embeds no metadata of intern documents.
    gemeenten = doc_types = [ALL]

    def chat(
        message: str,
        history: list[Message],
        gemeente: str,
        doc_type: str,
        date_from: str,
        date_to: str,
    ) -> Iterator[Turn]:
        try:
            where = chat_filter(gemeente, doc_type, date_from, date_to)
        except FilterError as exc:  # keep the question so it can be asked again
            shown = {"role": "assistant", "content": str(exc)}
            yield message, [*(history or []), shown], NO_SOURCES
            return
        yield from respond_stream(assistant, files, message, history, where, inbox, audience)

    def timeline(subject: str, gemeente: str) -> str:
        return council(assistant, files, subject, gemeente, audience)

    with gr.Tab(f"Vragen{suffix}", id="vragen"), gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Gesprek",
                height=520,
                latex_delimiters=[],  # "$" in documents is money, not maths
                feedback_options=None,
                buttons=["copy", "copy_all"],
                placeholder="Stel hieronder een vraag over de inkoopdocumenten.",
            )
            textbox = gr.Textbox(
                placeholder="Typ uw vraag en druk op Enter",
                show_label=False,
                submit_btn="Vraag",
                autofocus=True,
                max_length=1000,
            )
            gr.Examples(
                examples=[[q] for q in EXAMPLES],
                inputs=[textbox],
                label="Voorbeeldvragen",
            )
        with gr.Column(scale=2):
            # beside the chat, after its question box: filters narrow the search
            with gr.Row():
                gemeente = gr.Dropdown(gemeenten, value=ALL, label="Gemeente")
                doc_type = gr.Dropdown(doc_types, value=ALL, label="Soort document")
            with gr.Row():
                date_from = gr.Textbox(label="Vanaf", placeholder="bijv. 2024-01-01")
                date_to = gr.Textbox(label="Tot en met", placeholder="bijv. 2024-12-31")
            gr.Markdown("## Bronnen")
            sources = gr.HTML(NO_SOURCES, css_template=CSS, elem_id="bronnen")

    with gr.Tab(f"Raad: besluiten{suffix}", id="raad"):
        gr.Markdown(
            "Een tijdlijn van besluiten en aangekondigde stappen, oudste eerst, elk met "
            "een letterlijk citaat uit de brief. Geplande stappen zijn nog niet gebeurd."
        )
        with gr.Row():
            subject = gr.Textbox(value=DEFAULT_SUBJECT, label="Onderwerp", scale=3)
            council_gemeente = gr.Dropdown(gemeenten, value=ALL, label="Gemeente")
        show = gr.Button("Toon tijdlijn", variant="primary")
        steps = gr.HTML(TIMELINE_HINT, css_template=TIMELINE_CSS, elem_id="tijdlijn")

    def choices() -> tuple[object, object, object]:
        places = [ALL, *assistant.metadata_values("gemeente", audience)]
        kinds = [ALL, *assistant.metadata_values("type", audience)]
        return gr.update(choices=places), gr.update(choices=kinds), gr.update(choices=places)

    if Context.root_block is not None:
        Context.root_block.load(
            choices,
            outputs=[gemeente, doc_type, council_gemeente],
            queue=False,
            api_visibility="private",
        )
    textbox.submit(
        chat,
        inputs=[textbox, chatbot, gemeente, doc_type, date_from, date_to],
        outputs=[textbox, chatbot, sources],
        api_name="chat",
        api_visibility="undocumented",
        concurrency_id="assistant",
        concurrency_limit=CONCURRENCY,
    )
    # The chat's own bin icon starts a new conversation; its sources go with it.
    chatbot.clear(lambda: NO_SOURCES, outputs=[sources], queue=False, api_visibility="private")
    for trigger in (show.click, subject.submit):
        trigger(
            timeline,
            inputs=[subject, council_gemeente],
            outputs=[steps],
            api_visibility="undocumented",
            concurrency_id="assistant",
            concurrency_limit=CONCURRENCY,
        )
