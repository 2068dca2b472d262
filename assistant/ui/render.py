"""HTML of the apps: the Bronnen panel, the council timeline, links to served files."""

from __future__ import annotations

import html
import logging
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.documents.served import Catalog
from assistant.models import Citation, Passage, Place
from assistant.prompts import (
    CLARIFIED_MARK,
    NO_SOURCES,
    NO_STEPS,
    PASSAGES_HEADING,
    PASSAGES_NOTE,
    REFUSED_SOURCES,
    STATUS_LABELS,
    SUPERSEDED_MARK,
    WHOLE_PASSAGE,
)
from index.filters import AANBIEDER

if TYPE_CHECKING:
    from assistant.answer.timeline.statement import DatedStatement, SourceRef
    from assistant.service import Assistant
    from assistant.ui.clients import ClientInbox

log = logging.getLogger(__name__)


CSS = """
.bronnen-lijst { list-style: none; padding: 0; margin: 0; }
.bron { border-left: 3px solid var(--color-accent); padding: 0.4em 0.8em; margin: 0 0 1em 0; }
.bron-kop { font-weight: 600; }
.bron-plaats { color: var(--body-text-color-subdued); font-size: 0.9em; }
.bron blockquote { margin: 0.4em 0; font-style: italic; }
.bron-oud blockquote { text-decoration: line-through; opacity: 0.75; }
.bron-vervangen { color: #b26a00; font-weight: 600; font-size: 0.9em; }
.bron-verduidelijkt { color: #1565c0; font-size: 0.9em; }
.plekken-kop { margin: 0 0 0.2em 0; }
.plekken-uitleg { color: var(--body-text-color-subdued); font-size: 0.9em; }
.plekken-lijst { padding-left: 1.2em; }
.plek { border-left: 3px dashed var(--border-color-primary); padding: 0.4em 0.8em; }
.plek { margin: 0 0 1em 0; }
.plek mark { background: #fff3b0; color: inherit; }
"""


TIMELINE_CSS = """
.tijdlijn { list-style: none; padding: 0; margin: 0; }
.stap { border-left: 3px solid var(--border-color-primary); padding: 0.4em 0.8em; }
.stap { margin: 0 0 1em 0; }
.stap-besloten { border-left-color: #2e7d32; }
.stap-gebeurd { border-left-color: #2e7d32; }
.stap-gepland, .stap-aangekondigd { border-left-style: dashed; }
.stap-verstreken { border-left: 3px dotted #9e9e9e; }
.stap-kop { font-weight: 600; }
.status { display: inline-block; border-radius: 0.8em; padding: 0 0.6em; font-size: 0.85em; }
.status-besloten { background: #2e7d32; color: #fff; }
.status-gepland { border: 1px dashed #b26a00; color: #b26a00; background: transparent; }
.status-aangekondigd { border: 1px dotted #1565c0; color: #1565c0; background: transparent; }
.status-gebeurd { background: #2e7d32; color: #fff; }
.status-verstreken { border: 1px dotted #757575; color: #757575; background: transparent; }
.stap-noot { font-size: 0.9em; font-style: italic; }
.stap-agenda { font-size: 0.9em; }
.stap-bron { color: var(--body-text-color-subdued); font-size: 0.9em; }
.stap blockquote { margin: 0.4em 0; font-style: italic; }
"""


def servable_files(assistant: Assistant, audience: str = AANBIEDER) -> Catalog:
    """Source name → link (`/dokument/<id>`) of the ingested documents the chat may link to,
    looked up as they are now (a document published a moment ago has its link).

    Only documents `audience` may read (providers: openbaar); the apps serve them by id
    (`ui.routes`), never by a path on the server.
    """
    return Catalog(assistant, audience)


