"""The Gradio chat: a thin layer over `Assistant` that shows answers with their sources."""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from assistant.generative import Draft
from assistant.models import Answer, Citation
from index.filters import AANBIEDER
from ingest.extract import parse_date

if TYPE_CHECKING:
    import gradio as gr

    from assistant.decisions import DatedStatement
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
# A generative answer streams in unchecked; the checked answer and its sources replace it.
DRAFT_HINT = "_Concept, wordt gecontroleerd…_"
CHECKING_SOURCES = (
    '<p class="bronnen-leeg">Het antwoord wordt gecontroleerd; de bronnen volgen daarna.</p>'
)
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
TIMELINE_CSS = """
.tijdlijn { list-style: none; padding: 0; margin: 0; }
.stap { border-left: 3px solid var(--border-color-primary); padding: 0.4em 0.8em; }
.stap { margin: 0 0 1em 0; }
.stap-besloten { border-left-color: #2e7d32; }
.stap-gepland, .stap-aangekondigd { border-left-style: dashed; }
.stap-kop { font-weight: 600; }
.status { display: inline-block; border-radius: 0.8em; padding: 0 0.6em; font-size: 0.85em; }
.status-besloten { background: #2e7d32; color: #fff; }
.status-gepland { border: 1px dashed #b26a00; color: #b26a00; background: transparent; }
.status-aangekondigd { border: 1px dotted #1565c0; color: #1565c0; background: transparent; }
.stap-bron { color: var(--body-text-color-subdued); font-size: 0.9em; }
.stap blockquote { margin: 0.4em 0; font-style: italic; }
"""
ALL = "(alle)"  # the filter choice that filters nothing
DEFAULT_SUBJECT = "inkoopstrategie ambulante jeugdhulp"
NO_STEPS = (
    '<p class="tijdlijn-leeg">Geen gedateerde besluiten of geplande stappen gevonden '
    "voor dit onderwerp.</p>"
)
NO_SUBJECT = (
    '<p class="tijdlijn-leeg">Typ eerst een onderwerp, bijvoorbeeld ambulante jeugdhulp.</p>'
)
TIMELINE_HINT = '<p class="tijdlijn-leeg">Kies een onderwerp en klik op “Toon tijdlijn”.</p>'
STATUS_LABELS = {
    "besloten": "besloten",
    "gepland": "gepland — nog niet gebeurd",
    "aangekondigd": "aangekondigd",
}

Message = dict[str, Any]
Inbox = Callable[[str], None]  # takes the questions the documents could not answer
Turn = tuple[str, list[Message], str]  # the chat's outputs: textbox, conversation, sources


def servable_files(assistant: Assistant, audience: str = AANBIEDER) -> dict[str, Path]:
    """Source name → file on disk, for the ingested documents the chat may link to.

    Only documents `audience` may read (providers: openbaar): every path here is downloadable.
    """
    files: dict[str, Path] = {}
    for record in assistant.documents_for(audience):
        raw = record.metadata.get("_path")
        if not raw:
            continue
        path = Path(str(raw)).resolve()
        if path.suffix.lower() in SERVABLE_SUFFIXES and path.is_file():
            files[record.source] = path
    return files


