"""The Gradio chat: a thin layer over `Assistant` that shows answers with their sources."""

from __future__ import annotations

import html
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from assistant.models import Answer, Citation

if TYPE_CHECKING:
    import gradio as gr

    from assistant.service import Assistant

log = logging.getLogger(__name__)

TITLE = "Inkoopassistent"
EXAMPLES = (
    "Wanneer gaan de nieuwe contracten voor ambulante jeugdhulp in?",
    "Wanneer is de gunning van de aanbesteding ambulante jeugdhulp?",
    "Wat zijn de uitgangspunten voor de aanbesteding van ambulante jeugdhulp?",
)
EMPTY_HINT = "Typ eerst een vraag, bijvoorbeeld over de aanbesteding van ambulante jeugdhulp."
ERROR_MESSAGE = "Er ging iets mis bij het beantwoorden. Probeer het opnieuw."
NO_SOURCES = '<p class="bronnen-leeg">Nog geen bronnen. Stel een vraag om ze hier te zien.</p>'
REFUSED_SOURCES = '<p class="bronnen-leeg">Geen bronnen: dit staat niet in de documenten.</p>'
FILE_ROUTE = "/gradio_api/file="  # Gradio 6 serves allowed files here (gradio/routes.py)
# Served inline from the app's own origin, so HTML/SVG sources get no link (script in them
# would run as the app); these types are safe to open or download.
SERVABLE_SUFFIXES = frozenset({".pdf", ".txt", ".md", ".docx"})
# Extractive answering is CPU-bound Python: a few requests in flight keep waiting short
# without threads fighting over the GIL; the rest wait their turn in the queue.
CONCURRENCY = 4
QUEUE_SIZE = 100

CSS = """
.bronnen-lijst { list-style: none; padding: 0; margin: 0; }
.bron { border-left: 3px solid var(--color-accent); padding: 0.4em 0.8em; margin: 0 0 1em 0; }
.bron-kop { font-weight: 600; }
.bron-plaats { color: var(--body-text-color-subdued); font-size: 0.9em; }
.bron blockquote { margin: 0.4em 0; font-style: italic; }
"""

Message = dict[str, Any]


def servable_files(assistant: Assistant) -> dict[str, Path]:
    """Source name → file on disk, for the ingested documents the chat may link to."""
    files: dict[str, Path] = {}
    for record in assistant.documents():
        raw = record.metadata.get("_path")
        if not raw:
            continue
        path = Path(str(raw)).resolve()
        if path.suffix.lower() in SERVABLE_SUFFIXES and path.is_file():
            files[record.source] = path
    return files