def launch_options(
    assistant: Assistant, *, host: str, inbox: ClientInbox | None = None
) -> dict[str, Any]:
    """Keyword arguments for `Blocks.launch` of the provider app bound to `host`: its own host
    names only, documents by id only, no uploads, no monitoring, `POST /api/ask` recording
    refused questions in `inbox` (`ui.routes.provider_app_kwargs`)."""
    from gradio.utils import get_upload_folder

    from assistant.ui.routes import provider_app_kwargs

    return {
        # Gradio serves any file under its upload folder from every app, and the staff page's
        # exports and uploaded question lists land there; the provider chat serves no such file.
        "blocked_paths": [get_upload_folder()],
        "share": False,
        "show_error": False,
        "footer_links": ["api", "settings"],
        "enable_monitoring": False,
        "max_file_size": 1,  # the provider app has no upload component (and a 403 in front)
        "app_kwargs": provider_app_kwargs(assistant, host, inbox),
    }


def file_link(url: str, source: str, page: int) -> str:
    """URL that opens a served document, at the cited page where the browser supports it."""
    return f"{url}#page={page}" if Path(source).suffix.lower() == ".pdf" else url


def render_sources(citations: tuple[Citation, ...], files: Mapping[str, str]) -> str:
    """The Bronnen panel: number, title, place, quote and a link per citation; all escaped."""
    if not citations:
        return NO_SOURCES
    items = []
    for c in citations:
        replaced = (
            f'<div class="bron-vervangen" data-testid="vervangen">'
            f"{html.escape(SUPERSEDED_MARK.format(document=c.superseded_by))}</div>"
            if c.superseded_by
            else ""
        )
        if c.clarified_by:
            replaced += (
                f'<div class="bron-verduidelijkt" data-testid="verduidelijkt">'
                f"{html.escape(CLARIFIED_MARK.format(note=c.clarified_by))}</div>"
            )
        css = "bron bron-oud" if c.superseded_by else "bron"
        items.append(
            f'<li class="{css}" id="bron-{c.key}" data-testid="bron">'
            f'<div class="bron-kop">[{c.key}] {html.escape(c.title or c.source)}</div>'
            f"{_place_line(c)}{replaced}<blockquote>“{html.escape(c.quote)}”</blockquote>"
            f"{_open_link(c, files)}</li>"
        )
    return f'<ol class="bronnen-lijst">{"".join(items)}</ol>'


def render_timeline(steps: list[DatedStatement], files: Mapping[str, str]) -> str:
    """The council timeline, oldest first: date, who, status and what it rests on (the letter
    that announced a planned step, the later document that reports it), statement, every
    source with its quote and link; all escaped."""
    if not steps:
        return NO_STEPS
    items = []
    for s in steps:
        who = " · ".join(x for x in (s.gemeente, s.actor) if x)
        status = html.escape(s.status)
        dossier = f' data-dossier="{html.escape(s.dossier)}"' if s.dossier else ""
        note = f'<div class="stap-noot">{html.escape(s.note)}</div>' if s.note else ""
        meeting = " — ".join(x for x in (s.agenda, s.vote) if x)
        agenda = f'<div class="stap-agenda">{html.escape(meeting)}</div>' if meeting else ""
        refs = "".join(_timeline_source(r, files) for r in (s.sources or (s.ref(),)))
        if s.reported_by is not None:
            refs += _timeline_source(s.reported_by, files, later=True)
        items.append(
            f'<li class="stap stap-{status}" data-testid="stap" data-status="{status}"{dossier}>'
            f'<div class="stap-kop"><time>{html.escape(s.date)}</time> · {html.escape(who)} '
            f'<span class="status status-{status}">'
            f"{html.escape(STATUS_LABELS.get(s.status, s.status))}</span></div>{note}{agenda}"
            f'<div class="stap-tekst">{html.escape(s.statement)}</div>{refs}</li>'
        )
    return f'<ol class="tijdlijn">{"".join(items)}</ol>'


def _timeline_source(ref: SourceRef, files: Mapping[str, str], later: bool = False) -> str:
    """One document under a timeline row: gemeente, title, kenmerk, file and page, quote, link."""
    kenmerk = f"kenmerk {ref.kenmerk}" if ref.kenmerk else ""
    name = " — ".join(x for x in (ref.gemeente, ref.title or ref.source, kenmerk) if x)
    paged = Path(ref.source).suffix.lower() == ".pdf"
    url = files.get(ref.source)
    link = (
        f'<a class="bron-link" href="{html.escape(file_link(url, ref.source, ref.page))}" '
        f'target="_blank" rel="noopener noreferrer">'
        f"Open document{f' op pagina {ref.page}' if paged else ''}</a>"
        if url
        else ""
    )
    css = "stap-bron stap-later" if later else "stap-bron"
    return (
        f'<div class="{css}">{html.escape(name)} ({html.escape(Path(ref.source).name)}'
        f"{f', pagina {ref.page}' if paged else ''})</div>"
        f"<blockquote>“{html.escape(ref.quote)}”</blockquote>{link}"
    )