def launch_options(assistant: Assistant) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch`: serve the ingested documents and nothing else."""
    from gradio.utils import get_upload_folder

    return {
        "allowed_paths": sorted(str(p) for p in servable_files(assistant).values()),
        # Gradio serves any file under its upload folder from every app, and the staff page's
        # exports and uploaded question lists land there; the provider chat serves no such file.
        "blocked_paths": [get_upload_folder()],
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
        file_name = Path(c.source).name  # not the server's folders
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
            f'<div class="bron-plaats">{html.escape(" — ".join([*place, file_name]))}</div>'
            f"<blockquote>“{html.escape(c.quote)}”</blockquote>{link}</li>"
        )
    return f'<ol class="bronnen-lijst">{"".join(items)}</ol>'


class FilterError(ValueError):
    """A filter the user typed that cannot be used; the message is Dutch and shown as is."""


def filter_date(value: str | None, label: str) -> date | None:
    """A date typed in a filter field ("2024-03-01" or "1 maart 2024"); None when empty."""
    text = (value or "").strip()
    if not text:
        return None
    day = parse_date(text)
    if day is None:
        raise FilterError(f"{label}: “{text}” is geen datum. Schrijf bijvoorbeeld 2024-03-01.")
    return day


def chat_filter(
    gemeente: str | None = None,
    doc_type: str | None = None,
    date_from: str | None = None,
    date_to: str | None = None,
) -> dict[str, Any] | None:
    """The `where` of the chat's filter fields; "(alle)" and empty fields filter nothing."""
    from index.filters import metadata_filter

    start = filter_date(date_from, "Vanaf")
    end = filter_date(date_to, "Tot en met")
    if start and end and start > end:
        raise FilterError("“Vanaf” ligt na “Tot en met”; draai de datums om.")
    return metadata_filter(
        gemeente if gemeente and gemeente != ALL else None,
        doc_type if doc_type and doc_type != ALL else None,
        start,
        end,
    )


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
    files: dict[str, Path],
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
    history.append({"role": "user", "content": question})
    answer: Answer | None = None
    try:
        for item in assistant.ask_stream(question, where=where, audience=audience):
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
    if answer.refused:
        record(inbox, question)
        yield "", history, REFUSED_SOURCES
    else:
        yield "", history, render_sources(answer.citations, files)


def respond(
    assistant: Assistant,
    files: dict[str, Path],
    message: str,
    history: list[Message] | None,
    where: dict[str, Any] | None = None,
    inbox: Inbox | None = None,
) -> Turn:
    """One chat turn in one update: the last one of `respond_stream`."""
    *_, last = respond_stream(assistant, files, message, history, where, inbox)
    return last


def render_timeline(steps: list[DatedStatement], files: dict[str, Path]) -> str:
    """The council timeline, oldest first: date, who, status, statement, source; all escaped."""
    if not steps:
        return NO_STEPS
    items = []
    for s in steps:
        who = " · ".join(x for x in (s.gemeente, s.actor) if x)
        kenmerk = f"kenmerk {s.kenmerk}" if s.kenmerk else ""
        ref = " — ".join(x for x in (s.title or s.source, kenmerk) if x)
        paged = Path(s.source).suffix.lower() == ".pdf"
        path = files.get(s.source)
        link = (
            f'<a class="bron-link" href="{html.escape(file_link(path, s.page))}" '
            f'target="_blank" rel="noopener noreferrer">'
            f"Open document{f' op pagina {s.page}' if paged else ''}</a>"
            if path
            else ""
        )
        status = html.escape(s.status)
        dossier = f' data-dossier="{html.escape(s.dossier)}"' if s.dossier else ""
        items.append(
            f'<li class="stap stap-{status}" data-testid="stap" data-status="{status}"{dossier}>'
            f'<div class="stap-kop"><time>{html.escape(s.date)}</time> · {html.escape(who)} '
            f'<span class="status status-{status}">'
            f"{html.escape(STATUS_LABELS.get(s.status, s.status))}</span></div>"
            f'<div class="stap-tekst">{html.escape(s.statement)}</div>'
            f'<div class="stap-bron">{html.escape(ref)} ({html.escape(Path(s.source).name)}'
            f"{f', pagina {s.page}' if paged else ''})</div>"
            f"<blockquote>“{html.escape(s.quote)}”</blockquote>{link}</li>"
        )
    return f'<ol class="tijdlijn">{"".join(items)}</ol>'


def council(
    assistant: Assistant,
    files: dict[str, Path],
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


def ask_json(assistant: Assistant, question: str, inbox: Inbox | None = None) -> dict[str, Any]:
    """The `ask` API endpoint: the answer contract of `inkoop ask --json`."""
    import gradio as gr

    try:
        answer = assistant.ask(question or "")
        if answer.refused:
            record(inbox, answer.question)
        return answer.to_dict()
    except Exception as exc:
        log.exception("answering %r via the API failed", question)
        raise gr.Error(ERROR_MESSAGE) from exc


def build_app(assistant: Assistant, inbox: Inbox | None = None) -> gr.Blocks:
    """The provider chat plus a named `ask` API endpoint; all text is Dutch. Providers see
    `openbaar` documents only; their unanswered questions go to `inbox`."""
    os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")
    import gradio as gr

    def ask(question: str) -> dict[str, Any]:
        """Answer a question from the documents, with checked citations (JSON)."""
        return ask_json(assistant, question, inbox)

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


def add_question_tabs(
    assistant: Assistant, audience: str, inbox: Inbox | None = None, suffix: str = ""
) -> None:
    """The chat tab and the council tab, inside an open `gr.Tabs`, for one audience: the
    provider app uses `aanbieder`, the staff page `medewerker` (which also reads intern)."""
    import gradio as gr

    files = servable_files(assistant, audience)
    gemeenten = [ALL, *assistant.metadata_values("gemeente", audience)]
    doc_types = [ALL, *assistant.metadata_values("type", audience)]

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


def serve(
    assistant: Assistant,
    host: str = "127.0.0.1",
    port: int = 7860,
    staff_port: int | None = None,
    staff_host: str = "127.0.0.1",
    staff_password: str | None = None,
) -> None:
    """Serve the chat until interrupted; only the ingested documents are served as files.

    With `staff_port` the staff page (NvI workbench) runs beside it in the same process, on
    its own address, behind `staff_password` (required unless it binds to loopback)."""
    from assistant.nvi.store import NviStore
    from assistant.nvi.workbench import Workbench, store_path

    store = NviStore(store_path(assistant.settings.data_dir))
    app = build_app(assistant, inbox=store.add_candidate)
    if staff_port is None:
        app.launch(server_name=host, server_port=port, **launch_options(assistant))
        return
    from assistant.staff_app import staff_auth, staff_page

    auth = staff_auth(staff_host, staff_password)  # before anything listens
    bench = Workbench(store, lambda: assistant)
    staff, options = staff_page(bench, assistant.settings.data_dir, assistant)
    app.launch(
        server_name=host, server_port=port, prevent_thread_lock=True, **launch_options(assistant)
    )
    staff.launch(
        server_name=staff_host,
        server_port=staff_port,
        auth=auth,
        auth_message="Inkoopassistent voor medewerkers: log in met uw naam en het wachtwoord.",
        prevent_thread_lock=True,
        **options,
    )
    log.warning("staff page on http://%s:%d/", staff_host, staff_port)
    try:
        staff.block_thread()
    finally:
        app.close()
        staff.close()