def launch_options(assistant: Assistant) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch`: serve the ingested documents and nothing else."""
    return {
        "allowed_paths": sorted(str(p) for p in servable_files(assistant).values()),
        "share": False,
        "show_error": False,
        "footer_links": ["api", "settings"],
    }


def file_link(path: Path, page: int) -> str:
    """URL that opens a served file, at the cited page where the browser supports it (PDF)."""
    url = FILE_ROUTE + quote(str(path))
    return f"{url}#page={page}" if path.suffix.lower() == ".pdf" else url


def render_sources(citations: tuple[Citation, ...], files: dict[str, Path]) -> str:
    """The Bronnen panel: number, title, place, quote and a link per citation; all escaped."""
    if not citations:
        return NO_SOURCES
    items = []
    for c in citations:
        paged = Path(c.source).suffix.lower() == ".pdf"  # other kinds are one "page"
        place = [f"pagina {c.page}"] if paged else []
        # A heading usually starts with its section label ("Artikel 1.1: Voorwerp ...").
        if c.section and not c.heading.startswith(c.section):
            place.append(c.section)
        if c.heading:
            place.append(c.heading)
        path = files.get(c.source)
        link = (
            f'<a class="bron-link" href="{html.escape(file_link(path, c.page))}" '
            f'target="_blank" rel="noopener noreferrer">'
            f"Open document{f' op pagina {c.page}' if paged else ''}</a>"
            if path
            else ""
        )
        items.append(
            f'<li class="bron" id="bron-{c.key}" data-testid="bron">'
            f'<div class="bron-kop">[{c.key}] {html.escape(c.title or c.source)}</div>'
            f'<div class="bron-plaats">{html.escape(" — ".join([*place, c.source]))}</div>'
            f"<blockquote>“{html.escape(c.quote)}”</blockquote>{link}</li>"
        )
    return f'<ol class="bronnen-lijst">{"".join(items)}</ol>'


def answer_message(answer: Answer) -> str:
    """The bot's chat text; escaped because the chat renders Markdown with inline HTML."""
    return html.escape(answer.answer, quote=False)


def respond(
    assistant: Assistant,
    files: dict[str, Path],
    message: str,
    history: list[Message] | None,
) -> tuple[str, list[Message], str]:
    """One chat turn: clear the textbox, add question and answer, render the sources."""
    history = list(history or [])
    question = (message or "").strip()
    if not question:
        return "", [*history, {"role": "assistant", "content": EMPTY_HINT}], NO_SOURCES
    history.append({"role": "user", "content": question})
    try:
        answer = assistant.ask(question)
    except Exception:
        log.exception("answering %r failed", question)
        return "", [*history, {"role": "assistant", "content": ERROR_MESSAGE}], NO_SOURCES
    history.append({"role": "assistant", "content": answer_message(answer)})
    if answer.refused:
        return "", history, REFUSED_SOURCES
    return "", history, render_sources(answer.citations, files)


def ask_json(assistant: Assistant, question: str) -> dict[str, Any]:
    """The `ask` API endpoint: the answer contract of `inkoop ask --json`."""
    import gradio as gr

    try:
        return assistant.ask(question or "").to_dict()
    except Exception as exc:
        log.exception("answering %r via the API failed", question)
        raise gr.Error(ERROR_MESSAGE) from exc


def build_app(assistant: Assistant) -> gr.Blocks:
    """The chat UI plus a named `ask` API endpoint; all text is Dutch."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    files = servable_files(assistant)

    def chat(message: str, history: list[Message]) -> tuple[str, list[Message], str]:
        return respond(assistant, files, message, history)

    def ask(question: str) -> dict[str, Any]:
        """Answer a question from the documents, with checked citations (JSON)."""
        return ask_json(assistant, question)

    with gr.Blocks(title=TITLE, analytics_enabled=False) as app:
        gr.Markdown(
            f"# {TITLE}\n"
            "Vragen over aanbestedingen en inkoopdocumenten, beantwoord met passages uit de "
            "documenten zelf. Elk antwoord noemt zijn bronnen; staat het er niet in, dan zeggen "
            "we dat. Twijfelt u? Stel uw vraag dan via de nota van inlichtingen."
        )
        with gr.Row(equal_height=False):
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
                    examples=[[q] for q in EXAMPLES], inputs=[textbox], label="Voorbeeldvragen"
                )
            with gr.Column(scale=2):
                gr.Markdown("## Bronnen")
                sources = gr.HTML(NO_SOURCES, css_template=CSS, elem_id="bronnen")

        textbox.submit(
            chat,
            inputs=[textbox, chatbot],
            outputs=[textbox, chatbot, sources],
            api_name="chat",
            api_visibility="undocumented",
            concurrency_id="assistant",
            concurrency_limit=CONCURRENCY,
        )
        # The chat's own bin icon starts a new conversation; its sources go with it.
        chatbot.clear(lambda: NO_SOURCES, outputs=[sources], queue=False, api_visibility="private")
        gr.api(ask, api_name="ask", concurrency_id="assistant", concurrency_limit=CONCURRENCY)

    app.queue(default_concurrency_limit=CONCURRENCY, max_size=QUEUE_SIZE)
    return app


def serve(assistant: Assistant, host: str = "127.0.0.1", port: int = 7860) -> None:
    """Serve the chat until interrupted; only the ingested documents are served as files."""
    app = build_app(assistant)
    app.launch(server_name=host, server_port=port, **launch_options(assistant))
