"""The dated steps in retrieved passages: letters read sentence by sentence from their
pages, a besluitenlijst read whole; every quote checked on its page.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from assistant.answer.timeline.letters import page_statements
from assistant.answer.timeline.meetings import (
    document_pages,
    is_besluitenlijst,
    meeting_statements,
)
from assistant.answer.timeline.statement import DatedStatement, DocumentFacts
from assistant.verify.citations import normalize_ws, quote_on_page
from index.retriever import RetrievedChunk
from index.tokens import tokenize


def statements_for_hits(
    hits: Iterable[RetrievedChunk],
    page_text: Callable[[str, int], str | None],
    subject: str = "",
) -> list[DatedStatement]:
    """The dated steps in the retrieved passages, read from whole pages, each quote checked.

    A besluitenlijst is read whole (an agenda item and its decision may sit on two pages);
    a decision counts when the passage holds its start, its end or its agenda item, and
    (with a `subject`) its text or agenda item names one of the subject's words: a
    besluitenlijst decides on many subjects, a passage often holds several. Other passages
    count when they (with their title and heading) name one of the subject's words.
    """
    wanted = set(tokenize(subject))
    found: list[DatedStatement] = []
    meetings: dict[str, list[DatedStatement]] = {}
    for hit in hits:
        c = hit.chunk
        facts = DocumentFacts.from_metadata(c.source, c.title, c.metadata, c.doc_id)
        passage = normalize_ws(c.text)
        if is_besluitenlijst(facts):
            if c.doc_id not in meetings:
                pages = document_pages(c.doc_id, page_text)
                meetings[c.doc_id] = [
                    s
                    for s in meeting_statements(pages, facts)
                    if quote_on_page(s.quote, dict(pages).get(s.page))
                ]
            found += [
                s
                for s in meetings[c.doc_id]
                if c.page <= s.page <= c.page_end
                and (not wanted or wanted & set(tokenize(f"{s.agenda} {s.statement}")))
                and (
                    s.quote[:40] in passage
                    or s.quote[-40:] in passage
                    or (s.agenda and s.agenda[-40:] in passage)
                )
            ]
            continue
        if wanted and not wanted & set(tokenize(c.context)):
            continue  # a passage the subject's words are not in (vector search finds those)
        for page in range(c.page, c.page_end + 1):
            # whole sentences come from the page; only those in the retrieved passage count
            text = page_text(c.doc_id, page) or ""
            found += [
                s
                for s in page_statements(text, page, facts)
                if (s.quote[:40] in passage or s.quote[-40:] in passage)
                and quote_on_page(s.quote, text)
            ]
    return found