def render_passages(passages: tuple[Passage, ...], files: Mapping[str, str]) -> str:
    """The Bronnen panel when there is no direct answer: the passages most about the question
    under their own heading ("Hier staat het waarschijnlijk"), each with its place, a link to
    the page and the likeliest sentence marked; never styled as an answer's sources."""
    if not passages:
        return REFUSED_SOURCES
    items = []
    for p in passages:
        items.append(
            f'<li class="plek" data-testid="plek">'
            f'<div class="bron-kop">{html.escape(p.title or p.source)}</div>{_place_line(p, "§ ")}'
            f'<div class="plek-tekst">{_marked_excerpt(p.text, p.highlight)}</div>'
            f"{_whole_passage(p.text, p.highlight)}"
            f"{_open_link(p, files)}</li>"
        )
    return (
        f'<div class="plekken"><h3 class="plekken-kop">{html.escape(PASSAGES_HEADING)}</h3>'
        f'<p class="plekken-uitleg">{html.escape(PASSAGES_NOTE)}</p>'
        f'<ol class="plekken-lijst">{"".join(items)}</ol></div>'
    )


def _place_line(p: Place, section_mark: str = "") -> str:
    """Where a citation or passage stands: page (of a PDF; other kinds are one "page"),
    section, heading and file name (not the server's folders), escaped."""
    place = [f"pagina {p.page}"] if _paged(p.source) else []
    # A heading usually starts with its section label ("Artikel 1.1: Voorwerp ...").
    if p.section and not p.heading.startswith(p.section):
        place.append(f"{section_mark}{p.section}")
    if p.heading:
        place.append(p.heading)
    where = " — ".join([*place, Path(p.source).name])
    return f'<div class="bron-plaats">{html.escape(where)}</div>'


def _open_link(p: Place, files: Mapping[str, str]) -> str:
    """The link that opens the served document at the page ("" when it is not served)."""
    url = files.get(p.source)
    if not url:
        return ""
    at = f" op pagina {p.page}" if _paged(p.source) else ""
    return (
        f'<a class="bron-link" href="{html.escape(file_link(url, p.source, p.page))}" '
        f'target="_blank" rel="noopener noreferrer">Open document{at}</a>'
    )


def _paged(source: str) -> bool:
    return Path(source).suffix.lower() == ".pdf"


def _whole_passage(text: str, highlight: str, context: int = 240) -> str:
    """The whole passage (its neighbours in the section included), folded, when the excerpt
    around the marked sentence leaves part of it out."""
    if len(text) <= len(highlight) + 2 * context:
        return ""
    # the excerpt with room for the whole text; unmarked when the sentence is not found in it
    body = _marked_excerpt(text, highlight, len(text)) if highlight in text else html.escape(text)
    return (
        f'<details class="plek-geheel"><summary>{html.escape(WHOLE_PASSAGE)}</summary>'
        f'<div class="plek-tekst">{body}</div></details>'
    )


def _marked_excerpt(text: str, highlight: str, context: int = 240) -> str:
    """The passage around its marked sentence, escaped, the sentence in <mark>."""
    at = text.find(highlight)
    if at < 0:  # the passage text and the page differ in spacing: show the sentence alone
        return f"<mark>{html.escape(highlight)}</mark>"
    start, end = max(0, at - context), min(len(text), at + len(highlight) + context)
    before = ("… " if start else "") + text[start:at]
    after = text[at + len(highlight) : end] + (" …" if end < len(text) else "")
    return f"{html.escape(before)}<mark>{html.escape(highlight)}</mark>{html.escape(after)}"
